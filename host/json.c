/*
 * json.c - JSON string and number output for the host's --json report.
 */
#include "json.h"

#include <math.h>

void json_write_string(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;

        if (ch == '"' || ch == '\\')
            fprintf(f, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", f);
        else if (ch == '\t')
            fputs("\\t", f);
        else if (ch < 0x20)
            fprintf(f, "\\u%04x", ch);
        else
            fputc(ch, f);
    }
    fputc('"', f);
}

void json_write_double(FILE *f, const char *fmt, double v)
{
    if (!isfinite(v))
        fputs("null", f);
    else
        fprintf(f, fmt, v);
}
