/*
 * json.h - the two JSON value writers the host's report needs.
 */
#ifndef RF_JSON_H
#define RF_JSON_H

#include <stdio.h>

/* Writes s as a JSON string: quoted, with ", \ and control characters
 * escaped (RFC 8259 section 7). NULL is written as null. */
void json_write_string(FILE *f, const char *s);

/* Writes v with printf format fmt (e.g. "%.2f"), or null when v is NaN or
 * infinite, which JSON cannot represent (RFC 8259 section 6). */
void json_write_double(FILE *f, const char *fmt, double v);

#endif
