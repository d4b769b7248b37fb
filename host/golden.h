/*
 * golden.h - the golden C model: the network of rf_net.h run layer by layer
 * with TensorFlow Lite's int8 reference kernels, bit for bit.
 */
#ifndef RF_GOLDEN_H
#define RF_GOLDEN_H

#include <stdint.h>

#include "rf_net.h"

/*
 * Runs one image through net.
 *   input:  layers[0].h x w x c int8, NHWC (row-major y, x, channel).
 *   output: layers[net->output].h x w x c int8, NHWC.
 * Each layer follows its TensorFlow Lite int8 reference kernel
 * (tensorflow/lite/kernels/internal/reference/integer_ops/), bit for bit:
 *   RF_OP_CONV2D           ConvPerChannel (conv.h), weights [c][K][K][in_c]
 *   RF_OP_DEPTHWISE        DepthwiseConvPerChannel (depthwise_conv.h), depth
 *                          multiplier 1 (in_c = c = input channels),
 *                          weights [c][K][K]
 *   RF_OP_MAX_POOL         MaxPool (pooling.h), K x K filter
 *   RF_OP_AVG_POOL         AveragePool (pooling.h), K x K filter; the average
 *                          of the in-image taps, halves rounded away from 0
 *   RF_OP_GLOBAL_AVG_POOL  the mean over the whole H x W input, output
 *                          1 x 1 x c: AveragePool with the filter the whole
 *                          input, or a MEAN kernel (Mean in mean.h or
 *                          reduce.h, QuantizedMeanOrSum), as `rounding` says
 *   RF_OP_DENSE            FullyConnectedPerChannel (fully_connected.h) on a
 *                          1 x 1 x in_c input, output 1 x 1 x c, weights [c][in_c]
 *   RF_OP_ADD              AddElementwise (add.h) with the multipliers stored
 *                          in the layer
 * The windowed ops use the layer's stride and pads (stride 0: stride 1, all
 * pads = pad); window (y, x) starts at input (y*stride - pad_top,
 * x*stride - pad_left), taps outside the input are skipped (the
 * convolutions: as if padded with the input zero point; the pools: not
 * counted). Conv, depthwise and dense requantize per output channel
 * (MultiplyByQuantizedMultiplier with mult[c], shift[c], + zero point,
 * clamp to act_min .. act_max; bias optional); the pools keep the input's
 * scale and zero point and clamp to act_min .. act_max. See golden.c for the
 * formulas. Per-layer buffers are allocated and freed internally.
 * Returns 0, or -1 on allocation failure or when the tables are
 * inconsistent (a producer index not before its consumer; a shape that does
 * not follow from the producer's, kernel, stride and pads; channel counts
 * that differ where they must agree; weights, mult or shift NULL where
 * needed; a pool whose scale or zero point differs from its input's, with a
 * window holding no input pixel or more than 2^24 taps; a global pool with
 * an unknown rounding, or a MEAN rounding over more than 2^23 pixels; an
 * unknown op);
 * output is then unspecified.
 */
int golden_run(const rf_net *net, const int8_t *input, int8_t *output);

#endif
