/*
 * golden.c - the golden C model of an rf_net: every layer computed the way
 * TensorFlow Lite's int8 reference kernels compute it, so the hardware can be
 * held to it bit for bit.
 *
 * Sources (TensorFlow Lite tree), formulas restated here, code not copied:
 *  - conv: tensorflow/lite/kernels/internal/reference/integer_ops/conv.h,
 *    ConvPerChannel. For output (y, x, oc):
 *        acc = sum over ky, kx, ic of  w[oc][ky][kx][ic] * (in[iy][ix][ic] + input_offset)
 *        acc += bias[oc]
 *        out = clamp(MultiplyByQuantizedMultiplier(acc, mult[oc], shift[oc]) + out_zp,
 *                    act_min, act_max)
 *    with iy = y - pad + ky, ix = x - pad + kx (stride 1, dilation 1) and
 *    input_offset = -input zero point. Taps with (iy, ix) outside the input
 *    are skipped, which is the same as padding with the input zero point.
 *  - add: tensorflow/lite/kernels/internal/reference/integer_ops/add.h,
 *    AddElementwise, with the multipliers add.cc's Prepare computed (stored
 *    in the layer by the generator); see q_add_elem in gen/quant.c.
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

/* ConvPerChannel (reference_integer_ops/conv.h) with stride and explicit
 * top/bottom/left/right padding: taps outside the input are skipped, which
 * equals padding with the input zero point. stride 0: stride 1, pads = pad. */
static int run_conv(const rf_layer *l, const rf_layer *p, const int8_t *in, int8_t *out)
{
    int k = l->kernel, in_c = l->in_c, s = l->stride ? l->stride : 1;
    int pt = l->stride ? l->pad_top : l->pad, pb = l->stride ? l->pad_bottom : l->pad;
    int pl = l->stride ? l->pad_left : l->pad, pr = l->stride ? l->pad_right : l->pad;
    int in_offset = -p->zero_point;
    int y, x, oc, ky, kx, ic;

    if (k < 1 || s < 1 || pt < 0 || pb < 0 || pl < 0 || pr < 0 || in_c != p->c ||
        p->h + pt + pb < k || p->w + pl + pr < k ||
        l->h != (p->h + pt + pb - k) / s + 1 || l->w != (p->w + pl + pr - k) / s + 1 ||
        !l->weights || !l->mult || !l->shift)
        return -1;
    for (y = 0; y < l->h; y++) {
        for (x = 0; x < l->w; x++) {
            for (oc = 0; oc < l->c; oc++) {
                const int8_t *wk = l->weights + (size_t)oc * k * k * in_c;
                int64_t acc = 0;

                for (ky = 0; ky < k; ky++) {
                    int iy = y * s - pt + ky;

                    if (iy < 0 || iy >= p->h)
                        continue;
                    for (kx = 0; kx < k; kx++) {
                        int ix = x * s - pl + kx;
                        const int8_t *px, *wv;

                        if (ix < 0 || ix >= p->w)
                            continue;
                        px = in + ((size_t)iy * p->w + ix) * in_c;
                        wv = wk + ((size_t)ky * k + kx) * in_c;
                        for (ic = 0; ic < in_c; ic++)
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
