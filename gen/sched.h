/*
 * sched.h - latency analysis of the streaming pipeline and FIFO sizing.
 *
 * Every stage is characterised by its II (cycles per output pixel), its
 * latency (cycles from the input transfer that completes an output's
 * dependencies to that output's transfer) and its lead (input pixels it must
 * see beyond output pixel j before it can emit j: pad*W + pad for a K x K
 * 'same' window). From these, sched_run computes for every tensor the delay
 * (cycles) between input pixel j entering the pipeline and the tensor's
 * pixel j, and sizes each add input's FIFO so that the earlier branch can
 * wait, without stalling, for the later one. The model and its derivation
 * are in docs/fifo-sizing.md; the per-template constants come from the
 * templates' LATENCY localparams (docs/templates.md).
 */
#ifndef RF_SCHED_H
#define RF_SCHED_H

#include "ir.h"

/* Template latencies in cycles (see templates/ *.v, LATENCY). */
#define SCHED_WINDOW_LATENCY 3   /* rf_window: pixel transfer -> window transfer */
#define SCHED_WINDOW_FOLD_LATENCY 4 /* rf_window_fold: pixel transfer -> first beat */
#define SCHED_FIFO_LATENCY 2     /* rf_axis_fifo: write into empty -> m_axis_tvalid */
#define SCHED_POOL_LATENCY 2     /* rf_pool, max (average: + 1) */
/* rf_conv_mac LATENCY, cycles: SF*NF steps, PIPE pipeline stages when SF > 1
 * (3 with SIMD > 1: the products are registered before their sum; else 2),
 * and the requantizer rf_requant (rq_digit 0) or rf_requant_serial (DIGIT
 * rq_digit, with the clamp register) */
int sched_mac_latency(int sf, int nf, int simd, int rq_digit);
int sched_dw_latency(int sf, int nf); /* rf_dw_mac LATENCY: SF*NF + 7 */
/* The requantizer of a conv2d or dense layer: 0 for rf_requant, else the
 * DIGIT of rf_requant_serial (1, 2, 4, 8), the narrowest whose
 * R = ceil(31 / DIGIT) steps fit in SF - 1 cycles; 0 for other ops. */
int sched_requant_digit(const ir_layer *L);
int sched_add_latency(int nf);         /* rf_add LATENCY, NF = C / PE folds */
int sched_global_pool_latency(int channels); /* rf_global_pool LATENCY */

/* II of a stage, cycles per output pixel: (depth/SIMD)*(C_out/PE) for the
 * MACs (depth = ir_mac_depth), 1 otherwise. */
int sched_stage_ii(const ir_layer *L);

/* Cycles from a stage's input transfer to its output (without the window);
 * with a folded window (sched_window_fold), from the transfer of a window's
 * first beat: rf_conv_mac STREAM = 1, II + 1 + PIPE + RQ_LAT. */
int sched_stage_latency(const ir_layer *L);

/* 1 when conv2d layer L streams its windows from rf_window_fold into
 * rf_conv_mac with STREAM = 1 (SIMD elements per beat, the window read NF
 * times from the line buffers, never held in registers): L uses a window,
 * SIMD divides its input channels and SF = K*K*C_in / SIMD >= 2. Else 0
 * (rf_window, one window per beat). */
int sched_window_fold(const ir_layer *L);

/* iCE40 EBR blocks of layer L's line buffers: K + S lines of W pixels of
 * C_in*8 bits, in K + S RAMs (rf_window) or in one RAM (rf_window_fold);
 * 0 without a window. */
int sched_line_buffer_ebr(const ir_net *net, const ir_layer *L);

/* rf_window's geometry and step schedule for layer L over its input `in`
 * (rf_window.v, "Structure"; H x W input, HO x WO output, all in pixels):
 * Q = K-1-PAD_LEFT, R = K+S line buffers; S = 1: V = W + max(0, PAD_RIGHT - Q)
 * steps per output row and F = min(Q, PAD_RIGHT) pad-only flush steps per
 * frame; S > 1: V = (WO-1)*S + Q + 1, F = 0. Output (r, c) completes at frame
 * step r*V + c*S + Q; after the last output row the reader's top row T
 * advances by JUMP = H - (HO-1)*S rows to the next frame. */
typedef struct sched_win {
    int H, W, K, S, pt, HO, WO, Q, V, F, R, JUMP;
    long steps;          /* reader steps per frame: HO*V + F */
} sched_win;

void sched_win_init(sched_win *w, const ir_layer *L, const ir_layer *in);

/* Cycles per frame a stage needs on its own: the larger of its outputs
 * times its II, its input pixels (one per cycle) and its window's reader
 * steps (rf_window.v). */
long sched_stage_cycles(const ir_net *net, const ir_layer *L);

/* Cycles per frame a stage costs in the hardware on its own, the figure the
 * folding chooser (check.c) and the recurrence use: sched_stage_cycles with
 * each output at II + 1 cycles when it comes from rf_window_fold (its
 * registered first-beat check) and one more with registered ready
 * (net->registered_ready: the output register stalls the pipeline for at
 * least a cycle per beat). A lower bound of the pipeline's cycles per
 * frame; the cycle model (cyclesim.h) gives the exact figure. */
long sched_stage_frame_cycles(const ir_net *net, const ir_layer *L);

/* A user override of one FIFO's depth (--fifo-depth NAME=N). */
typedef struct sched_override {
    const char *name;
    int depth;
    int used;
} sched_override;

/* Fills ii/latency/delay/cycles_per_frame of every layer, net->fifos
 * (name "<producer>_to_<consumer>", depth in elements, width in bits) and the
 * predicted cycles per frame and first-output latency. Overrides replace the
 * computed depth of the FIFO they name; an override that names no FIFO is
 * an error. Returns 0 or -1 (reported through diag.h). */
int sched_run(ir_net *net, sched_override *ov, int n_ov);

/* iCE40 EBR (4 Kbit) blocks for a depth x width memory, using the best of the
 * 256x16, 512x8, 1024x4 and 2048x2 configurations (iCE40 LP/HX/UltraPlus
 * sysMEM Block RAM, Lattice TN1250). */
int sched_ebr_blocks(long depth, int width_bits);

/* iCE40UP5K SPRAM blocks (16K x 16 bits = 256 Kbit each) for a depth x width
 * memory (Lattice FPGA-TN-02022, iCE40 SPRAM usage guide). */
int sched_spram_blocks(long depth, int width_bits);

/* On-chip memory a design may use for its FIFOs. */
typedef struct sched_budget {
    const char *device;   /* e.g. "iCE40UP5K" */
    int ebr_blocks;       /* 4 Kbit EBR blocks */
    int spram_blocks;     /* 256 Kbit SPRAM blocks */
} sched_budget;

/* The default budget until boards/ exist: iCE40UP5K, 30 EBR, 4 SPRAM
 * (iCE40 UltraPlus family data sheet, FPGA-DS-02008). */
extern const sched_budget sched_up5k;

enum sched_mem_kind { SCHED_MEM_REGISTERS, SCHED_MEM_EBR, SCHED_MEM_SPRAM, SCHED_MEM_OFFCHIP };

/* Where each FIFO lives, and what the line buffers take. */
typedef struct sched_mem_plan {
    enum sched_mem_kind *kind;   /* [n_fifos] */
    int *blocks;                 /* [n_fifos]: EBR or SPRAM blocks, 0 otherwise */
    int line_buffer_ebr;         /* EBR blocks of the K x K windows' line buffers */
    int ebr_used, spram_used;    /* by the FIFOs */
    long offchip_bytes;          /* FIFOs that did not fit on chip */
    long register_bits;          /* FIFOs small enough for logic (<= 1 Kbit) */
} sched_mem_plan;

/* Maps the FIFOs, in order, to the cheapest memory that still fits: logic
 * up to 1 Kbit, then EBR, then SPRAM, then off-chip (DRAM), after setting
 * aside the EBR of the line buffers ((K+1) x W x C_in*8 bits per window).
 * Returns 0, or -1 when out of memory. Free with sched_mem_plan_free. */
int sched_plan_memory(const ir_net *net, const sched_budget *b, sched_mem_plan *plan);
void sched_mem_plan_free(sched_mem_plan *plan);
const char *sched_mem_kind_name(enum sched_mem_kind k);

#endif
