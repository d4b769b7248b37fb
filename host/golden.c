/*
 * golden.c - the golden C model of an rf_net: every layer computed the way
 * TensorFlow Lite's int8 reference kernels compute it, so the hardware can be
 * held to it bit for bit.
 *
 * Sources (TensorFlow Lite tree, tensorflow/lite/kernels/internal/reference/
 * integer_ops/), formulas restated here, code not copied. Tensors are NHWC
 * with N = 1; "taps outside the input are skipped" means the loops leave
 * them out, which for the convolutions equals padding with the input zero
 * point. A window of output (y, x) starts at input (y*stride - pad_top,
 * x*stride - pad_left); bottom/right pads only fix the output size,
 * h = (H_in + pad_top + pad_bottom - K) / stride + 1, likewise w.
 *  - conv: conv.h, ConvPerChannel. For output (y, x, oc):
 *        acc = sum over ky, kx, ic of  w[oc][ky][kx][ic] * (in[iy][ix][ic] + input_offset)
 *        acc += bias[oc]
 *        out = clamp(MultiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]) + out_zp,
 *                    act_min, act_max)
 *    with iy = y*stride - pad_top + ky, ix = x*stride - pad_left + kx
 *    (dilation 1) and input_offset = -input zero point; acc is int32.
 *  - depthwise: depthwise_conv.h, DepthwiseConvPerChannel with
 *    depth_multiplier 1, so output channel c reads input channel c only:
 *        acc = sum over ky, kx of  w[c][ky][kx] * (in[iy][ix][c] + input_offset)
 *    then bias, requantization and clamp as conv. (TFLite's filter is
 *    [1][K][K][C]; the table keeps [C][K][K], the same numbers.) This is
 *    ConvPerChannel with groups = C and one input channel per group, which
 *    is how it is computed below.
 *  - dense: fully_connected.h, FullyConnectedPerChannel:
 *        acc = sum over d of  w[oc][d] * (in[d] + input_offset)  (+ bias[oc])
 *    then requantization and clamp as conv (weights symmetric, zero point 0):
 *    a 1x1 conv on a 1 x 1 x in_c input, computed as one.
 *  - max pool: pooling.h, MaxPool: out = clamp(max of the in-image taps,
 *    act_min, act_max), the maximum starting from -128.
 *  - average pool: pooling.h, AveragePool, over the n in-image taps
 *    (the padding is not counted):
 *        acc = sum of the taps (raw int8 values, int32)
 *        acc = acc > 0 ? (acc + n/2) / n : (acc - n/2) / n   (C division,
 *              truncating: halves round away from zero)
 *        out = clamp(acc, act_min, act_max)
 *    AveragePool fails when a window has no tap in the image (n = 0); the
 *    model refuses such a window for MaxPool too (TFLite would give
 *    clamp(-128); only a pad >= K makes one, which TFLite never computes).
 *    Pooling keeps the input's scale and zero point (TFLite requires it), so
 *    the raw values are compared and averaged.
 *  - global average pool (l->rounding, n = H*W, zp the zero point input and
 *    output share):
 *      RF_ROUND_AVERAGE_POOL: AveragePool with the filter the whole input
 *      RF_ROUND_TFLITE_MEAN_4D: integer_ops/mean.h, Mean (TFLite's MEAN,
 *        keep_dims, 4-D, axes {1, 2}): acc = sum (x - zp), rounded
 *        halves away from zero as above, + zp
 *      RF_ROUND_TFLITE_MEAN_TRUNCATE: reference/reduce.h, Mean<int8_t, int>
 *        (TFLite's MEAN otherwise, equal quantization): sum x / n, truncated
 *      RF_ROUND_TFLM_MEAN: reference/reduce.h, QuantizedMeanOrSum (TFLite
 *        Micro's int8 MEAN): MultiplyByQuantizedMultiplier(sum (x - zp),
 *        mean_mult, mean_shift) + zp, the multiplier with 1/n folded in
 *    then clamped to act_min .. act_max.
 *  - add: add.h, AddElementwise, with the multipliers add.cc's Prepare
 *    computed (stored in the layer by the generator); see q_add_elem in
 *    gen/quant.c.
 *  - requantization and the fixed-point helpers: gen/quant.c.
 */
#include "golden.h"

#include <stdlib.h>

#include "quant.h"

/* The low 32 bits of v as int32: TFLite accumulates in int32, whose
 * overflow wraps on every target it runs on; C would call it undefined. */
static int32_t wrap32(int64_t v)
{
    uint32_t u = (uint32_t)((uint64_t)v & 0xffffffffu);

    if (u <= (uint32_t)INT32_MAX)
        return (int32_t)u;
    return (int32_t)((int64_t)u - ((int64_t)1 << 32));
}

static size_t layer_size(const rf_layer *l)
{
    return (size_t)l->h * (size_t)l->w * (size_t)l->c;
}

/* The window of a layer: filter fh x fw, stride s, top/left pads. */
typedef struct win_geom {
    int fh, fw, s, pt, pl;
} win_geom;

/* The K x K window of l (conv, depthwise, pools) on the producer p: stride
 * 0 means stride 1 and all four pads = pad. Checks K >= 1, stride >= 1,
 * pads >= 0, the padded input at least K x K and l's output size
 * h = (p->h + pad_top + pad_bottom - K) / stride + 1, likewise w. Returns 0,
 * or -1 when any of that fails. */
static int window_of(const rf_layer *l, const rf_layer *p, win_geom *g)
{
    int k = l->kernel, s = l->stride ? l->stride : 1;
    int pt = l->stride ? l->pad_top : l->pad, pb = l->stride ? l->pad_bottom : l->pad;
    int pl = l->stride ? l->pad_left : l->pad, pr = l->stride ? l->pad_right : l->pad;

    if (k < 1 || s < 1 || pt < 0 || pb < 0 || pl < 0 || pr < 0 ||
        p->h + pt + pb < k || p->w + pl + pr < k ||
        l->h != (p->h + pt + pb - k) / s + 1 || l->w != (p->w + pl + pr - k) / s + 1)
        return -1;
    *g = (win_geom){k, k, s, pt, pl};
    return 0;
}

/* The taps start .. end-1 of a filter of `filter` taps at input position
 * origin (may be negative) that fall inside an input of `size`: TFLite's
 * filter_x_start = max(0, -origin), filter_x_end = min(filter, size -
 * origin) (pooling.h). end <= start when none does. */
static void taps_inside(int origin, int filter, int size, int *start, int *end)
{
    *start = origin < 0 ? -origin : 0;
    *end = size - origin < filter ? size - origin : filter;
}

/* ConvPerChannel with `groups` channel groups: output channel oc reads the
 * in_c / groups input channels of its group, oc / (c / groups); weights
 * [c][fh][fw][in_c / groups]. groups = 1 is a conv, groups = in_c = c a
 * depthwise conv with depth multiplier 1. Bias optional (TFLite: if
 * (bias_data)). The caller has checked the shapes and the pointers. */
static void conv_groups(const rf_layer *l, const rf_layer *p, const win_geom *g, int groups,
                        const int8_t *in, int8_t *out)
{
    int gin = p->c / groups, gout = l->c / groups;
    int in_offset = -p->zero_point;
    int y, x, oc, ky, kx, ic, ky0, ky1, kx0, kx1;

    for (y = 0; y < l->h; y++) {
        int iy0 = y * g->s - g->pt;

        taps_inside(iy0, g->fh, p->h, &ky0, &ky1);
        for (x = 0; x < l->w; x++) {
            int ix0 = x * g->s - g->pl;

            taps_inside(ix0, g->fw, p->w, &kx0, &kx1);
            for (oc = 0; oc < l->c; oc++) {
                const int8_t *wk = l->weights + (size_t)oc * g->fh * g->fw * gin;
                int ic0 = oc / gout * gin;
                int64_t acc = 0;

                for (ky = ky0; ky < ky1; ky++) {
                    for (kx = kx0; kx < kx1; kx++) {
                        size_t pix = (size_t)(iy0 + ky) * p->w + (size_t)(ix0 + kx);
                        const int8_t *px = in + pix * p->c + ic0;
                        const int8_t *wv = wk + ((size_t)ky * g->fw + kx) * gin;

                        for (ic = 0; ic < gin; ic++)
                            acc += (int64_t)wv[ic] * (px[ic] + in_offset);
                    }
                }
                if (l->bias)
                    acc += l->bias[oc];
                out[((size_t)y * l->w + x) * l->c + oc] =
                    q_requant(wrap32(acc), l->mult[oc], (int)l->shift[oc],
                              l->zero_point, l->act_min, l->act_max);
            }
        }
    }
}

/* ConvPerChannel (conv.h): in_c = the producer's channels, weights
 * [c][K][K][in_c]. Returns -1 on inconsistent tables. */
static int run_conv(const rf_layer *l, const rf_layer *p, const int8_t *in, int8_t *out)
{
    win_geom g;

    if (window_of(l, p, &g) || l->in_c != p->c || !l->weights || !l->mult || !l->shift)
        return -1;
    conv_groups(l, p, &g, 1, in, out);
    return 0;
}

/* DepthwiseConvPerChannel (depthwise_conv.h), depth multiplier 1:
 * in_c = c = the producer's channels, weights [c][K][K]. Returns -1 on
 * inconsistent tables. */
static int run_depthwise(const rf_layer *l, const rf_layer *p, const int8_t *in, int8_t *out)
{
    win_geom g;

    if (window_of(l, p, &g) || l->in_c != p->c || l->c != p->c || !l->weights || !l->mult ||
        !l->shift)
        return -1;
    conv_groups(l, p, &g, l->c, in, out);
    return 0;
}

/* FullyConnectedPerChannel (fully_connected.h): a 1 x 1 x in_c input,
 * 1 x 1 x c output, weights [c][in_c]; kernel, stride and pads unused.
 * Returns -1 on inconsistent tables. */
static int run_dense(const rf_layer *l, const rf_layer *p, const int8_t *in, int8_t *out)
{
    const win_geom g = {1, 1, 1, 0, 0};

    if (p->h != 1 || p->w != 1 || l->h != 1 || l->w != 1 || l->in_c != p->c ||
        !l->weights || !l->mult || !l->shift)
        return -1;
    conv_groups(l, p, &g, 1, in, out);
    return 0;
}

/* MaxPool (is_max) or AveragePool (pooling.h) with window g, per channel,
 * on the raw int8 values (the output has the input's scale and zero point,
 * checked here, as are the channel count and the filter size). Returns -1
 * on inconsistent tables or a window without an in-image tap: AveragePool
 * fails there; MaxPool would give clamp(-128), but only a pad >= K makes
 * such a window, which TFLite's padding never does, so it is refused too.
 * Filters of more than 2^24 taps are refused: TFLite's int32 sum of int8
 * values could overflow. */
static int run_pool(const rf_layer *l, const rf_layer *p, const win_geom *g, int is_max,
                    const int8_t *in, int8_t *out)
{
    int y, x, c, ky, kx, ky0, ky1, kx0, kx1;

    if (l->c != p->c || l->zero_point != p->zero_point || l->scale != p->scale ||
        (int64_t)g->fh * g->fw > ((int64_t)1 << 24))
        return -1;
    for (y = 0; y < l->h; y++) {
        int iy0 = y * g->s - g->pt;

        taps_inside(iy0, g->fh, p->h, &ky0, &ky1);
        for (x = 0; x < l->w; x++) {
            int ix0 = x * g->s - g->pl;

            taps_inside(ix0, g->fw, p->w, &kx0, &kx1);
            for (c = 0; c < l->c; c++) {
                /* int64: the same sums as TFLite's int32 below 2^24 taps,
                 * and acc - n/2 cannot overflow */
                int64_t acc = 0;
                int mx = -128, v, n = 0;

                for (ky = ky0; ky < ky1; ky++) {
                    for (kx = kx0; kx < kx1; kx++) {
                        v = in[((size_t)(iy0 + ky) * p->w + (size_t)(ix0 + kx)) * p->c + c];
                        acc += v;
                        mx = v > mx ? v : mx;
                        n++;
                    }
                }
                if (n == 0)
                    return -1;
                v = is_max ? mx : (int)(acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n);
                v = v < l->act_min ? l->act_min : v;
                v = v > l->act_max ? l->act_max : v;
                out[((size_t)y * l->w + x) * l->c + c] = (int8_t)v;
            }
        }
    }
    return 0;
}

/* MaxPool / AveragePool with the layer's K x K window (window_of). */
static int run_window_pool(const rf_layer *l, const rf_layer *p, int is_max,
                           const int8_t *in, int8_t *out)
{
    win_geom g;

    if (window_of(l, p, &g))
        return -1;
    return run_pool(l, p, &g, is_max, in, out);
}

/* The mean of channel c over the whole input, n = H*W pixels, rounded as
 * l->rounding says (RF_ROUND_AVERAGE_POOL is run_pool's), then clamped to
 * act_min .. act_max (the MEAN kernels clamp to int8 only; a global pool
 * without relu has that range). zp is the input's zero point, which the
 * output shares. */
static int mean_of(const rf_layer *l, int64_t sum, int64_t n, int zp)
{
    int64_t v, acc = sum - (int64_t)zp * n;     /* sum(x - zp) */

    switch (l->rounding) {
    case RF_ROUND_TFLITE_MEAN_4D:
        /* reference_integer_ops::Mean: MultiplyByQuantizedMultiplier(acc,
         * QuantizeMultiplier(s_in / s_out)) is acc itself for equal scales,
         * then halves away from zero, + output zero point */
        v = (acc > 0 ? (acc + n / 2) / n : (acc - n / 2) / n) + zp;
        break;
    case RF_ROUND_TFLITE_MEAN_TRUNCATE:
        /* reference_ops::Mean<int8_t, int>: temp_sum / n, C's truncation */
        v = sum / n;
        break;
    case RF_ROUND_TFLM_MEAN:
        /* reference_ops::QuantizedMeanOrSum: shifted_sum = temp_sum -
         * input_zp * n (int32), MultiplyByQuantizedMultiplier by the
         * multiplier with 1/n folded in, + output zero point */
        v = (int64_t)q_mbqm((int32_t)acc, l->mean_mult, (int)l->mean_shift) + zp;
        break;
    default:
        v = sum > 0 ? (sum + n / 2) / n : (sum - n / 2) / n;
        break;
    }
    v = v < -128 ? -128 : v > 127 ? 127 : v;
    v = v < l->act_min ? l->act_min : v;
    return (int)(v > l->act_max ? l->act_max : v);
}

/* The mean over the whole input: output 1 x 1 x c. RF_ROUND_AVERAGE_POOL
 * is AveragePool with the filter the whole input; the others are the MEAN
 * kernels (mean_of), with the checks of run_pool, at most 2^23 pixels (so
 * that sum (x - zp) fits TFLite's int32) and a known rounding. */
static int run_global_avg_pool(const rf_layer *l, const rf_layer *p, const int8_t *in,
                               int8_t *out)
{
    const win_geom g = {p->h, p->w, 1, 0, 0};
    int64_t n = (int64_t)p->h * p->w;
    size_t i;
    int c;

    if (l->h != 1 || l->w != 1)
        return -1;
    if (l->rounding == RF_ROUND_AVERAGE_POOL)
        return run_pool(l, p, &g, 0, in, out);
    if ((unsigned)l->rounding > RF_ROUND_TFLM_MEAN || l->c != p->c ||
        l->zero_point != p->zero_point || l->scale != p->scale || n > ((int64_t)1 << 23) ||
        (l->rounding == RF_ROUND_TFLM_MEAN && (l->mean_mult < 0 || l->mean_shift < -31 || l->mean_shift > 31)))
        return -1;
    for (c = 0; c < l->c; c++) {
        int64_t sum = 0;

        for (i = 0; i < (size_t)n; i++)
            sum += in[i * (size_t)p->c + (size_t)c];
        out[c] = (int8_t)mean_of(l, sum, n, p->zero_point);
    }
    return 0;
}

/* AddElementwise over two tensors of the layer's shape. */
static int run_add(const rf_layer *l, const rf_layer *a, const rf_layer *b,
                   const int8_t *in0, const int8_t *in1, int8_t *out)
{
    q_add_params ap;
    size_t i, n = layer_size(l);

    if (a->h != l->h || a->w != l->w || a->c != l->c ||
        b->h != l->h || b->w != l->w || b->c != l->c)
        return -1;
    ap.left_shift = l->left_shift;
    ap.in_mult[0] = l->in_mult[0];
    ap.in_mult[1] = l->in_mult[1];
    ap.in_shift[0] = (int)l->in_shift[0];
    ap.in_shift[1] = (int)l->in_shift[1];
    ap.out_mult = l->out_mult;
    ap.out_shift = (int)l->out_shift;
    for (i = 0; i < n; i++)
        out[i] = q_add_elem(&ap, in0[i], a->zero_point, in1[i], b->zero_point,
                            l->zero_point, l->act_min, l->act_max);
    return 0;
}

int golden_run(const rf_net *net, const int8_t *input, int8_t *output)
{
    int8_t **buf;
    int i, j, rc = 0;
    size_t n;

    if (!net || net->n_layers < 1 || net->layers[0].op != RF_OP_INPUT ||
        net->output < 0 || net->output >= net->n_layers)
        return -1;
    buf = calloc((size_t)net->n_layers, sizeof *buf);
    if (!buf)
        return -1;
    for (i = 0; i < net->n_layers && rc == 0; i++) {
        const rf_layer *l = &net->layers[i];

        if (l->h < 1 || l->w < 1 || l->c < 1) {
            rc = -1;
            break;
        }
        buf[i] = malloc(layer_size(l));
        if (!buf[i]) {
            rc = -1;
            break;
        }
        if (i > 0 && (l->n_inputs < 1 || l->n_inputs > 2)) {
            rc = -1;
            break;
        }
        for (j = 0; i > 0 && j < l->n_inputs; j++)
            if (l->inputs[j] < 0 || l->inputs[j] >= i)
                rc = -1;
        if (rc)
            break;
        switch (l->op) {
        case RF_OP_INPUT:
            if (i != 0) {
                rc = -1;
                break;
            }
            for (n = 0; n < layer_size(l); n++)
                buf[i][n] = input[n];
            break;
        case RF_OP_CONV2D:
            rc = run_conv(l, &net->layers[l->inputs[0]], buf[l->inputs[0]], buf[i]);
            break;
        case RF_OP_DEPTHWISE:
            rc = run_depthwise(l, &net->layers[l->inputs[0]], buf[l->inputs[0]], buf[i]);
            break;
        case RF_OP_MAX_POOL:
        case RF_OP_AVG_POOL:
            rc = run_window_pool(l, &net->layers[l->inputs[0]], l->op == RF_OP_MAX_POOL,
                                 buf[l->inputs[0]], buf[i]);
            break;
        case RF_OP_GLOBAL_AVG_POOL:
            rc = run_global_avg_pool(l, &net->layers[l->inputs[0]], buf[l->inputs[0]], buf[i]);
            break;
        case RF_OP_DENSE:
            rc = run_dense(l, &net->layers[l->inputs[0]], buf[l->inputs[0]], buf[i]);
            break;
        case RF_OP_ADD:
            if (l->n_inputs != 2) {
                rc = -1;
                break;
            }
            rc = run_add(l, &net->layers[l->inputs[0]], &net->layers[l->inputs[1]],
                         buf[l->inputs[0]], buf[l->inputs[1]], buf[i]);
            break;
        default:
            rc = -1;
            break;
        }
    }
    if (rc == 0)
        for (n = 0; n < layer_size(&net->layers[net->output]); n++)
            output[n] = buf[net->output][n];
    for (i = 0; i < net->n_layers; i++)
        free(buf[i]);
    free(buf);
    return rc;
}
