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
#include "stage.h"

#define SCHED_FIFO_LATENCY 2     /* rf_axis_fifo: write into empty -> m_axis_tvalid */

/* iCE40 EBR blocks of layer L's line buffers: K + S lines of W pixels of
 * C_in*8 bits, in K + S RAMs (rf_window) or in one RAM (rf_window_fold);
 * 0 without a window. */
int sched_line_buffer_ebr(const ir_net *net, const ir_layer *L);

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
