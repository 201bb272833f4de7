/* `cfnkit native-provider`: cfn_main with the native AWS:: types registered
 * as well as the built-in Custom:: ones. The deployment engine sends its
 * native resources' requests through it; the Lambda bootstrap (cfnkit with
 * no arguments) never registers them, since CloudFormation serves AWS:: types
 * itself. */
#ifndef CFNKIT_TOOL_NATIVE_PROVIDER_H
#define CFNKIT_TOOL_NATIVE_PROVIDER_H

int native_provider(int argc, char **argv);

#endif
