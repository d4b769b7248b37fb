/*
 * tflite.h - a reader for the parts of a TensorFlow Lite model (.tflite,
 * a FlatBuffer) that `resflow import` needs.
 *
 * Debian has no FlatBuffers C library, so this reads the binary format
 * directly. Schema: tensorflow/lite/schema/schema.fbs (file identifier
 * "TFL3", schema version 3, root table Model). Format: FlatBuffers'
 * "FlatBuffer internals" (a table starts with a signed 32-bit offset back to
 * its vtable; the vtable holds its own size, the table's inline size and one
 * 16-bit offset per field id, slot = 4 + 2 * id; a union takes two ids, the
 * type byte first). Every table, vector and string position and length is
 * checked against the file size before it is read, so a truncated,
 * corrupted or hostile file is an error, never an out-of-bounds read.
 * docs/import.md lists every field read, with its id.
 *
 * Only subgraph 0 (the main graph) is decoded.
 */
#ifndef RF_TFLITE_H
#define RF_TFLITE_H

#include <stddef.h>
#include <stdint.h>

#define TFL_MAX_DIMS 8

/* TensorType (schema.fbs enum TensorType : byte) */
enum {
    TFL_FLOAT32 = 0,
    TFL_INT32 = 2,
    TFL_UINT8 = 3,
    TFL_INT64 = 4,
    TFL_INT16 = 7,
    TFL_INT8 = 9,
};

/* BuiltinOperator codes read by the importer (schema.fbs enum BuiltinOperator). */
enum {
    TFL_OP_ADD = 0,
    TFL_OP_AVERAGE_POOL_2D = 1,
    TFL_OP_CONV_2D = 3,
    TFL_OP_DEPTHWISE_CONV_2D = 4,
    TFL_OP_DEQUANTIZE = 6,
    TFL_OP_FULLY_CONNECTED = 9,
    TFL_OP_MAX_POOL_2D = 17,
    TFL_OP_RESHAPE = 22,
    TFL_OP_SOFTMAX = 25,
    TFL_OP_CUSTOM = 32,
    TFL_OP_PAD = 34,
    TFL_OP_MEAN = 40,
    TFL_OP_QUANTIZE = 114,
};

/* BuiltinOptions union type ids (schema.fbs union BuiltinOptions, 1-based). */
enum {
    TFL_OPT_NONE = 0,
    TFL_OPT_CONV2D = 1,
    TFL_OPT_DEPTHWISE_CONV2D = 2,
    TFL_OPT_POOL2D = 5,
    TFL_OPT_FULLY_CONNECTED = 8,
    TFL_OPT_SOFTMAX = 9,
    TFL_OPT_ADD = 11,
    TFL_OPT_RESHAPE = 17,
    TFL_OPT_PAD = 22,
    TFL_OPT_REDUCER = 27,
};

/* enum Padding : byte { SAME, VALID } and enum ActivationFunctionType */
enum { TFL_PAD_SAME = 0, TFL_PAD_VALID = 1 };
enum { TFL_ACT_NONE = 0, TFL_ACT_RELU = 1, TFL_ACT_RELU_N1_TO_1 = 2, TFL_ACT_RELU6 = 3 };

typedef struct tfl_tensor {
    int ndim;
    int32_t shape[TFL_MAX_DIMS];
    int type;                 /* TensorType */
    uint32_t buffer;          /* index into tfl_model.buffers (checked) */
    char *name;               /* NUL-terminated copy; "" when absent */
    /* quantization (QuantizationParameters); n_scale == 0: none */
    int n_scale;
    float *scale;             /* n_scale float32 values, as stored */
    int n_zp;
    int64_t *zp;              /* n_zp zero points */
    int qdim;                 /* quantized_dimension */
} tfl_tensor;

/* The builtin options the importer reads, decoded from whichever options
 * table the operator carries; fields of other tables keep their schema
 * defaults (0, except dilations 1). */
typedef struct tfl_options {
    int padding;              /* TFL_PAD_* */
    int stride_w, stride_h;
    int dilation_w, dilation_h;
    int depth_multiplier;
    int filter_w, filter_h;   /* pooling */
    int activation;           /* TFL_ACT_* */
    int weights_format;       /* FULLY_CONNECTED: 0 = DEFAULT */
    int keep_num_dims;        /* FULLY_CONNECTED */
    int quantized_bias_type;  /* CONV_2D, FULLY_CONNECTED: 0 = unset */
    int keep_dims;            /* MEAN (ReducerOptions) */
    float beta;               /* SOFTMAX */
} tfl_options;

typedef struct tfl_op {
    int code;                 /* BuiltinOperator, max(deprecated_builtin_code, builtin_code) */
    int n_in, n_out;
    int32_t *in, *out;        /* tensor indices; -1 = optional input absent (checked) */
    int opt_type;             /* BuiltinOptions union type (TFL_OPT_*) */
    tfl_options opt;
} tfl_op;

typedef struct tfl_buffer {
    size_t off, len;          /* bytes of the file (checked); len 0: no data */
} tfl_buffer;

typedef struct tfl_model {
    uint8_t *data;            /* the whole file */
    size_t size;
    uint32_t version;         /* schema version (3) */
    char *description;
    int n_subgraphs;
    int n_tensors, n_ops, n_buffers, n_inputs, n_outputs;
    tfl_tensor *tensors;
    tfl_op *ops;              /* subgraph 0, in execution order */
    tfl_buffer *buffers;
    int32_t *inputs, *outputs;   /* subgraph 0's input and output tensors (checked) */
} tfl_model;

/* Reads and decodes `path`. Returns 0, or -1 with a one-line reason in err
 * (no file name in it; offsets in bytes from the start of the file). On
 * error *m is left empty (tfl_free is still safe). */
int tfl_load(const char *path, tfl_model *m, char *err, size_t errlen);

/* Decodes a model held in memory; takes ownership of `data` (malloc'd,
 * `size` bytes). Same errors as tfl_load. */
int tfl_parse(uint8_t *data, size_t size, tfl_model *m, char *err, size_t errlen);

void tfl_free(tfl_model *m);

/* The constant data of tensor t: pointer and length in bytes (0 and NULL
 * when it has none). The range lies inside the file. */
const uint8_t *tfl_tensor_data(const tfl_model *m, int t, size_t *len);

/* "CONV_2D" for the codes the importer knows, else "BUILTIN_<n>". The
 * returned string is static or in buf. */
const char *tfl_op_name(int code, char *buf, size_t len);

/* "INT8", "FLOAT32", ... or "TYPE_<n>". */
const char *tfl_type_name(int type, char *buf, size_t len);

#endif
