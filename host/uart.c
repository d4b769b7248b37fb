/*
 * uart.c - the host side of the UART frame protocol (uart.h, docs/boards.md).
 *
 * One image at a time, paced: the host sends an input frame no faster than
 * the board's answer comes back (docs/boards.md, "Flow control"). With I
 * input and O output payload bytes per image and r payload bytes of the
 * answer received, at most allowed(r) = min(I, LEAD + floor(r * I / O))
 * payload bytes of the image have been sent (header and CRC bytes go
 * freely); LEAD comes from the board's info answer (protocol version 2).
 * The board streams the pixels into the pipeline as they arrive and the
 * output goes back while the input is still coming in, so the receive FIFO
 * of the bridge only holds what the host sent ahead (gen/board.c
 * board_pace_plan sizes it for LEAD). A version 1 board (no LEAD) gets the
 * whole image at once, as before: LEAD = I.
 */
#define _DEFAULT_SOURCE
#include "uart.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "json.h"

#define MAX_SHOWN 10

uint16_t rf_uart_crc16(uint16_t crc, const uint8_t *p, size_t n)
{
    size_t i;
    int b;
    for (i = 0; i < n; i++) {
        crc ^= (uint16_t)(p[i] << 8);
        for (b = 0; b < 8; b++)
            crc = (uint16_t)(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

size_t rf_uart_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out)
{
    uint16_t crc;
    out[0] = RF_UART_SYNC0;
    out[1] = RF_UART_SYNC1;
    out[2] = type;
    out[3] = (uint8_t)(len >> 16);
    out[4] = (uint8_t)(len >> 8);
    out[5] = (uint8_t)len;
    if (len)
        memcpy(out + 6, payload, len);
    crc = rf_uart_crc16(0xFFFF, out + 2, len + 4);
    out[6 + len] = (uint8_t)(crc >> 8);
    out[7 + len] = (uint8_t)crc;
    return len + 8;
}

/* ---- the port ---- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static const struct {
    long baud;
    speed_t code;
} rates[] = {
    {9600, B9600},       {19200, B19200},     {38400, B38400},     {57600, B57600},     {115200, B115200},
    {230400, B230400},   {460800, B460800},   {500000, B500000},   {576000, B576000},   {921600, B921600},
    {1000000, B1000000}, {1152000, B1152000}, {1500000, B1500000}, {2000000, B2000000}, {2500000, B2500000},
    {3000000, B3000000}, {3500000, B3500000}, {4000000, B4000000},
};

static int open_port(const char *dev, long baud)
{
    struct termios t;
    size_t i;
    int fd;
    for (i = 0; i < sizeof rates / sizeof rates[0] && rates[i].baud != baud; i++)
        ;
    if (i == sizeof rates / sizeof rates[0]) {
        fprintf(stderr, "stream: error: --baud %ld is not a standard rate (9600 .. 4000000, e.g. 115200, "
                        "1000000, 3000000)\n", baud);
        return -1;
    }
    if ((fd = open(dev, O_RDWR | O_NOCTTY)) < 0) {
        fprintf(stderr, "stream: error: %s: %s\n", dev, strerror(errno));
        return -1;
    }
    if (tcgetattr(fd, &t)) {
        fprintf(stderr, "stream: error: %s is not a serial port: %s\n", dev, strerror(errno));
        close(fd);
        return -1;
    }
    cfmakeraw(&t);
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (cfsetispeed(&t, rates[i].code) || cfsetospeed(&t, rates[i].code) || tcsetattr(fd, TCSANOW, &t)) {
        fprintf(stderr, "stream: error: %s: cannot set %ld baud, 8N1: %s\n", dev, baud, strerror(errno));
        close(fd);
        return -1;
    }
    tcflush(fd, TCIOFLUSH);
    /* non-blocking: the paced exchange writes only what the port takes */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)) {
        fprintf(stderr, "stream: error: %s: %s\n", dev, strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && (errno == EINTR || errno == EAGAIN)) {
            struct pollfd pf = {fd, POLLOUT, 0};
            poll(&pf, 1, 100);
            continue;
        }
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

/* A board -> host frame, parsed as its bytes come: the sync bytes, then
 * the header (TYPE, LEN), the payload, STATUS and CRC. */
typedef struct rx_frame {
    int state;                   /* 0 sync, 1 header, 2 payload, 3 tail, 4 done */
    uint8_t prev, h[4], tail[3];
    size_t got, len, cap;        /* got: bytes of the current part */
    uint8_t *payload;
    int garbled;                 /* LEN above cap, or a bad CRC */
} rx_frame;

/* Bytes the parser needs next: never more than the frame has left, so that
 * nothing after the frame is read. */
static size_t rx_want(const rx_frame *f)
{
    switch (f->state) {
    case 1:
        return 4 - f->got;
    case 2:
        return f->len - f->got;
    case 3:
        return 3 - f->got;
    default:
        return 1;
    }
}

static void rx_feed(rx_frame *f, const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n && f->state != 4; i++) {
        uint8_t b = p[i];
        switch (f->state) {
        case 0:
            if (f->prev == RF_UART_SYNC0 && b == RF_UART_SYNC1) {
                f->state = 1;
                f->got = 0;
            }
            f->prev = b;
            break;
        case 1:
            f->h[f->got++] = b;
            if (f->got == 4) {
                f->len = (size_t)f->h[1] << 16 | (size_t)f->h[2] << 8 | f->h[3];
                f->got = 0;
                f->state = f->len ? 2 : 3;
                if (f->len > f->cap) {
                    f->garbled = 1;
                    f->state = 4;
                }
            }
            break;
        case 2:
            f->payload[f->got++] = b;
            if (f->got == f->len) {
                f->got = 0;
                f->state = 3;
            }
            break;
        default:
            f->tail[f->got++] = b;
            if (f->got == 3) {
                uint16_t crc = rf_uart_crc16(0xFFFF, f->h, 4);
                crc = rf_uart_crc16(crc, f->payload, f->len);
                crc = rf_uart_crc16(crc, f->tail, 1);
                f->garbled = crc != ((uint16_t)f->tail[1] << 8 | f->tail[2]);
                f->state = 4;
            }
            break;
        }
    }
}

/* Sends msg (n bytes; an input frame with `in` payload bytes, or NULL) while
 * it reads one board -> host frame of at most `cap` payload bytes into
 * payload. The payload of msg is paced: with r payload bytes of the answer
 * received, at most board_pace_allowed(lead, in, out, r) of them have been
 * written; its 6 header bytes go at once and its 2 CRC bytes after the last
 * payload byte. What is left of msg when the answer is complete (an early
 * error frame) is written then. Returns 0, -1 on a timeout (or a port that
 * fails), -2 on a bad CRC or a frame longer than cap. */
static int exchange(int fd, const uint8_t *msg, size_t n, size_t in, size_t out, size_t lead, uint8_t *type,
                    uint8_t *payload, size_t cap, size_t *len, uint8_t *status, double deadline)
{
    rx_frame f;
    size_t sent = 0;
    memset(&f, 0, sizeof f);
    f.payload = payload;
    f.cap = cap;
    while (f.state != 4) {
        size_t r = f.state == 2 ? f.got : f.state == 3 ? f.len : 0, limit = n;
        struct pollfd pf = {fd, POLLIN, 0};
        double left = deadline - now_s();
        if (msg && out > in) {
            /* allowed(r) = min(I, LEAD + floor(r * I / O)) */
            unsigned long long a = (unsigned long long)lead + (unsigned long long)r * in / out;
            limit = a < in ? 6 + (size_t)a : n;
        }
        if (sent < limit)
            pf.events |= POLLOUT;
        if (left <= 0)
            return -1;
        if (poll(&pf, 1, (int)(left * 1000) + 1) < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (pf.revents & POLLOUT) {
            ssize_t k = write(fd, msg + sent, limit - sent);
            if (k < 0 && errno != EINTR && errno != EAGAIN)
                return -1;
            if (k > 0)
                sent += (size_t)k;
        }
        if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
            uint8_t buf[4096];
            size_t want = rx_want(&f);
            ssize_t k = read(fd, buf, want < sizeof buf ? want : sizeof buf);
            if (k < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (k <= 0)
                return -1;
            rx_feed(&f, buf, (size_t)k);
        }
    }
    if (sent < n && write_all(fd, msg + sent, n - sent))
        return -1;
    if (f.garbled)
        return -2;
    *type = f.h[0];
    *len = f.len;
    *status = f.tail[0];
    return 0;
}

static void status_text(uint8_t s, char *buf, size_t cap)
{
    snprintf(buf, cap, "STATUS 0x%02x:%s%s%s%s%s", s, s & RF_UART_ST_CRC ? " input CRC wrong" : "",
             s & RF_UART_ST_LOST ? " bytes lost (overrun or framing)" : "",
             s & RF_UART_ST_LENGTH ? " input length wrong" : "", s & RF_UART_ST_TYPE ? " unknown type" : "",
             s & RF_UART_ST_TIMEOUT ? " input timed out" : "");
}

/* Asks for the board's shapes and compares them with the network's; sets
 * *lead to the board's PACE_LEAD (protocol version 2), or to the input size
 * for a version 1 board, which has no pacing. */
static int check_info(int fd, const rf_net *net, double timeout, size_t *lead)
{
    const rf_layer *in = &net->layers[0], *out = &net->layers[net->output];
    uint8_t msg[8], info[16], type, status;
    size_t n = rf_uart_encode(RF_UART_INFO, NULL, 0, msg), len;
    size_t in_size = (size_t)in->h * in->w * in->c;
    int want[6] = {in->h, in->w, in->c, out->h, out->w, out->c}, got[6], i, rc;
    rc = exchange(fd, msg, n, 0, 0, 0, &type, info, sizeof info, &len, &status, now_s() + timeout);
    if (rc) {
        fprintf(stderr, "stream: error: the board does not answer the info request (%s): is the bitstream "
                        "loaded, the baud rate right and the port the board's UART?\n",
                rc == -1 ? "no answer" : "a garbled answer");
        return 1;
    }
    if (type != RF_UART_INFO_REPLY || !((info[0] == 1 && len == 13) || (info[0] == 2 && len == 16))) {
        fprintf(stderr, "stream: error: unexpected answer to the info request (type 0x%02x, %zu bytes, "
                        "protocol %d; this host knows versions 1 and 2)\n",
                type, len, len ? info[0] : -1);
        return 1;
    }
    for (i = 0; i < 6; i++)
        got[i] = info[1 + 2 * i] << 8 | info[2 + 2 * i];
    if (memcmp(want, got, sizeof want)) {
        fprintf(stderr, "stream: error: the board runs another network: %dx%dx%d -> %dx%dx%d, this host was "
                        "built for '%s', %dx%dx%d -> %dx%dx%d\n",
                got[0], got[1], got[2], got[3], got[4], got[5], net->name, want[0], want[1], want[2], want[3],
                want[4], want[5]);
        return 1;
    }
    *lead = info[0] == 1 ? in_size : (size_t)info[13] << 16 | (size_t)info[14] << 8 | info[15];
    if (*lead < 1 || *lead > in_size) {
        fprintf(stderr, "stream: error: the board's pacing lead is %zu bytes, outside 1 .. %zu\n", *lead, in_size);
        return 1;
    }
    return 0;
}

int uart_stream(const uart_opts *o, const rf_net *net, const int8_t *frames, const int8_t *expected,
                long n_frames)
{
    const rf_layer *in = &net->layers[0], *out = &net->layers[net->output];
    size_t in_size = (size_t)in->h * in->w * in->c, out_size = (size_t)out->h * out->w * out->c;
    long baud = o->baud > 0 ? o->baud : 1000000, f, answered = 0, bad_status = 0, mismatches = 0;
    double wire_s = (double)(in_size + out_size + 16) * 10.0 / (double)baud;
    double timeout = o->timeout_s > 0 ? o->timeout_s : 5.0 + 2 * wire_s, t0;
    uint8_t *msg = malloc(in_size + 8), *got = malloc(out_size + 1);
    int fd, rc = 0, missing = 0;
    size_t lead = in_size;
    char err[512];

    if (!msg || !got) {
        fprintf(stderr, "stream: error: out of memory\n");
        free(msg);
        free(got);
        return 2;
    }
    if ((fd = open_port(o->device, baud)) < 0) {
        free(msg);
        free(got);
        return 2;
    }
    if ((rc = check_info(fd, net, timeout, &lead)) != 0)
        goto done;
    t0 = now_s();
    for (f = 0; f < n_frames; f++) {
        uint8_t type, status;
        size_t n = rf_uart_encode(RF_UART_FRAME, (const uint8_t *)frames + (size_t)f * in_size, in_size, msg), len;
        int k;
        k = exchange(fd, msg, n, in_size, out_size, lead, &type, got, out_size, &len, &status, now_s() + timeout);
        if (k) {
            fprintf(stderr, "frame %ld: %s\n", f, k == -1 ? "no answer within the timeout" : "garbled answer (CRC)");
            missing++;
            break;
        }
        answered++;
        if (status || type != RF_UART_OUTPUT || len != out_size) {
            status_text(status, err, sizeof err);
            fprintf(stderr, "frame %ld: the board answered type 0x%02x, %zu bytes, %s\n", f, type, len, err);
            bad_status++;
            continue;
        }
        for (n = 0; n < out_size; n++)
            if ((int8_t)got[n] != expected[(size_t)f * out_size + n] && mismatches++ < MAX_SHOWN) {
                size_t p = n / (size_t)out->c;
                fprintf(stderr, "frame %ld (y=%d,x=%d,c=%d): expected %d, got %d\n", f, (int)(p / (size_t)out->w),
                        (int)(p % (size_t)out->w), (int)(n % (size_t)out->c), expected[(size_t)f * out_size + n],
                        (int8_t)got[n]);
            }
    }
    t0 = now_s() - t0;
    if (mismatches > MAX_SHOWN)
        fprintf(stderr, "... %ld mismatches in all\n", mismatches);
    if (!o->quiet) {
        printf("uart:      %s at %ld baud, network %s, %dx%dx%d -> %dx%dx%d\n", o->device, baud, net->name, in->h,
               in->w, in->c, out->h, out->w, out->c);
        if (out_size > in_size && lead < in_size)
            printf("pacing:    %zu of %zu input bytes ahead of the output (the board's lead)\n", lead, in_size);
        printf("frames:    %ld sent, %ld answered, %ld with a bad STATUS\n", f + (missing ? 1 : 0), answered,
               bad_status);
        printf("time:      %.3f s, %.2f frames/s (the wire alone allows %.2f)\n", t0,
               t0 > 0 ? (double)answered / t0 : 0.0, 1.0 / wire_s);
    }
    rc = mismatches || bad_status || missing ? 1 : 0;
    printf("verdict:   %s\n", rc ? "FAIL" : "bit-exact PASS");
    if (o->json) {
        FILE *j = fopen(o->json, "w");
        if (!j) {
            fprintf(stderr, "stream: error: %s: %s\n", o->json, strerror(errno));
            rc = 2;
        } else {
            fputs("{\n  \"transport\": \"uart\",\n  \"device\": ", j);
            json_write_string(j, o->device);
            fprintf(j, ",\n  \"baud\": %ld,\n  \"network\": ", baud);
            json_write_string(j, net->name);
            fprintf(j, ",\n  \"frames\": %ld,\n  \"answered\": %ld,\n  \"mismatches\": %ld,\n  \"bad_status\": %ld,\n"
                       "  \"deadlock\": %s,\n  \"pace_lead_bytes\": %zu,\n  \"seconds\": ",
                    n_frames, answered, mismatches, bad_status, missing ? "true" : "false", lead);
            json_write_double(j, "%.4f", t0);
            fputs("\n}\n", j);
            if (fclose(j))
                rc = 2;
        }
    }
    if (o->out_image && answered && !bad_status &&
        image_write_mosaic(o->out_image, (const int8_t *)got, out->h, out->w, out->c, err, sizeof err)) {
        fprintf(stderr, "stream: error: %s\n", err);
        rc = 2;
    }
done:
    close(fd);
    free(msg);
    free(got);
    return rc;
}
