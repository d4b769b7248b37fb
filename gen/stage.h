/*
 * stage.h - a hardware stage's own timing: the templates' II (cycles per
 * output pixel) and LATENCY (cycles), the window's step schedule, and what a
 * stage costs per frame on its own. Read by the folding chooser (check.c),
 * the recurrence and FIFO sizing (sched.c), the cycle model (cyclesim.c),
 * the emitter and the fit estimate; it reads only the IR, so none of them
 * depends on another through it. The constants come from the templates'
 * LATENCY localparams (docs/templates.md).
 */
#ifndef RF_STAGE_H
#define RF_STAGE_H

#include "ir.h"

/* Template latencies in cycles (see templates/ *.v, LATENCY). */
#define STAGE_WINDOW_LATENCY 3   /* rf_window: pixel transfer -> window transfer */
#define STAGE_WINDOW_FOLD_LATENCY 4 /* rf_window_fold: pixel transfer -> first beat */
#define STAGE_POOL_LATENCY 2     /* rf_pool, max (average: + 1) */
/* rf_conv_mac LATENCY, cycles: SF*NF steps, PIPE pipeline stages when SF > 1
 * (3 with SIMD > 1: the products are registered before their sum; else 2),
 * and the requantizer rf_requant (rq_digit 0) or rf_requant_serial (DIGIT
 * rq_digit, with the clamp register) */
int stage_mac_latency(int sf, int nf, int simd, int rq_digit);
int stage_dw_latency(int sf, int nf); /* rf_dw_mac LATENCY: SF*NF + 7 */
/* The requantizer of a conv2d or dense layer: 0 for rf_requant, else the
 * DIGIT of rf_requant_serial (1, 2, 4, 8), the narrowest whose
 * R = ceil(31 / DIGIT) steps fit in SF - 1 cycles; 0 for other ops. */
int stage_requant_digit(const ir_layer *L);
int stage_add_latency(int nf);         /* rf_add LATENCY, NF = C / PE folds */
int stage_global_pool_latency(int channels); /* rf_global_pool LATENCY */

/* II of a stage, cycles per output pixel: (depth/SIMD)*(C_out/PE) for the
 * MACs (depth = ir_mac_depth), 1 otherwise. */
int stage_ii(const ir_layer *L);

/* Cycles from a stage's input transfer to its output (without the window);
 * with a folded window (stage_window_fold), from the transfer of a window's
 * first beat: rf_conv_mac STREAM = 1, II + 1 + PIPE + RQ_LAT. */
int stage_latency(const ir_layer *L);

/* 1 when conv2d layer L streams its windows from rf_window_fold into
 * rf_conv_mac with STREAM = 1 (SIMD elements per beat, the window read NF
 * times from the line buffers, never held in registers): L uses a window,
 * SIMD divides its input channels and SF = K*K*C_in / SIMD >= 2. Else 0
 * (rf_window, one window per beat). */
int stage_window_fold(const ir_layer *L);

/* rf_window's geometry and step schedule for layer L over its input `in`
 * (rf_window.v, "Structure"; H x W input, HO x WO output, all in pixels):
 * Q = K-1-PAD_LEFT, R = K+S line buffers; S = 1: V = W + max(0, PAD_RIGHT - Q)
 * steps per output row and F = min(Q, PAD_RIGHT) pad-only flush steps per
 * frame; S > 1: V = (WO-1)*S + Q + 1, F = 0. Output (r, c) completes at frame
 * step r*V + c*S + Q; after the last output row the reader's top row T
 * advances by JUMP = H - (HO-1)*S rows to the next frame. */
typedef struct stage_win {
    int H, W, K, S, pt, HO, WO, Q, V, F, R, JUMP;
    long steps;          /* reader steps per frame: HO*V + F */
} stage_win;

void stage_win_init(stage_win *w, const ir_layer *L, const ir_layer *in);

/* Cycles per frame a stage needs on its own: the larger of its outputs
 * times its II, its input pixels (one per cycle) and its window's reader
 * steps (rf_window.v). */
long stage_cycles(const ir_net *net, const ir_layer *L);

/* Cycles per output pixel a stage costs on its own: II, plus one when its
 * windows come from rf_window_fold (its registered first-beat check) and
 * one with registered ready (net->registered_ready: the output register
 * stalls the pipeline for at least a cycle per beat); 1 for the input. */
int stage_output_cycles(const ir_net *net, const ir_layer *L);

/* Cycles per frame a stage costs in the hardware on its own, the figure the
 * folding chooser (check.c) and the recurrence use: stage_cycles with
 * each output at II + 1 cycles when it comes from rf_window_fold (its
 * registered first-beat check) and one more with registered ready
 * (net->registered_ready: the output register stalls the pipeline for at
 * least a cycle per beat). A lower bound of the pipeline's cycles per
 * frame; the cycle model (cyclesim.h) gives the exact figure. */
long stage_frame_cycles(const ir_net *net, const ir_layer *L);

#endif
