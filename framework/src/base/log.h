/* What the layers above need of the logger besides cfn_log: the format in
 * use, the level filter, and one line with extra JSON fields. */
#ifndef CFNKIT_BASE_LOG_H
#define CFNKIT_BASE_LOG_H

#include <stdbool.h>
#include <cjson/cJSON.h>
#include <cfnkit/log.h>

/* Whether lines are JSON (AWS_LAMBDA_LOG_FORMAT=JSON). */
bool cfn__log_json(void);

/* Whether a line at `level` passes AWS_LAMBDA_LOG_LEVEL. */
bool cfn__log_enabled(cfn_log_level level);

/* Writes one line; in JSON mode `fields` (may be NULL) carries extra members.
 * Takes ownership of `fields`. */
void cfn__log_emit(cfn_log_level level, const char *message, cJSON *fields);

#endif
