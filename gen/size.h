/*
 * size.h - `resflow size`: every FIFO's depth and memory for one or more
 * input resolutions, from the latency analysis alone (no RTL is written).
 */
#ifndef RF_SIZE_H
#define RF_SIZE_H

typedef struct size_res {
    int w, h;    /* input width and height, pixels */
} size_res;

/* The --sweep resolutions: 32x32 up to 3840x2160 (4K UHD). */
#define SIZE_N_SWEEP 7
extern const size_res size_sweep[SIZE_N_SWEEP];

/* Prints, for each resolution (n == 0: the file's own), each FIFO's depth
 * (elements), width (bits), bytes and memory (registers, iCE40 EBR, UP5K
 * SPRAM, or off-chip when over the on-chip budget), with totals: a table, or
 * JSON with `json`. With `plot` (a path ending in .svg), also draws FIFO
 * bytes against pixels per frame on log-log axes. Returns 0, or -1 with
 * errors reported through diag.h. */
int size_run(const char *path, const size_res *res, int n, int json, const char *plot);

/* Parses "WxH" (1..8192 each). Returns 0 or -1. */
int size_parse_res(const char *s, size_res *r);

#endif
