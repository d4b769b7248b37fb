/*
 * main.c - the resflow command line.
 *
 *   resflow gen NET.yaml -o OUT/ [--resolution WxH] [--target-cycles N] [--fifo-depth NAME=N]... [--registered-ready]
 *               [--board NAME [--clock-mhz F] [--baud N] [--multipliers auto|dsp|lut]]
 *       parse, check, infer shapes, schedule, size FIFOs and write OUT/
 *       (see emit.h for the files); with --board, the fit check and the
 *       board files (board.h).
 *   resflow size NET.yaml [--resolution WxH]... [--sweep] [--json] [--plot FILE.svg]
 *       FIFO depths, bytes and memory per resolution, without RTL (size.h).
 *   resflow import MODEL.tflite -o DIR/ [--name NAME] [--mean tflm|tflite]
 *       a TensorFlow Lite int8 model to DIR/<name>.yaml and .npy files (import.h).
 *
 * Exit status: 0 on success, 1 on any error (bad input is reported as
 * FILE:LINE:COL: error: message).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <string.h>

#include "board.h"
#include "check.h"
#include "cyclesim.h"
#include "diag.h"
#include "emit.h"
#include "import.h"
#include "parse.h"
#include "sched.h"
#include "size.h"

#ifndef RESFLOW_TEMPLATE_DIR
#define RESFLOW_TEMPLATE_DIR "templates"
#endif
#ifndef RESFLOW_BOARD_DIR
#define RESFLOW_BOARD_DIR "boards"
#endif

static void usage(FILE *f)
{
    fprintf(f, "usage: resflow gen NET.yaml -o OUT_DIR [--resolution WxH] [--target-cycles N] [--fifo-depth NAME=N]...\n"
               "                   [--registered-ready] [--board NAME [--clock-mhz F] [--baud N] [--multipliers auto|dsp|lut]]\n"
               "       resflow size NET.yaml [--resolution WxH]... [--sweep] [--json] [--plot FILE.svg]\n"
               "       resflow import MODEL.tflite -o DIR [--name NAME] [--mean tflm|tflite]\n"
               "\n"
               "  gen            generate the streaming pipeline of NET.yaml into OUT_DIR:\n"
               "                 rtl/ (Verilog), mem/ (ROMs), net.c, shim.cpp, report.json\n"
               "  -o OUT_DIR     output directory (replaced atomically)\n"
               "  --resolution WxH\n"
               "                 replace the input's width and height (fully convolutional networks)\n"
               "  --target-cycles N\n"
               "                 fold the MACs to N cycles per frame (replaces the file's target;\n"
               "                 a huge N folds every layer fully: PE = SIMD = 1)\n"
               "  --fifo-depth NAME=N\n"
               "                 override the computed depth of FIFO NAME (elements); repeatable\n"
               "  --cycle-trace FILE\n"
               "                 write the cycle model's run of 3 frames, one line per cycle: cycle,\n"
               "                 input and output beats so far, each FIFO's fill (as stream --trace\n"
               "                 with --random-frames 3 and no stalls)\n"
               "  --registered-ready\n"
               "                 every compute stage with READY_REG = 1: m_axis_tready reaches no\n"
               "                 pipeline enable (the ready chain is cut at each stage, for Fmax),\n"
               "                 one more cycle per output beat; implied by --board\n"
               "  --board NAME   check that the design fits boards/NAME.yaml and add the board top,\n"
               "                 .pcf and fit report (OUT_DIR/board/; docs/boards.md), with\n"
               "                 --clock-mhz F (default: the board's target), --baud N (1000000),\n"
               "                 --multipliers auto|dsp|lut (which multipliers use DSP blocks)\n"
               "  size           print every FIFO's depth, width, bytes and memory (registers,\n"
               "                 iCE40 EBR, UP5K SPRAM, off-chip) per resolution, without RTL\n"
               "  --sweep        32x32, 64x64, 224x224, 640x480, 1280x720, 1920x1080, 3840x2160\n"
               "  --json         machine-readable output\n"
               "  --plot FILE    draw FIFO bytes against resolution (SVG)\n"
               "  import         turn a TensorFlow Lite int8 model into DIR/NAME.yaml and .npy weights\n"
               "                 (DIR replaced atomically; NAME from the model's file name by default)\n"
               "\n"
               "Templates are read from $RESFLOW_TEMPLATES (default: %s),\n"
               "boards from $RESFLOW_BOARDS (default: %s).\n",
            RESFLOW_TEMPLATE_DIR, RESFLOW_BOARD_DIR);
}

/* An argument that is no known option: the network file (once), or an error. */
static int take_arg(const char *arg, const char **in)
{
    if (arg[0] == '-' && arg[1]) {
        fprintf(stderr, "resflow: error: unknown option '%s'\n", arg);
        usage(stderr);
        return -1;
    }
    if (*in) {
        fprintf(stderr, "resflow: error: more than one network file ('%s', '%s')\n", *in, arg);
        return -1;
    }
    *in = arg;
    return 0;
}

static int cmd_size(int argc, char **argv)
{
    const char *in = NULL, *plot = NULL;
    size_res *res = calloc((size_t)argc + SIZE_N_SWEEP + 1, sizeof *res);
    int n = 0, json = 0, i, rc = 1;
    if (!res) {
        fprintf(stderr, "resflow: error: out of memory\n");
        return 1;
    }
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--resolution") && i + 1 < argc) {
            if (size_parse_res(argv[++i], &res[n])) {
                fprintf(stderr, "resflow: error: --resolution takes WxH (1..8192 each), got '%s'\n", argv[i]);
                goto out;
            }
            n++;
        } else if (!strcmp(argv[i], "--sweep")) {
            memcpy(res + n, size_sweep, sizeof size_sweep);
            n += SIZE_N_SWEEP;
        } else if (!strcmp(argv[i], "--json")) {
            json = 1;
        } else if (!strcmp(argv[i], "--plot") && i + 1 < argc) {
            plot = argv[++i];
        } else if (!strcmp(argv[i], "--resolution") || !strcmp(argv[i], "--plot")) {
            fprintf(stderr, "resflow: error: %s needs a value\n", argv[i]);
            goto out;
        } else if (take_arg(argv[i], &in)) {
            goto out;
        }
    }
    if (!in) {
        fprintf(stderr, "resflow: error: size needs NET.yaml\n");
        usage(stderr);
        goto out;
    }
    if (size_run(in, res, n, json, plot)) {
        if (!diag_flush())
            fprintf(stderr, "resflow: error: sizing failed\n");
        goto out;
    }
    diag_flush();
    rc = 0;
out:
    free(res);
    return rc;
}

/* --cycle-trace: the cycle model's 3 frames (cyclesim.h) into path. */
static int write_cycle_trace(const ir_net *net, const char *path)
{
    cyclesim_result r;
    FILE *f = fopen(path, "w");
    int rc;
    if (!f) {
        diag_plain("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    rc = cyclesim_run(net, NULL, 3, 4 * (long long)net->recurrence_cycles_per_frame + 100000, &r, f);
    free(r.frame_done);
    if (fclose(f) || rc) {
        diag_plain("cannot write '%s'", path);
        return -1;
    }
    return 0;
}

static int load_one(const char *in, const ir_load_opts *lo, const board *b, ir_net *net)
{
    return b ? board_load_net(in, lo, b, net) : ir_load_ex(in, lo, net);
}

/*
 * Loads, folds and schedules NET.yaml (b: with the board's multiplier
 * budget). The chooser (check.c) folds every stage to the target by its own
 * cost, but stages can still stall each other: with registered ready a
 * stage's output register waits for a consumer that is itself stalled
 * (tiny_skip at 8x8, target 210: every stage at II 2 takes 192 on its own,
 * the pipeline 213). So the target is held against the cycle model's
 * cycles per frame, and while the pipeline misses it the chooser folds to a
 * tighter internal target t: the last one scaled by target / modelled, and
 * below the costliest stage that still fits the last one (C), so that this
 * stage folds faster or shows that it cannot (then it is left out of C).
 * When no stage is left that could fold faster, the target is refused,
 * naming the slowest stage. With --fifo-depth the depths are the user's: a
 * miss is a warning. user_target: the target is the user's (the file's or
 * --target-cycles), not board_auto_fold's. Returns 0, or -1 with the
 * errors reported.
 */
static int load_and_schedule(const char *in, ir_load_opts *lo, const board *b, int user_target, sched_override *ov,
                             int n_ov, ir_net *net)
{
    long target, cur, next, c;
    int i;
    lo->fold_target = 0;
    for (;;) {
        if (load_one(in, lo, b, net) || sched_run(net, ov, n_ov))
            return -1;
        target = net->target_cpf;
        if (target <= 0 || !user_target || !net->cycle_modeled || net->model_deadlock ||
            net->predicted_cycles_per_frame <= (double)target)
            return 0;
        if (n_ov > 0) {
            fprintf(stderr, "resflow: warning: with the FIFO depths given the pipeline runs at %.15g cycles per "
                            "frame (cycle model), over the target of %ld\n", net->predicted_cycles_per_frame, target);
            return 0;
        }
        cur = lo->fold_target > 0 ? lo->fold_target : target;
        next = (long)((double)cur * (double)target / net->predicted_cycles_per_frame);
        for (c = 0, i = 1; i < net->n_layers; i++)
            if (net->layers[i].cycles_per_frame <= cur && net->layers[i].cycles_per_frame > c)
                c = net->layers[i].cycles_per_frame;
        if (c > 0 && next > c - 1)
            next = c - 1;
        if (next >= cur)
            next = cur - 1;
        if (c == 0 || next < 1) {
            const ir_layer *s = &net->layers[net->bottleneck];
            diag_node(net->target_node,
                      "a target of %ld cycles per frame is out of reach: folded as fast as the file allows, the "
                      "pipeline runs at %.15g cycles per frame (cycle model); its slowest stage, '%s', takes %ld "
                      "on its own%s",
                      target, net->predicted_cycles_per_frame, s->name, s->cycles_per_frame,
                      net->registered_ready ? ", and with registered ready the stages stall each other" : "");
            return -1;
        }
        lo->fold_target = next;
        ir_net_free(net);
    }
}

static int cmd_gen(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *tdir, *bdir = getenv("RESFLOW_BOARDS"), *ctrace = NULL;
    sched_override *ov = calloc((size_t)argc, sizeof *ov);
    int n_ov = 0, i, k, rc = 1, n_extra = 0;
    board_opts bo = {0};
    board b = {0};
    emit_extra *extra = NULL;
    long target = 0;
    int auto_target = 0, rready = 0;
    size_res res = {0, 0};
    ir_load_opts lo = {0};
    ir_net net;

    if (!ov) {
        fprintf(stderr, "resflow: error: out of memory\n");
        return 1;
    }
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--resolution") && i + 1 < argc) {
            if (size_parse_res(argv[++i], &res)) {
                fprintf(stderr, "resflow: error: --resolution takes WxH (1..8192 each), got '%s'\n", argv[i]);
                goto out;
            }
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
        } else if (!strcmp(argv[i], "--registered-ready")) {
            rready = 1;
        } else if (!strcmp(argv[i], "--cycle-trace") && i + 1 < argc) {
            ctrace = argv[++i];
        } else if (!strcmp(argv[i], "--target-cycles") && i + 1 < argc) {
            char *end;
            errno = 0;
            target = strtol(argv[++i], &end, 10);
            if (!*argv[i] || *end || errno || target < 1) {
                fprintf(stderr, "resflow: error: --target-cycles takes a positive integer (cycles per frame), got '%s'\n",
                        argv[i]);
                goto out;
            }
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--fifo-depth") || !strcmp(argv[i], "--resolution") ||
                   !strcmp(argv[i], "--target-cycles") || !strcmp(argv[i], "--cycle-trace")) {
            fprintf(stderr, "resflow: error: %s needs a value\n", argv[i]);
            goto out;
        } else if ((k = board_take_option(argc, argv, &i, &bo)) != 0) {
            if (k < 0)
                goto out;
        } else if (take_arg(argv[i], &in)) {
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

    if (!bdir || !*bdir)
        bdir = RESFLOW_BOARD_DIR;

    memset(&net, 0, sizeof net);
    /* with --board: folded to the board's budget, then the fit check and the board files */
    /* with a board and no target: folded to fit it (board_auto_fold); that
     * target is not the user's, so it is not checked against the budget */
    if (bo.name && target <= 0) {
        if (board_load(bo.name, bdir, &b) || board_auto_fold(in, res.w, res.h, &b, &bo, &target)) {
            if (!diag_flush())
                fprintf(stderr, "resflow: error: generation failed\n");
            goto done;
        }
        board_free(&b);
        auto_target = target > 0;
    }
    /* a board build has registered ready (its Fmax); decided here, once */
    lo.width = res.w;
    lo.height = res.h;
    lo.target_cpf = target;
    lo.registered_ready = rready || bo.name;
    if ((bo.name && board_load(bo.name, bdir, &b)) ||
        load_and_schedule(in, &lo, bo.name && !auto_target ? &b : NULL, !auto_target, ov, n_ov, &net) ||
        (bo.name && board_files(&net, &b, &bo, tdir, &extra, &n_extra)) ||
        emit_all_ex(&net, out, tdir, extra, n_extra)) {
        if (!diag_flush())
            fprintf(stderr, "resflow: error: generation failed\n");
        goto done;
    }
    /* board_auto_fold's target is a folding, not a promise: say what it runs at */
    if (auto_target && target >= 2000000000L)
        fprintf(stderr, "resflow: note: no target: folded as far as the file allows (PE = SIMD = 1 where it "
                        "sets none), the smallest; nothing faster fits %s with 15 %% of its logic cells to "
                        "spare\n", bo.name);
    else if (auto_target)
        fprintf(stderr, "resflow: note: no target: folded to the fastest that fits %s with 15 %% of its logic "
                        "cells to spare: %.15g cycles per frame (%s)\n", bo.name, net.predicted_cycles_per_frame,
                net.cycle_modeled && !net.model_deadlock ? "cycle model" : "recurrence, a lower bound");
    if (net.model_deadlock)
        fprintf(stderr, "resflow: warning: the pipeline deadlocks in the cycle model with these FIFO depths\n");
    if (ctrace && write_cycle_trace(&net, ctrace)) {
        diag_flush();
        goto done;
    }
    diag_flush();
    rc = 0;
done:
    ir_net_free(&net);
    board_files_free(extra, n_extra);
    board_free(&b);
out:
    free(ov);
    return rc;
}

static int cmd_import(int argc, char **argv)
{
    const char *in = NULL, *out = NULL, *name = NULL;
    enum import_mean mean = IMPORT_MEAN_TFLM;
    int i;
    for (i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) {
            out = argv[++i];
        } else if (!strcmp(argv[i], "--name") && i + 1 < argc) {
            name = argv[++i];
        } else if (!strcmp(argv[i], "--mean") && i + 1 < argc) {
            i++;
            if (!strcmp(argv[i], "tflm")) {
                mean = IMPORT_MEAN_TFLM;
            } else if (!strcmp(argv[i], "tflite")) {
                mean = IMPORT_MEAN_TFLITE;
            } else {
                fprintf(stderr, "resflow: error: --mean takes tflm or tflite, got '%s'\n", argv[i]);
                return 1;
            }
        } else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--name") || !strcmp(argv[i], "--mean")) {
            fprintf(stderr, "resflow: error: %s needs a value\n", argv[i]);
            return 1;
        } else if (take_arg(argv[i], &in)) {
            return 1;
        }
    }
    if (!in || !out) {
        fprintf(stderr, "resflow: error: import needs MODEL.tflite and -o DIR\n");
        usage(stderr);
        return 1;
    }
    return import_tflite(in, out, name, mean) ? 1 : 0;
}

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* the latency analysis allocates, frees and reallocates per-pixel arrays
     * of up to ~130 MB (2 frames at 3840x2160): keep them on the heap for
     * reuse instead of mapping fresh zero pages for every one */
    mallopt(M_MMAP_THRESHOLD, 1 << 30);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
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
    if (!strcmp(argv[1], "size"))
        return cmd_size(argc - 2, argv + 2);
    if (!strcmp(argv[1], "import"))
        return cmd_import(argc - 2, argv + 2);
    fprintf(stderr, "resflow: error: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 1;
}
