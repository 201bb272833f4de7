/* `cfnkit package`: uploads a folder (zipped deterministically) or a zip as
 * a code object whose key carries its content hash, like `aws cloudformation
 * package`; a template then takes the key as a parameter. */
#include "package_cmd.h"

#include <cfnkit/cfnkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codeobj.h"

static const char usage_text[] =
    "Usage: cfnkit package PATH --s3-bucket BUCKET [--s3-prefix PREFIX] [--name NAME]\n"
    "                      [--output text|json]\n"
    "\n"
    "Uploads PATH, a folder or a zip file, to BUCKET as PREFIX/NAME-<hash>.zip,\n"
    "where <hash> is the first 16 hex digits of the zip's SHA-256 and NAME is PATH's\n"
    "base name (without .zip) unless given: the same content always gives the same\n"
    "key, new content a new key, so shipping new code is a deploy with the new key\n"
    "(a template's CodeKey parameter). Nothing is uploaded when that key is there.\n"
    "A folder is zipped with every file under it (.env and other hidden files\n"
    "included; links followed), entries sorted by path, dated 1980-01-01 and with\n"
    "their Unix modes, so that the zip depends only on the files' names, contents\n"
    "and modes. A zip is checked whole (every entry's CRC) and uploaded as it is.\n"
    "Prints the bucket and the key (with --output json: {\"Bucket\", \"Key\",\n"
    "\"Sha256\", \"Size\", \"Entries\", \"Uploaded\"}). AWS settings as everywhere\n"
    "(AWS_REGION, AWS_ENDPOINT_URL, credentials).\n"
    "Exit 0 when the object is there, 1 on an error, 2 on a usage error.\n";

static int usage_error(const char *what, const char *arg)
{
    fprintf(stderr, "cfnkit package: %s%s\n\n%s", what, arg, usage_text);
    return 2;
}

static int print_json(const char *bucket, const stk_codeobj *o)
{
    cJSON *j = cJSON_CreateObject();
    char *text = NULL;
    if (j && cJSON_AddStringToObject(j, "Bucket", bucket) &&
        cJSON_AddStringToObject(j, "Key", o->key) &&
        cJSON_AddStringToObject(j, "Sha256", o->sha256) &&
        cJSON_AddNumberToObject(j, "Size", (double)o->size) &&
        cJSON_AddNumberToObject(j, "Entries", (double)o->entries) &&
        cJSON_AddBoolToObject(j, "Uploaded", o->uploaded))
        text = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!text) {
        fprintf(stderr, "cfnkit package: out of memory\n");
        return 1;
    }
    puts(text);
    free(text);
    return 0;
}

int package_cmd(int argc, char **argv)
{
    const char *path = NULL, *bucket = NULL, *prefix = NULL, *name = NULL;
    int json = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return 0;
        } else if (strcmp(a, "--s3-bucket") == 0 && i + 1 < argc) {
            bucket = argv[++i];
        } else if (strcmp(a, "--s3-prefix") == 0 && i + 1 < argc) {
            prefix = argv[++i];
        } else if (strcmp(a, "--name") == 0 && i + 1 < argc) {
            name = argv[++i];
        } else if (strcmp(a, "--output") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "json") != 0 && strcmp(f, "text") != 0)
                return usage_error("--output is text or json, not ", f);
            json = strcmp(f, "json") == 0;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option or missing value: ", a);
        } else if (path) {
            return usage_error("one PATH only; a second: ", a);
        } else {
            path = a;
        }
    }
    if (!path)
        return usage_error("no PATH (a folder or a zip file)", "");
    if (!bucket)
        return usage_error("--s3-bucket is required", "");

    cfn_aws *aws = NULL;
    stk_codeobj o;
    if (cfn_aws_new(&aws, NULL) < 0 ||
        stk_codeobj_package(aws, path, bucket, prefix, name, &o) < 0) {
        fprintf(stderr, "cfnkit package: %s\n", cfn_error_last());
        cfn_aws_free(aws);
        return 1;
    }
    cfn_aws_free(aws);
    if (json)
        return print_json(bucket, &o);
    printf("Bucket\t%s\nKey\t%s\n", bucket, o.key);
    fprintf(stderr, "%s s3://%s/%s (%ld entries, %lld bytes, sha256 %s)\n",
            o.uploaded ? "uploaded" : "already there:", bucket, o.key, o.entries, o.size, o.sha256);
    return 0;
}
