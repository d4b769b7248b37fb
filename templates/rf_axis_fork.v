/*
 * rf_axis_fork - AXI4-Stream broadcast of one stream to M_COUNT consumers.
 *
 * Every output sees every input beat. The outputs transfer independently: a
 * per-output done flag remembers the outputs that already took the current
 * beat, and the input beat is released when every output has taken it.
 *
 *   m_axis_tvalid[i] = s_axis_tvalid & ~done[i]
 *   s_axis_tready    = &(m_axis_tready | done)
 *
 * m_axis_tvalid[i] depends on s_axis_tvalid only (never on a tready), and
 * stays high with the input's stable data until output i transfers, so each
 * output obeys the AXI4-Stream rule when the input does. s_axis_tready
 * depends on the m_axis_tready inputs (ready may depend on ready).
 *
 * Parameters
 *   DATA_WIDTH  tdata width in bits, >= 1
 *   M_COUNT     number of outputs, >= 2
 *
 * Timing: LATENCY = 0 (combinational path from input to outputs), II = 1.
 * Resources: M_COUNT flip-flops and a few gates per output.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_axis_fork #(
    // tdata width in bits (>= 1)
    parameter DATA_WIDTH = 8,
    // number of outputs (>= 2)
    parameter M_COUNT = 2
) (
    input  wire                          clk,
    input  wire                          rst,

    input  wire [DATA_WIDTH-1:0]         s_axis_tdata,
    input  wire                          s_axis_tvalid,
    output wire                          s_axis_tready,
    input  wire                          s_axis_tlast,
    input  wire                          s_axis_tuser,

    output wire [M_COUNT*DATA_WIDTH-1:0] m_axis_tdata,
    output wire [M_COUNT-1:0]            m_axis_tvalid,
    input  wire [M_COUNT-1:0]            m_axis_tready,
    output wire [M_COUNT-1:0]            m_axis_tlast,
    output wire [M_COUNT-1:0]            m_axis_tuser
);

initial begin
    if (DATA_WIDTH < 1) begin
        $error("DATA_WIDTH must be >= 1 (instance %m)");
        $finish;
    end
    if (M_COUNT < 2) begin
        $error("M_COUNT must be >= 2 (instance %m)");
        $finish;
    end
end

// outputs that already took the current input beat
reg [M_COUNT-1:0] done_reg = {M_COUNT{1'b0}}, done_next;

assign s_axis_tready = &(m_axis_tready | done_reg);
assign m_axis_tvalid = {M_COUNT{s_axis_tvalid}} & ~done_reg;
assign m_axis_tdata = {M_COUNT{s_axis_tdata}};
assign m_axis_tlast = {M_COUNT{s_axis_tlast}};
assign m_axis_tuser = {M_COUNT{s_axis_tuser}};

always @* begin
    if (s_axis_tvalid && s_axis_tready) begin
        // the last outstanding outputs take the beat: start the next one
        done_next = {M_COUNT{1'b0}};
    end else begin
        done_next = done_reg | (m_axis_tvalid & m_axis_tready);
    end
end

always @(posedge clk) begin
    done_reg <= done_next;

    if (rst) begin
        done_reg <= {M_COUNT{1'b0}};
    end
end

endmodule

`resetall
