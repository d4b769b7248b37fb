/*
 * diag.h - error reporting as FILE:LINE:COL: error: message.
 *
 * YAML syntax errors come from libfyaml's collected diagnostics; semantic
 * errors are reported against a YAML node (libfyaml's fy_node_report), so
 * every message points at the place in the file that caused it. Errors are
 * collected and printed together, sorted by position, then the caller exits 1.
 */
#ifndef RF_DIAG_H
#define RF_DIAG_H

#include <libfyaml.h>

#if defined(__GNUC__)
#define RF_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define RF_PRINTF(a, b)
#endif

/* The diagnostic object every YAML document of this run is parsed with. */
struct fy_diag *diag_get(void);

/* Reports an error at node n (or at the start of file if n is NULL). */
void diag_node(struct fy_node *n, const char *fmt, ...) RF_PRINTF(2, 3);

/* Reports an error at FILE:LINE:COL (1-based), for places that have no node
 * (an empty file, say). */
void diag_at(const char *file, int line, int col, const char *fmt, ...) RF_PRINTF(4, 5);

/* Reports an error with no position: "resflow: error: ...". */
void diag_plain(const char *fmt, ...) RF_PRINTF(1, 2);

/* Prints collected errors (FILE:LINE:COL: error: msg, the source line and
 * a caret) to stderr in file order; returns how many there were. */
int diag_flush(void);

/* Number of errors reported so far. */
int diag_count(void);

/* diag_plain messages so far (a mark), and dropping those after a mark:
 * for a trial whose failure is not reported (board_auto_fold). */
int diag_plain_mark(void);
void diag_plain_rewind(int mark);

#endif
