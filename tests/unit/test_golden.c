/*
 * test_golden.c - host/golden.c on hand-built networks whose outputs are
 * worked out by hand below from the TFLite reference kernels
 * (reference_integer_ops/: conv.h ConvPerChannel, add.h AddElementwise,
 * depthwise_conv.h DepthwiseConvPerChannel, pooling.h MaxPool and
 * AveragePool, fully_connected.h FullyConnectedPerChannel) and the
 * fixed-point rules tested in test_quant.c:
 *   SRDHM(x, 2^30) = x / 2, ties toward +infinity (-0.5 -> 0, 0.5 -> 1)
 *   RDBPOT(x, e)   = x / 2^e, ties away from zero (-0.5 -> -1)
 *
 *   cc -std=c11 -Wall -Wextra -pedantic -Igen -Ihost tests/unit/test_golden.c \
 *      host/golden.c gen/quant.c -lcmocka -lm
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "golden.h"

#define P30 ((int32_t)1 << 30)

/*
 * Network A: a residual block in miniature.
 *
 *   in   3x3x1, scale 1, zp 1
 *   c1   conv 3x3 pad 1 -> 2 channels, scale 0.5, zp -5, no ReLU
 *        oc0: all nine weights 1, bias 1,  mult (2^30, 0)  = 0.5
 *        oc1: w[0][0] = 1, w[2][2] = -1, bias -2, mult (2^30, -1) = 0.25
 *   skip conv 1x1 -> 2 channels, scale 0.25, zp 0, no ReLU
 *        oc0: weight 2, oc1: weight -1, bias 0, both mult (2^30, 0) = 0.5
 *   add  c1 + skip, scale 1, zp 3: add.cc Prepare with s0 = 0.5, s1 = 0.25,
 *        s_out = 1 gives (test_quant.c) in (2^30, 0), (2^30, -1),
 *        out (2^30, -19), left_shift 20.
 *
 * Input q =          v = q - zp =
 *   1 2 3              0 1 2
 *   4 5 6              3 4 5
 *   7 8 9              6 7 8
 */
static const int8_t a_input[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};

static const int8_t c1_w[2 * 3 * 3 * 1] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1,   /* oc0: box filter */
    1, 0, 0, 0, 0, 0, 0, 0, -1,  /* oc1: v(y-1,x-1) - v(y+1,x+1) */
};
static const int32_t c1_b[2] = {1, -2};
static const int32_t c1_m[2] = {P30, P30};
static const int32_t c1_s[2] = {0, -1};

static const int8_t skip_w[2] = {2, -1};
static const int32_t skip_b[2] = {0, 0};
static const int32_t skip_m[2] = {P30, P30};
static const int32_t skip_s[2] = {0, 0};

/*
 * c1, oc0. 3x3 box sums of v, taps outside the image skipped (i.e. as if
 * padded with the zero point 1, v = 0):
 *    8 15 12        + bias 1:   9 16 13
 *   21 36 27                   22 37 28
 *   20 33 24                   21 34 25
 * * 0.5 (SRDHM, positive ties up): 5 8 7 / 11 19 14 / 11 17 13
 * + zp -5:                         0 3 2 /  6 14  9 /  6 12  8
 *
 * c1, oc1 = v(y-1,x-1) - v(y+1,x+1), outside = 0:
 *   -4 -5  0        + bias -2:  -6 -7 -2
 *   -7 -8  1                    -9 -10 -1
 *    0  3  4                    -2  1  2
 * * 0.25 = RDBPOT(SRDHM(acc, 2^30), 1):
 *   -6 -> -3 -> -1.5 -> -2      -7 -> -3.5 -> -3 -> -1.5 -> -2
 *   -2 -> -1 -> -0.5 -> -1      -9 -> -4.5 -> -4 -> -2
 *  -10 -> -5 -> -2.5 -> -3      -1 -> -0.5 ->  0 ->  0
 *    1 -> 0.5 -> 1 -> 0.5 -> 1 (double rounding: 0.25 exactly, yet 1)
 *    2 -> 1 -> 0.5 -> 1
 *   giving -2 -2 -1 / -2 -3 0 / -1 1 1;  + zp -5:
 *   -7 -7 -6 / -7 -8 -5 / -6 -4 -4
 */
static const int8_t a_c1[18] = {
    0, -7, 3, -7, 2, -6,
    6, -7, 14, -8, 9, -5,
    6, -6, 12, -4, 8, -4,
};

/*
 * skip: oc0 = SRDHM(2v, 2^30) = v exactly: 0..8.
 *       oc1 = SRDHM(-v, 2^30): -v/2 with ties toward +inf:
 *       v = 0..8 -> 0, 0 (-0.5), -1, -1 (-1.5), -2, -2 (-2.5), -3, -3, -4
 */
static const int8_t a_skip[18] = {
    0, 0, 1, 0, 2, -1,
    3, -1, 4, -2, 5, -2,
    6, -3, 7, -3, 8, -4,
};

/*
 * add: a = c1 - (-5), b = skip - 0, all multipliers powers of two, so
 *   scaled0 = SRDHM(a * 2^20, 2^30)                 = a * 2^19   (exact)
 *   scaled1 = RDBPOT(SRDHM(b * 2^20, 2^30), 1)      = b * 2^18   (exact)
 *   SRDHM(scaled0 + scaled1, 2^30)                  = (2a + b) * 2^17
 *   RDBPOT(.., 19)   = (2a + b) / 4, ties away from zero;  + zp 3
 * ch0: a = 5 8 7 11 19 14 11 17 13, b = 0..8
 *   2a + b = 10 17 16 25 42 33 28 41 34
 *   / 4    =  3  4  4  6 11  8  7 10  9   (2.5 -> 3, 10.5 -> 11, 8.5 -> 9)
 *   + 3    =  6  7  7  9 14 11 10 13 12
 * ch1: a = -2 -2 -1 -2 -3 0 -1 1 1, b = 0 0 -1 -1 -2 -2 -3 -3 -4
 *   2a + b = -4 -4 -3 -5 -8 -2 -5 -1 -2
 *   / 4    = -1 -1 -1 -1 -2 -1 -1  0 -1   (-0.5 -> -1, -0.75 -> -1)
 *   + 3    =  2  2  2  2  1  2  2  3  2
 */
static const int8_t a_add[18] = {
    6, 2, 7, 2, 7, 2,
    9, 2, 14, 1, 11, 2,
    10, 2, 13, 3, 12, 2,
};

static void make_net_a(rf_layer *l, rf_net *net)
{
    memset(l, 0, 4 * sizeof *l);
    l[0] = (rf_layer){.name = "in", .op = RF_OP_INPUT, .h = 3, .w = 3, .c = 1,
                      .scale = 1.0, .zero_point = 1, .act_min = -128, .act_max = 127};
    l[1] = (rf_layer){.name = "c1", .op = RF_OP_CONV2D, .n_inputs = 1, .inputs = {0, 0},
                      .h = 3, .w = 3, .c = 2, .scale = 0.5, .zero_point = -5,
                      .act_min = -128, .act_max = 127, .kernel = 3, .in_c = 1, .pad = 1,
                      .pe = 1, .simd = 1, .weights = c1_w, .bias = c1_b, .mult = c1_m,
                      .shift = c1_s};
    l[2] = (rf_layer){.name = "skip", .op = RF_OP_CONV2D, .n_inputs = 1, .inputs = {0, 0},
                      .h = 3, .w = 3, .c = 2, .scale = 0.25, .zero_point = 0,
                      .act_min = -128, .act_max = 127, .kernel = 1, .in_c = 1, .pad = 0,
                      .pe = 1, .simd = 1, .weights = skip_w, .bias = skip_b,
                      .mult = skip_m, .shift = skip_s};
    l[3] = (rf_layer){.name = "add", .op = RF_OP_ADD, .n_inputs = 2, .inputs = {1, 2},
                      .h = 3, .w = 3, .c = 2, .scale = 1.0, .zero_point = 3,
                      .act_min = -128, .act_max = 127, .left_shift = 20,
                      .in_mult = {P30, P30}, .in_shift = {0, -1},
                      .out_mult = P30, .out_shift = -19};
    *net = (rf_net){.name = "tiny", .n_layers = 4, .layers = l, .output = 3};
}

static void expect_output(const rf_net *net, const int8_t *input, const int8_t *want, int n)
{
    int8_t got[64];
    int i;

    memset(got, 0x55, sizeof got);
    assert_int_equal(golden_run(net, input, got), 0);
    for (i = 0; i < n; i++) {
        if (got[i] != want[i])
            print_error("element %d: expected %d, got %d\n", i, want[i], got[i]);
        assert_int_equal(got[i], want[i]);
    }
}

static void test_conv3x3(void **state)
{
    rf_layer l[4];
    rf_net net;

    (void)state;
    make_net_a(l, &net);
    net.output = 1;
    expect_output(&net, a_input, a_c1, 18);
}

static void test_conv1x1(void **state)
{
    rf_layer l[4];
    rf_net net;

    (void)state;
    make_net_a(l, &net);
    net.output = 2;
    expect_output(&net, a_input, a_skip, 18);
}

static void test_add(void **state)
{
    rf_layer l[4];
    rf_net net;

    (void)state;
    make_net_a(l, &net);
    expect_output(&net, a_input, a_add, 18);
}

/* The same add with fused ReLU (act_min = zp = 3): every channel-1 value
 * (<= 3) becomes 3, channel 0 (>= 6) is unchanged. */
static void test_add_relu(void **state)
{
    rf_layer l[4];
    rf_net net;
    int8_t want[18];
    int i;

    (void)state;
    make_net_a(l, &net);
    l[3].act_min = 3;
    for (i = 0; i < 18; i++)
        want[i] = (i % 2) ? 3 : a_add[i];
    expect_output(&net, a_input, want, 18);
}

/* The input layer alone is the identity. */
static void test_input_only(void **state)
{
    rf_layer l[4];
    rf_net net;

    (void)state;
    make_net_a(l, &net);
    net.output = 0;
    expect_output(&net, a_input, a_input, 9);
}

/*
 * Network B: weight layout [oc][ky][kx][ic] with two input channels.
 *   in   1x2x2, zp 0: pixel 0 = (1, 10), pixel 1 = (-3, 30)
 *   conv 3x3 pad 1 -> 1 channel, bias 0, mult (2^30, 0) = 0.5, zp 0.
 *   Rows ky = 0 and 2 fall outside the one-row image; they hold 7s that
 *   must be skipped. Row ky = 1: kx0 = (1, 2), kx1 = (3, 4), kx2 = (5, -1).
 *   x = 0: kx0 -> ix -1 skipped; kx1 -> pixel 0: 3*1 + 4*10 = 43;
 *          kx2 -> pixel 1: 5*(-3) - 30 = -45;  acc -2 -> * 0.5 = -1
 *   x = 1: kx0 -> pixel 0: 1 + 20 = 21; kx1 -> pixel 1: -9 + 120 = 111;
 *          kx2 -> ix 2 skipped;           acc 132 -> * 0.5 = 66
 */
static void test_conv_layout(void **state)
{
    static const int8_t w[18] = {
        7, 7, 7, 7, 7, 7,     /* ky = 0 */
        1, 2, 3, 4, 5, -1,    /* ky = 1 */
        7, 7, 7, 7, 7, 7,     /* ky = 2 */
    };
    static const int32_t b[1] = {0}, m[1] = {P30}, s[1] = {0};
    static const int8_t in[4] = {1, 10, -3, 30};
    static const int8_t want[2] = {-1, 66};
    rf_layer l[2];
    rf_net net;

    (void)state;
    memset(l, 0, sizeof l);
    l[0] = (rf_layer){.name = "in", .op = RF_OP_INPUT, .h = 1, .w = 2, .c = 2,
                      .scale = 1.0, .act_min = -128, .act_max = 127};
    l[1] = (rf_layer){.name = "conv", .op = RF_OP_CONV2D, .n_inputs = 1, .h = 1, .w = 2,
                      .c = 1, .scale = 1.0, .act_min = -128, .act_max = 127, .kernel = 3,
                      .in_c = 2, .pad = 1, .pe = 1, .simd = 1, .weights = w, .bias = b,
                      .mult = m, .shift = s};
    net = (rf_net){.name = "layout", .n_layers = 2, .layers = l, .output = 1};
    expect_output(&net, in, want, 2);
}

/*
 * Stride and explicit padding, a 3x3 box filter (weights 1, bias 0, zp 0,
 * multiplier 1.0 = (2^30, shift 1): SRDHM(2x, 2^30) = x exactly) over
 *    0  1  2  3
 *    4  5  6  7
 *    8  9 10 11
 *   12 13 14 15
 * TensorFlow 'same', stride 2: out = ceil(4/2) = 2, pad_total = (2-1)*2 + 3
 * - 4 = 1, all of it bottom/right (pad_top = pad_left = 0):
 *   (0,0) rows 0-2, cols 0-2: 45     (0,1) rows 0-2, cols 2-3: 39
 *   (1,0) rows 2-3, cols 0-2: 66     (1,1) rows 2-3, cols 2-3: 50
 * Symmetric padding 1, stride 2 (wrong for TF models, see SOURCES.md):
 *   (0,0) rows 0-1, cols 0-1: 10     (0,1) rows 0-1, cols 1-3: 24
 *   (1,0) rows 1-3, cols 0-1: 51     (1,1) rows 1-3, cols 1-3: 90
 * 'valid', stride 1: out = 2:
 *   (0,0) 45   (0,1) 54   (1,0) 81   (1,1) 90
 */
static void run_box(int stride, int pt, int pb, int pl, int pr, const int8_t *want)
{
    static const int8_t w[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    static const int32_t b[1] = {0}, m[1] = {P30}, sh[1] = {1};
    static const int8_t in[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
    rf_layer l[2];
    rf_net net;

    memset(l, 0, sizeof l);
    l[0] = (rf_layer){.name = "in", .op = RF_OP_INPUT, .h = 4, .w = 4, .c = 1,
                      .scale = 1.0, .act_min = -128, .act_max = 127};
    l[1] = (rf_layer){.name = "conv", .op = RF_OP_CONV2D, .n_inputs = 1, .h = 2, .w = 2,
                      .c = 1, .scale = 1.0, .act_min = -128, .act_max = 127, .kernel = 3,
                      .in_c = 1, .pe = 1, .simd = 1, .stride = stride, .pad_top = pt,
                      .pad_bottom = pb, .pad_left = pl, .pad_right = pr, .weights = w,
                      .bias = b, .mult = m, .shift = sh};
    net = (rf_net){.name = "stride", .n_layers = 2, .layers = l, .output = 1};
    expect_output(&net, in, want, 4);
}

static void test_conv_stride_padding(void **state)
{
    static const int8_t tf_same[4] = {45, 39, 66, 50};
    static const int8_t symmetric[4] = {10, 24, 51, 90};
    static const int8_t valid[4] = {45, 54, 81, 90};

    (void)state;
    run_box(2, 0, 1, 0, 1, tf_same);
    run_box(2, 1, 1, 1, 1, symmetric);
    run_box(1, 0, 0, 0, 0, valid);
}

/* Inconsistent tables are refused, not read out of bounds. */
static void test_bad_tables(void **state)
{
    rf_layer l[4];
    rf_net net;
    int8_t out[18];

    (void)state;
    make_net_a(l, &net);
    l[3].inputs[1] = 3;             /* a layer consuming itself */
    assert_int_equal(golden_run(&net, a_input, out), -1);
    make_net_a(l, &net);
    l[1].in_c = 2;                  /* producer has 1 channel */
    assert_int_equal(golden_run(&net, a_input, out), -1);
    make_net_a(l, &net);
    l[3].w = 2;                     /* add output shape differs from operands */
    assert_int_equal(golden_run(&net, a_input, out), -1);
    make_net_a(l, &net);
    net.output = 4;
    assert_int_equal(golden_run(&net, a_input, out), -1);
}

/* ---- depthwise, pooling, dense: one layer on the network input ---- */

/* A network of the input (h x w x c, scale 0.5, zero point zp) and op. */
static void one_op_net(rf_layer *l, rf_net *net, int h, int w, int c, int zp, const rf_layer *op)
{
    memset(l, 0, 2 * sizeof *l);
    l[0] = (rf_layer){.name = "in", .op = RF_OP_INPUT, .h = h, .w = w, .c = c, .scale = 0.5,
                      .zero_point = zp, .act_min = -128, .act_max = 127};
    l[1] = *op;
    l[1].n_inputs = 1;
    l[1].inputs[0] = 0;
    *net = (rf_net){.name = "op", .n_layers = 2, .layers = l, .output = 1};
}

/*
 * Depthwise 3x3, stride 1, 'same' (pads 1), in 3x3x2 with zp 1, out zp 2.
 * Channel c sees only input channel c (a conv would mix them).
 *   c0: box filter (nine 1s), bias 1, mult (2^30, 0) = 0.5
 *   c1: w[1][1] = 2, w[1][2] = -1, i.e. 2 v(y,x) - v(y,x+1); bias -1,
 *       mult (2^30, 1) = 1.0 (SRDHM(2x, 2^30) = x exactly)
 * v = q - 1:   c0 q 1..9 -> v 0 1 2 / 3 4 5 / 6 7 8
 *              c1 q 4 0 1 / 3 6 -3 / -1 2 7 -> v 3 -1 0 / 2 5 -4 / -2 1 6
 * c0 box sums (taps outside skipped): 8 15 12 / 21 36 27 / 20 33 24
 *   + 1 = 9 16 13 / 22 37 28 / 21 34 25; * 0.5, ties up: 5 8 7 / 11 19 14 /
 *   11 17 13; + 2 = 7 10 9 / 13 21 16 / 13 19 15
 * c1: 2*3+1 = 7, -2-0 = -2, 0 (x+1 outside) / 4-5 = -1, 10+4 = 14, -8 /
 *   -4-1 = -5, 2-6 = -4, 12;  - 1 = 6 -3 -1 / -2 13 -9 / -6 -5 11;
 *   * 1.0, + 2 = 8 -1 1 / 0 15 -7 / -4 -3 13
 */
static void run_dw_same(int stride, int pad, int pads)
{
    static const int8_t in[18] = {1, 4, 2, 0, 3, 1, 4, 3, 5, 6, 6, -3, 7, -1, 8, 2, 9, 7};
    static const int8_t w[18] = {
        1, 1, 1, 1, 1, 1, 1, 1, 1,    /* c0 [ky][kx] */
        0, 0, 0, 0, 2, -1, 0, 0, 0,   /* c1 */
    };
    static const int32_t b[2] = {1, -1}, m[2] = {P30, P30}, sh[2] = {0, 1};
    static const int8_t want[18] = {7, 8, 10, -1, 9, 1, 13, 0, 21, 15,
                                    16, -7, 13, -4, 19, -3, 15, 13};
    const rf_layer op = {.name = "dw", .op = RF_OP_DEPTHWISE, .h = 3, .w = 3, .c = 2, .scale = 1.0,
                         .zero_point = 2, .act_min = -128, .act_max = 127, .kernel = 3, .in_c = 2,
                         .pad = pad, .stride = stride, .pad_top = pads, .pad_bottom = pads,
                         .pad_left = pads, .pad_right = pads, .pe = 1, .simd = 1, .weights = w,
                         .bias = b, .mult = m, .shift = sh};
    rf_layer l[2];
    rf_net net;

    one_op_net(l, &net, 3, 3, 2, 1, &op);
    expect_output(&net, in, want, 18);
}

static void test_depthwise_same(void **state)
{
    (void)state;
    run_dw_same(1, 0, 1);   /* explicit stride 1, pads 1 */
    run_dw_same(0, 1, 0);   /* stride 0: the legacy 'same' layout, pad 1 */
}

/*
 * Depthwise 3x3, stride 2, TensorFlow 'same' on 4x4 (pads top/left 0,
 * bottom/right 1), in zp 0, out zp 0, both mult (2^30, 1) = 1.0.
 * Input pixel i = 4y + x holds (i, -i).
 *   c0: box filter, bias 0: as the conv test above, 45 39 66 50
 *   c1: w[0][0] = 1, w[2][2] = 2, bias 3; window (y, x) starts at (2y, 2x):
 *     (0,0): in(0,0) + 2 in(2,2) = 0 - 20 = -20 + 3 = -17
 *     (0,1): in(0,2) = -2, (2,4) outside        -> 1
 *     (1,0): in(2,0) = -8, (4,2) outside        -> -5
 *     (1,1): in(2,2) = -10, (4,4) outside       -> -7
 */
static void test_depthwise_stride2(void **state)
{
    static const int8_t w[18] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 2};
    static const int32_t b[2] = {0, 3}, m[2] = {P30, P30}, sh[2] = {1, 1};
    static const int8_t want[8] = {45, -17, 39, 1, 66, -5, 50, -7};
    const rf_layer op = {.name = "dw", .op = RF_OP_DEPTHWISE, .h = 2, .w = 2, .c = 2, .scale = 1.0,
                         .act_min = -128, .act_max = 127, .kernel = 3, .in_c = 2, .stride = 2,
                         .pad_top = 0, .pad_bottom = 1, .pad_left = 0, .pad_right = 1, .pe = 1,
                         .simd = 1, .weights = w, .bias = b, .mult = m, .shift = sh};
    int8_t in[32];
    rf_layer l[2];
    rf_net net;
    int i;

    (void)state;
    for (i = 0; i < 16; i++) {
        in[2 * i] = (int8_t)i;
        in[2 * i + 1] = (int8_t)-i;
    }
    one_op_net(l, &net, 4, 4, 2, 0, &op);
    expect_output(&net, in, want, 8);
}

/*
 * Max pool 2x2, stride 2, valid, on negative values (in zp -3: pooling
 * works on the raw values):
 *    -5   -3 |  7 -128
 *    -9   -4 | -1   -2
 *   -128 -128 |  0    3
 *   -128 -128 |  2   -7
 * maxima -3, 7, -128, 3; with the clamp [-100, 5]: -3, 5, -100, 3.
 */
static void test_max_pool_2x2(void **state)
{
    static const int8_t in[16] = {-5, -3, 7, -128, -9, -4, -1, -2,
                                  -128, -128, 0, 3, -128, -128, 2, -7};
    static const int8_t want[4] = {-3, 7, -128, 3}, want_clamped[4] = {-3, 5, -100, 3};
    rf_layer op = {.name = "mp", .op = RF_OP_MAX_POOL, .h = 2, .w = 2, .c = 1, .scale = 0.5,
                   .zero_point = -3, .act_min = -128, .act_max = 127, .kernel = 2, .in_c = 1,
                   .stride = 2};
    rf_layer l[2];
    rf_net net;

    (void)state;
    one_op_net(l, &net, 4, 4, 1, -3, &op);
    expect_output(&net, in, want, 4);
    op.act_min = -100;
    op.act_max = 5;
    one_op_net(l, &net, 4, 4, 1, -3, &op);
    expect_output(&net, in, want_clamped, 4);
}

/*
 * Max pool 3x3, stride 2, TensorFlow 'same' on 5x5: out ceil(5/2) = 3,
 * pad_total (3-1)*2 + 3 - 5 = 2, pads 1 on every side. All inputs negative,
 * q(y, x) = -25 + 5y + x (-25 .. -1), zp 0: a padded tap read as the zero
 * point would give 0. Window (y, x) starts at (2y-1, 2x-1); its maximum is
 * its bottom-right in-image element:
 *   (0,0) q(1,1) = -19   (0,1) q(1,3) = -17   (0,2) q(1,4) = -16
 *   (1,0) q(3,1) =  -9   (1,1) q(3,3) =  -7   (1,2) q(3,4) =  -6
 *   (2,0) q(4,1) =  -4   (2,1) q(4,3) =  -2   (2,2) q(4,4) =  -1
 */
static void test_max_pool_same(void **state)
{
    static const int8_t want[9] = {-19, -17, -16, -9, -7, -6, -4, -2, -1};
    const rf_layer op = {.name = "mp", .op = RF_OP_MAX_POOL, .h = 3, .w = 3, .c = 1, .scale = 0.5,
                         .act_min = -128, .act_max = 127, .kernel = 3, .in_c = 1, .stride = 2,
                         .pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1};
    int8_t in[25];
    rf_layer l[2];
    rf_net net;
    int i;

    (void)state;
    for (i = 0; i < 25; i++)
        in[i] = (int8_t)(-25 + i);
    one_op_net(l, &net, 5, 5, 1, 0, &op);
    expect_output(&net, in, want, 9);
}

/*
 * Average pool 2x2, stride 2, valid, in 2x8x2, zp 7 (unused: the raw values
 * are averaged; removing and restoring the zero point would round 6/4 as
 * (6 - 28)/4 -> -6, + 7 = 1). n = 4, acc > 0 ? (acc + 2)/4 : (acc - 2)/4,
 * C division truncating:
 *   c0 windows  1 2 / 1 2 = 6  -> 8/4 = 2     (1.5 -> 2)
 *              -1 -2/-1 -2 = -6 -> -8/4 = -2   (-1.5 -> -2)
 *               1 1 / 1 2 = 5  -> 7/4 = 1     (1.25 -> 1)
 *              -1 -1/-1 -2 = -5 -> -7/4 = -1   (-1.25 -> -1)
 *   c1 windows  1 1 / 0 0 = 2  -> 4/4 = 1     (0.5 -> 1, away from 0)
 *              -1 -1/ 0 0 = -2 -> -4/4 = -1    (-0.5 -> -1)
 *               3 2 / 1 1 = 7  -> 9/4 = 2     (1.75 -> 2)
 *              -3 -2/-1 -1 = -7 -> -9/4 = -2   (-1.75 -> -2)
 * With the clamp [-1, 1]: 1 1 -1 -1 1 1 -1 -1.
 */
static void test_avg_pool_rounding(void **state)
{
    static const int8_t in[32] = {
        1, 1, 2, 1, -1, -1, -2, -1, 1, 3, 1, 2, -1, -3, -1, -2,   /* row 0, (c0, c1) */
        1, 0, 2, 0, -1, 0, -2, 0, 1, 1, 2, 1, -1, -1, -2, -1,     /* row 1 */
    };
    static const int8_t want[8] = {2, 1, -2, -1, 1, 2, -1, -2};
    static const int8_t want_clamped[8] = {1, 1, -1, -1, 1, 1, -1, -1};
    rf_layer op = {.name = "ap", .op = RF_OP_AVG_POOL, .h = 1, .w = 4, .c = 2, .scale = 0.5,
                   .zero_point = 7, .act_min = -128, .act_max = 127, .kernel = 2, .in_c = 2,
                   .stride = 2};
    rf_layer l[2];
    rf_net net;

    (void)state;
    one_op_net(l, &net, 2, 8, 2, 7, &op);
    expect_output(&net, in, want, 8);
    op.act_min = -1;
    op.act_max = 1;
    one_op_net(l, &net, 2, 8, 2, 7, &op);
    expect_output(&net, in, want_clamped, 8);
}

/*
 * Average pool 3x3, stride 1, 'same' (pads 1) on q = 1 .. 9 (3x3, zp 5):
 * out-of-image taps are not counted, n = 4 at corners, 6 at edges, 9 inside.
 *   (0,0) 1+2+4+5 = 12, (12+2)/4 = 3    (0,1) 21, (21+3)/6 = 4
 *   (0,2) 16, 18/4 = 4                  (1,0) 27, 30/6 = 5   (4.5 -> 5)
 *   (1,1) 45, (45+4)/9 = 5              (1,2) 33, 36/6 = 6   (5.5 -> 6)
 *   (2,0) 24, 26/4 = 6                  (2,1) 39, 42/6 = 7   (6.5 -> 7)
 *   (2,2) 28, 30/4 = 7
 * (Counting the padding, (0,0) would be (12+4)/9 = 1.)
 */
static void test_avg_pool_same(void **state)
{
    static const int8_t in[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    static const int8_t want[9] = {3, 4, 4, 5, 5, 6, 6, 7, 7};
    const rf_layer op = {.name = "ap", .op = RF_OP_AVG_POOL, .h = 3, .w = 3, .c = 1, .scale = 0.5,
                         .zero_point = 5, .act_min = -128, .act_max = 127, .kernel = 3, .in_c = 1,
                         .stride = 1, .pad_top = 1, .pad_bottom = 1, .pad_left = 1,
                         .pad_right = 1};
    rf_layer l[2];
    rf_net net;

    (void)state;
    one_op_net(l, &net, 3, 3, 1, 5, &op);
    expect_output(&net, in, want, 9);
}

/*
 * Global average pool over 2x3x3 (zp -1), n = 6, (acc +- 3) / 6:
 *   c0  1 .. 6          = 21  -> 24/6 = 4    (3.5 -> 4)
 *   c1 -1 .. -6         = -21 -> -24/6 = -4  (-3.5 -> -4)
 *   c2  8 3 0 0 0 -1    = 10  -> 13/6 = 2    (1.67 -> 2)
 */
static void test_global_avg_pool(void **state)
{
    static const int8_t in[18] = {1, -1, 8, 2, -2, 3, 3, -3, 0, 4, -4, 0, 5, -5, 0, 6, -6, -1};
    static const int8_t want[3] = {4, -4, 2};
    const rf_layer op = {.name = "gap", .op = RF_OP_GLOBAL_AVG_POOL, .h = 1, .w = 1, .c = 3,
                         .scale = 0.5, .zero_point = -1, .act_min = -128, .act_max = 127,
                         .in_c = 3};
    rf_layer l[2];
    rf_net net;

    (void)state;
    one_op_net(l, &net, 2, 3, 3, -1, &op);
    expect_output(&net, in, want, 3);
}

/*
 * Dense 3 -> 4 on q = (3, -2, 10), zp -2, so v = q + 2 = (5, 0, 12);
 * out zp 4, clamp [-5, 100]; mult (2^30, 0) = 0.5 except c2 (2^30, 1) = 1.0.
 *   c0 w ( 1, 2,  1): 5 + 12 = 17, + 3 = 20, * 0.5 = 10, + 4 = 14
 *   c1 w (-2, 1, -1): -10 - 12 = -22, * 0.5 = -11, + 4 = -7 -> -5 (clamp)
 *   c2 w (10, 0, 10): 50 + 120 = 170, * 1.0, + 4 = 174 -> 100 (clamp)
 *   c3 w ( 0, 5,  0): 5 * 0 = 0 (the zero point), - 3 = -3, * 0.5 = -1.5 ->
 *      -1 (SRDHM ties toward +inf), + 4 = 3
 */
static void test_dense(void **state)
{
    static const int8_t in[3] = {3, -2, 10};
    static const int8_t w[12] = {1, 2, 1, -2, 1, -1, 10, 0, 10, 0, 5, 0};
    static const int32_t b[4] = {3, 0, 0, -3}, m[4] = {P30, P30, P30, P30}, sh[4] = {0, 0, 1, 0};
    static const int8_t want[4] = {14, -5, 100, 3};
    const rf_layer op = {.name = "fc", .op = RF_OP_DENSE, .h = 1, .w = 1, .c = 4, .scale = 1.0,
                         .zero_point = 4, .act_min = -5, .act_max = 100, .in_c = 3, .pe = 1,
                         .simd = 1, .weights = w, .bias = b, .mult = m, .shift = sh};
    rf_layer l[2];
    rf_net net;

    (void)state;
    one_op_net(l, &net, 1, 1, 3, -2, &op);
    expect_output(&net, in, want, 4);
}

/* Inconsistent tables of the new ops are refused. */
static void test_bad_tables_ops(void **state)
{
    static const int8_t w[18] = {0};
    static const int32_t b[4] = {0}, m[4] = {P30, P30, P30, P30}, sh[4] = {0};
    const rf_layer dw = {.name = "dw", .op = RF_OP_DEPTHWISE, .h = 2, .w = 2, .c = 2, .scale = 1.0,
                         .act_min = -128, .act_max = 127, .kernel = 3, .in_c = 2, .stride = 1,
                         .pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
                         .weights = w, .bias = b, .mult = m, .shift = sh};
    const rf_layer pool = {.name = "p", .op = RF_OP_AVG_POOL, .h = 1, .w = 1, .c = 2, .scale = 0.5,
                           .act_min = -128, .act_max = 127, .kernel = 2, .in_c = 2, .stride = 2};
    const rf_layer fc = {.name = "fc", .op = RF_OP_DENSE, .h = 1, .w = 1, .c = 2, .scale = 1.0,
                         .act_min = -128, .act_max = 127, .in_c = 2, .weights = w, .bias = b,
                         .mult = m, .shift = sh};
    int8_t in[8] = {0}, out[16];
    rf_layer l[2], op;
    rf_net net;

    (void)state;
    /* the good tables run */
    one_op_net(l, &net, 2, 2, 2, 0, &dw);
    assert_int_equal(golden_run(&net, in, out), 0);
    one_op_net(l, &net, 2, 2, 2, 0, &pool);
    assert_int_equal(golden_run(&net, in, out), 0);
    one_op_net(l, &net, 1, 1, 2, 0, &fc);
    assert_int_equal(golden_run(&net, in, out), 0);

    op = dw;
    op.c = 1;                       /* depth multiplier 1: c = in_c */
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
    op = dw;
    op.mult = NULL;
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
    op = dw;
    op.w = 1;                       /* 'same' on 2x2 gives 2x2 */
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);

    op = pool;
    op.zero_point = 1;              /* pooling keeps the input's zero point */
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
    op = pool;
    op.c = 1;
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
    /* pad_top 2 = K: window row 0 (input rows -2, -1) holds no pixel;
     * h = (2 + 2 - 2)/2 + 1 = 2 */
    op = pool;
    op.h = 2;
    op.pad_top = 2;
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
    op.op = RF_OP_MAX_POOL;
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
    op = pool;
    op.op = RF_OP_GLOBAL_AVG_POOL;
    op.w = 2;                       /* global pooling gives 1 x 1 */
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
    op.w = 1;
    op.rounding = (enum rf_rounding)4;      /* no such rounding */
    one_op_net(l, &net, 2, 2, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);

    one_op_net(l, &net, 2, 2, 2, 0, &fc);   /* dense wants a 1 x 1 input */
    assert_int_equal(golden_run(&net, in, out), -1);
    op = fc;
    op.in_c = 3;
    one_op_net(l, &net, 1, 1, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
    op = fc;
    op.weights = NULL;
    one_op_net(l, &net, 1, 1, 2, 0, &op);
    assert_int_equal(golden_run(&net, in, out), -1);
}

/*
 * Issue 23, finding 3: a global pool rounds like the kernel `rounding`
 * names. 2x2x3 input, zero point -128 (input and output share it), n = 4;
 * acc = sum (x - zp) = raw sum + 512:
 *   c0 -127 -128 -128 -128: raw -511, acc 1
 *   c1  127  127  127  126: raw  507, acc 1019
 *   c2 -128 -127 -127 -127: raw -509, acc 3
 * AVERAGE_POOL (pooling.h AveragePool, the raw sum, halves away from 0):
 *   (-511 - 2) / 4 = -128 (C truncation of -128.25), (507 + 2) / 4 = 127,
 *   (-509 - 2) / 4 = -127                                  -> -128 127 -127
 * TFLITE_MEAN_4D (integer_ops/mean.h Mean: acc, halves away, + zp):
 *   (1 + 2) / 4 = 0, (1019 + 2) / 4 = 255, (3 + 2) / 4 = 1 -> -128 127 -127
 * TFLITE_MEAN_TRUNCATE (reduce.h Mean<int8_t, int>: raw / n, truncated):
 *   -511 / 4 = -127, 507 / 4 = 126, -509 / 4 = -127       -> -127 126 -127
 * TFLM_MEAN (reduce.h QuantizedMeanOrSum): QuantizeMultiplier(1.0) =
 *   (2^30, 1), s = floor(log2 4) = 2, mult = 2^30 * 4 / 4 = 2^30, shift -1:
 *   MBQM(acc, 2^30, -1) = RDBPOT(SRDHM(acc, 2^30), 1), SRDHM(a, 2^30) =
 *   floor((a * 2^30 + 2^30) / 2^31) = floor((a + 1) / 2):
 *   c0 SRDHM 1 (0.5 up), RDBPOT(1, 1) = 1 (0.5 away from 0): -128 + 1 = -127
 *      (the mean -127.75 rounded twice)
 *   c1 SRDHM 510, RDBPOT 255: 127;  c2 SRDHM 2, RDBPOT 1: -127
 *                                                          -> -127 127 -127
 */
static void run_mean(enum rf_rounding r, int32_t mm, int32_t ms, int h, int w, int c, int zp,
                     const int8_t *in, const int8_t *want)
{
    const rf_layer op = {.name = "gap", .op = RF_OP_GLOBAL_AVG_POOL, .h = 1, .w = 1, .c = c,
                         .scale = 0.5, .zero_point = zp, .act_min = -128, .act_max = 127,
                         .in_c = c, .rounding = r, .mean_mult = mm, .mean_shift = ms};
    rf_layer l[2];
    rf_net net;

    one_op_net(l, &net, h, w, c, zp, &op);
    expect_output(&net, in, want, c);
}

static void test_global_mean_rounding(void **state)
{
    static const int8_t in[12] = {-127, 127, -128, -128, 127, -127, -128, 127, -127, -128, 126, -127};
    static const int8_t avg[3] = {-128, 127, -127}, m4d[3] = {-128, 127, -127};
    static const int8_t trunc[3] = {-127, 126, -127}, tflm[3] = {-127, 127, -127};

    (void)state;
    run_mean(RF_ROUND_AVERAGE_POOL, 0, 0, 2, 2, 3, -128, in, avg);
    run_mean(RF_ROUND_TFLITE_MEAN_4D, 0, 0, 2, 2, 3, -128, in, m4d);
    run_mean(RF_ROUND_TFLITE_MEAN_TRUNCATE, 0, 0, 2, 2, 3, -128, in, trunc);
    run_mean(RF_ROUND_TFLM_MEAN, P30, -1, 2, 2, 3, -128, in, tflm);
}

/*
 * The example of issue 23: input [-1, 0] (1x2x1), zero point -128.
 * AveragePool: raw sum -1, (-1 - 1) / 2 = -1. Every MEAN path gives 0:
 * Mean (mean.h): acc = 127 + 128 = 255, (255 + 1) / 2 = 128, - 128 = 0;
 * Mean<int8_t, int>: -1 / 2 = 0 (truncated); QuantizedMeanOrSum: n = 2,
 * s = 1, mult 2^30, shift 0: SRDHM(255, 2^30) = floor(256 / 2) = 128, + zp = 0.
 * Channel 1, x = 5 6: raw 11, acc 267: AveragePool (11 + 1) / 2 = 6,
 * Mean 268 / 2 = 134 - 128 = 6, truncated 11 / 2 = 5, TFLM 134 - 128 = 6.
 */
static void test_global_mean_issue_example(void **state)
{
    static const int8_t in[4] = {-1, 5, 0, 6};
    static const int8_t avg[2] = {-1, 6}, m4d[2] = {0, 6}, trunc[2] = {0, 5}, tflm[2] = {0, 6};

    (void)state;
    run_mean(RF_ROUND_AVERAGE_POOL, 0, 0, 1, 2, 2, -128, in, avg);
    run_mean(RF_ROUND_TFLITE_MEAN_4D, 0, 0, 1, 2, 2, -128, in, m4d);
    run_mean(RF_ROUND_TFLITE_MEAN_TRUNCATE, 0, 0, 1, 2, 2, -128, in, trunc);
    run_mean(RF_ROUND_TFLM_MEAN, P30, 0, 1, 2, 2, -128, in, tflm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_input_only),
        cmocka_unit_test(test_conv3x3),
        cmocka_unit_test(test_conv1x1),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_add_relu),
        cmocka_unit_test(test_conv_layout),
        cmocka_unit_test(test_conv_stride_padding),
        cmocka_unit_test(test_bad_tables),
        cmocka_unit_test(test_depthwise_same),
        cmocka_unit_test(test_depthwise_stride2),
        cmocka_unit_test(test_max_pool_2x2),
        cmocka_unit_test(test_max_pool_same),
        cmocka_unit_test(test_avg_pool_rounding),
        cmocka_unit_test(test_avg_pool_same),
        cmocka_unit_test(test_global_avg_pool),
        cmocka_unit_test(test_global_mean_rounding),
        cmocka_unit_test(test_global_mean_issue_example),
        cmocka_unit_test(test_dense),
        cmocka_unit_test(test_bad_tables_ops),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
