/* Requests as CloudFormation builds them, for the deployment engine and for
 * `cfnkit event`/`check`: properties turned to strings, fresh RequestIds,
 * StackId ARNs. Pure: no AWS call, no I/O but /dev/urandom. */
#ifndef CFNKIT_STACK_REQUEST_H
#define CFNKIT_STACK_REQUEST_H

#include <cjson/cJSON.h>
#include <stdbool.h>

/* A fresh random (version 4) UUID, 36 characters. */
void stk_uuid(char out[37]);

/* `n` random bytes from the kernel; -1 (cfn_error_last) when it gives none. */
int stk_random(unsigned char *buf, size_t n);

/* The ARN partition of a region: aws, aws-cn or aws-us-gov. */
const char *stk_partition(const char *region);

/* The StackId ARN of stack `name`: arn:PARTITION:cloudformation:REGION:
 * ACCOUNT:stack/NAME/UUID, the UUID following from region, account and name
 * so that every request built for one stack names the same stack. The caller
 * frees *out. Returns 0 or negative (cfn_error_last). */
int stk_stack_arn(const char *region, const char *account, const char *name, char **out);

/* Properties as CloudFormation passes them to a custom resource: every number
 * and boolean a string, nested too; null members dropped. NULL when out of
 * memory or when `value` is not JSON data (never for a parsed document). */
cJSON *stk_stringify(const cJSON *value);

/* A number as CloudFormation writes it from the template: integers without a
 * fraction, others in their shortest exact form. */
void stk_number_text(double d, char *buf, size_t size);

/* Whether CloudFormation sends a type's properties as strings with a
 * ServiceToken: Custom::NAME and AWS::CloudFormation::CustomResource. */
bool stk_type_is_custom(const char *type);

/* One request to build. */
typedef struct stk_event {
    const char *request_type; /* "Create", "Update", "Delete" */
    const char *stack_id, *logical_id, *resource_type;
    const char *physical_id;     /* Update, Delete */
    const char *request_id;      /* NULL: a fresh UUID */
    const char *response_url;    /* required */
    const char *service_token;   /* used when the properties name none */
    const cJSON *properties;     /* NULL: {} */
    const cJSON *old_properties; /* Update; NULL: the properties */
    bool as_given;               /* native AWS:: types: properties as resolved JSON,
                                    no ServiceToken added */
} stk_event;

/* The request of `e` as CloudFormation sends it: RequestType, ServiceToken,
 * ResponseURL, StackId, RequestId, LogicalResourceId, PhysicalResourceId
 * (not on Create), ResourceType, ResourceProperties (ServiceToken first),
 * OldResourceProperties (Update). The caller frees *out. Returns 0 or a negative code
 * (negative, cfn_error_last) on a bad request type, a missing physical id, properties
 * that are not an object, or no memory. */
int stk_event_build(const stk_event *e, cJSON **out);

#endif
