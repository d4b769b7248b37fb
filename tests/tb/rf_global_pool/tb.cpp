// Testbench of rf_global_pool: every channel of every frame's output bit
// exact against TFLite reference_integer_ops::AveragePool with the filter
// over the whole frame (written here from pooling.h), or with -DP_ROUNDING
// 1..3 against the MEAN kernel the template follows (integer_ops/mean.h
// Mean, reduce.h Mean<int8_t, int>, TFLite Micro's reduce.h
// QuantizedMeanOrSum, written here from those files; for 3 the case's
// MEAN_MULT/MEAN_SHIFT must be the ones QuantizedMeanOrSum folds from
// QuantizeMultiplier(1.0) = (2^30, 1) and n), tlast = tuser = 1,
// input tlast/tuser ignored, random stalls on both streams. Without stalls:
// LATENCY = CHANNELS + 2 from the acceptance of each frame's last pixel,
// one frame per max(H*W, CHANNELS) cycles, and no input stall at all when
// H*W >= CHANNELS. With stalls: the input may wait only at a frame's last
// pixel. Exhaustive edge case: frames whose channel sums take every value
// -128n .. 127n (n = H*W), so the reciprocal division is checked on every
// sum that can occur. With -DP_READY_REG=1 (the template's READY_REG = 1,
// ce = !m_axis_tvalid): s_axis_tready the same with m_axis_tready 0 and 1 in
// every cycle, every output LATENCY enabled cycles after its frame's last
// pixel (the pixel's cycle counted; also with stalls), and without stalls the
// first output LATENCY cycles after that pixel, outputs max(H*W, C + 1)
// cycles apart (see out_period) and no input stall when H*W >= C + 1.
#include <algorithm>
#include <vector>

#include "Vtb.h"
#include "Vtb_rf_global_pool.h"  // LATENCY (verilator public)
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
#ifndef P_ACT_MIN
#define P_ACT_MIN -128
#endif
#ifndef P_ACT_MAX
#define P_ACT_MAX 127
#endif
#ifndef P_READY_REG
#define P_READY_REG 0
#endif
#ifndef P_ROUNDING
#define P_ROUNDING 0
#endif
#ifndef P_ZP
#define P_ZP 0
#endif
#ifndef P_MEAN_MULT
#define P_MEAN_MULT 1073741824
#endif
#ifndef P_MEAN_SHIFT
#define P_MEAN_SHIFT 1
#endif
static const int H = P_HEIGHT, W = P_WIDTH, C = P_CHANNELS, N = H * W;
static const int LATENCY = C + 2;             // documented in templates/rf_global_pool.v
static const int PERIOD = N > C ? N : C;      // cycles per frame without stalls

// Cycles from output f-1 to output f (f >= 1) without stalls. READY_REG = 0:
// PERIOD. READY_REG = 1: the issue and the divider stand still in each cycle
// an output is held; the accumulation does not (s_axis_tready does not
// depend on ce before a frame's last pixel). Output f comes C + 2 cycles
// after its frame's last pixel (cycle L(f)), one more when the cycle output
// f-1 is held, L(f-1) + C + 2, falls among frame f's C issues and divider
// stage, that is when L(f) - L(f-1) <= C + 1. Hence H*W >= C + 2: H*W apart,
// as with READY_REG = 0; H*W <= C: the C issues and the held cycle are the
// bound (the last pixel waits for them), C + 1 apart; H*W = C + 1: frame 0
// meets no held cycle, frame 1 does, so C + 2 after frame 0, then
// C + 1 = H*W apart.
static int out_period(int f)
{
    if (!P_READY_REG)
        return PERIOD;
    if (N >= C + 2)
        return N;
    if (N == C + 1 && f == 1)
        return C + 2;
    return C + 1;
}
// no input stall without back-pressure when H*W >= this (READY_REG = 1: the
// last pixel waits when the issue takes longer than the frame's pixels)
static const int NO_STALL_N = C + P_READY_REG;

typedef std::vector<int8_t> Frame;  // [(y*W + x)*C + c]

// TFLite Micro's fold of 1/n into QuantizeMultiplier(s_in / s_out) =
// (2^30, 1) for equal scales (reduce.h QuantizedMeanOrSum):
// s = min(63 - clz(n), 32, 31 + shift), mult = (mult << s) / n, shift -= s
static void tflm_mean_mult(int n, int32_t *mult, int *shift)
{
    int s = 63 - __builtin_clzll((unsigned long long)n);
    s = std::min(std::min(s, 32), 31 + 1);
    *mult = (int32_t)(((int64_t)1073741824 << s) / n);
    *shift = 1 - s;
}

// the output of channel c for frame f, clamped to ACT_MIN .. ACT_MAX:
// ROUNDING 0 reference_integer_ops::AveragePool, filter H x W over an H x W
// input, 'valid': one output, filter_count = H*W; 1 reference_integer_ops::
// Mean (MultiplyByQuantizedMultiplier(acc, 2^30, 1) = acc); 2 reference_ops::
// Mean<int8_t, int>; 3 reference_ops::QuantizedMeanOrSum. *acc_out: the raw sum
static int ref_gap(const Frame &f, int c, int32_t *acc_out)
{
    int32_t acc = 0, shifted;
    int filter_count = 0, v;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            acc += f[((size_t)y * W + x) * C + c];
            filter_count++;
        }
    *acc_out = acc;
    shifted = acc - P_ZP * filter_count;
    switch (P_ROUNDING) {
    case 1:
        v = clamp_i(ref_avg_round(shifted, filter_count) + P_ZP, -128, 127);
        break;
    case 2:
        v = acc / filter_count;
        break;
    case 3:
        v = clamp_i((int64_t)ref_mbqm(shifted, P_MEAN_MULT, P_MEAN_SHIFT) + P_ZP, -128, 127);
        break;
    default:
        v = ref_avg_round(acc, filter_count);
        break;
    }
    return clamp_i(v, P_ACT_MIN, P_ACT_MAX);
}

static Frame rand_frame(Rng &rng)
{
    Frame f((size_t)N * C);
    int kind = (int)rng.range(0, 3);
    int8_t base = (int8_t)rng.next();
    for (auto &v : f) {
        int r = (int)rng.range(0, 15);
        if (kind == 0)  // near one value: averages near rounding ties
            v = (int8_t)clamp_i(base + rng.range(-3, 3), -128, 127);
        else
            v = r == 0 ? -128 : r == 1 ? 127 : (int8_t)rng.next();
    }
    return f;
}

// every sum -128n .. 127n once, one per (frame, channel) in order
static std::vector<Frame> edge_frames(Rng &rng)
{
    const int nsums = 255 * N + 1;
    std::vector<Frame> frames((nsums + C - 1) / C, Frame((size_t)N * C));
    for (size_t i = 0; i < frames.size(); i++)
        for (int c = 0; c < C; c++) {
            std::vector<int8_t> v = values_with_sum(rng, N, -128 * N + (int)((i * C + c) % nsums));
            for (int p = 0; p < N; p++)
                frames[i][(size_t)p * C + c] = v[p];
        }
    return frames;
}

static Vtb *top;
static uint64_t cyc;
static ReadyProbe probe;  // READY_REG = 1

// stream the frames through; pv/pr valid/ready percentages; timing: no stalls
static void run(Rng &rng, const std::vector<Frame> &frames, int pv, int pr, bool timing, const char *phase,
                int *hist)
{
    const int nframes = (int)frames.size(), total_in = nframes * N;
    int sent = 0, got = 0, guard = 0, in_stalls = 0, lat_ok = 0, period_ok = 0;
    bool hold = false, prev_stall = false;
    std::vector<uint64_t> last_in(nframes), out_cycle(nframes);
    // enabled cycles up to and with each frame's last pixel, and before this cycle
    std::vector<uint64_t> last_en(nframes);
    uint64_t en = 0;
    std::remove_reference<decltype(top->m_axis_tdata)>::type prev_data;
    while ((got < nframes || sent < total_in) && guard++ < 100 * (total_in + nframes * C) + 1000) {
        if (!hold && sent < total_in && rng.pct(pv))
            hold = true;
        int fi = sent < total_in ? sent / N : nframes - 1, pi = sent < total_in ? sent % N : 0;
        for (int c = 0; c < C; c++)
            set_byte(top->s_axis_tdata, c, (uint8_t)frames[fi][(size_t)pi * C + c]);
        // tlast/tuser are ignored: drive them wrong on purpose
        top->s_axis_tlast = rng.pct(50);
        top->s_axis_tuser = rng.pct(50);
        top->s_axis_tvalid = hold;
        if (P_READY_REG)
            probe_ready_path(top, [] { return (int)top->s_axis_tready; }, probe, phase, cyc);
        top->m_axis_tready = rng.pct(pr);
        top->eval();
        const bool ce = port_ce(P_READY_REG, top->m_axis_tvalid, top->m_axis_tready);
        if (prev_stall && (!top->m_axis_tvalid || !same_sig(prev_data, top->m_axis_tdata)))
            tb_error("%s cycle %llu: m_axis changed before its transfer", phase, (unsigned long long)cyc);
        prev_stall = top->m_axis_tvalid && !top->m_axis_tready;
        copy_sig(prev_data, top->m_axis_tdata);
        if (top->m_axis_tvalid && top->m_axis_tready) {
            if (got >= nframes || (got + 1) * N > sent) {
                tb_error("%s: output %d before its frame's last pixel", phase, got);
                break;
            }
            for (int c = 0; c < C; c++) {
                int32_t acc;
                int e = ref_gap(frames[got], c, &acc), g = (int8_t)get_byte(top->m_axis_tdata, c);
                hist[e == P_ACT_MIN ? 0 : e == P_ACT_MAX ? 2 : 1]++;
                if (e != g)
                    tb_error("%s frame %d (c=%d, sum %d over n=%d pixels): expected %d, got %d", phase, got, c, acc,
                             N, e, g);
            }
            if (top->m_axis_tlast != 1 || top->m_axis_tuser != 1)
                tb_error("%s frame %d: tlast/tuser %d/%d, expected 1/1", phase, got, top->m_axis_tlast,
                         top->m_axis_tuser);
            out_cycle[got] = cyc;
            // LATENCY enabled cycles after the frame's last pixel (its cycle
            // counted, enabled or not: the load is not gated by ce; while a
            // frame waits in the output register no cycle is enabled).
            // Without stalls the first frame takes LATENCY cycles
            uint64_t lat = cyc - last_in[got], lat_en = 1 + en - last_en[got];
            std::string what = "frame " + std::to_string(got) + " (after its last pixel)";
            bool lat_en_ok = check_latency_en(timing || P_READY_REG, phase, what.c_str(), lat_en, lat, LATENCY,
                                              "C + 2");
            if (timing) {
                if ((!P_READY_REG || got == 0) && lat != (uint64_t)LATENCY)
                    tb_error("%s frame %d: output %llu cycles after its last pixel, expected LATENCY = C + 2 = %d",
                             phase, got, (unsigned long long)lat, LATENCY);
                else if (lat_en_ok)
                    lat_ok++;
                if (got > 0 && out_cycle[got] - out_cycle[got - 1] == (uint64_t)out_period(got))
                    period_ok++;
                else if (got > 0)
                    tb_error("%s frame %d: %llu cycles after the previous output, expected %s = %d", phase, got,
                             (unsigned long long)(out_cycle[got] - out_cycle[got - 1]),
                             P_READY_REG ? "max(H*W, C + 1) (READY_REG = 1)" : "max(H*W, C)", out_period(got));
            }
            got++;
        }
        if (hold && !top->s_axis_tready) {
            in_stalls++;
            if (sent % N != N - 1)
                tb_error("%s frame %d pixel (y=%d,x=%d): input stalled before the frame's last pixel", phase,
                         sent / N, sent % N / W, sent % W);
        }
        if (hold && top->s_axis_tready) {
            if (sent % N == N - 1) {
                last_in[sent / N] = cyc;
                last_en[sent / N] = en + ce;
            }
            hold = false;
            sent++;
        }
        en += ce;
        tick(top, cyc);
    }
    if (got < nframes || sent < total_in)
        tb_error("%s: only %d of %d outputs came out, %d of %d pixels accepted", phase, got, nframes, sent, total_in);
    if (timing) {
        printf("no stalls: latency %d on %d of %d frames, period %d on %d of %d, %d input stall cycles\n", LATENCY,
               lat_ok, nframes, out_period(nframes), period_ok, nframes - 1, in_stalls);
        if (N >= NO_STALL_N && in_stalls)
            tb_error("%s: input stalled %d cycles without back-pressure (H*W = %d >= C + READY_REG = %d)", phase,
                     in_stalls, N, NO_STALL_N);
    }
    // nothing more may come out
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 1;
    for (int i = 0; i < LATENCY + 4; i++) {
        top->eval();
        if (top->m_axis_tvalid)
            tb_error("%s: extra output after the last frame", phase);
        tick(top, cyc);
    }
}

static std::vector<Frame> rand_frames(Rng &rng, int n)
{
    std::vector<Frame> v;
    for (int i = 0; i < n; i++)
        v.push_back(rand_frame(rng));
    return v;
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    top = new Vtb;
    Rng rng(8);
    printf("rf_global_pool HEIGHT=%d WIDTH=%d CHANNELS=%d (n = %d) act [%d, %d] READY_REG=%d ROUNDING=%d ZP=%d\n", H,
           W, C, N, P_ACT_MIN, P_ACT_MAX, P_READY_REG, P_ROUNDING, P_ZP);
    if (P_ROUNDING == 3) {
        int32_t m;
        int sh;
        tflm_mean_mult(N, &m, &sh);
        if (m != P_MEAN_MULT || sh != P_MEAN_SHIFT)
            tb_error("MEAN_MULT/MEAN_SHIFT %d/%d, but TFLite Micro folds (2^30, 1) and n = %d into %d/%d",
                     (int)P_MEAN_MULT, (int)P_MEAN_SHIFT, N, (int)m, sh);
    }
    if ((int)Vtb_rf_global_pool::LATENCY != LATENCY)
        tb_error("LATENCY localparam %d, expected CHANNELS + 2 = %d", (int)Vtb_rf_global_pool::LATENCY, LATENCY);
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    int hist[3] = {0, 0, 0};
    // frames enough for a few thousand cycles per phase
    int nf = 3000 / PERIOD + 8;
    run(rng, rand_frames(rng, nf), 100, 100, true, "no-stall", hist);
    std::vector<Frame> edge = edge_frames(rng);
    run(rng, edge, 70, 70, false, "edge", hist);
    printf("edge: every sum %d .. %d of n = %d pixels, in %d frames\n", -128 * N, 127 * N, N, (int)edge.size());
    run(rng, rand_frames(rng, nf), 60, 60, false, "mixed", hist);
    run(rng, rand_frames(rng, nf), 95, 10, false, "slow-sink", hist);
    run(rng, rand_frames(rng, nf), 20, 95, false, "slow-source", hist);
    // READY_REG = 1: outputs held for about H*W cycles, so that the next
    // frame's sums wait in the result registers, part issued, while the
    // output is held and taken: the issue must stand still in the cycle the
    // output is taken (counted by the latency in enabled cycles)
    if (P_READY_REG)
        run(rng, rand_frames(rng, nf), 100, (int)std::max(1, std::min(50, 100 / N)), false, "held-sink", hist);
    printf("outputs: %d at ACT_MIN, %d inside, %d at ACT_MAX\n", hist[0], hist[1], hist[2]);
    if (P_READY_REG)
        probe_report(probe);
    if (4 * hist[1] < hist[0] + hist[1] + hist[2])
        tb_error("test data: only %d of %d outputs inside the clamp range", hist[1], hist[0] + hist[1] + hist[2]);
    int rc = tb_finish("rf_global_pool");
    top->final();
    delete top;
    return rc;
}
