/* Fuzzes the template reader (JSON and YAML) and the intrinsic functions'
 * evaluation over what it read. */
#include <stdint.h>
#include <stdlib.h>

#include <cfnkit/error.h>

#include "node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cfn_node *n = NULL;
    if (cfn_node_parse((const char *)data, size, "fuzz", &n) == 0) {
        if (!n || n->kind != CFN_NODE_MAP)
            abort();
        cJSON_Delete(cfn_node_to_json(n));
    }
    cfn_node_free(n);
    return 0;
}
