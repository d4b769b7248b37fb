// Testbench of rf_requant_serial: bit exactness of MultiplyByQuantizedMultiplier
// against the independent C reference (tb_common.h) for random and corner
// inputs with mult >= 0, the latency of R + 4 enabled edges under a random
// ce, starts as close as R + 1 enabled cycles apart, and y held between
// results.
#include <vector>

#include "Vtb.h"
#include "tb_common.h"

#ifndef P_DIGIT
#define P_DIGIT 1
#endif
static const int R = (31 + P_DIGIT - 1) / P_DIGIT;
static const int LATENCY = R + 4;  // documented in templates/rf_requant_serial.v

struct In {
    int32_t x, mult;
    int shift;
};

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    Vtb *top = new Vtb;
    Rng rng(5);
    uint64_t cyc = 0;
    std::vector<In> v;
    const int32_t xs[] = {0, 1, -1, 2, -2, INT32_MIN, INT32_MAX, INT32_MIN + 1, 1 << 30, -(1 << 30),
                          12345, -12345, 255 << 20, -(255 << 20)};
    const int32_t ms[] = {0, 1, 2, 1 << 30, (1 << 30) + 1, INT32_MAX, 1431655765, 1717986918};
    for (int32_t a : xs)
        for (int32_t b : ms)
            for (int s = -31; s <= 31; s += 5)
                v.push_back(In{a, b, s});
    for (int i = 0; i < 30000; i++) {
        In t;
        switch (i % 3) {
        case 0:  // random x, any mult >= 0
            t = In{(int32_t)rng.next(), (int32_t)(rng.next() & 0x7fffffff), (int)rng.range(-31, 31)};
            break;
        case 1:  // TFLite-like: mult in [2^30, 2^31), conv-sized accumulators
            t = In{(int32_t)rng.range(-(1 << 22), 1 << 22), (int32_t)rng.range(1 << 30, INT32_MAX),
                   (int)rng.range(-20, 2)};
            break;
        default: {  // rounding ties for the right shift
            int s = (int)rng.range(1, 31);
            t = In{(int32_t)rng.range(-(1 << 20), 1 << 20), 1 << 30, -s};
        }
        }
        v.push_back(t);
    }
    for (In &t : v)
        t.shift = shift_in_range(t.shift);
    printf("rf_requant_serial DIGIT=%d (R = %d, LATENCY = %d): %zu vectors\n", P_DIGIT, R, LATENCY, v.size());

    // the first 200 vectors back to back (R + 1 apart) with ce = 1, then a
    // random ce and random gaps between starts
    size_t next = 0;
    int checked = 0, since = R + 1, holding = -1;
    std::vector<std::pair<int, int>> flight;  // (vector, enabled edges since its start)
    top->ce = 0;
    top->start = 0;
    top->clk = 0;
    top->eval();
    while (next < v.size() || !flight.empty()) {
        bool ce = next < 200 ? true : rng.pct(70);
        bool start = next < v.size() && since >= R + 1 && (next < 200 || rng.pct(60));
        const In &in = v[next < v.size() ? next : v.size() - 1];
        top->x = in.x;
        top->mult = in.mult;
        top->shift = (uint8_t)(int8_t)in.shift;
        top->start = start;
        top->ce = ce;
        top->eval();
        // y: the latest result that is LATENCY edges old, held since
        for (size_t i = 0; i < flight.size();)
            if (flight[i].second == LATENCY) {
                holding = flight[i].first;
                checked++;
                flight.erase(flight.begin() + (long)i);
            } else
                i++;
        // y_next: y takes a result at the next enabled edge
        bool due = false;
        for (auto &f : flight)
            due = due || f.second == LATENCY - 1;
        if ((bool)top->y_next != due)
            tb_error("cycle %llu: y_next %d, a result due at the next enabled edge: %d", (unsigned long long)cyc,
                     (int)top->y_next, (int)due);
        if (holding >= 0) {
            const In &o = v[holding];
            int32_t exp = ref_mbqm(o.x, o.mult, o.shift), got = (int32_t)top->y;
            if (exp != got)
                tb_error("cycle %llu, vector %d (x=%d, mult=%d, shift=%d): expected %d, got %d",
                         (unsigned long long)cyc, holding, o.x, o.mult, o.shift, exp, got);
        }
        if (ce) {
            for (auto &f : flight)
                f.second++;
            since++;
            if (start) {
                flight.push_back({(int)next++, 1});
                since = 1;
            }
        }
        tick(top, cyc);
    }
    printf("%d results checked\n", checked);
    if (checked != (int)v.size())
        tb_error("%d of %zu results checked", checked, v.size());
    int rc = tb_finish("rf_requant_serial");
    top->final();
    delete top;
    return rc;
}
