// Testbench of rf_axis_fifo: latency, exact capacity, count / tready /
// high_water, throughput, and data order under random stalls.
#include <deque>

#include "Vtb.h"
#include "tb_common.h"

#ifndef P_DATA_WIDTH
#define P_DATA_WIDTH 8
#endif
#ifndef P_DEPTH
#define P_DEPTH 16
#endif
static_assert(P_DATA_WIDTH <= 64, "this testbench drives tdata as one integer");

static const uint64_t DMASK = P_DATA_WIDTH == 64 ? ~0ull : ((1ull << P_DATA_WIDTH) - 1);

struct Beat {
    uint64_t data;
    int last, user;
};

static Vtb *top;
static uint64_t cyc;

// random traffic with the given valid/ready percentages; checks everything
static void traffic(Rng &rng, int n, int pv, int pr, const char *phase)
{
    std::deque<Beat> model;
    uint32_t hw = top->high_water, sent = 0, got = 0;
    bool hold = false, prev_mv = false;
    Beat cur{0, 0, 0}, prev_out{0, 0, 0};
    int guard = 0;
    while (got < (uint32_t)n && guard++ < 200 * n + 1000) {
        if (!hold && sent < (uint32_t)n && rng.pct(pv)) {
            cur = Beat{(((uint64_t)rng.next() << 32) | rng.next()) & DMASK, rng.pct(20), rng.pct(10)};
            hold = true;
        }
        top->s_axis_tdata = cur.data;
        top->s_axis_tlast = cur.last;
        top->s_axis_tuser = cur.user;
        top->s_axis_tvalid = hold;
        top->m_axis_tready = rng.pct(pr);
        top->eval();
        uint32_t cnt = (uint32_t)model.size();
        if (top->count != cnt)
            tb_error("%s cycle %llu: count %u, expected %u", phase, (unsigned long long)cyc, top->count, cnt);
        if (top->s_axis_tready != (cnt < P_DEPTH))
            tb_error("%s cycle %llu: s_axis_tready %d with count %u", phase, (unsigned long long)cyc,
                     top->s_axis_tready, cnt);
        if (top->high_water != hw)
            tb_error("%s cycle %llu: high_water %u, expected %u", phase, (unsigned long long)cyc, top->high_water, hw);
        if (prev_mv && (!top->m_axis_tvalid || top->m_axis_tdata != prev_out.data ||
                        top->m_axis_tlast != prev_out.last || top->m_axis_tuser != prev_out.user))
            tb_error("%s cycle %llu: m_axis changed before its transfer", phase, (unsigned long long)cyc);
        bool sf = hold && top->s_axis_tready, mf = top->m_axis_tvalid && top->m_axis_tready;
        prev_mv = top->m_axis_tvalid && !top->m_axis_tready;
        prev_out = Beat{top->m_axis_tdata, top->m_axis_tlast, top->m_axis_tuser};
        if (mf) {
            if (model.empty()) {
                tb_error("%s beat %u: output from an empty FIFO", phase, got);
            } else {
                Beat e = model.front();
                model.pop_front();
                if (e.data != top->m_axis_tdata || e.last != top->m_axis_tlast || e.user != top->m_axis_tuser)
                    tb_error("%s beat %u: expected data %llx last %d user %d, got %llx last %d user %d", phase, got,
                             (unsigned long long)e.data, e.last, e.user, (unsigned long long)top->m_axis_tdata,
                             top->m_axis_tlast, top->m_axis_tuser);
            }
            got++;
        }
        if (sf) {
            model.push_back(cur);
            hold = false;
            sent++;
        }
        if (model.size() > hw)
            hw = (uint32_t)model.size();
        tick(top, cyc);
    }
    if (got < (uint32_t)n)
        tb_error("%s: only %u of %d beats came out", phase, got, n);
}

int main(int argc, char **argv)
{
    Verilated::commandArgs(argc, argv);
    top = new Vtb;
    Rng rng(1);
    printf("rf_axis_fifo DATA_WIDTH=%d DEPTH=%d\n", P_DATA_WIDTH, P_DEPTH);

    // 1. latency: a beat written into the empty FIFO in cycle t is valid in t + 2
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    {
        top->s_axis_tdata = 0x5A & DMASK;
        top->s_axis_tvalid = 1;
        top->eval();
        if (!top->s_axis_tready)
            tb_error("latency: not ready after reset");
        uint64_t t0 = cyc;
        tick(top, cyc);
        top->s_axis_tvalid = 0;
        top->m_axis_tready = 1;
        int lat = -1;
        for (int i = 0; i < 10 && lat < 0; i++) {
            top->eval();
            if (top->m_axis_tvalid)
                lat = (int)(cyc - t0);
            tick(top, cyc);
        }
        if (lat != 2)
            tb_error("latency: m_axis_tvalid %d cycles after the write, expected 2", lat);
        else
            printf("latency: 2 cycles (write into empty -> m_axis_tvalid)\n");
    }

    // 2. capacity: exactly DEPTH beats with the output stalled
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    {
        int accepted = 0;
        for (int i = 0; i < P_DEPTH + 10; i++) {
            top->s_axis_tdata = (uint64_t)i & DMASK;
            top->s_axis_tvalid = 1;
            top->m_axis_tready = 0;
            top->eval();
            if (top->count != (uint32_t)accepted)
                tb_error("capacity: count %u after %d writes", top->count, accepted);
            if (top->s_axis_tready)
                accepted++;
            tick(top, cyc);
        }
        if (accepted != P_DEPTH)
            tb_error("capacity: accepted %d beats, expected DEPTH = %d", accepted, P_DEPTH);
        top->eval();
        if (top->high_water != (uint32_t)P_DEPTH)
            tb_error("capacity: high_water %u, expected %d", top->high_water, P_DEPTH);
        top->s_axis_tvalid = 0;
        top->m_axis_tready = 1;
        for (int i = 0; i < P_DEPTH; i++) {
            top->eval();
            int guard = 0;
            while (!top->m_axis_tvalid && guard++ < 5) {
                tick(top, cyc);
                top->eval();
            }
            if (top->m_axis_tdata != ((uint64_t)i & DMASK))
                tb_error("capacity: beat %d: expected %llx, got %llx", i, (unsigned long long)((uint64_t)i & DMASK),
                         (unsigned long long)top->m_axis_tdata);
            tick(top, cyc);
        }
        top->m_axis_tready = 0;
        tick(top, cyc);
        top->eval();
        if (top->count != 0 || top->m_axis_tvalid)
            tb_error("capacity: not empty after draining (count %u)", top->count);
        if (top->high_water != (uint32_t)P_DEPTH)
            tb_error("capacity: high_water %u after draining, expected %d", top->high_water, P_DEPTH);
    }

    // 3. throughput: source always valid, sink always ready; from the first
    // output on, one beat per cycle each way (DEPTH >= 3; DEPTH 2 cannot,
    // as a slot is reusable only the cycle after its beat leaves)
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    {
        int n = 200, in = 0, out = 0, first = -1, both = 0, cycles = 0;
        for (int i = 0; i < n + 10; i++) {
            top->s_axis_tdata = (uint64_t)in & DMASK;
            top->s_axis_tvalid = 1;
            top->m_axis_tready = 1;
            top->eval();
            bool sf = top->s_axis_tready, mf = top->m_axis_tvalid;
            if (mf && first < 0)
                first = i;
            if (first >= 0 && i < n) {
                cycles++;
                both += sf && mf;
            }
            if (mf) {
                if (top->m_axis_tdata != ((uint64_t)out & DMASK))
                    tb_error("throughput: beat %d: expected %llx, got %llx", out,
                             (unsigned long long)((uint64_t)out & DMASK), (unsigned long long)top->m_axis_tdata);
                out++;
            }
            in += sf;
            tick(top, cyc);
        }
        printf("throughput: %d of %d cycles moved a beat in and out\n", both, cycles);
        if (P_DEPTH >= 3 && both != cycles)
            tb_error("throughput: II > 1 (%d of %d cycles with both transfers)", both, cycles);
    }

    // 4. random stalls, several valid/ready mixes
    top->s_axis_tvalid = 0;
    top->m_axis_tready = 0;
    reset(top, cyc);
    traffic(rng, 1500, 90, 30, "fill");
    traffic(rng, 1500, 30, 90, "drain");
    traffic(rng, 1500, 60, 60, "mixed");
    traffic(rng, 500, 100, 100, "full-speed");

    int rc = tb_finish("rf_axis_fifo");
    top->final();
    delete top;
    return rc;
}
