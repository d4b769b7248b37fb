/*
 * ir.h - resflow's intermediate representation: a DAG of int8 layers.
 *
 * Tensors are int8, NHWC with N = 1 (H x W x C). Layer 0 is the network
 * input; the parser fills the rest in file order, ir_check (check.c) sorts
 * them topologically and infers shapes, sched.c adds timing and FIFO depths.
 */
#ifndef RF_IR_H
#define RF_IR_H

#include <stdint.h>
#include <libfyaml.h>

#include "quant.h"

#define IR_NAME_MAX 64
#define IR_MAX_INPUTS 2

enum ir_op {
    IR_INPUT,
    IR_CONV2D,
    IR_ADD,
};

/* Where weights come from. */
enum ir_src {
    IR_SRC_NONE,  /* bias only: zeros */
    IR_SRC_FILE,  /* .npy */
    IR_SRC_INIT,  /* deterministic pseudo-random, init: {seed: N} */
};

typedef struct ir_layer {
    char name[IR_NAME_MAX];
    enum ir_op op;
    struct fy_node *node;              /* the layer's YAML mapping, for diagnostics */
    int n_inputs;
    char in_names[IR_MAX_INPUTS][IR_NAME_MAX];
    struct fy_node *in_nodes[IR_MAX_INPUTS];
    int in[IR_MAX_INPUTS];             /* producer indices after ir_check */

    /* output tensor */
    int h, w, c;
    double scale;
    int zp;
    int relu;                          /* fused ReLU */
    int relu6;                         /* fused ReLU6 (clamp to [0, 6] in real terms) */
    int act_min, act_max;

    /* conv2d */
    int kernel, stride, pad, filters, in_c;
    int pe, simd;                      /* 0 = not set: fully parallel */
    enum ir_src w_src, b_src;
    uint64_t w_seed, b_seed;
    char w_file[512], b_file[512], s_file[512];
    struct fy_node *w_node, *b_node, *s_node;
    int n_scales;                      /* 0 = default, 1 = shared, c = per channel */
    double scales_inline[1024];
    int8_t *weights;                   /* [c][k][k][in_c] */
    int32_t *bias;                     /* [c] */
    double *wscale;                    /* [c] */
    int32_t *mult;                     /* [c] */
    int32_t *shift;                    /* [c] */

    /* add */
    q_add_params addp;

    /* schedule (sched.c) */
    int ii;                            /* cycles per output pixel */
    int latency;                       /* cycles, see sched.c */
    long delay;                        /* cycles from input pixel j to this tensor's pixel j */
    long cycles_per_frame;             /* this stage alone */
    int n_consumers;
} ir_layer;

typedef struct ir_fifo {
    char name[2 * IR_NAME_MAX + 8];
    int producer;                      /* layer index */
    int consumer;                      /* layer index */
    int slot;                          /* consumer input slot */
    int depth;                         /* elements */
    int width_bits;
    int overridden;                    /* depth set by --fifo-depth */
} ir_fifo;

typedef struct ir_net {
    const char *file;                  /* the YAML path as given */
    char dir[512];                     /* its directory, for relative .npy paths */
    char name[IR_NAME_MAX];
    int version;
    long target_cpf;                   /* target cycles per frame for folding, 0 = none */
    struct fy_node *target_node;
    long max_multipliers;              /* multiplier budget for folding, 0 = none */
    int bottleneck;                    /* layer with the most cycles per frame (sched.c) */
    struct fy_parser *parser;
    struct fy_document *doc;
    int n_layers;
    ir_layer *layers;                  /* [0] = input */
    int output;                        /* layer streamed out */
    struct fy_node *output_node;
    int n_fifos;
    ir_fifo *fifos;
    long predicted_cycles_per_frame;
    long predicted_first_output_latency;
    int n_errors;
} ir_net;

/* Frees what the net owns (layers and their weight tables, FIFOs, the YAML
 * document and its parser) and zeroes it; safe on a partly filled net. */
void ir_net_free(ir_net *net);

/* Index of the layer called `name` in net->layers, or -1 if there is none. */
int ir_find(const ir_net *net, const char *name);

#endif
