/*
 * rf_uart_tx - UART transmitter, 8 data bits, no parity, 1 stop bit (8N1).
 *
 * A byte accepted on s_axis is sent as a start bit (0), its 8 bits LSB first
 * and a stop bit (1), each CLKS_PER_BIT cycles long, from a register (txd
 * never glitches). The line idles high, also during reset.
 *
 * Parameters
 *   CLKS_PER_BIT  clock cycles per bit, round(f_clk / baud), >= 4
 *
 * Handshake: s_axis_tready is a register (ready next: no transfer now, and
 * idle, or the stop bit with its timer at 1 or 0), so no logic lies between
 * it and the sender; the next byte is accepted in the last cycle of the stop
 * bit, so bytes go out back to back.
 *
 * Timing: txd falls (start bit) one cycle after the transfer. II: one byte
 * per 10 * CLKS_PER_BIT cycles.
 *
 * Resources: a 9-bit shift register, a bit counter and a clog2(CLKS_PER_BIT)
 * bit timer, about 25 LUT4.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_uart_tx #(
    // clock cycles per bit: round(f_clk / baud), >= 4
    parameter CLKS_PER_BIT = 16
) (
    input  wire       clk,
    input  wire       rst,

    input  wire [7:0] s_axis_tdata,
    input  wire       s_axis_tvalid,
    output wire       s_axis_tready,

    // serial output, idle high
    output wire       txd
);

localparam TW = $clog2(CLKS_PER_BIT + 1);
localparam [TW-1:0] FULL = CLKS_PER_BIT[TW-1:0] - 1'b1;

initial begin
    if (CLKS_PER_BIT < 4) begin
        $error("CLKS_PER_BIT must be >= 4 (instance %m)");
        $finish;
    end
end

// bits still to send after the current one: {stop, data[7:1]} .. {stop}
reg [8:0] shift_reg = 9'h1ff, shift_next;
reg txd_reg = 1'b1, txd_next;
reg busy_reg = 1'b0, busy_next;
reg [3:0] left_reg = 4'd0, left_next;
reg [TW-1:0] timer_reg = {TW{1'b0}}, timer_next;

// s_axis_tready: idle, or in the last cycle of the stop bit (which frees
// the transmitter for the next byte); a register
reg ready_reg = 1'b1;

assign s_axis_tready = ready_reg;
assign txd = txd_reg;

always @* begin
    shift_next = shift_reg;
    txd_next = txd_reg;
    busy_next = busy_reg;
    left_next = left_reg;
    timer_next = timer_reg;

    if (busy_reg) begin
        if (timer_reg == {TW{1'b0}}) begin
            if (left_reg == 4'd0) begin
                busy_next = 1'b0;
                txd_next = 1'b1;
            end else begin
                txd_next = shift_reg[0];
                shift_next = {1'b1, shift_reg[8:1]};
                left_next = left_reg - 1'b1;
                timer_next = FULL;
            end
        end else begin
            timer_next = timer_reg - 1'b1;
        end
    end
    if (s_axis_tvalid && s_axis_tready) begin
        // start bit now, then 8 data bits and the stop bit
        busy_next = 1'b1;
        txd_next = 1'b0;
        shift_next = {1'b1, s_axis_tdata};
        left_next = 4'd9;
        timer_next = FULL;
    end
end

always @(posedge clk) begin
    shift_reg <= shift_next;
    txd_reg <= txd_next;
    busy_reg <= busy_next;
    left_reg <= left_next;
    timer_reg <= timer_next;
    // ready in the next cycle: idle then, or its last stop-bit cycle (the
    // stop bit's timer now at 1 or 0), from the registers, not the next state
    ready_reg <= !(s_axis_tvalid && s_axis_tready) &&
                 (!busy_reg || (left_reg == 4'd0 && timer_reg <= {{(TW-1){1'b0}}, 1'b1}));

    if (rst) begin
        txd_reg <= 1'b1;
        busy_reg <= 1'b0;
        left_reg <= 4'd0;
        timer_reg <= {TW{1'b0}};
        ready_reg <= 1'b1;
    end
end

endmodule

`resetall
