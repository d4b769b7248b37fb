// Testbench of rf_window: every element of every window of several
// back-to-back frames (padding at all four borders included, any stride and
// pads) against a reference, tlast/tuser, the output size, LATENCY and the
// frame period without stalls (H*W + P, one window per cycle, with the
// default stride 1 'same' pads), and random stalls on both streams.
#include <vector>

#include "Vtb.h"
#include "Vtb_rf_window.h"  // OUT_HEIGHT, OUT_WIDTH (verilator public)
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
#ifndef P_STRIDE
#define P_STRIDE 1
#endif
#ifndef P_PAD_TOP
#define P_PAD_TOP ((P_KERNEL - 1) / 2)
#endif
#ifndef P_PAD_BOTTOM
#define P_PAD_BOTTOM ((P_KERNEL - 1) / 2)
#endif
#ifndef P_PAD_LEFT
#define P_PAD_LEFT ((P_KERNEL - 1) / 2)
#endif
#ifndef P_PAD_RIGHT
#define P_PAD_RIGHT ((P_KERNEL - 1) / 2)
#endif
static const int H = P_HEIGHT, W = P_WIDTH, C = P_CHANNELS, K = P_KERNEL, P = (P_KERNEL - 1) / 2;
static const int S = P_STRIDE, PT = P_PAD_TOP, PB = P_PAD_BOTTOM, PL = P_PAD_LEFT, PR = P_PAD_RIGHT;
static const int HO = (H + PT + PB - K) / S + 1, WO = (W + PL + PR - K) / S + 1;
// the default: stride 1, 'same' pads; one window per cycle, H*W + P per frame
static const bool SAME1 = S == 1 && PT == P && PB == P && PL == P && PR == P;
static const int LATENCY = 3;  // documented in templates/rf_window.v

// reader steps per frame, as documented in templates/rf_window.v: HO*V + F
static int steps_per_frame()
{
    int q = K - 1 - PL, lastv = (WO - 1) * S + q;
    if (S > 1)
        return HO * (lastv + 1);
    int spill = lastv + 1 - W > 0 ? lastv + 1 - W : 0, f = spill < q ? spill : q;
    return HO * (W + spill - f) + f;
}

static Vtb *top;
static uint64_t cyc;

typedef std::vector<int8_t> Frame;  // [y][x][c]

static int ref_elem(const Frame &f, int oy, int ox, int kh, int kw, int c)
{
    int y = oy * S - PT + kh, xx = ox * S - PL + kw;
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
    const int npix = H * W, nout = HO * WO, total_in = nframes * npix, total_out = nframes * nout;
    const int steps = steps_per_frame();
    std::vector<uint64_t> frame_first(nframes);
    int in_stalls = 0;
    int sent = 0, got = 0, guard = 0;
    bool hold = false, prev_stall = false;
    std::vector<uint64_t> in_cycle(total_in);
    uint64_t first_out = 0;
    int on_time = 0;
    std::remove_reference<decltype(top->m_axis_tdata)>::type prev_data;
    // inputs no output uses (valid padding, stride leftovers) must still be accepted
    while ((got < total_out || sent < total_in) && guard++ < 200 * (total_in + total_out) + 2000) {
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
        if (top->m_axis_tvalid && top->m_axis_tready && got >= total_out) {
            tb_error("%s: extra window before the last input pixel", phase);
            break;
        }
        if (top->m_axis_tvalid && top->m_axis_tready) {
            int f = got / nout, o = got % nout, g = o / WO, x = o % WO;
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
            int el = x == WO - 1, eu = g == 0 && x == 0;
            if (top->m_axis_tlast != el || top->m_axis_tuser != eu)
                tb_error("%s frame %d (y=%d,x=%d): tlast/tuser %d/%d, expected %d/%d", phase, f, g, x,
                         top->m_axis_tlast, top->m_axis_tuser, el, eu);
            if (timing) {
                // the input pixel that completes window (0,0) of frame f:
                // row min(K-1-PT, H-1), column K-1-PL (the reader waits for it)
                int cy = K - 1 - PT < H - 1 ? K - 1 - PT : H - 1, cx = K - 1 - PL;
                if (o == 0 && cx < W && (f == 0 || (!SAME1 && steps <= npix))) {
                    int idx = f * npix + cy * W + cx;
                    uint64_t lat = cyc - in_cycle[idx];
                    if (f == 0)
                        printf("latency: %llu cycles (pixel (%d,%d) -> window (0,0))\n", (unsigned long long)lat, cy,
                               cx);
                    if (lat != (uint64_t)LATENCY)
                        tb_error("latency: frame %d window (0,0) %llu cycles after its last pixel, expected LATENCY = %d",
                                 f, (unsigned long long)lat, LATENCY);
                }
                if (o == 0)
                    frame_first[f] = cyc;
                if (got == 0)
                    first_out = cyc;
                else if (SAME1 && cyc == first_out + (uint64_t)f * (npix + P) + o)
                    on_time++;
            }
            got++;
        }
        if (hold && !top->s_axis_tready && sent > 0)
            in_stalls++;
        if (hold && top->s_axis_tready) {
            in_cycle[sent] = cyc;
            hold = false;
            sent++;
        }
        tick(top, cyc);
    }
    if (got < total_out || sent < total_in)
        tb_error("%s: only %d of %d windows came out, %d of %d pixels accepted", phase, got, total_out, sent,
                 total_in);
    if (timing && SAME1) {
        printf("no stalls: %d of %d windows at first + frame*(H*W+P) + index\n", on_time + 1, total_out);
        if (on_time + 1 != total_out)
            tb_error("II: %d of %d windows on time (1 per cycle, H*W + P = %d cycles per frame)", on_time + 1,
                     total_out, npix + P);
    }
    if (timing && got == total_out) {
        // steady state: the reader's steps or the input, whichever is slower
        int expect = steps > npix ? steps : npix;
        for (int f = 1; f < nframes; f++) {
            uint64_t per = frame_first[f] - frame_first[f - 1];
            printf("frame period %d -> %d: %llu cycles (H*W = %d, steps HO*V + F = %d)\n", f - 1, f,
                   (unsigned long long)per, npix, steps);
            if (f == nframes - 1 && per != (uint64_t)expect)
                tb_error("frame period %llu cycles, expected max(H*W, steps) = %d", (unsigned long long)per, expect);
        }
        printf("input stalls: %d cycles\n", in_stalls);
        if (steps <= npix && !SAME1 && in_stalls)
            tb_error("input stalled %d cycles without output back-pressure (steps %d <= H*W %d)", in_stalls, steps,
                     npix);
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
    printf("rf_window HEIGHT=%d WIDTH=%d CHANNELS=%d KERNEL=%d STRIDE=%d PAD_TOP/BOTTOM/LEFT/RIGHT=%d/%d/%d/%d "
           "PAD_VALUE=%d: %d x %d windows\n",
           H, W, C, K, S, PT, PB, PL, PR, P_PAD_VALUE, HO, WO);
    if ((int)Vtb_rf_window::OUT_HEIGHT != HO || (int)Vtb_rf_window::OUT_WIDTH != WO)
        tb_error("OUT_HEIGHT x OUT_WIDTH %d x %d, expected %d x %d", (int)Vtb_rf_window::OUT_HEIGHT,
                 (int)Vtb_rf_window::OUT_WIDTH, HO, WO);
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
