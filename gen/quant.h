/*
 * quant.h - TensorFlow Lite int8 fixed-point arithmetic, bit-exact.
 *
 * Shared by the generator (multiplier/shift computation) and the golden
 * model in host/ (requantization). Sources, all in the TensorFlow Lite tree:
 *  - QuantizeMultiplier: tensorflow/lite/kernels/internal/quantization_util.cc
 *  - SaturatingRoundingDoublingHighMul, RoundingDivideByPOT: gemmlowp
 *    fixedpoint/fixedpoint.h (used by tensorflow/lite/kernels/internal/common.h)
 *  - MultiplyByQuantizedMultiplier(SmallerThanOneExp): internal/common.h
 *  - conv: reference_integer_ops/conv.h (ConvPerChannel)
 *  - add: reference_integer_ops/add.h and kernels/add.cc (Prepare)
 */
#ifndef RF_QUANT_H
#define RF_QUANT_H

#include <stdint.h>

/* gemmlowp SaturatingRoundingDoublingHighMul: (a*b*2 + 2^31 rounding) >> 32,
 * saturating the single overflow case a == b == INT32_MIN. */
int32_t q_srdhm(int32_t a, int32_t b);

/* gemmlowp RoundingDivideByPOT: x / 2^exponent rounded half away from zero.
 * exponent in 0..31. */
int32_t q_rdbpot(int32_t x, int exponent);

/* TFLite MultiplyByQuantizedMultiplier(x, mult, shift): shift > 0 shifts
 * left before the high multiply, shift < 0 rounds right after it. */
int32_t q_mbqm(int32_t x, int32_t mult, int shift);

/* TFLite QuantizeMultiplier(real, &mult, &shift): real = mult * 2^(shift-31),
 * mult in [2^30, 2^31). real must be >= 0 and finite. Returns 0 on success,
 * -1 when real is negative or not finite. */
int q_quantize_multiplier(double real, int32_t *mult, int *shift);

/* TFLite QuantizeMultiplierSmallerThanOneExp: like q_quantize_multiplier for
 * 0 < real < 1, shift <= 0. Returns -1 if real is outside (0, 1). */
int q_quantize_multiplier_lt1(double real, int32_t *mult, int *shift);

/* The float32 nearest to `scale`, as a TFLite file stores it, in a double;
 * 0 when that float is not positive and finite (scale <= 0, beyond FLT_MAX
 * or below the smallest float32). */
double q_scale_f32(double scale);

/* TFLite's Quantize of a fused activation's bound (kernel_util.cc,
 * CalculateActivationRangeQuantizedImpl): zp + roundf(real / scale) in
 * float32 (ReLU6: real = 6). Saturates at zp +- 2^31. */
int64_t q_quantize_f32(double scale, int zp, float real);

/* TFLite's real multiplier of a FULLY_CONNECTED with one weight scale
 * (kernel_util.cc, GetQuantizedConvolutionMultipler): the float32 product
 * in_scale * w_scale, divided by out_scale in double. */
double q_fc_per_tensor_real(double in_scale, double w_scale, double out_scale);

/* TFLite Micro's int8 MEAN (reference/reduce.h, QuantizedMeanOrSum): folds
 * 1/n into the multiplier (mult, shift) of input_scale / output_scale,
 * giving (mean_mult, mean_shift) for MultiplyByQuantizedMultiplier of
 * sum(x - input_zp). Returns 0, or -1 when n < 1 or mult/shift are not a
 * QuantizeMultiplier result. */
int q_mean_multiplier(int32_t mult, int shift, long n, int32_t *mean_mult, int *mean_shift);

/* Parameters of a TFLite int8 ADD, computed as kernels/add.cc Prepare does
 * (left_shift = 20, per-input multipliers from 2 * max input scale). */
typedef struct q_add_params {
    int left_shift;
    int32_t in_mult[2];
    int in_shift[2];
    int32_t out_mult;
    int out_shift;
} q_add_params;

/* Returns 0, or -1 when a scale is not positive and finite. */
int q_add_prepare(double in_scale0, double in_scale1, double out_scale, q_add_params *p);

/* One int8 ADD element (reference_integer_ops::AddElementwise):
 * x0, x1 int8 values with zero points zp0, zp1; result clamped to
 * [act_min, act_max]. */
int8_t q_add_elem(const q_add_params *p, int x0, int zp0, int x1, int zp1,
                  int out_zp, int act_min, int act_max);

/* Requantize one conv accumulator (int32, bias included) to int8:
 * MultiplyByQuantizedMultiplier + out_zp, clamped to [act_min, act_max]. */
int8_t q_requant(int32_t acc, int32_t mult, int shift, int out_zp, int act_min, int act_max);

#endif
