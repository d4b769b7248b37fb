/*
 * board.c - board files, the PLL, the resource estimate and fit check, and
 * the board top (see board.h; the schema and the model in docs/boards.md).
 */
#define _XOPEN_SOURCE 700
#include "board.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "parse.h"
#include "sched.h"

/* ---- reading boards/NAME.yaml: a table of fields, each with a validator
 * that returns NULL or the error message (the Redis config habit) ---- */

enum bkind { BK_TEXT, BK_PIN, BK_NUM, BK_INT, BK_BOOL, BK_PINS, BK_RANGE, BK_MAP };

typedef struct bfield {
    const char *key;
    enum bkind kind;
    size_t off;                 /* into board */
    size_t cap;                 /* text: buffer size */
    double lo, hi;              /* numbers: inclusive range */
    int required;
    const struct bfield *sub;   /* BK_MAP: its fields, ending with key NULL */
} bfield;

#define TEXT(k, m, req) {k, BK_TEXT, offsetof(board, m), sizeof(((board *)0)->m), 0, 0, req, NULL}
#define PIN(k, m, req) {k, BK_PIN, offsetof(board, m), BOARD_PIN_MAX, 0, 0, req, NULL}
#define NUM(k, m, lo, hi) {k, BK_NUM, offsetof(board, m), 0, lo, hi, 1, NULL}
#define INT(k, m, lo, hi) {k, BK_INT, offsetof(board, m), 0, lo, hi, 1, NULL}
#define BOOL(k, m, req) {k, BK_BOOL, offsetof(board, m), 0, 0, 0, req, NULL}
#define RANGE(k, m) {k, BK_RANGE, offsetof(board, m), 0, 1, 2000, 1, NULL}
#define MAP(k, sub) {k, BK_MAP, 0, 0, 0, 0, 1, sub}
#define END {NULL, BK_TEXT, 0, 0, 0, 0, 0, NULL}

static const bfield clock_fields[] = {PIN("pin", clock_pin, 1), NUM("mhz", osc_mhz, 1, 500),
                                      BOOL("pll_pad", clock_pll_pad, 0), END};
static const bfield pin_fields[] = {
    PIN("uart_rx", uart_rx, 1),
    PIN("uart_tx", uart_tx, 1),
    {"leds", BK_PINS, offsetof(board, leds), BOARD_PIN_MAX, 0, BOARD_MAX_LEDS, 1, NULL},
    BOOL("leds_active_low", leds_active_low, 1),
    PIN("button", button, 0),
    BOOL("button_active_low", button_active_low, 0),
    END,
};
static const bfield resource_fields[] = {
    INT("lut4", lut4, 1, 1000000), INT("ebr", ebr, 0, 10000), INT("spram", spram, 0, 1000),
    INT("dsp", dsp, 0, 10000),     INT("pll", pll, 0, 16),    END,
};
static const bfield pll_fields[] = {RANGE("pfd_mhz", pfd_mhz), RANGE("vco_mhz", vco_mhz), RANGE("out_mhz", out_mhz),
                                    END};
static const bfield board_fields[] = {
    INT("version", version, 1, 1),
    TEXT("name", name, 1),
    TEXT("description", description, 0),
    TEXT("device", device, 1),
    TEXT("package", package, 1),
    MAP("clock", clock_fields),
    NUM("target_mhz", target_mhz, 1, 500),
    MAP("pins", pin_fields),
    MAP("resources", resource_fields),
    MAP("pll", pll_fields),
    END,
};

/* nextpnr-ice40's device options (--up5k, --hx8k, ...) */
static const char *const known_devices[] = {"lp384", "lp1k", "lp4k", "lp8k", "hx1k", "hx4k",
                                            "hx8k",  "up3k", "up5k", "u4k",  NULL};

static const char *scalar_of(struct fy_node *n)
{
    const char *s;
    size_t len = 0;
    if (!n || !fy_node_is_scalar(n) || fy_node_is_null(n) || !(s = fy_node_get_scalar0(n)))
        return NULL;
    fy_node_get_scalar(n, &len);
    return strlen(s) == len ? s : NULL;
}

static const char *v_number(const char *s, double lo, double hi, double *out)
{
    static char msg[128];
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (!*s || isspace((unsigned char)*s) || *end || errno || !isfinite(v))
        return "must be a number";
    if (v < lo || v > hi) {
        snprintf(msg, sizeof msg, "must be in %g..%g", lo, hi);
        return msg;
    }
    *out = v;
    return NULL;
}

static const char *v_pin(const char *s, char *out)
{
    size_t i, n = strlen(s);
    if (n == 0 || n >= BOARD_PIN_MAX)
        return "must be a package pin (1..15 letters and digits, e.g. \"35\" or \"J3\")";
    for (i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]))
            return "must be a package pin (letters and digits, e.g. \"35\" or \"J3\")";
    memcpy(out, s, n + 1);
    return NULL;
}

/* Reads one field's value into the board; reports at the node. */
static int read_value(struct fy_node *n, const bfield *f, board *b)
{
    char *dst = (char *)b + f->off;
    const char *s = NULL, *err = NULL;
    if (f->kind != BK_PINS && f->kind != BK_RANGE && f->kind != BK_MAP && !(s = scalar_of(n))) {
        diag_node(n, "'%s' must be a scalar", f->key);
        return -1;
    }
    switch (f->kind) {
    case BK_TEXT:
        if (strlen(s) >= f->cap)
            err = "is too long";
        else
            memcpy(dst, s, strlen(s) + 1);
        break;
    case BK_PIN:
        err = v_pin(s, dst);
        break;
    case BK_NUM:
        err = v_number(s, f->lo, f->hi, (double *)(void *)dst);
        break;
    case BK_INT: {
        double v;
        err = v_number(s, f->lo, f->hi, &v);
        if (!err && v != floor(v))
            err = "must be an integer";
        if (!err)
            *(int *)(void *)dst = (int)v;
        break;
    }
    case BK_BOOL:
        if (!strcmp(s, "true") || !strcmp(s, "false"))
            *(int *)(void *)dst = s[0] == 't';
        else
            err = "must be true or false";
        break;
    case BK_PINS: {
        void *it = NULL;
        struct fy_node *e;
        int k = 0;
        if (!fy_node_is_sequence(n)) {
            err = "must be a list of package pins";
            break;
        }
        while ((e = fy_node_sequence_iterate(n, &it)) != NULL) {
            const char *es = scalar_of(e), *pe;
            if (k >= (int)f->hi) {
                diag_node(e, "'%s': at most %d pins", f->key, (int)f->hi);
                return -1;
            }
            if (!es || (pe = v_pin(es, b->leds[k])) != NULL) {
                diag_node(e, "'%s' %s", f->key, es ? pe : "must be a list of package pins");
                return -1;
            }
            k++;
        }
        b->n_leds = k;
        break;
    }
    case BK_RANGE: {
        double *r = (double *)(void *)dst;
        struct fy_node *a, *z;
        const char *sa, *sz;
        if (!fy_node_is_sequence(n) || fy_node_sequence_item_count(n) != 2 ||
            !(a = fy_node_sequence_get_by_index(n, 0)) || !(z = fy_node_sequence_get_by_index(n, 1)) ||
            !(sa = scalar_of(a)) || !(sz = scalar_of(z))) {
            err = "must be [min, max] in MHz";
            break;
        }
        if ((err = v_number(sa, f->lo, f->hi, &r[0])) == NULL && (err = v_number(sz, f->lo, f->hi, &r[1])) == NULL &&
            r[0] >= r[1])
            err = "must be [min, max] with min < max";
        break;
    }
    case BK_MAP:
        break;
    }
    if (err) {
        diag_node(n, "'%s' %s", f->key, err);
        return -1;
    }
    return 0;
}

/* Checks a mapping against its field table: unknown and missing fields,
 * then every value. */
static int read_map(struct fy_node *map, const char *what, const bfield *fields, board *b)
{
    void *it = NULL;
    struct fy_node_pair *p;
    const bfield *f;
    int rc = 0;
    if (!map || !fy_node_is_mapping(map)) {
        diag_node(map, "%s must be a mapping", what);
        return -1;
    }
    while ((p = fy_node_mapping_iterate(map, &it)) != NULL) {
        const char *k = scalar_of(fy_node_pair_key(p));
        for (f = fields; f->key && (!k || strcmp(f->key, k)); f++)
            ;
        if (!f->key) {
            diag_node(fy_node_pair_key(p), "unknown field '%s' in %s", k ? k : "?", what);
            rc = -1;
        }
    }
    for (f = fields; f->key; f++) {
        struct fy_node *v = fy_node_mapping_lookup_by_string(map, f->key, (size_t)-1);
        char sub[64];
        if (!v) {
            if (f->required) {
                diag_node(map, "missing field '%s' in %s", f->key, what);
                rc = -1;
            }
            continue;
        }
        snprintf(sub, sizeof sub, "'%s'", f->key);
        if (f->kind == BK_MAP ? read_map(v, sub, f->sub, b) : read_value(v, f, b))
            rc = -1;
    }
    return rc;
}

/* The boards in `dir`, for the message about an unknown name. */
static void list_boards(const char *dir, char *buf, size_t cap)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char names[64][64];
    int n = 0, i, j;
    size_t o = 0;
    buf[0] = '\0';
    if (!d)
        return;
    while ((e = readdir(d)) != NULL && n < 64) {
        size_t len = strlen(e->d_name);
        if (len > 5 && len < 64 && !strcmp(e->d_name + len - 5, ".yaml")) {
            memcpy(names[n], e->d_name, len - 5);
            names[n++][len - 5] = '\0';
        }
    }
    closedir(d);
    for (i = 1; i < n; i++)   /* sorted, so the message is stable */
        for (j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
            char t[64];
            memcpy(t, names[j], sizeof t);
            memcpy(names[j], names[j - 1], sizeof t);
            memcpy(names[j - 1], t, sizeof t);
        }
    for (i = 0; i < n && o < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", names[i]);
}

int board_load(const char *name, const char *dir, board *b)
{
    struct fy_parse_cfg cfg;
    struct fy_node *root;
    size_t len = strlen(name);
    FILE *f;
    int i;

    memset(b, 0, sizeof *b);
    if (strchr(name, '/') || (len > 5 && !strcmp(name + len - 5, ".yaml")))
        snprintf(b->file, sizeof b->file, "%s", name);
    else
        snprintf(b->file, sizeof b->file, "%s/%s.yaml", dir, name);
    if (!(f = fopen(b->file, "r"))) {
        char known[1024];
        list_boards(dir, known, sizeof known);
        diag_plain("no board '%s' (%s: %s); known boards: %s", name, b->file, strerror(errno),
                   known[0] ? known : "none");
        return -1;
    }
    fclose(f);

    memset(&cfg, 0, sizeof cfg);
    cfg.flags = FYPCF_QUIET;
    cfg.diag = diag_get();
    b->parser = fy_parser_create(&cfg);
    if (!b->parser || fy_parser_set_input_file(b->parser, b->file)) {
        diag_plain("cannot read '%s'", b->file);
        return -1;
    }
    b->doc = fy_parse_load_document(b->parser);
    if (!b->doc || !(root = fy_document_root(b->doc))) {
        void *eit = NULL;
        if (!fy_diag_errors_iterate(diag_get(), &eit))
            diag_at(b->file, 1, 1, "empty board description");
        return -1;
    }
    if (read_map(root, "the board description", board_fields, b))
        return -1;
    for (i = 0; known_devices[i] && strcmp(known_devices[i], b->device); i++)
        ;
    if (!known_devices[i]) {
        diag_node(fy_node_mapping_lookup_by_string(root, "device", (size_t)-1),
                  "'device' must be an iCE40 device of nextpnr-ice40 (up5k, hx8k, ...), got '%s'", b->device);
        return -1;
    }
    if (b->n_leds < 1) {
        diag_node(fy_node_by_path(root, "/pins/leds", (size_t)-1, FYNWF_DONT_FOLLOW), "'leds' must name at least one pin");
        return -1;
    }
    return 0;
}

void board_free(board *b)
{
    if (b->doc)
        fy_parse_document_destroy(b->parser, b->doc);
    if (b->parser)
        fy_parser_destroy(b->parser);
    b->doc = NULL;
    b->parser = NULL;
}

/* ---- the PLL ---- */

int board_pll_config(const board *b, double want_mhz, board_pll *p)
{
    double best = -1;
    int divr, divf, divq;
    memset(p, 0, sizeof *p);
    for (divr = 0; divr <= 15; divr++) {
        double pfd = b->osc_mhz / (divr + 1);
        if (pfd < b->pfd_mhz[0] || pfd > b->pfd_mhz[1])
            continue;
        for (divf = 0; divf <= 127; divf++) {
            double vco = pfd * (divf + 1);
            if (vco < b->vco_mhz[0] || vco > b->vco_mhz[1])
                continue;
            for (divq = 1; divq <= 6; divq++) {
                double out = vco / (1 << divq);
                if (out < b->out_mhz[0] || out > b->out_mhz[1])
                    continue;
                if (best < 0 || fabs(out - want_mhz) < best) {
                    best = fabs(out - want_mhz);
                    p->divr = divr;
                    p->divf = divf;
                    p->divq = divq;
                    p->pfd_mhz = pfd;
                    p->vco_mhz = vco;
                    p->out_mhz = out;
                }
            }
        }
    }
    if (best < 0)
        return -1;
    p->used = 1;
    /* icepll: the loop filter range by PFD frequency */
    p->filter_range = p->pfd_mhz < 17 ? 1 : p->pfd_mhz < 26 ? 2 : p->pfd_mhz < 44 ? 3 : p->pfd_mhz < 66 ? 4
                      : p->pfd_mhz < 101 ? 5 : 6;
    return 0;
}

/* ---- the resource model ----
 *
 * LUT4 figures measured with Yosys 0.23 `synth_ice40` on the templates, one
 * module at a time (docs/boards.md, "The fit check", has the table); they
 * are estimates, within about 15 % of the measured modules. A
 * requantizer (rf_requant) is a 32 x 32 multiplication: 1333 LUT4 when its
 * multiplier is a constant (one output-channel fold, NF = 1), about 2100
 * when it is one of two ROM words and 3100 for more; on SB_MAC16 blocks it
 * takes 4 of them and 100 (constant) or 400 LUT4. A product (x - zp) * w of
 * a MAC costs about 100 LUT4 with a constant weight (II = 1) and 200 with
 * weights from a ROM, adder tree included; a ROM-fed product on a DSP block
 * leaves 15. rf_add: per lane (PE of them) two input tables (two EBR each,
 * and their registers) and a full output requantizer, its product split
 * in two signed 16-bit digits of the multiplier (rf_requant SPLIT = 1). */

#define M_MAC_BASE 150
#define M_PROD_CONST 100
#define M_PROD_ROM 200
#define M_PROD_ON_DSP 15
#define M_RQ_CONST 1333
#define M_RQ_ROM2 2100
#define M_RQ_ROM 3100
#define M_RQ_ON_DSP_CONST 100
#define M_RQ_ON_DSP_ROM 400
#define M_RQ_DSP 4
/* rf_requant_serial in a placed design, its constant multiplier and shift
 * folded in (flat synth_ice40 + nextpnr logic cells: board_tiny, tiny_skip
 * and resnet_block on the HX8K, about 450 at DIGIT 4 and 480 at DIGIT 1 or
 * 2 with the MAC's output); 597 / 870 LUT4 for the module alone */
#define M_RQ_SERIAL_BASE 300
#define M_RQ_SERIAL_PER_DIGIT 40
/* an input table's registers: address, read and output (8 + 32 + 32 FF) */
#define M_ADD_IN_TAB 80
#define M_ADD_TAB_EBR 2
/* rf_add's output requantizer: a constant multiplier, about 600 cells placed
 * (the same designs; 1333 LUT4 for rf_requant alone), 331 with its DSP
 * blocks (the UP5K's placed designs save about 250 per lane; the add's fold
 * tags, about 20 cells, went since: board_tiny's add is about 280 cells
 * placed, resnet_block's folded add about 480, so the estimate is high) */
#define M_ADD_OUT_RQ 600
#define M_ADD_OUT_ON_DSP 331
#define M_ADD_GLUE 30
#define M_WINDOW_BASE 150
#define M_WINDOW_PER_CH 110
/* rf_window_fold: counters and address arithmetic, no window registers
 * (synth_ice40: 226 LUT4 + 104 FF at 1 channel, about 306 + 163 at 3 and 8):
 * 280 + 15 per input channel; and the STREAM MAC's registers beyond
 * M_MAC_BASE (its output register, the ROM words, the PIPE stages, the
 * requantizer's valid bits: 131 FF at 1 output channel, 255 at 8; the
 * valid bits are 3 since rf_requant_serial has y_next) */
#define M_WINDOW_FOLD 280
#define M_WINDOW_FOLD_PER_CH 15
#define M_MAC_STREAM 170
/* rf_axis_fifo's logic besides its RAM (count and high-water in
 * clog2(DEPTH+1) bits: 36 to 95 LUT4 and 31 to 65 FF; about 60 logic cells
 * placed, with no_rw_check) */
#define M_FIFO 70
#define M_FORK 10
/* the bridge besides its receive FIFO (330: the LEN register and the FIFO's
 * read-during-write logic went) */
#define M_BRIDGE 330
#define M_TOP 60

enum grp_kind { G_PRODUCTS, G_REQUANT, G_ADD_OUT };

typedef struct dsp_group {
    int stage;                  /* index into the stage estimates */
    enum grp_kind kind;
    int index;                  /* PE lane, or channel */
    int dsp;                    /* blocks it takes */
    long lut_saved;             /* LUT4 it saves on DSP blocks */
    int mapped;
    char pattern[320];          /* Yosys selection of its $mul cells */
    char what[128];
} dsp_group;

typedef struct stage_est {
    char name[IR_NAME_MAX + 32];
    const char *kind;           /* op name, "fifo", "fork", "uart bridge", "board top" */
    long lut4, ebr, dsp;        /* after the DSP plan */
    long lut4_all;              /* with every multiplier in LUTs */
    long line_ebr, mem_ebr;     /* line buffers; FIFO or ROM */
    int multipliers, requantizers;
} stage_est;

struct board_fit_result {
    board_opts o;
    board_pll pll;
    double clock_mhz;
    int clks_per_bit;
    double baud_error_pct;
    long rx_depth, timeout;
    long lead;                  /* PACE_LEAD, bytes (board_pace) */
    int paced;
    int n_st;
    stage_est *st;
    int n_g;
    dsp_group *g;
    long lut4, ebr, dsp;
    int fits;
};

long board_multiplier_budget(const board *b)
{
    return b->dsp + b->lut4 / 2 / M_PROD_ROM;
}

static long requant_luts(int nf)
{
    return nf == 1 ? M_RQ_CONST : nf == 2 ? M_RQ_ROM2 : M_RQ_ROM;
}

static stage_est *new_stage(board_fit_result *r, const char *kind, const char *fmt, ...) RF_PRINTF(3, 4);
static stage_est *new_stage(board_fit_result *r, const char *kind, const char *fmt, ...)
{
    stage_est *s;
    va_list ap;
    s = realloc(r->st, (size_t)(r->n_st + 1) * sizeof *s);
    if (!s)
        abort();
    r->st = s;
    s = &r->st[r->n_st++];
    memset(s, 0, sizeof *s);
    s->kind = kind;
    va_start(ap, fmt);
    vsnprintf(s->name, sizeof s->name, fmt, ap);
    va_end(ap);
    return s;
}

static dsp_group *new_group(board_fit_result *r, enum grp_kind kind, int dsp, long saved)
{
    dsp_group *g = realloc(r->g, (size_t)(r->n_g + 1) * sizeof *g);
    if (!g)
        abort();
    r->g = g;
    g = &r->g[r->n_g++];
    memset(g, 0, sizeof *g);
    g->stage = r->n_st - 1;
    g->kind = kind;
    g->dsp = dsp;
    g->lut_saved = saved;
    return g;
}

/* SB_MAC16 blocks of a multiplication by the constant m, with x_chunks
 * 16-bit pieces of the other operand: Yosys (wreduce, mul2dsp) drops the
 * constant's trailing zero bits and splits the rest, with its sign bit,
 * into 16-bit pieces; a power of two (or 0) is a shift and takes none. */
static int const_mul_dsp(long long m, int x_chunks)
{
    int bits = 0;
    if (m <= 0 || (m & (m - 1)) == 0)
        return 0;
    while (!(m & 1))
        m >>= 1;
    while (m) {
        bits++;
        m >>= 1;
    }
    return x_chunks * ((bits + 1 + 15) / 16);
}

static void estimate_mac(board_fit_result *r, const ir_net *net, const ir_layer *L)
{
    stage_est *s;
    int depth = ir_mac_depth(L), sf = depth / L->simd, nf = L->c / L->pe, ii = sf * nf, k;
    int digit = stage_requant_digit(L);
    long prod = ii == 1 ? M_PROD_CONST : M_PROD_ROM;
    long rq = digit ? M_RQ_SERIAL_BASE + (long)M_RQ_SERIAL_PER_DIGIT * digit : requant_luts(nf);
    s = new_stage(r, ir_op_name(L->op), "%s", L->name);
    s->multipliers = L->pe * L->simd;
    s->requantizers = L->pe;
    /* the window slice's SF-way multiplexers, unless the window streams
     * the slices (rf_window_fold) */
    s->lut4_all = M_MAC_BASE + (long)s->multipliers * prod +
                  (sf > 1 && !stage_window_fold(L) ? (long)L->simd * 8 * (sf - 1) / 3 : 0) + (long)L->pe * rq;
    /* the weight ROM goes to EBR when deep, else into LUTs (in M_PROD_ROM) */
    if (ii >= 64)
        s->mem_ebr = sched_ebr_blocks(ii, L->pe * L->simd * 8);
    if (stage_window_fold(L)) {
        s->lut4_all += M_WINDOW_FOLD + (long)M_WINDOW_FOLD_PER_CH * L->in_c + M_MAC_STREAM;
        s->line_ebr = sched_line_buffer_ebr(net, L);
    } else if (ir_uses_window(L)) {
        s->lut4_all += M_WINDOW_BASE + (long)M_WINDOW_PER_CH * L->in_c * L->kernel * L->kernel / 9;
        s->line_ebr = sched_line_buffer_ebr(net, L);
    }
    /* constant products (II = 1) become shift-and-add logic and stay in
     * LUTs; products of ROM weights can use DSP blocks */
    if (ii > 1) {
        dsp_group *g = new_group(r, G_PRODUCTS, s->multipliers, (long)s->multipliers * (prod - M_PROD_ON_DSP));
        snprintf(g->what, sizeof g->what, "%s: %d products", L->name, s->multipliers);
        snprintf(g->pattern, sizeof g->pattern, "rf_board_top/*u_net.?u_%s_mac.$mul$* r:Y_WIDTH>=17 %%i", L->name);
    }
    /* a serial requantizer (rf_requant_serial) has no multiplier */
    for (k = 0; k < L->pe && !digit; k++) {
        /* NF = 1: the multiplier is a constant (a one-word ROM), times the
         * 32-bit accumulator */
        int n = nf == 1 ? const_mul_dsp(L->mult[k], 2) : M_RQ_DSP;
        dsp_group *g;
        if (!n)
            continue;
        g = new_group(r, G_REQUANT, n, rq - (nf == 1 ? M_RQ_ON_DSP_CONST : M_RQ_ON_DSP_ROM));
        g->index = k;
        snprintf(g->what, sizeof g->what, "%s: requantizer %d", L->name, k);
        snprintf(g->pattern, sizeof g->pattern, "rf_board_top/*u_net.?u_%s_mac.?g_pe?%d?.g_par.u_rq.$mul$*", L->name,
                 k);
    }
}

static void estimate_add(board_fit_result *r, const ir_layer *L)
{
    stage_est *s = new_stage(r, "add", "%s", L->name);
    int c, nf = L->c / L->pe;
    long long m = L->addp.out_mult, lo = (int16_t)(uint16_t)(m & 0xffff), hi = (m - lo) / 65536;
    s->requantizers = L->pe;
    s->lut4_all = (long)L->pe * (M_ADD_OUT_RQ + 2 * M_ADD_IN_TAB + M_ADD_GLUE);
    s->mem_ebr = 2L * M_ADD_TAB_EBR * L->pe;
    /* folded (NF > 1): the two input registers and the lanes' NF-way
     * multiplexers, as the MAC's window slice */
    if (nf > 1)
        s->lut4_all += 2L * L->c * 8 + 2L * L->pe * 8 * (nf - 1) / 3;
    /* the sum is 32 bits (2 pieces) times each signed 16-bit digit of the
     * multiplier (rf_requant SPLIT = 1: m = hi * 2^16 + lo) */
    int n_out = const_mul_dsp(lo < 0 ? -lo : lo, 2) + const_mul_dsp(hi < 0 ? -hi : hi, 2);
    for (c = 0; c < L->pe && n_out; c++) {
        dsp_group *g = new_group(r, G_ADD_OUT, n_out, M_ADD_OUT_RQ - M_ADD_OUT_ON_DSP);
        g->index = c;
        snprintf(g->what, sizeof g->what, "%s: lane %d output requantizer", L->name, c);
        snprintf(g->pattern, sizeof g->pattern, "rf_board_top/*u_net.?u_%s_add.?g_ch?%d?.u_rqo.$mul$*", L->name, c);
    }
}

/* Other stages: pools, the global pool (their constant dividers stay in
 * LUTs). */
static void estimate_other(board_fit_result *r, const ir_net *net, const ir_layer *L)
{
    stage_est *s = new_stage(r, ir_op_name(L->op), "%s", L->name);
    if (L->op == IR_GLOBAL_POOL) {
        s->lut4_all = 200L * L->c;
    } else {
        s->lut4_all = 20L * L->kernel * L->kernel * L->c + (L->op == IR_AVG_POOL ? 150L * L->c : 0);
        if (ir_uses_window(L)) {
            s->lut4_all += M_WINDOW_BASE + (long)M_WINDOW_PER_CH * L->in_c * L->kernel * L->kernel / 9;
            s->line_ebr = sched_line_buffer_ebr(net, L);
        }
    }
}

/* A FIFO of depth x width bits: Yosys puts it in EBR from about 512 bits
 * (rf_axis_fifo stores tlast and tuser too). */
static long fifo_ebr(long depth, int width)
{
    return depth * (width + 2) >= 512 ? sched_ebr_blocks(depth, width + 2) : 0;
}

/* ---- pacing the image over the UART (board.h, board_pace) ---- */

int board_pace_need(const ir_net *net, int window_extra, long *need)
{
    long **map = calloc((size_t)net->n_layers + 1, sizeof *map);
    int i, k, rc = 0;
    if (!map)
        return -1;
    /* layers are in topological order: a layer's inputs are mapped first */
    for (i = 0; i <= net->output && rc == 0; i++) {
        const ir_layer *L = &net->layers[i];
        long n = (long)L->h * L->w, j;
        if (!(map[i] = malloc((size_t)n * sizeof **map))) {
            rc = -1;
            break;
        }
        if (i == 0) {
            for (j = 0; j < n; j++)
                map[i][j] = j;
        } else if (L->op == IR_GLOBAL_POOL) {
            const ir_layer *S = &net->layers[L->in[0]];
            for (j = 0; j < n; j++)
                map[i][j] = map[L->in[0]][(long)S->h * S->w - 1];
        } else if (ir_uses_window(L)) {
            const ir_layer *S = &net->layers[L->in[0]];
            long last = (long)S->h * S->w - 1;
            for (j = 0; j < n; j++) {
                long oy = j / L->w, ox = j % L->w;
                long sy = oy * L->stride - L->pad_t + L->kernel - 1, sx = ox * L->stride - L->pad_l + L->kernel - 1;
                long src;
                sy = sy < 0 ? 0 : sy > S->h - 1 ? S->h - 1 : sy;
                sx = sx < 0 ? 0 : sx > S->w - 1 ? S->w - 1 : sx;
                src = sy * S->w + sx + window_extra;
                map[i][j] = map[L->in[0]][src > last ? last : src];
            }
        } else {
            /* 1x1 stride 1, dense (1 x 1), add: pixel j of every input */
            for (j = 0; j < n; j++) {
                map[i][j] = -1;
                for (k = 0; k < L->n_inputs; k++) {
                    const ir_layer *S = &net->layers[L->in[k]];
                    assert(j < (long)S->h * S->w);
                    if (map[L->in[k]][j] > map[i][j])
                        map[i][j] = map[L->in[k]][j];
                }
            }
        }
    }
    if (rc == 0)
        memcpy(need, map[net->output],
               (size_t)net->layers[net->output].h * (size_t)net->layers[net->output].w * sizeof *need);
    for (i = 0; i < net->n_layers; i++)
        free(map[i]);
    free(map);
    return rc;
}

long board_pace_allowed(long lead, long in, long out, long r)
{
    long long a;
    if (out <= in)
        return in;
    a = (long long)lead + (long long)r * in / out;
    return a < in ? (long)a : in;
}

int board_pace_plan(const ir_net *net, board_pace *p)
{
    const ir_layer *in = &net->layers[0], *out = &net->layers[net->output];
    long n_out = (long)out->h * out->w, q, worst = 0;
    long *hi, *lo;
    memset(p, 0, sizeof *p);
    p->in_bytes = (long)in->h * in->w * in->c;
    p->out_bytes = n_out * out->c;
    p->lead = p->in_bytes;
    p->rx_depth = 256;
    if (p->out_bytes <= p->in_bytes)
        return 0;
    p->paced = 1;
    hi = malloc((size_t)n_out * sizeof *hi);
    lo = malloc((size_t)n_out * sizeof *lo);
    if (!hi || !lo || board_pace_need(net, 1, hi) || board_pace_need(net, 0, lo)) {
        free(hi);
        free(lo);
        return -1;
    }
    /* the smallest LEAD with allowed(p * C_out) >= (need_hi(p) + 1) * C_in */
    p->lead = in->c;
    for (q = 0; q < n_out; q++) {
        long v = (hi[q] + 1) * in->c - (long)((long long)q * out->c * p->in_bytes / p->out_bytes);
        if (v > p->lead)
            p->lead = v;
    }
    if (p->lead > p->in_bytes)
        p->lead = p->in_bytes;
    /* the most the FIFO can hold: sent but not yet consumed */
    for (q = 0; q <= n_out; q++) {
        long v = board_pace_allowed(p->lead, p->in_bytes, p->out_bytes, q * out->c) -
                 (q ? (lo[q - 1] + 1) * in->c : 0);
        if (v > worst)
            worst = v;
    }
    p->rx_depth = worst + 64;
    free(hi);
    free(lo);
    return 0;
}

/* The UART: cycles per bit, the host's pacing (LEAD) and the bridge's
 * receive FIFO (board_pace_plan). Returns 0, or -1 when out of memory. */
static int size_uart(board_fit_result *r, const ir_net *net)
{
    board_pace p;
    double cpb = r->clock_mhz * 1e6 / (double)r->o.baud;
    r->clks_per_bit = (int)floor(cpb + 0.5);
    r->baud_error_pct = r->clks_per_bit > 0 ? 100.0 * fabs(cpb - r->clks_per_bit) / r->clks_per_bit : 100.0;
    if (board_pace_plan(net, &p))
        return -1;
    r->rx_depth = p.rx_depth;
    r->lead = p.lead;
    r->paced = p.paced;
    /* an input frame silent for 100 ms is abandoned */
    r->timeout = (long)(r->clock_mhz * 1e5);
    return 0;
}

/* The stages in order of their LUT4, for the messages. */
static int by_lut(const void *a, const void *b)
{
    const stage_est *x = *(const stage_est *const *)a, *y = *(const stage_est *const *)b;
    return (y->lut4 > x->lut4) - (y->lut4 < x->lut4);
}

static int by_ebr(const void *a, const void *b)
{
    const stage_est *x = *(const stage_est *const *)a, *y = *(const stage_est *const *)b;
    long ex = x->line_ebr + x->mem_ebr, ey = y->line_ebr + y->mem_ebr;
    return (ey > ex) - (ey < ex);
}

static int by_dsp(const void *a, const void *b)
{
    const stage_est *x = *(const stage_est *const *)a, *y = *(const stage_est *const *)b;
    return (y->dsp > x->dsp) - (y->dsp < x->dsp);
}

/* The DSP groups in order of LUT4 saved per block (then in stage order). */
static int by_saving(const void *a, const void *b)
{
    const dsp_group *x = *(const dsp_group *const *)a, *y = *(const dsp_group *const *)b;
    double sx = (double)x->lut_saved / x->dsp, sy = (double)y->lut_saved / y->dsp;
    if (sx != sy)
        return sx < sy ? 1 : -1;
    return (x > y) - (x < y);
}

static void plan_dsp(board_fit_result *r, const board *b)
{
    dsp_group **order = calloc((size_t)r->n_g + 1, sizeof *order);
    long left = b->dsp;
    int i;
    if (!order)
        abort();
    for (i = 0; i < r->n_g; i++)
        order[i] = &r->g[i];
    qsort(order, (size_t)r->n_g, sizeof *order, by_saving);
    for (i = 0; i < r->n_g; i++) {
        dsp_group *g = order[i];
        if (r->o.mul == BOARD_MUL_DSP || (r->o.mul == BOARD_MUL_AUTO && g->dsp <= left)) {
            g->mapped = 1;
            left -= g->dsp;
        }
    }
    free(order);
    for (i = 0; i < r->n_g; i++)
        if (r->g[i].mapped) {
            r->st[r->g[i].stage].dsp += r->g[i].dsp;
            r->st[r->g[i].stage].lut4 -= r->g[i].lut_saved;
        }
}

/* "a 1,234, b 567 and c 89" for the largest stages by `key`. */
static void name_stages(board_fit_result *r, int (*cmp)(const void *, const void *), int what, char *buf, size_t cap)
{
    stage_est **v = calloc((size_t)r->n_st + 1, sizeof *v);
    size_t o = 0;
    int i, n = 0;
    if (!v)
        abort();
    for (i = 0; i < r->n_st; i++)
        v[i] = &r->st[i];
    qsort(v, (size_t)r->n_st, sizeof *v, cmp);
    buf[0] = '\0';
    for (i = 0; i < r->n_st && n < 4 && o < cap; i++) {
        long x = what == 0 ? v[i]->lut4 : what == 1 ? v[i]->line_ebr + v[i]->mem_ebr : v[i]->dsp;
        if (x <= 0)
            continue;
        o += (size_t)snprintf(buf + o, cap - o, "%s%s %ld", n ? ", " : "", v[i]->name, x);
        if (what == 0 && (v[i]->multipliers || v[i]->requantizers) && o < cap)
            o += (size_t)snprintf(buf + o, cap - o, " (%d multipliers, %d requantizers)", v[i]->multipliers,
                                  v[i]->requantizers);
        if (what == 1 && v[i]->line_ebr && o < cap)
            o += (size_t)snprintf(buf + o, cap - o, " (line buffers %ld)", v[i]->line_ebr);
        n++;
    }
    free(v);
}

/* The layer with weights that takes the most: what to fold. */
static const char *fold_candidate(const board_fit_result *r, int dsp)
{
    const stage_est *best = NULL;
    int i;
    for (i = 0; i < r->n_st; i++)
        if (r->st[i].multipliers && (!best || (dsp ? r->st[i].dsp > best->dsp : r->st[i].lut4 > best->lut4)))
            best = &r->st[i];
    return best ? best->name : "the convolutions";
}

int board_fit(const ir_net *net, const board *b, const board_opts *o, board_fit_result **out)
{
    board_fit_result *r = calloc(1, sizeof *r);
    char list[1024];
    int i, k, rc = 0;
    *out = r;
    if (!r) {
        diag_plain("out of memory");
        return -1;
    }
    r->o = *o;
    if (r->o.baud <= 0)
        r->o.baud = 1000000;
    r->clock_mhz = o->clock_mhz > 0 ? o->clock_mhz : b->target_mhz;

    /* the clock: the oscillator itself, or the PLL */
    if (fabs(r->clock_mhz - b->osc_mhz) < 1e-9) {
        r->clock_mhz = b->osc_mhz;
    } else if (b->pll < 1) {
        diag_plain("%s has no PLL: the clock can only be the %g MHz oscillator (--clock-mhz %g)", b->name,
                   b->osc_mhz, b->osc_mhz);
        rc = -1;
    } else if (board_pll_config(b, r->clock_mhz, &r->pll)) {
        diag_plain("no PLL setting of %s reaches %g MHz from %g MHz (output %g..%g MHz)", b->name, r->clock_mhz,
                   b->osc_mhz, b->out_mhz[0], b->out_mhz[1]);
        rc = -1;
    } else {
        r->clock_mhz = r->pll.out_mhz;
    }
    if (size_uart(r, net)) {
        diag_plain("out of memory");
        return -1;
    }
    if (r->clks_per_bit < 4 || r->baud_error_pct > 2.0) {
        diag_plain("%ld baud at %g MHz is %.2f cycles per bit: the UART needs at least 4, and a rate within 2 %% "
                   "(choose --baud so that %g MHz / baud is close to an integer)",
                   r->o.baud, r->clock_mhz, r->clock_mhz * 1e6 / (double)r->o.baud, r->clock_mhz);
        rc = -1;
    }

    /* every stage, the FIFOs, forks, the bridge and the board top */
    for (i = 1; i < net->n_layers; i++) {
        const ir_layer *L = &net->layers[i];
        if (ir_has_weights(L->op))
            estimate_mac(r, net, L);
        else if (L->op == IR_ADD)
            estimate_add(r, L);
        else
            estimate_other(r, net, L);
    }
    for (i = 0; i < net->n_layers; i++)
        if (net->layers[i].n_consumers > 1)
            new_stage(r, "fork", "%s fork", net->layers[i].name)->lut4_all = M_FORK;
    for (k = 0; k < net->n_fifos; k++) {
        stage_est *s = new_stage(r, "fifo", "FIFO %s", net->fifos[k].name);
        s->lut4_all = M_FIFO;
        s->mem_ebr = fifo_ebr(net->fifos[k].depth, net->fifos[k].width_bits);
    }
    {
        stage_est *s = new_stage(r, "uart bridge", "UART bridge");
        s->lut4_all = M_BRIDGE + 280;   /* its receive FIFO's logic, 24-bit counters, overrun flag */
        s->mem_ebr = fifo_ebr(r->rx_depth, 8);
        new_stage(r, "board top", "board top (PLL, reset, LEDs)")->lut4_all = M_TOP;
    }
    for (i = 0; i < r->n_st; i++)
        r->st[i].lut4 = r->st[i].lut4_all;
    plan_dsp(r, b);
    for (i = 0; i < r->n_st; i++) {
        r->lut4 += r->st[i].lut4;
        r->ebr += r->st[i].line_ebr + r->st[i].mem_ebr;
        r->dsp += r->st[i].dsp;
    }

    if (r->dsp > b->dsp) {
        name_stages(r, by_dsp, 2, list, sizeof list);
        diag_plain("needs %ld DSP, the board has %d (%s): lower PE/SIMD of %s or map its multipliers to LUTs "
                   "(--multipliers auto or lut)",
                   r->dsp, b->dsp, list, fold_candidate(r, 1));
        rc = -1;
    }
    if (r->lut4 > b->lut4) {
        name_stages(r, by_lut, 0, list, sizeof list);
        diag_plain("needs about %ld logic cells (LUT4, estimate), the board has %d: %s; lower PE/SIMD of %s "
                   "(or fold to a target: --target-cycles N), or use fewer channels: a requantizer costs about %d "
                   "in LUTs, an add has 1 per lane (its pe)",
                   r->lut4, b->lut4, list, fold_candidate(r, 0), M_RQ_CONST);
        rc = -1;
    }
    if (r->ebr > b->ebr) {
        name_stages(r, by_ebr, 1, list, sizeof list);
        diag_plain("needs %ld EBR (4 Kbit blocks), the board has %d: %s; a window's line buffers hold (K + "
                   "stride) lines of a pixel's bits (folded to SIMD | C_in: in one RAM; else one RAM per line, "
                   "256 pixels per block): fewer channels, or a smaller image for the FIFOs",
                   r->ebr, b->ebr, list);
        rc = -1;
    }
    r->fits = rc == 0;
    return rc;
}

void board_fit_free(board_fit_result *r)
{
    if (!r)
        return;
    free(r->st);
    free(r->g);
    free(r);
}

int board_load_net(const char *path, const ir_load_opts *lo, const board *b, ir_net *net)
{
    long total = 0, budget = board_multiplier_budget(b);
    int i;
    if (ir_load_ex(path, lo, net))
        return -1;
    /* folded to a target without a budget of its own: the fewest multipliers
     * the target allows must fit the board */
    if (net->target_cpf <= 0 || net->max_multipliers > 0)
        return 0;
    for (i = 1; i < net->n_layers; i++)
        if (ir_has_weights(net->layers[i].op))
            total += (long)net->layers[i].pe * net->layers[i].simd;
    if (total <= budget)
        return 0;
    diag_node(net->target_node, "the folding needs %ld multipliers, more than the %ld the %s can hold (%d DSP blocks "
              "and half of %d LUT4): lower the target", total, budget, b->name, b->dsp, b->lut4);
    return -1;
}

/* 1 when the network folded to `target` fits b by the estimate, 0 when
 * not, -1 when it does not load; nothing is reported but load errors. */
static int fits_at(const char *path, int width, int height, long target, const board *b, const board_opts *o)
{
    ir_net n;
    board_fit_result *r = NULL;
    ir_load_opts lo = {0};
    int rc, mark;
    lo.width = width;
    lo.height = height;
    lo.target_cpf = target;
    lo.registered_ready = 1;   /* as every board build (main.c) */
    memset(&n, 0, sizeof n);
    if (ir_load_ex(path, &lo, &n)) {
        ir_net_free(&n);
        return -1;
    }
    mark = diag_plain_mark();
    n.bounds_only = 1;
    rc = sched_run(&n, NULL, 0) == 0 && board_fit(&n, b, o, &r) == 0;
    diag_plain_rewind(mark);
    board_fit_free(r);
    ir_net_free(&n);
    return rc;
}

int board_auto_fold(const char *path, int width, int height, const board *b, const board_opts *o,
                    long *target_cpf)
{
    long lo = 1, hi = 2000000000L, mid;
    int f;
    ir_net n;
    board bh;
    ir_load_opts o0 = {0};
    *target_cpf = 0;
    /* a target of the file's own is kept */
    o0.width = width;
    o0.height = height;
    o0.registered_ready = 1;
    memset(&n, 0, sizeof n);
    f = ir_load_ex(path, &o0, &n);
    if (!f && n.target_cpf > 0)
        f = 1;
    ir_net_free(&n);
    if (f)
        return f < 0 ? -1 : 0;
    f = fits_at(path, width, height, 0, b, o);
    if (f != 0)
        return f < 0 ? -1 : 0;
    /* with the headroom placement wants (board_files' note: 85 % of the
     * logic cells), or else the smallest folding */
    bh = *b;
    bh.lut4 = b->lut4 * 85 / 100;
    if (fits_at(path, width, height, hi, &bh, o) != 1) {
        *target_cpf = hi;
        return 0;
    }
    /* invariant: hi fits, lo (or anything below it) was not shown to */
    while (hi - lo > 1) {
        mid = lo + (hi - lo) / 2;
        if (fits_at(path, width, height, mid, &bh, o) == 1)
            hi = mid;
        else
            lo = mid;
    }
    *target_cpf = hi;
    return 0;
}

/* ---- the board files ---- */

/* The text of a file being rendered: a memory stream (POSIX open_memstream). */
typedef struct tbuf {
    FILE *f;
    char *s;
    size_t len;
} tbuf;

static void tb_printf(tbuf *b, const char *fmt, ...) RF_PRINTF(2, 3);
static void tb_printf(tbuf *b, const char *fmt, ...)
{
    va_list ap;
    if (!b->f && !(b->f = open_memstream(&b->s, &b->len)))
        abort();
    va_start(ap, fmt);
    vfprintf(b->f, fmt, ap);
    va_end(ap);
}

static void add_file(emit_extra **v, int *n, const char *path, tbuf *t)
{
    emit_extra *e = realloc(*v, (size_t)(*n + 1) * sizeof *e);
    if (!e)
        abort();
    *v = e;
    if (t->f && fclose(t->f))
        abort();
    e[*n].path = strdup(path);
    e[*n].text = t->s ? t->s : strdup("");
    if (!e[*n].path || !e[*n].text)
        abort();
    (*n)++;
    memset(t, 0, sizeof *t);
}

void board_files_free(emit_extra *files, int n)
{
    int i;
    for (i = 0; files && i < n; i++) {
        free(files[i].path);
        free(files[i].text);
    }
    free(files);
}

/* The file name without its directories, printable ASCII only (for comments). */
static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

static void render_core(tbuf *t, const ir_net *net, const board_fit_result *r)
{
    const ir_layer *in = &net->layers[0], *out = &net->layers[net->output];
    int i;
    tb_printf(t, "// rf_board_core: resflow_%s behind the UART bridge (docs/boards.md, the frame protocol).\n"
                 "// Generated by `resflow gen --board` from %s. Do not edit.\n\n",
              net->name, base_name(net->file));
    tb_printf(t, "`resetall\n`timescale 1ns / 1ps\n`default_nettype none\n\n");
    tb_printf(t, "module rf_board_core #(\n"
                 "    // directory prefix of the mem/*.mem ROM files (with a trailing '/')\n"
                 "    parameter MEM_PATH = \"\",\n"
                 "    // clock cycles per UART bit (%g MHz / %ld baud)\n"
                 "    parameter CLKS_PER_BIT = %d,\n"
                 "    // receive FIFO, bytes (gen/board.c board_pace_plan: sized for PACE_LEAD)\n"
                 "    parameter RX_DEPTH = %ld,\n"
                 "    // input bytes the host may send ahead of the output (LEAD, docs/boards.md)\n"
                 "    parameter PACE_LEAD = %ld,\n"
                 "    // idle cycles that abandon an unfinished input frame (100 ms)\n"
                 "    parameter TIMEOUT = %ld\n"
                 ") (\n"
                 "    input  wire clk,\n    input  wire rst,\n\n"
                 "    input  wire uart_rx,\n    output wire uart_tx,\n\n"
                 "    // a board -> host frame was sent (one cycle); its STATUS was not 0\n"
                 "    output wire frame_sent,\n    output wire error\n);\n\n",
              r->clock_mhz, r->o.baud, r->clks_per_bit, r->rx_depth, r->lead, r->timeout);
    tb_printf(t, "wire [%d:0] in_tdata;\nwire in_tvalid, in_tready, in_tlast, in_tuser;\n", in->c * 8 - 1);
    tb_printf(t, "wire [%d:0] out_tdata;\nwire out_tvalid, out_tready, out_tlast, out_tuser;\n", out->c * 8 - 1);
    tb_printf(t, "wire net_rst;\n");
    if (net->n_fifos) {
        tb_printf(t, "// FIFO statistics, for simulation only\n/* verilator lint_off UNUSEDSIGNAL */\n");
        for (i = 0; i < net->n_fifos; i++)
            tb_printf(t, "wire [31:0] stat_%s_count, stat_%s_high_water;\n", net->fifos[i].name, net->fifos[i].name);
        tb_printf(t, "/* verilator lint_on UNUSEDSIGNAL */\n");
    }
    tb_printf(t, "\nrf_uart_bridge #(\n"
                 "    .IN_HEIGHT(%d),\n    .IN_WIDTH(%d),\n    .IN_CH(%d),\n"
                 "    .OUT_HEIGHT(%d),\n    .OUT_WIDTH(%d),\n    .OUT_CH(%d),\n"
                 "    .CLKS_PER_BIT(CLKS_PER_BIT),\n    .RX_DEPTH(RX_DEPTH),\n    .PACE_LEAD(PACE_LEAD),\n"
                 "    .TIMEOUT(TIMEOUT)\n"
                 ") u_bridge (\n"
                 "    .clk(clk),\n    .rst(rst),\n    .rxd(uart_rx),\n    .txd(uart_tx),\n"
                 "    .m_axis_tdata(in_tdata),\n    .m_axis_tvalid(in_tvalid),\n    .m_axis_tready(in_tready),\n"
                 "    .m_axis_tlast(in_tlast),\n    .m_axis_tuser(in_tuser),\n"
                 "    .s_axis_tdata(out_tdata),\n    .s_axis_tvalid(out_tvalid),\n    .s_axis_tready(out_tready),\n"
                 "    .s_axis_tlast(out_tlast),\n    .s_axis_tuser(out_tuser),\n"
                 "    .net_rst(net_rst),\n    .frame_sent(frame_sent),\n    .error(error)\n);\n\n",
              in->h, in->w, in->c, out->h, out->w, out->c);
    tb_printf(t, "resflow_%s #(\n    .MEM_PATH(MEM_PATH)\n) u_net (\n"
                 "    .clk(clk),\n    .rst(rst || net_rst),\n"
                 "    .s_axis_tdata(in_tdata),\n    .s_axis_tvalid(in_tvalid),\n    .s_axis_tready(in_tready),\n"
                 "    .s_axis_tlast(in_tlast),\n    .s_axis_tuser(in_tuser),\n"
                 "    .m_axis_tdata(out_tdata),\n    .m_axis_tvalid(out_tvalid),\n    .m_axis_tready(out_tready),\n"
                 "    .m_axis_tlast(out_tlast),\n    .m_axis_tuser(out_tuser)%s\n",
              net->name, net->n_fifos ? "," : "");
    for (i = 0; i < net->n_fifos; i++)
        tb_printf(t, "    .stat_%s_count(stat_%s_count),\n    .stat_%s_high_water(stat_%s_high_water)%s\n",
                  net->fifos[i].name, net->fifos[i].name, net->fifos[i].name, net->fifos[i].name,
                  i + 1 < net->n_fifos ? "," : "");
    tb_printf(t, ");\n\nendmodule\n\n`resetall\n");
}

static void render_top(tbuf *t, const ir_net *net, const board *b, const board_fit_result *r)
{
    int i, n = b->n_leds;
    tb_printf(t, "// rf_board_top: resflow_%s on the %s (%s), generated by `resflow gen --board %s`\n"
                 "// from %s and boards/%s. Do not edit.\n//\n",
              net->name, b->description[0] ? b->description : b->name, b->device, b->name, base_name(net->file),
              base_name(b->file));
    if (r->pll.used)
        tb_printf(t, "// Clock: %g MHz oscillator -> SB_PLL40_%s -> %.3f MHz (PFD %.3f MHz, VCO %.3f MHz).\n",
                  b->osc_mhz, b->clock_pll_pad ? "PAD" : "CORE", r->clock_mhz, r->pll.pfd_mhz, r->pll.vco_mhz);
    else
        tb_printf(t, "// Clock: the %g MHz oscillator, no PLL.\n", b->osc_mhz);
    tb_printf(t, "// UART: %ld baud, 8N1, %d cycles per bit. Reset: PLL lock%s.\n", r->o.baud, r->clks_per_bit,
              b->button[0] ? " and the button" : "");
    tb_printf(t, "// LEDs: led[0] heartbeat%s%s.\n\n", n > 1 ? ", led[1] the last frame's STATUS was not 0" : "",
              n > 2 ? ", led[2] toggles per frame sent" : "");
    tb_printf(t, "`resetall\n`timescale 1ns / 1ps\n`default_nettype none\n\n");
    tb_printf(t, "module rf_board_top #(\n"
                 "    // directory prefix of the mem/*.mem ROM files (with a trailing '/')\n"
                 "    parameter MEM_PATH = \"\"\n) (\n"
                 "    input  wire       clk,       // %g MHz oscillator, pin %s\n"
                 "    input  wire       uart_rx,   // pin %s\n"
                 "    output wire       uart_tx,   // pin %s\n",
              b->osc_mhz, b->clock_pin, b->uart_rx, b->uart_tx);
    if (b->button[0])
        tb_printf(t, "    input  wire       btn,       // pin %s, active %s\n", b->button,
                  b->button_active_low ? "low" : "high");
    tb_printf(t, "    output wire [%d:0] led        // active %s\n);\n\n", n - 1, b->leds_active_low ? "low" : "high");
    tb_printf(t, "wire clk_sys;\nwire locked;\n\n");
    if (r->pll.used) {
        tb_printf(t, "SB_PLL40_%s #(\n"
                     "    .FEEDBACK_PATH(\"SIMPLE\"),\n"
                     "    .DIVR(4'd%d),\n    .DIVF(7'd%d),\n    .DIVQ(3'd%d),\n    .FILTER_RANGE(3'd%d)\n"
                     ") u_pll (\n"
                     "    .%s(clk),\n    .PLLOUTGLOBAL(clk_sys),\n    .PLLOUTCORE(),\n    .LOCK(locked),\n"
                     "    .RESETB(1'b1),\n    .BYPASS(1'b0)\n);\n\n",
                     b->clock_pll_pad ? "PAD" : "CORE", r->pll.divr, r->pll.divf, r->pll.divq, r->pll.filter_range,
                     b->clock_pll_pad ? "PACKAGEPIN" : "REFERENCECLK");
    } else {
        tb_printf(t, "assign clk_sys = clk;\nassign locked = 1'b1;\n\n");
    }
    tb_printf(t, "// reset: held from configuration until the PLL locks%s, released\n"
                 "// synchronously 4 cycles later\n",
              b->button[0] ? " and while the button is pressed" : "");
    tb_printf(t, "reg [1:0] btn_sync_reg = 2'b00;\nreg [3:0] rst_sync_reg = 4'hf;\n");
    tb_printf(t, "wire pressed = %s;\n", b->button[0] ? (b->button_active_low ? "!btn" : "btn") : "1'b0");
    tb_printf(t, "always @(posedge clk_sys) begin\n"
                 "    btn_sync_reg <= {btn_sync_reg[0], pressed};\n"
                 "    rst_sync_reg <= {rst_sync_reg[2:0], !locked || btn_sync_reg[1]};\nend\n"
                 "wire rst = rst_sync_reg[3];\n\n");
    tb_printf(t, "wire frame_sent;\nwire frame_error;\n\n"
                 "rf_board_core #(\n    .MEM_PATH(MEM_PATH)\n) u_core (\n"
                 "    .clk(clk_sys),\n    .rst(rst),\n    .uart_rx(uart_rx),\n    .uart_tx(uart_tx),\n"
                 "    .frame_sent(frame_sent),\n    .error(frame_error)\n);\n\n");
    tb_printf(t, "reg [23:0] beat_reg = 24'd0;\nreg toggle_reg = 1'b0;\n"
                 "always @(posedge clk_sys) begin\n    beat_reg <= beat_reg + 1'b1;\n"
                 "    toggle_reg <= toggle_reg ^ frame_sent;\nend\n\n");
    tb_printf(t, "wire [%d:0] led_on = {", n - 1);
    for (i = n - 1; i >= 0; i--)
        tb_printf(t, "%s%s", i == 0 ? "beat_reg[23]" : i == 1 ? "frame_error" : i == 2 ? "toggle_reg" : "1'b0",
                  i ? ", " : "};\n");
    tb_printf(t, "assign led = %sled_on;\n\nendmodule\n\n`resetall\n", b->leds_active_low ? "~" : "");
}

static void render_pcf(tbuf *t, const board *b)
{
    int i;
    tb_printf(t, "# Pins of the %s (boards/%s; sources there).\n", b->description[0] ? b->description : b->name,
              base_name(b->file));
    tb_printf(t, "set_io clk %s\nset_io uart_rx %s\nset_io uart_tx %s\n", b->clock_pin, b->uart_rx, b->uart_tx);
    for (i = 0; i < b->n_leds; i++)
        tb_printf(t, "set_io led[%d] %s\n", i, b->leds[i]);
    if (b->button[0])
        tb_printf(t, "set_io %sbtn %s\n", b->button_active_low ? "-pullup yes " : "", b->button);
}

static void render_dsp(tbuf *t, const ir_net *net, const board *b, const board_fit_result *r)
{
    int i, n = 0;
    tb_printf(t, "# Multipliers of resflow_%s mapped to SB_MAC16 on the %s: %ld of %d DSP blocks\n"
                 "# (resflow gen --board %s, --multipliers %s; the others stay in LUTs).\n"
                 "# Used by tools/bitstream.sh between wreduce and the DSP techmap of synth_ice40.\n",
              net->name, b->name, r->dsp, b->dsp, b->name,
              r->o.mul == BOARD_MUL_AUTO ? "auto" : r->o.mul == BOARD_MUL_DSP ? "dsp" : "lut");
    for (i = 0; i < r->n_g; i++)
        if (r->g[i].mapped) {
            tb_printf(t, "# %s: %d DSP\n", r->g[i].what, r->g[i].dsp);
            n++;
        }
    if (!n) {
        tb_printf(t, "select -set rf_dsp none\n");
        return;
    }
    tb_printf(t, "select -set rf_dsp");
    for (i = 0; i < r->n_g; i++)
        if (r->g[i].mapped)
            tb_printf(t, " %s", r->g[i].pattern);
    tb_printf(t, "\n");
}

static void json_str(tbuf *t, const char *s)
{
    tb_printf(t, "\"");
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            tb_printf(t, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            tb_printf(t, "\\u%04x", (unsigned)(unsigned char)*s);
        else
            tb_printf(t, "%c", *s);
    }
    tb_printf(t, "\"");
}

static void render_fit(tbuf *t, const ir_net *net, const board *b, const board_fit_result *r)
{
    const ir_layer *in = &net->layers[0], *out = &net->layers[net->output];
    double ib = (double)in->h * in->w * in->c + 8, ob = (double)out->h * out->w * out->c + 9;
    int i, first = 1;
    tb_printf(t, "{\n  \"board\": ");
    json_str(t, b->name);
    tb_printf(t, ",\n  \"device\": \"%s\",\n  \"package\": \"%s\",\n  \"network\": \"%s\",\n", b->device, b->package,
              net->name);
    tb_printf(t, "  \"clock\": {\"oscillator_mhz\": %g, \"target_mhz\": %g, \"mhz\": %.6g, \"pll\": ", b->osc_mhz,
              r->o.clock_mhz > 0 ? r->o.clock_mhz : b->target_mhz, r->clock_mhz);
    if (r->pll.used)
        tb_printf(t, "{\"divr\": %d, \"divf\": %d, \"divq\": %d, \"filter_range\": %d, \"pfd_mhz\": %.6g, "
                     "\"vco_mhz\": %.6g}},\n",
                  r->pll.divr, r->pll.divf, r->pll.divq, r->pll.filter_range, r->pll.pfd_mhz, r->pll.vco_mhz);
    else
        tb_printf(t, "null},\n");
    tb_printf(t, "  \"uart\": {\"baud\": %ld, \"clks_per_bit\": %d, \"baud_error_percent\": %.3f, "
                 "\"rx_fifo_bytes\": %ld, \"rx_fifo_ebr\": %ld, \"paced\": %s, \"pace_lead_bytes\": %ld, "
                 "\"timeout_cycles\": %ld, \"frames_per_second\": %.3f},\n",
              r->o.baud, r->clks_per_bit, r->baud_error_pct, r->rx_depth, fifo_ebr(r->rx_depth, 8),
              r->paced ? "true" : "false", r->lead, r->timeout,
              (double)r->o.baud / 10.0 / (ib > ob ? ib : ob));
    tb_printf(t, "  \"multipliers\": \"%s\",\n",
              r->o.mul == BOARD_MUL_AUTO ? "auto" : r->o.mul == BOARD_MUL_DSP ? "dsp" : "lut");
    tb_printf(t, "  \"estimate\": {\"logic_cells\": %ld, \"ebr\": %ld, \"spram\": 0, \"dsp\": %ld},\n", r->lut4,
              r->ebr, r->dsp);
    tb_printf(t, "  \"device_total\": {\"lut4\": %d, \"ebr\": %d, \"spram\": %d, \"dsp\": %d},\n", b->lut4, b->ebr,
              b->spram, b->dsp);
    tb_printf(t, "  \"fits\": %s,\n  \"stages\": [", r->fits ? "true" : "false");
    for (i = 0; i < r->n_st; i++) {
        const stage_est *s = &r->st[i];
        tb_printf(t, "%s\n    {\"name\": ", i ? "," : "");
        json_str(t, s->name);
        tb_printf(t, ", \"kind\": \"%s\", \"logic_cells\": %ld, \"logic_cells_without_dsp\": %ld, \"ebr\": %ld, "
                     "\"line_buffer_ebr\": %ld, \"dsp\": %ld, \"multipliers\": %d, \"requantizers\": %d}",
                  s->kind, s->lut4, s->lut4_all, s->line_ebr + s->mem_ebr, s->line_ebr, s->dsp, s->multipliers,
                  s->requantizers);
    }
    tb_printf(t, "\n  ],\n  \"dsp_groups\": [");
    for (i = 0; i < r->n_g; i++)
        if (r->g[i].mapped) {
            tb_printf(t, "%s\n    {\"what\": ", first ? "" : ",");
            json_str(t, r->g[i].what);
            tb_printf(t, ", \"dsp\": %d, \"logic_cells_saved\": %ld}", r->g[i].dsp, r->g[i].lut_saved);
            first = 0;
        }
    tb_printf(t, "%s],\n", first ? "" : "\n  ");
    tb_printf(t, "  \"predicted_cycles_per_frame\": %.15g,\n  \"frames_per_second_at_clock\": %.3f\n}\n",
              net->predicted_cycles_per_frame, r->clock_mhz * 1e6 / net->predicted_cycles_per_frame);
}

int board_render(const ir_net *net, const board *b, const board_fit_result *r, const char *template_dir,
                 emit_extra **files)
{
    static const char *const templates[] = {"rf_uart_rx", "rf_uart_tx", "rf_crc16", "rf_uart_bridge"};
    tbuf t = {0};
    char path[1200];
    int n = 0, i;
    *files = NULL;
    for (i = 0; i < (int)(sizeof templates / sizeof templates[0]); i++) {
        FILE *f;
        char buf[8192];
        size_t k;
        snprintf(path, sizeof path, "%s/%s.v", template_dir, templates[i]);
        if (!(f = fopen(path, "rb"))) {
            diag_plain("cannot read template '%s': %s (set RESFLOW_TEMPLATES)", path, strerror(errno));
            board_files_free(*files, n);
            *files = NULL;
            return -1;
        }
        while ((k = fread(buf, 1, sizeof buf, f)) > 0)
            tb_printf(&t, "%.*s", (int)k, buf);
        fclose(f);
        snprintf(path, sizeof path, "rtl/%s.v", templates[i]);
        add_file(files, &n, path, &t);
    }
    render_core(&t, net, r);
    add_file(files, &n, "board/rf_board_core.v", &t);
    render_top(&t, net, b, r);
    add_file(files, &n, "board/rf_board_top.v", &t);
    render_pcf(&t, b);
    snprintf(path, sizeof path, "board/%s.pcf", b->name);
    add_file(files, &n, path, &t);
    render_dsp(&t, net, b, r);
    add_file(files, &n, "board/dsp.ys", &t);
    render_fit(&t, net, b, r);
    add_file(files, &n, "board/fit.json", &t);
    return n;
}

int board_files(const ir_net *net, const board *b, const board_opts *o, const char *template_dir,
                emit_extra **files, int *n_files)
{
    board_fit_result *r = NULL;
    int rc = board_fit(net, b, o, &r);
    *files = NULL;
    *n_files = 0;
    if (!r)
        return -1;
    if (rc == 0) {
        if (r->lut4 > b->lut4 * 85L / 100)
            fprintf(stderr, "resflow: note: about %ld of %d logic cells (estimate): placement may fail\n",
                    r->lut4, b->lut4);
        *n_files = board_render(net, b, r, template_dir, files);
        rc = *n_files < 0 ? -1 : 0;
    }
    board_fit_free(r);
    return rc;
}

int board_take_option(int argc, char **argv, int *i, board_opts *o)
{
    const char *opt = argv[*i], *v;
    char *end;
    if (strcmp(opt, "--board") && strcmp(opt, "--clock-mhz") && strcmp(opt, "--baud") && strcmp(opt, "--multipliers"))
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "resflow: error: %s needs a value\n", opt);
        return -1;
    }
    v = argv[++*i];
    errno = 0;
    if (!strcmp(opt, "--board")) {
        o->name = v;
    } else if (!strcmp(opt, "--clock-mhz")) {
        o->clock_mhz = strtod(v, &end);
        if (!*v || *end || errno || !(o->clock_mhz >= 1 && o->clock_mhz <= 500)) {
            fprintf(stderr, "resflow: error: --clock-mhz takes a frequency in 1..500 MHz, got '%s'\n", v);
            return -1;
        }
    } else if (!strcmp(opt, "--baud")) {
        o->baud = strtol(v, &end, 10);
        if (!*v || *end || errno || o->baud < 300 || o->baud > 50000000) {
            fprintf(stderr, "resflow: error: --baud takes a rate in 300..50000000, got '%s'\n", v);
            return -1;
        }
    } else if (!strcmp(v, "auto") || !strcmp(v, "dsp") || !strcmp(v, "lut")) {
        o->mul = v[0] == 'a' ? BOARD_MUL_AUTO : v[0] == 'd' ? BOARD_MUL_DSP : BOARD_MUL_LUT;
    } else {
        fprintf(stderr, "resflow: error: --multipliers takes auto, dsp or lut, got '%s'\n", v);
        return -1;
    }
    return 1;
}
