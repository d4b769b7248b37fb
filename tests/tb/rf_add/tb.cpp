// Testbench of rf_add: TFLite int8 ADD bit exact against an independent
// reference, joint transfer of both inputs, tlast/tuser from s0, LATENCY
// and II = NF = CHANNELS / PE without stalls, random stalls on all three
// streams. With -DP_READY_REG=1 (the template's READY_REG = 1,
// ce = !m_axis_tvalid): s0_axis_tready and s1_axis_tready the same with
// m_axis_tready 0 and 1 in every cycle, every output LATENCY enabled cycles
// after its inputs (also with stalls), and without stalls the first output
// LATENCY cycles after its inputs, inputs II enabled cycles apart and outputs
// II + 1 cycles apart.
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
#ifndef P_READY_REG
#define P_READY_REG 0
#endif
// documented in templates/rf_add.v
static const int NF = P_CHANNELS / P_PE;
static const int LATENCY = NF > 1 ? NF + 12 : 12;
// cycles between outputs without stalls: II = NF, one more with READY_REG = 1
// (the pipeline stands still while the output register holds a beat)
static const int OUT_II = NF + P_READY_REG;

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
static ReadyProbe probe;  // READY_REG = 1

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
    std::deque<uint64_t> in_cycle, in_en;  // an input pair's cycle; enabled cycles up to and with it
    uint64_t first_out = 0, en = 0, prev_in_en = 0;  // en: enabled cycles before this one
    int outs_full = 0, ins_full = 0;
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
        if (P_READY_REG)
            probe_ready_path(top, [] { return top->s0_axis_tready | top->s1_axis_tready << 1; }, probe, "rf_add",
                             cyc);
        top->m_axis_tready = rng.pct(pr);
        top->eval();
        const bool ce = port_ce(P_READY_REG, top->m_axis_tvalid, top->m_axis_tready);
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
            // LATENCY enabled cycles (the inputs' cycle counted; while a beat
            // waits in the output register no cycle is enabled). READY_REG = 1:
            // in every run; without stalls every cycle is enabled when
            // READY_REG = 0, and the first beat takes LATENCY cycles
            uint64_t lat = cyc - in_cycle.front(), lat_en = 1 + en - in_en.front();
            if ((timing || P_READY_REG) && lat_en != (uint64_t)LATENCY)
                tb_error("beat %d: latency %llu enabled cycles (%llu cycles), expected LATENCY = %d", got,
                         (unsigned long long)lat_en, (unsigned long long)lat, LATENCY);
            if (timing) {
                if ((!P_READY_REG || got == 0) && lat != (uint64_t)LATENCY)
                    tb_error("beat %d: latency %llu cycles, expected LATENCY = %d", got, (unsigned long long)lat,
                             LATENCY);
                if (got == 0)
                    first_out = cyc;
                else if (cyc == first_out + (uint64_t)got * OUT_II)
                    outs_full++;
            }
            in_cycle.pop_front();
            in_en.pop_front();
            got++;
        }
        if (f0 && f1) {
            // inputs II = NF enabled cycles apart
            if (i0 > 0 && en + ce - prev_in_en == (uint64_t)NF)
                ins_full++;
            prev_in_en = en + ce;
            in_cycle.push_back(cyc);
            in_en.push_back(en + ce);
            h0 = h1 = false;
            i0++;
            i1++;
        }
        en += ce;
        tick(top, cyc);
    }
    if (got < n)
        tb_error("only %d of %d beats came out", got, n);
    if (timing) {
        printf("no stalls: latency %d, %d of %d inputs %d enabled cycles apart (II = NF), %d of %d outputs %d cycles "
               "apart (II + READY_REG)\n",
               LATENCY, ins_full + 1, n, NF, outs_full + 1, n, OUT_II);
        if (outs_full + 1 != n)
            tb_error("II: %d of %d outputs %d cycles apart", outs_full + 1, n, OUT_II);
        if (ins_full + 1 != n)
            tb_error("II: %d of %d inputs %d enabled cycles apart", ins_full + 1, n, NF);
    }
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    top = new Vtb;
    Rng rng(4);
    printf("rf_add CHANNELS=%d PE=%d zp %d %d -> %d, mult %d>>%d %d>>%d out %d>>%d, act [%d, %d] READY_REG=%d\n",
           P_CHANNELS, P_PE, P_IN0_ZP, P_IN1_ZP, P_OUT_ZP, P_IN0_MULT, P_IN0_SHIFT, P_IN1_MULT, P_IN1_SHIFT, P_OUT_MULT,
           P_OUT_SHIFT, P_ACT_MIN, P_ACT_MAX, P_READY_REG);
    top->s0_axis_tvalid = 0;
    top->s1_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    run(rng, 300, 100, 100, 100, true);
    run(rng, 3000, 60, 60, 60, false);
    run(rng, 2000, 90, 40, 80, false);
    run(rng, 2000, 40, 90, 30, false);
    if (P_READY_REG)
        probe_report(probe);
    int rc = tb_finish("rf_add");
    top->final();
    delete top;
    return rc;
}
