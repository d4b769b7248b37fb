/*
 * board_fit.h - the fit estimate's result as board_fit.c builds it and
 * board_top.c renders it (fit.json, the DSP selection). Private to those
 * two files; everyone else sees board_fit_result through board.h.
 */
#ifndef RF_BOARD_FIT_H
#define RF_BOARD_FIT_H

#include "board.h"

enum grp_kind { G_PRODUCTS, G_REQUANT, G_ADD_OUT };

typedef struct dsp_group {
    int stage;                  /* index into the stage estimates */
    enum grp_kind kind;
    int index;                  /* PE lane, or channel */
    int dsp;                    /* blocks it takes */
    long lut_saved;             /* LUT4 it saves on DSP blocks */
    int mapped;
    char pattern[320];          /* Yosys selection of its $mul cells */
    char what[128];
} dsp_group;

typedef struct stage_est {
    char name[IR_NAME_MAX + 32];
    const char *kind;           /* op name, "fifo", "fork", "uart bridge", "board top" */
    long lut4, ebr, dsp;        /* after the DSP plan */
    long lut4_all;              /* with every multiplier in LUTs */
    long line_ebr, mem_ebr;     /* line buffers; FIFO or ROM */
    int multipliers, requantizers;
} stage_est;

struct board_fit_result {
    board_opts o;
    board_pll pll;
    double clock_mhz;
    int clks_per_bit;
    double baud_error_pct;
    long rx_depth, timeout;
    long rx_ebr;                /* EBR of the bridge's receive FIFO */
    long lead;                  /* PACE_LEAD, bytes (board_pace) */
    int paced;
    int n_st;
    stage_est *st;
    int n_g;
    dsp_group *g;
    long lut4, ebr, dsp;
    int fits;
};

#endif
