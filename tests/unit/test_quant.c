/*
 * test_quant.c - gen/quant.c against TensorFlow Lite results worked by hand.
 *
 * Every expected value below is derived in the comment beside it from the
 * TFLite formulas (tensorflow/lite/kernels/internal/quantization_util.cc,
 * gemmlowp fixedpoint.h, internal/common.h, kernels/add.cc,
 * reference/integer_ops/add.h), not from running quant.c.
 *
 *   cc -std=c11 -Wall -Wextra -pedantic -Igen -Ihost tests/unit/test_quant.c \
 *      gen/quant.c -lcmocka -lm
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <cmocka.h>

#include "quant.h"

#define P30 ((int32_t)1 << 30)  /* 1073741824, Q0.31 for 0.5 */

static void expect_qm(double real, int32_t mult, int shift)
{
    int32_t m = -1;
    int s = -99;

    assert_int_equal(q_quantize_multiplier(real, &m, &s), 0);
    assert_int_equal(m, mult);
    assert_int_equal(s, shift);
}

/* ---- QuantizeMultiplier ---- */

static void test_qm_simple(void **state)
{
    (void)state;
    /* frexp(0.5) = 0.5 * 2^0; 0.5 * 2^31 = 2^30 */
    expect_qm(0.5, P30, 0);
    /* frexp(0.75) = 0.75 * 2^0; 0.75 * 2^31 = 1610612736 */
    expect_qm(0.75, 1610612736, 0);
    /* frexp(1.0) = 0.5 * 2^1 -> (2^30, 1): 2^30 * 2^(1-31) = 1 */
    expect_qm(1.0, P30, 1);
    /* frexp(3.0) = 0.75 * 2^2 */
    expect_qm(3.0, 1610612736, 2);
    /* frexp(0.25) = 0.5 * 2^-1 */
    expect_qm(0.25, P30, -1);
    /* 0 is special-cased to (0, 0) */
    expect_qm(0.0, 0, 0);
}

static void test_qm_rounding(void **state)
{
    (void)state;
    /* 0.0003: 2^-12 = 0.000244140625 < 0.0003 < 2^-11 = 0.00048828125, so
     * frexp gives q = 0.0003 / 2^-11 = 0.0003 * 2048 = 0.6144, exponent -11.
     * q * 2^31 = 0.6144 * 2147483648 = 1288490188.8 + 30923764.5312
     *          = 1319413953.3312 -> round -> 1319413953. */
    expect_qm(0.0003, 1319413953, -11);
    /* 0.1 = 0.8 * 2^-3; 0.8 * 2^31 = 1717986918.4 -> 1717986918 */
    expect_qm(0.1, 1717986918, -3);
    /* 1/3 = 0.666.. * 2^-1; 2^32 / 3 = 1431655765.33 -> 1431655765 */
    expect_qm(1.0 / 3.0, 1431655765, -1);
    /* 0.6 * 2^-19: 0.6 * 2^31 = 1288490188.8 -> rounds UP to 1288490189 */
    expect_qm(0.6 * ldexp(1.0, -19), 1288490189, -19);
    /* round half away from zero: q = 0.5 + 2^-32 gives
     * q * 2^31 = 2^30 + 0.5 exactly -> std::round -> 2^30 + 1 (banker's
     * rounding would give 2^30) */
    expect_qm(0.5 + ldexp(1.0, -32), P30 + 1, 0);
}

static void test_qm_fixed_2p31_correction(void **state)
{
    (void)state;
    /* q = 1 - 2^-33 (frexp exponent 0): q * 2^31 = 2^31 - 0.25, which rounds
     * to 2^31 and does not fit int32: TFLite halves it to 2^30 and bumps the
     * shift to 1. Result (2^30, 1) = 1.0. */
    expect_qm(1.0 - ldexp(1.0, -33), P30, 1);
    /* the same mantissa times 2^-3: exponent -3 -> corrected to -2 */
    expect_qm((1.0 - ldexp(1.0, -33)) * 0.125, P30, -2);
    /* just below: q = 1 - 2^-31 -> q * 2^31 = 2^31 - 1 fits, no correction */
    expect_qm(1.0 - ldexp(1.0, -31), INT32_MAX, 0);
}

static void test_qm_flush(void **state)
{
    (void)state;
    /* 2^-32 = 0.5 * 2^-31: shift -31 is the smallest kept */
    expect_qm(ldexp(1.0, -32), P30, -31);
    /* 2^-33 = 0.5 * 2^-32: shift -32 < -31 -> flushed to (0, 0) */
    expect_qm(ldexp(1.0, -33), 0, 0);
    /* 2^-40 likewise */
    expect_qm(ldexp(1.0, -40), 0, 0);
}

static void test_qm_errors(void **state)
{
    int32_t m = 123;
    int s = 7;

    (void)state;
    assert_int_equal(q_quantize_multiplier(-0.5, &m, &s), -1);
    assert_int_equal(q_quantize_multiplier(NAN, &m, &s), -1);
    assert_int_equal(q_quantize_multiplier(INFINITY, &m, &s), -1);
    /* outputs untouched on error */
    assert_int_equal(m, 123);
    assert_int_equal(s, 7);
}

static void test_qm_lt1(void **state)
{
    int32_t m = 0;
    int s = 0;

    (void)state;
    /* same as QuantizeMultiplier inside (0, 1) */
    assert_int_equal(q_quantize_multiplier_lt1(0.5, &m, &s), 0);
    assert_int_equal(m, P30);
    assert_int_equal(s, 0);
    assert_int_equal(q_quantize_multiplier_lt1(0.0003, &m, &s), 0);
    assert_int_equal(m, 1319413953);
    assert_int_equal(s, -11);
    /* outside (0, 1): TFLite asserts; we refuse */
    assert_int_equal(q_quantize_multiplier_lt1(1.0, &m, &s), -1);
    assert_int_equal(q_quantize_multiplier_lt1(0.0, &m, &s), -1);
    assert_int_equal(q_quantize_multiplier_lt1(-0.25, &m, &s), -1);
    /* below 1 but the mantissa rounds to 2^31 -> shift 1 > 0: refused */
    assert_int_equal(q_quantize_multiplier_lt1(1.0 - ldexp(1.0, -33), &m, &s), -1);
}

/* ---- SaturatingRoundingDoublingHighMul: round(a * b / 2^31) ---- */

static void test_srdhm(void **state)
{
    (void)state;
    /* the one overflow: (-2^31)(-2^31) / 2^31 = 2^31 -> saturates */
    assert_int_equal(q_srdhm(INT32_MIN, INT32_MIN), INT32_MAX);
    /* (-2^31)(2^31 - 1) / 2^31 = -(2^31 - 1) exactly */
    assert_int_equal(q_srdhm(INT32_MIN, INT32_MAX), -INT32_MAX);
    /* 2^30 * 2^30 / 2^31 = 2^29 */
    assert_int_equal(q_srdhm(P30, P30), 1 << 29);
    /* 100 * 0.5 = 50 */
    assert_int_equal(q_srdhm(100, P30), 50);
    /* 7 * 0.75 = 5.25 -> 5 */
    assert_int_equal(q_srdhm(7, 1610612736), 5);
    /* positive ties round up: 1 * 0.5 = 0.5 -> (2^30 + 2^30) / 2^31 = 1;
     * 3 * 0.5 = 1.5 -> (3*2^30 + 2^30) / 2^31 = 2 */
    assert_int_equal(q_srdhm(1, P30), 1);
    assert_int_equal(q_srdhm(3, P30), 2);
    /* negative ties: nudge 1 - 2^30, truncating division.
     * -1 * 0.5: (-2^30 + 1 - 2^30) / 2^31 = (1 - 2^31) / 2^31 = -0.99.. -> 0
     * -3 * 0.5: (-3*2^30 + 1 - 2^30) / 2^31 = (1 - 2^32) / 2^31 -> -1 */
    assert_int_equal(q_srdhm(-1, P30), 0);
    assert_int_equal(q_srdhm(-3, P30), -1);
    /* negative non-tie: -7 * 0.75 = -5.25 -> -5; -5 * 0.75 = -3.75 -> -4 */
    assert_int_equal(q_srdhm(-7, 1610612736), -5);
    assert_int_equal(q_srdhm(-5, 1610612736), -4);
}

/* ---- RoundingDivideByPOT: x / 2^e, ties away from zero ---- */

static void test_rdbpot(void **state)
{
    (void)state;
    /* 3/2 = 1.5: mask 1, rem 1, threshold 0, 3>>1 = 1, +1 -> 2 */
    assert_int_equal(q_rdbpot(3, 1), 2);
    /* -3/2 = -1.5: rem = -3 & 1 = 1, threshold 0 + 1 = 1, -3>>1 = -2,
     * 1 > 1 false -> -2 (away from zero) */
    assert_int_equal(q_rdbpot(-3, 1), -2);
    /* -5/4 = -1.25: rem = -5 & 3 = 3, threshold 1 + 1 = 2, -5>>2 = -2,
     * 3 > 2 -> -1 */
    assert_int_equal(q_rdbpot(-5, 2), -1);
    /* 5/4 = 1.25 -> 1 */
    assert_int_equal(q_rdbpot(5, 2), 1);
    /* 6/4 = 1.5 -> 2; -6/4 = -1.5: rem 2, threshold 2, -6>>2 = -2 -> -2 */
    assert_int_equal(q_rdbpot(6, 2), 2);
    assert_int_equal(q_rdbpot(-6, 2), -2);
    /* -7/4 = -1.75: rem 1, threshold 2, -2 -> -2 */
    assert_int_equal(q_rdbpot(-7, 2), -2);
    /* exponent 0 is the identity */
    assert_int_equal(q_rdbpot(-17, 0), -17);
    assert_int_equal(q_rdbpot(INT32_MIN, 0), INT32_MIN);
    /* exponent 31: -2^31 / 2^31 = -1; (2^31-1)/2^31 -> 1;
     * -2^30 / 2^31 = -0.5 -> -1 (rem 2^30, threshold 2^30, -1 + 0) */
    assert_int_equal(q_rdbpot(INT32_MIN, 31), -1);
    assert_int_equal(q_rdbpot(INT32_MAX, 31), 1);
    assert_int_equal(q_rdbpot(-P30, 31), -1);
    assert_int_equal(q_rdbpot(P30 - 1, 31), 0);
}

/* ---- MultiplyByQuantizedMultiplier ---- */

static void test_mbqm(void **state)
{
    (void)state;
    /* shift 0: 100 * 0.5 = 50 */
    assert_int_equal(q_mbqm(100, P30, 0), 50);
    /* shift 1: left shift first, 200 * 0.5 = 100 */
    assert_int_equal(q_mbqm(100, P30, 1), 100);
    /* -7 * 0.75 * 2^-1: SRDHM(-7, 0.75) = -5.25 -> -5, RDBPOT(-5, 1) =
     * -2.5 -> -3 */
    assert_int_equal(q_mbqm(-7, 1610612736, -1), -3);
    /* double rounding, as TFLite does it: 1 * 0.375 exactly is 0.375 (-> 0
     * if rounded once), but SRDHM(1, 0.75) = 0.75 -> 1, RDBPOT(1, 1) = 0.5
     * -> 1 */
    assert_int_equal(q_mbqm(1, 1610612736, -1), 1);
    /* (2^30, -31) = 2^-32: 2^30 * 2^-32 = 0.25 -> 0; INT32_MAX -> 0.5 -> ...
     * SRDHM(INT32_MAX, 2^30) = 2^30 - 0.5 -> 2^30, RDBPOT(2^30, 31) = 0.5 -> 1 */
    assert_int_equal(q_mbqm(P30, P30, -31), 0);
    assert_int_equal(q_mbqm(INT32_MAX, P30, -31), 1);
}

/* ---- conv requantize + clamp ---- */

static void test_requant(void **state)
{
    (void)state;
    /* (2^30, -3) = 0.5 * 2^-3 = 1/16. 1000/16 = 62.5:
     * SRDHM(1000, 2^30) = 500, RDBPOT(500, 3) = 62.5 -> 63; + zp -10 = 53 */
    assert_int_equal(q_requant(1000, P30, -3, -10, -128, 127), 53);
    /* -1000: SRDHM -> -500, RDBPOT(-500, 3) = -62.5 -> -63; -63 - 10 = -73 */
    assert_int_equal(q_requant(-1000, P30, -3, -10, -128, 127), -73);
    /* fused ReLU: act_min = zp = -10 clamps -73 up to -10 */
    assert_int_equal(q_requant(-1000, P30, -3, -10, -10, 127), -10);
    /* ReLU does not touch positives: still 53 */
    assert_int_equal(q_requant(1000, P30, -3, -10, -10, 127), 53);
    /* 10000/16 = 625 - 10 = 615 -> clamped to 127 */
    assert_int_equal(q_requant(10000, P30, -3, -10, -10, 127), 127);
    /* -100000/16 = -6250 - 10 -> clamped to -128 */
    assert_int_equal(q_requant(-100000, P30, -3, -10, -128, 127), -128);
    /* narrower range clamps too: 53 -> 40 */
    assert_int_equal(q_requant(1000, P30, -3, -10, -128, 40), 40);
}

/* ---- ADD: Prepare and one element, end to end ---- */

static void test_add_prepare(void **state)
{
    q_add_params p;

    (void)state;
    /* s0 = 0.5, s1 = 0.25, s_out = 1: twice_max = 1.0
     * real_in0 = 0.5  -> (2^30, 0)
     * real_in1 = 0.25 -> (2^30, -1)
     * real_out = 1 / (2^20 * 1) = 2^-20 = 0.5 * 2^-19 -> (2^30, -19) */
    assert_int_equal(q_add_prepare(0.5, 0.25, 1.0, &p), 0);
    assert_int_equal(p.left_shift, 20);
    assert_int_equal(p.in_mult[0], P30);
    assert_int_equal(p.in_shift[0], 0);
    assert_int_equal(p.in_mult[1], P30);
    assert_int_equal(p.in_shift[1], -1);
    assert_int_equal(p.out_mult, P30);
    assert_int_equal(p.out_shift, -19);

    /* s0 = 0.02, s1 = 0.03, s_out = 0.05: twice_max = 0.06
     * real_in0 = 1/3 = 0.666.. * 2^-1 -> (1431655765, -1)
     * real_in1 = 0.5 -> (2^30, 0)
     * real_out = 0.06 / (2^20 * 0.05) = 1.2 * 2^-20 = 0.6 * 2^-19
     *          -> 0.6 * 2^31 = 1288490188.8 -> (1288490189, -19) */
    assert_int_equal(q_add_prepare(0.02, 0.03, 0.05, &p), 0);
    assert_int_equal(p.in_mult[0], 1431655765);
    assert_int_equal(p.in_shift[0], -1);
    assert_int_equal(p.in_mult[1], P30);
    assert_int_equal(p.in_shift[1], 0);
    assert_int_equal(p.out_mult, 1288490189);
    assert_int_equal(p.out_shift, -19);

    assert_int_equal(q_add_prepare(0.0, 0.5, 1.0, &p), -1);
    assert_int_equal(q_add_prepare(0.5, -0.5, 1.0, &p), -1);
    assert_int_equal(q_add_prepare(0.5, 0.5, INFINITY, &p), -1);
}

static void test_add_elem(void **state)
{
    q_add_params p;

    (void)state;
    assert_int_equal(q_add_prepare(0.5, 0.25, 1.0, &p), 0);
    /* x0 = 10, zp0 = 2: v0 = 8 (real 4.0); x1 = -7, zp1 = -3: v1 = -4
     * (real -1.0). Real sum 3.0, out scale 1, out_zp 5 -> expect 8.
     * shifted0 = 8 * 2^20 = 8388608;  SRDHM(.., 2^30) = 4194304, RDBPOT 0
     * shifted1 = -4 * 2^20 = -4194304; SRDHM -> -2097152, RDBPOT(.., 1)
     *            = -1048576
     * raw_sum = 3145728; SRDHM(.., 2^30) = 1572864; RDBPOT(.., 19) =
     * 1572864 / 524288 = 3; + 5 = 8 */
    assert_int_equal(q_add_elem(&p, 10, 2, -7, -3, 5, -128, 127), 8);
    /* a tie: x0 = 3, zp0 = 0 (real 1.5), x1 = zp1 = 0, out_zp 0.
     * shifted0 = 3145728 -> 1572864; sum 1572864 -> SRDHM 786432 ->
     * RDBPOT(786432, 19) = 1.5 -> 2 */
    assert_int_equal(q_add_elem(&p, 3, 0, 0, 0, 0, -128, 127), 2);
    /* the negative tie: -1.5 -> -2 (away from zero in RDBPOT) */
    assert_int_equal(q_add_elem(&p, -3, 0, 0, 0, 0, -128, 127), -2);
    /* with fused ReLU (act_min = out_zp = 0) it becomes 0 */
    assert_int_equal(q_add_elem(&p, -3, 0, 0, 0, 0, 0, 127), 0);
    /* saturation: x0 = 127, zp0 = -128: v0 = 255 (127.5);
     * x1 = 127, zp1 = -128: v1 = 255 (63.75); sum 191.25 -> 191 + 5 = 196
     * -> clamped to 127 */
    assert_int_equal(q_add_elem(&p, 127, -128, 127, -128, 5, -128, 127), 127);
    /* and the other end: -127.5 - 63.75 = -191.25 -> -128 */
    assert_int_equal(q_add_elem(&p, -128, 127, -128, 127, 0, -128, 127), -128);
}

/* ---- float32 steps (issue 23) ---- */

/*
 * q_scale_f32: the float32 a TFLite file stores. 0.02 is
 * 0x3CA3D70A = 10737418 * 2^-29 = 0.0199999995529651641845703125;
 * 1e39 is beyond FLT_MAX, 1e-50 below half the smallest subnormal 2^-149
 * (1.4012984643248171e-45), which itself survives.
 */
static void test_scale_f32(void **state)
{
    (void)state;
    assert_true(q_scale_f32(0.02) == 0.0199999995529651641845703125);
    assert_true(q_scale_f32(0.0199999995529651641845703125) == 0.0199999995529651641845703125);
    assert_true(q_scale_f32(1e39) == 0.0);
    assert_true(q_scale_f32(1e-50) == 0.0);
    assert_true(q_scale_f32(-1.0) == 0.0);
    assert_true(q_scale_f32(ldexp(1.0, -149)) == ldexp(1.0, -149));
}

/*
 * q_quantize_f32 (CalculateActivationRangeQuantizedImpl's Quantize):
 * scale float32(6 / 24.5) = 0.2448979616165161: 6.0f / scale = 24.5 in
 * float32 (24.49999976 in double), roundf -> 25; + zp. -6.0f rounds half
 * away from zero to -25. A scale so small that the quotient passes 2^31
 * saturates.
 */
static void test_quantize_f32(void **state)
{
    (void)state;
    assert_int_equal(q_quantize_f32(0.2448979616165161, 0, 6.0f), 25);
    assert_int_equal(q_quantize_f32(0.2448979616165161, -3, 6.0f), 22);
    assert_int_equal(q_quantize_f32(0.2448979616165161, 0, -6.0f), -25);
    assert_int_equal(q_quantize_f32(0.5, 7, 0.0f), 7);
    assert_int_equal(q_quantize_f32(1e-12, 0, 6.0f), (int64_t)1 << 31);
}

/*
 * q_fc_per_tensor_real (GetQuantizedConvolutionMultipler): 0.1f * 0.003f in
 * float32 = 3.0000001424923539e-4 (not the double product
 * 3.0000000707805161e-4), / 0.07f = 4.2857144710284709e-3 -> QuantizeMultiplier
 * (1178048224, -7); the double product would give (1178048195, -7).
 */
static void test_fc_per_tensor_real(void **state)
{
    double r = q_fc_per_tensor_real((double)0.1f, (double)0.003f, (double)0.07f);

    (void)state;
    assert_true(r == 3.0000001424923539e-4 / (double)0.07f);
    expect_qm(r, 1178048224, -7);
    expect_qm((double)0.1f * (double)0.003f / (double)0.07f, 1178048195, -7);
}

/*
 * q_mean_multiplier (reduce.h QuantizedMeanOrSum): s = min(floor(log2 n),
 * 32, 31 + shift), mult' = (mult << s) / n truncated, shift' = shift - s.
 * From (2^30, 1), QuantizeMultiplier(1.0):
 *   n = 1: s 0 -> (2^30, 1);  n = 2: s 1 -> (2^30, 0);
 *   n = 3: s 1, 2^31 / 3 = 715827882.67 -> (715827882, 0)
 *   n = 49: s 5, 2^35 / 49 = 701219150.37 -> (701219150, -4)
 *   n = 2^40: s = 32 (the cap), 2^62 / 2^40 = 2^22 -> (2^22, -31)
 * From (2^30, -5): n = 2^30: s = min(30, 32, 26) = 26 -> (2^26, -31).
 */
static void test_mean_multiplier(void **state)
{
    int32_t m = 0;
    int s = 0;

    (void)state;
    assert_int_equal(q_mean_multiplier(P30, 1, 1, &m, &s), 0);
    assert_int_equal(m, P30);
    assert_int_equal(s, 1);
    assert_int_equal(q_mean_multiplier(P30, 1, 2, &m, &s), 0);
    assert_int_equal(m, P30);
    assert_int_equal(s, 0);
    assert_int_equal(q_mean_multiplier(P30, 1, 3, &m, &s), 0);
    assert_int_equal(m, 715827882);
    assert_int_equal(s, 0);
    assert_int_equal(q_mean_multiplier(P30, 1, 49, &m, &s), 0);
    assert_int_equal(m, 701219150);
    assert_int_equal(s, -4);
    assert_int_equal(q_mean_multiplier(P30, 1, (long)1 << 40, &m, &s), 0);
    assert_int_equal(m, 1 << 22);
    assert_int_equal(s, -31);
    assert_int_equal(q_mean_multiplier(P30, -5, (long)1 << 30, &m, &s), 0);
    assert_int_equal(m, 1 << 26);
    assert_int_equal(s, -31);
    assert_int_equal(q_mean_multiplier(P30, 1, 0, &m, &s), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_qm_simple),
        cmocka_unit_test(test_qm_rounding),
        cmocka_unit_test(test_qm_fixed_2p31_correction),
        cmocka_unit_test(test_qm_flush),
        cmocka_unit_test(test_qm_errors),
        cmocka_unit_test(test_qm_lt1),
        cmocka_unit_test(test_srdhm),
        cmocka_unit_test(test_rdbpot),
        cmocka_unit_test(test_mbqm),
        cmocka_unit_test(test_requant),
        cmocka_unit_test(test_add_prepare),
        cmocka_unit_test(test_add_elem),
        cmocka_unit_test(test_scale_f32),
        cmocka_unit_test(test_quantize_f32),
        cmocka_unit_test(test_fc_per_tensor_real),
        cmocka_unit_test(test_mean_multiplier),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
