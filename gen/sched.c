/*
 * sched.c - latency analysis and FIFO sizing (model: docs/fifo-sizing.md).
 *
 * The analysis is a pixel-level max-plus recurrence over the layer graph:
 * for every tensor it computes the cycle in which each of its pixels is
 * transferred, for two frames streamed back to back, from each template's
 * documented timing (templates/ *.v headers, docs/templates.md):
 *
 *   input         pixel j of the stream at floor(j * F / N_in): the input
 *                 throttled to the pipeline's F cycles per frame (N_in
 *                 pixels per frame);
 *   rf_window     output o is completed by reader step g(o) (its step
 *                 schedule: V steps per output row, HO*V [+ flush] steps per
 *                 frame) which needs input pixel need(g) written in an
 *                 earlier cycle; the step issues in cycle
 *                   sigma(o) = max(T_in(need) + 1 + extra, sigma(o-1) + gap(o),
 *                                  a(o-1) + gap(o) - 2)
 *                 (gap: steps since the previous output; the last term: a
 *                 stalled reader resumes when the consumer takes the
 *                 previous window, with two steps already in flight) and the
 *                 window is offered at sigma(o) + 2 (rf_window LATENCY 3 from
 *                 the input pixel's transfer);
 *   compute       the MAC / pool / add accepts its input o at
 *                 a(o) = max(offered(o), a(o-1) + II) and transfers its output
 *                 at a(o) + LATENCY (rf_conv_mac: stage_mac_latency; rf_dw_mac: SF*NF + 7;
 *                 rf_pool, rf_global_pool, rf_add: their LATENCY);
 *   add           offered when both inputs are there (through a FIFO: +2,
 *                 rf_axis_fifo's latency).
 *
 * FIFO sizing. An add input k whose pixels arrive before the other input's
 * must hold them until the add consumes them. With A(p) the cycle in which
 * the later of the two inputs offers pixel p (paced at one per cycle),
 *   n_k(p) = #{ q : T_k(q) < A(p) } - p
 * elements of input k are waiting when pixel p is consumed; the FIFO gets
 * max_p n_k(p) + 1 elements (min 2): its s_axis_tready is registered
 * (count < DEPTH), so in the cycle it pops its oldest element it cannot also
 * accept into that slot, and one element of slack covers it. For a chain of
 * stride-1 'same' convs at II = 1 this is the closed form of
 * docs/fifo-sizing.md, ceil((d_max - d_k) / P) + 1.
 *
 * These depths are the bound. Where the frame is small enough, sched_run
 * then replaces them with the cycle model's minimum (cyclesim.c,
 * refine_fifos below), and takes the first-output latency from the model.
 *
 * F, the cycles per frame, is the largest stage's (its frame of II-cycle
 * outputs, or its window's steps, or its input pixels at one per cycle). The first-output latency comes from a third run of
 * one frame with the input unthrottled (one pixel per cycle), as the host
 * streams it.
 */
#include "sched.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cyclesim.h"
#include "diag.h"

#define SCHED_FRAMES 2

int sched_ebr_blocks(long depth, int width_bits)
{
    static const int cw[4] = {16, 8, 4, 2}, cd[4] = {256, 512, 1024, 2048};
    long best = -1;
    int i;
    for (i = 0; i < 4; i++) {
        long n = ((width_bits + cw[i] - 1) / cw[i]) * ((depth + cd[i] - 1) / cd[i]);
        if (best < 0 || n < best)
            best = n;
    }
    return (int)best;
}

int sched_spram_blocks(long depth, int width_bits)
{
    return (int)(((width_bits + 15) / 16) * ((depth + 16383) / 16384));
}

const sched_budget sched_up5k = {"iCE40UP5K", 30, 4};

const char *sched_mem_kind_name(enum sched_mem_kind k)
{
    static const char *const names[] = {"registers", "ebr", "spram", "off-chip"};
    return names[k];
}

int sched_plan_memory(const ir_net *net, const sched_budget *b, sched_mem_plan *plan)
{
    int i, ebr_left, spram_left;
    memset(plan, 0, sizeof *plan);
    plan->kind = calloc((size_t)net->n_fifos + 1, sizeof *plan->kind);
    plan->blocks = calloc((size_t)net->n_fifos + 1, sizeof *plan->blocks);
    if (!plan->kind || !plan->blocks) {
        sched_mem_plan_free(plan);
        return -1;
    }
    for (i = 1; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        plan->line_buffer_ebr += sched_line_buffer_ebr(net, L);
    }
    ebr_left = b->ebr_blocks - plan->line_buffer_ebr;
    spram_left = b->spram_blocks;
    for (i = 0; i < net->n_fifos; i++) {
        const ir_fifo *f = &net->fifos[i];
        long bits = (long)f->depth * f->width_bits;
        int e = sched_ebr_blocks(f->depth, f->width_bits), sp = sched_spram_blocks(f->depth, f->width_bits);
        if (bits <= 1024) {
            plan->kind[i] = SCHED_MEM_REGISTERS;
            plan->register_bits += bits;
        } else if (e <= ebr_left) {
            plan->kind[i] = SCHED_MEM_EBR;
            plan->blocks[i] = e;
            ebr_left -= e;
            plan->ebr_used += e;
        } else if (sp <= spram_left) {
            plan->kind[i] = SCHED_MEM_SPRAM;
            plan->blocks[i] = sp;
            spram_left -= sp;
            plan->spram_used += sp;
        } else {
            plan->kind[i] = SCHED_MEM_OFFCHIP;
            plan->offchip_bytes += (bits + 7) / 8;
        }
    }
    return 0;
}

void sched_mem_plan_free(sched_mem_plan *plan)
{
    free(plan->kind);
    free(plan->blocks);
    plan->kind = NULL;
    plan->blocks = NULL;
}

int sched_line_buffer_ebr(const ir_net *net, const ir_layer *L)
{
    int lines = L->kernel + L->stride, w;
    if (!ir_uses_window(L))
        return 0;
    w = net->layers[L->in[0]].w;
    if (stage_window_fold(L))
        return sched_ebr_blocks((long)lines * w, L->in_c * 8);
    return lines * sched_ebr_blocks(w, L->in_c * 8);
}

/* ---- the recurrence ---- */

/* The input pixel (raster index within the frame) that reader step g needs,
 * and the cycles of pad-only steps after it. */
static long win_need(const stage_win *w, long r, long g, long *extra)
{
    long rr = r, cc, row;
    int n;
    /* step g lies in output row r, or (S = 1) in one of the rows after */
    while (g >= (rr + 1) * w->V)
        rr++;
    if (rr > w->HO - 1)
        rr = w->HO - 1;
    cc = g - rr * w->V;
    n = w->H - 1 + w->pt - (int)rr * w->S;
    if (n > w->K - 1)
        n = w->K - 1;
    row = rr * w->S - w->pt + n;
    if (cc < w->W) {
        *extra = 0;
        return row * w->W + cc;
    }
    *extra = cc - (w->W - 1);
    return row * w->W + w->W - 1;
}

/* The LATENCY the recurrence uses (its II is stage_output_cycles).
 * Registered ready (net->registered_ready, READY_REG = 1 in the
 * templates): a compute stage's pipeline stands still in every cycle its
 * output register holds a beat, at least one per output; a bound is
 * LATENCY + ceil(LATENCY / II) cycles from an input to its output (the
 * outputs of earlier inputs that leave meanwhile, II enabled cycles apart
 * at least). */
static int rec_latency(const ir_net *net, const ir_layer *L)
{
    int lat = stage_latency(L), ii = stage_ii(L);
    if (!net->registered_ready || L->op == IR_INPUT)
        return lat;
    return lat + (lat + ii - 1) / ii;
}

typedef struct timing {
    long long **t;       /* [layer][frame * N + pixel] output transfer cycle;
                          * freed once every consumer has been computed */
    long *n;             /* pixels per frame of each layer's tensor */
    long long *first0;   /* [layer] transfer of pixel 0 of frame 0 */
    long long *first1;   /* [layer] transfer of pixel 0 of the last frame */
    long *wait;          /* [layer * 2 + input] largest n_k(p) of an add input */
} timing;

static void timing_free(timing *tm, int n_layers)
{
    int i;
    for (i = 0; tm->t && i < n_layers; i++)
        free(tm->t[i]);
    free(tm->t);
    free(tm->n);
    free(tm->first0);
    free(tm->first1);
    free(tm->wait);
    memset(tm, 0, sizeof *tm);
}

static long long max2(long long a, long long b)
{
    return a > b ? a : b;
}

/* The largest n_k(p) over the frames (see the top of the file); T0, T1: the
 * add's two inputs, Tk: input k's entries into its FIFO. */
static long waiting(const long long *Tk, const long long *T0, const long long *T1, long n)
{
    long p, q = 0, best = 0;
    long long A = -1000000000LL;
    for (p = 0; p < n; p++) {
        A = max2(max2(T0[p], T1[p]), A + 1);
        while (q < n && Tk[q] < A)
            q++;
        if (q - p > best)
            best = q - p;
    }
    return best;
}

/* 1 when layer e is a one-stage skip branch: a MAC or pool with one
 * consumer (the add) reading a tensor that other layers read too (a fork). */
static int branch_stage(const ir_net *net, int e)
{
    const ir_layer *X = &net->layers[e];
    return e > 0 && X->op != IR_ADD && X->n_inputs == 1 && X->n_consumers == 1 &&
           net->layers[X->in[0]].n_consumers > 1 && X->op != IR_GLOBAL_POOL;
}

/* Outputs a stalled stage is sure to hold between its reader (or input) and
 * the FIFO: one, in its output register (a full output register is what
 * stalls it). Its pipeline stages freeze with their bubbles (every stage
 * shares one enable), so when its inputs come sparsely they hold nothing
 * more; counting them would be unsafe (a random network deadlocked). The
 * window's line buffers are different: the writer runs on its own
 * handshake, and branch_entries credits them by rows. */
static int stage_hold(const ir_layer *X)
{
    (void)X;
    return 1;
}

/* The skip branch's outputs as late as the fork lets them be. A one-stage
 * branch X between a fork and an add's FIFO stores data of its own: when
 * the FIFO is full, X stalls, and the fork goes on only while X can still
 * accept. Output q of X must therefore be in the FIFO before the fork
 * offers the first input pixel X could not take unless q had left:
 *   window: the reader may leave output row r (rows counted across
 *   frames, top input row T = r*S - PAD_TOP) only when its windows are
 *   issued, and the writer may write input row w only while w - T <= R-1
 *   (R = K + S line buffers, rf_window.v): input row T(r) + R needs row r
 *   issued; an issued window is in the FIFO once `hold` more have issued.
 *   no window: input pixel j needs output j - hold in the FIFO.
 * Entry of q: the later of its computed transfer and that deadline; returns
 * them (frames * N, to free), or NULL when e is not such a branch or the
 * fork's times are gone. */
static long long *branch_entries(const ir_net *net, const timing *tm, int e, int frames, long F)
{
    const ir_layer *X = &net->layers[e], *fk;
    long N, Nf, q;
    int hold;
    long long *dl;
    const long long *Tf;
    if (!branch_stage(net, e))
        return NULL;
    fk = &net->layers[X->in[0]];
    Tf = tm->t[X->in[0]];
    if (!Tf)
        return NULL;
    N = tm->n[e];
    Nf = (long)fk->h * fk->w;
    hold = stage_hold(X);
    dl = malloc((size_t)frames * N * sizeof *dl);
    if (!dl)
        return NULL;
    for (q = 0; q < (long)frames * N; q++)
        dl[q] = LLONG_MAX;
    if (ir_uses_window(X)) {
        int R = X->kernel + X->stride, f, r, c;
        for (f = 0; f < frames; f++)
            for (r = 0; r < X->h; r++) {
                long w = (long)f * fk->h + (long)r * X->stride - X->pad_t + R;   /* continuous input row */
                long last = (long)f * N + (long)r * X->w + X->w - 1;
                long long tw;
                if (w < 0)
                    continue;
                /* input row w's first pixel; past the frames simulated, the
                 * frame before it one period F later (F = 0: unthrottled) */
                if (w < (long)frames * fk->h)
                    tw = Tf[w * fk->w];
                else if (F > 0 && w - fk->h < (long)frames * fk->h)
                    tw = Tf[(w - fk->h) * fk->w] + F;
                else
                    continue;
                /* the row's windows issue before it */
                for (c = 0; c < X->w; c++) {
                    long o = last - (X->w - 1 - c);
                    long long d = tw - 1 - (X->w - 1 - c);
                    if (o - hold >= 0 && d < dl[o - hold])
                        dl[o - hold] = d;
                }
            }
    } else {
        for (q = hold; q < (long)frames * N + hold; q++) {
            if (q < (long)frames * Nf)
                dl[q - hold] = Tf[q] - 1;
            else if (F > 0)
                dl[q - hold] = Tf[q - Nf] + F - 1;
        }
    }
    /* entries leave in order, one per cycle at most */
    for (q = (long)frames * N - 2; q >= 0; q--)
        if (dl[q + 1] != LLONG_MAX && dl[q + 1] - 1 < dl[q])
            dl[q] = dl[q + 1] - 1;
    for (q = 0; q < (long)frames * N; q++)   /* in place: the entries */
        dl[q] = dl[q] == LLONG_MAX ? tm->t[e][q] : max2(tm->t[e][q], dl[q]);
    return dl;
}

/* Backpressure from the bottleneck: in steady state no tensor runs ahead of
 * its share of the frame, pixel n (counted over frames) not before
 * T(0) + floor(n * F / N). Without it a stage upstream of the bottleneck
 * whose inputs are all present (the bottom rows of a 'same' window, which
 * wait only for the last input row) would burst; in the pipeline the
 * bottleneck's back-pressure spreads those pixels out. Raises T[n] to the
 * bound and returns the stage's acceptance cycle a (which follows it). */
typedef struct pacer {
    long long off;       /* floor(n * F / N) for the current n */
    long rem;            /* (n * F) mod N */
    long long dq;        /* F / N */
    long dr;             /* F mod N */
    long N;
} pacer;

static void pacer_init(pacer *pc, long F, long N)
{
    pc->off = 0;
    pc->rem = 0;
    pc->dq = F > 0 ? F / N : 0;
    pc->dr = F > 0 ? F % N : 0;
    pc->N = N;
}

/* Called for n = 0, 1, 2, ... in turn (the pixels counted over frames). */
static long long pace(pacer *pc, long long *T, long n, long F, int lat, long long a)
{
    long long lb;
    if (F <= 0)
        return a;
    if (n > 0) {
        pc->off += pc->dq;
        pc->rem += pc->dr;
        if (pc->rem >= pc->N) {
            pc->rem -= pc->N;
            pc->off++;
        }
    }
    lb = T[0] + pc->off;
    if (n > 0 && T[n] < lb) {
        T[n] = lb;
        return lb - lat;
    }
    return a;
}

/* Runs `frames` frames with the input at F cycles per frame (F = 0: one
 * pixel per cycle). fifo_lat[i*2+k] is the extra latency of add input k
 * (its FIFO), or 0. Returns 0 or -1 (out of memory). */
static int simulate(const ir_net *net, long F, int frames, const int *fifo_lat, timing *tm)
{
    int i, k, f;
    tm->t = calloc((size_t)net->n_layers, sizeof *tm->t);
    tm->n = calloc((size_t)net->n_layers, sizeof *tm->n);
    tm->first0 = calloc((size_t)net->n_layers, sizeof *tm->first0);
    tm->first1 = calloc((size_t)net->n_layers, sizeof *tm->first1);
    tm->wait = calloc((size_t)net->n_layers * 2, sizeof *tm->wait);
    if (!tm->t || !tm->n || !tm->first0 || !tm->first1 || !tm->wait)
        return -1;
    for (i = 0; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        long N = (long)L->h * L->w, p;
        long long *T = malloc((size_t)frames * (size_t)N * sizeof *T), a = -1000000000LL, sig = -1000000000LL;
        int ii = stage_output_cycles(net, L), lat = rec_latency(net, L);
        pacer pc;
        pacer_init(&pc, F, N);
        tm->n[i] = N;
        tm->t[i] = T;
        if (!T)
            return -1;
        if (L->op == IR_INPUT) {
            long long q = 0;   /* floor(p * F / N), kept without a division */
            long r = 0, dq = F > 0 ? F / N : 1, dr = F > 0 ? F % N : 0;
            for (p = 0; p < (long)frames * N; p++) {
                T[p] = q;
                q += dq;
                r += dr;
                if (r >= N) {
                    r -= N;
                    q++;
                }
            }
        } else if (stage_window_fold(L)) {
            /* rf_window_fold: a window's first beat is issued 2 cycles
             * after its last needed pixel arrived, valid 2 cycles later,
             * taken II + 1 cycles after the previous window's first beat
             * (ii counts the cycle between windows) */
            const long long *Ti = tm->t[L->in[0]];
            long Ni = tm->n[L->in[0]];
            stage_win w;
            stage_win_init(&w, L, &net->layers[L->in[0]]);
            for (f = 0; f < frames; f++) {
                for (p = 0; p < N; p++) {
                    long r = p / w.WO, c = p % w.WO, col = c * w.S + w.Q;
                    int n = w.H - 1 + w.pt - (int)r * w.S;
                    if (n > w.K - 1)
                        n = w.K - 1;
                    if (col > w.W - 1)
                        col = w.W - 1;
                    a = max2(Ti[(long)f * Ni + (r * w.S - w.pt + n) * w.W + col] + 4, a + ii);
                    T[(long)f * N + p] = a + lat;
                    a = pace(&pc, T, (long)f * N + p, F, lat, a);
                }
            }
        } else if (ir_uses_window(L)) {
            const long long *Ti = tm->t[L->in[0]];
            long Ni = tm->n[L->in[0]], gprev = 0;
            stage_win w;
            stage_win_init(&w, L, &net->layers[L->in[0]]);
            for (f = 0; f < frames; f++) {
                long r = 0, c = 0;
                for (p = 0; p < N; p++, c = c + 1 < w.WO ? c + 1 : (r++, 0)) {
                    long g = r * w.V + c * w.S + w.Q, extra, need, gap;
                    long long s;
                    need = win_need(&w, r, g, &extra);
                    gap = (f || p) ? (p ? g - gprev : g + w.steps - gprev) : 1;
                    s = Ti[(long)f * Ni + need] + 1 + extra;
                    s = max2(s, sig + gap);
                    s = max2(s, a + gap - 2);
                    sig = s;
                    gprev = g;
                    a = max2(s + 2, a + ii);
                    T[(long)f * N + p] = a + lat;
                    a = pace(&pc, T, (long)f * N + p, F, lat, a);
                }
            }
        } else if (L->op == IR_GLOBAL_POOL) {
            const long long *Ti = tm->t[L->in[0]];
            long Ni = tm->n[L->in[0]];
            for (f = 0; f < frames; f++) {
                a = max2(Ti[(long)f * Ni + Ni - 1], a + 1);
                T[f] = a + lat;
                a = pace(&pc, T, f, F, lat, a);
            }
        } else if (L->op == IR_ADD) {
            for (k = 0; k < L->n_inputs; k++) {
                long long *late = branch_entries(net, tm, L->in[k], frames, F);
                tm->wait[i * 2 + k] = waiting(late ? late : tm->t[L->in[k]], tm->t[L->in[0]], tm->t[L->in[1]],
                                              (long)frames * N);
                free(late);
            }
            for (p = 0; p < (long)frames * N; p++) {
                long long m = -1;
                for (k = 0; k < L->n_inputs; k++)
                    m = max2(m, tm->t[L->in[k]][p] + fifo_lat[i * 2 + k]);
                a = max2(m, a + ii);
                T[p] = a + lat;
                a = pace(&pc, T, p, F, lat, a);
            }
        } else {
            /* 1x1 stride-1 conv / depthwise, dense: one input pixel per output */
            const long long *Ti = tm->t[L->in[0]];
            for (p = 0; p < (long)frames * N; p++) {
                a = max2(Ti[p], a + ii);
                T[p] = a + lat;
                a = pace(&pc, T, p, F, lat, a);
            }
        }
        tm->first0[i] = T[0];
        tm->first1[i] = T[(long)(frames - 1) * N];
        /* free the tensors no later layer reads */
        for (k = 0; k <= i; k++) {
            int j, live = 0;
            for (j = i + 1; j < net->n_layers && !live; j++) {
                const ir_layer *J = &net->layers[j];
                live = J->in[0] == k || (J->n_inputs > 1 && J->in[1] == k);
                /* a fork feeding a one-stage branch into an add: branch_entries reads it */
                if (J->op == IR_ADD)
                    for (int m = 0; m < J->n_inputs; m++)
                        if (branch_stage(net, J->in[m]) && net->layers[J->in[m]].in[0] == k)
                            live = 1;
            }
            if (!live && tm->t[k]) {
                free(tm->t[k]);
                tm->t[k] = NULL;
            }
        }
    }
    return 0;
}

/* Cycle-model refinement (docs/fifo-sizing.md, "Exact depths: the cycle
 * model"): the smallest depth of each FIFO, the others deep (bound * 4 +
 * 64), at which SIZE_FRAMES frames stream with every frame done the same
 * number of cycles after the first as with all of them deep; then all at
 * once, raised one at a time until that holds too and lowered back where
 * it still does.
 * Only within a budget of simulated layer-cycles; returns 1 when the
 * depths were refined, 0 when over budget (the bounds stay), -1 when out of
 * memory. */
#define SIZE_FRAMES 4
#define SIZE_BUDGET 60000000LL

/* Layer-cycles of one cycle-model run of `frames` frames (cycles per frame F). */
static long long model_cost(const ir_net *net, long F, int frames)
{
    return (long long)(frames + 1) * F * (net->n_layers + net->n_fifos);
}

static int same_frames(const cyclesim_result *a, const cyclesim_result *b)
{
    int f;
    if (a->deadlock || b->deadlock)
        return 0;
    for (f = 1; f < SIZE_FRAMES; f++)
        if (a->frame_done[f] - a->frame_done[0] != b->frame_done[f] - b->frame_done[0])
            return 0;
    return 1;
}

/* 1 when the depths keep the reference's frame times, and (gap > 0) do
 * not deadlock with the host pausing `gap` cycles after every input beat;
 * 0 when not; -1 when out of memory. */
static int probe(const ir_net *net, const int *depth, long long idle, long gap, const cyclesim_result *ref)
{
    cyclesim_result r;
    int ok;
    if (cyclesim_run(net, depth, SIZE_FRAMES, idle, &r, NULL))
        return -1;
    ok = same_frames(&r, ref);
    free(r.frame_done);
    if (ok && gap > 0) {
        if (cyclesim_run_gap(net, depth, 2, idle, gap, &r, NULL))
            return -1;
        ok = !r.deadlock;
        free(r.frame_done);
    }
    return ok;
}

static int refine_fifos(ir_net *net, long F)
{
    int i, k, n = net->n_fifos, *d, rc = -1, ok;
    long long per, probes = 2, idle = 4 * (long long)F + 100000;
    long gap = 16;
    cyclesim_result ref = {0}, sparse = {0};
    if (n == 0)
        return 0;
    /* a gap after every input beat longer than all the stages' latencies
     * together: every pipeline drains between beats and holds at most its
     * output register, the least the stages buffer (at full rate a stage's
     * pipeline holds beats in flight that a FIFO would otherwise need to;
     * rnd_2_0 of the random test deadlocked under input gaps at the depth
     * full rate needs) */
    for (i = 1; i < net->n_layers; i++)
        gap += net->layers[i].latency;
    for (i = 0; i < n; i++) {
        int b = net->fifos[i].depth;
        while (b > 1) {
            probes++;
            b /= 2;
        }
    }
    per = model_cost(net, F, SIZE_FRAMES);
    if (per * probes > SIZE_BUDGET)
        return 0;
    d = malloc((size_t)n * sizeof *d);
    if (!d)
        return -1;
    for (i = 0; i < n; i++)
        d[i] = net->fifos[i].depth * 4 + 64;
    if (cyclesim_run(net, d, SIZE_FRAMES, idle, &ref, NULL))
        goto out;
    if (ref.deadlock) {   /* not expected: keep the bounds */
        rc = 0;
        goto out;
    }
    /* the deep FIFOs with input gaps: not expected to deadlock; if they do,
     * the depths are sized for the full rate alone */
    if (cyclesim_run_gap(net, d, 2, idle, gap, &sparse, NULL))
        goto out;
    if (sparse.deadlock)
        gap = 0;
    /* each FIFO down from its bound, the others deep: steps of 1, 2, 4 ...
     * while it keeps the reference (the bound is usually within a few
     * elements of the minimum), then bisection of the last step */
    for (i = 0; i < n; i++) {
        int hi = net->fifos[i].depth, lo, step = 1, keep = d[i];
        for (;;) {
            lo = hi - step < 1 ? 1 : hi - step;
            if (lo < 2)
                break;
            d[i] = lo;
            if ((ok = probe(net, d, idle, gap, &ref)) < 0)
                goto out;
            if (!ok)
                break;
            hi = lo;
            step *= 2;
        }
        while (hi - lo > 1) {
            int m = (lo + hi) / 2 < 2 ? 2 : (lo + hi) / 2;
            d[i] = m;
            if ((ok = probe(net, d, idle, gap, &ref)) < 0)
                goto out;
            if (ok)
                hi = m;
            else
                lo = m;
        }
        d[i] = keep;
        net->fifos[i].depth = hi;
    }
    /* all at their minimum together; while that loses a cycle, raise them
     * one at a time (round robin, up to their bounds), then lower again
     * every one that can go back */
    for (i = 0; i < n; i++)
        d[i] = net->fifos[i].depth;
    ok = probe(net, d, idle, gap, &ref);
    for (k = 0; ok == 0; k = (k + 1) % n) {
        int room = 0;
        for (i = 0; i < n; i++)
            room |= d[i] < net->fifos[i].bound;
        if (!room)
            break;
        if (d[k] < net->fifos[k].bound) {
            d[k]++;
            ok = probe(net, d, idle, gap, &ref);
        }
    }
    for (i = 0; ok == 1 && i < n; i++)
        while (ok == 1 && d[i] > net->fifos[i].depth) {
            d[i]--;
            if ((ok = probe(net, d, idle, gap, &ref)) == 0) {
                d[i]++;
                ok = 1;
                break;
            }
        }
    if (ok < 0)
        goto out;
    for (i = 0; i < n; i++) {
        net->fifos[i].depth = d[i];
        net->fifos[i].simulated = ok;
        if (!ok)
            net->fifos[i].depth = net->fifos[i].bound;
    }
    rc = ok;
out:
    free(ref.frame_done);
    free(sparse.frame_done);
    free(d);
    return rc;
}

int sched_run(ir_net *net, sched_override *ov, int n_ov)
{
    int i, k, rc = 0, *fifo_lat = NULL;
    long F = 0;
    timing tm = {0};
    ir_fifo *fifos;

    for (i = 0; i < net->n_layers; i++) {
        ir_layer *L = &net->layers[i];
        L->ii = stage_ii(L);
        L->latency = stage_latency(L) +
                     (stage_window_fold(L) ? STAGE_WINDOW_FOLD_LATENCY : ir_uses_window(L) ? STAGE_WINDOW_LATENCY : 0);
        L->cycles_per_frame = stage_frame_cycles(net, L);
        if (L->cycles_per_frame > F) {
            F = L->cycles_per_frame;
            net->bottleneck = i;
        }
    }

    fifos = calloc((size_t)net->n_layers * IR_MAX_INPUTS, sizeof *fifos);
    fifo_lat = calloc((size_t)net->n_layers * IR_MAX_INPUTS, sizeof *fifo_lat);
    net->fifos = fifos;
    net->n_fifos = 0;
    if (!fifos || !fifo_lat)
        goto oom;

    /* the throttled run */
    if (simulate(net, F, SCHED_FRAMES, fifo_lat, &tm))
        goto oom;

    /* FIFOs on the add inputs that wait */
    for (i = 1; i < net->n_layers; i++) {
        ir_layer *L = &net->layers[i];
        if (L->op != IR_ADD)
            continue;
        for (k = 0; k < L->n_inputs; k++) {
            long D = tm.wait[i * 2 + k];
            if (D > 0) {
                ir_fifo *fi = &fifos[net->n_fifos++];
                const ir_layer *pr = &net->layers[L->in[k]];
                snprintf(fi->name, sizeof fi->name, "%s_to_%s", pr->name, L->name);
                fi->producer = L->in[k];
                fi->consumer = i;
                fi->slot = k;
                fi->depth = (int)(D + 1 < 2 ? 2 : D + 1);
                fi->bound = fi->depth;
                fi->width_bits = pr->c * 8;
                fifo_lat[i * 2 + k] = SCHED_FIFO_LATENCY;
            }
        }
    }
    timing_free(&tm, net->n_layers);

    net->predicted_cycles_per_frame = (double)F;
    net->recurrence_cycles_per_frame = F;
    /* the exact minimum by the cycle model, unless depths are given */
    if (n_ov == 0 && !net->bounds_only && refine_fifos(net, F) < 0)
        goto oom;
    if (net->sizing_only)
        goto names;

    /* steady-state delays (frame 1), with the FIFOs' latency */
    if (simulate(net, F, SCHED_FRAMES, fifo_lat, &tm))
        goto oom;
    for (i = 0; i < net->n_layers; i++)
        net->layers[i].delay = (long)(tm.first1[i] - tm.first1[0]);
    timing_free(&tm, net->n_layers);

    /* first output: one frame, input unthrottled */
    if (simulate(net, 0, 1, fifo_lat, &tm))
        goto oom;
    net->predicted_first_output_latency = (long)tm.first0[net->output];
    timing_free(&tm, net->n_layers);

names:
    /* FIFO names become port and instance names: they must be unique */
    for (i = 0; i < net->n_fifos; i++)
        for (k = 0; k < i; k++)
            if (!strcmp(fifos[i].name, fifos[k].name)) {
                diag_node(net->layers[fifos[i].consumer].node,
                          "FIFO name '%s' is generated twice (%s -> %s and %s -> %s); rename a layer",
                          fifos[i].name, net->layers[fifos[k].producer].name, net->layers[fifos[k].consumer].name,
                          net->layers[fifos[i].producer].name, net->layers[fifos[i].consumer].name);
                rc = -1;
            }

    for (k = 0; k < n_ov; k++) {
        for (i = 0; i < net->n_fifos; i++)
            if (!strcmp(fifos[i].name, ov[k].name)) {
                fifos[i].depth = ov[k].depth;
                fifos[i].overridden = 1;
                ov[k].used = 1;
            }
        if (!ov[k].used) {
            char list[1024] = "";
            size_t o = 0;
            for (i = 0; i < net->n_fifos && o < sizeof list; i++)
                o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", i ? ", " : "", fifos[i].name);
            diag_plain("--fifo-depth: no FIFO named '%s' (FIFOs: %s)", ov[k].name, net->n_fifos ? list : "none");
            rc = -1;
        }
    }
    /* the cycle model on the final depths: cycles per frame and first output
     * as the host measures them. gen runs it at any size (its cost is linear
     * in the frame, about 2.5e8 layer-cycles per second); resflow size and
     * board_auto_fold (sizing_only, bounds_only) within a budget, and keep
     * the recurrence's F otherwise (a lower bound) */
    if (rc == 0 && !net->bounds_only && (!net->sizing_only || model_cost(net, F, 3) <= SIZE_BUDGET / 4)) {
        cyclesim_result r;
        if (cyclesim_run(net, NULL, 3, 4 * (long long)F + 100000, &r, NULL)) {
            free(r.frame_done);
            goto oom;
        }
        net->cycle_modeled = 1;
        net->model_deadlock = r.deadlock || r.first_out < 0;
        if (!net->model_deadlock) {
            net->predicted_cycles_per_frame = r.cycles_per_frame;
            net->predicted_first_output_latency = (long)r.first_out;
        }
        free(r.frame_done);
    }
    free(fifo_lat);
    return rc;

oom:
    timing_free(&tm, net->n_layers);
    free(fifo_lat);
    diag_plain("out of memory");
    return -1;
}
