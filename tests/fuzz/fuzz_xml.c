/* Fuzzes the XML reader with what an endpoint might answer. */
#include <stdint.h>
#include <stdlib.h>

#include "xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *xml = (const char *)data;
    static const char *tags[] = {"Code", "Message", "Key", "Contents", "IsTruncated"};
    for (size_t t = 0; t < 5; t++) {
        free(cfn__xml_text(xml, size, tags[t]));
        size_t pos = 0, n;
        const char *inner;
        for (int guard = 0;
             guard < 10000 && cfn__xml_next(xml, size, tags[t], &pos, &inner, &n) == 0; guard++) {
            if (inner < xml || inner + n > xml + size || pos > size)
                abort();
            free(cfn__xml_text(inner, n, "Key"));
        }
    }
    return 0;
}
