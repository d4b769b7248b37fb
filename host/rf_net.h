/*
 * rf_net.h - the network tables the generator emits (OUT/net.c) and the
 * golden C model and the host read.
 *
 * A network is a list of layers in topological order. Layer 0 is the
 * network input (op RF_OP_INPUT); every other layer names its inputs by
 * index into the same list. Tensors are int8, NHWC, one image (N = 1).
 *
 * Quantization follows TensorFlow Lite's int8 scheme: real = scale * (q - zp).
 * Multipliers and shifts are in TFLite's convention (QuantizeMultiplier in
 * tensorflow/lite/kernels/internal/quantization_util.cc): the real multiplier
 * is mult * 2^(shift - 31), mult in [2^30, 2^31) or 0, shift > 0 is a left shift.
 */
#ifndef RF_NET_H
#define RF_NET_H

#include <stdint.h>

enum rf_op {
    RF_OP_INPUT = 0,
    RF_OP_CONV2D = 1,
    RF_OP_ADD = 2,
    RF_OP_DEPTHWISE = 3,     /* depthwise_conv2d, depth multiplier 1 */
    RF_OP_MAX_POOL = 4,      /* max_pool2d */
    RF_OP_AVG_POOL = 5,      /* avg_pool2d */
    RF_OP_GLOBAL_AVG_POOL = 6, /* global_avg_pool: avg pool over all H x W */
    RF_OP_DENSE = 7,         /* dense (FULLY_CONNECTED) on a 1 x 1 x C_in input */
};

/* How RF_OP_GLOBAL_AVG_POOL rounds its mean (the YAML's 'rounding'). */
enum rf_rounding {
    RF_ROUND_AVERAGE_POOL = 0,         /* AveragePool: raw sum / n, halves away from zero */
    RF_ROUND_TFLITE_MEAN_4D = 1,       /* reference_integer_ops::Mean */
    RF_ROUND_TFLITE_MEAN_TRUNCATE = 2, /* reference_ops::Mean */
    RF_ROUND_TFLM_MEAN = 3,            /* reference_ops::QuantizedMeanOrSum (TFLite Micro) */
};

typedef struct rf_layer {
    const char *name;
    enum rf_op op;
    int n_inputs;
    int inputs[2];       /* indices of producer layers (0 = network input) */
    int h, w, c;         /* output shape H x W x C (NHWC) */
    double scale;        /* output scale */
    int zero_point;      /* output zero point, -128..127 */
    int act_min, act_max;/* output clamp (fused ReLU: act_min = zero_point) */

    /* RF_OP_CONV2D. Output (y, x) sees input rows y*stride - pad_top + 0..K-1
     * and columns x*stride - pad_left + 0..K-1; taps outside the input are
     * skipped (TFLite ConvPerChannel). h = (H_in + pad_top + pad_bottom - K)
     * / stride + 1, likewise w. stride 0 means the generator's stride-1
     * 'same' layout: stride 1 and all four pads = pad. */
    int kernel;          /* K: 1, 3, 5 or 7 */
    int in_c;            /* C_in */
    int pad;             /* 'same' zero padding on each side, pixels (stride 1) */
    int stride;          /* 0 (see above), 1, 2, ... */
    int pad_top, pad_bottom, pad_left, pad_right;
    int pe, simd;        /* folding: output / input lanes per cycle */
    const int8_t *weights;   /* conv2d [c][kernel][kernel][in_c]; depthwise
                              * [c][kernel][kernel]; dense [c][in_c] */
    const int32_t *bias;     /* [c] */
    const int32_t *mult;     /* [c], TFLite QuantizeMultiplier */
    const int32_t *shift;    /* [c] */

    /* RF_OP_DEPTHWISE: reference_integer_ops::DepthwiseConvPerChannel with
     * depth multiplier 1 (in_c == c): output channel c sees only input
     * channel c; kernel, stride, pads, pe, simd, bias, mult, shift as conv.
     * RF_OP_MAX_POOL / RF_OP_AVG_POOL: reference_integer_ops::MaxPool /
     * AveragePool with kernel x kernel filter, stride and pads as conv;
     * out-of-image taps are ignored (not counted in the average). Output
     * scale and zero point equal the input's (TFLite requires it).
     * RF_OP_GLOBAL_AVG_POOL: the mean over the whole H x W input, h = w = 1,
     * kernel/stride/pads unused, rounded as `rounding` says (golden.c):
     * AveragePool with the filter the whole input, or one of the MEAN
     * kernels (docs/arithmetic.md).
     * RF_OP_DENSE: reference_integer_ops::FullyConnected (per-channel
     * multipliers, like conv): input 1 x 1 x in_c, output 1 x 1 x c. */

    /* RF_OP_GLOBAL_AVG_POOL */
    enum rf_rounding rounding;
    int32_t mean_mult;       /* RF_ROUND_TFLM_MEAN: QuantizeMultiplier(s_in / s_out) */
    int32_t mean_shift;      /* with 1/n folded in (QuantizedMeanOrSum) */

    /* RF_OP_ADD: TFLite reference_integer_ops::Add, int8 */
    int left_shift;          /* 20 for int8 */
    int32_t in_mult[2];
    int32_t in_shift[2];     /* <= 0 */
    int32_t out_mult;
    int32_t out_shift;       /* <= 0 */
} rf_layer;

typedef struct rf_fifo_info {
    const char *name;    /* e.g. "stem_to_add" */
    int depth;           /* elements */
    int width_bits;
} rf_fifo_info;

typedef struct rf_net {
    const char *name;            /* kernel name, e.g. "resnet_block" */
    int n_layers;
    const rf_layer *layers;      /* [n_layers], layers[0].op == RF_OP_INPUT */
    int output;                  /* index of the layer streamed out */
    int n_fifos;
    const rf_fifo_info *fifos;   /* same order as rf_dut_fifo_* indices */
    double predicted_cycles_per_frame;   /* as measured: 3 frames, mean interval of frame ends */
    long predicted_first_output_latency_cycles;
} rf_net;

/* Emitted by the generator into OUT/net.c. */
extern const rf_net rf_net_desc;

#endif
