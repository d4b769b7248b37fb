/*
 * rf_uart_rx - UART receiver, 8 data bits, no parity, 1 stop bit (8N1).
 *
 * The line is synchronised by two flip-flops, then a falling edge starts a
 * byte: the start bit is checked half a bit later (a shorter low pulse is a
 * glitch and ignored), and the 8 data bits (LSB first) and the stop bit are
 * sampled in the middle of their bit times, CLKS_PER_BIT cycles apart. The
 * receiver looks for the next start bit right after the middle of the stop
 * bit, so back-to-back bytes from a sender up to half a bit slower over the
 * 10 bits of a byte (about 5 %) are received.
 *
 * Parameters
 *   CLKS_PER_BIT  clock cycles per bit, round(f_clk / baud), >= 4
 *
 * Output: m_axis_tdata/m_axis_tvalid carry one byte per one-cycle tvalid
 * pulse, in the cycle after the middle of its stop bit. There is no tready:
 * a UART cannot be stalled, so the consumer must take every byte (or count
 * the loss). frame_error pulses instead of tvalid when the stop bit is low;
 * that byte is dropped.
 *
 * Timing: the byte is valid 9.5 bit times + 3 cycles after the start bit's
 * falling edge on rxd (2 synchroniser stages, the edge register, then the
 * sampling). II: one byte per 10 bit times.
 *
 * Resources: a bit counter, a clog2(CLKS_PER_BIT)-bit timer, the 8-bit shift
 * register, about 30 LUT4.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_uart_rx #(
    // clock cycles per bit: round(f_clk / baud), >= 4
    parameter CLKS_PER_BIT = 16
) (
    input  wire       clk,
    input  wire       rst,

    // serial input, idle high
    input  wire       rxd,

    output wire [7:0] m_axis_tdata,
    output wire       m_axis_tvalid,
    // the stop bit of a byte was low (byte dropped)
    output wire       frame_error
);

localparam TW = $clog2(CLKS_PER_BIT + 1);
localparam [TW-1:0] FULL = CLKS_PER_BIT[TW-1:0] - 1'b1;
localparam HALF_M1 = CLKS_PER_BIT / 2 - 1;
localparam [TW-1:0] HALF = HALF_M1[TW-1:0];

localparam [1:0] S_IDLE = 2'd0, S_START = 2'd1, S_DATA = 2'd2, S_STOP = 2'd3;

initial begin
    if (CLKS_PER_BIT < 4) begin
        $error("CLKS_PER_BIT must be >= 4 (instance %m)");
        $finish;
    end
end

// two-stage synchroniser (reset to the idle level) and the previous sample
reg [2:0] sync_reg = 3'b111;
wire line = sync_reg[1];

reg [1:0] state_reg = S_IDLE, state_next;
reg [TW-1:0] timer_reg = {TW{1'b0}}, timer_next;
reg [2:0] bit_reg = 3'd0, bit_next;
reg [7:0] data_reg = 8'd0, data_next;
reg valid_reg = 1'b0, valid_next;
reg ferr_reg = 1'b0, ferr_next;

assign m_axis_tdata = data_reg;
assign m_axis_tvalid = valid_reg;
assign frame_error = ferr_reg;

always @* begin
    state_next = state_reg;
    timer_next = timer_reg;
    bit_next = bit_reg;
    data_next = data_reg;
    valid_next = 1'b0;
    ferr_next = 1'b0;

    case (state_reg)
        S_IDLE: begin
            // falling edge: wait half a bit to the middle of the start bit
            if (!line && sync_reg[2]) begin
                state_next = S_START;
                timer_next = HALF;
            end
        end
        S_START: begin
            if (timer_reg == {TW{1'b0}}) begin
                if (line) begin
                    state_next = S_IDLE;   // a glitch, not a start bit
                end else begin
                    state_next = S_DATA;
                    timer_next = FULL;
                    bit_next = 3'd0;
                end
            end else begin
                timer_next = timer_reg - 1'b1;
            end
        end
        S_DATA: begin
            if (timer_reg == {TW{1'b0}}) begin
                data_next = {line, data_reg[7:1]};
                timer_next = FULL;
                bit_next = bit_reg + 1'b1;
                if (bit_reg == 3'd7) begin
                    state_next = S_STOP;
                end
            end else begin
                timer_next = timer_reg - 1'b1;
            end
        end
        default: begin
            // S_STOP: sample the stop bit, then look for the next start bit
            if (timer_reg == {TW{1'b0}}) begin
                valid_next = line;
                ferr_next = !line;
                state_next = S_IDLE;
            end else begin
                timer_next = timer_reg - 1'b1;
            end
        end
    endcase
end

always @(posedge clk) begin
    sync_reg <= {sync_reg[1:0], rxd};
    state_reg <= state_next;
    timer_reg <= timer_next;
    bit_reg <= bit_next;
    data_reg <= data_next;
    valid_reg <= valid_next;
    ferr_reg <= ferr_next;

    if (rst) begin
        sync_reg <= 3'b111;
        state_reg <= S_IDLE;
        valid_reg <= 1'b0;
        ferr_reg <= 1'b0;
    end
end

endmodule

`resetall
