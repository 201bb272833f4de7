/* The resource modules built into the cfnkit tool: resources/CMakeLists.txt
 * lists them once (CFNKIT_MODULES) and generates the table; nothing is
 * discovered at run time. */
#ifndef CFNKIT_TOOL_BUILTIN_H
#define CFNKIT_TOOL_BUILTIN_H

#include "resources.h"

#endif
