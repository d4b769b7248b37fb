/*
 * stream.c - the host: streams frames through the Verilated pipeline over
 * AXI4-Stream, checks every output beat against the golden C model
 * (golden.c), and reports throughput, latency, stalls and FIFO fill.
 *
 *   stream [--image FILE]... [--random-frames N] [--frames-per-image N]
 *          [--stall-in P] [--stall-out P] [--seed S] [--json FILE]
 *          [--out-image FILE.png] [--watchdog CYCLES] [--quiet]
 *          [--uart DEVICE [--baud N] [--timeout S]]
 *
 * Linked with the generated OUT/net.c (rf_net_desc), OUT/shim.cpp (rf_dut.h
 * over the Verilated model), golden.c, image.c, json.c and gen/quant.c.
 *
 * Frames. Each --image is decoded with as many channels as the network input
 * has (1 or 3), center-cropped to the network's aspect ratio, resized to
 * H x W and quantized with the input layer's scale and zero point, the pixel
 * value 0..255 being the real value: q = clamp(round(p / scale) + zp, -128,
 * 127), i.e. p - 128 for scale 1, zp -128 (image.c). Each image is sent
 * --frames-per-image times back to back, then --random-frames frames of
 * uniform int8 noise from a splitmix64 generator seeded by --seed. With
 * neither --image nor --random-frames, one random frame is sent.
 *
 * The cycle loop follows rf_dut.h: set inputs, eval, sample the handshakes,
 * tick. Input beats carry one pixel (all channels), tuser on pixel (0,0) of a
 * frame, tlast on x == W-1. When no beat is being presented, the host
 * presents nothing this cycle with probability --stall-in; once tvalid is up
 * it stays up until the transfer (AXI4-Stream rule). m_tready is low with
 * probability --stall-out, drawn each cycle. The three random streams (frame
 * data, input gaps, output backpressure) are independent, so the frames do
 * not depend on the stall settings.
 *
 * Measurements (cycles counted from the end of reset, one per tick):
 *  - first-output latency: cycle of the first output transfer minus cycle of
 *    the first input transfer;
 *  - cycles per frame: with F >= 2 frames, (cycle of the last output beat of
 *    frame F-1 - that of frame 0) / (F - 1); with one frame, cycle of the
 *    last output transfer - cycle of the first input transfer + 1;
 *  - input stall cycles: s_tvalid && !s_tready; output stall cycles:
 *    m_tvalid && !m_tready;
 *  - each FIFO's high-water mark (rf_dut_fifo_high_water) beside its depth.
 * A watchdog ends the run when neither port has transferred for --watchdog
 * cycles while output is still due, and prints each FIFO's fill.
 *
 * Exit status: 0 bit-exact and no deadlock; 1 mismatch or deadlock; 2 usage
 * or I/O error ("stream: error: ...").
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "golden.h"
#include "image.h"
#include "json.h"
#include "rf_dut.h"
#include "rf_net.h"
#include "uart.h"

#define MAX_SHOWN_MISMATCHES 10
#define DRAIN_CYCLES 64     /* cycles watched after the last beat for extras, */
                            /* beyond the pipeline's first-output latency */
#define MAX_FRAMES 1000000L /* per option, and in all */

typedef struct options {
    const char **images;
    int n_images;
    int *labels;                /* [n_images] class of each image, -1 if none */
    const char *labels_file;    /* --labels: CSV "file,...,class" */
    long limit;                 /* --limit: at most this many labelled images */
    double clock_mhz;           /* --clock-mhz: report frames per second at this clock */
    const char *trace;          /* --trace: per-cycle transfers and FIFO fills */
    long random_frames;
    long frames_per_image;
    double stall_in, stall_out;
    uint64_t seed;
    const char *json;
    const char *out_image;
    long watchdog;
    int quiet;
    const char *uart;   /* --uart: a board instead of the simulation (uart.c) */
    long baud;
    double timeout;
} options;

typedef struct results {
    long frames;
    long mismatches;
    int deadlock;
    long long cycles;              /* total, excluding the drain */
    long long first_in, first_out; /* cycle of first transfer, -1 if none */
    long long *frame_done;         /* [frames] cycle of each frame's last output beat */
    long long in_stall, out_stall;
    double cycles_per_frame;       /* NAN when not measured */
    double seconds;
    uint32_t *high_water;          /* [n_fifos] */
    int8_t *logits;                /* [frames][C] when the output is 1 x 1 x C (a classifier) */
    long top1, labelled;           /* --labels: images whose argmax is their class, of how many */
} results;

/* Index of the largest of n values (the first on a tie, as numpy's argmax). */
static int argmax_i8(const int8_t *v, int n)
{
    int i, best = 0;
    for (i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

static void usage(FILE *f)
{
    fputs("usage: stream [--image FILE]... [--random-frames N] [--frames-per-image N]\n"
          "              [--stall-in P] [--stall-out P] [--seed S] [--json FILE]\n"
          "              [--out-image FILE.png] [--watchdog CYCLES] [--quiet]\n"
          "\n"
          "  --image FILE          PNG/JPEG/PPM; center-cropped, resized, quantized (repeatable)\n"
          "  --random-frames N     N frames of seeded uniform int8 noise (default 1 if no image)\n"
          "  --frames-per-image N  send each image N times back to back (default 1)\n"
          "  --labels FILE.csv     stream the images the CSV lists (lines 'file,...,class', paths\n"
          "                        relative to the CSV; .bin = raw HWC uint8) and report top-1\n"
          "  --limit N             at most the first N images of --labels\n"
          "  --clock-mhz F         also report frames per second and latency at F MHz\n"
          "  --trace FILE          one line per cycle: cycle, input beats and output beats so far,\n"
          "                        each FIFO's fill (for checking the latency analysis)\n"
          "  --stall-in P          probability of an input gap per idle cycle, 0 <= P < 1\n"
          "  --stall-out P         probability of m_tready low per cycle, 0 <= P < 1\n"
          "  --seed S              seed for random frames and stalls (default 1)\n"
          "  --json FILE           write the measurements as JSON\n"
          "  --out-image FILE.png  last frame's output feature map as a greyscale mosaic\n"
          "  --watchdog CYCLES     deadlock after CYCLES without a transfer (default: the larger of\n"
          "                        100000 and the predicted cycles per frame + first-output latency)\n"
          "  --quiet               print only mismatches, deadlocks and the verdict\n"
          "  --uart DEVICE         stream to a board over its UART instead (make bitstream;\n"
          "                        docs/boards.md), with --baud N (1000000) and --timeout S per frame\n", f);
}

static int error(const char *fmt, ...)
{
    va_list ap;

    fputs("stream: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 2;
}

/* A command-line error: the message, then where to look. Returns 2. */
static int usage_error(const char *fmt, ...)
{
    va_list ap;

    fputs("stream: error: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n(stream --help lists the options)\n", stderr);
    return 2;
}

/* ---- splitmix64 (Steele, Lea, Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014; constants as in Vigna's splitmix64.c) ---- */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* 1 with probability p: the top 53 bits as a uniform double in [0, 1). */
static int rng_chance(uint64_t *s, double p)
{
    if (p <= 0.0)
        return 0;
    return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0) < p;
}

/* ---- command line ---- */

static int parse_long(const char *opt, const char *s, long min, long max, long *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 0);
    if (errno || end == s || *end || v < min || v > max)
        return usage_error("%s: '%s' is not an integer in [%ld, %ld]", opt, s, min, max);
    *out = v;
    return 0;
}

static int parse_prob(const char *opt, const char *s, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0.0 && v < 1.0))
        return usage_error("%s: '%s' is not a probability in [0, 1)", opt, s);
    *out = v;
    return 0;
}

static int takes_value(const char *name)
{
    static const char *const names[] = {
        "--image", "--random-frames", "--frames-per-image", "--stall-in", "--stall-out",
        "--seed", "--json", "--out-image", "--watchdog", "--labels", "--limit", "--clock-mhz", "--trace",
        "--uart", "--baud", "--timeout",
    };
    size_t i;

    for (i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return 1;
    return 0;
}

/* Reads --labels: one image per line, "file,...,class" (the first field a
 * path relative to the CSV's folder, the last the class index); blank lines
 * are skipped. Fills o->images and o->labels. Returns 0 or 2. */
static int read_labels(options *o)
{
    FILE *f = fopen(o->labels_file, "r");
    char line[1024], dir[600] = ".";
    const char *slash = strrchr(o->labels_file, '/');
    long n = 0, cap = 0, lineno = 0;
    if (!f)
        return error("%s: %s", o->labels_file, strerror(errno));
    if (slash && (size_t)(slash - o->labels_file) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - o->labels_file), o->labels_file);
    free(o->images);
    o->images = NULL;
    while (fgets(line, sizeof line, f)) {
        char *comma = strchr(line, ','), *last = strrchr(line, ','), *end, *path;
        long cls;
        size_t len = strlen(line);
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (!len)
            continue;
        if (!comma) {
            fclose(f);
            return error("%s:%ld: expected 'file,...,class'", o->labels_file, lineno);
        }
        errno = 0;
        cls = strtol(last + 1, &end, 10);
        if (errno || end == last + 1 || *end || cls < 0 || cls > 100000) {
            fclose(f);
            return error("%s:%ld: the last field must be a class index, got '%s'", o->labels_file, lineno, last + 1);
        }
        if (o->limit && n >= o->limit)
            break;
        if (n == cap) {
            const char **ni;
            int *nl;
            cap = cap ? 2 * cap : 64;
            ni = realloc((void *)o->images, (size_t)cap * sizeof *ni);
            nl = realloc(o->labels, (size_t)cap * sizeof *nl);
            if (ni)
                o->images = ni;
            if (nl)
                o->labels = nl;
            if (!ni || !nl) {
                fclose(f);
                return error("out of memory");
            }
        }
        *comma = '\0';
        path = malloc(strlen(dir) + strlen(line) + 2);
        if (!path) {
            fclose(f);
            return error("out of memory");
        }
        sprintf(path, "%s/%s", dir, line);
        o->images[n] = path;
        o->labels[n] = (int)cls;
        n++;
    }
    fclose(f);
    if (!n)
        return error("%s: no images listed", o->labels_file);
    o->n_images = (int)n;
    return 0;
}

/* Returns 0, 2 on a usage error, or -1 after --help. */
static int parse_args(int argc, char **argv, options *o)
{
    int i;

    memset(o, 0, sizeof *o);
    o->frames_per_image = 1;
    o->watchdog = 0;   /* auto: set from the network's predictions in main() */
    o->seed = 1;
    o->random_frames = -1;
    o->images = calloc((size_t)argc, sizeof *o->images);
    if (!o->images)
        return error("out of memory");
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        char name[32];
        const char *eq = strchr(a, '=');
        int rc = 0;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return -1;
        }
        if (strcmp(a, "--quiet") == 0) {
            o->quiet = 1;
            continue;
        }
        if (strncmp(a, "--", 2) != 0)
            return usage_error("unexpected argument '%s'", a);
        /* --name value, or --name=value */
        if (eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = '\0';
            v = eq + 1;
        } else if (!eq && strlen(a) < sizeof name) {
            strcpy(name, a);
        } else {
            return usage_error("unknown option '%s'", a);
        }
        if (!takes_value(name))
            return usage_error("unknown option '%s'", name);
        if (!v) {
            if (i + 1 >= argc)
                return usage_error("%s needs a value", a);
            v = argv[++i];
        }
        if (strcmp(name, "--labels") == 0) {
            o->labels_file = v;
        } else if (strcmp(name, "--clock-mhz") == 0) {
            char *end;
            errno = 0;
            o->clock_mhz = strtod(v, &end);
            if (errno || end == v || *end || !(o->clock_mhz > 0) || o->clock_mhz > 1e6)
                rc = usage_error("--clock-mhz: '%s' is not a positive frequency in MHz", v);
        } else if (strcmp(name, "--trace") == 0) {
            o->trace = v;
        } else if (strcmp(name, "--limit") == 0) {
            rc = parse_long(name, v, 1, MAX_FRAMES, &o->limit);
        } else if (strcmp(name, "--image") == 0) {
            o->images[o->n_images++] = v;
        } else if (strcmp(name, "--random-frames") == 0) {
            rc = parse_long(name, v, 0, MAX_FRAMES, &o->random_frames);
        } else if (strcmp(name, "--frames-per-image") == 0) {
            rc = parse_long(name, v, 1, MAX_FRAMES, &o->frames_per_image);
        } else if (strcmp(name, "--stall-in") == 0) {
            rc = parse_prob(name, v, &o->stall_in);
        } else if (strcmp(name, "--stall-out") == 0) {
            rc = parse_prob(name, v, &o->stall_out);
        } else if (strcmp(name, "--seed") == 0) {
            char *end;

            errno = 0;
            o->seed = strtoull(v, &end, 0);
            if (errno || end == v || *end || *v == '-')
                rc = usage_error("--seed: '%s' is not a non-negative integer", v);
        } else if (strcmp(name, "--json") == 0) {
            o->json = v;
        } else if (strcmp(name, "--out-image") == 0) {
            o->out_image = v;
        } else if (strcmp(name, "--watchdog") == 0) {
            rc = parse_long(name, v, 1, LONG_MAX, &o->watchdog);
        } else if (strcmp(name, "--uart") == 0) {
            o->uart = v;
        } else if (strcmp(name, "--baud") == 0) {
            rc = parse_long(name, v, 300, 50000000, &o->baud);
        } else if (strcmp(name, "--timeout") == 0) {
            long t;
            rc = parse_long(name, v, 1, 86400, &t);
            o->timeout = (double)t;
        } else {
            return usage_error("unknown option '%s'", name);
        }
        if (rc)
            return rc;
    }
    if (o->labels_file && o->n_images)
        return usage_error("--labels and --image do not mix");
    if (o->labels_file) {
        int rc = read_labels(o);
        if (rc)
            return rc;
    }
    if (o->random_frames < 0)
        o->random_frames = o->n_images ? 0 : 1;
    return 0;
}

/* ---- frames and their expected outputs ---- */

static int check_net(const rf_net *net)
{
    const rf_layer *in, *out;
    int i;

    if (net->n_layers < 1 || !net->layers || net->layers[0].op != RF_OP_INPUT)
        return error("network '%s': layer 0 is not the input", net->name);
    if (net->output < 0 || net->output >= net->n_layers)
        return error("network '%s': output layer %d out of range", net->name, net->output);
    in = &net->layers[0];
    out = &net->layers[net->output];
    if (in->h < 1 || in->w < 1 || in->c < 1 || out->h < 1 || out->w < 1 || out->c < 1)
        return error("network '%s': empty input or output tensor", net->name);
    if (net->n_fifos < 0 || (net->n_fifos > 0 && !net->fifos))
        return error("network '%s': bad FIFO table", net->name);
    for (i = 0; i < net->n_fifos; i++)
        if (!net->fifos[i].name)
            return error("network '%s': FIFO %d has no name", net->name, i);
    return 0;
}

/* Fills frames [F][in_size] and expected [F][out_size]. Returns 0 or 2. */
static int make_frames(const options *o, const rf_net *net, int8_t *frames, int8_t *expected)
{
    const rf_layer *in = &net->layers[0];
    size_t in_size = (size_t)in->h * in->w * in->c;
    size_t out_size = (size_t)net->layers[net->output].h * net->layers[net->output].w *
                      net->layers[net->output].c;
    uint64_t rng = o->seed ^ UINT64_C(0x6672616d65730000); /* "frames" */
    long f = 0, r;
    int i;
    size_t k;
    char err[512];

    for (i = 0; i < o->n_images; i++) {
        long first = f;

        if (image_load_frame(o->images[i], in->h, in->w, in->c, in->scale, in->zero_point,
                             frames + (size_t)f * in_size, err, sizeof err) != 0)
            return error("%s", err);
        if (golden_run(net, frames + (size_t)f * in_size, expected + (size_t)f * out_size) != 0)
            return error("golden model failed (out of memory or bad network tables)");
        for (f++, r = 1; r < o->frames_per_image; r++, f++) {
            memcpy(frames + (size_t)f * in_size, frames + (size_t)first * in_size, in_size);
            memcpy(expected + (size_t)f * out_size, expected + (size_t)first * out_size,
                   out_size);
        }
    }
    for (r = 0; r < o->random_frames; r++, f++) {
        int8_t *fr = frames + (size_t)f * in_size;

        for (k = 0; k < in_size; k++)
            fr[k] = (int8_t)((int)(rng_next(&rng) >> 56) - 128);
        if (golden_run(net, fr, expected + (size_t)f * out_size) != 0)
            return error("golden model failed (out of memory or bad network tables)");
    }
    return 0;
}

/* ---- the cycle loop ---- */

static double now_seconds(void)
{
    struct timespec ts;

    if (timespec_get(&ts, TIME_UTC) != TIME_UTC)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void report_mismatch(results *r, const char *fmt, ...)
{
    va_list ap;

    if (r->mismatches++ >= MAX_SHOWN_MISMATCHES)
        return;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
}

/* Compares one output beat (index ob over all frames) with the golden model
 * and keeps it in last_frame. */
static void check_beat(const rf_net *net, results *r, long long ob, const int8_t *got,
                       int tlast, int tuser, const int8_t *expected, int8_t *last_frame)
{
    const rf_layer *out = &net->layers[net->output];
    long long pixels = (long long)out->h * out->w;
    long f = (long)(ob / pixels);
    long p = (long)(ob % pixels);
    int y = (int)(p / out->w), x = (int)(p % out->w), c;
    const int8_t *want = expected + ((size_t)f * pixels + p) * out->c;
    int want_user = p == 0, want_last = x == out->w - 1;

    for (c = 0; c < out->c; c++) {
        if (got[c] != want[c])
            report_mismatch(r, "frame %ld (y=%d,x=%d,c=%d): expected %d, got %d\n", f, y, x,
                            c, want[c], got[c]);
        last_frame[(size_t)p * out->c + c] = got[c];
    }
    if (!tuser != !want_user)
        report_mismatch(r, "frame %ld (y=%d,x=%d): tuser expected %d, got %d\n", f, y, x,
                        want_user, !!tuser);
    if (!tlast != !want_last)
        report_mismatch(r, "frame %ld (y=%d,x=%d): tlast expected %d, got %d\n", f, y, x,
                        want_last, !!tlast);
}

static void print_fifo_fill(rf_dut *d, const rf_net *net)
{
    int i;

    for (i = 0; i < net->n_fifos; i++) {
        uint32_t n = rf_dut_fifo_count(d, i);
        int depth = net->fifos[i].depth;

        fprintf(stderr, "  fifo %-24s %6lu / %-6d%s\n", net->fifos[i].name, (unsigned long)n,
                depth, (long)n >= depth ? " (full)" : n == 0 ? " (empty)" : "");
    }
}

static void simulate(rf_dut *d, const rf_net *net, const options *o, const int8_t *frames,
                     const int8_t *expected, int8_t *last_frame, results *r)
{
    const rf_layer *in = &net->layers[0], *out = &net->layers[net->output];
    long long in_pixels = (long long)in->h * in->w, out_pixels = (long long)out->h * out->w;
    long long total_in = in_pixels * r->frames, total_out = out_pixels * r->frames;
    long long ib = 0, ob = 0, cycle = 0, idle = 0;
    uint64_t rng_in = o->seed ^ UINT64_C(0x7374616c6c5f696e);  /* "stall_in" */
    uint64_t rng_out = o->seed ^ UINT64_C(0x7374616c6c5f6f75); /* "stall_ou" */
    int8_t *got = calloc((size_t)out->c, 1);
    int8_t *zero_beat = calloc((size_t)in->c, 1);  /* tdata while idle */
    int8_t *held_data = calloc((size_t)out->c, 1); /* output beat offered, not taken */
    int presenting = 0, i, held = 0, held_last = 0, held_user = 0;
    FILE *trace = NULL;
    double t0;

    if (!got || !zero_beat || !held_data) {
        error("out of memory");
        exit(2);
    }
    if (o->trace && !(trace = fopen(o->trace, "w"))) {
        error("%s: %s", o->trace, strerror(errno));
        exit(2);
    }
    rf_dut_reset(d);
    t0 = now_seconds();
    while (ob < total_out) {
        long long p = ib % in_pixels;
        int m_ready, s_ready, m_valid, tlast = 0, tuser = 0, in_x, out_x;

        if (!presenting && ib < total_in)
            presenting = !rng_chance(&rng_in, o->stall_in);
        rf_dut_set_s_axis(d, ib < total_in ? frames + (size_t)ib * in->c : zero_beat,
                          presenting, presenting && p % in->w == in->w - 1,
                          presenting && p == 0);
        m_ready = !rng_chance(&rng_out, o->stall_out);
        rf_dut_set_m_tready(d, m_ready);
        rf_dut_eval(d);
        s_ready = rf_dut_s_tready(d);
        m_valid = rf_dut_m_axis(d, got, &tlast, &tuser);
        in_x = presenting && s_ready;
        out_x = m_valid && m_ready;
        if (presenting && !s_ready)
            r->in_stall++;
        if (m_valid && !m_ready)
            r->out_stall++;
        /* AXI4-Stream: a beat offered and not taken must be offered again,
         * unchanged, in the next cycle */
        if (held) {
            if (!m_valid || memcmp(got, held_data, (size_t)out->c) || tlast != held_last || tuser != held_user)
                report_mismatch(r, "AXI4-Stream violation at cycle %lld: output beat %lld %s while tready was low\n",
                                cycle, ob, m_valid ? "changed" : "withdrawn");
        }
        held = m_valid && !m_ready;
        if (held) {
            memcpy(held_data, got, (size_t)out->c);
            held_last = tlast;
            held_user = tuser;
        }
        if (in_x && r->first_in < 0)
            r->first_in = cycle;
        if (out_x) {
            if (r->first_out < 0)
                r->first_out = cycle;
            check_beat(net, r, ob, got, tlast, tuser, expected, last_frame);
            if (r->logits && out_pixels == 1)
                memcpy(r->logits + (size_t)ob * out->c, got, (size_t)out->c);
            if (ob % out_pixels == out_pixels - 1)
                r->frame_done[ob / out_pixels] = cycle;
            ob++;
        }
        if (trace) {
            fprintf(trace, "%lld %lld %lld", cycle, ib + in_x, ob);
            for (i = 0; i < net->n_fifos; i++)
                fprintf(trace, " %lu", (unsigned long)rf_dut_fifo_count(d, i));
            fputc('\n', trace);
        }
        rf_dut_tick(d);
        cycle++;
        if (in_x) {
            ib++;
            presenting = 0;
        }
        idle = (in_x || out_x) ? 0 : idle + 1;
        if (idle >= o->watchdog) {
            r->deadlock = 1;
            fprintf(stderr, "stream: deadlock: no transfer for %ld cycles at cycle %lld "
                    "(%lld of %lld input beats sent, %lld of %lld output beats received)\n",
                    o->watchdog, cycle, ib, total_in, ob, total_out);
            print_fifo_fill(d, net);
            break;
        }
    }
    r->seconds = now_seconds() - t0;
    r->cycles = cycle;

    /* drain: nothing more may come out */
    for (i = 0; !r->deadlock && i < DRAIN_CYCLES + net->predicted_first_output_latency_cycles; i++) {
        int tlast, tuser;

        rf_dut_set_s_axis(d, zero_beat, 0, 0, 0);
        rf_dut_set_m_tready(d, 1);
        rf_dut_eval(d);
        (void)rf_dut_s_tready(d);
        if (rf_dut_m_axis(d, got, &tlast, &tuser))
            report_mismatch(r, "extra output beat %d cycles after the last expected one\n",
                            i + 1);
        rf_dut_tick(d);
    }

    for (i = 0; i < net->n_fifos; i++)
        r->high_water[i] = rf_dut_fifo_high_water(d, i);
    if (!r->deadlock && r->frames >= 2)
        r->cycles_per_frame = (double)(r->frame_done[r->frames - 1] - r->frame_done[0]) /
                              (double)(r->frames - 1);
    else if (!r->deadlock && r->frames == 1)
        r->cycles_per_frame = (double)(r->frame_done[0] - r->first_in + 1);
    free(got);
    free(zero_beat);
    free(held_data);
    if (trace)
        fclose(trace);
}

/* ---- reports ---- */

static double sim_speed(const results *r)
{
    return r->seconds > 0.0 ? (double)r->cycles / r->seconds : NAN;
}

static void print_report(const rf_net *net, const options *o, const results *r)
{
    const rf_layer *in = &net->layers[0], *out = &net->layers[net->output];
    int i;

    printf("network:   %s, %dx%dx%d -> %dx%dx%d\n", net->name, in->h, in->w, in->c, out->h,
           out->w, out->c);
    printf("frames:    %ld (%d image%s x %ld, %ld random, seed %llu), stall in %.2f / out %.2f\n",
           r->frames, o->n_images, o->n_images == 1 ? "" : "s", o->frames_per_image,
           o->random_frames, (unsigned long long)o->seed, o->stall_in, o->stall_out);
    if (net->n_fifos > 0) {
        printf("fifos:     %-24s %8s %10s\n", "name", "depth", "high-water");
        for (i = 0; i < net->n_fifos; i++)
            printf("           %-24s %8d %10lu%s\n", net->fifos[i].name, net->fifos[i].depth,
                   (unsigned long)r->high_water[i],
                   (long)r->high_water[i] >= net->fifos[i].depth ? "  (full)" : "");
    } else {
        printf("fifos:     none\n");
    }
    printf("cycles/frame:         predicted %.15g, measured ", net->predicted_cycles_per_frame);
    if (isnan(r->cycles_per_frame))
        printf("-\n");
    else
        printf("%.2f\n", r->cycles_per_frame);
    printf("first-output latency: predicted %ld, measured ",
           net->predicted_first_output_latency_cycles);
    if (r->first_out >= 0 && r->first_in >= 0)
        printf("%lld cycles\n", r->first_out - r->first_in);
    else
        printf("-\n");
    if (o->clock_mhz > 0 && !isnan(r->cycles_per_frame) && r->first_out >= 0 && r->first_in >= 0)
        printf("at %.1f MHz:          %.1f frames/s (steady state), first output after %.1f us\n", o->clock_mhz,
               o->clock_mhz * 1e6 / r->cycles_per_frame, (double)(r->first_out - r->first_in) / o->clock_mhz);
    printf("stalls:    input %lld cycles (tvalid && !tready), output %lld cycles "
           "(m_tvalid && !m_tready)\n", r->in_stall, r->out_stall);
    printf("sim:       %lld cycles in %.3f s", r->cycles, r->seconds);
    if (!isnan(sim_speed(r)))
        printf(", %.0f cycles/s", sim_speed(r));
    printf("\n");
}

static int write_json(const char *path, const rf_net *net, const results *r)
{
    FILE *f = fopen(path, "w");
    int i, rc;

    if (!f)
        return error("%s: %s", path, strerror(errno));
    fputs("{\n  \"network\": ", f);
    json_write_string(f, net->name);
    fprintf(f, ",\n  \"frames\": %ld,\n", r->frames);
    fprintf(f, "  \"mismatches\": %ld,\n", r->mismatches);
    fputs("  \"cycles_per_frame\": ", f);
    json_write_double(f, "%.2f", r->cycles_per_frame);
    fprintf(f, ",\n  \"predicted_cycles_per_frame\": %.15g,\n", net->predicted_cycles_per_frame);
    fputs("  \"first_output_latency_cycles\": ", f);
    if (r->first_out >= 0 && r->first_in >= 0)
        fprintf(f, "%lld", r->first_out - r->first_in);
    else
        fputs("null", f);
    fprintf(f, ",\n  \"predicted_first_output_latency_cycles\": %ld,\n",
            net->predicted_first_output_latency_cycles);
    fprintf(f, "  \"input_stall_cycles\": %lld,\n", r->in_stall);
    fprintf(f, "  \"output_stall_cycles\": %lld,\n", r->out_stall);
    fprintf(f, "  \"deadlock\": %s,\n", r->deadlock ? "true" : "false");
    fputs("  \"fifos\": [", f);
    for (i = 0; i < net->n_fifos; i++) {
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", f);
        json_write_string(f, net->fifos[i].name);
        fprintf(f, ", \"depth\": %d, \"high_water\": %lu}", net->fifos[i].depth,
                (unsigned long)r->high_water[i]);
    }
    fputs(net->n_fifos ? "\n  ],\n" : "],\n", f);
    if (r->labelled)
        fprintf(f, "  \"top1_correct\": %ld,\n  \"top1_images\": %ld,\n", r->top1, r->labelled);
    if (r->logits) {
        long k;
        int c = net->layers[net->output].c;
        fputs("  \"argmax\": [", f);
        for (k = 0; k < r->frames; k++)
            fprintf(f, "%s%d", k ? ", " : "", argmax_i8(r->logits + (size_t)k * c, c));
        fputs("],\n  \"logits\": [", f);
        for (k = 0; k < r->frames; k++) {
            int j;
            fputs(k ? ",\n    [" : "\n    [", f);
            for (j = 0; j < c; j++)
                fprintf(f, "%s%d", j ? ", " : "", r->logits[(size_t)k * c + j]);
            fputs("]", f);
        }
        fputs("\n  ],\n", f);
    }
    fprintf(f, "  \"total_cycles\": %lld,\n", r->cycles);
    fputs("  \"sim_cycles_per_second\": ", f);
    json_write_double(f, "%.0f", sim_speed(r));
    fputs("\n}\n", f);
    rc = ferror(f);
    if (fclose(f) != 0 || rc)
        return error("%s: write failed", path);
    return 0;
}

int main(int argc, char **argv)
{
    const rf_net *net = &rf_net_desc;
    options o;
    results r;
    int8_t *frames, *expected, *last_frame;
    size_t in_size, out_size;
    rf_dut *d;
    int rc, rc2;
    char err[512];

    rc = parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? 0 : rc;
    if ((rc = check_net(net)) != 0)
        return rc;
    /* a folded network may go a whole frame's compute without a transfer on
     * either port (the input waits on a full skip FIFO while the main path
     * works): the default watchdog allows a frame plus the pipeline's fill */
    if (!o.watchdog) {
        o.watchdog = (long)net->predicted_cycles_per_frame + net->predicted_first_output_latency_cycles;
        if (o.watchdog < 100000)
            o.watchdog = 100000;
    }
    memset(&r, 0, sizeof r);
    r.frames = (long)o.n_images * o.frames_per_image + o.random_frames;
    if (r.frames < 1)
        return error("no frames to send (--random-frames 0 and no --image)");
    if (r.frames > MAX_FRAMES)
        return error("%ld frames requested; at most %ld", r.frames, MAX_FRAMES);
    r.first_in = r.first_out = -1;
    r.cycles_per_frame = NAN;
    in_size = (size_t)net->layers[0].h * net->layers[0].w * net->layers[0].c;
    out_size = (size_t)net->layers[net->output].h * net->layers[net->output].w *
               net->layers[net->output].c;
    frames = malloc(in_size * (size_t)r.frames);
    expected = malloc(out_size * (size_t)r.frames);
    last_frame = calloc(out_size, 1);
    r.frame_done = calloc((size_t)r.frames, sizeof *r.frame_done);
    r.high_water = calloc((size_t)net->n_fifos + 1, sizeof *r.high_water);
    if (net->layers[net->output].h == 1 && net->layers[net->output].w == 1)
        r.logits = calloc(out_size * (size_t)r.frames, 1);
    if (!frames || !expected || !last_frame || !r.frame_done || !r.high_water ||
        (net->layers[net->output].h == 1 && net->layers[net->output].w == 1 && !r.logits))
        return error("out of memory for %ld frames", r.frames);
    if ((rc = make_frames(&o, net, frames, expected)) != 0)
        return rc;
    if (o.uart) {
        uart_opts u = {o.uart, o.baud, o.timeout, o.json, o.out_image, o.quiet};
        return uart_stream(&u, net, frames, expected, r.frames);
    }

    d = rf_dut_new();
    if (!d)
        return error("cannot create the simulation model");
    simulate(d, net, &o, frames, expected, last_frame, &r);
    rf_dut_free(d);

    if (r.mismatches > MAX_SHOWN_MISMATCHES)
        fprintf(stderr, "... %ld mismatches in all\n", r.mismatches);
    if (!o.quiet)
        print_report(net, &o, &r);
    if (r.logits && !o.quiet) {
        /* a classifier: the logits vector per frame, and its argmax */
        int c = net->layers[net->output].c, k;
        long fr;
        for (fr = 0; fr < r.frames && fr < 16; fr++) {
            printf("%s frame %ld: argmax %d, logits", fr ? "          " : "classes:", fr,
                   argmax_i8(r.logits + (size_t)fr * c, c));
            for (k = 0; k < c && k < 16; k++)
                printf(" %d", r.logits[(size_t)fr * c + k]);
            printf("%s\n", c > 16 ? " ..." : "");
        }
        if (r.frames > 16)
            printf("          ... %ld frames in all (--json has every argmax)\n", r.frames);
    }
    if (r.logits && o.labels) {
        int c = net->layers[net->output].c, i;
        for (i = 0; i < o.n_images; i++)
            r.top1 += argmax_i8(r.logits + (size_t)i * o.frames_per_image * c, c) == o.labels[i];
        r.labelled = o.n_images;
        printf("top-1:     %ld of %ld images correct (%.1f%%), argmax of the pipeline's logits against %s\n",
               r.top1, r.labelled, 100.0 * r.top1 / r.labelled, o.labels_file);
    }
    if (r.deadlock)
        printf("verdict:   FAIL (deadlock)%s\n", r.mismatches ? " and mismatches" : "");
    else if (r.mismatches)
        printf("verdict:   FAIL (%ld mismatches)\n", r.mismatches);
    else
        printf("verdict:   bit-exact PASS\n");

    rc = r.deadlock || r.mismatches ? 1 : 0;
    if (o.json && write_json(o.json, net, &r) != 0)
        rc = 2;
    if (o.out_image) {
        if (r.deadlock)
            fprintf(stderr, "stream: warning: %s: the last frame is incomplete (deadlock)\n",
                    o.out_image);
        if (image_write_mosaic(o.out_image, last_frame, net->layers[net->output].h,
                               net->layers[net->output].w, net->layers[net->output].c, err,
                               sizeof err) != 0)
            rc = error("%s", err);
    }
    free(frames);
    free(expected);
    free(last_frame);
    free(r.frame_done);
    free(r.high_water);
    free(r.logits);
    if (o.labels_file)
        for (rc2 = 0; rc2 < o.n_images; rc2++)
            free((void *)o.images[rc2]);
    free(o.labels);
    free(o.images);
    return rc;
}
