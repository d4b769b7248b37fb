/*
 * main.c - the resflow command line.
 *
 *   resflow gen NET.yaml -o OUT/ [--fifo-depth NAME=N]...
 *       parse, check, infer shapes, schedule, size FIFOs and write OUT/
 *       (see emit.h for the files).
 *
 * Exit status: 0 on success, 1 on any error (bad input is reported as
 * FILE:LINE:COL: error: message).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "emit.h"
#include "parse.h"
#include "sched.h"

#ifndef RESFLOW_TEMPLATE_DIR
#define RESFLOW_TEMPLATE_DIR "templates"
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: resflow gen NET.yaml -o OUT_DIR [--fifo-depth NAME=N]...\n"
               "\n"
               "  gen            generate the streaming pipeline of NET.yaml into OUT_DIR:\n"
               "                 rtl/ (Verilog), mem/ (ROMs), net.c, shim.cpp, report.json\n"
               "  -o OUT_DIR     output directory (replaced atomically)\n"
               "  --fifo-depth NAME=N\n"
               "                 override the computed depth of FIFO NAME (elements); repeatable\n"
               "\n"
               "Templates are read from $RESFLOW_TEMPLATES (default: %s).\n",
            RESFLOW_TEMPLATE_DIR);
}

static int cmd_gen(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *tdir;
    sched_override *ov = calloc((size_t)argc, sizeof *ov);
    int n_ov = 0, i, rc = 1;
    ir_net net;

    if (!ov) {
        fprintf(stderr, "resflow: error: out of memory\n");
        return 1;
    }
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--fifo-depth") && i + 1 < argc) {
            char *eq = strchr(argv[++i], '='), *end;
            long d;
            if (!eq || eq == argv[i]) {
                fprintf(stderr, "resflow: error: --fifo-depth takes NAME=N, got '%s'\n", argv[i]);
                goto out;
            }
            errno = 0;
            d = strtol(eq + 1, &end, 10);
            if (!eq[1] || eq[1] == ' ' || *end || errno || d < 2 || d > (1L << 24)) {
                fprintf(stderr, "resflow: error: --fifo-depth %s: depth must be an integer in 2..16777216\n", argv[i]);
                goto out;
            }
            *eq = '\0';
            ov[n_ov].name = argv[i];
            ov[n_ov].depth = (int)d;
            n_ov++;
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--fifo-depth")) {
            fprintf(stderr, "resflow: error: %s needs a value\n", argv[i]);
            goto out;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "resflow: error: unknown option '%s'\n", argv[i]);
            usage(stderr);
            goto out;
        } else if (!in) {
            in = argv[i];
        } else {
            fprintf(stderr, "resflow: error: more than one network file ('%s', '%s')\n", in, argv[i]);
            goto out;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "resflow: error: gen needs NET.yaml and -o OUT_DIR\n");
        usage(stderr);
        goto out;
    }
    tdir = getenv("RESFLOW_TEMPLATES");
    if (!tdir || !*tdir)
        tdir = RESFLOW_TEMPLATE_DIR;

    memset(&net, 0, sizeof net);
    if (parse_file(in, &net) || ir_check(&net) || sched_run(&net, ov, n_ov) || emit_all(&net, out, tdir)) {
        if (!diag_flush())
            fprintf(stderr, "resflow: error: generation failed\n");
        ir_net_free(&net);
        goto out;
    }
    diag_flush();
    ir_net_free(&net);
    rc = 0;
out:
    free(ov);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 1;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("resflow 0.1.0\n");
        return 0;
    }
    if (!strcmp(argv[1], "gen"))
        return cmd_gen(argc - 2, argv + 2);
    fprintf(stderr, "resflow: error: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}
