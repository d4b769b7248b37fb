/*
 * parse.h - the network description (YAML, schema version 1) -> ir_net.
 *
 * The schema is documented in docs/yaml.md. parse_file reads the file with
 * libfyaml, checks every field's presence and type, and fills net->layers in
 * file order (layer 0 is the network input). Names are resolved, shapes
 * inferred and weights loaded later by ir_check (check.h).
 */
#ifndef RF_PARSE_H
#define RF_PARSE_H

#include "ir.h"

/* Parses `path` into `net` (zeroed by the caller). Errors (YAML syntax,
 * missing/mistyped/unknown fields, bad values) are reported through diag.h
 * as FILE:LINE:COL: error: ...; returns 0 when none, -1 otherwise. On error
 * the net may be partly filled; free it with ir_net_free. */
int parse_file(const char *path, ir_net *net);

#endif
