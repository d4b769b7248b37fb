/*
 * cyclesim.c - the generated pipeline, cycle by cycle, at the level of its
 * handshakes (no data): a model of every template's registers that decide
 * when a beat moves (docs/fifo-sizing.md, "Exact depths: the cycle model").
 *
 * Mirrored from the templates' headers and RTL:
 *   rf_window      writer: s_axis_tready = (writer row - T <= R-1), registered;
 *                  reader: step = ce && (pad-only step || pixel (T+n, c)
 *                  written in an earlier cycle), n = min(K-1, rows below T);
 *                  the step counters c, stride phase, pad steps, rows below T;
 *                  stage 1 and the output register, both moved by
 *                  ce = !m_axis_tvalid || m_axis_tready.
 *   rf_window_fold the same writer; reader: a window's first beat issued when
 *                  pixel (T+n, min(ox*S+Q, W-1)) was written two cycles
 *                  before (rdy_reg: present in the cycle before, and not
 *                  in the cycle the previous window's last beat issued),
 *                  its other REPEAT*K*K*C/SIMD - 1 beats in the
 *                  enabled cycles after it; T advances after an output row's
 *                  last beat; stage 1 and the output register as rf_window's.
 *                  Its MAC (STREAM = 1) takes a beat whenever its ce is
 *                  high and pushes the window at its last beat, valid
 *                  2 + PIPE + RQ_LAT enabled cycles later.
 *   rf_conv_mac, rf_dw_mac, rf_pool, rf_add
 *                  one pipeline enable ce = !m_axis_tvalid || m_axis_tready;
 *                  an input taken in a cycle with C enabled cycles before it
 *                  is valid on m_axis once C + LATENCY enabled cycles have
 *                  passed; the next input is taken II enabled cycles after
 *                  the last (MAC: s_axis_tready = ce && (!busy || last step);
 *                  pool: ce; add: ce and the other input valid).
 *   rf_global_pool the first n-1 pixels of a frame always taken; the last when
 *                  its result registers are free; CHANNELS enabled cycles of
 *                  issue, valid 2 enabled cycles after the last issue.
 *   rf_axis_fork   per-output done flags; the input released when every
 *                  output has taken the beat.
 *   rf_axis_fifo   s_axis_tready = count < DEPTH (registered); the output
 *                  register loads from the RAM (beats written in earlier
 *                  cycles) when empty or emptied.
 *   READY_REG = 1  (net->registered_ready) every compute stage above:
 *                  ce = !m_axis_tvalid; the output register empties when
 *                  its beat is taken, in a cycle with ce low.
 *   the host       offers the input one beat per cycle from cycle 0 and always
 *                  takes the output (no gaps, no back-pressure).
 */
#include "cyclesim.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stage.h"

enum { K_INPUT, K_STAGE, K_ADD, K_GPOOL };

typedef struct cs_layer {
    int kind, ii, lat;
    long n_out;                  /* output pixels per frame */
    /* the stage's pipeline: enabled cycles so far, and for the outputs in
     * flight the count at which each reaches m_axis (a ring) */
    long long C, C_last;
    long long *ring;
    long head, tail, cap;
    int ce, in_rdy, out_rdy, m_valid;
    /* rf_window (win = 1) */
    int win, H, W, K, S, pt, R, Q, V, F, HO, JUMP, yb_init, yb_last, ph_init;
    long jb;                     /* pixels written (continuous) */
    long T;                      /* top row of the reader's output row (continuous) */
    int c, ph, pad, padcnt, ryb, s1, wout, w_ready;
    /* rf_window_fold (fold = 1): the window's beat, its column; the
     * last-beat flags of stage 1 and the output register */
    int fold, WO, beat, ox, s1_lastw, wout_lastw, rdy;
    /* rf_global_pool */
    long gp_pix, gp_n;           /* pixels of the current frame taken, of a frame */
    int gp_busy, gp_issued, gp_ch;
    /* the input */
    long in_sent, in_total;
    /* the output tensor's fork: consumers in emit order, their done flags */
    int nc;
    int *cons, *slot;            /* consumer layer (-1: the host), its input slot */
    unsigned char *done;
    int *erdy;                   /* each consumer's input ready, this cycle */
    /* this cycle's events */
    int take, w_write, gp_take, add_go;
} cs_layer;

typedef struct cs_fifo {
    int depth, count, fout, wr, pop, count_prev;
} cs_fifo;

static int head_valid(const cs_layer *L)
{
    return L->head != L->tail && L->C >= L->ring[L->head % L->cap];
}

static void push(cs_layer *L, long long exit_count)
{
    L->ring[L->tail++ % L->cap] = exit_count;
}

int cyclesim_run(const ir_net *net, const int *depth, int frames, long long max_idle, cyclesim_result *res,
                 FILE *trace)
{
    return cyclesim_run_gap(net, depth, frames, max_idle, 0, res, trace);
}

int cyclesim_run_gap(const ir_net *net, const int *depth, int frames, long long max_idle, long gap,
                     cyclesim_result *res, FILE *trace)
{
    int n = net->n_layers, i, j, k, rc = -1;
    long long next_in = 0;                 /* the host offers its next beat from this cycle */
    cs_layer *ls = calloc((size_t)n, sizeof *ls);
    cs_fifo *fs = calloc((size_t)net->n_fifos + 1, sizeof *fs);
    int *evalid = NULL, *fifo_at = NULL;   /* per layer input: its FIFO or -1 */
    long long t = 0, idle = 0, out_beats = 0, n_out_total;
    long out_n;
    memset(res, 0, sizeof *res);
    res->first_out = -1;
    if (!ls || !fs)
        goto out;
    out_n = (long)net->layers[net->output].h * net->layers[net->output].w;
    n_out_total = (long long)frames * out_n;
    res->frame_done = calloc((size_t)frames, sizeof *res->frame_done);
    if (!res->frame_done)
        goto out;

    for (i = 0; i < n; i++) {
        const ir_layer *X = &net->layers[i];
        cs_layer *L = &ls[i];
        L->n_out = (long)X->h * X->w;
        L->C_last = LLONG_MIN / 4;
        L->kind = X->op == IR_INPUT ? K_INPUT : X->op == IR_ADD ? K_ADD : X->op == IR_GLOBAL_POOL ? K_GPOOL : K_STAGE;
        L->ii = i ? stage_ii(X) : 1;
        L->lat = i ? stage_latency(X) : 0;
        L->cap = L->lat / (L->ii > 0 ? L->ii : 1) + 4;
        L->ring = calloc((size_t)L->cap, sizeof *L->ring);
        L->cons = calloc((size_t)X->n_consumers + 1, sizeof *L->cons);
        L->slot = calloc((size_t)X->n_consumers + 1, sizeof *L->slot);
        L->done = calloc((size_t)X->n_consumers + 1, 1);
        L->erdy = calloc((size_t)X->n_consumers + 1, sizeof *L->erdy);
        if (!L->ring || !L->cons || !L->slot || !L->done || !L->erdy)
            goto out;
        if (L->kind == K_INPUT)
            L->in_total = (long)frames * L->n_out;
        if (L->kind == K_GPOOL)
            L->gp_ch = X->c;
        if (i && ir_uses_window(X)) {
            stage_win g;
            stage_win_init(&g, X, &net->layers[X->in[0]]);
            L->win = 1;
            L->H = g.H;
            L->W = g.W;
            L->K = g.K;
            L->S = g.S;
            L->pt = g.pt;
            L->R = g.R;
            L->Q = g.Q;
            L->HO = g.HO;
            L->F = g.F;
            L->V = g.V;
            L->JUMP = g.JUMP;
            L->yb_init = L->H - 1 + L->pt;
            L->yb_last = L->yb_init - (L->HO - 1) * L->S;
            L->ph_init = (L->S - L->Q % L->S) % L->S;
            L->ryb = L->yb_init;
            L->ph = L->ph_init;
            L->T = -L->pt;
            if (stage_window_fold(X)) {
                /* pushed at a window's last beat: LATENCY less its other
                 * II - 1 beats */
                L->fold = 1;
                L->WO = g.WO;
                L->lat -= L->ii - 1;
            }
        }
    }
    /* consumers in the order emit.c wires the fork's outputs */
    for (i = 0; i < n; i++) {
        for (j = 1; j < n; j++)
            for (k = 0; k < net->layers[j].n_inputs; k++)
                if (net->layers[j].in[k] == i) {
                    ls[i].cons[ls[i].nc] = j;
                    ls[i].slot[ls[i].nc++] = k;
                }
        if (i == net->output) {
            ls[i].cons[ls[i].nc] = -1;
            ls[i].slot[ls[i].nc++] = 0;
        }
    }
    for (i = 0; i < net->n_fifos; i++) {
        fs[i].depth = depth ? depth[i] : net->fifos[i].depth;
    }
    evalid = calloc((size_t)n * IR_MAX_INPUTS, sizeof *evalid);
    fifo_at = malloc((size_t)n * IR_MAX_INPUTS * sizeof *fifo_at);
    if (!evalid || !fifo_at)
        goto out;
    for (i = 0; i < n * IR_MAX_INPUTS; i++)
        fifo_at[i] = -1;
    for (i = 0; i < net->n_fifos; i++)
        fifo_at[net->fifos[i].consumer * IR_MAX_INPUTS + net->fifos[i].slot] = i;
    for (i = 0; i < n; i++)
        if (ls[i].kind == K_GPOOL)
            ls[i].gp_n = (long)net->layers[net->layers[i].in[0]].h * net->layers[net->layers[i].in[0]].w;

    for (i = 0; i < n; i++)
        if (ls[i].win)
            ls[i].w_ready = 1;
    while (out_beats < n_out_total && idle <= max_idle) {
        int moved = 0, event = 0;
        /* 1. valids from registers: each layer's output, each edge */
        for (i = 0; i < n; i++) {
            cs_layer *L = &ls[i];
            L->m_valid = L->kind == K_INPUT ? L->in_sent < L->in_total && t >= next_in : head_valid(L);
            for (j = 0; j < L->nc; j++)
                if (L->cons[j] >= 0)
                    evalid[L->cons[j] * IR_MAX_INPUTS + L->slot[j]] = L->m_valid && !(L->nc > 1 && L->done[j]);
        }
        /* 2. readies, from the host back to the input (consumers come after
         * their producers in the layer order) */
        for (i = n - 1; i >= 0; i--) {
            cs_layer *L = &ls[i];
            int r = 1;
            for (j = 0; j < L->nc; j++) {
                int c = L->cons[j], er;
                if (c < 0)
                    er = 1;
                else {
                    int f = fifo_at[c * IR_MAX_INPUTS + L->slot[j]];
                    if (f >= 0)
                        er = fs[f].count < fs[f].depth;
                    else if (ls[c].win)
                        er = ls[c].w_ready;
                    else if (ls[c].kind == K_ADD)
                        er = (ls[c].in_rdy >> L->slot[j]) & 1;
                    else
                        er = ls[c].in_rdy;
                }
                L->erdy[j] = er;
                r = r && (er || (L->nc > 1 && L->done[j]));
            }
            L->out_rdy = r;
            if (L->kind == K_INPUT)
                continue;
            L->ce = !L->m_valid || (!net->registered_ready && L->out_rdy);   /* READY_REG: !m_axis_tvalid */
            if (L->kind == K_ADD) {
                int v[2];
                for (k = 0; k < 2; k++) {
                    int f = fifo_at[i * IR_MAX_INPUTS + k];
                    v[k] = f >= 0 ? fs[f].fout : evalid[i * IR_MAX_INPUTS + k];
                }
                /* rf_add: ready = ce && (!busy || last step) && the other valid */
                int free_ = L->C >= L->C_last + L->ii;
                L->in_rdy = (L->ce && free_ && v[0]) << 1 | (L->ce && free_ && v[1]);   /* bit k: input k may transfer */
                L->add_go = L->ce && free_ && v[0] && v[1];
            } else if (L->kind == K_GPOOL) {
                int last_pix = L->gp_pix == L->gp_n - 1;
                int last_issue = L->ce && L->gp_busy && L->gp_issued == L->gp_ch - 1;
                L->in_rdy = !last_pix || !L->gp_busy || last_issue;
            } else if (L->fold) {
                L->in_rdy = L->ce;   /* rf_conv_mac STREAM: s_axis_tready = ce */
            } else {
                L->in_rdy = L->ce && L->C >= L->C_last + L->ii;
            }
        }
        /* 3. transfers, then the registers */
        for (i = 0; i < n; i++) {
            cs_layer *L = &ls[i];
            int fork_xfer = L->m_valid && L->out_rdy;
            for (j = 0; j < L->nc; j++) {
                int c = L->cons[j], x = L->m_valid && !(L->nc > 1 && L->done[j]) && L->erdy[j];
                if (L->nc > 1)
                    L->done[j] = (unsigned char)(fork_xfer ? 0 : (L->done[j] || x));
                if (!x)
                    continue;
                moved = 1;
                if (c < 0) {
                    if (out_beats == 0)
                        res->first_out = t;
                    out_beats++;
                    if (out_beats % out_n == 0)
                        res->frame_done[out_beats / out_n - 1] = t;
                } else {
                    cs_layer *Cn = &ls[c];
                    int f = fifo_at[c * IR_MAX_INPUTS + L->slot[j]];
                    if (f >= 0)
                        fs[f].wr = 1;
                    else if (Cn->win)
                        Cn->w_write = 1;
                    else if (Cn->kind == K_GPOOL)
                        Cn->gp_take = 1;
                    else if (Cn->kind == K_STAGE)
                        Cn->take = 1;
                    /* an add's direct input: taken with its other input (add_go) */
                }
            }
            if (fork_xfer) {
                if (L->kind == K_INPUT) {
                    L->in_sent++;
                    next_in = t + 1 + gap;
                }
                else
                    L->head++;
            }
        }
        for (i = 1; i < n; i++) {
            cs_layer *L = &ls[i];
            if (L->kind == K_ADD && L->add_go) {
                for (k = 0; k < 2; k++) {
                    int f = fifo_at[i * IR_MAX_INPUTS + k];
                    if (f >= 0)
                        fs[f].pop = 1;
                }
                L->take = 1;
            }
            if (L->fold) {
                /* rf_window_fold: issue -> stage 1 -> output register */
                int w_ce = !L->wout || L->in_rdy, issue = 0;
                int nn = L->ryb + 1 < L->K ? L->ryb : L->K - 1;
                long xneed = (long)L->ox * L->S + L->Q;
                if (xneed > L->W - 1)
                    xneed = L->W - 1;
                if (L->wout && L->in_rdy) {
                    event = 1;
                    L->take = L->wout_lastw;
                }
                /* the first beat's check is registered (rdy_reg): the pixel
                 * present in the cycle before, for the window of this one */
                int dr = L->jb > (L->T + nn) * (long)L->W + xneed, last_issue;
                if (w_ce)
                    issue = L->beat > 0 || L->rdy;
                last_issue = issue && L->beat == L->ii - 1;
                if (L->rdy != (dr && !last_issue))
                    event = 1;
                L->rdy = dr && !last_issue;
                if (w_ce) {
                    if (L->wout != L->s1 || L->s1 != issue)
                        event = 1;
                    L->wout = L->s1;
                    L->wout_lastw = L->s1_lastw;
                    L->s1 = issue;
                    L->s1_lastw = issue && L->beat == L->ii - 1;
                }
                if (issue) {
                    event = 1;
                    if (L->beat < L->ii - 1)
                        L->beat++;
                    else {
                        L->beat = 0;
                        if (L->ox < L->WO - 1)
                            L->ox++;
                        else {
                            L->ox = 0;
                            if (L->ryb != L->yb_last) {
                                L->ryb -= L->S;
                                L->T += L->S;
                            } else {
                                L->ryb = L->yb_init;
                                L->T += L->JUMP;
                            }
                        }
                    }
                }
                if (L->w_write)
                    L->jb++;
                L->w_write = 0;
                L->w_ready = L->jb / L->W - L->T <= L->R - 1;
            } else if (L->win) {
                int w_ce = !L->wout || L->in_rdy, step = 0, emit = 0;
                int data_step = !L->pad && L->c < L->W;
                int nn = L->ryb + 1 < L->K ? L->ryb : L->K - 1;
                if (L->wout && L->in_rdy)
                    L->take = 1;
                if (w_ce)
                    step = !data_step || L->jb > (L->T + nn) * (long)L->W + L->c;
                if (step)
                    emit = L->pad || (L->c >= L->Q && L->ph == 0) || (L->ryb != L->yb_init && L->c < L->F);
                if (w_ce) {
                    if (L->wout != L->s1 || L->s1 != (step && emit))
                        event = 1;
                    L->wout = L->s1;
                    L->s1 = step && emit;
                }
                if (step) {
                    event = 1;
                    if (L->pad) {
                        if (L->padcnt == L->F - 1) {
                            L->pad = 0;
                            L->padcnt = 0;
                            L->ryb = L->yb_init;
                            L->T += L->JUMP;
                        } else
                            L->padcnt++;
                    } else if (L->c == L->V - 1) {
                        L->c = 0;
                        L->ph = L->ph_init;
                        if (L->ryb != L->yb_last) {
                            L->ryb -= L->S;
                            L->T += L->S;
                        } else if (L->F > 0)
                            L->pad = 1;
                        else {
                            L->ryb = L->yb_init;
                            L->T += L->JUMP;
                        }
                    } else {
                        L->c++;
                        L->ph = L->ph == L->S - 1 ? 0 : L->ph + 1;
                    }
                }
                if (L->w_write)
                    L->jb++;
                L->w_write = 0;
                L->w_ready = L->jb / L->W - L->T <= L->R - 1;
            }
            if (L->kind == K_GPOOL) {
                if (L->ce && L->gp_busy) {
                    event = 1;
                    if (L->gp_issued == L->gp_ch - 1) {
                        L->gp_busy = 0;
                        push(L, L->C + 2);
                    } else
                        L->gp_issued++;
                }
                if (L->gp_take) {
                    if (L->gp_pix == L->gp_n - 1) {
                        L->gp_pix = 0;
                        L->gp_busy = 1;
                        L->gp_issued = 0;
                    } else
                        L->gp_pix++;
                }
                L->gp_take = 0;
            } else if (L->take) {
                event = 1;
                push(L, L->C + L->lat);
                L->C_last = L->C;
            }
            L->take = 0;
            if (L->ce)
                L->C++;
        }
        for (i = 0; i < net->n_fifos; i++) {
            cs_fifo *F = &fs[i];
            int load = F->count - F->fout > 0 && (!F->fout || F->pop);
            if (load || F->wr || F->pop)
                event = 1;
            F->fout = load ? 1 : (F->pop ? 0 : F->fout);
            F->count_prev = F->count;
            F->count += F->wr - F->pop;
            F->wr = F->pop = 0;
        }
        if (trace) {
            fprintf(trace, "%lld %ld %lld", t, ls[0].in_sent, out_beats);
            for (i = 0; i < net->n_fifos; i++)
                fprintf(trace, " %d", fs[i].count_prev);   /* the register, as the host reads it */
            fputc('\n', trace);
        }
        /* cycles the host spends on its gap are not idle */
        idle = moved || (ls[0].in_sent < ls[0].in_total && t < next_in) ? 0 : idle + 1;
        t++;
        /* Nothing moved or stepped: the next cycles repeat this one until a
         * stalled-free stage's enabled-cycle count C reaches its next head
         * (valid) or its next input (II): skip them. Not with a trace. */
        if (!moved && !event && !trace) {
            long long skip = LLONG_MAX;
            for (i = 1; i < n && skip > 0; i++) {
                const cs_layer *L = &ls[i];
                long long dh, da;
                if (!L->ce)
                    continue;
                /* a head that was not valid: valid once C reaches it */
                if (L->head != L->tail && !L->m_valid) {
                    dh = L->ring[L->head % L->cap] - L->C;
                    skip = dh <= 0 ? 0 : dh < skip ? dh : skip;
                }
                /* an input held back by II: taken once C reaches C_last + II */
                da = L->C_last + L->ii - L->C;
                if (L->kind != K_GPOOL && !L->fold && L->C - 1 < L->C_last + L->ii)
                    skip = da <= 0 ? 0 : da < skip ? da : skip;
            }
            /* the host's next beat after its gap */
            if (ls[0].in_sent < ls[0].in_total && t < next_in && next_in - t < skip)
                skip = next_in - t;
            if (skip == LLONG_MAX)
                skip = max_idle - idle + 1;   /* nothing will change: stuck */
            if (skip > 0) {
                for (i = 1; i < n; i++)
                    if (ls[i].ce)
                        ls[i].C += skip;
                t += skip;
                idle += skip;
            }
        }
    }
    res->cycles = t;
    res->deadlock = out_beats < n_out_total;
    res->cycles_per_frame = !res->deadlock && frames > 1
                                ? (double)(res->frame_done[frames - 1] - res->frame_done[0]) / (frames - 1)
                                : 0;
    rc = 0;
out:
    free(evalid);
    free(fifo_at);
    for (i = 0; ls && i < n; i++) {
        free(ls[i].ring);
        free(ls[i].cons);
        free(ls[i].slot);
        free(ls[i].done);
        free(ls[i].erdy);
    }
    free(ls);
    free(fs);
    return rc;
}
