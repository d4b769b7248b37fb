/*
 * import.c - `resflow import`: TensorFlow Lite int8 model to YAML + .npy
 * (see import.h; the reader is tflite.c, the YAML schema docs/yaml.md, the
 * mapping docs/import.md).
 *
 * One job, the mapping from TFLite operators to resflow layers; it is long
 * because each supported operator (CONV_2D, DEPTHWISE_CONV_2D, ADD, the
 * pools, MEAN, FULLY_CONNECTED, RESHAPE, PAD, ...) checks its tensors,
 * options and quantization against what the templates support and says
 * where a model departs, one function per operator.
 *
 * The operators are visited in the model's execution order (a topological
 * order). Each activation tensor gets a value: the network input, the layer
 * that writes it, a PAD still to be folded into the conv that reads it, or
 * something left to the host (SOFTMAX, QUANTIZE, DEQUANTIZE). An operator
 * that fails marks its outputs bad, so later operators that read them stay
 * quiet and every independent error is reported in one pass.
 */
#define _XOPEN_SOURCE 700
#include "import.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tflite.h"

#if defined(__GNUC__)
#define IMP_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define IMP_PRINTF(a, b)
#endif

#define IMP_NAME_MAX 64
#define IMP_HEADER "# Imported by resflow import"

/* ---- growable byte buffer ---- */

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static void b_put(buf *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (b->len + n + 1 > cap)
            cap *= 2;
        b->s = realloc(b->s, cap);
        if (!b->s)
            abort();
        b->cap = cap;
    }
    if (n)
        memcpy(b->s + b->len, p, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void b_printf(buf *b, const char *fmt, ...) IMP_PRINTF(2, 3);
static void b_printf(buf *b, const char *fmt, ...)
{
    char small[512], *big;
    va_list ap;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    if ((size_t)n < sizeof small) {
        b_put(b, small, (size_t)n);
        return;
    }
    big = malloc((size_t)n + 1);
    if (!big)
        abort();
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b_put(b, big, (size_t)n);
    free(big);
}

/* ---- the importer's state ---- */

/* What an activation tensor holds. */
enum vkind {
    V_NONE,      /* nothing has written it yet */
    V_RAW,       /* the model's input when it is not int8: only QUANTIZE may read it */
    V_INPUT,     /* the network input */
    V_LAYER,     /* written by a layer */
    V_PAD,       /* a PAD's output, to be folded into the conv that reads it */
    V_HOST,      /* SOFTMAX's output, computed on the host */
    V_EDGE,      /* QUANTIZE / DEQUANTIZE at the graph output */
    V_BAD,       /* its writer failed (already reported) */
};

typedef struct val {
    enum vkind kind;
    char name[IMP_NAME_MAX];   /* V_INPUT: "input"; V_LAYER: the layer's name */
    int h, w, c;               /* shape of the value (for V_PAD: after padding) */
    int op;                    /* operator that wrote it; -1: the graph input */
    int pad[4];                /* V_PAD: top, bottom, left, right */
    int src;                   /* V_PAD, V_HOST, V_EDGE: the tensor it was computed from */
} val;

typedef struct outfile {
    char name[IMP_NAME_MAX + 16];
    buf data;
} outfile;

typedef struct imp {
    const char *path;          /* the model, for messages */
    tfl_model m;
    val *v;                    /* one per tensor */
    int errors;
    buf layers;                /* the YAML's layers section */
    buf notes;                 /* comments after `output:` (host-side ops) */
    buf in_note;               /* comment on the input (a host-side QUANTIZE) */
    outfile *files;
    int n_files;
    int input_t;               /* the network input tensor (-1: none yet) */
    enum import_mean mean;     /* whose MEAN kernel a global_avg_pool rounds like */
} imp;

/* Reports an error: "MODEL: error: operator N (OP): message" (op >= 0) or
 * "MODEL: error: message". */
static void err(imp *I, int op, const char *fmt, ...) IMP_PRINTF(3, 4);
static void err(imp *I, int op, const char *fmt, ...)
{
    char msg[1024], nb[32];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (op >= 0)
        fprintf(stderr, "%s: error: operator %d (%s): %s\n", I->path, op,
                tfl_op_name(I->m.ops[op].code, nb, sizeof nb), msg);
    else
        fprintf(stderr, "%s: error: %s\n", I->path, msg);
    I->errors++;
}

static outfile *new_file(imp *I, const char *layer, const char *suffix)
{
    outfile *f = realloc(I->files, (size_t)(I->n_files + 1) * sizeof *f);
    if (!f)
        abort();
    I->files = f;
    f += I->n_files++;
    memset(f, 0, sizeof *f);
    snprintf(f->name, sizeof f->name, "%s%s", layer, suffix);
    return f;
}

/* "[1, 32, 32, 3]" */
static const char *shape_str(const tfl_tensor *T, char *s, size_t len)
{
    size_t o = 0;
    int i;
    o += (size_t)snprintf(s, len, "[");
    for (i = 0; i < T->ndim && o < len; i++)
        o += (size_t)snprintf(s + o, len - o, "%s%d", i ? ", " : "", (int)T->shape[i]);
    if (o < len)
        snprintf(s + o, len - o, "]");
    return s;
}

/* A tensor name made safe for a one-line YAML comment. */
static void comment_name(const char *in, char *out, size_t len)
{
    size_t i;
    for (i = 0; in[i] && i + 1 < len && i < 120; i++)
        out[i] = in[i] >= 32 && in[i] < 127 ? in[i] : '?';
    out[i] = '\0';
}

/* "%.17g" of a float32 scale: parses back to exactly (double)f. */
static const char *fmt_scale(float f, char *s, size_t len)
{
    snprintf(s, len, "%.17g", (double)f);
    return s;
}

/* ---- checks on tensors ---- */

/* t is one of the n tensors in v (the graph's inputs or outputs). */
static int in_list(const int32_t *v, int n, int t)
{
    int i;
    for (i = 0; i < n; i++)
        if (v[i] == t)
            return 1;
    return 0;
}

/* Per-tensor int8 quantization of activation tensor t: one positive finite
 * scale, one zero point in -128..127. */
static int act_quant(imp *I, int op, int t, float *scale, int *zp)
{
    const tfl_tensor *T = &I->m.tensors[t];
    char tb[16];
    if (T->type != TFL_INT8) {
        err(I, op, "tensor %d is %s; only int8 activations are imported", t, tfl_type_name(T->type, tb, sizeof tb));
        return -1;
    }
    if (T->n_scale != 1 || T->n_zp != 1) {
        err(I, op, "tensor %d needs one scale and one zero point (has %d and %d)", t, T->n_scale, T->n_zp);
        return -1;
    }
    if (!(T->scale[0] > 0) || !isfinite(T->scale[0])) {
        err(I, op, "tensor %d has scale %g; scales must be positive and finite", t, (double)T->scale[0]);
        return -1;
    }
    if (T->zp[0] < -128 || T->zp[0] > 127) {
        err(I, op, "tensor %d has zero point %lld, outside -128..127", t, (long long)T->zp[0]);
        return -1;
    }
    *scale = T->scale[0];
    *zp = (int)T->zp[0];
    return 0;
}

/* Tensors a and b carry the same quantization (scale bit for bit, zero point). */
static int same_quant(imp *I, int op, int a, int b, const char *why)
{
    float sa, sb;
    int za, zb;
    char x[32], y[32];
    if (act_quant(I, op, a, &sa, &za) || act_quant(I, op, b, &sb, &zb))
        return -1;
    if (sa != sb || za != zb) {
        err(I, op, "input scale %s, zero point %d but output scale %s, zero point %d: %s", fmt_scale(sa, x, sizeof x),
            za, fmt_scale(sb, y, sizeof y), zb, why);
        return -1;
    }
    return 0;
}

/* The output tensor t has shape [1, h, w, c] (or, with flat, [1, c] when
 * h == w == 1). */
static int check_out_shape(imp *I, int op, int t, int h, int w, int c, int flat)
{
    const tfl_tensor *T = &I->m.tensors[t];
    char s[96];
    if (T->ndim == 4 && T->shape[0] == 1 && T->shape[1] == h && T->shape[2] == w && T->shape[3] == c)
        return 0;
    if (flat && h == 1 && w == 1 && T->ndim == 2 && T->shape[0] == 1 && T->shape[1] == c)
        return 0;
    err(I, op, "output tensor %d has shape %s, expected [1, %d, %d, %d]", t, shape_str(T, s, sizeof s), h, w, c);
    return -1;
}

/* Constant tensor t of `type` with `ndim` dimensions whose data covers its
 * shape exactly; returns its data and shape. */
static const uint8_t *const_tensor(imp *I, int op, int t, int type, int ndim, const char *what)
{
    const tfl_tensor *T;
    const uint8_t *d;
    size_t len, count = 1, esize = type == TFL_INT8 ? 1 : type == TFL_INT64 ? 8 : 4;
    char tb[16], s[96];
    int i;
    if (t < 0) {
        err(I, op, "has no %s", what);
        return NULL;
    }
    T = &I->m.tensors[t];
    if (T->type != type) {
        err(I, op, "%s (tensor %d) is %s, expected %s", what, t, tfl_type_name(T->type, tb, sizeof tb),
            tfl_type_name(type, s, sizeof s));
        return NULL;
    }
    if (T->ndim != ndim) {
        err(I, op, "%s (tensor %d) has shape %s, expected %d dimensions", what, t, shape_str(T, s, sizeof s), ndim);
        return NULL;
    }
    for (i = 0; i < ndim; i++) {
        if (T->shape[i] < 1 || T->shape[i] > 65536) {
            err(I, op, "%s (tensor %d) has shape %s", what, t, shape_str(T, s, sizeof s));
            return NULL;
        }
        count *= (size_t)T->shape[i];
        if (count > ((size_t)1 << 28)) {
            err(I, op, "%s (tensor %d) is too large", what, t);
            return NULL;
        }
    }
    d = tfl_tensor_data(&I->m, t, &len);
    if (!d || len != count * esize) {
        err(I, op, "%s (tensor %d, shape %s) needs %zu bytes of constant data, its buffer has %zu", what, t,
            shape_str(T, s, sizeof s), count * esize, len);
        return NULL;
    }
    return d;
}

/* The value an operator reads from tensor t (its input `slot`): NULL after
 * an error. A PAD's output is returned only when `pad_ok`. */
static val *get_val(imp *I, int op, int t, int slot, int pad_ok)
{
    val *x;
    if (t < 0) {
        err(I, op, "input %d is missing", slot);
        return NULL;
    }
    x = &I->v[t];
    switch (x->kind) {
    case V_INPUT:
    case V_LAYER:
        return x;
    case V_PAD:
        if (pad_ok)
            return x;
        err(I, op, "reads the output of PAD (operator %d); a PAD is folded only into a CONV_2D or "
                   "DEPTHWISE_CONV_2D", x->op);
        return NULL;
    case V_BAD:
        return NULL;
    case V_RAW:
        err(I, op, "reads the model's non-int8 input tensor %d; only a QUANTIZE may", t);
        return NULL;
    case V_HOST:
        err(I, op, "reads the output of SOFTMAX (operator %d), which runs on the host", x->op);
        return NULL;
    case V_EDGE:
        err(I, op, "reads the output of operator %d, a QUANTIZE/DEQUANTIZE at the graph output", x->op);
        return NULL;
    case V_NONE:
    default:
        err(I, op, "reads tensor %d, which no earlier operator writes (a constant where an activation belongs?)", t);
        return NULL;
    }
}

/* The operator has lo..hi inputs (`expected` says which, for the message). */
static int want_inputs(imp *I, int op, int lo, int hi, const char *expected)
{
    int n = I->m.ops[op].n_in;
    if (n >= lo && n <= hi)
        return 0;
    err(I, op, "has %d inputs, expected %s", n, expected);
    return -1;
}

/* Checks the options union type; none present means the schema defaults. */
static int want_options(imp *I, int op, int type, const char *name)
{
    int t = I->m.ops[op].opt_type;
    if (t != TFL_OPT_NONE && t != type) {
        err(I, op, "carries builtin options of union type %d, expected %s (%d)", t, name, type);
        return -1;
    }
    return 0;
}

/* Square stride S >= 1 and no dilation. */
static int check_stride(imp *I, int op, const tfl_options *o)
{
    if (o->stride_w != o->stride_h || o->stride_w < 1 || o->stride_w > 64) {
        err(I, op, "stride %dx%d (height x width): only square strides 1..64 are imported", o->stride_h, o->stride_w);
        return -1;
    }
    if (o->dilation_w != 1 || o->dilation_h != 1) {
        err(I, op, "dilation %dx%d: only dilation 1 is supported", o->dilation_h, o->dilation_w);
        return -1;
    }
    if (o->padding != TFL_PAD_SAME && o->padding != TFL_PAD_VALID) {
        err(I, op, "padding %d is neither SAME nor VALID", o->padding);
        return -1;
    }
    return 0;
}

/* Fused activation as YAML ("" none, "relu", "relu6"); NULL on error. */
static const char *act_name(imp *I, int op, int act, int relu6_ok)
{
    if (act == TFL_ACT_NONE)
        return "";
    if (act == TFL_ACT_RELU)
        return "relu";
    if (act == TFL_ACT_RELU6 && relu6_ok)
        return "relu6";
    err(I, op, "fused activation %d (%s) is not supported", act,
        act == TFL_ACT_RELU6 ? "RELU6, on a pooling layer" : act == TFL_ACT_RELU_N1_TO_1 ? "RELU_N1_TO_1" : "TANH or other");
    return NULL;
}

/* One spatial dimension: output size and the padding TensorFlow uses
 * (tensorflow/lite/kernels/padding.h ComputePaddingHeightWidth: for SAME,
 * total = max((ceil(in/S) - 1) * S + K - in, 0), before = total / 2).
 * Returns the output size, or 0 when the window does not fit. */
static int out_dim(int in, int k, int s, int padding, int *before, int *after)
{
    int out, total;
    *before = *after = 0;
    if (padding == TFL_PAD_SAME) {
        out = (in + s - 1) / s;
        total = (out - 1) * s + k - in;
        if (total < 0)
            total = 0;
        *before = total / 2;
        *after = total - total / 2;
        return out;
    }
    return in >= k ? (in - k) / s + 1 : 0;
}

/* ---- .npy output ---- */

/* A NumPy .npy (format 1.0) of `descr` ('|i1', '<i4', '<f4') and `shape`;
 * `data` is little-endian already. The header is padded to a multiple of
 * 64 bytes, as numpy writes it. */
static void npy_put(buf *b, const char *descr, const long *shape, int nd, const void *data, size_t nbytes)
{
    char h[256];
    int n, i, pad;
    n = snprintf(h, sizeof h, "{'descr': '%s', 'fortran_order': False, 'shape': (", descr);
    for (i = 0; i < nd; i++)
        n += snprintf(h + n, sizeof h - (size_t)n, "%ld,%s", shape[i], i + 1 < nd ? " " : "");
    if (nd > 1)
        n--;   /* "(16, 3)" rather than "(16, 3,)"; a 1-tuple keeps its comma */
    n += snprintf(h + n, sizeof h - (size_t)n, "), }");
    pad = 64 - (10 + n + 1) % 64;
    if (pad == 64)
        pad = 0;
    memset(h + n, ' ', (size_t)pad);
    n += pad;
    h[n++] = '\n';
    b_put(b, "\x93NUMPY\x01\x00", 8);
    {
        unsigned char len[2] = {(unsigned char)(n & 0xff), (unsigned char)(n >> 8)};
        b_put(b, len, 2);
    }
    b_put(b, h, (size_t)n);
    b_put(b, data, nbytes);
}

/* ---- weights of conv2d, depthwise_conv2d and dense ---- */

/* Checks the weights' quantization (symmetric: zero points 0; one scale or
 * one per output channel along `qdim`), writes <layer>_w.npy (`shape`,
 * `nd` dims, from TFLite data `w`), the scales (inline or <layer>_s.npy),
 * and the bias (<layer>_b.npy) when the operator has one. */
static int put_weights(imp *I, int op, const char *layer, int wt, const uint8_t *w, const long *shape, int nd,
                       int n_out, int qdim)
{
    const tfl_tensor *W = &I->m.tensors[wt];
    const tfl_op *o = &I->m.ops[op];
    size_t count = 1;
    int i, bt = o->n_in > 2 ? o->in[2] : -1;
    char s[32];
    const uint8_t *b = NULL;

    if (W->n_scale != 1 && W->n_scale != n_out) {
        err(I, op, "weights (tensor %d) have %d scales; expected 1 or %d (one per output channel)", wt, W->n_scale,
            n_out);
        return -1;
    }
    if (W->n_scale > 1 && W->qdim != qdim) {
        err(I, op, "weights (tensor %d) are quantized along dimension %d, expected %d", wt, W->qdim, qdim);
        return -1;
    }
    for (i = 0; i < W->n_scale; i++)
        if (!(W->scale[i] > 0) || !isfinite(W->scale[i])) {
            err(I, op, "weights (tensor %d) scale %d is %g; scales must be positive and finite", wt, i,
                (double)W->scale[i]);
            return -1;
        }
    for (i = 0; i < W->n_zp; i++)
        if (W->zp[i] != 0) {
            err(I, op, "weights (tensor %d) zero point %d is %lld; int8 weights must be symmetric (0)", wt, i,
                (long long)W->zp[i]);
            return -1;
        }
    if (bt >= 0) {
        const tfl_tensor *B = &I->m.tensors[bt];
        b = const_tensor(I, op, bt, TFL_INT32, 1, "bias");
        if (!b)
            return -1;
        if (B->shape[0] != n_out) {
            err(I, op, "bias (tensor %d) has %d elements, expected %d", bt, (int)B->shape[0], n_out);
            return -1;
        }
    }
    for (i = 0; i < nd; i++)
        count *= (size_t)shape[i];
    npy_put(&new_file(I, layer, "_w.npy")->data, "|i1", shape, nd, w, count);
    if (W->n_scale == 1) {
        b_printf(&I->layers, "    weights: {file: %s_w.npy, scales: %s}\n", layer, fmt_scale(W->scale[0], s, sizeof s));
    } else {
        uint8_t *le = malloc((size_t)n_out * 4);
        long n = n_out;
        if (!le)
            abort();
        for (i = 0; i < n_out; i++) {
            uint32_t u;
            memcpy(&u, &W->scale[i], 4);
            le[4 * i] = (uint8_t)u;
            le[4 * i + 1] = (uint8_t)(u >> 8);
            le[4 * i + 2] = (uint8_t)(u >> 16);
            le[4 * i + 3] = (uint8_t)(u >> 24);
        }
        npy_put(&new_file(I, layer, "_s.npy")->data, "<f4", &n, 1, le, (size_t)n_out * 4);
        free(le);
        b_printf(&I->layers, "    weights: {file: %s_w.npy, scales: {file: %s_s.npy}}\n", layer, layer);
    }
    if (b) {
        long n = n_out;
        npy_put(&new_file(I, layer, "_b.npy")->data, "<i4", &n, 1, b, (size_t)n_out * 4);
        b_printf(&I->layers, "    bias: {file: %s_b.npy}\n", layer);
    }
    return 0;
}

/* ---- layers ---- */

/* Starts a layer: the comment naming the operator and its output tensor,
 * then name, op and inputs. Makes tensor `out` the layer's value. */
static void layer_begin(imp *I, int op, const char *prefix, const char *yop, const val *a, const val *b, int h, int w,
                        int c)
{
    int out = I->m.ops[op].out[0];
    val *y = &I->v[out];
    char nb[32], cn[128];
    comment_name(I->m.tensors[out].name, cn, sizeof cn);
    memset(y, 0, sizeof *y);
    y->kind = V_LAYER;
    y->op = op;
    y->h = h;
    y->w = w;
    y->c = c;
    snprintf(y->name, sizeof y->name, "%s%d", prefix, op);
    b_printf(&I->layers, "  # operator %d %s -> tensor %d \"%s\"\n", op, tfl_op_name(I->m.ops[op].code, nb, sizeof nb),
             out, cn);
    b_printf(&I->layers, "  - name: %s\n    op: %s\n", y->name, yop);
    if (b)
        b_printf(&I->layers, "    inputs: [%s, %s]\n", a->name, b->name);
    else
        b_printf(&I->layers, "    inputs: [%s]\n", a->name);
}

static void put_output_quant(imp *I, int t)
{
    const tfl_tensor *T = &I->m.tensors[t];
    char s[32];
    b_printf(&I->layers, "    output: {scale: %s, zero_point: %d}\n", fmt_scale(T->scale[0], s, sizeof s), (int)T->zp[0]);
}

static void put_act(imp *I, const char *act)
{
    if (*act)
        b_printf(&I->layers, "    %s: true\n", act);
}

/* CONV_2D (dw = 0) and DEPTHWISE_CONV_2D (dw = 1). Filters: OHWI
 * [C_out, K, K, C_in], depthwise [1, K, K, C]; bias int32 [C_out].
 * A PAD in front is folded into explicit padding. */
static int do_conv(imp *I, int op, int dw)
{
    const tfl_op *o = &I->m.ops[op];
    const tfl_options *p = &o->opt;
    const tfl_tensor *W;
    const uint8_t *w;
    val *x;
    int pad[4] = {0, 0, 0, 0}, folded = -1, k, n_out, h, wd, oh, ow, before, after, zp;
    long shape[4];
    float sc;
    const char *act;

    if (want_options(I, op, dw ? TFL_OPT_DEPTHWISE_CONV2D : TFL_OPT_CONV2D,
                     dw ? "DepthwiseConv2DOptions" : "Conv2DOptions") ||
        check_stride(I, op, p))
        return -1;
    if (want_inputs(I, op, 2, 3, "2 or 3 (input, filter, bias)"))
        return -1;
    if (!(x = get_val(I, op, o->in[0], 0, 1)))
        return -1;
    if (x->kind == V_PAD) {
        memcpy(pad, x->pad, sizeof pad);
        folded = x->op;
        x = &I->v[x->src];
    }
    if (!(w = const_tensor(I, op, o->in[1], TFL_INT8, 4, "filter")))
        return -1;
    W = &I->m.tensors[o->in[1]];
    if (W->shape[1] != W->shape[2]) {
        err(I, op, "kernel %dx%d (height x width) is not square", (int)W->shape[1], (int)W->shape[2]);
        return -1;
    }
    k = W->shape[1];
    if (k < 1 || k > 7) {
        err(I, op, "kernel %dx%d: kernels 1..7 are supported", k, k);
        return -1;
    }
    if (dw) {
        n_out = W->shape[3];
        if (W->shape[0] != 1 || n_out != x->c) {
            err(I, op, "filter shape [%d, %d, %d, %d] on %d input channels: only depth multiplier 1 is supported",
                (int)W->shape[0], k, k, n_out, x->c);
            return -1;
        }
    } else {
        n_out = W->shape[0];
        if (W->shape[3] != x->c) {
            err(I, op, "filter has %d input channels, its input has %d", (int)W->shape[3], x->c);
            return -1;
        }
    }
    if (!dw && p->quantized_bias_type != 0 && p->quantized_bias_type != TFL_INT32) {
        err(I, op, "quantized_bias_type %d: only int32 bias is supported", p->quantized_bias_type);
        return -1;
    }
    if (!(act = act_name(I, op, p->activation, 1)) || act_quant(I, op, o->out[0], &sc, &zp))
        return -1;
    /* spatial size after an explicit PAD, then the conv's own padding */
    h = x->h + pad[0] + pad[1];
    wd = x->w + pad[2] + pad[3];
    oh = out_dim(h, k, p->stride_h, p->padding, &before, &after);
    pad[0] += before;
    pad[1] += after;
    ow = out_dim(wd, k, p->stride_w, p->padding, &before, &after);
    pad[2] += before;
    pad[3] += after;
    if (!oh || !ow) {
        err(I, op, "a %dx%d kernel does not fit its %dx%d input (VALID padding)", k, k, h, wd);
        return -1;
    }
    if (check_out_shape(I, op, o->out[0], oh, ow, n_out, 0))
        return -1;

    layer_begin(I, op, dw ? "dw" : "conv", dw ? "depthwise_conv2d" : "conv2d", x, NULL, oh, ow, n_out);
    b_printf(&I->layers, "    kernel: %d\n", k);
    if (!dw)
        b_printf(&I->layers, "    filters: %d\n", n_out);
    b_printf(&I->layers, "    stride: %d\n", p->stride_w);
    if (folded >= 0)
        b_printf(&I->layers, "    padding: [%d, %d, %d, %d]   # PAD (operator %d) folded in\n", pad[0], pad[1],
                 pad[2], pad[3], folded);
    else
        b_printf(&I->layers, "    padding: %s\n", p->padding == TFL_PAD_SAME ? "same" : "valid");
    put_act(I, act);
    put_output_quant(I, o->out[0]);
    if (dw) {
        shape[0] = k;
        shape[1] = k;
        shape[2] = n_out;
    } else {
        shape[0] = n_out;
        shape[1] = k;
        shape[2] = k;
        shape[3] = x->c;
    }
    return put_weights(I, op, I->v[o->out[0]].name, o->in[1], w, shape, dw ? 3 : 4, n_out, dw ? 3 : 0);
}

/* ADD of two values of the same shape (no broadcasting). */
static int do_add(imp *I, int op)
{
    const tfl_op *o = &I->m.ops[op];
    val *a, *b;
    const char *act;
    float sc;
    int zp;
    if (want_options(I, op, TFL_OPT_ADD, "AddOptions"))
        return -1;
    if (want_inputs(I, op, 2, 2, "2"))
        return -1;
    a = get_val(I, op, o->in[0], 0, 0);
    b = get_val(I, op, o->in[1], 1, 0);
    if (!a || !b)
        return -1;
    if (a->h != b->h || a->w != b->w || a->c != b->c) {
        err(I, op, "adds %dx%dx%d to %dx%dx%d: broadcasting is not supported", a->h, a->w, a->c, b->h, b->w, b->c);
        return -1;
    }
    if (a == b) {
        err(I, op, "adds tensor %d to itself: the two inputs must be different layers", o->in[0]);
        return -1;
    }
    if (!(act = act_name(I, op, o->opt.activation, 1)) || act_quant(I, op, o->in[0], &sc, &zp) ||
        act_quant(I, op, o->in[1], &sc, &zp) || act_quant(I, op, o->out[0], &sc, &zp) ||
        check_out_shape(I, op, o->out[0], a->h, a->w, a->c, 0))
        return -1;
    layer_begin(I, op, "add", "add", a, b, a->h, a->w, a->c);
    put_act(I, act);
    put_output_quant(I, o->out[0]);
    return 0;
}

/* AVERAGE_POOL_2D / MAX_POOL_2D: square filter, quantization unchanged. */
static int do_pool(imp *I, int op, int avg)
{
    const tfl_op *o = &I->m.ops[op];
    const tfl_options *p = &o->opt;
    const char *act;
    val *x;
    int k = p->filter_w, oh, ow, before, after;
    if (want_options(I, op, TFL_OPT_POOL2D, "Pool2DOptions") || check_stride(I, op, p))
        return -1;
    if (want_inputs(I, op, 1, 1, "1"))
        return -1;
    if (!(x = get_val(I, op, o->in[0], 0, 0)))
        return -1;
    if (p->filter_w != p->filter_h || k < 1 || k > 4096) {
        err(I, op, "filter %dx%d (height x width): only square filters are supported", p->filter_h, p->filter_w);
        return -1;
    }
    if (!(act = act_name(I, op, p->activation, 0)) ||
        same_quant(I, op, o->in[0], o->out[0], "a pooling layer keeps its input's quantization"))
        return -1;
    oh = out_dim(x->h, k, p->stride_h, p->padding, &before, &after);
    ow = out_dim(x->w, k, p->stride_w, p->padding, &before, &after);
    if (!oh || !ow) {
        err(I, op, "a %dx%d filter does not fit its %dx%d input (VALID padding)", k, k, x->h, x->w);
        return -1;
    }
    if (check_out_shape(I, op, o->out[0], oh, ow, x->c, 0))
        return -1;
    layer_begin(I, op, avg ? "avgpool" : "maxpool", avg ? "avg_pool2d" : "max_pool2d", x, NULL, oh, ow, x->c);
    b_printf(&I->layers, "    kernel: %d\n    stride: %d\n    padding: %s\n", k, p->stride_w,
             p->padding == TFL_PAD_SAME ? "same" : "valid");
    put_act(I, act);
    return 0;
}

/* MEAN over axes {1, 2} with equal input and output quantization. Its
 * rounding (docs/arithmetic.md) is the kernel's of the chosen runtime:
 * TFLite Micro (reduce_common.cc EvalMeanHelper -> EvalIntegerMean ->
 * reference_ops::QuantizedMeanOrSum) for every int8 MEAN; TFLite's
 * reference kernel (reduce.cc EvalMeanReferenceOps) takes
 * reference_integer_ops::Mean when keep_dims is set, the input is 4-D and
 * the axes tensor is exactly [1, 2] or [2, 1], else (equal quantization)
 * reference_ops::Mean, which truncates. */
static int do_mean(imp *I, int op)
{
    const tfl_op *o = &I->m.ops[op];
    const uint8_t *ax;
    const char *rounding = "tflm_mean";
    val *x;
    int i, n, seen = 0, raw[2] = {0, 0};
    if (want_options(I, op, TFL_OPT_REDUCER, "ReducerOptions"))
        return -1;
    if (want_inputs(I, op, 2, 2, "2 (input, axes)"))
        return -1;
    if (!(x = get_val(I, op, o->in[0], 0, 0)) || !(ax = const_tensor(I, op, o->in[1], TFL_INT32, 1, "axes")))
        return -1;
    n = I->m.tensors[o->in[1]].shape[0];
    for (i = 0; i < n; i++) {
        int32_t a = (int32_t)((uint32_t)ax[4 * i] | ((uint32_t)ax[4 * i + 1] << 8) | ((uint32_t)ax[4 * i + 2] << 16) |
                              ((uint32_t)ax[4 * i + 3] << 24));
        if (i < 2)
            raw[i] = (int)a;
        if (a < 0)
            a += 4;
        if (a != 1 && a != 2) {
            err(I, op, "reduces axis %d; only a mean over height and width (axes 1, 2) is a global average pool",
                (int)a);
            return -1;
        }
        seen |= 1 << a;
    }
    if (seen != 6) {
        err(I, op, "reduces only one of height and width; a global average pool needs axes 1 and 2");
        return -1;
    }
    if (same_quant(I, op, o->in[0], o->out[0],
                   "MEAN becomes global_avg_pool only when its input and output quantization are equal") ||
        check_out_shape(I, op, o->out[0], 1, 1, x->c, 1))
        return -1;
    if (I->mean == IMPORT_MEAN_TFLITE)
        rounding = o->opt.keep_dims && I->m.tensors[o->in[0]].ndim == 4 && n == 2 &&
                           ((raw[0] == 1 && raw[1] == 2) || (raw[0] == 2 && raw[1] == 1))
                       ? "tflite_mean_4d"
                       : "tflite_mean_truncate";
    layer_begin(I, op, "gap", "global_avg_pool", x, NULL, 1, 1, x->c);
    b_printf(&I->layers, "    rounding: %s\n", rounding);
    return 0;
}

/* FULLY_CONNECTED on a 1 x 1 x C_in value: weights [units, C_in]. */
static int do_dense(imp *I, int op)
{
    const tfl_op *o = &I->m.ops[op];
    const tfl_options *p = &o->opt;
    const uint8_t *w;
    const char *act;
    val *x;
    long shape[2];
    float sc;
    int zp, units;
    if (want_options(I, op, TFL_OPT_FULLY_CONNECTED, "FullyConnectedOptions"))
        return -1;
    if (want_inputs(I, op, 2, 3, "2 or 3 (input, weights, bias)"))
        return -1;
    if (!(x = get_val(I, op, o->in[0], 0, 0)) || !(w = const_tensor(I, op, o->in[1], TFL_INT8, 2, "weights")))
        return -1;
    units = I->m.tensors[o->in[1]].shape[0];
    if (x->h != 1 || x->w != 1 || x->c != I->m.tensors[o->in[1]].shape[1]) {
        err(I, op, "input is %dx%dx%d; a dense layer needs 1x1x%d (after a global pool)", x->h, x->w, x->c,
            (int)I->m.tensors[o->in[1]].shape[1]);
        return -1;
    }
    if (p->weights_format != 0) {
        err(I, op, "weights_format %d: only the default layout is supported", p->weights_format);
        return -1;
    }
    if (p->quantized_bias_type != 0 && p->quantized_bias_type != TFL_INT32) {
        err(I, op, "quantized_bias_type %d: only int32 bias is supported", p->quantized_bias_type);
        return -1;
    }
    if (!(act = act_name(I, op, p->activation, 1)) || act_quant(I, op, o->out[0], &sc, &zp) ||
        check_out_shape(I, op, o->out[0], 1, 1, units, 1))
        return -1;
    layer_begin(I, op, "fc", "dense", x, NULL, 1, 1, units);
    b_printf(&I->layers, "    units: %d\n", units);
    put_act(I, act);
    put_output_quant(I, o->out[0]);
    shape[0] = units;
    shape[1] = x->c;
    return put_weights(I, op, I->v[o->out[0]].name, o->in[1], w, shape, 2, units, 0);
}

/* RESHAPE that only flattens 1 x 1 x C: dropped (the output is the input). */
static int do_reshape(imp *I, int op)
{
    const tfl_op *o = &I->m.ops[op];
    const tfl_tensor *T = &I->m.tensors[o->out[0]];
    val *x;
    char s[96];
    int i, ok;
    if (want_inputs(I, op, 1, 2, "1 or 2"))
        return -1;
    if (!(x = get_val(I, op, o->in[0], 0, 0)))
        return -1;
    ok = x->h == 1 && x->w == 1 && T->ndim >= 1 && T->shape[T->ndim - 1] == x->c;
    for (i = 0; ok && i + 1 < T->ndim; i++)
        ok = T->shape[i] == 1;
    if (!ok) {
        err(I, op, "reshapes %dx%dx%d to %s; only flattening 1x1xC is supported", x->h, x->w, x->c,
            shape_str(T, s, sizeof s));
        return -1;
    }
    if (same_quant(I, op, o->in[0], o->out[0], "a RESHAPE must keep the quantization"))
        return -1;
    I->v[o->out[0]] = *x;
    return 0;
}

/* PAD of height and width with the zero point: remembered, and folded into
 * the conv that reads it. paddings: int32 [4, 2] (before, after per dim). */
static int do_pad(imp *I, int op)
{
    const tfl_op *o = &I->m.ops[op];
    const uint8_t *d;
    val *x, *y;
    int32_t p[8];
    int i;
    if (want_inputs(I, op, 2, 2, "2 (input, paddings)"))
        return -1;
    if (!(x = get_val(I, op, o->in[0], 0, 0)) || !(d = const_tensor(I, op, o->in[1], TFL_INT32, 2, "paddings")))
        return -1;
    if (I->m.tensors[o->in[1]].shape[0] != 4 || I->m.tensors[o->in[1]].shape[1] != 2) {
        err(I, op, "paddings must have shape [4, 2]");
        return -1;
    }
    for (i = 0; i < 8; i++)
        p[i] = (int32_t)((uint32_t)d[4 * i] | ((uint32_t)d[4 * i + 1] << 8) | ((uint32_t)d[4 * i + 2] << 16) |
                         ((uint32_t)d[4 * i + 3] << 24));
    if (p[0] || p[1] || p[6] || p[7]) {
        err(I, op, "pads the batch or channel dimension; only height and width padding can be folded");
        return -1;
    }
    for (i = 2; i < 6; i++)
        if (p[i] < 0 || p[i] > 64) {
            err(I, op, "padding %d is outside 0..64", (int)p[i]);
            return -1;
        }
    /* int8 PAD fills with the output zero point (kernels/pad.cc); with equal
     * quantization that is the input's zero point, which is what a conv's
     * padding means */
    if (same_quant(I, op, o->in[0], o->out[0], "only a PAD with the input's zero point can be folded into a conv") ||
        check_out_shape(I, op, o->out[0], x->h + p[2] + p[3], x->w + p[4] + p[5], x->c, 0))
        return -1;
    y = &I->v[o->out[0]];
    memset(y, 0, sizeof *y);
    y->kind = V_PAD;
    y->op = op;
    y->src = o->in[0];
    y->h = x->h + p[2] + p[3];
    y->w = x->w + p[4] + p[5];
    y->c = x->c;
    y->pad[0] = p[2];
    y->pad[1] = p[3];
    y->pad[2] = p[4];
    y->pad[3] = p[5];
    return 0;
}

/* SOFTMAX: left to the host; the pipeline ends at its input. */
static int do_softmax(imp *I, int op)
{
    const tfl_op *o = &I->m.ops[op];
    val *x, *y;
    float si, so;
    int zi, zo;
    char a[32], b[32];
    if (want_options(I, op, TFL_OPT_SOFTMAX, "SoftmaxOptions"))
        return -1;
    if (want_inputs(I, op, 1, 1, "1"))
        return -1;
    if (!(x = get_val(I, op, o->in[0], 0, 0)))
        return -1;
    if (x->kind != V_LAYER) {
        err(I, op, "takes the network input directly: no layer is left for the pipeline");
        return -1;
    }
    if (act_quant(I, op, o->in[0], &si, &zi) || act_quant(I, op, o->out[0], &so, &zo))
        return -1;
    b_printf(&I->notes,
             "# SOFTMAX (operator %d, beta %.9g) runs on the host, after the pipeline: it reads '%s'\n"
             "# (scale %s, zero point %d) and gives tensor %d (scale %s, zero point %d).\n",
             op, (double)o->opt.beta, x->name, fmt_scale(si, a, sizeof a), zi, o->out[0], fmt_scale(so, b, sizeof b),
             zo);
    y = &I->v[o->out[0]];
    memset(y, 0, sizeof *y);
    y->kind = V_HOST;
    y->op = op;
    y->src = o->in[0];
    return 0;
}

static int set_input(imp *I, int t, int op);

/* QUANTIZE / DEQUANTIZE: only at the graph's input or output (on the host). */
static int do_edge(imp *I, int op)
{
    const tfl_op *o = &I->m.ops[op];
    const tfl_tensor *In, *Out;
    char nb[32], ta[16], tb[16];
    const char *name = tfl_op_name(o->code, nb, sizeof nb);
    val *y;
    if (want_inputs(I, op, 1, 1, "1"))
        return -1;
    if (o->in[0] < 0) {
        err(I, op, "input 0 is missing");
        return -1;
    }
    In = &I->m.tensors[o->in[0]];
    Out = &I->m.tensors[o->out[0]];
    y = &I->v[o->out[0]];
    if (o->code == TFL_OP_QUANTIZE && I->v[o->in[0]].kind == V_RAW && Out->type == TFL_INT8) {
        /* the model takes float32 (or uint8): the host quantizes; the network input is int8 */
        b_printf(&I->in_note, "# The model's input (tensor %d) is %s: its %s (operator %d) runs on the host\n"
                              "# and gives the int8 input below.\n",
                 o->in[0], tfl_type_name(In->type, ta, sizeof ta), name, op);
        return set_input(I, o->out[0], op);
    }
    if (in_list(I->m.outputs, I->m.n_outputs, o->out[0])) {
        if (I->v[o->in[0]].kind == V_BAD)
            return -1;
        b_printf(&I->notes, "# %s (operator %d, %s to %s) at the output runs on the host.\n", name, op,
                 tfl_type_name(In->type, ta, sizeof ta), tfl_type_name(Out->type, tb, sizeof tb));
        memset(y, 0, sizeof *y);
        y->kind = V_EDGE;
        y->op = op;
        y->src = o->in[0];
        return 0;
    }
    err(I, op, "%s inside the network is not supported: only at the model's input or output", name);
    return -1;
}

static int do_op(imp *I, int op)
{
    const tfl_op *o = &I->m.ops[op];
    int i;
    if (o->n_out != 1) {
        err(I, op, "has %d outputs, expected 1", o->n_out);
        return -1;
    }
    if (in_list(I->m.inputs, I->m.n_inputs, o->out[0])) {
        err(I, op, "writes tensor %d, the model's input", o->out[0]);
        return -1;
    }
    if (I->v[o->out[0]].kind != V_NONE) {
        err(I, op, "writes tensor %d, which operator %d already writes", o->out[0], I->v[o->out[0]].op);
        return -1;
    }
    {
        size_t len;
        if (tfl_tensor_data(&I->m, o->out[0], &len)) {
            err(I, op, "writes tensor %d, which is a constant", o->out[0]);
            return -1;
        }
    }
    for (i = 0; i < o->n_in; i++)
        if (o->in[i] >= 0 && o->in[i] == o->out[0]) {
            err(I, op, "reads and writes the same tensor %d", o->out[0]);
            return -1;
        }
    switch (o->code) {
    case TFL_OP_CONV_2D:
        return do_conv(I, op, 0);
    case TFL_OP_DEPTHWISE_CONV_2D:
        return do_conv(I, op, 1);
    case TFL_OP_ADD:
        return do_add(I, op);
    case TFL_OP_AVERAGE_POOL_2D:
        return do_pool(I, op, 1);
    case TFL_OP_MAX_POOL_2D:
        return do_pool(I, op, 0);
    case TFL_OP_MEAN:
        return do_mean(I, op);
    case TFL_OP_FULLY_CONNECTED:
        return do_dense(I, op);
    case TFL_OP_RESHAPE:
        return do_reshape(I, op);
    case TFL_OP_PAD:
        return do_pad(I, op);
    case TFL_OP_SOFTMAX:
        return do_softmax(I, op);
    case TFL_OP_QUANTIZE:
    case TFL_OP_DEQUANTIZE:
        return do_edge(I, op);
    default:
        err(I, op, "unsupported op (supported: CONV_2D, DEPTHWISE_CONV_2D, ADD, AVERAGE_POOL_2D, MAX_POOL_2D, "
                   "MEAN, FULLY_CONNECTED, RESHAPE, PAD, SOFTMAX, QUANTIZE, DEQUANTIZE)");
        return -1;
    }
}

/* The graph input: an int8 [1, H, W, C] tensor, or a non-int8 one that a
 * QUANTIZE turns into int8. */
static int setup_input(imp *I)
{
    int t;
    if (I->m.n_inputs != 1 || I->m.n_outputs != 1) {
        err(I, -1, "the main graph has %d inputs and %d outputs; exactly one of each is supported", I->m.n_inputs,
            I->m.n_outputs);
        return -1;
    }
    t = I->m.inputs[0];
    I->v[t].op = -1;
    if (I->m.tensors[t].type == TFL_INT8)
        return set_input(I, t, -1);
    I->v[t].kind = V_RAW;
    return 0;
}

/* Makes int8 tensor t the network input: shape [1, H, W, C], per-tensor
 * quantization. `op` is the QUANTIZE that writes it, or -1. */
static int set_input(imp *I, int t, int op)
{
    const tfl_tensor *T = &I->m.tensors[t];
    val *x = &I->v[t];
    float sc;
    int zp;
    char s[96];
    if (act_quant(I, op, t, &sc, &zp))
        return -1;
    if (T->ndim != 4 || T->shape[0] != 1 || T->shape[1] < 1 || T->shape[2] < 1 || T->shape[3] < 1 ||
        T->shape[1] > 65536 || T->shape[2] > 65536 || T->shape[3] > 65536) {
        err(I, op, "the input tensor %d has shape %s; expected [1, H, W, C]", t, shape_str(T, s, sizeof s));
        return -1;
    }
    memset(x, 0, sizeof *x);
    x->kind = V_INPUT;
    x->op = op;
    snprintf(x->name, sizeof x->name, "input");
    x->h = T->shape[1];
    x->w = T->shape[2];
    x->c = T->shape[3];
    I->input_t = t;
    return 0;
}

/* The input line of the YAML. */
static int put_input(imp *I, buf *y)
{
    const tfl_tensor *T;
    const val *x;
    char s[32];
    if (I->input_t < 0) {
        err(I, -1, "the model's input (tensor %d) is %s and no QUANTIZE makes it int8", I->m.inputs[0],
            tfl_type_name(I->m.tensors[I->m.inputs[0]].type, s, sizeof s));
        return -1;
    }
    T = &I->m.tensors[I->input_t];
    x = &I->v[I->input_t];
    b_printf(y, "input: {height: %d, width: %d, channels: %d, scale: %s, zero_point: %d}\n", x->h, x->w, x->c,
             fmt_scale(T->scale[0], s, sizeof s), (int)T->zp[0]);
    return 0;
}

/* The layer whose output is the pipeline's: the graph output, through the
 * host-side ops at the end. NULL after an error. */
static const char *find_output(imp *I)
{
    int t = I->m.outputs[0], steps;
    for (steps = 0; steps <= I->m.n_ops; steps++) {
        val *x = &I->v[t];
        switch (x->kind) {
        case V_LAYER:
            return x->name;
        case V_HOST:
        case V_EDGE:
            t = x->src;
            continue;
        case V_BAD:
            return NULL;
        case V_INPUT:
        case V_RAW:
            err(I, -1, "no layer lies between the model's input and its output");
            return NULL;
        case V_PAD:
            err(I, -1, "the model's output is a PAD (operator %d), which has no conv to fold into", x->op);
            return NULL;
        case V_NONE:
        default:
            err(I, -1, "the model's output tensor %d is written by no operator", t);
            return NULL;
        }
    }
    err(I, -1, "the output tensors form a cycle");
    return NULL;
}

/* ---- names and files ---- */

/* A network name from the model's file name: [A-Za-z][A-Za-z0-9_]*, no
 * "__", no trailing "_", at most 63 characters. */
static void default_name(const char *path, char *out, size_t len)
{
    const char *base = strrchr(path, '/'), *dot;
    size_t o = 0, i, n;
    base = base ? base + 1 : path;
    dot = strrchr(base, '.');
    n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    for (i = 0; i < n && o + 1 < len && o < 63; i++) {
        char ch = base[i];
        int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!o && !((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
            continue;                       /* must start with a letter */
        if (!alnum) {
            if (out[o - 1] == '_')
                continue;
            ch = '_';
        }
        out[o++] = ch;
    }
    while (o && out[o - 1] == '_')
        o--;
    out[o] = '\0';
    if (!o)
        snprintf(out, len, "model");
}

static int valid_name(const char *s)
{
    size_t i, n = strlen(s);
    if (!n || n > 63 || !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z')) || s[n - 1] == '_' ||
        strstr(s, "__"))
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
              s[i] == '_'))
            return 0;
    return 1;
}

/* FNV-1a 64 of the model, to name it in the YAML header. */
static uint64_t fnv1a(const uint8_t *d, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    size_t i;
    for (i = 0; i < n; i++)
        h = (h ^ d[i]) * 0x100000001b3ULL;
    return h;
}

/* Removes a directory of plain files (what an import writes). */
static void rm_flat(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char p[1400];
    if (!d)
        return;
    while ((e = readdir(d)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static int has_suffix(const char *s, const char *suf)
{
    size_t n = strlen(s), m = strlen(suf);
    return n >= m && !strcmp(s + n - m, suf);
}

/* An existing output directory may be replaced when it is empty, or holds
 * only .yaml and .npy files and a YAML an import wrote. */
static int replaceable(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int ok = 1, n = 0, ours = 0;
    char p[1400], line[64];
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        FILE *f;
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        n++;
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (lstat(p, &st) || !S_ISREG(st.st_mode) || !(has_suffix(e->d_name, ".yaml") || has_suffix(e->d_name, ".npy"))) {
            ok = 0;
            break;
        }
        if (has_suffix(e->d_name, ".yaml") && (f = fopen(p, "r")) != NULL) {
            if (fgets(line, sizeof line, f) && !strncmp(line, IMP_HEADER, strlen(IMP_HEADER)))
                ours = 1;
            fclose(f);
        }
    }
    closedir(d);
    return ok && (n == 0 || ours);
}

/* Creates the directories above `path`, like mkdir -p of its dirname. */
static void make_parents(const char *path)
{
    char p[1100];
    char *s;
    snprintf(p, sizeof p, "%s", path);
    for (s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        mkdir(p, 0777);
        *s = '/';
    }
}

/* Writes every file into `out_dir`, atomically: a sibling temporary
 * directory, renamed into place; an existing import is moved aside first
 * and removed after. */
static int write_all(imp *I, const char *out_dir)
{
    char dir[1024], tmp[1100], old[1100], p[1400];
    size_t len = strlen(out_dir);
    struct stat st;
    int i, exists;
    while (len > 1 && out_dir[len - 1] == '/')
        len--;
    if (!len || len + 32 > sizeof dir) {
        err(I, -1, "output directory path is empty or too long (%zu characters)", len);
        return -1;
    }
    memcpy(dir, out_dir, len);
    dir[len] = '\0';
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", dir, (long)getpid());
    snprintf(old, sizeof old, "%s.old.%ld", dir, (long)getpid());
    exists = stat(dir, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode)) {
        err(I, -1, "'%s' exists and is not a directory", dir);
        return -1;
    }
    if (exists && !replaceable(dir)) {
        err(I, -1, "'%s' exists and is not an import's output (only .yaml and .npy files, one written by "
                   "resflow import); not replacing it",
            dir);
        return -1;
    }
    rm_flat(tmp);
    make_parents(tmp);
    if (mkdir(tmp, 0777)) {
        err(I, -1, "cannot create '%s': %s", tmp, strerror(errno));
        return -1;
    }
    for (i = 0; i < I->n_files; i++) {
        FILE *f;
        snprintf(p, sizeof p, "%s/%s", tmp, I->files[i].name);
        f = fopen(p, "wb");
        if (!f || fwrite(I->files[i].data.s, 1, I->files[i].data.len, f) != I->files[i].data.len) {
            err(I, -1, "cannot write '%s': %s", p, strerror(errno));
            if (f)
                fclose(f);
            rm_flat(tmp);
            return -1;
        }
        if (fclose(f)) {
            err(I, -1, "cannot write '%s': %s", p, strerror(errno));
            rm_flat(tmp);
            return -1;
        }
    }
    if (exists && rename(dir, old)) {
        err(I, -1, "cannot replace '%s': %s", dir, strerror(errno));
        rm_flat(tmp);
        return -1;
    }
    if (rename(tmp, dir)) {
        err(I, -1, "cannot create '%s': %s", dir, strerror(errno));
        if (exists)
            rename(old, dir);
        rm_flat(tmp);
        return -1;
    }
    if (exists)
        rm_flat(old);
    return 0;
}

int import_tflite(const char *model, const char *out_dir, const char *name, enum import_mean mean)
{
    imp I;
    char e[512], net[IMP_NAME_MAX], cn[128];
    const char *out = NULL, *base;
    buf y = {0};
    outfile *yf;
    int i, rc = -1;

    memset(&I, 0, sizeof I);
    I.path = model;
    I.input_t = -1;
    I.mean = mean;
    if (tfl_load(model, &I.m, e, sizeof e)) {
        fprintf(stderr, "%s: error: %s\n", model, e);
        return -1;
    }
    if (name && !valid_name(name)) {
        err(&I, -1, "--name '%s' is not a valid name ([A-Za-z][A-Za-z0-9_]*, at most 63 characters, no '__', "
                    "not ending in '_')",
            name);
        goto out;
    }
    if (name)
        snprintf(net, sizeof net, "%s", name);
    else
        default_name(model, net, sizeof net);
    I.v = calloc((size_t)I.m.n_tensors + 1, sizeof *I.v);
    if (!I.v)
        abort();
    if (setup_input(&I))
        goto out;
    for (i = 0; i < I.m.n_ops; i++) {
        int k;
        if (do_op(&I, i) == 0)
            continue;
        /* failed, or read a failed operator's output (reported there): later readers stay quiet */
        for (k = 0; k < I.m.ops[i].n_out; k++) {
            val *x = &I.v[I.m.ops[i].out[k]];
            if (x->kind == V_NONE || x->op == i) {
                x->kind = V_BAD;
                x->op = i;
            }
        }
    }
    if (I.errors)
        goto out;
    if (!(out = find_output(&I)))
        goto out;

    base = strrchr(model, '/');
    base = base ? base + 1 : model;
    comment_name(base, cn, sizeof cn);
    b_printf(&y, "%s from %s\n", IMP_HEADER, cn);
    b_printf(&y, "# (%zu bytes, FNV-1a-64 %016llx; TFLite schema version %u, %d subgraph%s, %d operators).\n",
             I.m.size, (unsigned long long)fnv1a(I.m.data, I.m.size), I.m.version, I.m.n_subgraphs,
             I.m.n_subgraphs == 1 ? "" : "s", I.m.n_ops);
    if (I.m.description && *I.m.description) {
        comment_name(I.m.description, cn, sizeof cn);
        b_printf(&y, "# Model description: \"%s\"\n", cn);
    }
    b_printf(&y, "# Scales are the model's float32 values printed exactly (%%.17g); weights, biases and\n"
                 "# per-channel scales are in the .npy files next to this file.\n");
    b_printf(&y, "version: 1\nname: %s\n", net);
    if (I.in_note.len)
        b_put(&y, I.in_note.s, I.in_note.len);
    if (put_input(&I, &y))
        goto out;
    b_printf(&y, "layers:\n");
    if (I.layers.len)
        b_put(&y, I.layers.s, I.layers.len);
    b_printf(&y, "output: %s\n", out);
    if (I.notes.len)
        b_put(&y, I.notes.s, I.notes.len);
    yf = new_file(&I, net, ".yaml");
    yf->data = y;
    y.s = NULL;
    rc = write_all(&I, out_dir);
out:
    free(y.s);
    for (i = 0; i < I.n_files; i++)
        free(I.files[i].data.s);
    free(I.files);
    free(I.layers.s);
    free(I.notes.s);
    free(I.in_note.s);
    free(I.v);
    tfl_free(&I.m);
    return rc;
}
