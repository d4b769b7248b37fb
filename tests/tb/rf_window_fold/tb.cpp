// Testbench of rf_window_fold: every beat of every window of several
// back-to-back frames (beat order rep, kh, kw, cc; SIMD elements per beat;
// padding at all four borders, any stride and pads) against a reference built
// from the input frames, tlast/tuser, the number of beats per frame, the
// timing without stalls (LATENCY = 4 from the pixel completing a window when
// the reader waits for it, one beat per cycle within a window and one cycle
// between windows otherwise), and random stalls on both streams.
#include <vector>

#include "Vtb.h"
#include "Vtb_rf_window_fold.h"  // OUT_HEIGHT, OUT_WIDTH (verilator public)
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
#ifndef P_SIMD
#define P_SIMD 1
#endif
#ifndef P_REPEAT
#define P_REPEAT 1
#endif
static const int H = P_HEIGHT, W = P_WIDTH, C = P_CHANNELS, K = P_KERNEL, SIMD = P_SIMD, REP = P_REPEAT;
static const int S = P_STRIDE, PT = P_PAD_TOP, PB = P_PAD_BOTTOM, PL = P_PAD_LEFT, PR = P_PAD_RIGHT;
static const int HO = (H + PT + PB - K) / S + 1, WO = (W + PL + PR - K) / S + 1;
static const int CC = C / SIMD, B = REP * K * K * CC;  // beats per window
static const int LATENCY = 4;  // documented in templates/rf_window_fold.v

static Vtb *top;
static uint64_t cyc;

typedef std::vector<int8_t> Frame;  // [y][x][c]

// element s of beat b of window (oy, ox): b = ((rep*K + kh)*K + kw)*CC + cc
static int ref_elem(const Frame &f, int oy, int ox, int b, int s, int *kh_out, int *kw_out, int *c_out)
{
    int cc = b % CC, kw = b / CC % K, kh = b / CC / K % K;
    int c = cc * SIMD + s, y = oy * S - PT + kh, x = ox * S - PL + kw;
    *kh_out = kh;
    *kw_out = kw;
    *c_out = c;
    if (y < 0 || y >= H || x < 0 || x >= W)
        return (int8_t)P_PAD_VALUE;
    return f[((size_t)y * W + x) * C + c];
}

// The input pixel that completes window (oy, ox), as an index in the frame.
// The window covers image rows oy*S - PT .. oy*S - PT + K-1 and columns
// ox*S - PL .. ox*S - PL + K-1; the pixels arrive in raster order, so the
// last of them to arrive is the bottom-right one inside the image: row
// min(oy*S - PT + K-1, H-1), column min(ox*S - PL + K-1, W-1). Both are >= 0
// (pads < K) and the window always overlaps the image (PB < K, PR < K), so
// this is a real pixel of the window.
static int completing_pixel(int oy, int ox)
{
    int y = std::min(oy * S - PT + K - 1, H - 1), x = std::min(ox * S - PL + K - 1, W - 1);
    return y * W + x;
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
    const int npix = H * W, nwin = HO * WO, total_in = nframes * npix;
    const long per_frame = (long)nwin * B, total_out = nframes * per_frame;
    int sent = 0, guard = 0;
    long got = 0;
    bool hold = false, prev_stall = false;
    int prev_last = 0, prev_user = 0;
    std::vector<uint64_t> in_cycle(total_in);
    std::remove_reference<decltype(top->m_axis_tdata)>::type prev_data;
    std::vector<long> frame_beats(nframes, 0);
    // timing (no stalls): cycle of the previous beat, first beat of each frame
    uint64_t prev_beat = 0;
    std::vector<uint64_t> frame_first(nframes), frame_last(nframes);
    std::vector<int> frame_waits(nframes, 0);  // windows after the first that waited for their pixel
    int waits = 0;
    while ((got < total_out || sent < total_in) && guard++ < 200L * (total_in + total_out) + 2000) {
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
        if (prev_stall && (!top->m_axis_tvalid || !same_sig(prev_data, top->m_axis_tdata) ||
                           top->m_axis_tlast != prev_last || top->m_axis_tuser != prev_user))
            tb_error("%s cycle %llu: m_axis changed before its transfer", phase, (unsigned long long)cyc);
        prev_stall = top->m_axis_tvalid && !top->m_axis_tready;
        copy_sig(prev_data, top->m_axis_tdata);
        prev_last = top->m_axis_tlast;
        prev_user = top->m_axis_tuser;
        if (top->m_axis_tvalid && top->m_axis_tready && got >= total_out) {
            tb_error("%s: extra beat after the last frame's windows", phase);
            break;
        }
        if (top->m_axis_tvalid && top->m_axis_tready) {
            int f = (int)(got / per_frame), o = (int)(got % per_frame / B), b = (int)(got % B);
            int oy = o / WO, ox = o % WO;
            int bad = 0;
            for (int s = 0; s < SIMD; s++) {
                int kh, kw, c;
                int e = ref_elem(frames[f], oy, ox, b, s, &kh, &kw, &c);
                int v = (int8_t)get_byte(top->m_axis_tdata, s);
                if (e != v && bad++ < 2)
                    tb_error("%s frame %d window (y=%d,x=%d) beat %d (rep=%d,kh=%d,kw=%d,cc=%d) element %d "
                             "(c=%d): expected %d, got %d",
                             phase, f, oy, ox, b, b / (K * K * CC), kh, kw, b % CC, s, c, e, v);
            }
            int el = b == B - 1 && ox == WO - 1, eu = b == 0 && o == 0;
            if (top->m_axis_tlast != el || top->m_axis_tuser != eu)
                tb_error("%s frame %d window (y=%d,x=%d) beat %d: tlast/tuser %d/%d, expected %d/%d", phase, f, oy,
                         ox, b, top->m_axis_tlast, top->m_axis_tuser, el, eu);
            frame_beats[f]++;
            // causality, any stalls: a window's first beat comes at least
            // LATENCY cycles after the pixel completing it was accepted
            int need = f * npix + completing_pixel(oy, ox);
            if (b == 0 && (need >= sent || cyc < in_cycle[need] + LATENCY))
                tb_error("%s frame %d window (y=%d,x=%d): first beat before its pixel (%d,%d) was accepted %d cycles "
                         "earlier",
                         phase, f, oy, ox, completing_pixel(oy, ox) / W, completing_pixel(oy, ox) % W, LATENCY);
            if (timing && need < sent) {
                // m_axis is never back-pressured: the reader issues a beat
                // per cycle within a window and a window's first beat one
                // cycle after the previous window's last, but it waits for
                // the pixel completing it (accepted in cycle t: on m_axis in
                // t + LATENCY); the first window waits from reset
                uint64_t expect = got == 0 ? in_cycle[need] + LATENCY : prev_beat + (b == 0 ? 2 : 1);
                if (b == 0 && got > 0 && in_cycle[need] + LATENCY > expect) {
                    expect = in_cycle[need] + LATENCY;
                    waits++;
                    if (o > 0)
                        frame_waits[f]++;
                }
                if (cyc != expect)
                    tb_error("%s frame %d window (y=%d,x=%d) beat %d: in cycle %llu, expected %llu (%s)", phase, f,
                             oy, ox, b, (unsigned long long)cyc, (unsigned long long)expect,
                             b ? "one beat per cycle within a window"
                               : "max(previous window's last beat + 2, its pixel accepted + LATENCY)");
                if (b == 0 && o == 0)
                    frame_first[f] = cyc;
                if (b == B - 1 && o == nwin - 1)
                    frame_last[f] = cyc;
                if (b == 0 && o == 0 && f == 0) {
                    // window (0,0) fresh after reset: completed by the pixel
                    // (n - PT, min(Q, W-1)), n = min(K-1, H-1+PT), Q = K-1-PL
                    // (row min(K-1-PT, H-1) above, written another way)
                    int n = std::min(K - 1, H - 1 + PT), q = K - 1 - PL;
                    int idx = (n - PT) * W + std::min(q, W - 1);
                    uint64_t lat = cyc - in_cycle[idx];
                    printf("latency: %llu cycles (pixel (%d,%d) -> window (0,0) beat 0)\n", (unsigned long long)lat,
                           n - PT, std::min(q, W - 1));
                    if (lat != (uint64_t)LATENCY)
                        tb_error("latency: window (0,0) %llu cycles after its last pixel, expected LATENCY = %d",
                                 (unsigned long long)lat, LATENCY);
                }
            }
            prev_beat = cyc;
            got++;
        }
        if (hold && top->s_axis_tready) {
            in_cycle[sent] = cyc;
            hold = false;
            sent++;
        }
        tick(top, cyc);
    }
    if (got < total_out || sent < total_in)
        tb_error("%s: only %ld of %ld beats came out, %d of %d pixels accepted", phase, got, total_out, sent,
                 total_in);
    for (int f = 0; f < nframes; f++)
        if (frame_beats[f] != per_frame)
            tb_error("%s frame %d: %ld beats, expected HO*WO*REPEAT*K*K*CHANNELS/SIMD = %ld", phase, f,
                     frame_beats[f], per_frame);
    if (timing && got == total_out) {
        printf("no stalls: %d of %d windows waited for their pixel, the others followed the previous beat\n", waits,
               nframes * nwin - 1);
        for (int f = 0; f < nframes; f++) {
            uint64_t span = frame_last[f] - frame_first[f] + 1;
            long expect_span = per_frame + nwin - 1;   // B + 1 cycles per window, less the last's gap
            printf("frame %d: %llu cycles first to last beat (HO*WO*(B+1) - 1 = %ld), %d later windows waited\n", f,
                   (unsigned long long)span, expect_span, frame_waits[f]);
            // one beat per cycle and a cycle between windows: HO*WO*(B + 1)
            // - 1 cycles from a frame's first beat to its last when no
            // window of the frame after its first had to wait for the input
            if (B >= 2 && frame_waits[f] == 0 && span != (uint64_t)expect_span)
                tb_error("frame %d: %llu cycles from first to last beat, expected HO*WO*(B+1) - 1 = %ld", f,
                         (unsigned long long)span, expect_span);
        }
    }
    // nothing more may come out
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 1;
    for (int i = 0; i < 20; i++) {
        top->eval();
        if (top->m_axis_tvalid)
            tb_error("%s: extra beat after the last frame", phase);
        tick(top, cyc);
    }
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    top = new Vtb;
    Rng rng(7);
    printf("rf_window_fold HEIGHT=%d WIDTH=%d CHANNELS=%d KERNEL=%d STRIDE=%d PAD_TOP/BOTTOM/LEFT/RIGHT=%d/%d/%d/%d "
           "PAD_VALUE=%d SIMD=%d REPEAT=%d: %d x %d windows of %d beats\n",
           H, W, C, K, S, PT, PB, PL, PR, P_PAD_VALUE, SIMD, REP, HO, WO, B);
    if ((int)Vtb_rf_window_fold::OUT_HEIGHT != HO || (int)Vtb_rf_window_fold::OUT_WIDTH != WO)
        tb_error("OUT_HEIGHT x OUT_WIDTH %d x %d, expected %d x %d", (int)Vtb_rf_window_fold::OUT_HEIGHT,
                 (int)Vtb_rf_window_fold::OUT_WIDTH, HO, WO);
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    run(rng, 3, 100, 100, true, "no-stall");
    reset(top, cyc);
    run(rng, 3, 60, 60, false, "mixed");
    run(rng, 3, 95, 30, false, "slow-sink");
    run(rng, 4, 30, 95, false, "slow-source");
    int rc = tb_finish("rf_window_fold");
    top->final();
    delete top;
    return rc;
}
