// Testbench of rf_axis_fork: every output receives every beat in order,
// outputs transfer independently, latency 0, and a full-speed II of 1.
#include <vector>

#include "Vtb.h"
#include "tb_common.h"

#ifndef P_DATA_WIDTH
#define P_DATA_WIDTH 8
#endif
#ifndef P_M_COUNT
#define P_M_COUNT 2
#endif
static_assert(P_DATA_WIDTH * P_M_COUNT <= 64, "this testbench reads m_axis_tdata as one integer");

static const uint64_t DMASK = (1ull << P_DATA_WIDTH) - 1;

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    Vtb *top = new Vtb;
    uint64_t cyc = 0;
    Rng rng(2);
    printf("rf_axis_fork DATA_WIDTH=%d M_COUNT=%d\n", P_DATA_WIDTH, P_M_COUNT);
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);

    const int N = 3000;
    std::vector<uint64_t> data(N);
    std::vector<int> last(N), user(N);
    for (int i = 0; i < N; i++) {
        data[i] = (((uint64_t)rng.next() << 32) | rng.next()) & DMASK;
        last[i] = rng.pct(25);
        user[i] = rng.pct(10);
    }
    // phases: (valid %, ready %), the last one full speed for the II check
    const int pv[4] = {50, 90, 30, 100}, pr[4] = {50, 30, 90, 100};
    int sent = 0, got[P_M_COUNT] = {0};
    bool hold = false;
    std::vector<bool> done(P_M_COUNT, false);
    int full_cycles = 0, full_xfers = 0;
    for (int ph = 0; ph < 4; ph++) {
        int goal = N * (ph + 1) / 4;
        int guard = 0;
        while (sent < goal && guard++ < 100000) {
            if (!hold && rng.pct(pv[ph]))
                hold = true;
            top->s_axis_tdata = data[sent];
            top->s_axis_tlast = last[sent];
            top->s_axis_tuser = user[sent];
            top->s_axis_tvalid = hold;
            uint32_t rdy = 0;
            for (int i = 0; i < P_M_COUNT; i++)
                rdy |= (uint32_t)rng.pct(pr[ph]) << i;
            top->m_axis_tready = rdy;
            top->eval();
            bool all = true;
            for (int i = 0; i < P_M_COUNT; i++) {
                int v = (top->m_axis_tvalid >> i) & 1;
                // latency 0: valid in the cycle the input is valid, unless taken
                if (v != (hold && !done[i]))
                    tb_error("beat %d output %d: m_axis_tvalid %d, expected %d", sent, i, v, hold && !done[i]);
                if (v) {
                    uint64_t d = (top->m_axis_tdata >> (i * P_DATA_WIDTH)) & DMASK;
                    if (d != data[sent] || ((top->m_axis_tlast >> i) & 1) != last[sent] ||
                        ((top->m_axis_tuser >> i) & 1) != user[sent])
                        tb_error("beat %d output %d: expected %llx/%d/%d, got %llx/%d/%d", sent, i,
                                 (unsigned long long)data[sent], last[sent], user[sent], (unsigned long long)d,
                                 (top->m_axis_tlast >> i) & 1, (top->m_axis_tuser >> i) & 1);
                }
                all = all && (done[i] || ((rdy >> i) & 1));
            }
            if (top->s_axis_tready != (all ? 1 : 0))
                tb_error("beat %d: s_axis_tready %d, expected %d", sent, top->s_axis_tready, all);
            if (ph == 3) {
                full_cycles++;
                full_xfers += hold && top->s_axis_tready;
            }
            for (int i = 0; i < P_M_COUNT; i++)
                if (((top->m_axis_tvalid >> i) & 1) && ((rdy >> i) & 1)) {
                    got[i]++;
                    done[i] = true;
                }
            if (hold && top->s_axis_tready) {
                hold = false;
                sent++;
                for (int i = 0; i < P_M_COUNT; i++)
                    done[i] = false;
            }
            tick(top, cyc);
        }
    }
    for (int i = 0; i < P_M_COUNT; i++)
        if (got[i] != N)
            tb_error("output %d took %d beats, expected %d", i, got[i], N);
    printf("full speed: %d transfers in %d cycles\n", full_xfers, full_cycles);
    if (full_xfers != full_cycles)
        tb_error("II > 1 at full speed: %d transfers in %d cycles", full_xfers, full_cycles);
    int rc = tb_finish("rf_axis_fork");
    top->final();
    delete top;
    return rc;
}
