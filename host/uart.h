/*
 * uart.h - the host side of the board's UART frame protocol (docs/boards.md;
 * the FPGA side is templates/rf_uart_bridge.v).
 *
 * `stream --uart /dev/ttyUSB1 --baud 1000000` sends each frame to a board
 * running the bitstream of `make bitstream`, reads the output feature map
 * back and checks it against the golden model, bit for bit, like the
 * simulated backend. The same code talks to the simulated board in the
 * test (tests/board/uart_pty_sim.cpp serves a pseudo-terminal).
 */
#ifndef RF_UART_H
#define RF_UART_H

#include <stddef.h>
#include <stdint.h>

#include "rf_net.h"

/* Frame types and STATUS bits (rf_uart_bridge.v). */
#define RF_UART_SYNC0 0xA5
#define RF_UART_SYNC1 0x5A
#define RF_UART_FRAME 0x01
#define RF_UART_INFO 0x02
#define RF_UART_OUTPUT 0x81
#define RF_UART_INFO_REPLY 0x82
#define RF_UART_ERROR 0xFF
#define RF_UART_ST_CRC 0x01
#define RF_UART_ST_LOST 0x02
#define RF_UART_ST_LENGTH 0x04
#define RF_UART_ST_TYPE 0x08
#define RF_UART_ST_TIMEOUT 0x10

/* CRC-16/CCITT-FALSE (poly 0x1021, MSB first), continuing from crc (start
 * with 0xFFFF). */
uint16_t rf_uart_crc16(uint16_t crc, const uint8_t *p, size_t n);

/* Encodes a host -> board frame into out (room for len + 8 bytes): sync,
 * type, 24-bit length, payload, CRC over type .. payload. Returns its size. */
size_t rf_uart_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out);

typedef struct uart_opts {
    const char *device;     /* a serial port (or a pseudo-terminal) */
    long baud;              /* 0: 1000000 */
    double timeout_s;       /* per frame answer; 0: 5 s + the UART time */
    const char *json;       /* measurements, or NULL */
    const char *out_image;  /* last output frame as a mosaic PNG, or NULL */
    int quiet;
} uart_opts;

/* Opens the port (raw, 8N1, no flow control), asks the board for its
 * shapes and checks them against net, then sends the n_frames frames
 * ([n][H*W*C_in]) one at a time, each answered before the next goes, each
 * paced to its answer with the board's LEAD (uart.c, docs/boards.md), and
 * compares every output value with expected ([n][out size]). Prints the
 * mismatches as "frame 3 (y=4,x=7,c=2): expected 17, got 15", a summary and
 * the verdict. Returns 0 when bit-exact, 1 on a mismatch, a bad STATUS or a
 * missing answer, 2 when the port cannot be used. */
int uart_stream(const uart_opts *o, const rf_net *net, const int8_t *frames, const int8_t *expected,
                long n_frames);

#endif
