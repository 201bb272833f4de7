/* XML answers read into the AWS CLI's JSON, guided by an API model's shape. */
#ifndef CFNKIT_AWS_XML_JSON_H
#define CFNKIT_AWS_XML_JSON_H

#include "model.h"
#include "xml.h"

/* `node` read as `shape` (a structure: the node's children are its
 * members). *out is the caller's; an object when the shape is NULL. */
int cfn__aws_xml_read(const aws_model *m, const cJSON *shape, const xml_node *node, cJSON **out);

/* A scalar of `shape` from its text (as in an XML element or a header). */
int cfn__aws_xml_scalar(const cJSON *shape, const char *text, cJSON **out);

#endif
