/*
 * import.h - `resflow import`: a TensorFlow Lite int8 model (.tflite) to a
 * network description (YAML, schema version 1, docs/yaml.md) plus the .npy
 * files of its weights, biases and per-channel scales.
 *
 * Operators (TFLite BuiltinOperator) and what they become:
 *   CONV_2D -> conv2d, DEPTHWISE_CONV_2D (multiplier 1) -> depthwise_conv2d,
 *   ADD -> add, AVERAGE_POOL_2D / MAX_POOL_2D -> avg_pool2d / max_pool2d,
 *   MEAN over H and W with equal input and output quantization ->
 *   global_avg_pool rounding like the MEAN kernel of TFLite Micro (the
 *   default) or of TFLite (see import_mean), FULLY_CONNECTED -> dense, RESHAPE that only flattens
 *   1x1xC -> dropped, PAD with the zero point -> folded into the next
 *   conv's explicit padding, SOFTMAX -> left to the host (a YAML comment;
 *   the pipeline ends at its input), QUANTIZE / DEQUANTIZE at the graph's
 *   input or output -> left to the host. Anything else is an error naming
 *   the op and its operator index.
 *
 * Quantization is carried exactly: every scale is the model's float32,
 * printed "%.17g" from (double)float, so it parses back to the double
 * TFLite computes with (kernels/kernel_util.cc
 * PopulateConvolutionQuantizationParams multiplies the float scales as
 * doubles). Per-channel weight scales go into float32 .npy files.
 */
#ifndef RF_IMPORT_H
#define RF_IMPORT_H

/* Whose int8 MEAN kernel an imported global_avg_pool follows (the
 * 'rounding' it gets, docs/yaml.md): TFLite Micro's, rounding: tflm_mean;
 * or TFLite's reference kernel, tflite_mean_4d (keep_dims, a 4-D input,
 * axes [1, 2]) or tflite_mean_truncate (the rest). */
enum import_mean { IMPORT_MEAN_TFLM, IMPORT_MEAN_TFLITE };

/* Imports `model` into the directory `out_dir`: <name>.yaml and, per layer
 * with weights, <layer>_w.npy (int8), <layer>_b.npy (int32) and, for
 * per-channel scales, <layer>_s.npy (float32). `name` is the network name,
 * or NULL for one made from the model's file name; `mean` says whose MEAN
 * kernel a MEAN is rounded like (enum import_mean). The directory is written
 * atomically (a sibling temporary directory renamed into place); an
 * existing one is replaced only when it is empty or an earlier import's.
 * Errors are printed as "MODEL: error: message" (all that one pass finds);
 * returns 0, or -1 with nothing written. */
int import_tflite(const char *model, const char *out_dir, const char *name, enum import_mean mean);

#endif
