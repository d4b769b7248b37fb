// uart_pty_sim - the board in simulation behind a pseudo-terminal.
//
//   uart_pty_sim LINK_FILE [MAX_SECONDS]
//
// Verilated rf_board_core (the UART bridge and the pipeline, as on the
// board, without the PLL and the pins) serves a pseudo-terminal: the path of
// its slave side is written to LINK_FILE, and a host opens it like a serial
// port (`stream --uart PATH`). Bytes the host writes are sent to the
// simulated uart_rx pin bit by bit, CLKS_PER_BIT cycles per bit (8N1);
// the uart_tx pin is sampled in the middle of every bit and the decoded
// bytes are written back. The simulation advances only while there is
// something to do (bytes to send, a byte on the way out, or the pipeline
// still busy: uart_tx active within the last IDLE_CYCLES), so host delays do
// not count as line silence. Exits 0 when the host closes the port, 1 after
// MAX_SECONDS (default 300) of wall time.
//
// Built by tests/board/uart_sim.sh with -DCPB=<CLKS_PER_BIT>.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "Vrf_board.h"
#include "verilated.h"

#ifndef CPB
#error "build with -DCPB=<CLKS_PER_BIT of the Verilated rf_board_core>"
#endif

double sc_time_stamp() { return 0; }

// cycles of a quiet uart_tx after which the board counts as idle: more than
// the pipeline needs for a frame (-DIDLE=..., default for small networks)
#ifndef IDLE
#define IDLE 100000L
#endif
static const long IDLE_CYCLES = IDLE + 400L * CPB;

static double now_s()
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: uart_pty_sim LINK_FILE [MAX_SECONDS]\n");
        return 2;
    }
    double max_s = argc > 2 ? atof(argv[2]) : 300.0, t0 = now_s();
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) || unlockpt(master)) {
        perror("uart_pty_sim: pseudo-terminal");
        return 2;
    }
    const char *slave_path = ptsname(master);
    // the slave side raw from the start (no echo, no line editing); held open
    // until the host has connected, so that reads do not fail before that
    int slave = open(slave_path, O_RDWR | O_NOCTTY);
    struct termios t;
    if (slave < 0 || tcgetattr(slave, &t)) {
        perror("uart_pty_sim: slave");
        return 2;
    }
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    {
        char tmp[4096];
        snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%s\n", slave_path) < 0 || fclose(f) || rename(tmp, argv[1])) {
            perror("uart_pty_sim: link file");
            return 2;
        }
    }

    VerilatedContext ctx;
    Vrf_board top(&ctx, "board");
    auto tick = [&]() {
        top.clk = 1;
        top.eval();
        top.clk = 0;
        top.eval();
    };
    top.clk = 0;
    top.uart_rx = 1;
    top.rst = 1;
    for (int i = 0; i < 8; i++)
        tick();
    top.rst = 0;

    std::deque<uint8_t> to_board;
    int rx_bit = -1, rx_timer = 0;       // bit being driven (0 start, 1..8 data, 9 stop), -1 idle
    uint8_t rx_byte = 0;
    int tx_bit = -1, tx_timer = 0;       // bit being sampled, -1 waiting for a start bit
    uint8_t tx_byte = 0, prev_tx = 1;
    long since_tx = IDLE_CYCLES;
    long long cycles = 0, bytes_in = 0, bytes_out = 0;
    bool connected = false;

    for (;;) {
        bool busy = !to_board.empty() || rx_bit >= 0 || tx_bit >= 0 || since_tx < IDLE_CYCLES;
        struct pollfd pf = {master, POLLIN, 0};
        int pr = poll(&pf, 1, busy ? 0 : 50);
        if (pr > 0 && (pf.revents & (POLLIN | POLLHUP | POLLERR))) {
            uint8_t buf[4096];
            ssize_t n = read(master, buf, sizeof buf);
            if (n > 0) {
                to_board.insert(to_board.end(), buf, buf + n);
                bytes_in += n;
                if (!connected) {
                    connected = true;
                    close(slave);   // from now on, the host's close ends the session
                }
            } else if (n < 0 && errno == EIO && connected) {
                fprintf(stderr, "uart_pty_sim: host closed; %lld cycles, %lld bytes in, %lld bytes out\n", cycles,
                        bytes_in, bytes_out);
                return 0;
            } else if (n < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) {
                perror("uart_pty_sim: read");
                return 2;
            }
        }
        if (now_s() - t0 > max_s) {
            fprintf(stderr, "uart_pty_sim: gave up after %.0f s (%lld cycles)\n", max_s, cycles);
            return 1;
        }
        if (!busy && to_board.empty())
            continue;
        for (int c = 0; c < 4096; c++) {
            // host -> board: drive uart_rx
            if (rx_bit < 0 && !to_board.empty()) {
                rx_byte = to_board.front();
                to_board.pop_front();
                rx_bit = 0;
                rx_timer = CPB;
            }
            if (rx_bit >= 0) {
                top.uart_rx = rx_bit == 0 ? 0 : rx_bit == 9 ? 1 : (rx_byte >> (rx_bit - 1)) & 1;
                if (--rx_timer == 0) {
                    rx_timer = CPB;
                    if (++rx_bit == 10)
                        rx_bit = -1;
                }
            } else {
                top.uart_rx = 1;
            }
            tick();
            cycles++;
            // board -> host: sample uart_tx in the middle of each bit
            uint8_t tx = top.uart_tx;
            since_tx = tx == 1 && tx_bit < 0 ? since_tx + 1 : 0;
            if (tx_bit < 0) {
                if (prev_tx == 1 && tx == 0) {
                    tx_bit = 0;
                    tx_timer = CPB / 2;
                }
            } else if (--tx_timer == 0) {
                tx_timer = CPB;
                if (tx_bit >= 1 && tx_bit <= 8)
                    tx_byte = (uint8_t)((tx_byte >> 1) | (tx << 7));
                if (tx_bit == 0 && tx != 0) {
                    tx_bit = -1;   // a glitch
                } else if (tx_bit == 9) {
                    if (tx != 1)
                        fprintf(stderr, "uart_pty_sim: framing error on uart_tx at cycle %lld\n", cycles);
                    if (write(master, &tx_byte, 1) != 1) {
                        perror("uart_pty_sim: write");
                        return 2;
                    }
                    bytes_out++;
                    tx_bit = -1;
                } else {
                    tx_bit++;
                }
            }
            prev_tx = tx;
        }
    }
}
