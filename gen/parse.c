/*
 * parse.c - YAML network description -> ir_net (schema: docs/yaml.md).
 *
 * Table-driven: each mapping is checked against a list of known fields, so a
 * misspelt field is an error, not silently ignored. Validators report at the
 * offending node through diag.h.
 */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

/* ---- scalar readers: each reports at the node and returns -1 on error ---- */

static const char *scalar(struct fy_node *n, const char *what)
{
    const char *s;
    size_t len = 0;
    if (!n || !fy_node_is_scalar(n) || fy_node_is_null(n) || !(s = fy_node_get_scalar0(n))) {
        diag_node(n, "'%s' must be a scalar", what);
        return NULL;
    }
    fy_node_get_scalar(n, &len);
    if (strlen(s) != len) {
        diag_node(n, "'%s' contains a NUL character", what);
        return NULL;
    }
    return s;
}

static int read_int(struct fy_node *n, const char *what, long lo, long hi, int *out)
{
    const char *s = scalar(n, what);
    char *end;
    long v;
    if (!s)
        return -1;
    errno = 0;
    v = strtol(s, &end, 10);
    if (!*s || isspace((unsigned char)*s) || *end || errno) {
        diag_node(n, "'%s' must be an integer, got '%s'", what, s);
        return -1;
    }
    if (v < lo || v > hi) {
        diag_node(n, "'%s' must be in %ld..%ld, got %ld", what, lo, hi, v);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int read_u64(struct fy_node *n, const char *what, uint64_t *out)
{
    const char *s = scalar(n, what);
    char *end;
    unsigned long long v;
    if (!s)
        return -1;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (!*s || *end || errno || *s == '-' || isspace((unsigned char)*s)) {
        diag_node(n, "'%s' must be a non-negative integer, got '%s'", what, s);
        return -1;
    }
    *out = (uint64_t)v;
    return 0;
}

static int read_pos_double(struct fy_node *n, const char *what, double *out)
{
    const char *s = scalar(n, what);
    char *end;
    double v;
    if (!s)
        return -1;
    errno = 0;
    v = strtod(s, &end);
    if (!*s || isspace((unsigned char)*s) || *end || errno) {
        diag_node(n, "'%s' must be a number, got '%s'", what, s);
        return -1;
    }
    if (!(v > 0) || !isfinite(v)) {
        diag_node(n, "'%s' must be positive and finite, got '%s'", what, s);
        return -1;
    }
    *out = v;
    return 0;
}

/* A scale: a positive finite number, kept as the float32 nearest to it, as
 * TFLite's converter stores scales (docs/arithmetic.md), so a YAML network
 * and its TFLite twin get the same multipliers. */
static int read_scale(struct fy_node *n, const char *what, double *out)
{
    double v;
    if (read_pos_double(n, what, &v))
        return -1;
    *out = q_scale_f32(v);
    if (*out == 0) {
        diag_node(n, "'%s' must be within float32's range (about 1.4e-45 .. 3.4e38), got '%s'", what,
                  fy_node_get_scalar0(n));
        return -1;
    }
    return 0;
}

static int read_bool(struct fy_node *n, const char *what, int *out)
{
    const char *s = scalar(n, what);
    if (!s)
        return -1;
    if (!strcmp(s, "true")) {
        *out = 1;
        return 0;
    }
    if (!strcmp(s, "false")) {
        *out = 0;
        return 0;
    }
    diag_node(n, "'%s' must be true or false, got '%s'", what, s);
    return -1;
}

static int read_name(struct fy_node *n, const char *what, char *out)
{
    /* an identifier: [A-Za-z][A-Za-z0-9_]*, no '__', not ending in '_' */
    const char *s = scalar(n, what);
    size_t i, len;
    if (!s)
        return -1;
    len = strlen(s);
    if (len == 0 || len >= IR_NAME_MAX || !(isalpha((unsigned char)s[0]) || s[0] == '_')) {
        diag_node(n, "'%s' must be an identifier ([A-Za-z][A-Za-z0-9_]*, at most %d characters), got '%s'",
                  what, IR_NAME_MAX - 1, s);
        return -1;
    }
    for (i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) {
            diag_node(n, "'%s' must be an identifier ([A-Za-z][A-Za-z0-9_]*), got '%s'", what, s);
            return -1;
        }
    /* generated Verilog names join layer names with '_'; Verilator reserves '__' */
    if (s[0] == '_' || s[len - 1] == '_' || strstr(s, "__")) {
        diag_node(n, "'%s' must not start or end with '_' or contain '__', got '%s'", what, s);
        return -1;
    }
    memcpy(out, s, len + 1);
    return 0;
}

static int read_path(struct fy_node *n, const char *what, char *out, size_t cap)
{
    const char *s = scalar(n, what);
    if (!s)
        return -1;
    if (!*s || strlen(s) >= cap) {
        diag_node(n, "'%s' must be a file path of 1..%zu characters", what, cap - 1);
        return -1;
    }
    strcpy(out, s);
    return 0;
}

/* ---- mappings ---- */

/* Checks that `map` is a mapping whose keys are all in `known` (NULL-ended). */
static int check_map(struct fy_node *map, const char *what, const char *const *known)
{
    void *it = NULL;
    struct fy_node_pair *p;
    int bad = 0;
    if (!map || !fy_node_is_mapping(map)) {
        diag_node(map, "%s must be a mapping", what);
        return -1;
    }
    while ((p = fy_node_mapping_iterate(map, &it)) != NULL) {
        struct fy_node *k = fy_node_pair_key(p);
        const char *ks = (k && fy_node_is_scalar(k)) ? fy_node_get_scalar0(k) : NULL;
        int i, found = 0;
        for (i = 0; ks && known[i]; i++)
            if (!strcmp(ks, known[i]))
                found = 1;
        if (!found) {
            diag_node(k, "unknown field '%s' in %s", ks ? ks : "?", what);
            bad = 1;
        }
    }
    return bad ? -1 : 0;
}

/* Returns the value of `key`, or NULL (reporting if `required`). */
static struct fy_node *field(struct fy_node *map, const char *key, const char *what, int required)
{
    struct fy_node *v = fy_node_mapping_lookup_by_string(map, key, (size_t)-1);
    if (!v && required)
        diag_node(map, "missing field '%s' in %s", key, what);
    return v;
}

static int parse_qout(struct fy_node *map, const char *what, double *scale, int *zp)
{
    static const char *const known[] = {"scale", "zero_point", NULL};
    struct fy_node *n;
    int rc = 0;
    if (check_map(map, what, known))
        return -1;
    n = field(map, "scale", what, 1);
    if (!n || read_scale(n, "scale", scale))
        rc = -1;
    n = field(map, "zero_point", what, 1);
    if (!n || read_int(n, "zero_point", -128, 127, zp))
        rc = -1;
    return rc;
}

static int parse_input(ir_net *net, struct fy_node *map)
{
    static const char *const known[] = {"height", "width", "channels", "scale", "zero_point", NULL};
    ir_layer *L = &net->layers[0];
    struct fy_node *n;
    int rc = 0;
    strcpy(L->name, "input");
    L->op = IR_INPUT;
    L->node = map;
    if (check_map(map, "'input'", known))
        return -1;
    if (!(n = field(map, "height", "'input'", 1)) || read_int(n, "height", 1, 8192, &L->h))
        rc = -1;
    if (!(n = field(map, "width", "'input'", 1)) || read_int(n, "width", 1, 8192, &L->w))
        rc = -1;
    if (!(n = field(map, "channels", "'input'", 1)) || read_int(n, "channels", 1, 1024, &L->c))
        rc = -1;
    if (!(n = field(map, "scale", "'input'", 1)) || read_scale(n, "scale", &L->scale))
        rc = -1;
    if (!(n = field(map, "zero_point", "'input'", 1)) || read_int(n, "zero_point", -128, 127, &L->zp))
        rc = -1;
    L->act_min = -128;
    L->act_max = 127;
    return rc;
}

/* weights: {file: W.npy | init: {seed: N}, scales: S | [S...] | file.npy} */
static int parse_weights(ir_layer *L, struct fy_node *map)
{
    static const char *const known[] = {"file", "init", "scales", NULL};
    static const char *const init_known[] = {"seed", NULL};
    struct fy_node *f, *init, *sc;
    int rc = 0;
    L->w_node = map;
    if (check_map(map, "'weights'", known))
        return -1;
    f = field(map, "file", "'weights'", 0);
    init = field(map, "init", "'weights'", 0);
    if ((f != NULL) == (init != NULL)) {
        diag_node(map, "'weights' needs exactly one of 'file' or 'init'");
        return -1;
    }
    if (f) {
        L->w_src = IR_SRC_FILE;
        L->w_node = f;
        if (read_path(f, "file", L->w_file, sizeof L->w_file))
            rc = -1;
    } else {
        struct fy_node *s;
        L->w_src = IR_SRC_INIT;
        if (check_map(init, "'init'", init_known))
            return -1;
        if (!(s = field(init, "seed", "'init'", 1)) || read_u64(s, "seed", &L->w_seed))
            rc = -1;
    }
    sc = field(map, "scales", "'weights'", f != NULL);
    if (sc) {
        L->s_node = sc;
        if (fy_node_is_sequence(sc)) {
            void *it = NULL;
            struct fy_node *e;
            int k = 0;
            while ((e = fy_node_sequence_iterate(sc, &it)) != NULL) {
                if (k >= (int)(sizeof L->scales_inline / sizeof L->scales_inline[0])) {
                    diag_node(sc, "too many scales (at most 1024)");
                    return -1;
                }
                if (read_scale(e, "scales", &L->scales_inline[k]))
                    rc = -1;
                k++;
            }
            if (k == 0) {
                diag_node(sc, "'scales' must not be empty");
                return -1;
            }
            L->n_scales = k;
        } else if (fy_node_is_scalar(sc)) {
            const char *s = fy_node_get_scalar0(sc);
            size_t len = s ? strlen(s) : 0;
            if (len > 4 && !strcmp(s + len - 4, ".npy")) {
                if (read_path(sc, "scales", L->s_file, sizeof L->s_file))
                    rc = -1;
                L->n_scales = -1;   /* from file */
            } else {
                if (read_scale(sc, "scales", &L->scales_inline[0]))
                    rc = -1;
                L->n_scales = 1;
            }
        } else if (fy_node_is_mapping(sc)) {
            /* scales: {file: S.npy} */
            static const char *const sc_known[] = {"file", NULL};
            struct fy_node *sf;
            if (check_map(sc, "'scales'", sc_known))
                return -1;
            if (!(sf = field(sc, "file", "'scales'", 1)))
                return -1;
            L->s_node = sf;
            if (read_path(sf, "file", L->s_file, sizeof L->s_file))
                rc = -1;
            L->n_scales = -1;
        } else {
            diag_node(sc, "'scales' must be a number, a list of numbers, a .npy file or {file: S.npy}");
            rc = -1;
        }
    }
    return rc;
}

/* bias: {file: B.npy | init: {seed: N}} */
static int parse_bias(ir_layer *L, struct fy_node *map)
{
    static const char *const known[] = {"file", "init", NULL};
    static const char *const init_known[] = {"seed", NULL};
    struct fy_node *f, *init;
    L->b_node = map;
    if (check_map(map, "'bias'", known))
        return -1;
    f = field(map, "file", "'bias'", 0);
    init = field(map, "init", "'bias'", 0);
    if ((f != NULL) == (init != NULL)) {
        diag_node(map, "'bias' needs exactly one of 'file' or 'init'");
        return -1;
    }
    if (f) {
        L->b_src = IR_SRC_FILE;
        L->b_node = f;
        return read_path(f, "file", L->b_file, sizeof L->b_file);
    } else {
        struct fy_node *s;
        L->b_src = IR_SRC_INIT;
        if (check_map(init, "'init'", init_known))
            return -1;
        if (!(s = field(init, "seed", "'init'", 1)))
            return -1;
        return read_u64(s, "seed", &L->b_seed);
    }
}

static int parse_inputs(ir_layer *L, struct fy_node *seq, int want)
{
    void *it = NULL;
    struct fy_node *e;
    int k = 0, rc = 0;
    if (!fy_node_is_sequence(seq)) {
        diag_node(seq, "'inputs' must be a list of layer names");
        return -1;
    }
    while ((e = fy_node_sequence_iterate(seq, &it)) != NULL) {
        if (k < IR_MAX_INPUTS) {
            if (read_name(e, "inputs", L->in_names[k]))
                rc = -1;
            L->in_nodes[k] = e;
        }
        k++;
    }
    if (k != want) {
        diag_node(seq, "%s layer '%s' takes %d input%s, got %d", ir_op_name(L->op), L->name, want,
                  want == 1 ? "" : "s", k);
        return -1;
    }
    L->n_inputs = k;
    return rc;
}

/* padding: same | valid | [top, bottom, left, right] (each 0 .. K-1,
 * checked against the kernel in check.c) */
static int parse_padding(ir_layer *L, struct fy_node *n)
{
    L->pad_node = n;
    if (fy_node_is_sequence(n)) {
        void *it = NULL;
        struct fy_node *e;
        int k = 0, rc = 0;
        while ((e = fy_node_sequence_iterate(n, &it)) != NULL) {
            if (k < 4 && read_int(e, "padding", 0, 64, &L->pads[k]))
                rc = -1;
            k++;
        }
        if (k != 4) {
            diag_node(n, "'padding' as a list takes 4 values [top, bottom, left, right], got %d", k);
            return -1;
        }
        L->padding = IR_PAD_EXPLICIT;
        return rc;
    } else {
        const char *s = scalar(n, "padding");
        if (!s)
            return -1;
        if (!strcmp(s, "same"))
            L->padding = IR_PAD_SAME;
        else if (!strcmp(s, "valid"))
            L->padding = IR_PAD_VALID;
        else {
            diag_node(n, "'padding' must be 'same', 'valid' or [top, bottom, left, right], got '%s'", s);
            return -1;
        }
        return 0;
    }
}

static const struct {
    const char *name;
    enum ir_op op;
    const char *const known[16];
} ops[] = {
    {"conv2d", IR_CONV2D, {"name", "op", "inputs", "kernel", "filters", "stride", "padding", "relu", "relu6",
                           "output", "weights", "bias", "pe", "simd", NULL}},
    {"depthwise_conv2d", IR_DEPTHWISE, {"name", "op", "inputs", "kernel", "stride", "padding",
                                        "depth_multiplier", "relu", "relu6", "output", "weights", "bias", "pe",
                                        "simd", NULL}},
    {"dense", IR_DENSE, {"name", "op", "inputs", "units", "relu", "relu6", "output", "weights", "bias", "pe",
                         "simd", NULL}},
    {"add", IR_ADD, {"name", "op", "inputs", "relu", "relu6", "output", "pe", NULL}},
    {"max_pool2d", IR_MAX_POOL, {"name", "op", "inputs", "kernel", "stride", "padding", "relu", "relu6", NULL}},
    {"avg_pool2d", IR_AVG_POOL, {"name", "op", "inputs", "kernel", "stride", "padding", "relu", "relu6", NULL}},
    {"global_avg_pool", IR_GLOBAL_POOL, {"name", "op", "inputs", "relu", "relu6", "rounding", NULL}},
};

/* rounding: how a global_avg_pool rounds its mean (enum ir_rounding). */
static int parse_rounding(ir_layer *L, struct fy_node *n)
{
    static const char *const names[] = {"average_pool", "tflite_mean_4d", "tflite_mean_truncate", "tflm_mean"};
    const char *s = scalar(n, "rounding");
    int i;
    if (!s)
        return -1;
    for (i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
        if (!strcmp(s, names[i])) {
            L->rounding = (enum ir_rounding)i;
            return 0;
        }
    diag_node(n, "'rounding' must be average_pool, tflm_mean, tflite_mean_4d or tflite_mean_truncate, got '%s'", s);
    return -1;
}

static int parse_layer(ir_layer *L, struct fy_node *map)
{
    char what[IR_NAME_MAX + 32];
    struct fy_node *n, *opn;
    const char *op;
    int rc = 0, i, found = -1;
    int is_pool, windowed;

    L->node = map;
    if (!fy_node_is_mapping(map)) {
        diag_node(map, "a layer must be a mapping");
        return -1;
    }
    n = field(map, "name", "layer", 1);
    if (!n || read_name(n, "name", L->name))
        return -1;
    opn = field(map, "op", "layer", 1);
    if (!opn || !(op = scalar(opn, "op")))
        return -1;
    snprintf(what, sizeof what, "layer '%s'", L->name);
    for (i = 0; i < (int)(sizeof ops / sizeof ops[0]); i++)
        if (!strcmp(op, ops[i].name))
            found = i;
    if (found < 0) {
        diag_node(opn, "unknown op '%s'; expected conv2d, depthwise_conv2d, dense, add, max_pool2d, avg_pool2d "
                       "or global_avg_pool", op);
        return -1;
    }
    L->op = ops[found].op;
    if (check_map(map, what, ops[found].known))
        rc = -1;
    is_pool = L->op == IR_MAX_POOL || L->op == IR_AVG_POOL;
    windowed = is_pool || L->op == IR_CONV2D || L->op == IR_DEPTHWISE;

    if (!(n = field(map, "inputs", what, 1)) || parse_inputs(L, n, L->op == IR_ADD ? 2 : 1))
        rc = -1;
    if ((n = field(map, "relu", what, 0)) && read_bool(n, "relu", &L->relu))
        rc = -1;
    if ((n = field(map, "relu6", what, 0)) && read_bool(n, "relu6", &L->relu6))
        rc = -1;
    else if (n && L->relu && L->relu6) {
        diag_node(n, "layer '%s' sets both 'relu' and 'relu6'", L->name);
        rc = -1;
    }
    /* pools keep their input's quantization (TFLite requires it) */
    if (ir_has_weights(L->op) || L->op == IR_ADD)
        if (!(n = field(map, "output", what, 1)) || parse_qout(n, "'output'", &L->scale, &L->zp))
            rc = -1;

    L->stride = 1;
    L->kernel = 1;
    L->padding = is_pool ? IR_PAD_VALID : IR_PAD_SAME;
    if (windowed) {
        if (!(n = field(map, "kernel", what, 1)) || read_int(n, "kernel", 1, is_pool ? 8192 : 15, &L->kernel))
            rc = -1;
        else if (!is_pool && L->kernel != 1 && L->kernel != 3 && L->kernel != 5 && L->kernel != 7) {
            diag_node(n, "'kernel' must be 1, 3, 5 or 7, got %d", L->kernel);
            rc = -1;
        }
        if (is_pool)
            L->stride = L->kernel;   /* Keras' default: stride = pool size */
        if ((n = field(map, "stride", what, 0)) && read_int(n, "stride", 1, 8, &L->stride))
            rc = -1;
        if ((n = field(map, "padding", what, 0)) && parse_padding(L, n))
            rc = -1;
    }
    if (L->op == IR_CONV2D && (!(n = field(map, "filters", what, 1)) ||
                               read_int(n, "filters", 1, 1024, &L->filters)))
        rc = -1;
    if (L->op == IR_DENSE && (!(n = field(map, "units", what, 1)) || read_int(n, "units", 1, 1024, &L->filters)))
        rc = -1;
    if (L->op == IR_DEPTHWISE && (n = field(map, "depth_multiplier", what, 0))) {
        int dm;
        if (read_int(n, "depth_multiplier", 1, 1024, &dm))
            rc = -1;
        else if (dm != 1) {
            diag_node(n, "'depth_multiplier' must be 1 (one output channel per input channel), got %d", dm);
            rc = -1;
        }
    }
    if (L->op == IR_ADD && (n = field(map, "pe", what, 0)) && read_int(n, "pe", 1, 1024, &L->pe))
        rc = -1;
    if (L->op == IR_GLOBAL_POOL && (n = field(map, "rounding", what, 0)) && parse_rounding(L, n))
        rc = -1;
    if (ir_has_weights(L->op)) {
        if ((n = field(map, "pe", what, 0)) && read_int(n, "pe", 1, 1024, &L->pe))
            rc = -1;
        if ((n = field(map, "simd", what, 0)) && read_int(n, "simd", 1, 1 << 16, &L->simd))
            rc = -1;
        if (!(n = field(map, "weights", what, 1)) || parse_weights(L, n))
            rc = -1;
        if ((n = field(map, "bias", what, 0))) {
            if (parse_bias(L, n))
                rc = -1;
        } else {
            L->b_src = IR_SRC_NONE;
        }
    }
    return rc;
}

static void set_dir(ir_net *net, const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t len = slash ? (size_t)(slash - path) : 0;
    if (!slash) {
        strcpy(net->dir, ".");
        return;
    }
    if (len >= sizeof net->dir)
        len = sizeof net->dir - 1;
    memcpy(net->dir, path, len);
    net->dir[len] = '\0';
    if (len == 0)
        strcpy(net->dir, "/");
}

static void default_name(ir_net *net, const char *path)
{
    const char *b = strrchr(path, '/');
    size_t i, j = 0;
    b = b ? b + 1 : path;
    for (i = 0; b[i] && b[i] != '.' && j + 1 < sizeof net->name; i++) {
        char c = (isalnum((unsigned char)b[i]) || b[i] == '_') ? b[i] : '_';
        if (c == '_' && (j == 0 || net->name[j - 1] == '_'))
            continue;   /* the same rules as layer names: no leading '_', no '__' */
        net->name[j++] = c;
    }
    while (j && net->name[j - 1] == '_')
        j--;
    net->name[j] = '\0';
    if (!j || isdigit((unsigned char)net->name[0]))
        strcpy(net->name, "net");
}

/* target: {cycles_per_frame: N} | {fps: F, clock_mhz: M} */
static int parse_target(ir_net *net, struct fy_node *map)
{
    static const char *const known[] = {"cycles_per_frame", "fps", "clock_mhz", NULL};
    struct fy_node *c, *f, *m;
    net->target_node = map;
    if (check_map(map, "'target'", known))
        return -1;
    c = field(map, "cycles_per_frame", "'target'", 0);
    f = field(map, "fps", "'target'", 0);
    m = field(map, "clock_mhz", "'target'", 0);
    if (c && !f && !m) {
        int v;
        if (read_int(c, "cycles_per_frame", 1, 2000000000, &v))
            return -1;
        net->target_cpf = v;
        net->target_per_pixel = 1;
        return 0;
    }
    if (f && m && !c) {
        double fps, mhz;
        if (read_pos_double(f, "fps", &fps) || read_pos_double(m, "clock_mhz", &mhz))
            return -1;
        if (mhz * 1e6 / fps < 1 || mhz * 1e6 / fps > 2e9) {
            diag_node(map, "'target' gives %g cycles per frame; expected 1..2e9", mhz * 1e6 / fps);
            return -1;
        }
        net->target_cpf = (long)(mhz * 1e6 / fps);   /* cycles available per frame, rounded down */
        return 0;
    }
    diag_node(map, "'target' takes either cycles_per_frame, or fps and clock_mhz");
    return -1;
}

/* Reads the file once to reject what libfyaml would not point at: bytes that
 * are not UTF-8 and NUL bytes. Reports FILE:LINE:COL of the first one. */
static int check_bytes(const char *path)
{
    FILE *f = fopen(path, "rb");
    int c, line = 1, col = 1, need = 0;
    if (!f) {
        diag_plain("cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    while ((c = fgetc(f)) != EOF) {
        const char *bad = NULL;
        if (need) {
            if ((c & 0xc0) != 0x80)
                bad = "is not valid UTF-8";
            else
                need--;
        } else if (c == 0) {
            bad = "contains a NUL byte";
        } else if (c >= 0x80) {
            if ((c & 0xe0) == 0xc0 && c >= 0xc2)
                need = 1;
            else if ((c & 0xf0) == 0xe0)
                need = 2;
            else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
                need = 3;
            else
                bad = "is not valid UTF-8";
        }
        if (bad) {
            fclose(f);
            diag_at(path, line, col, "the file %s", bad);
            return -1;
        }
        if (!need) {
            if (c == '\n') {
                line++;
                col = 1;
            } else {
                col++;
            }
        }
    }
    fclose(f);
    if (need) {
        diag_at(path, line, col, "the file ends inside a UTF-8 sequence");
        return -1;
    }
    return 0;
}

/* YAML aliases (*name) are refused rather than expanded: expansion can be
 * made to grow exponentially ("billion laughs"), and a network description
 * has no use for them. Walks the tree as written, depth-limited. */
static int reject_aliases(struct fy_node *n, int depth)
{
    void *it = NULL;
    if (!n)
        return 0;
    if (depth > 64) {
        diag_node(n, "nesting deeper than 64 levels");
        return -1;
    }
    if (fy_node_is_alias(n)) {
        diag_node(n, "YAML aliases are not supported in a network description");
        return -1;
    }
    if (fy_node_is_sequence(n)) {
        struct fy_node *e;
        while ((e = fy_node_sequence_iterate(n, &it)) != NULL)
            if (reject_aliases(e, depth + 1))
                return -1;
    } else if (fy_node_is_mapping(n)) {
        struct fy_node_pair *p;
        while ((p = fy_node_mapping_iterate(n, &it)) != NULL)
            if (reject_aliases(fy_node_pair_key(p), depth + 1) || reject_aliases(fy_node_pair_value(p), depth + 1))
                return -1;
    }
    return 0;
}

int parse_file(const char *path, ir_net *net)
{
    static const char *const top_known[] = {"version", "name", "input", "layers", "output", "target",
                                            "max_multipliers", NULL};
    struct fy_parse_cfg cfg;
    struct fy_node *root, *n, *layers;
    int rc = 0, count = 0;
    void *it = NULL;
    struct fy_node *e;

    net->file = path;
    set_dir(net, path);
    default_name(net, path);
    if (check_bytes(path))
        return -1;

    memset(&cfg, 0, sizeof cfg);
    cfg.flags = FYPCF_QUIET;
    cfg.diag = diag_get();
    net->parser = fy_parser_create(&cfg);
    if (!net->parser || fy_parser_set_input_file(net->parser, path)) {
        diag_plain("cannot read '%s'", path);
        return -1;
    }
    net->doc = fy_parse_load_document(net->parser);
    if (!net->doc) {
        void *eit = NULL;
        if (!fy_diag_errors_iterate(diag_get(), &eit))
            diag_at(path, 1, 1, "empty network description");
        return -1;
    }
    {
        struct fy_document *next = fy_parse_load_document(net->parser);
        void *eit = NULL;
        if (next) {
            struct fy_node *r2 = fy_document_root(next);
            if (r2)
                diag_node(r2, "a second YAML document; a network description is one document");
            else
                diag_at(path, 1, 1, "more than one YAML document; a network description is one document");
            fy_parse_document_destroy(net->parser, next);
            return -1;
        }
        if (fy_diag_errors_iterate(diag_get(), &eit))
            return -1;   /* errors after the first document */
    }
    root = fy_document_root(net->doc);
    if (!root) {
        diag_at(path, 1, 1, "empty network description");
        return -1;
    }
    if (reject_aliases(root, 0))
        return -1;
    if (check_map(root, "the network description", top_known))
        rc = -1;
    if (!fy_node_is_mapping(root))
        return -1;
    if (!(n = field(root, "version", "the network description", 1)) ||
        read_int(n, "version", 0, 1000, &net->version))
        rc = -1;
    else if (net->version != 1) {
        diag_node(n, "unsupported version %d; this resflow reads version 1", net->version);
        rc = -1;
    }
    if ((n = field(root, "name", "the network description", 0)) && read_name(n, "name", net->name))
        rc = -1;
    if ((n = field(root, "target", "the network description", 0)) && parse_target(net, n))
        rc = -1;
    if ((n = field(root, "max_multipliers", "the network description", 0))) {
        int m;
        if (read_int(n, "max_multipliers", 1, 1 << 24, &m))
            rc = -1;
        net->max_multipliers = m;
    }

    layers = field(root, "layers", "the network description", 1);
    if (layers && !fy_node_is_sequence(layers)) {
        diag_node(layers, "'layers' must be a list");
        layers = NULL;
        rc = -1;
    }
    if (layers)
        count = fy_node_sequence_item_count(layers);
    if (layers && count == 0) {
        diag_node(layers, "'layers' must not be empty");
        rc = -1;
    }
    net->layers = calloc((size_t)count + 1, sizeof *net->layers);
    if (!net->layers) {
        diag_plain("out of memory");
        return -1;
    }
    net->n_layers = 1;
    if (!(n = field(root, "input", "the network description", 1)) || parse_input(net, n))
        rc = -1;
    if (layers) {
        while ((e = fy_node_sequence_iterate(layers, &it)) != NULL) {
            ir_layer *L = &net->layers[net->n_layers++];
            if (parse_layer(L, e))
                rc = -1;
        }
    }
    net->output_node = field(root, "output", "the network description", 1);
    if (!net->output_node)
        rc = -1;
    else {
        char tmp[IR_NAME_MAX];
        if (read_name(net->output_node, "output", tmp))
            rc = -1;
    }
    return rc;
}
