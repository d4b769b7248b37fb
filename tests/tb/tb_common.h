// tb_common.h - helpers shared by the template testbenches (Verilator, C++).
//
// One clock cycle of a testbench: set the inputs with clk low, eval(),
// sample the handshakes (a transfer happens when tvalid && tready), then
// tick() for the rising edge. Sources keep tvalid and data until the
// transfer; readies are random. Seeds are fixed: runs are deterministic.
#ifndef RF_TB_COMMON_H
#define RF_TB_COMMON_H

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <vector>

#include "verilated.h"

// deterministic PRNG (xorshift64*)
struct Rng {
    uint64_t s;
    explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
    uint32_t next() {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return (uint32_t)((s * 0x2545F4914F6CDD1Dull) >> 32);
    }
    // uniform in [lo, hi]
    int64_t range(int64_t lo, int64_t hi) { return lo + (int64_t)(next() % (uint64_t)(hi - lo + 1)); }
    // true with probability pct / 100
    bool pct(int pct) { return (int)(next() % 100) < pct; }
};

static int g_errors = 0;
static std::string g_first_error;

// report a mismatch (the first 20 printed), remember the first
static void tb_error(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (g_errors == 0)
        g_first_error = buf;
    if (g_errors < 20)
        printf("ERROR: %s\n", buf);
    g_errors++;
}

// the final line of the testbench; returns the exit status
static int tb_finish(const char *what)
{
    if (g_errors) {
        printf("FAIL: %s: %d error(s), first: %s\n", what, g_errors, g_first_error.c_str());
        return 1;
    }
    printf("OK: %s\n", what);
    return 0;
}

// ---- byte access to a port of any width (CData .. QData, VlWide) ----
template <class T>
static typename std::enable_if<std::is_integral<T>::value>::type set_byte(T &sig, int i, uint8_t v)
{
    T mask = (T)((T)0xFF << (8 * i));
    sig = (T)((sig & ~mask) | ((T)v << (8 * i)));
}
template <std::size_t N> static void set_byte(VlWide<N> &sig, int i, uint8_t v)
{
    uint32_t &w = sig[i / 4];
    int sh = 8 * (i % 4);
    w = (w & ~(0xFFu << sh)) | ((uint32_t)v << sh);
}
template <class T>
static typename std::enable_if<std::is_integral<T>::value, uint8_t>::type get_byte(const T &sig, int i)
{
    return (uint8_t)(sig >> (8 * i));
}
template <std::size_t N> static uint8_t get_byte(const VlWide<N> &sig, int i)
{
    return (uint8_t)(sig[i / 4] >> (8 * (i % 4)));
}
template <class T>
static typename std::enable_if<std::is_integral<T>::value>::type copy_sig(T &dst, const T &src)
{
    dst = src;
}
template <std::size_t N> static void copy_sig(VlWide<N> &dst, const VlWide<N> &src)
{
    for (std::size_t i = 0; i < N; i++)
        dst[i] = src[i];
}
template <class T>
static typename std::enable_if<std::is_integral<T>::value, bool>::type same_sig(const T &a, const T &b)
{
    return a == b;
}
template <std::size_t N> static bool same_sig(const VlWide<N> &a, const VlWide<N> &b)
{
    for (std::size_t i = 0; i < N; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

// rising edge, then clock low again (inputs stay as set)
template <class T> static void tick(T *top, uint64_t &cycle)
{
    top->clk = 1;
    top->eval();
    top->clk = 0;
    top->eval();
    cycle++;
}

// hold rst for 4 cycles with the given inputs low
template <class T> static void reset(T *top, uint64_t &cycle)
{
    top->rst = 1;
    top->clk = 0;
    top->eval();
    for (int i = 0; i < 4; i++)
        tick(top, cycle);
    top->rst = 0;
    top->eval();
}

// ---- READY_REG (the compute stages' registered ready) ----
// The pipeline enable as the ports show it: ce = !m_axis_tvalid ||
// m_axis_tready, or with READY_REG = 1 ce = !m_axis_tvalid (m_axis_tready
// then only empties the output register). The timing checks count enabled
// cycles with it: a stage's LATENCY counts enabled cycles, and without
// back-pressure every cycle is enabled when READY_REG = 0.
static bool port_ce(int ready_reg, int m_tvalid, int m_tready) { return !m_tvalid || (!ready_reg && m_tready); }

// Counts of the same-cycle m_axis_tready probe below: every probe, the
// probes made while m_axis_tvalid was high (only those could see the
// READY_REG = 0 path, ce = !m_axis_tvalid || m_axis_tready), and the probes
// that saw a ready change.
struct ReadyProbe {
    long probes = 0, hot = 0, bad = 0;
};

// READY_REG = 1: no combinational path from m_axis_tready to the input
// readies. With this cycle's inputs set (clock low), evaluate with
// m_axis_tready = 0 and then 1, before the clock edge, and compare what
// readies() returns (the input readies packed into an int, bit k one ready).
// The caller sets the cycle's real m_axis_tready and evaluates again.
template <class T, class F>
static void probe_ready_path(T *top, F readies, ReadyProbe &rp, const char *phase, uint64_t cycle)
{
    top->m_axis_tready = 0;
    top->eval();
    int r0 = readies();
    top->m_axis_tready = 1;
    top->eval();
    int r1 = readies();
    rp.probes++;
    if (top->m_axis_tvalid)
        rp.hot++;
    if (r0 != r1) {
        rp.bad++;
        tb_error("%s cycle %llu: input ready(s) 0x%x with m_axis_tready = 0, 0x%x with m_axis_tready = 1 "
                 "(READY_REG = 1: no combinational path from m_axis_tready)",
                 phase, (unsigned long long)cycle, r0, r1);
    }
}

// the probe's summary line; an error when no probe saw m_axis_tvalid high
// A result's latency in enabled cycles (lat_en: the input's cycle counted;
// no cycle is enabled while a beat waits in the output register) against
// LATENCY, checked when `check`: with READY_REG = 1 in every phase, else
// only without stalls, where every cycle is enabled. `what` names the
// result ("pixel 3"), `formula` LATENCY's ("SF*NF + 7"). Returns whether it
// matched.
static bool check_latency_en(bool check, const char *phase, const char *what, uint64_t lat_en, uint64_t lat,
                             int latency, const char *formula)
{
    bool ok = lat_en == (uint64_t)latency;
    if (check && !ok)
        tb_error("%s %s: latency %llu enabled cycles (%llu cycles), expected LATENCY = %s = %d", phase, what,
                 (unsigned long long)lat_en, (unsigned long long)lat, formula, latency);
    return ok;
}

// Result `got` (> 0) of a MAC without stalls: its input II enabled cycles
// after the previous one (in_en_gap; in_gap in plain cycles, for the
// message), its output out_ii = II + READY_REG cycles after the previous
// output (out_gap). Counts the matches in in_ok and out_ok, an error
// otherwise.
static void check_intervals(const char *phase, int got, uint64_t in_en_gap, uint64_t in_gap, int ii, uint64_t out_gap,
                            int out_ii, int &in_ok, int &out_ok)
{
    if (in_en_gap == (uint64_t)ii)
        in_ok++;
    else
        tb_error("%s pixel %d: accepted %llu enabled cycles (%llu cycles) after the previous one, expected II = %d",
                 phase, got, (unsigned long long)in_en_gap, (unsigned long long)in_gap, ii);
    if (out_gap == (uint64_t)out_ii)
        out_ok++;
    else
        tb_error("%s pixel %d: output %llu cycles after the previous one, expected II + READY_REG = %d", phase, got,
                 (unsigned long long)out_gap, out_ii);
}

static void probe_report(const ReadyProbe &rp)
{
    printf("READY_REG = 1: input ready(s) changed with m_axis_tready in %ld of %ld probed cycles (%ld of them with "
           "m_axis_tvalid high)\n",
           rp.bad, rp.probes, rp.hot);
    if (rp.hot == 0)
        tb_error("READY_REG = 1: the m_axis_tready probe never saw m_axis_tvalid high (%ld probes)", rp.probes);
}

// ---- TFLite int8 arithmetic, written independently of the RTL ----
// gemmlowp SaturatingRoundingDoublingHighMul
static int32_t ref_srdhm(int32_t a, int32_t b)
{
    if (a == INT32_MIN && b == INT32_MIN)
        return INT32_MAX;
    int64_t ab = (int64_t)a * (int64_t)b;
    int64_t nudge = ab >= 0 ? (1ll << 30) : (1 - (1ll << 30));
    return (int32_t)((ab + nudge) / (1ll << 31));  // C division truncates toward zero
}
// gemmlowp RoundingDivideByPOT
static int32_t ref_rdbpot(int32_t x, int e)
{
    int32_t mask = (int32_t)((1ll << e) - 1);
    int32_t rem = x & mask;
    int32_t thr = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (rem > thr ? 1 : 0);
}
// TFLite MultiplyByQuantizedMultiplier
static int32_t ref_mbqm(int32_t x, int32_t mult, int shift)
{
    int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
    int32_t xl = (int32_t)(uint32_t)((uint64_t)(uint32_t)x << left);  // int32 wrap
    return ref_rdbpot(ref_srdhm(xl, mult), right);
}
static int clamp_i(int64_t v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : (int)v; }
// the shift range an instance is built for (SHIFT_MIN, SHIFT_MAX of
// rf_requant, rf_requant_serial, rf_conv_mac, rf_dw_mac; -31 .. 31 unless set)
#ifndef P_SHIFT_MIN
#define P_SHIFT_MIN -31
#endif
#ifndef P_SHIFT_MAX
#define P_SHIFT_MAX 31
#endif
// a test shift moved into SHIFT_MIN .. SHIFT_MAX, the requantizers' contract:
// shifts outside it wrap around into it, so the vectors still spread over it
static inline int shift_in_range(int s)
{
    const int n = P_SHIFT_MAX - P_SHIFT_MIN + 1;
    return s >= P_SHIFT_MIN && s <= P_SHIFT_MAX ? s : P_SHIFT_MIN + ((s + 31) % n + n) % n;
}
// TFLite reference_integer_ops::AveragePool: the sum of filter_count int8
// values rounded to the closest integer (C division truncates toward zero)
static int32_t ref_avg_round(int32_t acc, int filter_count)
{
    return acc > 0 ? (acc + filter_count / 2) / filter_count : (acc - filter_count / 2) / filter_count;
}

// n int8 values summing to s (-128n <= s <= 127n): as even as possible,
// then random amounts moved between random pairs (sum and range kept)
static std::vector<int8_t> values_with_sum(Rng &rng, int n, int s)
{
    int base = s >= 0 ? s / n : -((-s + n - 1) / n), r = s - base * n;  // floor division, 0 <= r < n
    std::vector<int> t(n);
    for (int j = 0; j < n; j++)
        t[j] = base + (j < r ? 1 : 0);
    for (int k = 0; k < n; k++) {
        int a = (int)rng.range(0, n - 1), b = (int)rng.range(0, n - 1);
        int room = std::min(127 - t[a], t[b] + 128);
        if (a != b && room > 0) {
            int d = (int)rng.range(0, room);
            t[a] += d;
            t[b] -= d;
        }
    }
    return std::vector<int8_t>(t.begin(), t.end());
}

#endif
