/* Fuzzes the native types' property shaping (resources/awsjson.c) with any
 * JSON a template may hold: camelCase copies keep every member and the
 * user's maps as written, and coercion either types the named members as
 * asked or names the member it refused. */
#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "awsjson.h"

static const char *const renames[] = {"EFSVolumeConfiguration=efsVolumeConfiguration", NULL};
static const char *const verbatim[] = {"DockerLabels", "Options", NULL};
static const char *const ints[] = {"hostPort", "containerPort", "memory", NULL};
static const char *const bools[] = {"essential", NULL};
static const char *const strings[] = {"value", NULL};

/* Every member named in `list` anywhere in `v` has JSON type `type`. */
static int typed(const cJSON *v, const char *const *list, int type)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, v)
    {
        for (const char *const *n = list; cJSON_IsObject(v) && *n; n++)
            if (strcmp(*n, m->string) == 0 && !(m->type & type))
                return 0;
        if (!typed(m, list, type))
            return 0;
    }
    return 1;
}

/* Whether two members of an object in v have the same API name ("Name" and
 * "name" both become "name"): properties never do (the template reader
 * refuses a key given twice, and property names are PascalCase), so such
 * input is not one. */
static const char *renamed(const char *name)
{
    return strcmp(name, "EFSVolumeConfiguration") == 0 ? "efsVolumeConfiguration" : name;
}

static int same_api_name(const char *a, const char *b)
{
    a = renamed(a);
    b = renamed(b);
    return tolower((unsigned char)a[0]) == tolower((unsigned char)b[0]) &&
           (!a[0] || strcmp(a + 1, b + 1) == 0);
}

/* Whether any object in v holds two members of the same API name, or v holds
 * a number too large for a double (cJSON reads it as infinity, which
 * cJSON_Compare never finds equal to itself; the template reader keeps such a
 * number's text instead). */
static int duplicate_keys(const cJSON *v)
{
    const cJSON *m, *n;
    if (cJSON_IsNumber(v) && !isfinite(v->valuedouble))
        return 1;
    cJSON_ArrayForEach(m, v)
    {
        if (cJSON_IsObject(v))
            for (n = m->next; n; n = n->next)
                if (same_api_name(m->string, n->string))
                    return 1;
        if (duplicate_keys(m))
            return 1;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cJSON *in = cJSON_ParseWithLength((const char *)data, size);
    if (!in)
        return 0;
    if (duplicate_keys(in)) {
        cJSON_Delete(in);
        return 0;
    }
    cJSON *out = cfnkit_json_camel(in, renames, verbatim);
    if (!out || cJSON_GetArraySize(out) != cJSON_GetArraySize(in))
        abort();
    const cJSON *labels = cJSON_GetObjectItemCaseSensitive(in, "DockerLabels");
    if (labels && !cJSON_Compare(labels, cJSON_GetObjectItemCaseSensitive(out, "dockerLabels"), 1))
        abort();
    const char *bad = NULL;
    if (cfnkit_json_coerce(out, ints, bools, strings, &bad) == 0) {
        if (!typed(out, ints, cJSON_Number) || !typed(out, bools, cJSON_True | cJSON_False) ||
            !typed(out, strings, cJSON_String | cJSON_NULL | cJSON_Object | cJSON_Array))
            abort();
    } else if (!bad) {
        abort();
    }
    cJSON_Delete(out);
    cJSON_Delete(in);
    return 0;
}
