/*
 * board.c - boards/NAME.yaml (a table of fields, each with a validator),
 * the PLL settings and the --board options (see board.h; the schema in
 * docs/boards.md). The resource model and fit check are in board_fit.c,
 * the board files in board_top.c.
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

#include "board_fit.h"
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
