/* XML for AWS answers: the text of an element and iteration over repeated
 * elements (for S3's own calls and error answers), and a small tree for
 * reading whole answers against an API model. */
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

/* An element: its local name (namespace prefix dropped), attributes, the
 * decoded text directly inside it ("" when none), children in order. */
typedef struct xml_attr {
    char *name; /* as written, prefix included: "xsi:type" */
    char *value;
} xml_attr;

typedef struct xml_node {
    char *name;
    char *text;
    xml_attr *attrs;
    size_t nattrs;
    struct xml_node *child, *last, *next;
} xml_node;

/* Parses a document (declaration, comments, CDATA, entities and character
 * references; no DTD) into *root. Returns 0, or CFN_EINVAL naming what is
 * wrong and where; nesting deeper than 200 elements is refused. */
int cfn__xml_parse(const char *xml, size_t len, xml_node **root);
void cfn__xml_free(xml_node *node);

#endif
