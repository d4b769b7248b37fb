// Testbench of rf_requant: bit exactness of MultiplyByQuantizedMultiplier
// against an independent C reference (tb_common.h) for random and corner
// inputs, and the latency of LATENCY = 5 ce-cycles (6 with SPLIT = 1, the
// product in two halves) under a random ce.
#include <vector>

#include "Vtb.h"
#include "tb_common.h"

#ifndef P_SPLIT
#define P_SPLIT 0
#endif
static const int LATENCY = P_SPLIT ? 6 : 5;  // documented in templates/rf_requant.v

struct In {
    int32_t x, mult;
    int shift;
};

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    Vtb *top = new Vtb;
    Rng rng(3);
    uint64_t cyc = 0;
    std::vector<In> v;
    const int32_t corners[] = {0, 1, -1, 2, -2, INT32_MIN, INT32_MAX, INT32_MIN + 1, 1 << 30, -(1 << 30),
                               (1 << 30) + 1, 12345, -12345, 255 << 20, -(255 << 20)};
    for (int32_t a : corners)
        for (int32_t b : corners)
            for (int s = -31; s <= 31; s += 3)
                v.push_back(In{a, b, s});
    for (int i = 0; i < 200000; i++) {
        In t;
        switch (i % 4) {
        case 0:  // fully random
            t = In{(int32_t)rng.next(), (int32_t)rng.next(), (int)rng.range(-31, 31)};
            break;
        case 1:  // TFLite-like: mult in [2^30, 2^31), conv-sized accumulators
            t = In{(int32_t)rng.range(-(1 << 20), 1 << 20), (int32_t)rng.range(1 << 30, INT32_MAX),
                   (int)rng.range(-20, 2)};
            break;
        case 2: {  // rounding ties and near ties for the right shift
            int s = (int)rng.range(1, 31);
            int32_t base = (int32_t)rng.range(-(1 << 20), 1 << 20);
            t = In{base, 1 << 30, -s};  // srdhm by 2^30 halves: x/2 with ties
            break;
        }
        default:  // small values, all shifts
            t = In{(int32_t)rng.range(-600, 600), (int32_t)rng.range(-(1 << 16), 1 << 16), (int)rng.range(-31, 31)};
        }
        v.push_back(t);
    }
    for (In &t : v)
        t.shift = shift_in_range(t.shift);
    printf("rf_requant: %zu vectors\n", v.size());

    // ce always 1: y in cycle t + LATENCY for x in cycle t
    // then a random ce: y after LATENCY enabled edges
    std::vector<int> pipe;  // indices of the inputs in the LATENCY stages, newest last
    size_t next = 0;
    int checked = 0;
    top->ce = 0;
    top->clk = 0;
    top->eval();
    while (next < v.size() || !pipe.empty()) {
        bool ce = next < 2000 ? true : rng.pct(70);
        const In &in = v[next < v.size() ? next : v.size() - 1];
        top->x = in.x;
        top->mult = in.mult;
        top->shift = (uint8_t)(int8_t)in.shift;
        top->ce = ce;
        top->eval();
        if (pipe.size() == LATENCY) {
            const In &o = v[pipe[0]];
            int32_t exp = ref_mbqm(o.x, o.mult, o.shift), got = (int32_t)top->y;
            if (exp != got)
                tb_error("vector %d (x=%d, mult=%d, shift=%d): expected %d, got %d", pipe[0], o.x, o.mult, o.shift,
                         exp, got);
            checked++;
        }
        if (ce) {
            if (pipe.size() == LATENCY)
                pipe.erase(pipe.begin());
            if (next < v.size())
                pipe.push_back((int)next++);
            else if (!pipe.empty())
                pipe.push_back(-1);
            while (!pipe.empty() && pipe[0] < 0)
                pipe.erase(pipe.begin());
        }
        tick(top, cyc);
    }
    printf("checked %d results\n", checked);
    if (checked < (int)v.size() - LATENCY)
        tb_error("only %d of %zu results checked", checked, v.size());
    int rc = tb_finish("rf_requant");
    top->final();
    delete top;
    return rc;
}
