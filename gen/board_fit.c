/*
 * board_fit.c - the resource model of a scheduled network (LUT4, EBR, DSP
 * per stage), the DSP plan and the fit check, the UART pacing plan, and
 * the folding that fits a board (board_load_net, board_auto_fold); see
 * board.h and docs/boards.md, "The fit check".
 */
#define _XOPEN_SOURCE 700
#include "board.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_fit.h"
#include "check.h"
#include "diag.h"
#include "parse.h"
#include "sched.h"

/* ---- the resource model ----
 *
 * LUT4 figures measured with Yosys 0.23 `synth_ice40` on the templates, one
 * module at a time (docs/boards.md, "The fit check", has the table); they
 * are estimates, within about 15 % of the measured modules. A
 * requantizer (rf_requant) is a 32 x 32 multiplication: 1333 LUT4 when its
 * multiplier is a constant (one output-channel fold, NF = 1), about 2100
 * when it is one of two ROM words and 3100 for more; on SB_MAC16 blocks it
 * takes 4 of them and 100 (constant) or 400 LUT4. A product (x - zp) * w of
 * a MAC costs about 100 LUT4 with a constant weight (II = 1) and 200 with
 * weights from a ROM, adder tree included; a ROM-fed product on a DSP block
 * leaves 15. rf_add: per lane (PE of them) two input tables (two EBR each,
 * and their registers) and a full output requantizer, its product split
 * in two signed 16-bit digits of the multiplier (rf_requant SPLIT = 1). */

#define M_MAC_BASE 150
#define M_PROD_CONST 100
#define M_PROD_ROM 200
#define M_PROD_ON_DSP 15
#define M_RQ_CONST 1333
#define M_RQ_ROM2 2100
#define M_RQ_ROM 3100
#define M_RQ_ON_DSP_CONST 100
#define M_RQ_ON_DSP_ROM 400
#define M_RQ_DSP 4
/* rf_requant_serial in a placed design, its constant multiplier and shift
 * folded in (flat synth_ice40 + nextpnr logic cells: board_tiny, tiny_skip
 * and resnet_block on the HX8K, about 450 at DIGIT 4 and 480 at DIGIT 1 or
 * 2 with the MAC's output); 597 / 870 LUT4 for the module alone */
#define M_RQ_SERIAL_BASE 300
#define M_RQ_SERIAL_PER_DIGIT 40
/* an input table's registers: address, read and output (8 + 32 + 32 FF) */
#define M_ADD_IN_TAB 80
#define M_ADD_TAB_EBR 2
/* rf_add's output requantizer: a constant multiplier, about 600 cells placed
 * (the same designs; 1333 LUT4 for rf_requant alone), 331 with its DSP
 * blocks (the UP5K's placed designs save about 250 per lane; the add's fold
 * tags, about 20 cells, went since: board_tiny's add is about 280 cells
 * placed, resnet_block's folded add about 480, so the estimate is high) */
#define M_ADD_OUT_RQ 600
#define M_ADD_OUT_ON_DSP 331
#define M_ADD_GLUE 30
#define M_WINDOW_BASE 150
#define M_WINDOW_PER_CH 110
/* rf_window_fold: counters and address arithmetic, no window registers
 * (synth_ice40: 226 LUT4 + 104 FF at 1 channel, about 306 + 163 at 3 and 8):
 * 280 + 15 per input channel; and the STREAM MAC's registers beyond
 * M_MAC_BASE (its output register, the ROM words, the PIPE stages, the
 * requantizer's valid bits: 131 FF at 1 output channel, 255 at 8; the
 * valid bits are 3 since rf_requant_serial has y_next) */
#define M_WINDOW_FOLD 280
#define M_WINDOW_FOLD_PER_CH 15
#define M_MAC_STREAM 170
/* rf_axis_fifo's logic besides its RAM (count and high-water in
 * clog2(DEPTH+1) bits: 36 to 95 LUT4 and 31 to 65 FF; about 60 logic cells
 * placed, with no_rw_check) */
#define M_FIFO 70
#define M_FORK 10
/* the bridge besides its receive FIFO (330: the LEN register and the FIFO's
 * read-during-write logic went) */
#define M_BRIDGE 330
#define M_TOP 60

long board_multiplier_budget(const board *b)
{
    return b->dsp + b->lut4 / 2 / M_PROD_ROM;
}

static long requant_luts(int nf)
{
    return nf == 1 ? M_RQ_CONST : nf == 2 ? M_RQ_ROM2 : M_RQ_ROM;
}

static stage_est *new_stage(board_fit_result *r, const char *kind, const char *fmt, ...) RF_PRINTF(3, 4);
static stage_est *new_stage(board_fit_result *r, const char *kind, const char *fmt, ...)
{
    stage_est *s;
    va_list ap;
    s = realloc(r->st, (size_t)(r->n_st + 1) * sizeof *s);
    if (!s)
        abort();
    r->st = s;
    s = &r->st[r->n_st++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    va_start(ap, fmt);
    vsnprintf(s->name, sizeof s->name, fmt, ap);
    va_end(ap);
    return s;
}

static dsp_group *new_group(board_fit_result *r, enum grp_kind kind, int dsp, long saved)
{
    dsp_group *g = realloc(r->g, (size_t)(r->n_g + 1) * sizeof *g);
    if (!g)
        abort();
    r->g = g;
    g = &r->g[r->n_g++];
    memset(g, 0, sizeof *g);
    g->stage = r->n_st - 1;
    g->kind = kind;
    g->dsp = dsp;
    g->lut_saved = saved;
    return g;
}

/* SB_MAC16 blocks of a multiplication by the constant m, with x_chunks
 * 16-bit pieces of the other operand: Yosys (wreduce, mul2dsp) drops the
 * constant's trailing zero bits and splits the rest, with its sign bit,
 * into 16-bit pieces; a power of two (or 0) is a shift and takes none. */
static int const_mul_dsp(long long m, int x_chunks)
{
    int bits = 0;
    if (m <= 0 || (m & (m - 1)) == 0)
        return 0;
    while (!(m & 1))
        m >>= 1;
    while (m) {
        bits++;
        m >>= 1;
    }
    return x_chunks * ((bits + 1 + 15) / 16);
}

static void estimate_mac(board_fit_result *r, const ir_net *net, const ir_layer *L)
{
    stage_est *s;
    int depth = ir_mac_depth(L), sf = depth / L->simd, nf = L->c / L->pe, ii = sf * nf, k;
    int digit = stage_requant_digit(L);
    long prod = ii == 1 ? M_PROD_CONST : M_PROD_ROM;
    long rq = digit ? M_RQ_SERIAL_BASE + (long)M_RQ_SERIAL_PER_DIGIT * digit : requant_luts(nf);
    s = new_stage(r, ir_op_name(L->op), "%s", L->name);
    s->multipliers = L->pe * L->simd;
    s->requantizers = L->pe;
    /* the window slice's SF-way multiplexers, unless the window streams
     * the slices (rf_window_fold) */
    s->lut4_all = M_MAC_BASE + (long)s->multipliers * prod +
                  (sf > 1 && !stage_window_fold(L) ? (long)L->simd * 8 * (sf - 1) / 3 : 0) + (long)L->pe * rq;
    /* the weight ROM goes to EBR when deep, else into LUTs (in M_PROD_ROM) */
    if (ii >= 64)
        s->mem_ebr = sched_ebr_blocks(ii, L->pe * L->simd * 8);
    if (stage_window_fold(L)) {
        s->lut4_all += M_WINDOW_FOLD + (long)M_WINDOW_FOLD_PER_CH * L->in_c + M_MAC_STREAM;
        s->line_ebr = sched_line_buffer_ebr(net, L);
    } else if (ir_uses_window(L)) {
        s->lut4_all += M_WINDOW_BASE + (long)M_WINDOW_PER_CH * L->in_c * L->kernel * L->kernel / 9;
        s->line_ebr = sched_line_buffer_ebr(net, L);
    }
    /* constant products (II = 1) become shift-and-add logic and stay in
     * LUTs; products of ROM weights can use DSP blocks */
    if (ii > 1) {
        dsp_group *g = new_group(r, G_PRODUCTS, s->multipliers, (long)s->multipliers * (prod - M_PROD_ON_DSP));
        snprintf(g->what, sizeof g->what, "%s: %d products", L->name, s->multipliers);
        snprintf(g->pattern, sizeof g->pattern, "rf_board_top/*u_net.?u_%s_mac.$mul$* r:Y_WIDTH>=17 %%i", L->name);
    }
    /* a serial requantizer (rf_requant_serial) has no multiplier */
    for (k = 0; k < L->pe && !digit; k++) {
        /* NF = 1: the multiplier is a constant (a one-word ROM), times the
         * 32-bit accumulator */
        int n = nf == 1 ? const_mul_dsp(L->mult[k], 2) : M_RQ_DSP;
        dsp_group *g;
        if (!n)
            continue;
        g = new_group(r, G_REQUANT, n, rq - (nf == 1 ? M_RQ_ON_DSP_CONST : M_RQ_ON_DSP_ROM));
        g->index = k;
        snprintf(g->what, sizeof g->what, "%s: requantizer %d", L->name, k);
        snprintf(g->pattern, sizeof g->pattern, "rf_board_top/*u_net.?u_%s_mac.?g_pe?%d?.g_par.u_rq.$mul$*", L->name,
                 k);
    }
}

static void estimate_add(board_fit_result *r, const ir_layer *L)
{
    stage_est *s = new_stage(r, "add", "%s", L->name);
    int c, nf = L->c / L->pe;
    long long m = L->addp.out_mult, lo = (int16_t)(uint16_t)(m & 0xffff), hi = (m - lo) / 65536;
    s->requantizers = L->pe;
    s->lut4_all = (long)L->pe * (M_ADD_OUT_RQ + 2 * M_ADD_IN_TAB + M_ADD_GLUE);
    s->mem_ebr = 2L * M_ADD_TAB_EBR * L->pe;
    /* folded (NF > 1): the two input registers and the lanes' NF-way
     * multiplexers, as the MAC's window slice */
    if (nf > 1)
        s->lut4_all += 2L * L->c * 8 + 2L * L->pe * 8 * (nf - 1) / 3;
    /* the sum is 32 bits (2 pieces) times each signed 16-bit digit of the
     * multiplier (rf_requant SPLIT = 1: m = hi * 2^16 + lo) */
    int n_out = const_mul_dsp(lo < 0 ? -lo : lo, 2) + const_mul_dsp(hi < 0 ? -hi : hi, 2);
    for (c = 0; c < L->pe && n_out; c++) {
        dsp_group *g = new_group(r, G_ADD_OUT, n_out, M_ADD_OUT_RQ - M_ADD_OUT_ON_DSP);
        g->index = c;
        snprintf(g->what, sizeof g->what, "%s: lane %d output requantizer", L->name, c);
        snprintf(g->pattern, sizeof g->pattern, "rf_board_top/*u_net.?u_%s_add.?g_ch?%d?.u_rqo.$mul$*", L->name, c);
    }
}

/* Other stages: pools, the global pool (their constant dividers stay in
 * LUTs). */
static void estimate_other(board_fit_result *r, const ir_net *net, const ir_layer *L)
{
    stage_est *s = new_stage(r, ir_op_name(L->op), "%s", L->name);
    if (L->op == IR_GLOBAL_POOL) {
        s->lut4_all = 200L * L->c;
    } else {
        s->lut4_all = 20L * L->kernel * L->kernel * L->c + (L->op == IR_AVG_POOL ? 150L * L->c : 0);
        if (ir_uses_window(L)) {
            s->lut4_all += M_WINDOW_BASE + (long)M_WINDOW_PER_CH * L->in_c * L->kernel * L->kernel / 9;
            s->line_ebr = sched_line_buffer_ebr(net, L);
        }
    }
}

/* A FIFO of depth x width bits: Yosys puts it in EBR from about 512 bits
 * (rf_axis_fifo stores tlast and tuser too). */
static long fifo_ebr(long depth, int width)
{
    return depth * (width + 2) >= 512 ? sched_ebr_blocks(depth, width + 2) : 0;
}

/* ---- pacing the image over the UART (board.h, board_pace) ---- */

int board_pace_need(const ir_net *net, int window_extra, long *need)
{
    long **map = calloc((size_t)net->n_layers + 1, sizeof *map);
    int i, k, rc = 0;
    if (!map)
        return -1;
    /* layers are in topological order: a layer's inputs are mapped first */
    for (i = 0; i <= net->output && rc == 0; i++) {
        const ir_layer *L = &net->layers[i];
        long n = (long)L->h * L->w, j;
        if (!(map[i] = malloc((size_t)n * sizeof **map))) {
            rc = -1;
            break;
        }
        if (i == 0) {
            for (j = 0; j < n; j++)
                map[i][j] = j;
        } else if (L->op == IR_GLOBAL_POOL) {
            const ir_layer *S = &net->layers[L->in[0]];
            for (j = 0; j < n; j++)
                map[i][j] = map[L->in[0]][(long)S->h * S->w - 1];
        } else if (ir_uses_window(L)) {
            const ir_layer *S = &net->layers[L->in[0]];
            long last = (long)S->h * S->w - 1;
            for (j = 0; j < n; j++) {
                long oy = j / L->w, ox = j % L->w;
                long sy = oy * L->stride - L->pad_t + L->kernel - 1, sx = ox * L->stride - L->pad_l + L->kernel - 1;
                long src;
                sy = sy < 0 ? 0 : sy > S->h - 1 ? S->h - 1 : sy;
                sx = sx < 0 ? 0 : sx > S->w - 1 ? S->w - 1 : sx;
                src = sy * S->w + sx + window_extra;
                map[i][j] = map[L->in[0]][src > last ? last : src];
            }
        } else {
            /* 1x1 stride 1, dense (1 x 1), add: pixel j of every input */
            for (j = 0; j < n; j++) {
                map[i][j] = -1;
                for (k = 0; k < L->n_inputs; k++) {
                    const ir_layer *S = &net->layers[L->in[k]];
                    assert(j < (long)S->h * S->w);
                    if (map[L->in[k]][j] > map[i][j])
                        map[i][j] = map[L->in[k]][j];
                }
            }
        }
    }
    if (rc == 0)
        memcpy(need, map[net->output],
               (size_t)net->layers[net->output].h * (size_t)net->layers[net->output].w * sizeof *need);
    for (i = 0; i < net->n_layers; i++)
        free(map[i]);
    free(map);
    return rc;
}

long board_pace_allowed(long lead, long in, long out, long r)
{
    long long a;
    if (out <= in)
        return in;
    a = (long long)lead + (long long)r * in / out;
    return a < in ? (long)a : in;
}

int board_pace_plan(const ir_net *net, board_pace *p)
{
    const ir_layer *in = &net->layers[0], *out = &net->layers[net->output];
    long n_out = (long)out->h * out->w, q, worst = 0;
    long *hi, *lo;
    memset(p, 0, sizeof *p);
    p->in_bytes = (long)in->h * in->w * in->c;
    p->out_bytes = n_out * out->c;
    p->lead = p->in_bytes;
    p->rx_depth = 256;
    if (p->out_bytes <= p->in_bytes)
        return 0;
    p->paced = 1;
    hi = malloc((size_t)n_out * sizeof *hi);
    lo = malloc((size_t)n_out * sizeof *lo);
    if (!hi || !lo || board_pace_need(net, 1, hi) || board_pace_need(net, 0, lo)) {
        free(hi);
        free(lo);
        return -1;
    }
    /* the smallest LEAD with allowed(p * C_out) >= (need_hi(p) + 1) * C_in */
    p->lead = in->c;
    for (q = 0; q < n_out; q++) {
        long v = (hi[q] + 1) * in->c - (long)((long long)q * out->c * p->in_bytes / p->out_bytes);
        if (v > p->lead)
            p->lead = v;
    }
    if (p->lead > p->in_bytes)
        p->lead = p->in_bytes;
    /* the most the FIFO can hold: sent but not yet consumed */
    for (q = 0; q <= n_out; q++) {
        long v = board_pace_allowed(p->lead, p->in_bytes, p->out_bytes, q * out->c) -
                 (q ? (lo[q - 1] + 1) * in->c : 0);
        if (v > worst)
            worst = v;
    }
    p->rx_depth = worst + 64;
    free(hi);
    free(lo);
    return 0;
}

/* The UART: cycles per bit, the host's pacing (LEAD) and the bridge's
 * receive FIFO (board_pace_plan). Returns 0, or -1 when out of memory. */
static int size_uart(board_fit_result *r, const ir_net *net)
{
    board_pace p;
    double cpb = r->clock_mhz * 1e6 / (double)r->o.baud;
    r->clks_per_bit = (int)floor(cpb + 0.5);
    r->baud_error_pct = r->clks_per_bit > 0 ? 100.0 * fabs(cpb - r->clks_per_bit) / r->clks_per_bit : 100.0;
    if (board_pace_plan(net, &p))
        return -1;
    r->rx_depth = p.rx_depth;
    r->lead = p.lead;
    r->paced = p.paced;
    /* an input frame silent for 100 ms is abandoned */
    r->timeout = (long)(r->clock_mhz * 1e5);
    return 0;
}

/* The stages in order of their LUT4, for the messages. */
static int by_lut(const void *a, const void *b)
{
    const stage_est *x = *(const stage_est *const *)a, *y = *(const stage_est *const *)b;
    return (y->lut4 > x->lut4) - (y->lut4 < x->lut4);
}

static int by_ebr(const void *a, const void *b)
{
    const stage_est *x = *(const stage_est *const *)a, *y = *(const stage_est *const *)b;
    long ex = x->line_ebr + x->mem_ebr, ey = y->line_ebr + y->mem_ebr;
    return (ey > ex) - (ey < ex);
}

static int by_dsp(const void *a, const void *b)
{
    const stage_est *x = *(const stage_est *const *)a, *y = *(const stage_est *const *)b;
    return (y->dsp > x->dsp) - (y->dsp < x->dsp);
}

/* The DSP groups in order of LUT4 saved per block (then in stage order). */
static int by_saving(const void *a, const void *b)
{
    const dsp_group *x = *(const dsp_group *const *)a, *y = *(const dsp_group *const *)b;
    double sx = (double)x->lut_saved / x->dsp, sy = (double)y->lut_saved / y->dsp;
    if (sx != sy)
        return sx < sy ? 1 : -1;
    return (x > y) - (x < y);
}

static void plan_dsp(board_fit_result *r, const board *b)
{
    dsp_group **order = calloc((size_t)r->n_g + 1, sizeof *order);
    long left = b->dsp;
    int i;
    if (!order)
        abort();
    for (i = 0; i < r->n_g; i++)
        order[i] = &r->g[i];
    qsort(order, (size_t)r->n_g, sizeof *order, by_saving);
    for (i = 0; i < r->n_g; i++) {
        dsp_group *g = order[i];
        if (r->o.mul == BOARD_MUL_DSP || (r->o.mul == BOARD_MUL_AUTO && g->dsp <= left)) {
            g->mapped = 1;
            left -= g->dsp;
        }
    }
    free(order);
    for (i = 0; i < r->n_g; i++)
        if (r->g[i].mapped) {
            r->st[r->g[i].stage].dsp += r->g[i].dsp;
            r->st[r->g[i].stage].lut4 -= r->g[i].lut_saved;
        }
}

/* "a 1,234, b 567 and c 89" for the largest stages by `key`. */
static void name_stages(board_fit_result *r, int (*cmp)(const void *, const void *), int what, char *buf, size_t cap)
{
    stage_est **v = calloc((size_t)r->n_st + 1, sizeof *v);
    size_t o = 0;
    int i, n = 0;
    if (!v)
        abort();
    for (i = 0; i < r->n_st; i++)
        v[i] = &r->st[i];
    qsort(v, (size_t)r->n_st, sizeof *v, cmp);
    buf[0] = '\0';
    for (i = 0; i < r->n_st && n < 4 && o < cap; i++) {
        long x = what == 0 ? v[i]->lut4 : what == 1 ? v[i]->line_ebr + v[i]->mem_ebr : v[i]->dsp;
        if (x <= 0)
            continue;
        o += (size_t)snprintf(buf + o, cap - o, "%s%s %ld", n ? ", " : "", v[i]->name, x);
        if (what == 0 && (v[i]->multipliers || v[i]->requantizers) && o < cap)
            o += (size_t)snprintf(buf + o, cap - o, " (%d multipliers, %d requantizers)", v[i]->multipliers,
                                  v[i]->requantizers);
        if (what == 1 && v[i]->line_ebr && o < cap)
            o += (size_t)snprintf(buf + o, cap - o, " (line buffers %ld)", v[i]->line_ebr);
        n++;
    }
    free(v);
}

/* The layer with weights that takes the most: what to fold. */
static const char *fold_candidate(const board_fit_result *r, int dsp)
{
    const stage_est *best = NULL;
    int i;
    for (i = 0; i < r->n_st; i++)
        if (r->st[i].multipliers && (!best || (dsp ? r->st[i].dsp > best->dsp : r->st[i].lut4 > best->lut4)))
            best = &r->st[i];
    return best ? best->name : "the convolutions";
}

int board_fit(const ir_net *net, const board *b, const board_opts *o, board_fit_result **out)
{
    board_fit_result *r = calloc(1, sizeof *r);
    char list[1024];
    int i, k, rc = 0;
    *out = r;
    if (!r) {
        diag_plain("out of memory");
        return -1;
    }
    r->o = *o;
    if (r->o.baud <= 0)
        r->o.baud = 1000000;
    r->clock_mhz = o->clock_mhz > 0 ? o->clock_mhz : b->target_mhz;

    /* the clock: the oscillator itself, or the PLL */
    if (fabs(r->clock_mhz - b->osc_mhz) < 1e-9) {
        r->clock_mhz = b->osc_mhz;
    } else if (b->pll < 1) {
        diag_plain("%s has no PLL: the clock can only be the %g MHz oscillator (--clock-mhz %g)", b->name,
                   b->osc_mhz, b->osc_mhz);
        rc = -1;
    } else if (board_pll_config(b, r->clock_mhz, &r->pll)) {
        diag_plain("no PLL setting of %s reaches %g MHz from %g MHz (output %g..%g MHz)", b->name, r->clock_mhz,
                   b->osc_mhz, b->out_mhz[0], b->out_mhz[1]);
        rc = -1;
    } else {
        r->clock_mhz = r->pll.out_mhz;
    }
    if (size_uart(r, net)) {
        diag_plain("out of memory");
        return -1;
    }
    if (r->clks_per_bit < 4 || r->baud_error_pct > 2.0) {
        diag_plain("%ld baud at %g MHz is %.2f cycles per bit: the UART needs at least 4, and a rate within 2 %% "
                   "(choose --baud so that %g MHz / baud is close to an integer)",
                   r->o.baud, r->clock_mhz, r->clock_mhz * 1e6 / (double)r->o.baud, r->clock_mhz);
        rc = -1;
    }

    /* every stage, the FIFOs, forks, the bridge and the board top */
    for (i = 1; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        if (ir_has_weights(L->op))
            estimate_mac(r, net, L);
        else if (L->op == IR_ADD)
            estimate_add(r, L);
        else
            estimate_other(r, net, L);
    }
    for (i = 0; i < net->n_layers; i++)
        if (net->layers[i].n_consumers > 1)
            new_stage(r, "fork", "%s fork", net->layers[i].name)->lut4_all = M_FORK;
    for (k = 0; k < net->n_fifos; k++) {
        stage_est *s = new_stage(r, "fifo", "FIFO %s", net->fifos[k].name);
        s->lut4_all = M_FIFO;
        s->mem_ebr = fifo_ebr(net->fifos[k].depth, net->fifos[k].width_bits);
    }
    {
        stage_est *s = new_stage(r, "uart bridge", "UART bridge");
        s->lut4_all = M_BRIDGE + 280;   /* its receive FIFO's logic, 24-bit counters, overrun flag */
        s->mem_ebr = r->rx_ebr = fifo_ebr(r->rx_depth, 8);
        new_stage(r, "board top", "board top (PLL, reset, LEDs)")->lut4_all = M_TOP;
    }
    for (i = 0; i < r->n_st; i++)
        r->st[i].lut4 = r->st[i].lut4_all;
    plan_dsp(r, b);
    for (i = 0; i < r->n_st; i++) {
        r->lut4 += r->st[i].lut4;
        r->ebr += r->st[i].line_ebr + r->st[i].mem_ebr;
        r->dsp += r->st[i].dsp;
    }

    if (r->dsp > b->dsp) {
        name_stages(r, by_dsp, 2, list, sizeof list);
        diag_plain("needs %ld DSP, the board has %d (%s): lower PE/SIMD of %s or map its multipliers to LUTs "
                   "(--multipliers auto or lut)",
                   r->dsp, b->dsp, list, fold_candidate(r, 1));
        rc = -1;
    }
    if (r->lut4 > b->lut4) {
        name_stages(r, by_lut, 0, list, sizeof list);
        diag_plain("needs about %ld logic cells (LUT4, estimate), the board has %d: %s; lower PE/SIMD of %s "
                   "(or fold to a target: --target-cycles N), or use fewer channels: a requantizer costs about %d "
                   "in LUTs, an add has 1 per lane (its pe)",
                   r->lut4, b->lut4, list, fold_candidate(r, 0), M_RQ_CONST);
        rc = -1;
    }
    if (r->ebr > b->ebr) {
        name_stages(r, by_ebr, 1, list, sizeof list);
        diag_plain("needs %ld EBR (4 Kbit blocks), the board has %d: %s; a window's line buffers hold (K + "
                   "stride) lines of a pixel's bits (folded to SIMD | C_in: in one RAM; else one RAM per line, "
                   "256 pixels per block): fewer channels, or a smaller image for the FIFOs",
                   r->ebr, b->ebr, list);
        rc = -1;
    }
    r->fits = rc == 0;
    return rc;
}

void board_fit_free(board_fit_result *r)
{
    if (!r)
        return;
    free(r->st);
    free(r->g);
    free(r);
}

int board_load_net(const char *path, const ir_load_opts *lo, const board *b, ir_net *net)
{
    long total = 0, budget = board_multiplier_budget(b);
    int i;
    if (ir_load_ex(path, lo, net))
        return -1;
    /* folded to a target without a budget of its own: the fewest multipliers
     * the target allows must fit the board */
    if (net->target_cpf <= 0 || net->max_multipliers > 0)
        return 0;
    for (i = 1; i < net->n_layers; i++)
        if (ir_has_weights(net->layers[i].op))
            total += (long)net->layers[i].pe * net->layers[i].simd;
    if (total <= budget)
        return 0;
    diag_node(net->target_node, "the folding needs %ld multipliers, more than the %ld the %s can hold (%d DSP blocks "
              "and half of %d LUT4): lower the target", total, budget, b->name, b->dsp, b->lut4);
    return -1;
}

/* 1 when the network folded to `target` fits b by the estimate, 0 when
 * not, -1 when it does not load; nothing is reported but load errors. */
static int fits_at(const char *path, int width, int height, long target, const board *b, const board_opts *o)
{
    ir_net n;
    board_fit_result *r = NULL;
    ir_load_opts lo = {0};
    int rc, mark;
    lo.width = width;
    lo.height = height;
    lo.target_cpf = target;
    lo.registered_ready = 1;   /* as every board build (main.c) */
    memset(&n, 0, sizeof n);
    if (ir_load_ex(path, &lo, &n)) {
        ir_net_free(&n);
        return -1;
    }
    mark = diag_plain_mark();
    n.bounds_only = 1;
    rc = sched_run(&n, NULL, 0) == 0 && board_fit(&n, b, o, &r) == 0;
    diag_plain_rewind(mark);
    board_fit_free(r);
    ir_net_free(&n);
    return rc;
}

int board_auto_fold(const char *path, int width, int height, const board *b, const board_opts *o,
                    long *target_cpf)
{
    long lo = 1, hi = 2000000000L, mid;
    int f;
    ir_net n;
    board bh;
    ir_load_opts o0 = {0};
    *target_cpf = 0;
    /* a target of the file's own is kept */
    o0.width = width;
    o0.height = height;
    o0.registered_ready = 1;
    memset(&n, 0, sizeof n);
    f = ir_load_ex(path, &o0, &n);
    if (!f && n.target_cpf > 0)
        f = 1;
    ir_net_free(&n);
    if (f)
        return f < 0 ? -1 : 0;
    f = fits_at(path, width, height, 0, b, o);
    if (f != 0)
        return f < 0 ? -1 : 0;
    /* with the headroom placement wants (board_files' note: 85 % of the
     * logic cells), or else the smallest folding */
    bh = *b;
    bh.lut4 = b->lut4 * 85 / 100;
    if (fits_at(path, width, height, hi, &bh, o) != 1) {
        *target_cpf = hi;
        return 0;
    }
    /* invariant: hi fits, lo (or anything below it) was not shown to */
    while (hi - lo > 1) {
        mid = lo + (hi - lo) / 2;
        if (fits_at(path, width, height, mid, &bh, o) == 1)
            hi = mid;
        else
            lo = mid;
    }
    *target_cpf = hi;
    return 0;
}

