/*
 * stage.c - a hardware stage's own timing (stage.h): the templates' II and
 * LATENCY, the window's step schedule, and what a stage costs per frame.
 * Kept in step with the templates' LATENCY localparams (docs/templates.md).
 * The folding chooser (check.c), the recurrence (sched.c), the cycle model
 * (cyclesim.c), the emitter and the fit estimate read these; they read only
 * the IR.
 */
#include "stage.h"

int stage_mac_latency(int sf, int nf, int simd, int rq_digit)
{
    /* rf_conv_mac: input register, NF*SF steps, (folded: slice, product
     * (SIMD > 1) and dot product registers, PIPE = 3 or 2), accumulate,
     * requant (rf_requant 5 stages; rf_requant_serial R + 4 and the clamp's
     * two registers), output register. Kept in step with its LATENCY
     * localparam. */
    int rq = rq_digit > 0 ? (31 + rq_digit - 1) / rq_digit + 6 : 5;
    return sf * nf + 2 + (sf > 1 ? (simd > 1 ? 3 : 2) : 0) + rq;
}

int stage_dw_latency(int sf, int nf)
{
    /* rf_dw_mac: input register, NF*SF steps, accumulate, rf_requant (5),
     * output register (its LATENCY localparam) */
    return sf * nf + 7;
}

int stage_requant_digit(const ir_layer *L)
{
    /* rf_requant_serial needs SF >= R + 1, R = ceil(31 / DIGIT): the
     * narrowest digit whose steps fit between two accumulators. rf_dw_mac
     * keeps rf_requant. */
    static const int digits[] = {1, 2, 4, 8};
    int sf, i;
    if (L->op != IR_CONV2D && L->op != IR_DENSE)
        return 0;
    sf = ir_mac_depth(L) / L->simd;
    for (i = 0; i < 4; i++)
        if (sf >= (31 + digits[i] - 1) / digits[i] + 1)
            return digits[i];
    return 0;
}

int stage_add_latency(int nf)
{
    /* rf_add: (NF > 1: the input register and NF steps), two requant
     * pipelines (5 + 5), the sum, the output register. Kept in step with
     * its LATENCY localparam. */
    return nf > 1 ? nf + 12 : 12;
}

int stage_global_pool_latency(int channels)
{
    /* rf_global_pool: one channel per cycle through the divider, then the
     * output register (its LATENCY localparam) */
    return channels + 2;
}

int stage_window_fold(const ir_layer *L)
{
    return L->op == IR_CONV2D && ir_uses_window(L) && L->simd > 0 && L->in_c % L->simd == 0 &&
           ir_mac_depth(L) / L->simd >= 2;
}

int stage_ii(const ir_layer *L)
{
    if (ir_has_weights(L->op))
        return (ir_mac_depth(L) / L->simd) * (L->c / L->pe);
    if (L->op == IR_ADD && L->pe > 0)
        return L->c / L->pe;
    return 1;
}

int stage_latency(const ir_layer *L)
{
    switch (L->op) {
    case IR_CONV2D:
    case IR_DENSE:
        return stage_mac_latency(ir_mac_depth(L) / L->simd, L->c / L->pe, L->simd, stage_requant_digit(L)) -
               stage_window_fold(L);
    case IR_DEPTHWISE:
        return stage_dw_latency(ir_mac_depth(L) / L->simd, L->c / L->pe);
    case IR_MAX_POOL:
        return STAGE_POOL_LATENCY;
    case IR_AVG_POOL:
        return STAGE_POOL_LATENCY + 1;   /* rf_pool LATENCY = 2 + MODE */
    case IR_GLOBAL_POOL:
        return stage_global_pool_latency(L->c);
    case IR_ADD:
        return stage_add_latency(stage_ii(L));
    default:
        return 0;
    }
}

void stage_win_init(stage_win *w, const ir_layer *L, const ir_layer *in)
{
    w->H = in->h;
    w->W = in->w;
    w->K = L->kernel;
    w->S = L->stride;
    w->pt = L->pad_t;
    w->HO = L->h;
    w->WO = L->w;
    w->Q = L->kernel - 1 - L->pad_l;
    w->R = w->K + w->S;
    w->JUMP = w->H - (w->HO - 1) * w->S;
    if (w->S == 1) {
        int x = L->pad_r - w->Q;
        w->V = w->W + (x > 0 ? x : 0);
        w->F = w->Q < L->pad_r ? w->Q : L->pad_r;
    } else {
        w->V = (w->WO - 1) * w->S + w->Q + 1;
        w->F = 0;
    }
    w->steps = (long)w->HO * w->V + w->F;
}

long stage_cycles(const ir_net *net, const ir_layer *L)
{
    const ir_layer *in = &net->layers[L->in[0]];
    long n_out = (long)L->h * L->w, n_in = (long)in->h * in->w, c = n_out * stage_ii(L);
    if (L->op == IR_INPUT)
        return n_out;
    if (n_in > c)
        c = n_in;
    if (ir_uses_window(L)) {
        stage_win w;
        stage_win_init(&w, L, in);
        if (w.steps > c)
            c = w.steps;
    }
    return c;
}

int stage_output_cycles(const ir_net *net, const ir_layer *L)
{
    /* rf_window_fold: a cycle between windows (its registered check) */
    return stage_ii(L) + (net->registered_ready && L->op != IR_INPUT) + stage_window_fold(L);
}

long stage_frame_cycles(const ir_net *net, const ir_layer *L)
{
    long c = stage_cycles(net, L), o = (long)L->h * L->w * stage_output_cycles(net, L);
    return o > c ? o : c;
}
