/*
 * emit.c - Verilog top, ROM files, golden-model tables, Verilator shim and
 * report, written atomically (see emit.h).
 *
 * One job, the generator's back end: every file of OUT/ is rendered into
 * memory here and then the directory is replaced at once, so a failure
 * leaves nothing half-written; most of its length is the top module's
 * per-op instance parameters (one block per template).
 *
 * Section order of the top module is fixed (header, ports, wires, instances
 * in topological order, assigns), so the output is identical from run to run.
 * Generated identifiers are the YAML layer names (already [A-Za-z_][A-Za-z0-9_]*)
 * behind a prefix (l_, e_, w_, f_, q_, u_), so they never meet a Verilog keyword.
 */
#define _XOPEN_SOURCE 700
#include "emit.h"

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diag.h"
#include "sched.h"

#define RESFLOW_VERSION "0.1.0"

/* ---- growable text buffer and the emitter ---- */

typedef struct sbuf {
    char *s;
    size_t len, cap;
} sbuf;

static void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        abort();
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (b->len + (size_t)n + 1 > cap)
            cap *= 2;
        b->s = realloc(b->s, cap);
        if (!b->s)
            abort();
        b->cap = cap;
    }
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static void sb_printf(sbuf *b, const char *fmt, ...) RF_PRINTF(2, 3);
static void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

typedef struct emitter {
    sbuf out;
    int indent;
} emitter;

/* One line at the current indent level. */
static void emit(emitter *e, const char *fmt, ...) RF_PRINTF(2, 3);
static void emit(emitter *e, const char *fmt, ...)
{
    va_list ap;
    int i;
    for (i = 0; i < e->indent; i++)
        sb_printf(&e->out, "    ");
    va_start(ap, fmt);
    sb_vprintf(&e->out, fmt, ap);
    va_end(ap);
    sb_printf(&e->out, "\n");
}

static void emit_nl(emitter *e)
{
    sb_printf(&e->out, "\n");
}

/* After a parameter list's last line: the registered-ready parameter of a
 * compute stage (READY_REG, templates' headers), appended to that list. */
static void emit_ready_reg(emitter *e, const ir_net *net)
{
    if (!net->registered_ready)
        return;
    e->out.len--;   /* the last parameter's newline */
    sb_printf(&e->out, ",\n");
    emit(e, "    .READY_REG(1)");
}

/* ---- the files to write ---- */

typedef struct out_file {
    char path[256];   /* relative to OUT/ */
    sbuf text;
} out_file;

typedef struct out_set {
    out_file *f;
    int n;
} out_set;

static sbuf *out_new(out_set *o, const char *fmt, ...) RF_PRINTF(2, 3);
static sbuf *out_new(out_set *o, const char *fmt, ...)
{
    va_list ap;
    out_file *f = realloc(o->f, (size_t)(o->n + 1) * sizeof *f);
    if (!f)
        abort();
    o->f = f;
    f = &o->f[o->n++];
    memset(f, 0, sizeof *f);
    va_start(ap, fmt);
    vsnprintf(f->path, sizeof f->path, fmt, ap);
    va_end(ap);
    return &f->text;
}

/* ---- Verilog top ---- */

static int stream_bits(const ir_layer *L)
{
    return L->c * 8;
}

static void emit_stream_wires(emitter *e, const char *p, int bits)
{
    emit(e, "wire [%d:0] %s_tdata;", bits - 1, p);
    emit(e, "wire %s_tvalid, %s_tready, %s_tlast, %s_tuser;", p, p, p, p);
}

/* Connect stream `dst` to `src` (forward signals) and tready back. */
static void emit_stream_assign(emitter *e, const char *dst, const char *src)
{
    emit(e, "assign %s_tdata = %s_tdata;", dst, src);
    emit(e, "assign %s_tvalid = %s_tvalid;", dst, src);
    emit(e, "assign %s_tlast = %s_tlast;", dst, src);
    emit(e, "assign %s_tuser = %s_tuser;", dst, src);
    emit(e, "assign %s_tready = %s_tready;", src, dst);
}

static void emit_stream_ports(emitter *e, const char *port, const char *wire, int last)
{
    emit(e, ".%s_tdata(%s_tdata),", port, wire);
    emit(e, ".%s_tvalid(%s_tvalid),", port, wire);
    emit(e, ".%s_tready(%s_tready),", port, wire);
    emit(e, ".%s_tlast(%s_tlast),", port, wire);
    emit(e, ".%s_tuser(%s_tuser)%s", port, wire, last ? "" : ",");
}

static const ir_fifo *edge_fifo(const ir_net *net, int consumer, int slot)
{
    int i;
    for (i = 0; i < net->n_fifos; i++)
        if (net->fifos[i].consumer == consumer && net->fifos[i].slot == slot)
            return &net->fifos[i];
    return NULL;
}

/* The stream a consumer input reads: after its FIFO if it has one. */
static void consumer_stream(const ir_net *net, int c, int k, char *buf, size_t len)
{
    snprintf(buf, len, "%s_%s_in%d_axis", edge_fifo(net, c, k) ? "q" : "e", net->layers[c].name, k);
}

/* The input path as it may appear inside a // or C comment: printable
 * ASCII only, and no comment terminator. */
static const char *comment_safe(const char *path)
{
    static char buf[512];
    size_t i, o = 0;
    for (i = 0; path[i] && o + 1 < sizeof buf; i++) {
        char c = path[i];
        if (c < 0x20 || c > 0x7e || (c == '*' && path[i + 1] == '/'))
            c = '?';
        buf[o++] = c;
    }
    buf[o] = '\0';
    return buf;
}

static void emit_top(const ir_net *net, sbuf *dst)
{
    emitter em = {{0}, 0}, *e = &em;
    const ir_layer *in = &net->layers[0], *out = &net->layers[net->output];
    int i, k, j;
    char a[256], b[256];

    emit(e, "// resflow_%s: streaming pipeline generated by resflow %s from %s.", net->name, RESFLOW_VERSION,
         comment_safe(net->file));
    emit(e, "// Do not edit: regenerate with `resflow gen`.");
    emit(e, "//");
    emit(e, "// s_axis: %dx%dx%d int8 input, one pixel per beat (tdata[8c+7:8c] = channel c),", in->h, in->w, in->c);
    emit(e, "//         tuser = first pixel of a frame, tlast = last pixel of a line.");
    emit(e, "// m_axis: %dx%dx%d int8 output of layer '%s', same beat format.", out->h, out->w, out->c, out->name);
    emit(e, "// Predicted: %.15g cycles per frame, first output %ld cycles after the first input.",
         net->predicted_cycles_per_frame, net->predicted_first_output_latency);
    if (net->registered_ready)
        emit(e, "// Registered ready: every compute stage has READY_REG = 1 (docs/templates.md).");
    emit_nl(e);
    emit(e, "`resetall");
    emit(e, "`timescale 1ns / 1ps");
    emit(e, "`default_nettype none");
    emit_nl(e);
    emit(e, "module resflow_%s #(", net->name);
    emit(e, "    // directory prefix of the mem/*.mem ROM files (with a trailing '/')");
    emit(e, "    parameter MEM_PATH = \"\"");
    emit(e, ") (");
    e->indent++;
    emit(e, "input  wire clk,");
    emit(e, "input  wire rst,");
    emit_nl(e);
    emit(e, "input  wire [%d:0] s_axis_tdata,", stream_bits(in) - 1);
    emit(e, "input  wire        s_axis_tvalid,");
    emit(e, "output wire        s_axis_tready,");
    emit(e, "input  wire        s_axis_tlast,");
    emit(e, "input  wire        s_axis_tuser,");
    emit_nl(e);
    emit(e, "output wire [%d:0] m_axis_tdata,", stream_bits(out) - 1);
    emit(e, "output wire        m_axis_tvalid,");
    emit(e, "input  wire        m_axis_tready,");
    emit(e, "output wire        m_axis_tlast,");
    emit(e, "output wire        m_axis_tuser%s", net->n_fifos ? "," : "");
    if (net->n_fifos)
        emit_nl(e);
    for (i = 0; i < net->n_fifos; i++) {
        emit(e, "// FIFO %s: fill and high-water mark, elements", net->fifos[i].name);
        emit(e, "output wire [31:0] stat_%s_count,", net->fifos[i].name);
        emit(e, "output wire [31:0] stat_%s_high_water%s", net->fifos[i].name, i + 1 < net->n_fifos ? "," : "");
    }
    e->indent--;
    emit(e, ");");
    emit_nl(e);

    /* wires */
    for (i = 0; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        snprintf(a, sizeof a, "l_%s_axis", L->name);
        emit(e, "// %s: %dx%dx%d", L->name, L->h, L->w, L->c);
        emit_stream_wires(e, a, stream_bits(L));
        if (ir_uses_window(L)) {
            snprintf(a, sizeof a, "w_%s_axis", L->name);
            emit_stream_wires(e, a, stage_window_fold(L) ? L->simd * 8 : L->kernel * L->kernel * L->in_c * 8);
        }
        for (k = 0; k < L->n_inputs; k++) {
            snprintf(a, sizeof a, "e_%s_in%d_axis", L->name, k);
            emit_stream_wires(e, a, stream_bits(&net->layers[L->in[k]]));
            if (edge_fifo(net, i, k)) {
                snprintf(a, sizeof a, "q_%s_in%d_axis", L->name, k);
                emit_stream_wires(e, a, stream_bits(&net->layers[L->in[k]]));
            }
        }
        if (L->n_consumers > 1) {
            int n = L->n_consumers, w = stream_bits(L);
            emit(e, "wire [%d:0] f_%s_axis_tdata;", n * w - 1, L->name);
            emit(e, "wire [%d:0] f_%s_axis_tvalid, f_%s_axis_tready, f_%s_axis_tlast, f_%s_axis_tuser;", n - 1,
                 L->name, L->name, L->name, L->name);
        }
    }
    emit(e, "wire [%d:0] e_out_axis_tdata;", stream_bits(out) - 1);
    emit(e, "wire e_out_axis_tvalid, e_out_axis_tready, e_out_axis_tlast, e_out_axis_tuser;");
    emit_nl(e);

    /* the input and output ports */
    emit(e, "assign l_input_axis_tdata = s_axis_tdata;");
    emit(e, "assign l_input_axis_tvalid = s_axis_tvalid;");
    emit(e, "assign l_input_axis_tlast = s_axis_tlast;");
    emit(e, "assign l_input_axis_tuser = s_axis_tuser;");
    emit(e, "assign s_axis_tready = l_input_axis_tready;");
    emit(e, "assign m_axis_tdata = e_out_axis_tdata;");
    emit(e, "assign m_axis_tvalid = e_out_axis_tvalid;");
    emit(e, "assign m_axis_tlast = e_out_axis_tlast;");
    emit(e, "assign m_axis_tuser = e_out_axis_tuser;");
    emit(e, "assign e_out_axis_tready = m_axis_tready;");
    emit_nl(e);

    /* producers to their consumers: direct, or through a fork */
    for (i = 0; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        int n = 0, w = stream_bits(L);
        snprintf(a, sizeof a, "l_%s_axis", L->name);
        if (L->n_consumers > 1) {
            emit(e, "// %s feeds %d consumers", L->name, L->n_consumers);
            emit(e, "rf_axis_fork #(");
            emit(e, "    .DATA_WIDTH(%d),", w);
            emit(e, "    .M_COUNT(%d)", L->n_consumers);
            emit(e, ") u_%s_fork (", L->name);
            e->indent++;
            emit(e, ".clk(clk),");
            emit(e, ".rst(rst),");
            emit_stream_ports(e, "s_axis", a, 0);
            snprintf(b, sizeof b, "f_%s_axis", L->name);
            emit_stream_ports(e, "m_axis", b, 1);
            e->indent--;
            emit(e, ");");
        }
        for (j = 1; j < net->n_layers; j++)
            for (k = 0; k < net->layers[j].n_inputs; k++)
                if (net->layers[j].in[k] == i) {
                    snprintf(b, sizeof b, "e_%s_in%d_axis", net->layers[j].name, k);
                    if (L->n_consumers == 1) {
                        emit_stream_assign(e, b, a);
                    } else {
                        emit(e, "assign %s_tdata = f_%s_axis_tdata[%d +: %d];", b, L->name, n * w, w);
                        emit(e, "assign %s_tvalid = f_%s_axis_tvalid[%d];", b, L->name, n);
                        emit(e, "assign %s_tlast = f_%s_axis_tlast[%d];", b, L->name, n);
                        emit(e, "assign %s_tuser = f_%s_axis_tuser[%d];", b, L->name, n);
                        emit(e, "assign f_%s_axis_tready[%d] = %s_tready;", L->name, n, b);
                    }
                    n++;
                }
        if (i == net->output) {
            if (L->n_consumers == 1) {
                emit_stream_assign(e, "e_out_axis", a);
            } else {
                emit(e, "assign e_out_axis_tdata = f_%s_axis_tdata[%d +: %d];", L->name, n * w, w);
                emit(e, "assign e_out_axis_tvalid = f_%s_axis_tvalid[%d];", L->name, n);
                emit(e, "assign e_out_axis_tlast = f_%s_axis_tlast[%d];", L->name, n);
                emit(e, "assign e_out_axis_tuser = f_%s_axis_tuser[%d];", L->name, n);
                emit(e, "assign f_%s_axis_tready[%d] = e_out_axis_tready;", L->name, n);
            }
        }
        emit_nl(e);
    }

    /* FIFOs */
    for (i = 0; i < net->n_fifos; i++) {
        const ir_fifo *f = &net->fifos[i];
        emit(e, "// FIFO %s: %d elements x %d bits (%s)", f->name, f->depth, f->width_bits,
             f->overridden ? "depth set by --fifo-depth"
             : f->simulated ? "the cycle model's minimum" : "depth from latency analysis (the bound)");
        emit(e, "rf_axis_fifo #(");
        emit(e, "    .DATA_WIDTH(%d),", f->width_bits);
        emit(e, "    .DEPTH(%d)", f->depth);
        emit(e, ") x_%s (", f->name);
        e->indent++;
        emit(e, ".clk(clk),");
        emit(e, ".rst(rst),");
        snprintf(a, sizeof a, "e_%s_in%d_axis", net->layers[f->consumer].name, f->slot);
        snprintf(b, sizeof b, "q_%s_in%d_axis", net->layers[f->consumer].name, f->slot);
        emit_stream_ports(e, "s_axis", a, 0);
        emit_stream_ports(e, "m_axis", b, 0);
        emit(e, ".count(stat_%s_count),", f->name);
        emit(e, ".high_water(stat_%s_high_water)", f->name);
        e->indent--;
        emit(e, ");");
        emit_nl(e);
    }

    /* stages */
    for (i = 1; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        char in0[256], in1[256], o[256];
        consumer_stream(net, i, 0, in0, sizeof in0);
        snprintf(o, sizeof o, "l_%s_axis", L->name);
        if (L->op != IR_ADD) {
            const ir_layer *src = &net->layers[L->in[0]];
            int ii = L->ii;
            if (ir_has_weights(L->op))
                emit(e, "// %s: %s %dx%d stride %d, %dx%dx%d -> %dx%dx%d, PE %d, SIMD %d, II %d cycles%s", L->name,
                     ir_op_name(L->op), L->kernel, L->kernel, L->stride, src->h, src->w, src->c, L->h, L->w, L->c,
                     L->pe, L->simd, ii, L->relu ? ", ReLU" : L->relu6 ? ", ReLU6" : "");
            else
                emit(e, "// %s: %s %dx%d stride %d, %dx%dx%d -> %dx%dx%d%s", L->name, ir_op_name(L->op), L->kernel,
                     L->kernel, L->stride, src->h, src->w, src->c, L->h, L->w, L->c,
                     L->relu ? ", ReLU" : L->relu6 ? ", ReLU6" : "");
            if (ir_uses_window(L)) {
                char wv[256];
                snprintf(wv, sizeof wv, "w_%s_axis", L->name);
                emit(e, "%s #(", stage_window_fold(L) ? "rf_window_fold" : "rf_window");
                emit(e, "    .HEIGHT(%d),", src->h);
                emit(e, "    .WIDTH(%d),", src->w);
                emit(e, "    .CHANNELS(%d),", src->c);
                emit(e, "    .KERNEL(%d),", L->kernel);
                emit(e, "    .STRIDE(%d),", L->stride);
                emit(e, "    .PAD_TOP(%d),", L->pad_t);
                emit(e, "    .PAD_BOTTOM(%d),", L->pad_b);
                emit(e, "    .PAD_LEFT(%d),", L->pad_l);
                emit(e, "    .PAD_RIGHT(%d),", L->pad_r);
                /* max pooling pads with the smallest int8 so a pad never wins
                 * (TFLite MaxPool skips out-of-image taps) */
                if (stage_window_fold(L)) {
                    emit(e, "    .PAD_VALUE(%d),", src->zp);
                    emit(e, "    .SIMD(%d),", L->simd);
                    emit(e, "    .REPEAT(%d)", L->c / L->pe);
                } else
                    emit(e, "    .PAD_VALUE(%d)", L->op == IR_MAX_POOL ? -128 : src->zp);
                emit(e, ") u_%s_window (", L->name);
                e->indent++;
                emit(e, ".clk(clk),");
                emit(e, ".rst(rst),");
                emit_stream_ports(e, "s_axis", in0, 0);
                emit_stream_ports(e, "m_axis", wv, 1);
                e->indent--;
                emit(e, ");");
                snprintf(in0, sizeof in0, "%s", wv);
            }
            if (L->op == IR_CONV2D || L->op == IR_DENSE) {
                emit(e, "rf_conv_mac #(");
                emit(e, "    .KERNEL(%d),", L->op == IR_DENSE ? 1 : L->kernel);
                emit(e, "    .IN_CH(%d),", L->in_c);
                emit(e, "    .OUT_CH(%d),", L->c);
            } else if (L->op == IR_DEPTHWISE) {
                emit(e, "rf_dw_mac #(");
                emit(e, "    .KERNEL(%d),", L->kernel);
                emit(e, "    .CHANNELS(%d),", L->c);
            } else if (L->op == IR_GLOBAL_POOL) {
                emit(e, "rf_global_pool #(");
                emit(e, "    .HEIGHT(%d),", src->h);
                emit(e, "    .WIDTH(%d),", src->w);
                emit(e, "    .CHANNELS(%d),", L->c);
                if (L->rounding != IR_ROUND_AVERAGE_POOL) {
                    emit(e, "    .ROUNDING(%d),", (int)L->rounding);
                    emit(e, "    .ZP(%d),", L->zp);
                }
                if (L->rounding == IR_ROUND_TFLM_MEAN) {
                    emit(e, "    .MEAN_MULT(%ld),", (long)L->mean_mult);
                    emit(e, "    .MEAN_SHIFT(%d),", L->mean_shift);
                }
                emit(e, "    .ACT_MIN(%d),", L->act_min);
                emit(e, "    .ACT_MAX(%d)", L->act_max);
            } else {
                emit(e, "rf_pool #(");
                emit(e, "    .KERNEL(%d),", L->kernel);
                emit(e, "    .CHANNELS(%d),", L->c);
                emit(e, "    .MODE(%d),", L->op == IR_AVG_POOL ? 1 : 0);
                emit(e, "    .ACT_MIN(%d),", L->act_min);
                emit(e, "    .ACT_MAX(%d)", L->act_max);
            }
            if (ir_has_weights(L->op)) {
                emit(e, "    .PE(%d),", L->pe);
                emit(e, "    .SIMD(%d),", L->simd);
                emit(e, "    .IN_ZP(%d),", src->zp);
                emit(e, "    .OUT_ZP(%d),", L->zp);
                emit(e, "    .ACT_MIN(%d),", L->act_min);
                emit(e, "    .ACT_MAX(%d),", L->act_max);
                emit(e, "    .WEIGHT_FILE({MEM_PATH, \"%s_w.mem\"}),", L->name);
                emit(e, "    .BIAS_FILE({MEM_PATH, \"%s_b.mem\"}),", L->name);
                emit(e, "    .MULT_FILE({MEM_PATH, \"%s_m.mem\"}),", L->name);
                int c, smin = L->shift[0], smax = L->shift[0];

                /* the requantizer's shifters cover only the layer's shifts */
                for (c = 1; c < L->c; c++) {
                    smin = L->shift[c] < smin ? L->shift[c] : smin;
                    smax = L->shift[c] > smax ? L->shift[c] : smax;
                }
                emit(e, "    .SHIFT_FILE({MEM_PATH, \"%s_s.mem\"}),", L->name);
                emit(e, "    .SHIFT_MIN(%d),", smin);
                emit(e, "    .SHIFT_MAX(%d)%s", smax, stage_window_fold(L) || stage_requant_digit(L) ? "," : "");
                if (stage_window_fold(L)) {
                    emit(e, "    .RQ_DIGIT(%d),", stage_requant_digit(L));
                    emit(e, "    .STREAM(1)");
                } else if (stage_requant_digit(L))
                    emit(e, "    .RQ_DIGIT(%d)", stage_requant_digit(L));
            }
            emit_ready_reg(e, net);
            emit(e, ") u_%s_%s (", L->name, ir_has_weights(L->op) ? "mac" : "pool");
            e->indent++;
            emit(e, ".clk(clk),");
            emit(e, ".rst(rst),");
            emit_stream_ports(e, "s_axis", in0, 0);
            emit_stream_ports(e, "m_axis", o, 1);
            e->indent--;
            emit(e, ");");
        } else if (L->op == IR_ADD) {
            const q_add_params *p = &L->addp;
            consumer_stream(net, i, 1, in1, sizeof in1);
            emit(e, "// %s: add %s + %s%s", L->name, net->layers[L->in[0]].name, net->layers[L->in[1]].name,
                 L->relu ? ", ReLU" : "");
            emit(e, "rf_add #(");
            emit(e, "    .CHANNELS(%d),", L->c);
            emit(e, "    .PE(%d),", L->pe);
            emit(e, "    .IN0_ZP(%d),", net->layers[L->in[0]].zp);
            emit(e, "    .IN1_ZP(%d),", net->layers[L->in[1]].zp);
            emit(e, "    .IN0_MULT(%ld),", (long)p->in_mult[0]);
            emit(e, "    .IN0_SHIFT(%d),", p->in_shift[0]);
            emit(e, "    .IN1_MULT(%ld),", (long)p->in_mult[1]);
            emit(e, "    .IN1_SHIFT(%d),", p->in_shift[1]);
            emit(e, "    .OUT_MULT(%ld),", (long)p->out_mult);
            emit(e, "    .OUT_SHIFT(%d),", p->out_shift);
            emit(e, "    .OUT_ZP(%d),", L->zp);
            emit(e, "    .ACT_MIN(%d),", L->act_min);
            emit(e, "    .ACT_MAX(%d),", L->act_max);
            emit(e, "    .LEFT_SHIFT(%d)", p->left_shift);
            emit_ready_reg(e, net);
            emit(e, ") u_%s_add (", L->name);
            e->indent++;
            emit(e, ".clk(clk),");
            emit(e, ".rst(rst),");
            emit_stream_ports(e, "s0_axis", in0, 0);
            emit_stream_ports(e, "s1_axis", in1, 0);
            emit_stream_ports(e, "m_axis", o, 1);
            e->indent--;
            emit(e, ");");
        }
        emit_nl(e);
    }
    emit(e, "endmodule");
    emit_nl(e);
    emit(e, "`resetall");
    *dst = em.out;
}

/* ---- ROM files for rf_conv_mac ($readmemh, one word per line, MSB first) ---- */

static void hex_word(sbuf *b, const uint32_t *lanes, int n, int bits)
{
    /* lanes[n-1] is the most significant */
    int i;
    for (i = n - 1; i >= 0; i--)
        sb_printf(b, "%0*x", bits / 4, (unsigned)(lanes[i] & (bits == 32 ? 0xffffffffu : ((1u << bits) - 1))));
    sb_printf(b, "\n");
}

static void emit_mems(const ir_net *net, out_set *o)
{
    int i;
    for (i = 1; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        int kkc, sf, nf, pe, s, f, q;
        uint32_t *lanes;
        sbuf *b;
        if (!ir_has_weights(L->op))
            continue;
        kkc = ir_mac_depth(L);
        sf = kkc / L->simd;
        nf = L->c / L->pe;
        lanes = malloc((size_t)L->pe * L->simd * sizeof *lanes);
        if (!lanes)
            abort();
        b = out_new(o, "mem/%s_w.mem", L->name);
        for (f = 0; f < nf; f++)
            for (q = 0; q < sf; q++) {
                for (pe = 0; pe < L->pe; pe++)
                    for (s = 0; s < L->simd; s++) {
                        int oc = f * L->pe + pe, idx = q * L->simd + s;
                        lanes[pe * L->simd + s] = (uint8_t)L->weights[(size_t)oc * kkc + idx];
                    }
                hex_word(b, lanes, L->pe * L->simd, 8);
            }
        b = out_new(o, "mem/%s_b.mem", L->name);
        for (f = 0; f < nf; f++) {
            for (pe = 0; pe < L->pe; pe++)
                lanes[pe] = (uint32_t)L->bias[f * L->pe + pe];
            hex_word(b, lanes, L->pe, 32);
        }
        b = out_new(o, "mem/%s_m.mem", L->name);
        for (f = 0; f < nf; f++) {
            for (pe = 0; pe < L->pe; pe++)
                lanes[pe] = (uint32_t)L->mult[f * L->pe + pe];
            hex_word(b, lanes, L->pe, 32);
        }
        b = out_new(o, "mem/%s_s.mem", L->name);
        for (f = 0; f < nf; f++) {
            for (pe = 0; pe < L->pe; pe++)
                lanes[pe] = (uint8_t)(int8_t)L->shift[f * L->pe + pe];
            hex_word(b, lanes, L->pe, 8);
        }
        free(lanes);
    }
}

/* ---- net.c: tables for the golden model ---- */

static void c_array_i8(sbuf *b, const char *name, const int8_t *v, size_t n)
{
    size_t i;
    sb_printf(b, "static const int8_t %s[%zu] = {", name, n);
    for (i = 0; i < n; i++)
        sb_printf(b, "%s%d", i == 0 ? "\n    " : i % 24 ? ", " : ",\n    ", v[i]);
    sb_printf(b, "\n};\n");
}

static void c_array_i32(sbuf *b, const char *name, const int32_t *v, size_t n)
{
    size_t i;
    sb_printf(b, "static const int32_t %s[%zu] = {", name, n);
    for (i = 0; i < n; i++)
        sb_printf(b, "%s%ld", i == 0 ? "\n    " : i % 8 ? ", " : ",\n    ", (long)v[i]);
    sb_printf(b, "\n};\n");
}

static void emit_net_c(const ir_net *net, sbuf *b)
{
    int i;
    sb_printf(b, "/* Network tables of '%s', generated by resflow %s from %s. Do not edit. */\n", net->name,
              RESFLOW_VERSION, comment_safe(net->file));
    sb_printf(b, "#include \"rf_net.h\"\n\n");
    for (i = 1; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        char nm[IR_NAME_MAX + 8];
        if (!ir_has_weights(L->op))
            continue;
        snprintf(nm, sizeof nm, "w_%s", L->name);
        c_array_i8(b, nm, L->weights, (size_t)L->c * ir_mac_depth(L));
        snprintf(nm, sizeof nm, "b_%s", L->name);
        c_array_i32(b, nm, L->bias, (size_t)L->c);
        snprintf(nm, sizeof nm, "m_%s", L->name);
        c_array_i32(b, nm, L->mult, (size_t)L->c);
        snprintf(nm, sizeof nm, "s_%s", L->name);
        c_array_i32(b, nm, L->shift, (size_t)L->c);
        sb_printf(b, "\n");
    }
    sb_printf(b, "static const rf_layer layers[%d] = {\n", net->n_layers);
    for (i = 0; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        static const char *const ops[] = {"RF_OP_INPUT",    "RF_OP_CONV2D",   "RF_OP_ADD",
                                          "RF_OP_DEPTHWISE", "RF_OP_MAX_POOL", "RF_OP_AVG_POOL",
                                          "RF_OP_GLOBAL_AVG_POOL", "RF_OP_DENSE"};
        sb_printf(b, "    {\n        .name = \"%s\", .op = %s, .n_inputs = %d, .inputs = {%d, %d},\n", L->name,
                  ops[L->op], L->n_inputs, L->n_inputs > 0 ? L->in[0] : 0, L->n_inputs > 1 ? L->in[1] : 0);
        sb_printf(b, "        .h = %d, .w = %d, .c = %d, .scale = %.17g, .zero_point = %d, .act_min = %d, .act_max = %d,\n",
                  L->h, L->w, L->c, L->scale, L->zp, L->act_min, L->act_max);
        if (L->op != IR_INPUT && L->op != IR_ADD)
            sb_printf(b,
                      "        .kernel = %d, .in_c = %d, .pe = %d, .simd = %d,\n"
                      "        .stride = %d, .pad_top = %d, .pad_bottom = %d, .pad_left = %d, .pad_right = %d,\n",
                      L->kernel, L->in_c, L->pe, L->simd, L->stride, L->pad_t, L->pad_b, L->pad_l, L->pad_r);
        if (ir_has_weights(L->op))
            sb_printf(b, "        .weights = w_%s, .bias = b_%s, .mult = m_%s, .shift = s_%s,\n", L->name, L->name,
                      L->name, L->name);
        if (L->op == IR_GLOBAL_POOL)
            sb_printf(b, "        .rounding = %d, .mean_mult = %ld, .mean_shift = %d,\n", (int)L->rounding,
                      (long)L->mean_mult, L->mean_shift);
        if (L->op == IR_ADD)
            sb_printf(b,
                      "        .left_shift = %d, .in_mult = {%ld, %ld}, .in_shift = {%d, %d},\n"
                      "        .out_mult = %ld, .out_shift = %d,\n",
                      L->addp.left_shift, (long)L->addp.in_mult[0], (long)L->addp.in_mult[1], L->addp.in_shift[0],
                      L->addp.in_shift[1], (long)L->addp.out_mult, L->addp.out_shift);
        sb_printf(b, "    },\n");
    }
    sb_printf(b, "};\n\n");
    if (net->n_fifos) {
        sb_printf(b, "static const rf_fifo_info fifos[%d] = {\n", net->n_fifos);
        for (i = 0; i < net->n_fifos; i++)
            sb_printf(b, "    {\"%s\", %d, %d},\n", net->fifos[i].name, net->fifos[i].depth, net->fifos[i].width_bits);
        sb_printf(b, "};\n\n");
    }
    sb_printf(b,
              "const rf_net rf_net_desc = {\n    .name = \"%s\",\n    .n_layers = %d,\n    .layers = layers,\n"
              "    .output = %d,\n    .n_fifos = %d,\n    .fifos = %s,\n    .predicted_cycles_per_frame = %.15g,\n"
              "    .predicted_first_output_latency_cycles = %ld,\n};\n",
              net->name, net->n_layers, net->output, net->n_fifos, net->n_fifos ? "fifos" : "0",
              net->predicted_cycles_per_frame, net->predicted_first_output_latency);
}

/* ---- shim.cpp: rf_dut.h over the Verilated model ---- */

static void emit_shim(const ir_net *net, sbuf *b)
{
    int in_bits = stream_bits(&net->layers[0]), out_bits = stream_bits(&net->layers[net->output]);
    int i;
    sb_printf(b, "// rf_dut.h for resflow_%s over Verilator (model prefix Vrf_top).\n", net->name);
    sb_printf(b, "// Generated by resflow %s from %s. Do not edit.\n", RESFLOW_VERSION, comment_safe(net->file));
    sb_printf(b, "#include <cstdint>\n#include <cstring>\n#include \"Vrf_top.h\"\n#include \"verilated.h\"\n");
    sb_printf(b, "#include \"rf_dut.h\"\n\n");
    sb_printf(b, "struct rf_dut {\n    VerilatedContext *ctx;\n    Vrf_top *top;\n};\n\n");
    sb_printf(b, "double sc_time_stamp() { return 0; }\n\n");
    sb_printf(b, "extern \"C\" rf_dut *rf_dut_new(void)\n{\n    rf_dut *d = new rf_dut;\n"
                 "    d->ctx = new VerilatedContext;\n    d->top = new Vrf_top(d->ctx, \"top\");\n"
                 "    d->top->clk = 0;\n    d->top->rst = 1;\n    d->top->eval();\n    return d;\n}\n\n");
    sb_printf(b, "extern \"C\" void rf_dut_free(rf_dut *d)\n{\n    if (!d)\n        return;\n"
                 "    d->top->final();\n    delete d->top;\n    delete d->ctx;\n    delete d;\n}\n\n");
    sb_printf(b, "extern \"C\" void rf_dut_tick(rf_dut *d)\n{\n    d->top->clk = 1;\n    d->top->eval();\n"
                 "    d->top->clk = 0;\n    d->top->eval();\n}\n\n");
    sb_printf(b, "extern \"C\" void rf_dut_reset(rf_dut *d)\n{\n    d->top->s_axis_tvalid = 0;\n"
                 "    d->top->m_axis_tready = 0;\n    d->top->rst = 1;\n    for (int i = 0; i < 4; i++)\n"
                 "        rf_dut_tick(d);\n    d->top->rst = 0;\n    d->top->eval();\n}\n\n");
    sb_printf(b, "extern \"C\" void rf_dut_set_s_axis(rf_dut *d, const int8_t *tdata, int tvalid, int tlast, int tuser)\n{\n");
    if (in_bits <= 64) {
        sb_printf(b, "    uint64_t v = 0;\n    if (tdata)\n        for (int c = 0; c < %d; c++)\n"
                     "            v |= (uint64_t)(uint8_t)tdata[c] << (8 * c);\n    d->top->s_axis_tdata = v;\n",
                  in_bits / 8);
    } else {
        sb_printf(b, "    for (int w = 0; w < %d; w++) {\n        uint32_t v = 0;\n        for (int k = 0; k < 4; k++)\n"
                     "            if (tdata && 4 * w + k < %d)\n                v |= (uint32_t)(uint8_t)tdata[4 * w + k] << (8 * k);\n"
                     "        d->top->s_axis_tdata[w] = v;\n    }\n",
                  (in_bits + 31) / 32, in_bits / 8);
    }
    sb_printf(b, "    d->top->s_axis_tvalid = tvalid != 0;\n    d->top->s_axis_tlast = tlast != 0;\n"
                 "    d->top->s_axis_tuser = tuser != 0;\n}\n\n");
    sb_printf(b, "extern \"C\" void rf_dut_set_m_tready(rf_dut *d, int tready)\n{\n"
                 "    d->top->m_axis_tready = tready != 0;\n}\n\n");
    sb_printf(b, "extern \"C\" void rf_dut_eval(rf_dut *d)\n{\n    d->top->eval();\n}\n\n");
    sb_printf(b, "extern \"C\" int rf_dut_s_tready(rf_dut *d)\n{\n    return d->top->s_axis_tready;\n}\n\n");
    sb_printf(b, "extern \"C\" int rf_dut_m_axis(rf_dut *d, int8_t *tdata, int *tlast, int *tuser)\n{\n");
    if (out_bits <= 64) {
        sb_printf(b, "    uint64_t v = d->top->m_axis_tdata;\n    if (tdata)\n        for (int c = 0; c < %d; c++)\n"
                     "            tdata[c] = (int8_t)(uint8_t)(v >> (8 * c));\n",
                  out_bits / 8);
    } else {
        sb_printf(b, "    if (tdata)\n        for (int c = 0; c < %d; c++)\n"
                     "            tdata[c] = (int8_t)(uint8_t)(d->top->m_axis_tdata[c / 4] >> (8 * (c %% 4)));\n",
                  out_bits / 8);
    }
    sb_printf(b, "    if (tlast)\n        *tlast = d->top->m_axis_tlast;\n    if (tuser)\n"
                 "        *tuser = d->top->m_axis_tuser;\n    return d->top->m_axis_tvalid;\n}\n\n");
    sb_printf(b, "extern \"C\" uint32_t rf_dut_fifo_count(rf_dut *d, int i)\n{\n    switch (i) {\n");
    for (i = 0; i < net->n_fifos; i++)
        sb_printf(b, "    case %d:\n        return d->top->stat_%s_count;\n", i, net->fifos[i].name);
    sb_printf(b, "    default:\n        (void)d;\n        return 0;\n    }\n}\n\n");
    sb_printf(b, "extern \"C\" uint32_t rf_dut_fifo_high_water(rf_dut *d, int i)\n{\n    switch (i) {\n");
    for (i = 0; i < net->n_fifos; i++)
        sb_printf(b, "    case %d:\n        return d->top->stat_%s_high_water;\n", i, net->fifos[i].name);
    sb_printf(b, "    default:\n        (void)d;\n        return 0;\n    }\n}\n");
}

/* ---- report.json ---- */

char *emit_report_json(const ir_net *net)
{
    sbuf b = {0};
    int i;
    long total_bits = 0;
    sched_mem_plan plan;
    const ir_layer *in = &net->layers[0], *out = &net->layers[net->output];
    sb_printf(&b, "{\n  \"generator\": \"resflow %s\",\n  \"name\": \"%s\",\n", RESFLOW_VERSION, net->name);
    sb_printf(&b, "  \"input\": {\"height\": %d, \"width\": %d, \"channels\": %d},\n", in->h, in->w, in->c);
    sb_printf(&b, "  \"output\": {\"layer\": \"%s\", \"height\": %d, \"width\": %d, \"channels\": %d},\n", out->name,
              out->h, out->w, out->c);
    sb_printf(&b, "  \"fifos\": [");
    if (sched_plan_memory(net, &sched_up5k, &plan))
        abort();
    for (i = 0; i < net->n_fifos; i++) {
        const ir_fifo *f = &net->fifos[i];
        long bits = (long)f->depth * f->width_bits;
        total_bits += bits;
        sb_printf(&b,
                  "%s\n    {\"name\": \"%s\", \"producer\": \"%s\", \"consumer\": \"%s\", \"depth\": %d, "
                  "\"width_bits\": %d, \"bytes\": %ld, \"memory\": \"%s\", \"blocks\": %d, \"overridden\": %s, "
                  "\"sized_by\": \"%s\", \"bound\": %d}",
                  i ? "," : "", f->name, net->layers[f->producer].name, net->layers[f->consumer].name, f->depth,
                  f->width_bits, (bits + 7) / 8, sched_mem_kind_name(plan.kind[i]), plan.blocks[i],
                  f->overridden ? "true" : "false",
                  f->overridden ? "override" : f->simulated ? "cycle_model" : "bound", f->bound);
    }
    sb_printf(&b, "%s],\n", net->n_fifos ? "\n  " : "");
    sb_printf(&b, "  \"fifo_total_bytes\": %ld,\n", (total_bits + 7) / 8);
    sb_printf(&b, "  \"memory_budget\": {\"device\": \"%s\", \"ebr_blocks\": %d, \"spram_blocks\": %d, "
                  "\"line_buffer_ebr_blocks\": %d, \"fifo_ebr_blocks\": %d, \"fifo_spram_blocks\": %d, "
                  "\"offchip_bytes\": %ld},\n",
              sched_up5k.device, sched_up5k.ebr_blocks, sched_up5k.spram_blocks, plan.line_buffer_ebr, plan.ebr_used,
              plan.spram_used, plan.offchip_bytes);
    sched_mem_plan_free(&plan);
    sb_printf(&b, "  \"stages\": [");
    for (i = 1; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        sb_printf(&b, "%s\n    {\"name\": \"%s\", \"op\": \"%s\", \"ii_cycles\": %d, \"latency_cycles\": %d, "
                      "\"cycles_per_frame\": %ld, \"delay_cycles\": %ld",
                  i > 1 ? "," : "", L->name, ir_op_name(L->op), L->ii, L->latency,
                  L->cycles_per_frame, L->delay);
        if (L->op != IR_ADD)
            sb_printf(&b, ", \"kernel\": %d, \"stride\": %d, \"pads\": [%d, %d, %d, %d], \"shape\": [%d, %d, %d]",
                      L->kernel, L->stride, L->pad_t, L->pad_b, L->pad_l, L->pad_r, L->h, L->w, L->c);
        if (L->op == IR_ADD)
            sb_printf(&b, ", \"pe\": %d", L->pe);
        if (ir_has_weights(L->op))
            sb_printf(&b, ", \"pe\": %d, \"simd\": %d, \"multipliers\": %d, \"macs_per_frame\": %ld",
                      L->pe, L->simd, L->pe * L->simd, (long)L->h * L->w * L->c * ir_mac_depth(L));
        sb_printf(&b, "}");
    }
    sb_printf(&b, "\n  ],\n");
    sb_printf(&b, "  \"bottleneck\": \"%s\",\n", net->layers[net->bottleneck].name);
    sb_printf(&b, "  \"target_cycles_per_frame\": %ld,\n", net->target_cpf);
    sb_printf(&b, "  \"registered_ready\": %s,\n", net->registered_ready ? "true" : "false");
    sb_printf(&b, "  \"predicted_cycles_per_frame\": %.15g,\n", net->predicted_cycles_per_frame);
    sb_printf(&b, "  \"predicted_first_output_latency_cycles\": %ld,\n", net->predicted_first_output_latency);
    /* where the two figures above come from (docs/fifo-sizing.md, "Throughput per frame") */
    sb_printf(&b, "  \"predicted_from\": \"%s\",\n",
              !net->cycle_modeled ? "recurrence" : net->model_deadlock ? "recurrence (the cycle model deadlocks)"
                                                                      : "cycle_model");
    sb_printf(&b, "  \"recurrence_cycles_per_frame\": %ld,\n", net->recurrence_cycles_per_frame);
    if (net->cycle_modeled && !net->model_deadlock)
        sb_printf(&b, "  \"cycle_model\": {\"cycles_per_frame\": %.15g, \"first_output_latency_cycles\": %ld}\n}\n",
                  net->predicted_cycles_per_frame, net->predicted_first_output_latency);
    else if (net->cycle_modeled)
        sb_printf(&b, "  \"cycle_model\": {\"deadlock\": true}\n}\n");
    else
        sb_printf(&b, "  \"cycle_model\": null\n}\n");
    return b.s;
}

/* ---- writing ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    return remove(p);
}

static void rm_rf(const char *dir)
{
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Creates the directories above `path` (mkdir -p of its dirname). */
static void mkdir_parents(const char *path)
{
    char p[1024];
    size_t i;
    snprintf(p, sizeof p, "%s", path);
    for (i = 1; p[i]; i++)
        if (p[i] == '/') {
            p[i] = '\0';
            mkdir(p, 0777);
            p[i] = '/';
        }
}

static int write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    if (len && fwrite(data, 1, len, f) != len) {
        fclose(f);
        return -1;
    }
    return fclose(f);
}

static int read_file(const char *path, sbuf *b)
{
    FILE *f = fopen(path, "rb");
    char buf[8192];
    size_t n;
    if (!f)
        return -1;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sb_printf(b, "%.*s", (int)n, buf);
    fclose(f);
    return 0;
}

/* An existing OUT/ may be replaced only if it is empty or one of ours. */
static int is_ours(const char *dir)
{
    char p[1100];
    struct stat st;
    int n = snprintf(p, sizeof p, "%s/report.json", dir);
    if (n > 0 && (size_t)n < sizeof p && stat(p, &st) == 0)
        return 1;
    return rmdir(dir) == 0 ? (mkdir(dir, 0777), 1) : 0;   /* empty */
}

int emit_all(const ir_net *net, const char *out_dir, const char *template_dir)
{
    return emit_all_ex(net, out_dir, template_dir, NULL, 0);
}

int emit_all_ex(const ir_net *net, const char *out_dir, const char *template_dir, const emit_extra *extra,
                int n_extra)
{
    static const char *const templates[] = {"rf_axis_fifo", "rf_axis_fork", "rf_requant",     "rf_add",
                                            "rf_window",    "rf_conv_mac",  "rf_dw_mac",      "rf_pool",
                                            "rf_global_pool", "rf_pool_div", "rf_requant_serial", "rf_window_fold",
                                            "rf_rdbpot", "rf_requant_shift"};
    out_set o = {0};
    char tmp[1024], old[1024], p[1400];
    int i, rc = 0;
    size_t len = strlen(out_dir);
    struct stat st;

    while (len > 1 && out_dir[len - 1] == '/')
        len--;
    emit_top(net, out_new(&o, "rtl/resflow_%s.v", net->name));
    for (i = 0; i < (int)(sizeof templates / sizeof templates[0]); i++) {
        /* the op-specific templates only when the network uses them */
        static const enum ir_op needs[] = {IR_INPUT, IR_INPUT,     IR_INPUT,    IR_INPUT,       IR_INPUT,
                                           IR_INPUT, IR_DEPTHWISE, IR_MAX_POOL, IR_GLOBAL_POOL, IR_ADD, IR_INPUT,
                                           IR_INPUT, IR_INPUT, IR_INPUT};
        int j, used = needs[i] == IR_INPUT;
        /* rf_pool_div (needs[] = IR_ADD here) serves rf_pool and rf_global_pool */
        for (j = 1; j < net->n_layers && !used; j++) {
            enum ir_op op = net->layers[j].op;
            used = op == needs[i] || (needs[i] == IR_MAX_POOL && op == IR_AVG_POOL) ||
                   (needs[i] == IR_ADD && (op == IR_MAX_POOL || op == IR_AVG_POOL || op == IR_GLOBAL_POOL));
        }
        if (!used)
            continue;
        snprintf(p, sizeof p, "%s/%s.v", template_dir, templates[i]);
        if (read_file(p, out_new(&o, "rtl/%s.v", templates[i]))) {
            diag_plain("cannot read template '%s': %s (set RESFLOW_TEMPLATES)", p, strerror(errno));
            rc = -1;
            goto done;
        }
    }
    emit_mems(net, &o);
    emit_net_c(net, out_new(&o, "net.c"));
    emit_shim(net, out_new(&o, "shim.cpp"));
    {
        sbuf *r = out_new(&o, "report.json");
        char *j = emit_report_json(net);
        sb_printf(r, "%s", j);
        free(j);
    }
    for (i = 0; i < n_extra; i++)
        sb_printf(out_new(&o, "%s", extra[i].path), "%s", extra[i].text);

    if (len + 32 > sizeof tmp) {
        diag_plain("output directory path is too long (%zu characters)", len);
        rc = -1;
        goto done;
    }
    snprintf(tmp, sizeof tmp, "%.*s.tmp.%ld", (int)len, out_dir, (long)getpid());
    snprintf(old, sizeof old, "%.*s.old.%ld", (int)len, out_dir, (long)getpid());
    if (stat(out_dir, &st) == 0 && S_ISDIR(st.st_mode) && !is_ours(out_dir)) {
        diag_plain("'%s' exists and is not a resflow output directory (no report.json); "
                   "not replacing it", out_dir);
        rc = -1;
        goto done;
    }
    rm_rf(tmp);
    mkdir_parents(tmp);
    if (mkdir(tmp, 0777)) {
        diag_plain("cannot create '%s': %s", tmp, strerror(errno));
        rc = -1;
        goto done;
    }
    snprintf(p, sizeof p, "%s/rtl", tmp);
    if (mkdir(p, 0777))
        goto io_fail;
    snprintf(p, sizeof p, "%s/mem", tmp);
    if (mkdir(p, 0777))
        goto io_fail;
    for (i = 0; i < o.n; i++) {
        snprintf(p, sizeof p, "%s/%s", tmp, o.f[i].path);
        mkdir_parents(p);
        if (write_file(p, o.f[i].text.s ? o.f[i].text.s : "", o.f[i].text.len))
            goto io_fail;
    }
    if (stat(out_dir, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            diag_plain("'%s' exists and is not a directory", out_dir);
            rm_rf(tmp);
            rc = -1;
            goto done;
        }
        if (rename(out_dir, old)) {
            diag_plain("cannot replace '%s': %s", out_dir, strerror(errno));
            rm_rf(tmp);
            rc = -1;
            goto done;
        }
    }
    if (rename(tmp, out_dir)) {
        diag_plain("cannot create '%s': %s", out_dir, strerror(errno));
        rename(old, out_dir);
        rm_rf(tmp);
        rc = -1;
        goto done;
    }
    rm_rf(old);
    goto done;

io_fail:
    diag_plain("cannot write '%s': %s", p, strerror(errno));
    rm_rf(tmp);
    rc = -1;
done:
    for (i = 0; i < o.n; i++)
        free(o.f[i].text.s);
    free(o.f);
    return rc;
}
