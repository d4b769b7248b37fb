// Testbench of rf_window: every element of every window of several
// back-to-back frames (padding at all four borders included) against a
// reference, tlast/tuser, LATENCY and the frame period H*W + P without
// stalls, and random stalls on both streams.
#include <vector>

#include "Vtb.h"
#include "tb_common.h"

#ifndef P_HEIGHT
#define P_HEIGHT 8
#endif
#ifndef P_WIDTH
#define P_WIDTH 8
#endif
#ifndef P_CHANNELS
#define P_CHANNELS 1
#endif
#ifndef P_KERNEL
#define P_KERNEL 3
#endif
#ifndef P_PAD_VALUE
#define P_PAD_VALUE 0
#endif
static const int H = P_HEIGHT, W = P_WIDTH, C = P_CHANNELS, K = P_KERNEL, P = (P_KERNEL - 1) / 2;
static const int LATENCY = 3;  // documented in templates/rf_window.v

static Vtb *top;
static uint64_t cyc;

typedef std::vector<int8_t> Frame;  // [y][x][c]

static int ref_elem(const Frame &f, int g, int x, int kh, int kw, int c)
{
    int y = g - P + kh, xx = x - P + kw;
    if (y < 0 || y >= H || xx < 0 || xx >= W)
        return (int8_t)P_PAD_VALUE;
    return f[((size_t)y * W + xx) * C + c];
}

// stream frames through; pv/pr valid/ready percentages; timing: no stalls
static void run(Rng &rng, int nframes, int pv, int pr, bool timing, const char *phase)
{
    std::vector<Frame> frames(nframes, Frame((size_t)H * W * C));
    for (auto &f : frames)
        for (auto &v : f) {
            int r = (int)rng.range(0, 15);
            v = r == 0 ? -128 : r == 1 ? 127 : (int8_t)rng.next();
        }
    const int npix = H * W, total_in = nframes * npix, total_out = total_in;
    int sent = 0, got = 0, guard = 0;
    bool hold = false, prev_stall = false;
    std::vector<uint64_t> in_cycle(total_in);
    uint64_t first_out = 0;
    int on_time = 0;
    std::remove_reference<decltype(top->m_axis_tdata)>::type prev_data;
    while (got < total_out && guard++ < 200 * total_out + 2000) {
        if (!hold && sent < total_in && rng.pct(pv))
            hold = true;
        int fi = sent < total_in ? sent / npix : nframes - 1, pi = sent < total_in ? sent % npix : 0;
        for (int c = 0; c < C; c++)
            set_byte(top->s_axis_tdata, c, (uint8_t)frames[fi][(size_t)pi * C + c]);
        // tlast/tuser are ignored by the window: drive them wrong on purpose
        top->s_axis_tlast = rng.pct(50);
        top->s_axis_tuser = rng.pct(50);
        top->s_axis_tvalid = hold;
        top->m_axis_tready = rng.pct(pr);
        top->eval();
        if (prev_stall && (!top->m_axis_tvalid || !same_sig(prev_data, top->m_axis_tdata)))
            tb_error("%s cycle %llu: m_axis changed before its transfer", phase, (unsigned long long)cyc);
        prev_stall = top->m_axis_tvalid && !top->m_axis_tready;
        copy_sig(prev_data, top->m_axis_tdata);
        if (top->m_axis_tvalid && top->m_axis_tready) {
            int f = got / npix, o = got % npix, g = o / W, x = o % W;
            int bad = 0;
            for (int kh = 0; kh < K; kh++)
                for (int kw = 0; kw < K; kw++)
                    for (int c = 0; c < C; c++) {
                        int e = ref_elem(frames[f], g, x, kh, kw, c);
                        int v = (int8_t)get_byte(top->m_axis_tdata, (kh * K + kw) * C + c);
                        if (e != v && bad++ < 3)
                            tb_error("%s frame %d (y=%d,x=%d) element (kh=%d,kw=%d,c=%d): expected %d, got %d", phase,
                                     f, g, x, kh, kw, c, e, v);
                    }
            int el = x == W - 1, eu = g == 0 && x == 0;
            if (top->m_axis_tlast != el || top->m_axis_tuser != eu)
                tb_error("%s frame %d (y=%d,x=%d): tlast/tuser %d/%d, expected %d/%d", phase, f, g, x,
                         top->m_axis_tlast, top->m_axis_tuser, el, eu);
            if (timing) {
                if (got == 0) {
                    // the input pixel that completes window (0,0): row
                    // min(P, H-1) of frame 0, column P (the reader waits for it)
                    if (P < W) {
                        int idx = (P < H - 1 ? P : H - 1) * W + P;
                        uint64_t lat = cyc - in_cycle[idx];
                        printf("latency: %llu cycles (pixel (%d,%d) -> window (0,0))\n", (unsigned long long)lat,
                               idx / W, idx % W);
                        if (lat != (uint64_t)LATENCY)
                            tb_error("latency: window (0,0) %llu cycles after its last pixel, expected LATENCY = %d",
                                     (unsigned long long)lat, LATENCY);
                    }
                    first_out = cyc;
                } else if (cyc == first_out + (uint64_t)f * (npix + P) + o) {
                    on_time++;
                }
            }
            got++;
        }
        if (hold && top->s_axis_tready) {
            in_cycle[sent] = cyc;
            hold = false;
            sent++;
        }
        tick(top, cyc);
    }
    if (got < total_out)
        tb_error("%s: only %d of %d windows came out (%d pixels accepted)", phase, got, total_out, sent);
    if (timing) {
        printf("no stalls: %d of %d windows at first + frame*(H*W+P) + index\n", on_time + 1, total_out);
        if (on_time + 1 != total_out)
            tb_error("II: %d of %d windows on time (1 per cycle, H*W + P = %d cycles per frame)", on_time + 1,
                     total_out, npix + P);
    }
    // nothing more may come out
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 1;
    for (int i = 0; i < 20; i++) {
        top->eval();
        if (top->m_axis_tvalid)
            tb_error("%s: extra window after the last frame", phase);
        tick(top, cyc);
    }
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    top = new Vtb;
    Rng rng(5);
    printf("rf_window HEIGHT=%d WIDTH=%d CHANNELS=%d KERNEL=%d PAD_VALUE=%d\n", H, W, C, K, P_PAD_VALUE);
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    run(rng, 3, 100, 100, true, "no-stall");
    reset(top, cyc);
    run(rng, 3, 60, 60, false, "mixed");
    run(rng, 3, 95, 30, false, "slow-sink");
    run(rng, 4, 30, 95, false, "slow-source");
    int rc = tb_finish("rf_window");
    top->final();
    delete top;
    return rc;
}
