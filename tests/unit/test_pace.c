/*
 * test_pace.c - the host's pacing over the UART: need(p), LEAD and the
 * receive FIFO depth of gen/board.c (board_pace_need, board_pace_plan),
 * against values worked by hand below, not by running board.c.
 * Runs from tests/unit/.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board.h"
#include "ir.h"

/* input h x w x c_in -> one K x K conv (stride 1, pads p) with c_out
 * channels: only the geometry board_pace_* reads */
static ir_net one_conv(int h, int w, int c_in, int k, int pad, int c_out)
{
    ir_net net;
    memset(&net, 0, sizeof net);
    net.n_layers = 2;
    net.layers = calloc(2, sizeof *net.layers);
    assert_non_null(net.layers);
    net.layers[0].op = IR_INPUT;
    net.layers[0].h = h;
    net.layers[0].w = w;
    net.layers[0].c = c_in;
    net.layers[1].op = IR_CONV2D;
    net.layers[1].n_inputs = 1;
    net.layers[1].in[0] = 0;
    net.layers[1].kernel = k;
    net.layers[1].stride = 1;
    net.layers[1].pad_t = net.layers[1].pad_b = net.layers[1].pad_l = net.layers[1].pad_r = pad;
    net.layers[1].in_c = c_in;
    net.layers[1].c = c_out;
    net.layers[1].h = h + 2 * pad - k + 1;
    net.layers[1].w = w + 2 * pad - k + 1;
    net.output = 1;
    return net;
}

/* One 3x3 'same' conv (pads 1), 4x4x1 -> 4x4x2. I = 16, O = 32 bytes.
 * Output (oy, ox) reads source (min(3, oy+1), min(3, ox+1)), raster index
 * 4*sy + sx; with the window's extra pixel, +1 clamped to 15:
 *   oy 0: sy 1: ox 0..3 -> 5 6 7 7     (+1: 6 7 8 8)
 *   oy 1: sy 2:         -> 9 10 11 11  (+1: 10 11 12 12)
 *   oy 2: sy 3:         -> 13 14 15 15 (+1: 14 15 15 15)
 *   oy 3: sy 3 (clamp): -> 13 14 15 15 (+1: 14 15 15 15) */
/* board_pace_plan of the net: I, O, paced, LEAD and the FIFO depth */
static void expect_plan(const ir_net *net, long in, long out, int paced, long lead, long depth)
{
    board_pace p;
    assert_int_equal(board_pace_plan(net, &p), 0);
    assert_int_equal(p.in_bytes, in);
    assert_int_equal(p.out_bytes, out);
    assert_int_equal(p.paced, paced);
    assert_int_equal(p.lead, lead);
    assert_int_equal(p.rx_depth, depth);
}

static const long need_hi[16] = {6, 7, 8, 8, 10, 11, 12, 12, 14, 15, 15, 15, 14, 15, 15, 15};
static const long need_lo[16] = {5, 6, 7, 7, 9, 10, 11, 11, 13, 14, 15, 15, 13, 14, 15, 15};

static void test_need_3x3_same(void **state)
{
    ir_net net = one_conv(4, 4, 1, 3, 1, 2);
    long need[16];
    int p;
    (void)state;
    assert_int_equal(board_pace_need(&net, 1, need), 0);
    for (p = 0; p < 16; p++)
        assert_int_equal(need[p], need_hi[p]);
    assert_int_equal(board_pace_need(&net, 0, need), 0);
    for (p = 0; p < 16; p++)
        assert_int_equal(need[p], need_lo[p]);
    free(net.layers);
}

/* LEAD = max over p of (need_hi(p) + 1) * C_in - floor(p * C_out * I / O)
 *      = max over p of need_hi(p) + 1 - p (C_in 1, C_out 2, I/O = 1/2):
 *   p 0..11: 7 7 7 6, 7 7 7 6, 7 7 6 5; p 12..15: 3 3 2 1  -> LEAD = 7.
 * allowed(r) = min(16, 7 + floor(r / 2)); allowed(2q) = min(16, 7 + q).
 * RX bound = max over q = 0..16 of allowed(2q) - (need_lo(q-1) + 1), q = 0: 7:
 *   q 0..8: 7 2 2 2 3 2 2 2 3; q 9..16: 2 1 0 0 2 1 0 0  -> 7; depth 7 + 64 = 71. */
static void test_plan_3x3_same(void **state)
{
    ir_net net = one_conv(4, 4, 1, 3, 1, 2);
    (void)state;
    expect_plan(&net, 16, 32, 1, 7, 71);
    /* the host's rule */
    assert_int_equal(board_pace_allowed(7, 16, 32, 0), 7);
    assert_int_equal(board_pace_allowed(7, 16, 32, 3), 8);
    assert_int_equal(board_pace_allowed(7, 16, 32, 17), 15);
    assert_int_equal(board_pace_allowed(7, 16, 32, 18), 16);
    assert_int_equal(board_pace_allowed(7, 16, 32, 32), 16);
    free(net.layers);
}

/* 3x3 'valid' (no pads), 5x5x1 -> 3x3x4: I = 25, O = 36. Output (oy, ox)
 * reads (oy+2, ox+2), index 5*oy + ox + 12, +1 (never clamped): need_hi
 * = 13 14 15, 18 19 20, 23 24 25 -> clamp: the last is 24 (index 24 + 1 > 24).
 * LEAD = max over p of need_hi(p) + 1 - floor(4p * 25 / 36):
 *   p 0: 14 - 0 = 14; p 1: 15 - 2 = 13; p 2: 16 - 5 = 11; p 3: 19 - 8 = 11;
 *   p 4: 20 - 11 = 9; p 5: 21 - 13 = 8; p 6: 24 - 16 = 8; p 7: 25 - 19 = 6;
 *   p 8: 25 - 22 = 3  -> LEAD = 14.
 * need_lo = 12 13 14, 17 18 19, 22 23 24; allowed(4q) = min(25, 14 + floor(100q/36)):
 *   q 0: 14 - 0 = 14; q 1: 16 - 13 = 3; q 2: 19 - 14 = 5; q 3: 22 - 15 = 7;
 *   q 4: 25 - 18 = 7; q 5..9: 25 - (19, 20, 23, 24, 25) = 6 5 2 1 0 -> 14; depth 78. */
static void test_plan_3x3_valid(void **state)
{
    ir_net net = one_conv(5, 5, 1, 3, 0, 4);
    long need[9];
    (void)state;
    assert_int_equal(board_pace_need(&net, 1, need), 0);
    assert_int_equal(need[0], 13);
    assert_int_equal(need[4], 19);
    assert_int_equal(need[8], 24);
    expect_plan(&net, 25, 36, 1, 14, 78);
    free(net.layers);
}

/* No more output than input (4x4x2 -> 4x4x2): not paced, LEAD = I = 32,
 * the receive FIFO at its old 256. */
static void test_plan_not_paced(void **state)
{
    ir_net net = one_conv(4, 4, 2, 3, 1, 2);
    (void)state;
    expect_plan(&net, 32, 32, 0, 32, 256);
    assert_int_equal(board_pace_allowed(5, 32, 32, 0), 32);
    free(net.layers);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_need_3x3_same),
        cmocka_unit_test(test_plan_3x3_same),
        cmocka_unit_test(test_plan_3x3_valid),
        cmocka_unit_test(test_plan_not_paced),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
