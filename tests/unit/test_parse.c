/*
 * test_parse.c - parser, shape inference, weights and FIFO sizing (cmocka).
 * Runs from tests/unit/ (paths are relative to it).
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check.h"
#include "cyclesim.h"
#include "diag.h"
#include "npy.h"
#include "parse.h"
#include "sched.h"

static ir_net load(const char *path)
{
    ir_net net;
    memset(&net, 0, sizeof net);
    assert_int_equal(parse_file(path, &net), 0);
    assert_int_equal(ir_check(&net), 0);
    assert_int_equal(sched_run(&net, NULL, 0), 0);
    diag_flush();
    return net;
}

static const ir_layer *layer(const ir_net *net, const char *name)
{
    int i = ir_find(net, name);
    assert_true(i >= 0);
    return &net->layers[i];
}

/* Writes `text` to a temporary YAML file and returns its path. */
static const char *tmp_yaml(const char *text)
{
    static char path[64];
    FILE *f;
    snprintf(path, sizeof path, "/tmp/rf_test_%ld.yaml", (long)rand());
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_resnet_block_shapes(void **state)
{
    ir_net net = load("../../kernels/resnet_block.yaml");
    const ir_layer *stem = layer(&net, "stem"), *add = layer(&net, "add");
    (void)state;
    assert_int_equal(net.n_layers, 5);
    assert_string_equal(net.layers[0].name, "input");
    assert_int_equal(stem->h, 64);
    assert_int_equal(stem->w, 64);
    assert_int_equal(stem->c, 8);
    assert_int_equal(stem->in_c, 3);
    assert_int_equal(stem->pad_t, 1);
    assert_int_equal(stem->pad_b, 1);
    assert_int_equal(stem->pad_l, 1);
    assert_int_equal(stem->pad_r, 1);
    /* fully parallel by default */
    assert_int_equal(stem->pe, 8);
    assert_int_equal(stem->simd, 27);
    assert_int_equal(stem->ii, 1);
    /* ReLU clamps at the output zero point */
    assert_int_equal(stem->act_min, -128);
    assert_int_equal(add->act_min, -128);
    assert_int_equal(layer(&net, "conv2")->act_min, -128);
    assert_int_equal(add->n_inputs, 2);
    assert_string_equal(net.layers[net.output].name, "add");
    /* TFLite ADD: left shift 20, both input multipliers from 2*max scale */
    assert_int_equal(add->addp.left_shift, 20);
    ir_net_free(&net);
}

static void test_topological_order(void **state)
{
    /* layers listed out of order are sorted by their inputs */
    const char *p = tmp_yaml("version: 1\n"
                             "input: {height: 4, width: 5, channels: 2, scale: 1.0, zero_point: 0}\n"
                             "layers:\n"
                             "  - {name: b, op: conv2d, inputs: [a], kernel: 1, filters: 2,"
                             " output: {scale: 1.0, zero_point: 0}, weights: {init: {seed: 1}}}\n"
                             "  - {name: a, op: conv2d, inputs: [input], kernel: 3, filters: 2,"
                             " output: {scale: 1.0, zero_point: 0}, weights: {init: {seed: 1}}}\n"
                             "output: b\n");
    ir_net net = load(p);
    (void)state;
    assert_string_equal(net.layers[1].name, "a");
    assert_string_equal(net.layers[2].name, "b");
    assert_int_equal(net.layers[2].in[0], 1);
    assert_int_equal(net.n_fifos, 0);
    ir_net_free(&net);
    remove(p);
}

static void test_skip_fifo_depth(void **state)
{
    /* Hand-worked (docs/fifo-sizing.md), II = 1 everywhere: the main path
     * conv1 -> conv2 delays pixel j by 2 * (pad*W + pad) pixels of line-buffer
     * fill plus 2 * (window 3 + MAC 6) cycles of pipeline = 2*65 + 18 = 148;
     * plus one element of handshake slack: 149. */
    ir_net net = load("../../kernels/resnet_block.yaml");
    (void)state;
    assert_int_equal(net.n_fifos, 1);
    assert_string_equal(net.fifos[0].name, "stem_to_add");
    assert_int_equal(net.fifos[0].depth, 2 * (64 + 1) + 2 * (STAGE_WINDOW_LATENCY + stage_mac_latency(1, 1, 1, 0)) + 1);
    assert_int_equal(net.fifos[0].width_bits, 64);
    /* window: H*W + pad steps per frame */
    assert_true(net.predicted_cycles_per_frame == (double)(64 * 64 + 1));
    ir_net_free(&net);
}

static void test_skip_fifo_grows_with_width(void **state)
{
    /* The skip FIFO holds about two image rows: doubling W adds 2*W. */
    const char *fmt = "version: 1\n"
                      "input: {height: 8, width: %d, channels: 1, scale: 1.0, zero_point: 0}\n"
                      "layers:\n"
                      "  - {name: c1, op: conv2d, inputs: [input], kernel: 3, filters: 1,"
                      " output: {scale: 1.0, zero_point: 0}, weights: {init: {seed: 1}}}\n"
                      "  - {name: c2, op: conv2d, inputs: [c1], kernel: 3, filters: 1,"
                      " output: {scale: 1.0, zero_point: 0}, weights: {init: {seed: 1}}}\n"
                      "  - {name: s, op: add, inputs: [input, c2], output: {scale: 1.0, zero_point: 0}}\n"
                      "output: s\n";
    char text[1024];
    int d16, d32;
    ir_net net;
    (void)state;
    snprintf(text, sizeof text, fmt, 16);
    net = load(tmp_yaml(text));
    d16 = net.fifos[0].depth;
    ir_net_free(&net);
    snprintf(text, sizeof text, fmt, 32);
    net = load(tmp_yaml(text));
    d32 = net.fifos[0].depth;
    ir_net_free(&net);
    assert_int_equal(d32 - d16, 2 * 16);
}

static void test_fifo_override(void **state)
{
    sched_override ov[1] = {{"stem_to_add", 500, 0}};
    ir_net net;
    (void)state;
    memset(&net, 0, sizeof net);
    assert_int_equal(parse_file("../../kernels/resnet_block.yaml", &net), 0);
    assert_int_equal(ir_check(&net), 0);
    assert_int_equal(sched_run(&net, ov, 1), 0);
    assert_int_equal(net.fifos[0].depth, 500);
    assert_true(net.fifos[0].overridden);
    assert_true(ov[0].used);
    ir_net_free(&net);
    diag_flush();
}

static void test_splitmix64_reference(void **state)
{
    /* splitmix64 reference outputs for seed 0 (Steele et al.; the same
     * vectors as Vigna's splitmix64.c) */
    uint64_t s = 0;
    (void)state;
    assert_true(ir_splitmix64(&s) == 0xe220a8397b1dcdafull);
    assert_true(ir_splitmix64(&s) == 0x6e789e6aa1b965f4ull);
    assert_true(ir_splitmix64(&s) == 0x06c45d188009454full);
}

static void test_init_weights_deterministic(void **state)
{
    ir_net a = load("../../kernels/resnet_block.yaml"), b = load("../../kernels/resnet_block.yaml");
    const ir_layer *la = layer(&a, "conv1"), *lb = layer(&b, "conv1");
    int i, lo = 0, hi = 0;
    (void)state;
    assert_memory_equal(la->weights, lb->weights, 8 * 9 * 8);
    for (i = 0; i < 8 * 9 * 8; i++) {
        assert_true(la->weights[i] >= -127 && la->weights[i] <= 127);
        lo |= la->weights[i] < -100;
        hi |= la->weights[i] > 100;
    }
    assert_true(lo && hi);
    ir_net_free(&a);
    ir_net_free(&b);
}

static void test_npy_reader(void **state)
{
    npy_array a;
    char err[256];
    (void)state;
    assert_int_equal(npy_load("../errors/0010_bad_npy_shape/w.npy", &a, err, sizeof err), 0);
    assert_int_equal(a.dtype, NPY_I8);
    assert_int_equal(a.ndim, 4);
    assert_int_equal(a.shape[0], 4);
    assert_int_equal(a.shape[3], 3);
    assert_int_equal((int)a.count, 108);
    npy_free(&a);
    assert_int_equal(npy_load("../errors/0011_truncated_npy/w.npy", &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "does not match"));
    assert_int_equal(npy_load("../../kernels/resnet_block.yaml", &a, err, sizeof err), -1);
    assert_non_null(strstr(err, "bad magic"));
}

static void test_ebr_blocks(void **state)
{
    (void)state;
    /* iCE40 EBR: 4 Kbit, 256x16 / 512x8 / 1024x4 / 2048x2 */
    assert_int_equal(sched_ebr_blocks(256, 16), 1);
    assert_int_equal(sched_ebr_blocks(149, 64), 4);   /* 4 x 256x16 */
    assert_int_equal(sched_ebr_blocks(2048, 2), 1);
    assert_int_equal(sched_ebr_blocks(1000, 8), 2);   /* 2 x 512x8 */
    /* UP5K SPRAM: 16K x 16 per block */
    assert_int_equal(sched_spram_blocks(149, 64), 4);
    assert_int_equal(sched_spram_blocks(16384, 16), 1);
    assert_int_equal(sched_spram_blocks(16385, 16), 2);
}

static void test_memory_plan(void **state)
{
    /* resnet_block at 64x64: 3 windows x 4 line buffers; stem's 64 x 24 bits
     * need 2 EBR each (256x16 x 2), conv1/conv2's 64 x 64 bits 4 each:
     * 4*2 + 4*4 + 4*4 = 40 EBR, over the UP5K's 30, so the 149 x 64 skip
     * FIFO goes to SPRAM (64 bits = 4 SPRAM blocks side by side) */
    ir_net net = load("../../kernels/resnet_block.yaml");
    sched_mem_plan plan;
    (void)state;
    assert_int_equal(sched_plan_memory(&net, &sched_up5k, &plan), 0);
    assert_int_equal(plan.line_buffer_ebr, 40);
    assert_int_equal(plan.kind[0], SCHED_MEM_SPRAM);
    assert_int_equal(plan.blocks[0], 4);
    assert_int_equal(plan.offchip_bytes, 0);
    sched_mem_plan_free(&plan);
    ir_net_free(&net);
}

static void test_resolution_override(void **state)
{
    /* ir_load with a resolution: shapes follow it, and the skip FIFO grows by
     * 2 elements per extra pixel of width (two 3x3 windows) */
    ir_net a, b;
    (void)state;
    assert_int_equal(ir_load("../../kernels/resnet_block.yaml", 100, 30, &a), 0);
    assert_int_equal(sched_run(&a, NULL, 0), 0);
    assert_int_equal(ir_load("../../kernels/resnet_block.yaml", 110, 7, &b), 0);
    assert_int_equal(sched_run(&b, NULL, 0), 0);
    diag_flush();
    assert_int_equal(a.layers[a.output].w, 100);
    assert_int_equal(a.layers[a.output].h, 30);
    assert_int_equal(b.fifos[0].depth - a.fifos[0].depth, 2 * 10);
    assert_true(a.predicted_cycles_per_frame == (double)(100 * 30 + 1));
    ir_net_free(&a);
    ir_net_free(&b);
}

static void test_fold_to_target(void **state)
{
    /* auto_fold.yaml: at 16x12 (192 pixels) a target of 1500 cycles per frame
     * allows 7 cycles per pixel. stem (27 x 8): the fewest multipliers with
     * (27/SIMD)*(8/PE) <= 7 is PE 4, SIMD 9 (3*2 = 6 cycles, 36 multipliers);
     * c1 (72 x 8): PE 4, SIMD 24 (3*2 = 6, 96); c2 (8 x 8, 1x1): PE 2, SIMD 8
     * (1*4 = 4, 16). ReLU6 at scale 0.03, zp -128: act_max = -128 + round(6/0.03) = 72. */
    ir_net net = load("../kernels/auto_fold.yaml");
    const ir_layer *stem = layer(&net, "stem"), *c1 = layer(&net, "c1"), *c2 = layer(&net, "c2");
    (void)state;
    assert_int_equal(net.target_cpf, 1500);
    assert_int_equal(stem->pe, 4);
    assert_int_equal(stem->simd, 9);
    assert_int_equal(c1->pe, 4);
    assert_int_equal(c1->simd, 24);
    assert_int_equal(c2->pe, 2);
    assert_int_equal(c2->simd, 8);
    assert_int_equal(stem->act_min, -128);
    assert_int_equal(stem->act_max, 72);
    assert_true(net.predicted_cycles_per_frame == (double)(192 * 6));
    assert_string_equal(net.layers[net.bottleneck].name, "stem");
    ir_net_free(&net);
}

/* FIFO depths hold up under input gaps: input_gaps.yaml's projection FIFO
 * is 6 at the full rate alone but deadlocks when the host pauses between
 * beats (its 1x1 conv's pipeline then holds no beat in flight); the
 * generated depth keeps the frame times and does not deadlock with a gap
 * after every beat, one element less does (7 deadlocks in RTL too). */
static void test_fifo_input_gaps(void **state)
{
    ir_net net = load("../kernels/input_gaps.yaml");
    cyclesim_result r;
    int i, f = -1, *d;
    (void)state;
    for (i = 0; i < net.n_fifos; i++)
        if (!strcmp(net.fifos[i].name, "b0proj_to_b0add"))
            f = i;
    assert_true(f >= 0);
    assert_int_equal(net.fifos[f].depth, 8);
    d = malloc((size_t)net.n_fifos * sizeof *d);
    assert_non_null(d);
    for (i = 0; i < net.n_fifos; i++)
        d[i] = net.fifos[i].depth;
    assert_int_equal(cyclesim_run_gap(&net, d, 2, 100000, 500, &r, NULL), 0);
    assert_false(r.deadlock);
    free(r.frame_done);
    d[f]--;
    assert_int_equal(cyclesim_run_gap(&net, d, 2, 100000, 500, &r, NULL), 0);
    assert_true(r.deadlock);
    free(r.frame_done);
    /* without gaps one element less still runs: the full rate alone needs 6 */
    assert_int_equal(cyclesim_run(&net, d, 2, 100000, &r, NULL), 0);
    assert_false(r.deadlock);
    free(r.frame_done);
    free(d);
    ir_net_free(&net);
}

/* The cycle model: skipping the quiet cycles changes nothing (a run with a
 * trace steps every cycle), and the generated depths are its minimum: any
 * one FIFO an element smaller, the others as generated, loses a cycle in
 * some frame or deadlocks. */
static void test_cycle_model(void **state)
{
    static const char *const kernels[] = {"../kernels/strided.yaml", "../kernels/two_blocks.yaml",
                                          "../kernels/mobile_pool.yaml"};
    size_t k;
    (void)state;
    for (k = 0; k < sizeof kernels / sizeof kernels[0]; k++) {
        ir_net net = load(kernels[k]);
        cyclesim_result a, b, ref;
        FILE *devnull = fopen("/dev/null", "w");
        int i, f, *d;
        assert_non_null(devnull);
        assert_true(net.n_fifos > 0);
        assert_true(net.cycle_modeled);
        assert_int_equal(cyclesim_run(&net, NULL, 3, 100000, &a, NULL), 0);
        assert_int_equal(cyclesim_run(&net, NULL, 3, 100000, &b, devnull), 0);
        fclose(devnull);
        assert_false(a.deadlock);
        assert_int_equal(a.first_out, b.first_out);
        assert_int_equal(a.first_out, net.predicted_first_output_latency);
        for (f = 0; f < 3; f++)
            assert_int_equal(a.frame_done[f], b.frame_done[f]);
        /* the rate of the recurrence's bound, and the report's figure */
        assert_true(a.cycles_per_frame >= (double)net.recurrence_cycles_per_frame);
        assert_true(a.cycles_per_frame == net.predicted_cycles_per_frame);
        d = malloc((size_t)net.n_fifos * sizeof *d);
        assert_non_null(d);
        for (i = 0; i < net.n_fifos; i++)
            d[i] = net.fifos[i].depth * 4 + 64;
        assert_int_equal(cyclesim_run(&net, d, 4, 100000, &ref, NULL), 0);
        assert_false(ref.deadlock);
        for (i = 0; i < net.n_fifos; i++) {
            int j, differs = 0;
            assert_true(net.fifos[i].simulated);
            assert_true(net.fifos[i].depth <= net.fifos[i].bound);
            for (j = 0; j < net.n_fifos; j++)
                d[j] = net.fifos[j].depth;
            d[i] = net.fifos[i].depth - 1;
            if (d[i] < 2)
                continue;
            assert_int_equal(cyclesim_run(&net, d, 4, 100000, &b, NULL), 0);
            for (f = 1; f < 4 && !b.deadlock; f++)
                differs |= b.frame_done[f] - b.frame_done[0] != ref.frame_done[f] - ref.frame_done[0];
            assert_true(b.deadlock || differs);
            free(b.frame_done);
        }
        free(ref.frame_done);
        free(d);
        free(a.frame_done);
        ir_net_free(&net);
    }
}

/* Every YAML scale is kept as the float32 nearest to it, as a TFLite file
 * stores it (docs/arithmetic.md): input, output and weight scales. */
static void test_scales_float32(void **state)
{
    const char *p = tmp_yaml("version: 1\n"
                             "input: {height: 2, width: 2, channels: 2, scale: 0.1, zero_point: 0}\n"
                             "layers:\n"
                             "  - {name: a, op: conv2d, inputs: [input], kernel: 1, filters: 2,"
                             " output: {scale: 0.02, zero_point: 0}, weights: {init: {seed: 1}, scales: [0.003, 0.007]}}\n"
                             "  - {name: b, op: conv2d, inputs: [a], kernel: 1, filters: 2,"
                             " output: {scale: 0.3, zero_point: 0}, weights: {init: {seed: 2}}}\n"
                             "output: b\n");
    ir_net net = load(p);
    const ir_layer *a = layer(&net, "a"), *b = layer(&net, "b");
    (void)state;
    assert_true(net.layers[0].scale == (double)0.1f && net.layers[0].scale != 0.1);
    assert_true(a->scale == (double)0.02f && a->scale != 0.02);
    assert_true(a->wscale[0] == (double)0.003f && a->wscale[1] == (double)0.007f);
    /* the init default, 0.5 * 0.3f / (0.02f * 127 * sqrt(2)), is a float32 too */
    assert_true(b->wscale[0] == (double)(float)b->wscale[0] && b->wscale[0] == b->wscale[1]);
    assert_true(fabs(b->wscale[0] - 0.5 * (double)0.3f / ((double)0.02f * 127.0 * sqrt(2.0))) < 1e-9);
    ir_net_free(&net);
    remove(p);
}

/*
 * Issue 23, finding 1: ReLU6's upper clamp is TFLite's Quantize(6.0f)
 * (kernels/kernel_util.cc, CalculateActivationRangeQuantizedImpl):
 * zero_point + TfLiteRound(6.0f / scale) with a float32 scale and a float32
 * division. Worked by hand for scale = float32(6 / 24.5) =
 * 0.2448979616165161: in float32, 6.0f / 0.24489796f = 24.5 exactly (the
 * quotient 24.4999997566 rounds to the float 24.5, 2^-19 apart from its
 * neighbours), and roundf(24.5) = 25 (half away from zero). In double the
 * quotient stays 24.4999997566 and rounds to 24: the old, wrong bound.
 *   zero point 0: act_max = 25; zero point -3: 22; a pool with relu6 keeps
 *   its input's scale and zero point: 25; a scale written with fewer digits
 *   that rounds to the same float32 (0.24489796): 25.
 */
static void test_relu6_bound_float32(void **state)
{
    const char *p = tmp_yaml("version: 1\n"
                             "input: {height: 2, width: 2, channels: 2, scale: 0.05, zero_point: 0}\n"
                             "layers:\n"
                             "  - {name: a, op: conv2d, inputs: [input], kernel: 1, filters: 2, relu6: true,"
                             " output: {scale: 0.2448979616165161, zero_point: 0}, weights: {init: {seed: 1}}}\n"
                             "  - {name: b, op: conv2d, inputs: [a], kernel: 1, filters: 2, relu6: true,"
                             " output: {scale: 0.2448979616165161, zero_point: -3}, weights: {init: {seed: 2}}}\n"
                             "  - {name: c, op: max_pool2d, inputs: [a], kernel: 1, relu6: true}\n"
                             "  - {name: d, op: conv2d, inputs: [c], kernel: 1, filters: 2, relu6: true,"
                             " output: {scale: 0.24489796, zero_point: 0}, weights: {init: {seed: 3}}}\n"
                             "  - {name: e, op: add, inputs: [a, b], relu6: true,"
                             " output: {scale: 0.2448979616165161, zero_point: 0}}\n"
                             "  - {name: f, op: add, inputs: [e, d], output: {scale: 0.5, zero_point: 0}}\n"
                             "output: f\n");
    ir_net net = load(p);
    (void)state;
    assert_int_equal(layer(&net, "a")->act_min, 0);
    assert_int_equal(layer(&net, "a")->act_max, 25);
    assert_int_equal(layer(&net, "b")->act_min, -3);
    assert_int_equal(layer(&net, "b")->act_max, 22);
    assert_int_equal(layer(&net, "c")->act_max, 25);
    assert_int_equal(layer(&net, "d")->act_max, 25);
    assert_int_equal(layer(&net, "e")->act_max, 25);
    ir_net_free(&net);
    remove(p);
}

/*
 * Issue 23, finding 2: a FULLY_CONNECTED with one weight scale takes
 * GetQuantizedConvolutionMultipler (kernels/kernel_util.cc): the product
 * input_scale * filter_scale in float32, then / output_scale in double.
 * Per-channel weights take PopulateConvolutionQuantizationParams, all in
 * double. Worked by hand (float32 values to 17 digits):
 *   input 0.1f = 0.10000000149011612, weights 0.003f = 0.0030000000260770321,
 *   output 0.07f = 0.070000000298023224
 *   float32 product 0.1f * 0.003f = 3.0000001424923539e-4
 *     (the double product is 3.0000000707805161e-4)
 *   per-tensor: 3.0000001424923539e-4 / 0.070000000298023224 =
 *     4.2857144710284709e-3 = 0.54857145229... * 2^-7:
 *     mult = round(0.54857145229... * 2^31) = 1178048224, shift -7
 *   per-channel: 4.2857143685829883e-3 -> mult 1178048195, shift -7
 * A dense with one unit and a scales file of one entry is per-tensor in
 * TFLite too (one scale); a conv with one scale stays in double.
 */
static void test_dense_per_tensor_multiplier(void **state)
{
    const char *p = tmp_yaml("version: 1\n"
                             "input: {height: 1, width: 1, channels: 4, scale: 0.1, zero_point: 0}\n"
                             "layers:\n"
                             "  - {name: t, op: dense, inputs: [input], units: 2,"
                             " output: {scale: 0.07, zero_point: 0}, weights: {init: {seed: 1}, scales: 0.003}}\n"
                             "  - {name: c, op: dense, inputs: [input], units: 2,"
                             " output: {scale: 0.07, zero_point: 0}, weights: {init: {seed: 1}, scales: [0.003, 0.003]}}\n"
                             "  - {name: k, op: conv2d, inputs: [input], kernel: 1, filters: 2,"
                             " output: {scale: 0.07, zero_point: 0}, weights: {init: {seed: 1}, scales: 0.003}}\n"
                             "  - {name: s1, op: add, inputs: [t, c], output: {scale: 0.1, zero_point: 0}}\n"
                             "  - {name: s2, op: add, inputs: [s1, k], output: {scale: 0.1, zero_point: 0}}\n"
                             "output: s2\n");
    ir_net net = load(p);
    const ir_layer *t = layer(&net, "t"), *c = layer(&net, "c"), *k = layer(&net, "k");
    int i;
    (void)state;
    for (i = 0; i < 2; i++) {
        assert_int_equal(t->mult[i], 1178048224);
        assert_int_equal(t->shift[i], -7);
        assert_int_equal(c->mult[i], 1178048195);
        assert_int_equal(c->shift[i], -7);
        assert_int_equal(k->mult[i], 1178048195);
        assert_int_equal(k->shift[i], -7);
    }
    ir_net_free(&net);
    remove(p);
}

/* A global_avg_pool's rounding, and TFLite Micro's MEAN multiplier folded
 * for n = 7*7 = 49 from QuantizeMultiplier(1.0) = (2^30, 1): s = 5,
 * 2^35 / 49 = 701219150.37 -> (701219150, 1 - 5 = -4) (reduce.h,
 * QuantizedMeanOrSum). An avg_pool2d over the whole input stays an
 * AVERAGE_POOL_2D. */
static void test_global_pool_rounding(void **state)
{
    const char *p = tmp_yaml("version: 1\n"
                             "input: {height: 7, width: 7, channels: 2, scale: 0.5, zero_point: -128}\n"
                             "layers:\n"
                             "  - {name: m, op: global_avg_pool, inputs: [input], rounding: tflm_mean}\n"
                             "  - {name: t, op: global_avg_pool, inputs: [input], rounding: tflite_mean_4d}\n"
                             "  - {name: a, op: avg_pool2d, inputs: [input], kernel: 7}\n"
                             "  - {name: s1, op: add, inputs: [m, t], output: {scale: 0.5, zero_point: 0}}\n"
                             "  - {name: s2, op: add, inputs: [s1, a], output: {scale: 0.5, zero_point: 0}}\n"
                             "output: s2\n");
    ir_net net = load(p);
    const ir_layer *m = layer(&net, "m"), *t = layer(&net, "t"), *a = layer(&net, "a");
    (void)state;
    assert_int_equal(m->rounding, IR_ROUND_TFLM_MEAN);
    assert_int_equal(m->mean_mult, 701219150);
    assert_int_equal(m->mean_shift, -4);
    assert_int_equal(t->rounding, IR_ROUND_TFLITE_MEAN_4D);
    assert_int_equal(a->op, IR_GLOBAL_POOL);
    assert_int_equal(a->rounding, IR_ROUND_AVERAGE_POOL);
    ir_net_free(&net);
    remove(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resnet_block_shapes),
        cmocka_unit_test(test_topological_order),
        cmocka_unit_test(test_skip_fifo_depth),
        cmocka_unit_test(test_skip_fifo_grows_with_width),
        cmocka_unit_test(test_fifo_override),
        cmocka_unit_test(test_splitmix64_reference),
        cmocka_unit_test(test_init_weights_deterministic),
        cmocka_unit_test(test_npy_reader),
        cmocka_unit_test(test_ebr_blocks),
        cmocka_unit_test(test_memory_plan),
        cmocka_unit_test(test_resolution_override),
        cmocka_unit_test(test_fold_to_target),
        cmocka_unit_test(test_cycle_model),
        cmocka_unit_test(test_fifo_input_gaps),
        cmocka_unit_test(test_scales_float32),
        cmocka_unit_test(test_relu6_bound_float32),
        cmocka_unit_test(test_dense_per_tensor_multiplier),
        cmocka_unit_test(test_global_pool_rounding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
