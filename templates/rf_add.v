/*
 * rf_add - TFLite int8 ADD of two streams of pixels, per channel.
 *
 * Source: tensorflow/lite/kernels/internal/reference/integer_ops/add.h
 * (AddElementwise) with the parameters of kernels/add.cc (Prepare):
 *   v_i = (x_i - IN_i_ZP) << LEFT_SHIFT
 *   s_i = MultiplyByQuantizedMultiplier(v_i, IN_i_MULT, IN_i_SHIFT)
 *   y   = clamp(MultiplyByQuantizedMultiplier(s_0 + s_1, OUT_MULT, OUT_SHIFT)
 *               + OUT_ZP, ACT_MIN, ACT_MAX)
 * MultiplyByQuantizedMultiplier is rf_requant (TFLite common.h, gemmlowp).
 *
 * Parameters
 *   CHANNELS             channels per pixel, >= 1 (tdata = CHANNELS * 8 bits)
 *   IN0_ZP, IN1_ZP       input zero points, -128 .. 127
 *   IN0_MULT, IN1_MULT   input multipliers (int32, >= 0)
 *   IN0_SHIFT, IN1_SHIFT input shifts, -31 .. 31 (TFLite sign convention)
 *   OUT_MULT, OUT_SHIFT  output multiplier (int32, >= 0) and shift (-31 .. 31)
 *   OUT_ZP               output zero point, -128 .. 127
 *   ACT_MIN, ACT_MAX     output clamp, -128 <= ACT_MIN <= ACT_MAX <= 127
 *   LEFT_SHIFT           TFLite left_shift, 0 .. 22 (the generator uses 20)
 *
 * Handshake: one pipeline enable ce = !m_axis_tvalid || m_axis_tready moves
 * every stage. The two inputs transfer together:
 *   s0_axis_tready = ce && s1_axis_tvalid, s1_axis_tready = ce && s0_axis_tvalid
 * (each ready waits for the other input's valid; neither valid depends on a
 * ready). tlast and tuser are taken from s0.
 *
 * Pipeline (constant latency; II = 1 beat per cycle):
 *   3 stages  rf_requant of each input        (s_0, s_1)
 *   1 stage   sum register                    (s_0 + s_1, int32 wrap)
 *   3 stages  rf_requant of the sum
 *   1 stage   output register                 (+ OUT_ZP, clamp)
 *   LATENCY = 3 + 1 + 3 + 1 = 8: inputs transferred in cycle t ->
 *   m_axis_tvalid in cycle t + 8 when not back-pressured.
 * Resources per channel: three 32 x 32 multipliers (rf_requant), ~600
 * flip-flops; plus 8 valid/tlast/tuser flags.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_add #(
    // channels per pixel (>= 1)
    parameter CHANNELS = 1,
    // zero point of input 0 (-128 .. 127)
    parameter IN0_ZP = 0,
    // zero point of input 1 (-128 .. 127)
    parameter IN1_ZP = 0,
    // multiplier of input 0 (int32, >= 0)
    parameter IN0_MULT = 1073741824,
    // shift of input 0 (-31 .. 31)
    parameter IN0_SHIFT = 0,
    // multiplier of input 1 (int32, >= 0)
    parameter IN1_MULT = 1073741824,
    // shift of input 1 (-31 .. 31)
    parameter IN1_SHIFT = 0,
    // multiplier of the sum (int32, >= 0)
    parameter OUT_MULT = 1073741824,
    // shift of the sum (-31 .. 31)
    parameter OUT_SHIFT = 0,
    // output zero point (-128 .. 127)
    parameter OUT_ZP = 0,
    // output clamp low (-128 .. ACT_MAX)
    parameter ACT_MIN = -128,
    // output clamp high (ACT_MIN .. 127)
    parameter ACT_MAX = 127,
    // left shift applied to the centred inputs (0 .. 22)
    parameter LEFT_SHIFT = 20
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire [CHANNELS*8-1:0] s0_axis_tdata,
    input  wire                  s0_axis_tvalid,
    output wire                  s0_axis_tready,
    input  wire                  s0_axis_tlast,
    input  wire                  s0_axis_tuser,

    input  wire [CHANNELS*8-1:0] s1_axis_tdata,
    input  wire                  s1_axis_tvalid,
    output wire                  s1_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */
    // tlast and tuser are taken from s0; s1 carries the same positions
    input  wire                  s1_axis_tlast,
    input  wire                  s1_axis_tuser,
    /* verilator lint_on UNUSEDSIGNAL */

    output wire [CHANNELS*8-1:0] m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,
    output wire                  m_axis_tlast,
    output wire                  m_axis_tuser
);

// input transfer in cycle t -> m_axis_tvalid in cycle t + LATENCY
localparam LATENCY = 8;
localparam signed [31:0] M0 = IN0_MULT;
localparam signed [31:0] M1 = IN1_MULT;
localparam signed [31:0] MO = OUT_MULT;
localparam signed [7:0] SH0 = IN0_SHIFT[7:0];
localparam signed [7:0] SH1 = IN1_SHIFT[7:0];
localparam signed [7:0] SHO = OUT_SHIFT[7:0];
// OUT_ZP, ACT_MIN, ACT_MAX (int8, checked below) sign-extended to 33 bits
localparam signed [32:0] OUT_ZP33 = {{25{OUT_ZP[7]}}, OUT_ZP[7:0]};
localparam signed [32:0] ACT_MIN33 = {{25{ACT_MIN[7]}}, ACT_MIN[7:0]};
localparam signed [32:0] ACT_MAX33 = {{25{ACT_MAX[7]}}, ACT_MAX[7:0]};

initial begin
    if (CHANNELS < 1) begin
        $error("CHANNELS must be >= 1 (instance %m)");
        $finish;
    end
    if (IN0_ZP < -128 || IN0_ZP > 127 || IN1_ZP < -128 || IN1_ZP > 127 || OUT_ZP < -128 || OUT_ZP > 127) begin
        $error("zero points must be in -128 .. 127 (instance %m)");
        $finish;
    end
    if (IN0_MULT < 0 || IN1_MULT < 0 || OUT_MULT < 0) begin
        $error("multipliers must be >= 0 (instance %m)");
        $finish;
    end
    if (IN0_SHIFT < -31 || IN0_SHIFT > 31 || IN1_SHIFT < -31 || IN1_SHIFT > 31 ||
        OUT_SHIFT < -31 || OUT_SHIFT > 31) begin
        $error("shifts must be in -31 .. 31 (instance %m)");
        $finish;
    end
    if (ACT_MIN < -128 || ACT_MAX > 127 || ACT_MIN > ACT_MAX) begin
        $error("need -128 <= ACT_MIN <= ACT_MAX <= 127 (instance %m)");
        $finish;
    end
    if (LEFT_SHIFT < 0 || LEFT_SHIFT > 22) begin
        $error("LEFT_SHIFT must be in 0 .. 22 (instance %m)");
        $finish;
    end
end

wire ce = !m_axis_tvalid || m_axis_tready;
wire in_xfer = ce && s0_axis_tvalid && s1_axis_tvalid;

assign s0_axis_tready = ce && s1_axis_tvalid;
assign s1_axis_tready = ce && s0_axis_tvalid;

// valid, tlast, tuser of each pipeline stage; bit LATENCY-1 is the output
reg [LATENCY-1:0] valid_reg = {LATENCY{1'b0}};
reg [LATENCY-1:0] last_reg;
reg [LATENCY-1:0] user_reg;
reg [CHANNELS*8-1:0] out_reg;

assign m_axis_tvalid = valid_reg[LATENCY-1];
assign m_axis_tlast = last_reg[LATENCY-1];
assign m_axis_tuser = user_reg[LATENCY-1];
assign m_axis_tdata = out_reg;

always @(posedge clk) begin
    if (ce) begin
        valid_reg <= {valid_reg[LATENCY-2:0], in_xfer};
        last_reg <= {last_reg[LATENCY-2:0], s0_axis_tlast};
        user_reg <= {user_reg[LATENCY-2:0], s0_axis_tuser};
    end

    if (rst) begin
        valid_reg <= {LATENCY{1'b0}};
    end
end

genvar c;
generate
    for (c = 0; c < CHANNELS; c = c + 1) begin : g_ch
        // (x - zp) is in -255 .. 255, so the shift stays within int32
        wire signed [31:0] x0 = {{24{s0_axis_tdata[8*c+7]}}, s0_axis_tdata[8*c +: 8]};
        wire signed [31:0] x1 = {{24{s1_axis_tdata[8*c+7]}}, s1_axis_tdata[8*c +: 8]};
        wire signed [31:0] v0 = (x0 - IN0_ZP) <<< LEFT_SHIFT;
        wire signed [31:0] v1 = (x1 - IN1_ZP) <<< LEFT_SHIFT;
        wire signed [31:0] s0;
        wire signed [31:0] s1;
        wire signed [31:0] y;
        reg signed [31:0] sum_reg;
        // y + OUT_ZP in 33 bits, then clamped
        wire signed [32:0] yz = $signed({y[31], y}) + OUT_ZP33;
        wire [7:0] clamped = yz < ACT_MIN33 ? ACT_MIN[7:0] : (yz > ACT_MAX33 ? ACT_MAX[7:0] : yz[7:0]);

        rf_requant u_rq0 (.clk(clk), .ce(ce), .x(v0), .mult(M0), .shift(SH0), .y(s0));
        rf_requant u_rq1 (.clk(clk), .ce(ce), .x(v1), .mult(M1), .shift(SH1), .y(s1));
        rf_requant u_rqo (.clk(clk), .ce(ce), .x(sum_reg), .mult(MO), .shift(SHO), .y(y));

        always @(posedge clk) begin
            if (ce) begin
                sum_reg <= s0 + s1;
                out_reg[8*c +: 8] <= clamped;
            end
        end
    end
endgenerate

endmodule

`resetall
