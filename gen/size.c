/*
 * size.c - FIFO sizes and memory per resolution (`resflow size`).
 *
 * Each resolution is a fresh load of the network with the input's W x H
 * replaced, then the closed-form latency analysis of sched.c: microseconds
 * per resolution, whatever the resolution, since nothing is simulated.
 */
#include "size.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "diag.h"
#include "sched.h"

const size_res size_sweep[SIZE_N_SWEEP] = {
    {32, 32}, {64, 64}, {224, 224}, {640, 480}, {1280, 720}, {1920, 1080}, {3840, 2160},
};

int size_parse_res(const char *s, size_res *r)
{
    char *end;
    long w, h;
    errno = 0;
    w = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        return -1;
    s = end + 1;
    h = strtol(s, &end, 10);
    if (end == s || *end || errno || w < 1 || h < 1 || w > 8192 || h > 8192)
        return -1;
    r->w = (int)w;
    r->h = (int)h;
    return 0;
}

typedef struct size_row {
    int w, h;
    long fifo_bytes;
} size_row;

static void fmt_bytes(char *buf, size_t len, long b)
{
    if (b >= 10L * 1024 * 1024)
        snprintf(buf, len, "%.1f MiB", b / (1024.0 * 1024.0));
    else if (b >= 10L * 1024)
        snprintf(buf, len, "%.1f KiB", b / 1024.0);
    else
        snprintf(buf, len, "%ld B", b);
}

/* log-log plot of FIFO bytes against pixels per frame, with the on-chip budget */
static int write_svg(const char *path, const char *name, const size_row *rows, int n, long budget)
{
    const double W = 720, H = 440, l = 90, r = 30, t = 50, b = 60;
    double x0 = 1e9, x1 = 0, y0 = 1e18, y1 = 0, lx0, lx1, ly0, ly1;
    int i, d;
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (i = 0; i < n; i++) {
        double px = (double)rows[i].w * rows[i].h, by = rows[i].fifo_bytes > 0 ? (double)rows[i].fifo_bytes : 1;
        x0 = px < x0 ? px : x0;
        x1 = px > x1 ? px : x1;
        y0 = by < y0 ? by : y0;
        y1 = by > y1 ? by : y1;
    }
    if (budget > y1)
        y1 = (double)budget;
    lx0 = floor(log10(x0));
    lx1 = ceil(log10(x1));
    ly0 = floor(log10(y0));
    ly1 = ceil(log10(y1));
    if (lx1 <= lx0)
        lx1 = lx0 + 1;
    if (ly1 <= ly0)
        ly1 = ly0 + 1;
#define PX(v) (l + (log10(v) - lx0) / (lx1 - lx0) * (W - l - r))
#define PY(v) (H - b - (log10(v) - ly0) / (ly1 - ly0) * (H - t - b))
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
               "font-family=\"sans-serif\" font-size=\"12\">\n", W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%.0f\" y=\"24\" font-size=\"15\">%s: skip-FIFO bytes against resolution "
               "(resflow size)</text>\n", l, name);
    for (d = (int)lx0; d <= (int)lx1; d++) {
        double x = PX(pow(10, d));
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#ddd\"/>\n", x, t, x, H - b);
        fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">1e%d</text>\n", x, H - b + 18, d);
    }
    for (d = (int)ly0; d <= (int)ly1; d++) {
        double y = PY(pow(10, d));
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", l, y, W - r, y);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" text-anchor=\"end\">1e%d</text>\n", l - 6, y + 4, d);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">pixels per frame (W x H)</text>\n",
            (l + W - r) / 2, H - 18);
    fprintf(f, "<text transform=\"translate(22 %.0f) rotate(-90)\" text-anchor=\"middle\">FIFO bytes</text>\n",
            (t + H - b) / 2);
    if (budget > 0) {
        double y = PY((double)budget);
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#c33\" stroke-dasharray=\"6 4\"/>\n",
                l, y, W - r, y);
        fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" fill=\"#c33\" text-anchor=\"end\">on-chip EBR + SPRAM, "
                   "iCE40UP5K (%ld bytes)</text>\n", W - r - 4, y - 5, budget);
    }
    fprintf(f, "<polyline fill=\"none\" stroke=\"#2266cc\" stroke-width=\"2\" points=\"");
    for (i = 0; i < n; i++)
        fprintf(f, "%.1f,%.1f ", PX((double)rows[i].w * rows[i].h),
                PY(rows[i].fifo_bytes > 0 ? (double)rows[i].fifo_bytes : 1));
    fprintf(f, "\"/>\n");
    for (i = 0; i < n; i++) {
        double x = PX((double)rows[i].w * rows[i].h), y = PY(rows[i].fifo_bytes > 0 ? (double)rows[i].fifo_bytes : 1);
        char lab[32];
        fmt_bytes(lab, sizeof lab, rows[i].fifo_bytes);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#2266cc\"/>\n", x, y);
        /* labels alternate above and below the line; the outer ones lean inwards */
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%dx%d: %s</text>\n",
                x + (i == 0 ? 6 : i == n - 1 ? -6 : 0), i % 2 ? y + 20 : y - 10,
                i == 0 ? "start" : i == n - 1 ? "end" : "middle", rows[i].w, rows[i].h, lab);
    }
    fprintf(f, "</svg>\n");
#undef PX
#undef PY
    return fclose(f);
}

int size_run(const char *path, const size_res *res, int n, int json, const char *plot)
{
    size_row *rows = calloc((size_t)(n > 0 ? n : 1), sizeof *rows);
    char name[64] = "";
    int k, i, rc = 0, count = n > 0 ? n : 1;
    long budget = (long)sched_up5k.ebr_blocks * 512 + (long)sched_up5k.spram_blocks * 32768;

    if (!rows) {
        diag_plain("out of memory");
        return -1;
    }
    if (json)
        printf("{\n  \"resolutions\": [");
    for (k = 0; k < count; k++) {
        ir_net net;
        sched_mem_plan plan;
        long total = 0;
        if (ir_load(path, n ? res[k].w : 0, n ? res[k].h : 0, &net) || (net.sizing_only = 1, sched_run(&net, NULL, 0)) ||
            sched_plan_memory(&net, &sched_up5k, &plan)) {
            ir_net_free(&net);
            rc = -1;
            break;
        }
        snprintf(name, sizeof name, "%s", net.name);
        rows[k].w = net.layers[0].w;
        rows[k].h = net.layers[0].h;
        if (json)
            printf("%s\n    {\"width\": %d, \"height\": %d, \"fifos\": [", k ? "," : "", rows[k].w, rows[k].h);
        else
            printf("%s%s at %dx%d (memory budget: %s, %d EBR, %d SPRAM; line buffers take %d EBR%s)\n"
                   "  %-28s %9s %6s %12s  %-10s %s\n",
                   k ? "\n" : "", net.name, rows[k].w, rows[k].h, sched_up5k.device, sched_up5k.ebr_blocks,
                   sched_up5k.spram_blocks, plan.line_buffer_ebr,
                   plan.line_buffer_ebr > sched_up5k.ebr_blocks ? ", over the EBR budget" : "", "fifo", "depth", "bits",
                   "bytes", "memory", "sized by");
        for (i = 0; i < net.n_fifos; i++) {
            const ir_fifo *f = &net.fifos[i];
            long bytes = ((long)f->depth * f->width_bits + 7) / 8;
            total += bytes;
            char mem[32];
            if (plan.blocks[i])
                snprintf(mem, sizeof mem, "%s x%d", sched_mem_kind_name(plan.kind[i]), plan.blocks[i]);
            else
                snprintf(mem, sizeof mem, "%s", sched_mem_kind_name(plan.kind[i]));
            if (json)
                printf("%s\n      {\"name\": \"%s\", \"depth\": %d, \"width_bits\": %d, \"bytes\": %ld, "
                       "\"memory\": \"%s\", \"blocks\": %d, \"sized_by\": \"%s\", \"bound\": %d}",
                       i ? "," : "", f->name, f->depth, f->width_bits, bytes, sched_mem_kind_name(plan.kind[i]),
                       plan.blocks[i], f->simulated ? "cycle_model" : "bound", f->bound);
            else
                printf("  %-28s %9d %6d %12ld  %-10s %s\n", f->name, f->depth, f->width_bits, bytes, mem,
                       f->simulated ? "cycle model" : "bound");
        }
        rows[k].fifo_bytes = total;
        if (json)
            printf("%s], \"fifo_bytes\": %ld, \"line_buffer_ebr_blocks\": %d, \"fifo_ebr_blocks\": %d, "
                   "\"fifo_spram_blocks\": %d, \"offchip_bytes\": %ld, \"predicted_cycles_per_frame\": %.15g, "
                   "\"predicted_from\": \"%s\"}",
                   net.n_fifos ? "\n    " : "", total, plan.line_buffer_ebr, plan.ebr_used, plan.spram_used,
                   plan.offchip_bytes, net.predicted_cycles_per_frame,
                   net.cycle_modeled && !net.model_deadlock ? "cycle_model" : "recurrence");
        else
            printf("  %-28s %9s %6s %12ld  %d EBR, %d SPRAM, %ld bytes off-chip\n", "total", "", "", total,
                   plan.ebr_used, plan.spram_used, plan.offchip_bytes);
        sched_mem_plan_free(&plan);
        ir_net_free(&net);
    }
    if (json && rc == 0)
        printf("\n  ],\n  \"name\": \"%s\",\n  \"device\": \"%s\",\n  \"onchip_budget_bytes\": %ld\n}\n", name,
               sched_up5k.device, budget);
    if (rc == 0 && count > 1 && !json) {
        printf("\n%-12s %14s\n", "resolution", "FIFO bytes");
        for (k = 0; k < count; k++) {
            char r[32];
            snprintf(r, sizeof r, "%dx%d", rows[k].w, rows[k].h);
            printf("%-12s %14ld\n", r, rows[k].fifo_bytes);
        }
    }
    if (rc == 0 && plot && write_svg(plot, name, rows, count, budget)) {
        diag_plain("cannot write '%s': %s", plot, strerror(errno));
        rc = -1;
    }
    free(rows);
    return rc;
}
