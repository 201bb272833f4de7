/* Just enough XML for AWS answers (S3, IAM, STS): the text of an element,
 * and iteration over repeated elements. Not a general parser. */
#ifndef CFNKIT_XML_H
#define CFNKIT_XML_H

#include <stddef.h>

/* The decoded text of the first <tag> element within [xml, xml+len), or NULL
 * when absent. Caller frees. */
char *cfn__xml_text(const char *xml, size_t len, const char *tag);

/* Finds the next <tag>...</tag> at or after *pos (within xml+len); sets
 * *inner and *inner_len to its content and advances *pos past it. Returns 0,
 * or -1 when there is no further element. */
int cfn__xml_next(const char *xml, size_t len, const char *tag, size_t *pos, const char **inner,
                  size_t *inner_len);

#endif
