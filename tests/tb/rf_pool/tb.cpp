// Testbench of rf_pool: every channel of every output bit exact against
// TFLite reference_integer_ops::MaxPool / AveragePool (written here from
// pooling.h), tlast/tuser passthrough, LATENCY = 2 + MODE and II = 1 without
// stalls, random stalls on both streams. With -DP_READY_REG=1 (the
// template's READY_REG = 1, ce = !m_axis_tvalid): s_axis_tready the same
// with m_axis_tready 0 and 1 in every cycle, every output LATENCY enabled
// cycles after its input (also with stalls), and without stalls the first
// output LATENCY cycles after its input, an input in every enabled cycle and
// an output every II + 1 = 2 cycles. Exhaustive edge cases: average
// pooling gets windows whose channel sums take every value -128n .. 127n
// (n = K*K), so the reciprocal division is checked on every sum that can
// occur; max pooling gets every maximum -128 .. 127 at every tap position.
#include <algorithm>
#include <deque>
#include <vector>

#include "Vtb.h"
#include "Vtb_rf_pool.h"  // LATENCY (verilator public)
#include "tb_common.h"

#ifndef P_KERNEL
#define P_KERNEL 2
#endif
#ifndef P_CHANNELS
#define P_CHANNELS 1
#endif
#ifndef P_MODE
#define P_MODE 0
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
static const int K = P_KERNEL, C = P_CHANNELS, N = K * K, KKC = N * C;
static const int LATENCY = 2 + P_MODE;  // documented in templates/rf_pool.v
// cycles between outputs without stalls: II = 1, one more with READY_REG = 1
// (the pipeline stands still while the output register holds a beat)
static const int OUT_II = 1 + P_READY_REG;

struct Win {
    std::vector<int8_t> x;  // [(kh*K + kw)*C + c]
    int last, user;
};

// reference_integer_ops::MaxPool / AveragePool for channel c of one window
// ('valid': all n = K*K taps inside the image)
static int ref_pool(const Win &w, int c, int32_t *acc_out)
{
    if (P_MODE == 0) {
        int8_t mx = -128;
        for (int t = 0; t < N; t++)
            mx = std::max(mx, w.x[(size_t)t * C + c]);
        *acc_out = mx;
        return clamp_i(mx, P_ACT_MIN, P_ACT_MAX);
    }
    int32_t acc = 0;
    int filter_count = 0;
    for (int t = 0; t < N; t++) {
        acc += w.x[(size_t)t * C + c];
        filter_count++;
    }
    *acc_out = acc;
    return clamp_i(ref_avg_round(acc, filter_count), P_ACT_MIN, P_ACT_MAX);
}

static int8_t rand_val(Rng &rng)
{
    int r = (int)rng.range(0, 15);
    return r == 0 ? -128 : r == 1 ? 127 : (int8_t)rng.next();
}

static Win rand_win(Rng &rng)
{
    Win w;
    int kind = (int)rng.range(0, 9);
    int8_t base = (int8_t)rng.next();
    for (int i = 0; i < KKC; i++) {
        int8_t v = rand_val(rng);
        // kind 0: padded taps (-128, as rf_window pads for max pooling);
        // kind 1: taps near one value, so sums land near rounding ties
        if (kind == 0 && rng.pct(50) && i >= C)
            v = -128;
        else if (kind == 1)
            v = (int8_t)clamp_i(base + rng.range(-2, 2), -128, 127);
        w.x.push_back(v);
    }
    w.last = rng.pct(25);
    w.user = rng.pct(10);
    return w;
}

// the edge cases, one per (window, channel) in order: average: every sum
// -128n .. 127n; max: every maximum -128 .. 127 at every tap position
static std::vector<Win> edge_wins(Rng &rng)
{
    std::vector<std::vector<int8_t>> chans;  // taps of one channel
    if (P_MODE == 1) {
        for (int s = -128 * N; s <= 127 * N; s++)
            chans.push_back(values_with_sum(rng, N, s));
    } else {
        for (int v = -128; v <= 127; v++)
            for (int p = 0; p < N; p++) {
                std::vector<int8_t> t(N);
                for (int j = 0; j < N; j++)
                    t[j] = j == p ? (int8_t)v : (int8_t)rng.range(-128, v);
                chans.push_back(t);
            }
    }
    std::vector<Win> wins((chans.size() + C - 1) / C);
    for (size_t i = 0; i < wins.size(); i++) {
        wins[i].x.assign(KKC, 0);
        for (int c = 0; c < C; c++) {
            const std::vector<int8_t> &t = chans[(i * C + c) % chans.size()];
            for (int j = 0; j < N; j++)
                wins[i].x[(size_t)j * C + c] = t[j];
        }
        wins[i].last = rng.pct(25);
        wins[i].user = rng.pct(10);
    }
    return wins;
}

static Vtb *top;
static uint64_t cyc;
static ReadyProbe probe;  // READY_REG = 1

// stream the windows through; pv/pr valid/ready percentages; timing: no stalls
static void run(Rng &rng, const std::vector<Win> &in, int pv, int pr, bool timing, const char *phase, int *hist)
{
    const int n = (int)in.size();
    int sent = 0, got = 0, guard = 0;
    bool hold = false, prev_stall = false;
    std::deque<uint64_t> in_cycle, in_en;  // an input's cycle; enabled cycles up to and with it
    uint64_t first_in_en = 0, first_out = 0, en = 0;  // en: enabled cycles before this one
    int in_ok = 0, out_ok = 0;
    std::remove_reference<decltype(top->m_axis_tdata)>::type prev_data;
    while (got < n && guard++ < 100 * n + 1000) {
        if (!hold && sent < n && rng.pct(pv))
            hold = true;
        const Win &w = in[sent < n ? sent : n - 1];
        for (int i = 0; i < KKC; i++)
            set_byte(top->s_axis_tdata, i, (uint8_t)w.x[i]);
        top->s_axis_tlast = w.last;
        top->s_axis_tuser = w.user;
        top->s_axis_tvalid = hold;
        if (P_READY_REG)
            probe_ready_path(top, [] { return (int)top->s_axis_tready; }, probe, phase, cyc);
        top->m_axis_tready = rng.pct(pr);
        top->eval();
        const bool ce = port_ce(P_READY_REG, top->m_axis_tvalid, top->m_axis_tready);
        if (prev_stall && (!top->m_axis_tvalid || !same_sig(prev_data, top->m_axis_tdata) ||
                           top->m_axis_tlast != in[got].last || top->m_axis_tuser != in[got].user))
            tb_error("%s cycle %llu: m_axis changed before its transfer", phase, (unsigned long long)cyc);
        prev_stall = top->m_axis_tvalid && !top->m_axis_tready;
        copy_sig(prev_data, top->m_axis_tdata);
        if (top->m_axis_tvalid && top->m_axis_tready) {
            if (got >= sent) {
                tb_error("%s window %d: output before its input", phase, got);
                break;
            }
            for (int c = 0; c < C; c++) {
                int32_t acc;
                int e = ref_pool(in[got], c, &acc), g = (int8_t)get_byte(top->m_axis_tdata, c);
                hist[e == P_ACT_MIN ? 0 : e == P_ACT_MAX ? 2 : 1]++;
                if (e != g)
                    tb_error("%s window %d (c=%d, %s %d over n=%d taps): expected %d, got %d", phase, got, c,
                             P_MODE ? "sum" : "max", acc, N, e, g);
            }
            if (top->m_axis_tlast != in[got].last || top->m_axis_tuser != in[got].user)
                tb_error("%s window %d: tlast/tuser %d/%d, expected %d/%d", phase, got, top->m_axis_tlast,
                         top->m_axis_tuser, in[got].last, in[got].user);
            // LATENCY enabled cycles (the input's cycle counted; while a beat
            // waits in the output register no cycle is enabled). READY_REG = 1:
            // in every phase; without stalls every cycle is enabled when
            // READY_REG = 0, and the first window takes LATENCY cycles
            uint64_t lat = cyc - in_cycle.front(), lat_en = 1 + en - in_en.front();
            if ((timing || P_READY_REG) && lat_en != (uint64_t)LATENCY)
                tb_error("%s window %d: latency %llu enabled cycles (%llu cycles), expected LATENCY = 2 + MODE = %d",
                         phase, got, (unsigned long long)lat_en, (unsigned long long)lat, LATENCY);
            if (timing) {
                if ((!P_READY_REG || got == 0) && lat != (uint64_t)LATENCY)
                    tb_error("%s window %d: latency %llu cycles, expected LATENCY = 2 + MODE = %d", phase, got,
                             (unsigned long long)lat, LATENCY);
                if (got == 0)
                    first_out = cyc;
                else if (cyc == first_out + (uint64_t)got * OUT_II)
                    out_ok++;
            }
            in_cycle.pop_front();
            in_en.pop_front();
            got++;
        }
        if (hold && top->s_axis_tready) {
            // an input in every enabled cycle (READY_REG = 0: every cycle)
            if (sent == 0)
                first_in_en = en;
            else if (en == first_in_en + (uint64_t)sent)
                in_ok++;
            in_cycle.push_back(cyc);
            in_en.push_back(en + ce);
            hold = false;
            sent++;
        }
        en += ce;
        tick(top, cyc);
    }
    if (got < n)
        tb_error("%s: only %d of %d windows came out", phase, got, n);
    if (timing) {
        printf("no stalls: latency %d, %d of %d inputs in consecutive enabled cycles (II = 1), %d of %d outputs %d "
               "cycle(s) apart (II + READY_REG)\n",
               LATENCY, in_ok + 1, n, out_ok + 1, n, OUT_II);
        if (in_ok + 1 != n || out_ok + 1 != n)
            tb_error("II: %d of %d inputs in consecutive enabled cycles, %d of %d outputs %d cycle(s) apart", in_ok + 1,
                     n, out_ok + 1, n, OUT_II);
    }
    // nothing more may come out
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 1;
    for (int i = 0; i < LATENCY + 4; i++) {
        top->eval();
        if (top->m_axis_tvalid)
            tb_error("%s: extra output after the last window", phase);
        tick(top, cyc);
    }
}

static std::vector<Win> rand_wins(Rng &rng, int n)
{
    std::vector<Win> v;
    for (int i = 0; i < n; i++)
        v.push_back(rand_win(rng));
    return v;
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    top = new Vtb;
    Rng rng(7);
    printf("rf_pool KERNEL=%d CHANNELS=%d MODE=%d (%s) act [%d, %d] READY_REG=%d\n", K, C, P_MODE,
           P_MODE ? "average" : "max", P_ACT_MIN, P_ACT_MAX, P_READY_REG);
    if ((int)Vtb_rf_pool::LATENCY != LATENCY)
        tb_error("LATENCY localparam %d, expected 2 + MODE = %d", (int)Vtb_rf_pool::LATENCY, LATENCY);
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    int hist[3] = {0, 0, 0};
    run(rng, rand_wins(rng, 400), 100, 100, true, "no-stall", hist);
    std::vector<Win> edge = edge_wins(rng);
    run(rng, edge, 70, 70, false, "edge", hist);
    if (P_MODE == 1)
        printf("edge: every sum %d .. %d of n = %d taps, in %d windows\n", -128 * N, 127 * N, N, (int)edge.size());
    else
        printf("edge: every maximum -128 .. 127 at each of %d taps, in %d windows\n", N, (int)edge.size());
    run(rng, rand_wins(rng, 2000), 60, 60, false, "mixed", hist);
    run(rng, rand_wins(rng, 1000), 95, 20, false, "slow-sink", hist);
    run(rng, rand_wins(rng, 1000), 20, 95, false, "slow-source", hist);
    printf("outputs: %d at ACT_MIN, %d inside, %d at ACT_MAX\n", hist[0], hist[1], hist[2]);
    if (P_READY_REG)
        probe_report(probe);
    if (4 * hist[1] < hist[0] + hist[1] + hist[2])
        tb_error("test data: only %d of %d outputs inside the clamp range", hist[1], hist[0] + hist[1] + hist[2]);
    int rc = tb_finish("rf_pool");
    top->final();
    delete top;
    return rc;
}
