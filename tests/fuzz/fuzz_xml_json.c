/* Fuzzes the XML reader of cfn_aws_call (the tree parser and the shape-guided
 * reading into JSON) with what an endpoint might answer: the first byte picks
 * an output shape of a query, EC2 or REST-XML operation, the rest is the
 * answer. */
#include <stdint.h>
#include <stdlib.h>

#include "model.h"
#include "xml.h"
#include "xml_json.h"

#include <cfnkit/error.h>

static const struct {
    const char *service, *shape;
} shapes[] = {
    {"iam", "GetRoleResponse"},
    {"iam", "GetRolePolicyResponse"},
    {"sns", "GetTopicAttributesResponse"},
    {"elbv2", "DescribeTargetGroupsOutput"},
    {"ec2", "DescribeSecurityGroupsResult"},
    {"ec2", "DescribeInstancesResult"},
    {"s3", "ListObjectsV2Output"},
    {"s3", "GetBucketTaggingOutput"},
    {"route53", "ListResourceRecordSetsResponse"},
    {"cloudformation", "DescribeStacksOutput"},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t n = sizeof(shapes) / sizeof(shapes[0]);
    const aws_model_entry *e = cfn__aws_service(shapes[data[0] % n].service);
    const aws_model *m;
    if (!e || cfn__aws_model(e, &m) < 0)
        abort();
    const cJSON *shape = cfn__aws_shape(m, shapes[data[0] % n].shape);
    if (!shape)
        abort();
    xml_node *root;
    if (cfn__xml_parse((const char *)data + 1, size - 1, &root) < 0) {
        if (root)
            abort();
        return 0;
    }
    cJSON *out = NULL;
    if (cfn__aws_xml_read(m, shape, root, &out) == 0) {
        char *text = cJSON_PrintUnformatted(out);
        free(text);
    }
    cJSON_Delete(out);
    cfn__xml_free(root);
    return 0;
}
