// Testbench of rf_add: TFLite int8 ADD bit exact against an independent
// reference, joint transfer of both inputs, tlast/tuser from s0, LATENCY
// and II = NF = CHANNELS / PE without stalls, random stalls on all three
// streams.
#include <deque>
#include <vector>

#include "Vtb.h"
#include "tb_common.h"

#ifndef P_CHANNELS
#define P_CHANNELS 1
#endif
#ifndef P_PE
#define P_PE P_CHANNELS
#endif
#ifndef P_IN0_ZP
#define P_IN0_ZP 0
#endif
#ifndef P_IN1_ZP
#define P_IN1_ZP 0
#endif
#ifndef P_IN0_MULT
#define P_IN0_MULT 1073741824
#endif
#ifndef P_IN0_SHIFT
#define P_IN0_SHIFT 0
#endif
#ifndef P_IN1_MULT
#define P_IN1_MULT 1073741824
#endif
#ifndef P_IN1_SHIFT
#define P_IN1_SHIFT 0
#endif
#ifndef P_OUT_MULT
#define P_OUT_MULT 1073741824
#endif
#ifndef P_OUT_SHIFT
#define P_OUT_SHIFT 0
#endif
#ifndef P_OUT_ZP
#define P_OUT_ZP 0
#endif
#ifndef P_ACT_MIN
#define P_ACT_MIN -128
#endif
#ifndef P_ACT_MAX
#define P_ACT_MAX 127
#endif
#ifndef P_LEFT_SHIFT
#define P_LEFT_SHIFT 20
#endif
// documented in templates/rf_add.v
static const int NF = P_CHANNELS / P_PE;
static const int LATENCY = NF > 1 ? NF + 12 : 12;

struct Beat {
    std::vector<int8_t> v;
    int last, user;
};

// reference_integer_ops::AddElementwise, one element
static int ref_add(int x0, int x1)
{
    int32_t v0 = (int32_t)((uint32_t)(x0 - P_IN0_ZP) << P_LEFT_SHIFT);
    int32_t v1 = (int32_t)((uint32_t)(x1 - P_IN1_ZP) << P_LEFT_SHIFT);
    int32_t s0 = ref_mbqm(v0, P_IN0_MULT, P_IN0_SHIFT);
    int32_t s1 = ref_mbqm(v1, P_IN1_MULT, P_IN1_SHIFT);
    int32_t r = ref_mbqm(s0 + s1, P_OUT_MULT, P_OUT_SHIFT);
    return clamp_i((int64_t)r + P_OUT_ZP, P_ACT_MIN, P_ACT_MAX);
}

static Vtb *top;
static uint64_t cyc;

static Beat rand_beat(Rng &rng)
{
    Beat b;
    for (int c = 0; c < P_CHANNELS; c++) {
        int r = (int)rng.range(0, 9);
        b.v.push_back(r == 0 ? -128 : r == 1 ? 127 : (int8_t)rng.next());
    }
    b.last = rng.pct(20);
    b.user = rng.pct(10);
    return b;
}

template <class T> static void drive(T &sig, const Beat &b)
{
    for (int c = 0; c < P_CHANNELS; c++)
        set_byte(sig, c, (uint8_t)b.v[c]);
}

// n beats on both inputs; pv0/pv1/pr stall percentages; timing: measure
static void run(Rng &rng, int n, int pv0, int pv1, int pr, bool timing)
{
    std::vector<Beat> a, b;
    for (int i = 0; i < n; i++) {
        a.push_back(rand_beat(rng));
        b.push_back(rand_beat(rng));
    }
    int i0 = 0, i1 = 0, got = 0, guard = 0;
    bool h0 = false, h1 = false, prev_stall = false;
    std::deque<uint64_t> in_cycle;
    uint64_t first_out = 0;
    int outs_full = 0;
    std::remove_reference<decltype(top->m_axis_tdata)>::type prev_data;
    while (got < n && guard++ < 100 * n + 1000) {
        if (!h0 && i0 < n && rng.pct(pv0))
            h0 = true;
        if (!h1 && i1 < n && rng.pct(pv1))
            h1 = true;
        drive(top->s0_axis_tdata, a[i0 < n ? i0 : n - 1]);
        top->s0_axis_tlast = a[i0 < n ? i0 : n - 1].last;
        top->s0_axis_tuser = a[i0 < n ? i0 : n - 1].user;
        drive(top->s1_axis_tdata, b[i1 < n ? i1 : n - 1]);
        top->s1_axis_tlast = 0;
        top->s1_axis_tuser = 0;
        top->s0_axis_tvalid = h0;
        top->s1_axis_tvalid = h1;
        top->m_axis_tready = rng.pct(pr);
        top->eval();
        bool f0 = h0 && top->s0_axis_tready, f1 = h1 && top->s1_axis_tready;
        if (f0 != f1)
            tb_error("cycle %llu: inputs transfer separately (s0 %d, s1 %d)", (unsigned long long)cyc, f0, f1);
        if (prev_stall && (!top->m_axis_tvalid || !same_sig(prev_data, top->m_axis_tdata)))
            tb_error("cycle %llu: m_axis changed before its transfer", (unsigned long long)cyc);
        prev_stall = top->m_axis_tvalid && !top->m_axis_tready;
        copy_sig(prev_data, top->m_axis_tdata);
        if (top->m_axis_tvalid && top->m_axis_tready) {
            if (got >= i0) {
                tb_error("output %d before its input", got);
            } else {
                for (int c = 0; c < P_CHANNELS; c++) {
                    int e = ref_add(a[got].v[c], b[got].v[c]);
                    int g = (int8_t)get_byte(top->m_axis_tdata, c);
                    if (e != g)
                        tb_error("beat %d (c=%d, x0=%d, x1=%d): expected %d, got %d", got, c, a[got].v[c], b[got].v[c],
                                 e, g);
                }
                if (top->m_axis_tlast != a[got].last || top->m_axis_tuser != a[got].user)
                    tb_error("beat %d: tlast/tuser %d/%d, expected %d/%d (from s0)", got, top->m_axis_tlast,
                             top->m_axis_tuser, a[got].last, a[got].user);
            }
            if (timing) {
                uint64_t lat = cyc - in_cycle.front();
                if (lat != (uint64_t)LATENCY)
                    tb_error("beat %d: latency %llu cycles, expected LATENCY = %d", got, (unsigned long long)lat,
                             LATENCY);
                if (got == 0)
                    first_out = cyc;
                else if (cyc == first_out + (uint64_t)got * NF)
                    outs_full++;
            }
            in_cycle.pop_front();
            got++;
        }
        if (f0 && f1) {
            in_cycle.push_back(cyc);
            h0 = h1 = false;
            i0++;
            i1++;
        }
        tick(top, cyc);
    }
    if (got < n)
        tb_error("only %d of %d beats came out", got, n);
    if (timing) {
        printf("no stalls: latency %d, %d of %d outputs %d cycles apart (II = NF)\n", LATENCY, outs_full + 1, n, NF);
        if (outs_full + 1 != n)
            tb_error("II: %d of %d outputs %d cycles apart", outs_full + 1, n, NF);
    }
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    top = new Vtb;
    Rng rng(4);
    printf("rf_add CHANNELS=%d PE=%d zp %d %d -> %d, mult %d>>%d %d>>%d out %d>>%d, act [%d, %d]\n", P_CHANNELS, P_PE,
           P_IN0_ZP, P_IN1_ZP, P_OUT_ZP, P_IN0_MULT, P_IN0_SHIFT, P_IN1_MULT, P_IN1_SHIFT, P_OUT_MULT, P_OUT_SHIFT, P_ACT_MIN,
           P_ACT_MAX);
    top->s0_axis_tvalid = 0;
    top->s1_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    run(rng, 300, 100, 100, 100, true);
    run(rng, 3000, 60, 60, 60, false);
    run(rng, 2000, 90, 40, 80, false);
    run(rng, 2000, 40, 90, 30, false);
    int rc = tb_finish("rf_add");
    top->final();
    delete top;
    return rc;
}
