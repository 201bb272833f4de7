/* Custom::Echo: the smallest useful module, written the way a module author
 * writes one, against the installed <cfnkit/cfnkit.h> only.
 *
 *   Message (required)  the text to echo
 *   Upper   ("true")    echo it in capitals
 *
 * Data: Echo (the text) and Length. The physical id is the message, so
 * changing the message replaces the resource. */
#include <cfnkit/cfnkit.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int echo_put(cfn_ctx *ctx)
{
    const char *msg;
    bool upper;
    if (cfn_prop_string(ctx, "Message", &msg) < 0 ||
        cfn_prop_bool_or(ctx, "Upper", false, &upper) < 0)
        return -1;
    if (!*msg)
        return cfn_fail(ctx, "property Message must not be empty");
    size_t len = strlen(msg);
    char *out = malloc(len + 1);
    if (!out)
        return cfn_fail(ctx, "out of memory");
    memcpy(out, msg, len + 1);
    for (char *p = out; upper && *p; p++)
        *p = (char)toupper((unsigned char)*p);
    int rc = cfn_set_data(ctx, "Echo", out);
    free(out);
    if (rc < 0 || cfn_set_dataf(ctx, "Length", "%zu", len) < 0)
        return -1;
    return cfn_set_physical_id(ctx, msg);
}

static int echo_remove(cfn_ctx *ctx)
{
    cfn_log(CFN_LOG_INFO, "nothing to delete for %s", cfn_request_physical_id(ctx));
    return 0;
}

static const cfn_resource_type echo = {
    .type = "Custom::Echo",
    .create = echo_put,
    .update = echo_put,
    .remove = echo_remove,
};

int main(int argc, char **argv)
{
    cfn_register(&echo);
    return cfn_main(argc, argv);
}
