/*
 * board.h - FPGA boards (boards/NAME.yaml), the fit check, and the board
 * files of `resflow gen --board NAME`.
 *
 * A board file names the device and package, the oscillator and its pin,
 * the UART, LED and button pins, the device's resources and its PLL limits
 * (schema in docs/boards.md; every pin cites the board's documentation).
 * board_fit estimates what each stage of a scheduled network needs (LUT4,
 * EBR, DSP), assigns multipliers to the DSP blocks within the device's
 * budget, and refuses a design that cannot fit, naming the stages and the
 * resource. board_render writes the board top (PLL, reset, LEDs, the UART
 * bridge around the pipeline), the .pcf, the Yosys DSP selection and
 * board/fit.json.
 */
#ifndef RF_BOARD_H
#define RF_BOARD_H

#include "emit.h"
#include "check.h"
#include "ir.h"

#define BOARD_MAX_LEDS 8
#define BOARD_PIN_MAX 16

typedef struct board {
    char file[1024];                  /* the YAML path read */
    int version;                      /* schema version: 1 */
    char name[64];
    char description[160];
    char device[16];                  /* nextpnr-ice40 device: up5k, hx8k, ... */
    char package[16];                 /* sg48, ct256, ... */
    char clock_pin[BOARD_PIN_MAX];
    double osc_mhz;                   /* oscillator on clock_pin */
    int clock_pll_pad;                /* clock_pin is the PLL's input pad: SB_PLL40_PAD */
    double target_mhz;                /* the clock the flow aims for */
    char uart_rx[BOARD_PIN_MAX];      /* FPGA input */
    char uart_tx[BOARD_PIN_MAX];      /* FPGA output */
    int n_leds;
    char leds[BOARD_MAX_LEDS][BOARD_PIN_MAX];
    int leds_active_low;
    char button[BOARD_PIN_MAX];       /* "" when the board has none */
    int button_active_low;
    int lut4, ebr, spram, dsp, pll;   /* device resources */
    double pfd_mhz[2], vco_mhz[2], out_mhz[2];   /* PLL limits: min, max */
    struct fy_parser *parser;
    struct fy_document *doc;
} board;

/* Reads a board: `name` is a path when it contains '/' or ends in .yaml,
 * else `dir`/NAME.yaml. Errors are reported through diag.h (FILE:LINE:COL
 * for bad fields; the list of known boards when NAME has no file). Returns
 * 0 or -1; free with board_free. */
int board_load(const char *name, const char *dir, board *b);
void board_free(board *b);

/* An SB_PLL40 setting (SIMPLE feedback): f_out = f_in * (DIVF+1) /
 * ((DIVR+1) * 2^DIVQ), with the PFD f_in/(DIVR+1) and the VCO within the
 * board's limits; the closest output to the request, searched in the order
 * of Project IceStorm's icepll (DIVR, then DIVF, then DIVQ; the first of
 * equals wins). FILTER_RANGE from the PFD frequency as icepll sets it. */
typedef struct board_pll {
    int used;                         /* 0: the oscillator clocks the design */
    int divr, divf, divq, filter_range;
    double pfd_mhz, vco_mhz, out_mhz;
} board_pll;

/* Fills p for `want_mhz`; 0, or -1 when no setting is within the limits. */
int board_pll_config(const board *b, double want_mhz, board_pll *p);

/* How multipliers are mapped: auto (the DSP blocks go to the multipliers
 * that save the most LUTs, within the budget), dsp (all of them, as
 * `synth_ice40 -dsp` would; refused when they exceed the device), lut. */
enum board_mul { BOARD_MUL_AUTO, BOARD_MUL_DSP, BOARD_MUL_LUT };

typedef struct board_opts {
    const char *name;                 /* --board NAME, or NULL */
    double clock_mhz;                 /* 0: the board's target_mhz */
    long baud;                        /* 0: 1000000 */
    enum board_mul mul;
} board_opts;

/* The multiplier budget for folding to a target on this board: the DSP
 * blocks plus the multipliers half the LUT4s can build (~200 LUT4 each). */
long board_multiplier_budget(const board *b);

/* The host's pacing of an image over the UART (docs/boards.md, "Flow
 * control"). A UART cannot be stalled, so when an image has fewer input
 * bytes I than output bytes O, the host sends the image no faster than the
 * answer comes back: having received r payload bytes of the output frame, it
 * may have sent at most
 *   allowed(r) = min(I, LEAD + floor(r * I / O))
 * payload bytes of the image (header and CRC bytes are free). LEAD is the
 * smallest lead that never starves the pipeline: an output pixel's inputs
 * have all been sent by the time the output before it has come back. The
 * bridge's receive FIFO then holds at most what the host may have sent minus
 * what the outputs already sent prove the pipeline has consumed. */
typedef struct board_pace {
    long in_bytes;     /* I: input payload bytes per image, H * W * C_in */
    long out_bytes;    /* O: output payload bytes per image */
    long lead;         /* LEAD, bytes (<= I); I when not paced */
    long rx_depth;     /* receive FIFO, bytes: the bound plus 64 when paced */
    int paced;         /* O > I: the host must pace */
} board_pace;

/* need[p] for every output pixel p (raster order, net->layers[net->output],
 * H_out * W_out entries): the raster index of the last network-input pixel
 * that p depends on, composed layer by layer. A K x K window (conv,
 * depthwise, pools; stride S, pads pad_t, pad_l) maps output (oy, ox) to
 * source (min(Hs-1, oy*S - pad_t + K-1), min(Ws-1, ox*S - pad_l + K-1)),
 * plus `window_extra` pixels in raster order (clamped to the last pixel):
 * 1 for what rf_window may need (an output in the right pad comes out at the
 * next row's first step, which reads one pixel further), 0 for the geometric
 * dependency alone. 1x1, dense and add map p to p (an add: the larger need
 * of its two inputs); a global pool needs its input's last pixel. Pixels
 * are counted in long. Returns 0, or -1 when out of memory. */
int board_pace_need(const ir_net *net, int window_extra, long *need);

/* The payload bytes the host may have sent with r output payload bytes
 * received: min(in, lead + floor(r * in / out)); in when out <= in. */
long board_pace_allowed(long lead, long in, long out, long r);

/* LEAD and the receive FIFO depth of the net (see board_pace). With P_out
 * output pixels, need_hi = board_pace_need(.., 1), need_lo = (.., 0):
 *   LEAD = max over p of ((need_hi(p) + 1) * C_in - floor(p * C_out * I / O))
 *     so that allowed(p * C_out) covers what output pixel p may need once p
 *     pixels have come back (bytes);
 *   RX_DEPTH = 64 + max over q = 0 .. P_out of (allowed(q * C_out) - consumed(q)),
 *     consumed(0) = 0, consumed(q) = (need_lo(q-1) + 1) * C_in: once q output
 *     pixels are on their way back, the pipeline has consumed at least the
 *     inputs of pixel q-1 (bytes; the geometric need, without the window's
 *     extra pixel, is the lower bound). 64 covers the frame's header and CRC
 *     and the bridge's pixel register.
 * When O <= I: not paced, LEAD = I, RX_DEPTH 256 (the transmitter keeps
 * up; the FIFO absorbs bursts). Returns 0, or -1 when out of memory. */
int board_pace_plan(const ir_net *net, board_pace *p);

/* The estimate and plan of one design on one board (board_fit). */
typedef struct board_fit_result board_fit_result;

/* Estimates the scheduled net on the board, plans the DSP blocks, sizes the
 * UART bridge and the clock. Refusals (LUT4, EBR, DSP or a clock/baud that
 * cannot be made) are reported through diag.h, naming the stages; returns
 * 0 when the design fits, -1 otherwise. *out is allocated in both cases
 * (NULL only when out of memory); free with board_fit_free. */
int board_fit(const ir_net *net, const board *b, const board_opts *o, board_fit_result **out);
void board_fit_free(board_fit_result *r);

/* The files `resflow gen --board` adds to OUT/ (emit_all_ex): rtl/ copies of
 * the UART templates, board/rf_board_core.v, board/rf_board_top.v,
 * board/<board>.pcf, board/dsp.ys and board/fit.json. template_dir as for
 * emit_all. Returns the number of files, or -1 (reported); *files is
 * allocated (free with board_files_free). */
int board_render(const ir_net *net, const board *b, const board_fit_result *r, const char *template_dir,
                 emit_extra **files);
void board_files_free(emit_extra *files, int n);

/* The board options of `resflow gen` at argv[*i]: --board NAME,
 * --clock-mhz F, --baud N, --multipliers auto|dsp|lut. Returns 1 (taken;
 * *i advanced past the value), 0 (not a board option) or -1 (reported). */
int board_take_option(int argc, char **argv, int *i, board_opts *o);

/* board_fit and board_render for `resflow gen --board`: returns 0 with the
 * files to add to OUT/ (*files, *n_files; board_files_free), or -1 when the
 * design does not fit (reported). */
int board_files(const ir_net *net, const board *b, const board_opts *o, const char *template_dir,
                emit_extra **files, int *n_files);

/* ir_load_ex, then, when the net folds to a target and sets no
 * max_multipliers of its own, the board's multiplier budget
 * (board_multiplier_budget) checked against the folding's multipliers
 * (reported at the target). Returns 0 or -1. */
int board_load_net(const char *path, const ir_load_opts *lo, const board *b, ir_net *net);

/* The folding for board b when the network sets no target (neither the
 * file nor --target-cycles): 0 when the network fits as written, else the
 * fewest cycles per frame whose folding fits b by the estimate of
 * board_fit within 85 % of its logic cells (headroom for placement; FIFOs
 * at the recurrence's bounds, >= the final depths), found by bisection
 * over 1 .. 2e9 cycles (larger targets fold more and need less: PE/SIMD of
 * check.c's fold_to_target); 2e9 (every layer fully folded, the smallest)
 * when none fits so, and the generation reports if that does not fit. Writes
 * *target_cpf; returns 0, or -1 when the network does not load (reported). */
int board_auto_fold(const char *path, int width, int height, const board *b, const board_opts *o,
                    long *target_cpf);

#endif
