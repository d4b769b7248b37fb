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
    IR_DEPTHWISE,     /* depthwise_conv2d, depth multiplier 1 */
    IR_MAX_POOL,      /* max_pool2d */
    IR_AVG_POOL,      /* avg_pool2d ('valid') */
    IR_GLOBAL_POOL,   /* global_avg_pool, or an avg_pool2d covering the whole input */
    IR_DENSE,         /* dense on a 1 x 1 x C_in input */
};

/* How a windowed layer pads (docs/yaml.md): TensorFlow 'same', 'valid', or
 * four explicit pads. */
enum ir_padding { IR_PAD_SAME, IR_PAD_VALID, IR_PAD_EXPLICIT };

/* How a global_avg_pool rounds its mean (the YAML's 'rounding', docs/yaml.md;
 * the values are rf_net.h's and rf_global_pool's ROUNDING). */
enum ir_rounding {
    IR_ROUND_AVERAGE_POOL = 0,        /* AVERAGE_POOL_2D: raw sum / n, halves away from zero */
    IR_ROUND_TFLITE_MEAN_4D = 1,      /* TFLite MEAN, 4-D keep_dims: sum(x - zp) / n, halves away, + zp */
    IR_ROUND_TFLITE_MEAN_TRUNCATE = 2,/* TFLite MEAN otherwise: raw sum / n truncated */
    IR_ROUND_TFLM_MEAN = 3,           /* TFLite Micro MEAN: MBQM(sum(x - zp), mean_mult, mean_shift) + zp */
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

    /* conv2d, depthwise_conv2d, dense (kernel 1), pools */
    int kernel, stride, filters, in_c;  /* filters: C_out (units for dense) */
    enum ir_padding padding;
    int pads[4];                       /* explicit pads from the YAML: top, bottom, left, right */
    struct fy_node *pad_node;
    int pad_t, pad_b, pad_l, pad_r;    /* resolved pads (check.c) */
    int pe, simd;                      /* 0 = not set: fully parallel */
    enum ir_src w_src, b_src;
    uint64_t w_seed, b_seed;
    char w_file[512], b_file[512], s_file[512];
    struct fy_node *w_node, *b_node, *s_node;
    int n_scales;                      /* 0 = default, 1 = shared, c = per channel */
    double scales_inline[1024];
    int8_t *weights;                   /* conv [c][k][k][in_c], depthwise [c][k][k], dense [c][in_c] */
    int32_t *bias;                     /* [c] */
    double *wscale;                    /* [c] */
    int32_t *mult;                     /* [c] */
    int32_t *shift;                    /* [c] */

    /* add */
    q_add_params addp;

    /* global_avg_pool */
    enum ir_rounding rounding;
    int32_t mean_mult;                 /* IR_ROUND_TFLM_MEAN: 1/n folded in (q_mean_multiplier) */
    int mean_shift;

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
    int bound;                         /* the max-plus bound (analytic), before the cycle model */
    int simulated;                     /* depth is the cycle model's minimum (else the bound) */
} ir_fifo;

typedef struct ir_net {
    const char *file;                  /* the YAML path as given */
    char dir[512];                     /* its directory, for relative .npy paths */
    char name[IR_NAME_MAX];
    int version;
    long target_cpf;                   /* target cycles per frame for folding, 0 = none */
    long fold_target;                  /* cycles per frame the chooser folds to, when the
                                        * driver tightened it below target_cpf (main.c);
                                        * 0: target_cpf */
    int target_per_pixel;              /* the target is the file's cycles_per_frame: a
                                        * resized input scales it with the pixel count */
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
    int resized;                       /* the input resolution was overridden */
    int sizing_only;                   /* sched_run: FIFO depths only, no delays or first-output latency */
    int bounds_only;                   /* sched_run: the recurrence's bounds, no cycle model (board_auto_fold) */
    int registered_ready;              /* compute stages with READY_REG = 1 (--registered-ready, --board) */
    /* cycles per frame as the host measures them (3 frames streamed back to
     * back, the mean interval between frame ends): the cycle model's figure
     * when it ran (cycle_modeled), else the recurrence's F, which is a lower
     * bound (sched.c) */
    double predicted_cycles_per_frame;
    long recurrence_cycles_per_frame;  /* the recurrence's F: the slowest stage alone */
    long predicted_first_output_latency;
    int cycle_modeled;                 /* the cycle model ran on the final depths (cyclesim.c) */
    int model_deadlock;                /* ... and the pipeline deadlocked in it */
    int n_errors;
} ir_net;

/* The op's name as written in the YAML. */
const char *ir_op_name(enum ir_op op);

/* 1 for the ops with weights, bias and an output quantization of their own
 * (conv2d, depthwise_conv2d, dense). */
int ir_has_weights(enum ir_op op);

/* 1 when the layer reads its input through an rf_window (a K x K window,
 * a stride or padding): convs and depthwise convs other than 1x1 stride 1
 * unpadded, and max/avg pools. */
int ir_uses_window(const ir_layer *L);

/* Window elements per output pixel a MAC sums per output channel: K*K*C_in
 * for conv2d, K*K for depthwise, C_in for dense. 0 for other ops. */
int ir_mac_depth(const ir_layer *L);

/* Frees what the net owns (layers and their weight tables, FIFOs, the YAML
 * document and its parser) and zeroes it; safe on a partly filled net. */
void ir_net_free(ir_net *net);

/* Index of the layer called `name` in net->layers, or -1 if there is none. */
int ir_find(const ir_net *net, const char *name);

#endif
