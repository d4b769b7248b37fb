/*
 * check.h - semantic checks, topological order, shape inference, weights.
 *
 * After parse_file: resolves input names, rejects duplicates, cycles and
 * unused layers, sorts the layers topologically (ties in file order, so the
 * order is deterministic), infers every tensor's H x W x C, sets folding
 * defaults (fully parallel: PE = C_out, SIMD = K*K*C_in), loads or draws the
 * weights, and computes the requantization multipliers and shifts.
 */
#ifndef RF_CHECK_H
#define RF_CHECK_H

#include "ir.h"

/* Returns 0, or -1 after reporting every error found through diag.h. */
int ir_check(ir_net *net);

/* parse_file + an optional input resolution (width, height > 0 replace the
 * file's; 0 keeps them) + ir_check. Returns 0 or -1 (errors reported). */
int ir_load(const char *path, int width, int height, ir_net *net);

/* What ir_load_ex changes of the file: the input resolution (width, height
 * > 0 replace the file's), a folding target in cycles per frame (> 0
 * replaces the file's `target`), the target the chooser folds to when the
 * driver tightened it (fold_target > 0, main.c; the target_cpf is still
 * what is checked), and registered ready (READY_REG = 1, which the chooser
 * counts: one more cycle per output). */
typedef struct ir_load_opts {
    int width, height;
    long target_cpf;
    long fold_target;
    int registered_ready;
} ir_load_opts;

/* ir_load with the options above (o may be NULL: none). */
int ir_load_ex(const char *path, const ir_load_opts *o, ir_net *net);

/* The pseudo-random generator of `init: {seed: N}`: splitmix64
 * (Steele, Lea, Flood: "Fast splittable pseudorandom number generators",
 * OOPSLA 2014). State advances by 0x9E3779B97F4A7C15 per call. */
uint64_t ir_splitmix64(uint64_t *state);

#endif
