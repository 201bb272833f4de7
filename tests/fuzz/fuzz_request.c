/* Fuzzes what a hostile request reaches: payload splitting, validation, the
 * property getters, and the response built for it (always within 4096 bytes,
 * always valid JSON in valid UTF-8). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ctx.h"
#include "physid.h"
#include "response.h"
#include "strbuf.h"

#include <cfnkit/cfnkit.h>

static void getters(cfn_ctx *ctx)
{
    const cJSON *props = ctx->req->props, *item;
    const char *s;
    long long n;
    bool b;
    const cJSON *node;
    cJSON_ArrayForEach(item, props)
    {
        if (!item->string)
            continue;
        cfn_prop_string(ctx, item->string, &s);
        cfn_prop_int(ctx, item->string, &n);
        cfn_prop_bool(ctx, item->string, &b);
        cfn_prop_list(ctx, item->string, &node);
        cfn_prop_map(ctx, item->string, &node);
        cfn_old_prop_string(ctx, item->string, &s);
    }
    cfn_prop_string(ctx, "A.B.0.C", &s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    payload_item *items;
    size_t n;
    if (cfn__payload_split((const char *)data, size, &items, &n) < 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        request req;
        if (cfn__request_init(&req, items[i].obj) < 0)
            abort();
        items[i].obj = NULL;
        cfn_ctx ctx;
        cfn__ctx_init(&ctx, &req, cfn__clock_mono_ms() + 1000);
        getters(&ctx);
        char *id =
            req.action == CFN_CREATE ? cfn__physid_generate(&req) : cfn__strdup(req.physical_id);
        response_fields f = {.success = req.invalid == NULL,
                             .reason = req.invalid ? req.invalid : ctx.reason,
                             .physical_id = id && *id ? id : "x",
                             .stack_id = req.stack_id,
                             .request_id = req.request_id,
                             .logical_id = req.logical_id,
                             .data = req.props};
        char *body = NULL;
        size_t len = 0;
        if (cfn__response_build(&f, &body, &len) == 0) {
            cJSON *parsed = cJSON_ParseWithLength(body, len);
            if (len > CFN_MAX_RESPONSE_BYTES || !parsed || !cfn__utf8_valid(body, true))
                abort();
            cJSON_Delete(parsed);
        }
        free(body);
        cfn__response_fields_clear(&f);
        free(id);
        cfn__ctx_clear(&ctx);
        cfn__request_clear(&req);
    }
    cfn__payload_free(items, n);
    return 0;
}
