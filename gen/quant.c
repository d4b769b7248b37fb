/*
 * quant.c - TensorFlow Lite int8 fixed-point arithmetic, bit-exact.
 *
 * Every function here reproduces one routine of the TensorFlow Lite (TFLite)
 * reference path; the routine and the file it lives in are named above each
 * function. Written from the formulas, not copied:
 *  - tensorflow/lite/kernels/internal/quantization_util.cc
 *      QuantizeMultiplier, QuantizeMultiplierSmallerThanOneExp
 *  - gemmlowp fixedpoint/fixedpoint.h (used by
 *    tensorflow/lite/kernels/internal/common.h)
 *      SaturatingRoundingDoublingHighMul, RoundingDivideByPOT
 *  - tensorflow/lite/kernels/internal/common.h
 *      MultiplyByQuantizedMultiplier (the default, double-rounding variant;
 *      not the TFLITE_SINGLE_ROUNDING one),
 *      MultiplyByQuantizedMultiplierSmallerThanOneExp
 *  - tensorflow/lite/kernels/add.cc (Prepare, int8 branch) and
 *    tensorflow/lite/kernels/internal/reference/integer_ops/add.h
 *      (AddElementwise)
 *  - tensorflow/lite/kernels/internal/reference/integer_ops/conv.h
 *      (ConvPerChannel: the requantize and clamp of each accumulator)
 *  - tensorflow/lite/kernels/kernel_util.cc
 *      (CalculateActivationRangeQuantizedImpl's Quantize helper,
 *      GetQuantizedConvolutionMultipler: the float32 steps)
 *  - tensorflow/lite/kernels/internal/reference/reduce.h
 *      (QuantizedMeanOrSum: the mean's multiplier, as TFLite Micro runs it)
 *
 * C differs from the C++ TFLite is compiled as in two places this file cares
 * about, and both are handled without implementation-defined behaviour:
 * right shifts of negative numbers (done here as floor division) and int32
 * overflow in x * (1 << left_shift) (done here in 64 bits and wrapped to 32,
 * which is what TFLite's int32 multiply does on every target it runs on).
 */
#include "quant.h"

#include <assert.h>
#include <float.h>
#include <math.h>

/* The low 32 bits of v as a two's complement int32, without relying on the
 * implementation-defined conversion of out-of-range values. */
static int32_t wrap32(int64_t v)
{
    uint32_t u = (uint32_t)((uint64_t)v & 0xffffffffu);

    if (u <= (uint32_t)INT32_MAX)
        return (int32_t)u;
    return (int32_t)((int64_t)u - ((int64_t)1 << 32));
}

/* floor(v / 2^e) for 0 <= e <= 62: an arithmetic right shift, spelled so it
 * is defined for negative v in C11 (6.5.7p5 leaves >> on negatives to the
 * implementation). */
static int64_t asr64(int64_t v, int e)
{
    int64_t d = (int64_t)1 << e;
    int64_t q = v / d;          /* truncates toward zero */

    if (v % d != 0 && v < 0)
        q -= 1;
    return q;
}

/*
 * gemmlowp SaturatingRoundingDoublingHighMul(a, b): the high 32 bits of
 * 2*a*b, i.e. a*b / 2^31, rounded to nearest. The nudge is 2^30 for a
 * non-negative product and 1 - 2^30 for a negative one, then the sum is
 * divided by 2^31 truncating toward zero (C++ integer division). So positive
 * ties round up (0.5 -> 1) and, because of the "1 -", negative ties round
 * toward zero as well (-0.5 -> 0, -1.5 -> -1): ties go toward +infinity.
 * The only product that does not fit is INT32_MIN * INT32_MIN (2^62, doubled
 * 2^63): it saturates to INT32_MAX.
 */
int32_t q_srdhm(int32_t a, int32_t b)
{
    int64_t ab, nudge;

    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    ab = (int64_t)a * (int64_t)b;
    nudge = ab >= 0 ? ((int64_t)1 << 30) : (1 - ((int64_t)1 << 30));
    return (int32_t)((ab + nudge) / ((int64_t)1 << 31));
}

/*
 * gemmlowp RoundingDivideByPOT(x, exponent): mask = 2^exponent - 1,
 * remainder = x & mask, threshold = (mask >> 1) + (x < 0), and the result is
 * (x >> exponent) + (remainder > threshold). With an arithmetic shift this is
 * x / 2^exponent rounded to nearest, ties away from zero:
 * RDBPOT(3, 1) = 2, RDBPOT(-3, 1) = -2, RDBPOT(-5, 2) = -1.
 * exponent must be in 0..31 (asserted).
 */
int32_t q_rdbpot(int32_t x, int exponent)
{
    int64_t mask, remainder, threshold, q;

    assert(exponent >= 0 && exponent <= 31);
    mask = ((int64_t)1 << exponent) - 1;
    /* x & mask on the two's complement bits: x - floor(x / 2^e) * 2^e */
    q = asr64(x, exponent);
    remainder = (int64_t)x - q * ((int64_t)1 << exponent);
    threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (int32_t)(q + (remainder > threshold ? 1 : 0));
}

/*
 * TFLite MultiplyByQuantizedMultiplier (internal/common.h, double rounding):
 * left_shift = max(shift, 0), right_shift = max(-shift, 0);
 * RDBPOT(SRDHM(x * 2^left_shift, mult), right_shift). The left shift is an
 * int32 multiply in TFLite; it wraps here as it does there.
 */
int32_t q_mbqm(int32_t x, int32_t mult, int shift)
{
    int left = shift > 0 ? shift : 0;
    int right = shift > 0 ? 0 : -shift;

    assert(left <= 31);
    return q_rdbpot(q_srdhm(wrap32((int64_t)x * ((int64_t)1 << left)), mult), right);
}

/*
 * TFLite QuantizeMultiplier (quantization_util.cc): real == 0 gives (0, 0).
 * Otherwise q = frexp(real, &shift) with q in [0.5, 1),
 * q_fixed = round(q * 2^31) with std::round (ties away from zero, which C's
 * round() also does); if q_fixed == 2^31 (q rounded up to 1.0) halve it and
 * increment shift; if shift < -31 flush to (0, 0), since every bit would be
 * shifted out. Then real ~= mult * 2^(shift - 31).
 */
int q_quantize_multiplier(double real, int32_t *mult, int *shift)
{
    double q;
    int64_t q_fixed;
    int e;

    if (!isfinite(real) || real < 0.0)
        return -1;
    if (real == 0.0) {
        *mult = 0;
        *shift = 0;
        return 0;
    }
    q = frexp(real, &e);
    q_fixed = (int64_t)round(q * (double)((int64_t)1 << 31));
    assert(q_fixed <= ((int64_t)1 << 31));
    if (q_fixed == ((int64_t)1 << 31)) {
        q_fixed /= 2;
        e++;
    }
    assert(q_fixed <= INT32_MAX);
    if (e < -31) {
        e = 0;
        q_fixed = 0;
    }
    *mult = (int32_t)q_fixed;
    *shift = e;
    return 0;
}

/*
 * TFLite QuantizeMultiplierSmallerThanOneExp (quantization_util.cc):
 * QuantizeMultiplier for 0 < real < 1, whose shift is then <= 0 (a right
 * shift). TFLite asserts on the bounds and on shift <= 0; here those are
 * errors (-1). A real so close to 1 that the mantissa rounds up to 2^31 gives
 * shift 1 and is refused, as TFLite's assertion would.
 */
int q_quantize_multiplier_lt1(double real, int32_t *mult, int *shift)
{
    int32_t m;
    int s;

    if (!(real > 0.0 && real < 1.0))
        return -1;
    if (q_quantize_multiplier(real, &m, &s) != 0 || s > 0)
        return -1;
    *mult = m;
    *shift = s;
    return 0;
}

/*
 * tensorflow/lite/kernels/add.cc Prepare, int8 inputs and output:
 *   left_shift = 20
 *   twice_max_input_scale = 2 * max(s0, s1)
 *   real_input_i = s_i / twice_max_input_scale           (<= 0.5)
 *   real_output  = twice_max_input_scale / (2^20 * s_out)
 * each quantized with QuantizeMultiplierSmallerThanOneExp. TFLite's scales are
 * float32 and the arithmetic above is done in double there as here (TFLite
 * Micro's add_common.cc CalculateOpDataAdd casts each scale to double
 * first; add.cc's 2 * max(s0, s1) and 2^20 * s_out are float32 products by
 * powers of two, exact). Given scales that are float32 values (resflow
 * rounds every scale to float32, q_scale_f32), the results are TFLite's.
 * Returns -1 when a scale is not positive and finite, or when real_output is
 * not below 1 (TFLite would assert).
 */
int q_add_prepare(double in_scale0, double in_scale1, double out_scale, q_add_params *p)
{
    double twice_max;

    if (!(isfinite(in_scale0) && in_scale0 > 0.0) ||
        !(isfinite(in_scale1) && in_scale1 > 0.0) ||
        !(isfinite(out_scale) && out_scale > 0.0))
        return -1;
    p->left_shift = 20;
    twice_max = 2.0 * (in_scale0 > in_scale1 ? in_scale0 : in_scale1);
    if (q_quantize_multiplier_lt1(in_scale0 / twice_max, &p->in_mult[0], &p->in_shift[0]) != 0 ||
        q_quantize_multiplier_lt1(in_scale1 / twice_max, &p->in_mult[1], &p->in_shift[1]) != 0 ||
        q_quantize_multiplier_lt1(twice_max / ((double)(1 << p->left_shift) * out_scale),
                                  &p->out_mult, &p->out_shift) != 0)
        return -1;
    return 0;
}

/*
 * A TFLite file stores every scale as a float32 (schema.fbs,
 * QuantizationParameters.scale: [float]); resflow keeps scales in doubles
 * that hold exactly such a float. (double)(float)scale rounds to nearest,
 * ties to even (C11 6.3.1.5 with the default rounding mode).
 */
double q_scale_f32(double scale)
{
    float f;

    if (!(scale > 0.0) || !isfinite(scale) || scale > FLT_MAX)
        return 0.0;
    f = (float)scale;
    return f > 0.0f ? (double)f : 0.0;
}

/*
 * kernel_util.cc, CalculateActivationRangeQuantizedImpl: the bound of a
 * fused activation is Quantize(real) = zero_point + TfLiteRound(real /
 * scale) with `real` and `scale` float32, so the division is a float32
 * division and TfLiteRound a float round (half away from zero, roundf).
 * The result saturates at +-2^31 here (TFLite refuses such a scale).
 */
int64_t q_quantize_f32(double scale, int zp, float real)
{
    float t = real / (float)scale;   /* a float32 quotient: C11 5.2.4.2.2p9 with FLT_EVAL_METHOD 0 */
    float r;

    t = (float)t;                    /* a cast drops any wider evaluation format (C11 6.3.1.8p2) */
    r = roundf(t);
    if (!(r > -2147483648.0f))
        return (int64_t)zp - ((int64_t)1 << 31);
    if (!(r < 2147483648.0f))
        return (int64_t)zp + ((int64_t)1 << 31);
    return (int64_t)zp + (int64_t)r;
}

/*
 * kernel_util.cc, GetQuantizedConvolutionMultipler (the overload without
 * bias, which the one with bias calls; TFLite's fully_connected.cc Prepare
 * and TFLite Micro's CalculateOpDataFullyConnected use it for per-tensor
 * weights): input_product_scale = static_cast<double>(input_scale *
 * filter_scale), a float32 product, then / static_cast<double>(output_scale)
 * in double. Per-channel weights take PopulateConvolutionQuantizationParams
 * instead, all in double (see conv_weights in check.c).
 */
double q_fc_per_tensor_real(double in_scale, double w_scale, double out_scale)
{
    float p = (float)in_scale * (float)w_scale;

    p = (float)p;
    return (double)p / out_scale;
}

/*
 * reference/reduce.h, QuantizedMeanOrSum with compute_sum = false (the
 * integer MEAN of TFLite Micro's reduce_common.cc, EvalIntegerMean): the
 * 1/n of the mean is folded into the multiplier (mult, shift) that
 * PrepareMeanOrSum made from input_scale / output_scale:
 *   s     = min(floor(log2 n), 32, 31 + shift)   (63 - CountLeadingZeros(n))
 *   mult' = (int64(mult) << s) / n               (truncating)
 *   shift' = shift - s
 * n >= 1. mult' stays in (mult / 2, mult], an int32.
 */
int q_mean_multiplier(int32_t mult, int shift, long n, int32_t *mean_mult, int *mean_shift)
{
    int s = 0;

    if (n < 1 || mult < 0 || shift > 31 || shift < -31)
        return -1;
    while (s < 62 && ((int64_t)1 << (s + 1)) <= (int64_t)n)
        s++;
    s = s < 32 ? s : 32;
    s = s < 31 + shift ? s : 31 + shift;
    *mean_mult = (int32_t)(((int64_t)mult << s) / (int64_t)n);
    *mean_shift = shift - s;
    return 0;
}

static int clamp_int(int64_t v, int lo, int hi)
{
    if (v < lo)
        return lo;
    if (v > hi)
        return hi;
    return (int)v;
}

/*
 * reference_integer_ops/add.h AddElementwise, one element:
 *   v_i      = x_i + input_offset_i          (input_offset_i = -zp_i)
 *   shifted  = v_i * 2^left_shift
 *   scaled_i = MBQMSmallerThanOneExp(shifted_i, in_mult_i, in_shift_i)
 *   raw      = MBQMSmallerThanOneExp(scaled_0 + scaled_1, out_mult, out_shift)
 *              + out_zp
 *   result   = clamp(raw, act_min, act_max)
 * MBQMSmallerThanOneExp(x, m, s) = RDBPOT(SRDHM(x, m), -s), i.e. q_mbqm with
 * s <= 0. For int8 inputs |v_i| <= 255, so shifted fits int32 with room.
 */
int8_t q_add_elem(const q_add_params *p, int x0, int zp0, int x1, int zp1,
                  int out_zp, int act_min, int act_max)
{
    int32_t s0 = wrap32((int64_t)(x0 - zp0) * ((int64_t)1 << p->left_shift));
    int32_t s1 = wrap32((int64_t)(x1 - zp1) * ((int64_t)1 << p->left_shift));
    int32_t a = q_mbqm(s0, p->in_mult[0], p->in_shift[0]);
    int32_t b = q_mbqm(s1, p->in_mult[1], p->in_shift[1]);
    int32_t raw = q_mbqm(wrap32((int64_t)a + b), p->out_mult, p->out_shift);

    return (int8_t)clamp_int((int64_t)raw + out_zp, act_min, act_max);
}

/*
 * reference_integer_ops/conv.h ConvPerChannel, after the accumulation:
 *   acc = MultiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]) + out_zp
 *   clamp to [act_min, act_max]
 * (fused ReLU arrives as act_min = out_zp).
 */
int8_t q_requant(int32_t acc, int32_t mult, int shift, int out_zp, int act_min, int act_max)
{
    return (int8_t)clamp_int((int64_t)q_mbqm(acc, mult, shift) + out_zp, act_min, act_max);
}
