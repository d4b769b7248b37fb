/*
 * emit.h - writes the generated design into an output directory.
 *
 * OUT/ receives:
 *   rtl/resflow_<name>.v   the top module (AXI4-Stream slave in, master out)
 *   rtl/rf_*.v             the templates it instantiates, copied
 *   mem/<layer>_{w,b,m,s}.mem  weight, bias, multiplier, shift ROMs ($readmemh)
 *   net.c                  network tables for the golden model (host/rf_net.h)
 *   shim.cpp               rf_dut.h over the Verilated top (prefix Vrf_top)
 *   report.json            FIFOs, stages, predictions (docs/report.md)
 * Everything is rendered in memory, written to a fresh sibling directory and
 * renamed over OUT/ at the end, so on any error OUT/ is left as it was.
 * Output depends only on the input: files are byte-identical from run to run.
 */
#ifndef RF_EMIT_H
#define RF_EMIT_H

#include "ir.h"

/* template_dir: where templates/rf_*.v are read from. Returns 0, or -1 after
 * reporting the error (diag.h); OUT/ is then untouched. */
int emit_all(const ir_net *net, const char *out_dir, const char *template_dir);

/* A further file for OUT/: path relative to OUT/ (directories are created),
 * and its text. */
typedef struct emit_extra {
    char *path;
    char *text;
} emit_extra;

/* emit_all, plus n_extra files written in the same atomic step (the board
 * files of `resflow gen --board`, board.h). */
int emit_all_ex(const ir_net *net, const char *out_dir, const char *template_dir, const emit_extra *extra,
                int n_extra);

/* The report.json text (also used by `resflow gen --report-only`). Caller frees. */
char *emit_report_json(const ir_net *net);

#endif
