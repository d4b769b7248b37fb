/*
 * sched.c - latency analysis and FIFO sizing (model: docs/fifo-sizing.md).
 *
 * Time is counted in clock cycles from the transfer of input pixel 0. With
 * the pipeline's bottleneck period P (max II over the stages, cycles per
 * pixel), pixel j of a tensor t is transferred at j*P + delay(t) in steady
 * state. The delays compose along the graph:
 *   input:           0
 *   conv K x K:      delay(in) + (pad*W + pad)*P + WINDOW_LATENCY + MAC_LATENCY
 *   conv 1 x 1:      delay(in) + MAC_LATENCY
 *   add:             max over inputs (delay(in_i) [+ FIFO_LATENCY]) + ADD_LATENCY
 * An add input whose delay d_e is below the latest input's d_max must hold
 * the pixels that arrive while it waits: D = ceil((d_max - d_e) / P)
 * elements. Its FIFO gets D + 1: the FIFO's s_axis_tready is registered
 * (count < DEPTH), so in the cycle that it pops its oldest element it cannot
 * also accept into that slot; one element of slack covers it.
 */
#include "sched.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int sched_mac_latency(int sf, int nf)
{
    /* rf_conv_mac: input register, NF*SF steps, product/accumulate, requant
     * (3 stages), output register. Kept in step with its LATENCY localparam. */
    return sf * nf + 5;
}

int sched_add_latency(void)
{
    /* rf_add: two requant pipelines (3 + 3), the sum, the output register. */
    return 8;
}

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
        if (L->op == IR_CONV2D && L->kernel > 1)
            plan->line_buffer_ebr += (L->kernel + 1) * sched_ebr_blocks(net->layers[L->in[0]].w, L->in_c * 8);
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

static long ceil_div(long a, long b)
{
    return a <= 0 ? 0 : (a + b - 1) / b;
}

int sched_run(ir_net *net, sched_override *ov, int n_ov)
{
    int i, k, rc = 0;
    long P = 1, cpf = 0, *first, *up;
    ir_fifo *fifos;

    /* II and cycles per frame of each stage */
    for (i = 0; i < net->n_layers; i++) {
        ir_layer *L = &net->layers[i];
        long hw = (long)L->h * L->w;
        if (L->op == IR_CONV2D) {
            int sf = L->kernel * L->kernel * L->in_c / L->simd, nf = L->c / L->pe;
            L->ii = sf * nf;
            L->latency = sched_mac_latency(sf, nf) + (L->kernel > 1 ? SCHED_WINDOW_LATENCY : 0);
            /* the window takes H*W + pad steps per frame (pad flush steps) */
            L->cycles_per_frame = hw * L->ii;
            if (L->kernel > 1 && hw + L->pad > L->cycles_per_frame)
                L->cycles_per_frame = hw + L->pad;
        } else if (L->op == IR_ADD) {
            L->ii = 1;
            L->latency = sched_add_latency();
            L->cycles_per_frame = hw;
        } else {
            L->ii = 1;
            L->latency = 0;
            L->cycles_per_frame = hw;
        }
        if (L->ii > P)
            P = L->ii;
        if (L->cycles_per_frame > cpf) {
            cpf = L->cycles_per_frame;
            net->bottleneck = i;
        }
    }

    fifos = calloc((size_t)net->n_layers * IR_MAX_INPUTS, sizeof *fifos);
    first = calloc((size_t)net->n_layers, sizeof *first);
    up = calloc((size_t)net->n_layers, sizeof *up);
    if (!fifos || !first || !up) {
        free(fifos);
        free(first);
        free(up);
        diag_plain("out of memory");
        return -1;
    }
    net->fifos = fifos;
    net->n_fifos = 0;

    /* delays, in topological order. `delay` uses the bottleneck period P
     * (steady state, for FIFO sizing); `first` uses the period of the stages
     * upstream of each tensor (the first frame, before any downstream stage
     * throttles the input), for the first-output latency. */
    for (i = 0; i < net->n_layers; i++) {
        ir_layer *L = &net->layers[i];
        if (L->op == IR_INPUT) {
            L->delay = 0;
            first[i] = 0;
            up[i] = 1;
        } else if (L->op == IR_CONV2D) {
            const ir_layer *in = &net->layers[L->in[0]];
            long lead = (long)L->pad * in->w + L->pad;
            L->delay = in->delay + lead * P + L->latency;
            first[i] = first[L->in[0]] + lead * up[L->in[0]] + L->latency;
            up[i] = up[L->in[0]] > L->ii ? up[L->in[0]] : L->ii;
        } else {
            long dmax = -1, fmax = -1, d[IR_MAX_INPUTS], arrive = -1, farrive = -1;
            up[i] = 1;
            for (k = 0; k < L->n_inputs; k++) {
                d[k] = net->layers[L->in[k]].delay;
                if (d[k] > dmax)
                    dmax = d[k];
                if (first[L->in[k]] > fmax)
                    fmax = first[L->in[k]];
                if (up[L->in[k]] > up[i])
                    up[i] = up[L->in[k]];
            }
            /* size every input against the plain latest arrival, then let the
             * add start when the last input, through its FIFO, arrives */
            for (k = 0; k < L->n_inputs; k++) {
                long D = ceil_div(dmax - d[k], P), a = d[k], fa = first[L->in[k]];
                if (D > 0) {
                    ir_fifo *f = &fifos[net->n_fifos++];
                    const ir_layer *p = &net->layers[L->in[k]];
                    snprintf(f->name, sizeof f->name, "%s_to_%s", p->name, L->name);
                    f->producer = L->in[k];
                    f->consumer = i;
                    f->slot = k;
                    f->depth = (int)(D + 1);
                    if (f->depth < 2)
                        f->depth = 2;
                    f->width_bits = p->c * 8;
                    a += SCHED_FIFO_LATENCY;
                    fa += SCHED_FIFO_LATENCY;
                }
                if (a > arrive)
                    arrive = a;
                if (fa > farrive)
                    farrive = fa;
            }
            if (arrive < dmax)
                arrive = dmax;
            if (farrive < fmax)
                farrive = fmax;
            L->delay = arrive + L->latency;
            first[i] = farrive + L->latency;
        }
    }

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

    net->predicted_cycles_per_frame = cpf;
    net->predicted_first_output_latency = first[net->output];
    free(first);
    free(up);
    return rc;
}
