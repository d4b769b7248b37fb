/*
 * tflite.c - bounds-checked reader of TensorFlow Lite FlatBuffers (see
 * tflite.h). Field ids below are those of tensorflow/lite/schema/schema.fbs;
 * the vtable slot of id n is 4 + 2n.
 */
#define _POSIX_C_SOURCE 200809L
#include "tflite.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#if defined(__GNUC__)
#define TFL_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define TFL_PRINTF(a, b)
#endif

/* The largest file read: FlatBuffers address 2 GiB; this is a sanity cap. */
#define TFL_MAX_FILE ((size_t)1 << 30)

/* ---- field ids (schema.fbs) ---- */
/* table Model */
#define MODEL_VERSION 0            /* version:uint */
#define MODEL_OPERATOR_CODES 1     /* operator_codes:[OperatorCode] */
#define MODEL_SUBGRAPHS 2          /* subgraphs:[SubGraph] */
#define MODEL_DESCRIPTION 3        /* description:string */
#define MODEL_BUFFERS 4            /* buffers:[Buffer] */
/* table OperatorCode */
#define OPCODE_DEPRECATED_BUILTIN 0   /* deprecated_builtin_code:byte */
#define OPCODE_CUSTOM 1               /* custom_code:string */
#define OPCODE_BUILTIN 3              /* builtin_code:BuiltinOperator (int32) */
/* table SubGraph */
#define SUBGRAPH_TENSORS 0         /* tensors:[Tensor] */
#define SUBGRAPH_INPUTS 1          /* inputs:[int] */
#define SUBGRAPH_OUTPUTS 2         /* outputs:[int] */
#define SUBGRAPH_OPERATORS 3       /* operators:[Operator] */
/* table Buffer */
#define BUFFER_DATA 0              /* data:[ubyte] */
#define BUFFER_OFFSET 1            /* offset:ulong (data outside the FlatBuffer when > 1) */
#define BUFFER_SIZE 2              /* size:ulong */
/* table Tensor */
#define TENSOR_SHAPE 0             /* shape:[int] */
#define TENSOR_TYPE 1              /* type:TensorType (byte) */
#define TENSOR_BUFFER 2            /* buffer:uint */
#define TENSOR_NAME 3              /* name:string */
#define TENSOR_QUANTIZATION 4      /* quantization:QuantizationParameters */
#define TENSOR_SPARSITY 6          /* sparsity:SparsityParameters */
/* table QuantizationParameters */
#define QUANT_SCALE 2              /* scale:[float] */
#define QUANT_ZERO_POINT 3         /* zero_point:[long] */
#define QUANT_DETAILS_TYPE 4       /* details:QuantizationDetails (union type byte) */
#define QUANT_DIMENSION 6          /* quantized_dimension:int */
/* table Operator */
#define OP_OPCODE_INDEX 0          /* opcode_index:uint */
#define OP_INPUTS 1                /* inputs:[int] */
#define OP_OUTPUTS 2               /* outputs:[int] */
#define OP_OPTIONS_TYPE 3          /* builtin_options:BuiltinOptions (union type byte) */
#define OP_OPTIONS 4               /* builtin_options (the table) */

/* ---- the reader ---- */

typedef struct rd {
    const uint8_t *d;
    size_t n;
    char *err;
    size_t errlen;
} rd;

/* A table: its position, its vtable's position and size, its inline size. */
typedef struct tab {
    size_t pos, vt;
    unsigned vtsize, tsize;
} tab;

static int fail(rd *r, const char *fmt, ...) TFL_PRINTF(2, 3);
static int fail(rd *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* [pos, pos + len) lies inside the file (no overflow: pos <= n first). */
static int in_file(const rd *r, size_t pos, size_t len)
{
    return pos <= r->n && len <= r->n - pos;
}

static uint32_t u16_at(const rd *r, size_t p)
{
    return (uint32_t)r->d[p] | ((uint32_t)r->d[p + 1] << 8);
}

static uint32_t u32_at(const rd *r, size_t p)
{
    return (uint32_t)r->d[p] | ((uint32_t)r->d[p + 1] << 8) | ((uint32_t)r->d[p + 2] << 16) |
           ((uint32_t)r->d[p + 3] << 24);
}

static uint64_t u64_at(const rd *r, size_t p)
{
    return (uint64_t)u32_at(r, p) | ((uint64_t)u32_at(r, p + 4) << 32);
}

/* Opens the table at `pos` (`what` names it in errors): checks the table's
 * offset, its vtable (size even, >= 4, inside the file) and its inline size. */
static int tab_open(rd *r, size_t pos, const char *what, tab *t)
{
    int64_t vt;
    if (!in_file(r, pos, 4))
        return fail(r, "%s table at offset %zu lies past the end of the file (%zu bytes)", what, pos, r->n);
    /* soffset_t: the vtable is at pos - soffset */
    vt = (int64_t)pos - (int64_t)(int32_t)u32_at(r, pos);
    if (vt < 0 || !in_file(r, (size_t)vt, 4))
        return fail(r, "%s table at offset %zu: its vtable offset points outside the file", what, pos);
    t->pos = pos;
    t->vt = (size_t)vt;
    t->vtsize = u16_at(r, t->vt);
    t->tsize = u16_at(r, t->vt + 2);
    if (t->vtsize < 4 || (t->vtsize & 1) || !in_file(r, t->vt, t->vtsize))
        return fail(r, "%s table at offset %zu: bad vtable (size %u at offset %zu)", what, pos, t->vtsize, t->vt);
    if (t->tsize < 4 || !in_file(r, pos, t->tsize))
        return fail(r, "%s table at offset %zu: its size (%u bytes) runs past the end of the file", what, pos,
                    t->tsize);
    return 0;
}

/* Position of field `id` (width `w` bytes) in table t, or 0 when absent.
 * -1 when the vtable places it outside the table. */
static int64_t field_pos(rd *r, const tab *t, int id, unsigned w, const char *what)
{
    unsigned slot = 4 + 2 * (unsigned)id, fo;
    if (slot + 2 > t->vtsize)
        return 0;                       /* older writer: field absent */
    fo = u16_at(r, t->vt + slot);
    if (!fo)
        return 0;
    if (fo < 4 || fo + w > t->tsize)
        return fail(r, "%s table at offset %zu: field %d lies outside the table", what, t->pos, id);
    return (int64_t)(t->pos + fo);
}

static int get_u8(rd *r, const tab *t, int id, int def, int *out, const char *what)
{
    int64_t p = field_pos(r, t, id, 1, what);
    if (p < 0)
        return -1;
    *out = p ? r->d[p] : def;
    return 0;
}

static int get_i8(rd *r, const tab *t, int id, int def, int *out, const char *what)
{
    int64_t p = field_pos(r, t, id, 1, what);
    if (p < 0)
        return -1;
    *out = p ? (int)(int8_t)r->d[p] : def;
    return 0;
}

static int get_i32(rd *r, const tab *t, int id, int32_t def, int32_t *out, const char *what)
{
    int64_t p = field_pos(r, t, id, 4, what);
    if (p < 0)
        return -1;
    *out = p ? (int32_t)u32_at(r, (size_t)p) : def;
    return 0;
}

static int get_u64(rd *r, const tab *t, int id, uint64_t *out, const char *what)
{
    int64_t p = field_pos(r, t, id, 8, what);
    if (p < 0)
        return -1;
    *out = p ? u64_at(r, (size_t)p) : 0;
    return 0;
}

/* Follows the offset field `id` (uoffset_t, relative to the field itself).
 * *target = 0 when the field is absent. */
static int get_ref(rd *r, const tab *t, int id, size_t *target, const char *what)
{
    int64_t p = field_pos(r, t, id, 4, what);
    uint64_t to;
    if (p < 0)
        return -1;
    if (!p) {
        *target = 0;
        return 0;
    }
    to = (uint64_t)p + u32_at(r, (size_t)p);
    if (to >= r->n)
        return fail(r, "%s table at offset %zu: field %d points past the end of the file (offset %llu)", what,
                    t->pos, id, (unsigned long long)to);
    *target = (size_t)to;
    return 0;
}

/* The vector at `pos`: element count and first element, each element `w`
 * bytes; the whole vector must lie inside the file. */
static int vec_at(rd *r, size_t pos, unsigned w, const char *what, size_t *count, size_t *first)
{
    size_t n;
    if (!in_file(r, pos, 4))
        return fail(r, "%s: vector at offset %zu lies past the end of the file", what, pos);
    n = u32_at(r, pos);
    if (n > (r->n - pos - 4) / w)
        return fail(r, "%s: vector at offset %zu has %zu elements of %u bytes, more than the file holds", what,
                    pos, n, w);
    *count = n;
    *first = pos + 4;
    return 0;
}

/* Vector field `id` of table t; count 0 when absent. */
static int get_vec(rd *r, const tab *t, int id, unsigned w, const char *what, size_t *count, size_t *first)
{
    size_t p;
    if (get_ref(r, t, id, &p, what))
        return -1;
    if (!p) {
        *count = 0;
        *first = 0;
        return 0;
    }
    return vec_at(r, p, w, what, count, first);
}

/* Element i of a vector of tables: the table it points to. */
static int vec_table(rd *r, size_t first, size_t i, const char *what, tab *t)
{
    size_t e = first + 4 * i;
    uint64_t to = (uint64_t)e + u32_at(r, e);
    if (to >= r->n)
        return fail(r, "%s %zu: offset points past the end of the file", what, i);
    return tab_open(r, (size_t)to, what, t);
}

/* String field `id` as a malloc'd NUL-terminated copy ("" when absent). */
static int get_str(rd *r, const tab *t, int id, const char *what, char **out)
{
    size_t n, first;
    *out = NULL;
    if (get_vec(r, t, id, 1, what, &n, &first))
        return -1;
    if (n && !in_file(r, first, n + 1))
        return fail(r, "%s: string at offset %zu is not terminated inside the file", what, first - 4);
    *out = malloc(n + 1);
    if (!*out)
        return fail(r, "out of memory");
    if (n)
        memcpy(*out, r->d + first, n);
    (*out)[n] = '\0';
    return 0;
}

/* Vector-of-tables field `id`: its count and first element, and a zeroed
 * array of as many `esize`-byte elements (at least one) in *arr. */
static int table_vec(rd *r, const tab *t, int id, const char *what, size_t esize, void **arr, size_t *count,
                     size_t *first)
{
    if (get_vec(r, t, id, 4, what, count, first))
        return -1;
    *arr = calloc(*count ? *count : 1, esize);
    return *arr ? 0 : fail(r, "out of memory");
}

/* [int] field `id` as a malloc'd array (NULL, 0 when absent). */
static int get_i32_vec(rd *r, const tab *t, int id, const char *what, int32_t **out, int *count)
{
    size_t n, first, i;
    *out = NULL;
    *count = 0;
    if (get_vec(r, t, id, 4, what, &n, &first))
        return -1;
    if (!n)
        return 0;
    *out = malloc(n * sizeof **out);
    if (!*out)
        return fail(r, "out of memory");
    for (i = 0; i < n; i++)
        (*out)[i] = (int32_t)u32_at(r, first + 4 * i);
    *count = (int)n;
    return 0;
}

/* ---- the schema's tables ---- */

static int read_quant(rd *r, size_t pos, tfl_tensor *T, int ti)
{
    char what[64];
    tab q;
    size_t n, first, i;
    int details;
    snprintf(what, sizeof what, "tensor %d quantization", ti);
    if (tab_open(r, pos, what, &q) || get_u8(r, &q, QUANT_DETAILS_TYPE, 0, &details, what))
        return -1;
    if (details)
        return fail(r, "tensor %d uses custom quantization (QuantizationDetails type %d), which is not supported",
                    ti, details);
    if (get_vec(r, &q, QUANT_SCALE, 4, what, &n, &first))
        return -1;
    if (n) {
        T->scale = malloc(n * sizeof *T->scale);
        if (!T->scale)
            return fail(r, "out of memory");
        for (i = 0; i < n; i++) {
            uint32_t b = u32_at(r, first + 4 * i);
            memcpy(&T->scale[i], &b, 4);
        }
        T->n_scale = (int)n;
    }
    if (get_vec(r, &q, QUANT_ZERO_POINT, 8, what, &n, &first))
        return -1;
    if (n) {
        T->zp = malloc(n * sizeof *T->zp);
        if (!T->zp)
            return fail(r, "out of memory");
        for (i = 0; i < n; i++)
            T->zp[i] = (int64_t)u64_at(r, first + 8 * i);
        T->n_zp = (int)n;
    }
    {
        int32_t qd;
        if (get_i32(r, &q, QUANT_DIMENSION, 0, &qd, what))
            return -1;
        T->qdim = qd;
    }
    return 0;
}

static int read_tensor(rd *r, const tab *t, tfl_tensor *T, int ti, int n_buffers)
{
    char what[48];
    int32_t *shape;
    int ndim, type;
    size_t qpos, sp;
    int32_t buf;
    snprintf(what, sizeof what, "tensor %d", ti);
    if (get_i32_vec(r, t, TENSOR_SHAPE, what, &shape, &ndim))
        return -1;
    if (ndim > TFL_MAX_DIMS) {
        free(shape);
        return fail(r, "tensor %d has %d dimensions (at most %d are read)", ti, ndim, TFL_MAX_DIMS);
    }
    if (ndim)
        memcpy(T->shape, shape, (size_t)ndim * sizeof *shape);
    free(shape);
    T->ndim = ndim;
    if (get_i8(r, t, TENSOR_TYPE, TFL_FLOAT32, &type, what) ||
        get_i32(r, t, TENSOR_BUFFER, 0, &buf, what) || get_str(r, t, TENSOR_NAME, what, &T->name))
        return -1;
    T->type = type;
    T->buffer = (uint32_t)buf;
    if (T->buffer >= (uint32_t)n_buffers && !(T->buffer == 0 && n_buffers == 0))
        return fail(r, "tensor %d refers to buffer %u, but the model has %d buffers", ti, T->buffer, n_buffers);
    if (get_ref(r, t, TENSOR_SPARSITY, &sp, what))
        return -1;
    if (sp)
        return fail(r, "tensor %d is sparse, which is not supported", ti);
    if (get_ref(r, t, TENSOR_QUANTIZATION, &qpos, what))
        return -1;
    return qpos ? read_quant(r, qpos, T, ti) : 0;
}

/* Builtin options: the fields of the table types the importer uses. Field
 * ids from schema.fbs: Conv2DOptions {padding 0, stride_w 1, stride_h 2,
 * fused_activation_function 3, dilation_w_factor 4, dilation_h_factor 5,
 * quantized_bias_type 6}; DepthwiseConv2DOptions {padding 0, stride_w 1,
 * stride_h 2, depth_multiplier 3, fused_activation_function 4,
 * dilation_w_factor 5, dilation_h_factor 6}; Pool2DOptions {padding 0,
 * stride_w 1, stride_h 2, filter_width 3, filter_height 4,
 * fused_activation_function 5}; FullyConnectedOptions
 * {fused_activation_function 0, weights_format 1, keep_num_dims 2,
 * asymmetric_quantize_inputs 3, quantized_bias_type 4}; SoftmaxOptions
 * {beta 0}; AddOptions {fused_activation_function 0}; ReducerOptions
 * {keep_dims 0}. */
static int read_options(rd *r, const tab *t, int type, tfl_options *o, int oi)
{
    char what[48];
    int32_t v;
    int64_t p;
    snprintf(what, sizeof what, "operator %d options", oi);
    memset(o, 0, sizeof *o);
    o->dilation_w = o->dilation_h = 1;
    switch (type) {
    case TFL_OPT_CONV2D:
    case TFL_OPT_DEPTHWISE_CONV2D: {
        int dw = type == TFL_OPT_DEPTHWISE_CONV2D;   /* depth_multiplier shifts the later ids by one */
        if (get_i8(r, t, 0, 0, &o->padding, what) || get_i32(r, t, 1, 0, &v, what))
            return -1;
        o->stride_w = v;
        if (get_i32(r, t, 2, 0, &v, what))
            return -1;
        o->stride_h = v;
        if (dw) {
            if (get_i32(r, t, 3, 0, &v, what))
                return -1;
            o->depth_multiplier = v;
        }
        if (get_i8(r, t, 3 + dw, 0, &o->activation, what) || get_i32(r, t, 4 + dw, 1, &v, what))
            return -1;
        o->dilation_w = v;
        if (get_i32(r, t, 5 + dw, 1, &v, what))
            return -1;
        o->dilation_h = v;
        if (!dw && get_i8(r, t, 6, 0, &o->quantized_bias_type, what))
            return -1;
        return 0;
    }
    case TFL_OPT_POOL2D:
        if (get_i8(r, t, 0, 0, &o->padding, what) || get_i32(r, t, 1, 0, &v, what))
            return -1;
        o->stride_w = v;
        if (get_i32(r, t, 2, 0, &v, what))
            return -1;
        o->stride_h = v;
        if (get_i32(r, t, 3, 0, &v, what))
            return -1;
        o->filter_w = v;
        if (get_i32(r, t, 4, 0, &v, what))
            return -1;
        o->filter_h = v;
        return get_i8(r, t, 5, 0, &o->activation, what);
    case TFL_OPT_FULLY_CONNECTED:
        return get_i8(r, t, 0, 0, &o->activation, what) || get_i8(r, t, 1, 0, &o->weights_format, what) ||
               get_u8(r, t, 2, 0, &o->keep_num_dims, what) || get_i8(r, t, 4, 0, &o->quantized_bias_type, what)
                   ? -1
                   : 0;
    case TFL_OPT_SOFTMAX:
        if ((p = field_pos(r, t, 0, 4, what)) < 0)
            return -1;
        if (p) {
            uint32_t b = u32_at(r, (size_t)p);
            memcpy(&o->beta, &b, 4);
        }
        return 0;
    case TFL_OPT_ADD:
        return get_i8(r, t, 0, 0, &o->activation, what);
    case TFL_OPT_REDUCER:
        return get_u8(r, t, 0, 0, &o->keep_dims, what);
    default:
        return 0;   /* options of other ops are not read */
    }
}

static int read_op(rd *r, const tab *t, tfl_op *op, int oi, const int *codes, int n_codes, int n_tensors)
{
    char what[32];
    int32_t idx;
    size_t opos;
    int i;
    snprintf(what, sizeof what, "operator %d", oi);
    if (get_i32(r, t, OP_OPCODE_INDEX, 0, &idx, what))
        return -1;
    if ((uint32_t)idx >= (uint32_t)n_codes)
        return fail(r, "operator %d: opcode index %u, but the model has %d operator codes", oi, (uint32_t)idx,
                    n_codes);
    op->code = codes[idx];
    if (get_i32_vec(r, t, OP_INPUTS, what, &op->in, &op->n_in) ||
        get_i32_vec(r, t, OP_OUTPUTS, what, &op->out, &op->n_out))
        return -1;
    for (i = 0; i < op->n_in + op->n_out; i++) {
        int32_t ti = i < op->n_in ? op->in[i] : op->out[i - op->n_in];
        if (ti < -1 || ti >= n_tensors || (ti == -1 && i >= op->n_in))
            return fail(r, "operator %d: %s %d is tensor %d, but the graph has %d tensors", oi,
                        i < op->n_in ? "input" : "output", i < op->n_in ? i : i - op->n_in, (int)ti, n_tensors);
    }
    if (get_u8(r, t, OP_OPTIONS_TYPE, 0, &op->opt_type, what) || get_ref(r, t, OP_OPTIONS, &opos, what))
        return -1;
    memset(&op->opt, 0, sizeof op->opt);
    op->opt.dilation_w = op->opt.dilation_h = 1;
    if (opos) {
        tab ot;
        if (tab_open(r, opos, what, &ot) || read_options(r, &ot, op->opt_type, &op->opt, oi))
            return -1;
    } else {
        op->opt_type = TFL_OPT_NONE;
    }
    return 0;
}

static int read_buffers(rd *r, const tab *model, tfl_model *m)
{
    size_t n, first, i;
    void *arr;
    if (table_vec(r, model, MODEL_BUFFERS, "model buffers", sizeof *m->buffers, &arr, &n, &first))
        return -1;
    m->buffers = arr;
    m->n_buffers = (int)n;
    for (i = 0; i < n; i++) {
        tab b;
        size_t dn, dfirst;
        uint64_t off, size;
        if (vec_table(r, first, i, "buffer", &b) || get_vec(r, &b, BUFFER_DATA, 1, "buffer data", &dn, &dfirst) ||
            get_u64(r, &b, BUFFER_OFFSET, &off, "buffer") || get_u64(r, &b, BUFFER_SIZE, &size, "buffer"))
            return -1;
        if (off > 1) {
            /* data stored after the FlatBuffer (models over 2 GB); offset from the file start */
            if (off > r->n || size > r->n - off)
                return fail(r, "buffer %zu: data at offset %llu, %llu bytes, lies past the end of the file", i,
                            (unsigned long long)off, (unsigned long long)size);
            m->buffers[i].off = (size_t)off;
            m->buffers[i].len = (size_t)size;
        } else {
            m->buffers[i].off = dfirst;
            m->buffers[i].len = dn;
        }
    }
    return 0;
}

static int read_opcodes(rd *r, const tab *model, int **codes, int *n_codes)
{
    size_t n, first, i;
    void *arr;
    if (table_vec(r, model, MODEL_OPERATOR_CODES, "operator codes", sizeof **codes, &arr, &n, &first))
        return -1;
    *codes = arr;
    *n_codes = (int)n;
    for (i = 0; i < n; i++) {
        tab c;
        int dep;
        int32_t code;
        size_t custom;
        if (vec_table(r, first, i, "operator code", &c) ||
            get_i8(r, &c, OPCODE_DEPRECATED_BUILTIN, 0, &dep, "operator code") ||
            get_i32(r, &c, OPCODE_BUILTIN, 0, &code, "operator code") ||
            get_ref(r, &c, OPCODE_CUSTOM, &custom, "operator code"))
            return -1;
        /* schema_utils.cc GetBuiltinCode: the larger of the two fields */
        (*codes)[i] = code > dep ? code : dep;
        if (custom)
            (*codes)[i] = TFL_OP_CUSTOM;
    }
    return 0;
}

static int read_io(rd *r, const tab *sg, int id, const char *what, int32_t **v, int *n, int n_tensors)
{
    int i;
    if (get_i32_vec(r, sg, id, what, v, n))
        return -1;
    for (i = 0; i < *n; i++)
        if ((*v)[i] < 0 || (*v)[i] >= n_tensors)
            return fail(r, "subgraph 0 %s %d is tensor %d, but the graph has %d tensors", what, i, (int)(*v)[i],
                        n_tensors);
    return 0;
}

int tfl_parse(uint8_t *data, size_t size, tfl_model *m, char *err, size_t errlen)
{
    rd r = {data, size, err, errlen};
    tab model, sg;
    size_t n, first, i;
    int *codes = NULL, n_codes = 0;
    int32_t ver;
    void *arr;

    memset(m, 0, sizeof *m);
    m->data = data;
    m->size = size;
    if (size < 8)
        goto trunc;
    if (memcmp(data + 4, "TFL3", 4)) {
        char id[20];
        int k, o = 0;
        for (k = 4; k < 8; k++)
            o += snprintf(id + o, sizeof id - (size_t)o, data[k] >= 32 && data[k] < 127 ? "%c" : "\\x%02x", data[k]);
        fail(&r, "not a TensorFlow Lite model: file identifier '%s', expected 'TFL3'", id);
        goto bad;
    }
    /* the root: a uoffset_t to the Model table */
    if (tab_open(&r, u32_at(&r, 0), "Model", &model) || get_i32(&r, &model, MODEL_VERSION, 0, &ver, "Model"))
        goto bad;
    m->version = (uint32_t)ver;
    if (m->version != 3) {
        fail(&r, "schema version %u; this reader knows version 3", m->version);
        goto bad;
    }
    if (get_str(&r, &model, MODEL_DESCRIPTION, "model description", &m->description) ||
        read_buffers(&r, &model, m) || read_opcodes(&r, &model, &codes, &n_codes) ||
        get_vec(&r, &model, MODEL_SUBGRAPHS, 4, "subgraphs", &n, &first))
        goto bad;
    if (n == 0) {
        fail(&r, "the model has no subgraph");
        goto bad;
    }
    m->n_subgraphs = (int)n;
    if (vec_table(&r, first, 0, "subgraph", &sg))
        goto bad;

    if (table_vec(&r, &sg, SUBGRAPH_TENSORS, "tensors", sizeof *m->tensors, &arr, &n, &first))
        goto bad;
    m->tensors = arr;
    m->n_tensors = (int)n;
    for (i = 0; i < n; i++) {
        tab t;
        if (vec_table(&r, first, i, "tensor", &t) || read_tensor(&r, &t, &m->tensors[i], (int)i, m->n_buffers))
            goto bad;
    }
    if (read_io(&r, &sg, SUBGRAPH_INPUTS, "input", &m->inputs, &m->n_inputs, m->n_tensors) ||
        read_io(&r, &sg, SUBGRAPH_OUTPUTS, "output", &m->outputs, &m->n_outputs, m->n_tensors))
        goto bad;

    if (table_vec(&r, &sg, SUBGRAPH_OPERATORS, "operators", sizeof *m->ops, &arr, &n, &first))
        goto bad;
    m->ops = arr;
    m->n_ops = (int)n;
    for (i = 0; i < n; i++) {
        tab t;
        if (vec_table(&r, first, i, "operator", &t) ||
            read_op(&r, &t, &m->ops[i], (int)i, codes, n_codes, m->n_tensors))
            goto bad;
    }
    free(codes);
    return 0;

trunc:
    fail(&r, "truncated: %zu bytes is too short for a FlatBuffer", size);
bad:
    free(codes);
    tfl_free(m);
    return -1;
}

int tfl_load(const char *path, tfl_model *m, char *err, size_t errlen)
{
    FILE *f;
    long size;
    uint8_t *data;
    struct stat st;
    memset(m, 0, sizeof *m);
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "not a regular file");
        return -1;
    }
    if (!(f = fopen(path, "rb"))) {
        snprintf(err, errlen, "cannot open: %s", strerror(errno));
        return -1;
    }
    if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
        fclose(f);
        snprintf(err, errlen, "cannot determine the file size (not a regular file?)");
        return -1;
    }
    if ((unsigned long)size > TFL_MAX_FILE) {
        fclose(f);
        snprintf(err, errlen, "file of %ld bytes is larger than the %zu bytes read", size, TFL_MAX_FILE);
        return -1;
    }
    data = malloc(size ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
        free(data);
        fclose(f);
        snprintf(err, errlen, "cannot read the file");
        return -1;
    }
    fclose(f);
    return tfl_parse(data, (size_t)size, m, err, errlen);
}

void tfl_free(tfl_model *m)
{
    int i;
    for (i = 0; m->tensors && i < m->n_tensors; i++) {
        free(m->tensors[i].name);
        free(m->tensors[i].scale);
        free(m->tensors[i].zp);
    }
    for (i = 0; m->ops && i < m->n_ops; i++) {
        free(m->ops[i].in);
        free(m->ops[i].out);
    }
    free(m->tensors);
    free(m->ops);
    free(m->buffers);
    free(m->inputs);
    free(m->outputs);
    free(m->description);
    free(m->data);
    memset(m, 0, sizeof *m);
}

const uint8_t *tfl_tensor_data(const tfl_model *m, int t, size_t *len)
{
    const tfl_buffer *b;
    *len = 0;
    if (t < 0 || t >= m->n_tensors || m->tensors[t].buffer >= (uint32_t)m->n_buffers)
        return NULL;
    b = &m->buffers[m->tensors[t].buffer];
    if (!b->len)
        return NULL;
    *len = b->len;
    return m->data + b->off;
}

/* BuiltinOperator names 0..127 (schema.fbs), for messages. */
static const char *const op_names[] = {
    "ADD", "AVERAGE_POOL_2D", "CONCATENATION", "CONV_2D", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE",
    "DEQUANTIZE", "EMBEDDING_LOOKUP", "FLOOR", "FULLY_CONNECTED", "HASHTABLE_LOOKUP", "L2_NORMALIZATION",
    "L2_POOL_2D", "LOCAL_RESPONSE_NORMALIZATION", "LOGISTIC", "LSH_PROJECTION", "LSTM", "MAX_POOL_2D", "MUL",
    "RELU", "RELU_N1_TO_1", "RELU6", "RESHAPE", "RESIZE_BILINEAR", "RNN", "SOFTMAX", "SPACE_TO_DEPTH", "SVDF",
    "TANH", "CONCAT_EMBEDDINGS", "SKIP_GRAM", "CALL", "CUSTOM", "EMBEDDING_LOOKUP_SPARSE", "PAD",
    "UNIDIRECTIONAL_SEQUENCE_RNN", "GATHER", "BATCH_TO_SPACE_ND", "SPACE_TO_BATCH_ND", "TRANSPOSE", "MEAN",
    "SUB", "DIV", "SQUEEZE", "UNIDIRECTIONAL_SEQUENCE_LSTM", "STRIDED_SLICE", "BIDIRECTIONAL_SEQUENCE_RNN",
    "EXP", "TOPK_V2", "SPLIT", "LOG_SOFTMAX", "DELEGATE", "BIDIRECTIONAL_SEQUENCE_LSTM", "CAST", "PRELU",
    "MAXIMUM", "ARG_MAX", "MINIMUM", "LESS", "NEG", "PADV2", "GREATER", "GREATER_EQUAL", "LESS_EQUAL",
    "SELECT", "SLICE", "SIN", "TRANSPOSE_CONV", "SPARSE_TO_DENSE", "TILE", "EXPAND_DIMS", "EQUAL",
    "NOT_EQUAL", "LOG", "SUM", "SQRT", "RSQRT", "SHAPE", "POW", "ARG_MIN", "FAKE_QUANT", "REDUCE_PROD",
    "REDUCE_MAX", "PACK", "LOGICAL_OR", "ONE_HOT", "LOGICAL_AND", "LOGICAL_NOT", "UNPACK", "REDUCE_MIN",
    "FLOOR_DIV", "REDUCE_ANY", "SQUARE", "ZEROS_LIKE", "FILL", "FLOOR_MOD", "RANGE",
    "RESIZE_NEAREST_NEIGHBOR", "LEAKY_RELU", "SQUARED_DIFFERENCE", "MIRROR_PAD", "ABS", "SPLIT_V", "UNIQUE",
    "CEIL", "REVERSE_V2", "ADD_N", "GATHER_ND", "COS", "WHERE", "RANK", "ELU", "REVERSE_SEQUENCE",
    "MATRIX_DIAG", "QUANTIZE", "MATRIX_SET_DIAG", "ROUND", "HARD_SWISH", "IF", "WHILE",
    "NON_MAX_SUPPRESSION_V4", "NON_MAX_SUPPRESSION_V5", "SCATTER_ND", "SELECT_V2", "DENSIFY", "SEGMENT_SUM",
    "BATCH_MATMUL",
};

const char *tfl_op_name(int code, char *buf, size_t len)
{
    if (code >= 0 && code < (int)(sizeof op_names / sizeof op_names[0]))
        return op_names[code];
    snprintf(buf, len, "BUILTIN_%d", code);
    return buf;
}

const char *tfl_type_name(int type, char *buf, size_t len)
{
    static const char *const names[] = {"FLOAT32", "FLOAT16", "INT32",     "UINT8", "INT64", "STRING",
                                        "BOOL",    "INT16",   "COMPLEX64", "INT8",  "FLOAT64"};
    if (type >= 0 && type < (int)(sizeof names / sizeof names[0]))
        return names[type];
    snprintf(buf, len, "TYPE_%d", type);
    return buf;
}
