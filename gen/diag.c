/*
 * diag.c - collected diagnostics, printed as FILE:LINE:COL: error: message
 * followed by the offending source line and a caret (chibicc/libfyaml style).
 */
#define _POSIX_C_SOURCE 200809L
#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct diag_msg {
    char *file;
    int line, col;
    char *msg;
    int seq;
} diag_msg;

static struct fy_diag *g_diag;
static diag_msg *g_plain;
static int g_n_plain;
static int g_count;

struct fy_diag *diag_get(void)
{
    if (!g_diag) {
        struct fy_diag_cfg cfg;
        fy_diag_cfg_default(&cfg);
        cfg.fp = NULL;
        cfg.colorize = false;
        g_diag = fy_diag_create(&cfg);
        if (!g_diag) {
            fprintf(stderr, "resflow: error: cannot create libfyaml diagnostics\n");
            exit(1);
        }
        fy_diag_set_collect_errors(g_diag, true);
    }
    return g_diag;
}

void diag_node(struct fy_node *n, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    g_count++;
    if (n) {
        fy_node_report(n, FYET_ERROR, "%s", buf);
        return;
    }
    diag_plain("%s", buf);
    g_count--;
}

static diag_msg *g_at;
static int g_n_at;

/* Appends a message to `list` (file NULL: no position) and counts it. */
static void push(diag_msg **list, int *n, const char *file, int line, int col, const char *fmt, va_list ap)
{
    char buf[1024];
    diag_msg *p = realloc(*list, (size_t)(*n + 1) * sizeof *p);
    if (!p)
        abort();
    *list = p;
    vsnprintf(buf, sizeof buf, fmt, ap);
    p[*n].file = file ? strdup(file) : NULL;
    p[*n].line = line;
    p[*n].col = col;
    p[*n].msg = strdup(buf);
    p[*n].seq = 0;
    (*n)++;
    g_count++;
}

void diag_at(const char *file, int line, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push(&g_at, &g_n_at, file, line, col, fmt, ap);
    va_end(ap);
}

void diag_plain(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    push(&g_plain, &g_n_plain, NULL, 0, 0, fmt, ap);
    va_end(ap);
}

int diag_count(void)
{
    return g_count;
}

int diag_plain_mark(void)
{
    return g_n_plain;
}

void diag_plain_rewind(int mark)
{
    while (g_n_plain > mark) {
        g_n_plain--;
        free(g_plain[g_n_plain].file);
        free(g_plain[g_n_plain].msg);
        g_count--;
    }
}

static int cmp_msg(const void *a, const void *b)
{
    const diag_msg *x = a, *y = b;
    int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
    if (c)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return x->seq - y->seq;
}

/* Prints line `line` (1-based) of `file` and a caret under column `col`. */
static void print_source(const char *file, int line, int col)
{
    FILE *f = fopen(file, "r");
    char buf[4096];
    int n = 0;
    if (!f)
        return;
    while (fgets(buf, sizeof buf, f)) {
        size_t len = strlen(buf);
        if (len && buf[len - 1] == '\n')
            n++;
        else if (!feof(f))
            continue;           /* very long line: skip its rest */
        else
            n++;
        if (n == line) {
            if (len && buf[len - 1] == '\n')
                buf[len - 1] = '\0';
            fprintf(stderr, "%s\n%*s^\n", buf, col > 0 ? col - 1 : 0, "");
            break;
        }
    }
    fclose(f);
}

int diag_flush(void)
{
    diag_msg *all = NULL;
    int n = 0, i;
    void *it = NULL;
    struct fy_diag_error *e;

    if (g_diag) {
        while ((e = fy_diag_errors_iterate(g_diag, &it)) != NULL) {
            diag_msg *p = realloc(all, (size_t)(n + 1) * sizeof *p);
            if (!p)
                abort();
            all = p;
            all[n].file = strdup(e->file ? e->file : "<input>");
            all[n].line = e->line;
            all[n].col = e->column;
            all[n].msg = strdup(e->msg ? e->msg : "error");
            all[n].seq = n;
            n++;
        }
    }
    for (i = 0; i < g_n_at; i++) {
        diag_msg *p = realloc(all, (size_t)(n + 1) * sizeof *p);
        if (!p)
            abort();
        all = p;
        all[n] = g_at[i];
        all[n].seq = n;
        n++;
    }
    free(g_at);
    g_at = NULL;
    g_n_at = 0;
    if (n)
        qsort(all, (size_t)n, sizeof *all, cmp_msg);
    for (i = 0; i < n; i++) {
        /* libfyaml may report the same place twice (e.g. scanner + parser) */
        if (i && !strcmp(all[i].file, all[i - 1].file) && all[i].line == all[i - 1].line &&
            all[i].col == all[i - 1].col && !strcmp(all[i].msg, all[i - 1].msg))
            continue;
        fprintf(stderr, "%s:%d:%d: error: %s\n", all[i].file, all[i].line, all[i].col, all[i].msg);
        print_source(all[i].file, all[i].line, all[i].col);
    }
    for (i = 0; i < g_n_plain; i++)
        fprintf(stderr, "resflow: error: %s\n", g_plain[i].msg);
    for (i = 0; i < n; i++) {
        free(all[i].file);
        free(all[i].msg);
    }
    free(all);
    for (i = 0; i < g_n_plain; i++)
        free(g_plain[i].msg);
    free(g_plain);
    g_plain = NULL;
    n += g_n_plain;
    g_n_plain = 0;
    if (g_diag) {
        fy_diag_destroy(g_diag);
        g_diag = NULL;
    }
    g_count = 0;
    return n;
}
