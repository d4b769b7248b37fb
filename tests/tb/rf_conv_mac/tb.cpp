// Testbench of rf_conv_mac: writes random weights, biases, multipliers and
// shifts as $readmemh files (the layout of docs/templates-spec.md) into the
// build directory given as argv[1], then checks every output channel of
// every pixel bit exact against TFLite ConvPerChannel arithmetic, tlast/tuser
// passthrough, LATENCY = SF*NF + 2 + PIPE + RQ_LAT and II = SF*NF without stalls, and random
// stalls on both streams. With -DP_STREAM=1 (the template's STREAM = 1) each
// window is fed as SF*NF beats of SIMD elements in the order nf, sf (slice sf
// = elements sf*SIMD .. sf*SIMD+SIMD-1, the window repeated NF times), tuser
// on its first beat and tlast on its last (the other beats carry random
// tlast/tuser, which must be ignored), s_axis_tready = ce, and LATENCY =
// SF*NF + 1 + PIPE + RQ_LAT counted from the first beat's transfer
// (2 + PIPE + RQ_LAT from the last beat's). With -DP_READY_REG=1 (the
// template's READY_REG = 1, ce = !m_axis_tvalid): s_axis_tready the same with
// m_axis_tready 0 and 1 in every cycle, every output LATENCY enabled cycles
// after its input (STREAM: 2 + PIPE + RQ_LAT after the window's last beat;
// also with stalls), and without stalls the first output LATENCY cycles after
// its input, inputs II enabled cycles apart and outputs II + 1 cycles apart.
#include <deque>
#include <string>
#include <vector>

#include "Vtb.h"
#include "tb_common.h"

#ifndef P_KERNEL
#define P_KERNEL 1
#endif
#ifndef P_IN_CH
#define P_IN_CH 1
#endif
#ifndef P_OUT_CH
#define P_OUT_CH 1
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
static const int KKC = P_KERNEL * P_KERNEL * P_IN_CH, SF = KKC / P_SIMD, NF = P_OUT_CH / P_PE;
#ifndef P_RQ_DIGIT
#define P_RQ_DIGIT 0
#endif
#ifndef P_STREAM
#define P_STREAM 0
#endif
#ifndef P_READY_REG
#define P_READY_REG 0
#endif
// documented in templates/rf_conv_mac.v: the requantizer takes 5 stages, or
// R + 6 when serial (R = ceil(31 / RQ_DIGIT); rf_requant_serial's R + 4, the clamp's two registers)
static const int RQ_LAT = P_RQ_DIGIT ? (31 + P_RQ_DIGIT - 1) / P_RQ_DIGIT + 6 : 5;
static const int PIPE = SF > 1 ? (P_SIMD > 1 ? 3 : 2) : 0;  // folded: slice/weight, product (SIMD > 1) and dot-product registers
static const int II = SF * NF, LATENCY = SF * NF + (P_STREAM ? 1 : 2) + PIPE + RQ_LAT;
// input beats per window: one window, or (STREAM) its SIMD slices NF times
static const int BPW = P_STREAM ? II : 1;
// cycles between outputs without stalls: II, one more with READY_REG = 1
// (the pipeline stands still while the output register holds a beat)
static const int OUT_II = II + P_READY_REG;

static std::vector<int8_t> wgt;  // [oc][i]
static std::vector<int32_t> bias, mult;
static std::vector<int> shift;

static Vtb *top;
static uint64_t cyc;
static ReadyProbe probe;  // READY_REG = 1

static bool write_mems(const std::string &dir, Rng &rng)
{
    wgt.resize((size_t)P_OUT_CH * KKC);
    for (auto &w : wgt) {
        int r = (int)rng.range(0, 19);
        w = r == 0 ? -128 : r == 1 ? 127 : (int8_t)rng.next();
    }
    for (int oc = 0; oc < P_OUT_CH; oc++) {
        bias.push_back((int32_t)rng.range(-(1 << 16), 1 << 16));
        mult.push_back((int32_t)rng.range(1 << 30, INT32_MAX));
        // mostly scales that keep the outputs inside int8, some left shifts
        shift.push_back(shift_in_range(oc % 5 == 4 ? (int)rng.range(0, 2) : (int)rng.range(-14, -7)));
    }
    FILE *f = fopen((dir + "/weights.mem").c_str(), "w");
    if (!f)
        return false;
    for (int nf = 0; nf < NF; nf++)
        for (int sf = 0; sf < SF; sf++) {
            for (int pe = P_PE - 1; pe >= 0; pe--)
                for (int s = P_SIMD - 1; s >= 0; s--)
                    fprintf(f, "%02x", (uint8_t)wgt[(size_t)(nf * P_PE + pe) * KKC + sf * P_SIMD + s]);
            fprintf(f, "\n");
        }
    fclose(f);
    const char *names[3] = {"bias", "mult", "shift"};
    for (int k = 0; k < 3; k++) {
        f = fopen((dir + "/" + names[k] + ".mem").c_str(), "w");
        if (!f)
            return false;
        for (int nf = 0; nf < NF; nf++) {
            for (int pe = P_PE - 1; pe >= 0; pe--) {
                int oc = nf * P_PE + pe;
                if (k == 0)
                    fprintf(f, "%08x", (uint32_t)bias[oc]);
                else if (k == 1)
                    fprintf(f, "%08x", (uint32_t)mult[oc]);
                else
                    fprintf(f, "%02x", (uint8_t)(int8_t)shift[oc]);
            }
            fprintf(f, "\n");
        }
        fclose(f);
    }
    return true;
}

// TFLite ConvPerChannel for one output channel of one window
static int ref_out(const std::vector<int8_t> &x, int oc, int32_t *acc_out)
{
    int32_t acc = bias[oc];
    for (int i = 0; i < KKC; i++)
        acc += (x[i] - P_IN_ZP) * wgt[(size_t)oc * KKC + i];
    *acc_out = acc;
    return clamp_i((int64_t)ref_mbqm(acc, mult[oc], shift[oc]) + P_OUT_ZP, P_ACT_MIN, P_ACT_MAX);
}

struct Win {
    std::vector<int8_t> x;
    int last, user;
    std::vector<int> junk_last, junk_user;  // STREAM: tlast/tuser of the beats that do not carry them
};

static void run(Rng &rng, int n, int pv, int pr, bool timing, const char *phase, int *hist)
{
    std::vector<Win> in(n);
    for (auto &w : in) {
        for (int i = 0; i < KKC; i++) {
            int r = (int)rng.range(0, 15);
            w.x.push_back(r == 0 ? -128 : r == 1 ? 127 : r == 2 ? (int8_t)P_IN_ZP : (int8_t)rng.next());
        }
        w.last = rng.pct(25);
        w.user = rng.pct(10);
        for (int j = 0; j < BPW; j++) {
            w.junk_last.push_back(rng.pct(50));
            w.junk_user.push_back(rng.pct(50));
        }
    }
    const int nbeats = n * BPW;
    int sent = 0, got = 0, guard = 0;  // sent: input beats
    bool hold = false, prev_stall = false;
    std::vector<uint64_t> in_cycle(n), end_cycle(n);  // first and last beat of each window
    // enabled cycles up to and with those beats, and before this cycle
    std::vector<uint64_t> in_en(n), end_en(n), out_cycle(n);
    uint64_t en = 0;
    std::remove_reference<decltype(top->m_axis_tdata)>::type prev_data;
    int lat_ok = 0, in_ii_ok = 0, out_ii_ok = 0;
    while (got < n && guard++ < 100 * n * (II + 8) + 1000) {
        if (!hold && sent < nbeats && rng.pct(pv))
            hold = true;
        int wi = sent < nbeats ? sent / BPW : n - 1, j = sent < nbeats ? sent % BPW : 0;
        const Win &w = in[wi];
        if (P_STREAM) {
            // beat j = nf*SF + sf: slice sf of the window
            int sf = j % SF;
            for (int s = 0; s < P_SIMD; s++)
                set_byte(top->s_axis_tdata, s, (uint8_t)w.x[sf * P_SIMD + s]);
            top->s_axis_tlast = j == BPW - 1 ? w.last : w.junk_last[j];
            top->s_axis_tuser = j == 0 ? w.user : w.junk_user[j];
        } else {
            for (int i = 0; i < KKC; i++)
                set_byte(top->s_axis_tdata, i, (uint8_t)w.x[i]);
            top->s_axis_tlast = w.last;
            top->s_axis_tuser = w.user;
        }
        top->s_axis_tvalid = hold;
        if (P_READY_REG)
            probe_ready_path(top, [] { return (int)top->s_axis_tready; }, probe, phase, cyc);
        top->m_axis_tready = rng.pct(pr);
        top->eval();
        const bool ce = port_ce(P_READY_REG, top->m_axis_tvalid, top->m_axis_tready);
        // STREAM: every beat is a step, s_axis_tready = ce
        if (P_STREAM && top->s_axis_tready != ce)
            tb_error("%s cycle %llu: s_axis_tready %d, expected ce = !m_axis_tvalid%s = %d", phase,
                     (unsigned long long)cyc, top->s_axis_tready, P_READY_REG ? "" : " || m_axis_tready", ce);
        if (prev_stall && (!top->m_axis_tvalid || !same_sig(prev_data, top->m_axis_tdata) ||
                           top->m_axis_tlast != in[got].last || top->m_axis_tuser != in[got].user))
            tb_error("%s cycle %llu: m_axis changed before its transfer", phase, (unsigned long long)cyc);
        prev_stall = top->m_axis_tvalid && !top->m_axis_tready;
        copy_sig(prev_data, top->m_axis_tdata);
        if (top->m_axis_tvalid && top->m_axis_tready) {
            if (got >= sent / BPW) {
                tb_error("%s pixel %d: output before its input", phase, got);
            } else {
                for (int oc = 0; oc < P_OUT_CH; oc++) {
                    int32_t acc;
                    int e = ref_out(in[got].x, oc, &acc), g = (int8_t)get_byte(top->m_axis_tdata, oc);
                    if (hist)
                        hist[e == P_ACT_MIN ? 0 : e == P_ACT_MAX ? 2 : 1]++;
                    if (e != g)
                        tb_error("%s pixel %d (oc=%d, acc=%d, mult=%d, shift=%d): expected %d, got %d", phase, got,
                                 oc, acc, mult[oc], shift[oc], e, g);
                }
                if (top->m_axis_tlast != in[got].last || top->m_axis_tuser != in[got].user)
                    tb_error("%s pixel %d: tlast/tuser %d/%d, expected %d/%d", phase, got, top->m_axis_tlast,
                             top->m_axis_tuser, in[got].last, in[got].user);
                // LATENCY enabled cycles (the input's cycle counted; while a
                // pixel waits in the output register no cycle is enabled), and
                // STREAM 2 + PIPE + RQ_LAT from the window's last beat.
                // READY_REG = 1: in every phase (STREAM with input gaps: from
                // the last beat only, the steps wait for the beats); without
                // stalls every cycle is enabled when READY_REG = 0, and the
                // first pixel takes LATENCY cycles
                uint64_t lat = cyc - in_cycle[got], lat_end = cyc - end_cycle[got];
                uint64_t lat_en = 1 + en - in_en[got], lat_end_en = 1 + en - end_en[got];
                bool lat_en_ok = lat_en == (uint64_t)LATENCY;
                if ((timing || (P_READY_REG && !P_STREAM)) && !lat_en_ok)
                    tb_error("%s pixel %d: latency %llu enabled cycles (%llu cycles), expected LATENCY = SF*NF + %d + "
                             "PIPE + RQ_LAT = %d",
                             phase, got, (unsigned long long)lat_en, (unsigned long long)lat, P_STREAM ? 1 : 2,
                             LATENCY);
                if (P_STREAM && (timing || P_READY_REG) && lat_end_en != (uint64_t)(2 + PIPE + RQ_LAT))
                    tb_error("%s pixel %d: valid %llu enabled cycles (%llu cycles) after the window's last beat, "
                             "expected 2 + PIPE + RQ_LAT = %d",
                             phase, got, (unsigned long long)lat_end_en, (unsigned long long)lat_end,
                             2 + PIPE + RQ_LAT);
                if (timing) {
                    bool raw = !P_READY_REG || got == 0;
                    if (raw && lat != (uint64_t)LATENCY)
                        tb_error("%s pixel %d: latency %llu cycles, expected LATENCY = SF*NF + %d + PIPE + RQ_LAT = %d",
                                 phase, got, (unsigned long long)lat, P_STREAM ? 1 : 2, LATENCY);
                    else if (lat_en_ok)
                        lat_ok++;
                    if (P_STREAM && raw && lat_end != (uint64_t)(2 + PIPE + RQ_LAT))
                        tb_error("%s pixel %d: valid %llu cycles after the window's last beat, expected 2 + PIPE + "
                                 "RQ_LAT = %d",
                                 phase, got, (unsigned long long)lat_end, 2 + PIPE + RQ_LAT);
                    // inputs II enabled cycles apart, outputs II + READY_REG cycles
                    out_cycle[got] = cyc;
                    if (got > 0)
                        check_intervals(phase, got, in_en[got] - in_en[got - 1], in_cycle[got] - in_cycle[got - 1], II,
                                        out_cycle[got] - out_cycle[got - 1], OUT_II, in_ii_ok, out_ii_ok);
                }
            }
            got++;
        }
        if (hold && top->s_axis_tready) {
            if (sent % BPW == 0) {
                in_cycle[sent / BPW] = cyc;
                in_en[sent / BPW] = en + ce;
            }
            if (sent % BPW == BPW - 1) {
                end_cycle[sent / BPW] = cyc;
                end_en[sent / BPW] = en + ce;
            }
            hold = false;
            sent++;
        }
        en += ce;
        tick(top, cyc);
    }
    if (got < n)
        tb_error("%s: only %d of %d pixels came out", phase, got, n);
    if (timing)
        printf("no stalls: latency %d on %d of %d pixels, inputs II = %d enabled cycles apart on %d of %d, outputs "
               "II + READY_REG = %d cycles apart on %d of %d\n",
               LATENCY, lat_ok, n, II, in_ii_ok, n - 1, OUT_II, out_ii_ok, n - 1);
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    if (argc < 2) {
        printf("FAIL: usage: Vtb BUILD_DIR (the ROM files go there)\n");
        return 2;
    }
    Rng rng(6);
    printf("rf_conv_mac KERNEL=%d IN_CH=%d OUT_CH=%d PE=%d SIMD=%d (SF=%d NF=%d) zp %d -> %d act [%d, %d] STREAM=%d "
           "RQ_DIGIT=%d READY_REG=%d\n",
           P_KERNEL, P_IN_CH, P_OUT_CH, P_PE, P_SIMD, SF, NF, P_IN_ZP, P_OUT_ZP, P_ACT_MIN, P_ACT_MAX, P_STREAM,
           P_RQ_DIGIT, P_READY_REG);
    if (!write_mems(argv[1], rng)) {
        printf("FAIL: cannot write the ROM files into %s\n", argv[1]);
        return 2;
    }
    top = new Vtb;  // $readmemh runs with the model's initial blocks
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
    int rc = tb_finish("rf_conv_mac");
    top->final();
    delete top;
    return rc;
}
