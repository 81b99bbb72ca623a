/*
 * cmd_mark: a parsed scan as JSON, the one shape every command prints
 * (`sklad mark parse --json`, `sklad scanners watch --json`).
 */
#ifndef SKLAD_CMD_MARK_H
#define SKLAD_CMD_MARK_H

#include <jansson.h>
#include <stdbool.h>

#include "scanners/mark.h"

/*
 * The JSON object for m, parsed from scan (whose bytes its elements point
 * into): valid, kind, layout, gtin, serial, cis, sscc, crypto, command,
 * elements, and for a refusal error, error_code and position. valid is
 * what mark_parse returned. The caller owns the result (json_decref).
 */
json_t *cmd_mark_json(const char *scan, const struct mark *m, bool valid);

#endif
