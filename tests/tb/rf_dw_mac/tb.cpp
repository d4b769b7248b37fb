// Testbench of rf_dw_mac: writes random weights, biases, multipliers and
// shifts as $readmemh files (the layout of templates/rf_dw_mac.v) into the
// build directory given as argv[1], then checks every channel of every output
// pixel bit exact against TFLite DepthwiseConvPerChannel arithmetic (depth
// multiplier 1), tlast/tuser passthrough, LATENCY = SF*NF + 7 and
// II = SF*NF without stalls (also the values the module exposes), and random
// stalls on both streams. With -DP_READY_REG=1 (the template's READY_REG = 1,
// ce = !m_axis_tvalid): s_axis_tready the same with m_axis_tready 0 and 1 in
// every cycle, every output LATENCY enabled cycles after its input (also
// with stalls), and without stalls the first output LATENCY cycles after its
// input, inputs II enabled cycles apart and outputs II + 1 cycles apart.
#include <string>
#include <vector>

#include "Vtb.h"
#include "Vtb_rf_dw_mac.h"  // II, LATENCY (verilator public)
#include "tb_common.h"

#ifndef P_KERNEL
#define P_KERNEL 3
#endif
#ifndef P_CHANNELS
#define P_CHANNELS 1
#endif
#ifndef P_PE
#define P_PE 1
#endif
#ifndef P_SIMD
#define P_SIMD 1
#endif
#ifndef P_IN_ZP
#define P_IN_ZP 0
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
#ifndef P_READY_REG
#define P_READY_REG 0
#endif
static const int C = P_CHANNELS, KK = P_KERNEL * P_KERNEL, SF = KK / P_SIMD, NF = C / P_PE;
static const int II = SF * NF, LATENCY = SF * NF + 7;  // documented in templates/rf_dw_mac.v
// cycles between outputs without stalls: II, one more with READY_REG = 1
// (the pipeline stands still while the output register holds a beat)
static const int OUT_II = II + P_READY_REG;

static std::vector<int8_t> wgt;  // [c][t], t = kh*K + kw
static std::vector<int32_t> bias, mult;
static std::vector<int> shift;

static Vtb *top;
static uint64_t cyc;
static ReadyProbe probe;  // READY_REG = 1

// Random constants. A depthwise accumulator has only K*K terms, each about
// 74 * 74 in magnitude (x - zp and w roughly uniform): the shifts are chosen
// so that most outputs land inside int8, some channels shift left (wrapping
// and clamping).
static void make_params(Rng &rng)
{
    int scale_bits = 0;
    while ((1 << scale_bits) < P_KERNEL * 5476 / 60)
        scale_bits++;
    wgt.resize((size_t)C * KK);
    for (auto &w : wgt) {
        int r = (int)rng.range(0, 19);
        w = r == 0 ? -128 : r == 1 ? 127 : (int8_t)rng.next();
    }
    for (int c = 0; c < C; c++) {
        bias.push_back((int32_t)rng.range(-4096 * P_KERNEL, 4096 * P_KERNEL));
        mult.push_back((int32_t)rng.range(1 << 30, INT32_MAX));
        shift.push_back(
            shift_in_range(c % 5 == 4 ? (int)rng.range(0, 2) : (int)rng.range(-scale_bits - 1, -scale_bits + 1)));
    }
}

// one ROM word per line, hex, the most significant lane first
static bool write_mems(const std::string &dir)
{
    FILE *f = fopen((dir + "/weights.mem").c_str(), "w");
    if (!f)
        return false;
    for (int nf = 0; nf < NF; nf++)
        for (int sf = 0; sf < SF; sf++) {
            for (int pe = P_PE - 1; pe >= 0; pe--)
                for (int s = P_SIMD - 1; s >= 0; s--)
                    fprintf(f, "%02x", (uint8_t)wgt[(size_t)(nf * P_PE + pe) * KK + sf * P_SIMD + s]);
            fprintf(f, "\n");
        }
    fclose(f);
    FILE *fb = fopen((dir + "/bias.mem").c_str(), "w");
    FILE *fm = fopen((dir + "/mult.mem").c_str(), "w");
    FILE *fs = fopen((dir + "/shift.mem").c_str(), "w");
    bool ok = fb && fm && fs;
    for (int nf = 0; ok && nf < NF; nf++) {
        for (int pe = P_PE - 1; pe >= 0; pe--) {
            int c = nf * P_PE + pe;
            fprintf(fb, "%08x", (uint32_t)bias[c]);
            fprintf(fm, "%08x", (uint32_t)mult[c]);
            fprintf(fs, "%02x", (uint8_t)(int8_t)shift[c]);
        }
        fprintf(fb, "\n");
        fprintf(fm, "\n");
        fprintf(fs, "\n");
    }
    for (FILE *p : {fb, fm, fs})
        if (p)
            fclose(p);
    return ok;
}

// TFLite DepthwiseConvPerChannel, depth multiplier 1, for channel c of one
// window (element (t, c) at index t*C + c)
static int ref_out(const std::vector<int8_t> &x, int c, int32_t *acc_out)
{
    int32_t acc = bias[c];
    for (int t = 0; t < KK; t++)
        acc += (x[(size_t)t * C + c] - P_IN_ZP) * wgt[(size_t)c * KK + t];
    *acc_out = acc;
    return clamp_i((int64_t)ref_mbqm(acc, mult[c], shift[c]) + P_OUT_ZP, P_ACT_MIN, P_ACT_MAX);
}

struct Beat {
    std::vector<int8_t> x;
    int last, user;
};

// n windows through the module; the source offers a beat with probability
// pv each idle cycle, the sink is ready with probability pr. timing: the
// first-output latency and the input spacing of every beat are checked.
static void run(Rng &rng, int n, int pv, int pr, bool timing, const char *phase, int *hist)
{
    std::vector<Beat> in(n);
    for (auto &b : in) {
        for (int i = 0; i < KK * C; i++) {
            int r = (int)rng.range(0, 15);
            b.x.push_back(r == 0 ? -128 : r == 1 ? 127 : r == 2 ? (int8_t)P_IN_ZP : (int8_t)rng.next());
        }
        b.last = rng.pct(25);
        b.user = rng.pct(10);
    }
    // t_in: an input's cycle; en_in: enabled cycles up to and with it;
    // en: enabled cycles before this one
    std::vector<uint64_t> t_in(n), en_in(n), t_out(n);
    uint64_t en = 0;
    std::remove_reference<decltype(top->m_axis_tdata)>::type held;
    int sent = 0, got = 0, lat_ok = 0, ii_ok = 0, out_ii_ok = 0;
    bool offer = false, stalled = false;
    long limit = 100L * n * (II + 8) + 1000;
    for (long guard = 0; got < n && guard < limit; guard++) {
        if (!offer && sent < n && rng.pct(pv))
            offer = true;
        const Beat &b = in[sent < n ? sent : n - 1];
        for (int i = 0; i < KK * C; i++)
            set_byte(top->s_axis_tdata, i, (uint8_t)b.x[i]);
        top->s_axis_tlast = b.last;
        top->s_axis_tuser = b.user;
        top->s_axis_tvalid = offer;
        if (P_READY_REG)
            probe_ready_path(top, [] { return (int)top->s_axis_tready; }, probe, phase, cyc);
        top->m_axis_tready = rng.pct(pr);
        top->eval();
        const bool ce = port_ce(P_READY_REG, top->m_axis_tvalid, top->m_axis_tready);
        // AXI4-Stream: a stalled output holds valid, data and sidebands
        if (stalled && (!top->m_axis_tvalid || !same_sig(held, top->m_axis_tdata) ||
                        top->m_axis_tlast != in[got].last || top->m_axis_tuser != in[got].user))
            tb_error("%s cycle %llu: m_axis changed before its transfer", phase, (unsigned long long)cyc);
        stalled = top->m_axis_tvalid && !top->m_axis_tready;
        copy_sig(held, top->m_axis_tdata);
        if (top->m_axis_tvalid && top->m_axis_tready) {
            if (got >= sent) {
                tb_error("%s pixel %d: output before its input", phase, got);
            } else {
                for (int c = 0; c < C; c++) {
                    int32_t acc;
                    int e = ref_out(in[got].x, c, &acc), g = (int8_t)get_byte(top->m_axis_tdata, c);
                    hist[e == P_ACT_MIN ? 0 : e == P_ACT_MAX ? 2 : 1]++;
                    if (e != g)
                        tb_error("%s pixel %d (c=%d, acc=%d, mult=%d, shift=%d): expected %d, got %d", phase, got, c,
                                 acc, mult[c], shift[c], e, g);
                }
                if (top->m_axis_tlast != in[got].last || top->m_axis_tuser != in[got].user)
                    tb_error("%s pixel %d: tlast/tuser %d/%d, expected %d/%d", phase, got, top->m_axis_tlast,
                             top->m_axis_tuser, in[got].last, in[got].user);
                // LATENCY enabled cycles; without stalls the first pixel
                // takes LATENCY cycles
                uint64_t lat = cyc - t_in[got], lat_en = 1 + en - en_in[got];
                std::string what = "pixel " + std::to_string(got);
                bool lat_en_ok = check_latency_en(timing || P_READY_REG, phase, what.c_str(), lat_en, lat, LATENCY,
                                                  "SF*NF + 7");
                if (timing) {
                    if ((!P_READY_REG || got == 0) && lat != (uint64_t)LATENCY)
                        tb_error("%s pixel %d: latency %llu cycles, expected LATENCY = SF*NF + 7 = %d", phase, got,
                                 (unsigned long long)lat, LATENCY);
                    else if (lat_en_ok)
                        lat_ok++;
                    // inputs II enabled cycles apart, outputs II + READY_REG cycles
                    t_out[got] = cyc;
                    if (got > 0)
                        check_intervals(phase, got, en_in[got] - en_in[got - 1], t_in[got] - t_in[got - 1], II,
                                        t_out[got] - t_out[got - 1], OUT_II, ii_ok, out_ii_ok);
                }
            }
            got++;
        }
        if (offer && top->s_axis_tready) {
            en_in[sent] = en + ce;
            t_in[sent++] = cyc;
            offer = false;
        }
        en += ce;
        tick(top, cyc);
    }
    if (got < n)
        tb_error("%s: only %d of %d pixels came out", phase, got, n);
    if (timing)
        printf("no stalls: latency %d on %d of %d pixels, inputs II = %d enabled cycles apart on %d of %d, outputs "
               "II + READY_REG = %d cycles apart on %d of %d\n",
               LATENCY, lat_ok, n, II, ii_ok, n - 1, OUT_II, out_ii_ok, n - 1);
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    if (argc < 2) {
        printf("FAIL: usage: Vtb BUILD_DIR (the ROM files go there)\n");
        return 2;
    }
    Rng rng(11);
    printf("rf_dw_mac KERNEL=%d CHANNELS=%d PE=%d SIMD=%d (SF=%d NF=%d) zp %d -> %d act [%d, %d] READY_REG=%d\n",
           P_KERNEL, C, P_PE, P_SIMD, SF, NF, P_IN_ZP, P_OUT_ZP, P_ACT_MIN, P_ACT_MAX, P_READY_REG);
    make_params(rng);
    if (!write_mems(argv[1])) {
        printf("FAIL: cannot write the ROM files into %s\n", argv[1]);
        return 2;
    }
    top = new Vtb;  // $readmemh runs with the model's initial blocks
    if ((int)Vtb_rf_dw_mac::II != II || (int)Vtb_rf_dw_mac::LATENCY != LATENCY)
        tb_error("module II %d, LATENCY %d; expected SF*NF = %d and SF*NF + 7 = %d", (int)Vtb_rf_dw_mac::II,
                 (int)Vtb_rf_dw_mac::LATENCY, II, LATENCY);
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    int hist[3] = {0, 0, 0};
    int n = 4000 / (II + 4) + 20;
    run(rng, n, 100, 100, true, "no-stall", hist);
    run(rng, n, 60, 60, false, "mixed", hist);
    run(rng, n, 95, 20, false, "slow-sink", hist);
    run(rng, n, 20, 95, false, "slow-source", hist);
    printf("outputs: %d at ACT_MIN, %d inside, %d at ACT_MAX\n", hist[0], hist[1], hist[2]);
    if (P_READY_REG)
        probe_report(probe);
    // the data must exercise the requantization, not only the clamp
    if (4 * hist[1] < hist[0] + hist[1] + hist[2])
        tb_error("test data: only %d of %d outputs inside the clamp range", hist[1], hist[0] + hist[1] + hist[2]);
    int rc = tb_finish("rf_dw_mac");
    top->final();
    delete top;
    return rc;
}
