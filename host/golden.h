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
 * Conv layers follow reference_integer_ops::ConvPerChannel (stride 1,
 * 'same' padding, taps outside the image skipped), ADD layers
 * reference_integer_ops::AddElementwise with the multipliers stored in the
 * layer; see golden.c for the formulas. Per-layer buffers are allocated and
 * freed internally. Returns 0, or -1 on allocation failure or when the tables
 * are inconsistent (a producer index not before its consumer, a shape
 * mismatch, an unknown op); output is then unspecified.
 */
int golden_run(const rf_net *net, const int8_t *input, int8_t *output);

#endif
