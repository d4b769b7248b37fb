/*
 * rf_add - TFLite int8 ADD of two streams of pixels, per channel, folded
 * over the channels (PE lanes).
 *
 * Source: tensorflow/lite/kernels/internal/reference/integer_ops/add.h
 * (AddElementwise) with the parameters of kernels/add.cc (Prepare):
 *   v_i = (x_i - IN_i_ZP) << LEFT_SHIFT
 *   s_i = MultiplyByQuantizedMultiplier(v_i, IN_i_MULT, IN_i_SHIFT)   (a table)
 *   y   = clamp(MultiplyByQuantizedMultiplier(s_0 + s_1, OUT_MULT, OUT_SHIFT)
 *               + OUT_ZP, ACT_MIN, ACT_MAX)
 * MultiplyByQuantizedMultiplier is rf_requant (TFLite common.h, gemmlowp).
 *
 * Parameters
 *   CHANNELS             channels per pixel, >= 1 (tdata = CHANNELS * 8 bits)
 *   PE                   channels computed in parallel (lanes), divides
 *                        CHANNELS; NF = CHANNELS / PE folds per pixel
 *   IN0_ZP, IN1_ZP       input zero points, -128 .. 127
 *   IN0_MULT, IN1_MULT   input multipliers (int32, >= 0)
 *   IN0_SHIFT, IN1_SHIFT input shifts, -31 .. 31 (TFLite sign convention)
 *   OUT_MULT, OUT_SHIFT  output multiplier (int32, >= 0) and shift (-31 .. 31)
 *   OUT_ZP               output zero point, -128 .. 127
 *   ACT_MIN, ACT_MAX     output clamp, -128 <= ACT_MIN <= ACT_MAX <= 127
 *   LEFT_SHIFT           TFLite left_shift, 0 .. 22 (the generator uses 20)
 *
 * Handshake: one pipeline enable ce = !m_axis_tvalid || m_axis_tready moves
 * every stage. The two inputs transfer together (neither valid depends on a
 * ready; tlast and tuser are taken from s0):
 *   NF = 1: s0_axis_tready = ce && s1_axis_tvalid (s1 likewise); the pixel
 *           goes straight into the lanes.
 *   NF > 1: the two pixels are held in input registers while NF steps, one
 *           per enabled cycle, feed channels nf*PE .. nf*PE+PE-1 to the
 *           lanes; the next pair is taken in the cycle of the last step:
 *           s0_axis_tready = ce && s1_axis_tvalid && (!busy || last step).
 *
 * Input tables: s_i depends only on the int8 x_i, so each lane looks it up
 * in a 256 x 32-bit table filled at elaboration by the function rescale
 * below (the same arithmetic as rf_requant, evaluated by Yosys or
 * Verilator): a ROM of two EBR per input on the iCE40, and no multiplier.
 *
 * Pipeline of a lane (constant latency, one channel per enabled cycle):
 *   1 stage   the lane's input bytes registered  (the table addresses)
 *   2 stages  table read (the EBR's read register) and its output register
 *   1 stage   sum register                    (s_0 + s_1, int32 wrap)
 *   6 stages  rf_requant of the sum, its product split in two (SPLIT = 1)
 *   1 stage   clamp register: below ACT_MIN, above ACT_MAX, y + OUT_ZP
 *   1 stage   output register                 (the clamped byte, into the
 *             fold's channels; valid after the last fold)
 *   LATENCY = 12 (NF = 1) or NF + 12 (NF > 1: the input register, NF steps):
 *   inputs transferred in cycle t -> m_axis_tvalid in cycle t + LATENCY
 *   when not back-pressured. II = NF cycles per pixel.
 * Resources per lane: 4 EBR (the two tables), one 32 x 32 multiplier as two
 * 32 x 16 (rf_requant of the sum), ~450 flip-flops; for NF > 1 two
 * CHANNELS*8-bit input registers and an NF-way slice multiplexer.
 *
 * READY_REG = 1 (registered ready): ce = !m_axis_tvalid. m_axis_tready then
 * reaches only the output register's valid flag (emptied when the beat is
 * taken), never the pipeline enable or s_axis_tready, so the ready chain
 * between stages is cut here. Cost: the pipeline stands still in every
 * cycle the output register holds a beat, at least one cycle per output
 * (an output every II + 1 cycles at best). LATENCY counts enabled cycles
 * as before.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_add #(
    // channels per pixel (>= 1)
    parameter CHANNELS = 1,
    // channels in parallel (divides CHANNELS)
    parameter PE = CHANNELS,
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
    parameter LEFT_SHIFT = 20,
    // 1: registered ready: ce = !m_axis_tvalid, m_axis_tready only empties
    //    the output register (no combinational path from m_axis_tready)
    parameter READY_REG = 0
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

localparam NF = CHANNELS / PE;
// input transfer in cycle t -> m_axis_tvalid in cycle t + LATENCY (for the
// reader: gen/sched.c sched_add_latency and the testbench use the same value)
/* verilator lint_off UNUSEDPARAM */
localparam LATENCY = NF > 1 ? NF + 12 : 12;
/* verilator lint_on UNUSEDPARAM */
localparam NFW = NF > 1 ? $clog2(NF) : 1;
localparam [NFW-1:0] NF_LAST = NF[NFW-1:0] - 1'b1;
localparam signed [31:0] MO = OUT_MULT;
localparam signed [7:0] SHO = OUT_SHIFT[7:0];
// OUT_ZP, ACT_MIN, ACT_MAX (int8, checked below) sign-extended to 33 bits
localparam signed [32:0] OUT_ZP33 = {{25{OUT_ZP[7]}}, OUT_ZP[7:0]};
localparam signed [32:0] ACT_MIN33 = {{25{ACT_MIN[7]}}, ACT_MIN[7:0]};
localparam signed [32:0] ACT_MAX33 = {{25{ACT_MAX[7]}}, ACT_MAX[7:0]};
// the clamp compares y itself, before OUT_ZP is added: y + OUT_ZP < ACT_MIN
// is y < ACT_MIN - OUT_ZP (likewise ACT_MAX), and in range the output is
// y[7:0] + OUT_ZP[7:0]; so the 32-bit compares do not wait for an adder
localparam signed [32:0] Y_LO33 = ACT_MIN33 - OUT_ZP33;
localparam signed [32:0] Y_HI33 = ACT_MAX33 - OUT_ZP33;
localparam signed [8:0] Y_LO9 = Y_LO33[8:0];
localparam signed [8:0] Y_HI9 = Y_HI33[8:0];

initial begin
    if (READY_REG != 0 && READY_REG != 1) begin
        $error("READY_REG must be 0 or 1 (instance %m)");
        $finish;
    end
    if (CHANNELS < 1) begin
        $error("CHANNELS must be >= 1 (instance %m)");
        $finish;
    end
    if (PE < 1 || CHANNELS % PE != 0) begin
        $error("PE must divide CHANNELS (instance %m)");
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

wire ce = !m_axis_tvalid || (READY_REG == 0 && m_axis_tready);

// ---- the lanes' input: the pixels themselves (NF = 1) or a fold of the
// input registers (NF > 1) ----
wire issue;                     // a fold enters the lanes this cycle
wire issue_last, issue_user;    // the pixel's tlast, tuser
wire [PE*8-1:0] x0_slice;
wire [PE*8-1:0] x1_slice;

generate
    if (NF == 1) begin : g_direct
        assign s0_axis_tready = ce && s1_axis_tvalid;
        assign s1_axis_tready = ce && s0_axis_tvalid;
        assign issue = ce && s0_axis_tvalid && s1_axis_tvalid;
        assign issue_last = s0_axis_tlast;
        assign issue_user = s0_axis_tuser;
        assign x0_slice = s0_axis_tdata;
        assign x1_slice = s1_axis_tdata;
    end else begin : g_fold
        reg [CHANNELS*8-1:0] in0_reg;
        reg [CHANNELS*8-1:0] in1_reg;
        reg in_last_reg;
        reg in_user_reg;
        reg busy_reg = 1'b0;
        reg [NFW-1:0] nf_reg = {NFW{1'b0}};
        wire last_step = nf_reg == NF_LAST;
        wire ready = ce && (!busy_reg || last_step);
        wire xfer = ready && s0_axis_tvalid && s1_axis_tvalid;

        assign s0_axis_tready = ready && s1_axis_tvalid;
        assign s1_axis_tready = ready && s0_axis_tvalid;
        assign issue = ce && busy_reg;
        assign issue_last = in_last_reg;
        assign issue_user = in_user_reg;
        assign x0_slice = in0_reg[nf_reg*PE*8 +: PE*8];
        assign x1_slice = in1_reg[nf_reg*PE*8 +: PE*8];

        always @(posedge clk) begin
            if (issue) begin
                nf_reg <= last_step ? {NFW{1'b0}} : nf_reg + 1'b1;
                if (last_step) begin
                    busy_reg <= 1'b0;
                end
            end
            if (xfer) begin
                busy_reg <= 1'b1;
                in0_reg <= s0_axis_tdata;
                in1_reg <= s1_axis_tdata;
                in_last_reg <= s0_axis_tlast;
                in_user_reg <= s0_axis_tuser;
            end
            if (rst) begin
                busy_reg <= 1'b0;
                nf_reg <= {NFW{1'b0}};
            end
        end
    end
endgenerate

// valid, tlast, tuser of the LS = 11 lane stages (the tables' 3, the sum,
// rf_requant's 6, the clamp); the output register follows (m_axis). The
// folds leave in the order they entered, so the fold of a result is a
// counter at the end (onf_reg), not carried down the stages
localparam LS = 11;
reg [LS-1:0] valid_reg = {LS{1'b0}};
reg [NFW-1:0] onf_reg = {NFW{1'b0}};
reg [LS-1:0] last_reg;
reg [LS-1:0] user_reg;
reg [CHANNELS*8-1:0] out_reg;
reg out_valid_reg = 1'b0;
reg out_last_reg;
reg out_user_reg;
wire y_valid = valid_reg[LS-1];
wire [NFW-1:0] y_nf = onf_reg;
wire y_lastf = onf_reg == NF_LAST;

assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = out_last_reg;
assign m_axis_tuser = out_user_reg;
assign m_axis_tdata = out_reg;

always @(posedge clk) begin
    if (ce) begin
        valid_reg <= {valid_reg[LS-2:0], issue};
        last_reg <= {last_reg[LS-2:0], issue_last};
        user_reg <= {user_reg[LS-2:0], issue_user};
        if (y_valid) begin
            onf_reg <= y_lastf ? {NFW{1'b0}} : onf_reg + 1'b1;
        end
        out_valid_reg <= y_valid && y_lastf;
        if (y_valid && y_lastf) begin
            out_last_reg <= last_reg[LS-1];
            out_user_reg <= user_reg[LS-1];
        end
    end

    if (READY_REG != 0 && m_axis_tvalid && m_axis_tready) begin
        out_valid_reg <= 1'b0;
    end

    if (rst) begin
        valid_reg <= {LS{1'b0}};
        onf_reg <= {NFW{1'b0}};
        out_valid_reg <= 1'b0;
    end
end

// s_i(q) = MultiplyByQuantizedMultiplier((q - zp) << LEFT_SHIFT, mult, shift)
// for an int8 q, exactly as rf_requant computes it (TFLite common.h;
// gemmlowp SRDHM with its nudge as floor((ab + 2^30) / 2^31), mult >= 0 so
// never the saturating case; RoundingDivideByPOT), evaluated at
// elaboration to fill the input tables
function automatic [31:0] rescale;
    input integer q;
    input integer zp;
    input integer mult;
    input integer shift;
    reg signed [31:0] a;
    reg signed [63:0] ab;
    reg signed [63:0] hi;
    reg signed [63:0] mask;
    reg signed [63:0] rem;
    reg signed [63:0] thr;
    integer right;
    begin
        a = (q - zp) <<< LEFT_SHIFT;
        a = a <<< (shift > 0 ? shift : 0);
        right = shift > 0 ? 0 : -shift;
        ab = {{32{a[31]}}, a};
        ab = ab * mult;
        hi = (ab + 64'sd1073741824) >>> 31;
        mask = (64'sd1 <<< right) - 64'sd1;
        rem = hi & mask;
        thr = (mask >>> 1) + (hi < 0 ? 64'sd1 : 64'sd0);
        hi = (hi >>> right) + (rem > thr ? 64'sd1 : 64'sd0);
        rescale = hi[31:0];
    end
endfunction

genvar pe, f;
generate
    for (pe = 0; pe < PE; pe = pe + 1) begin : g_ch
        // the input tables: address q (the int8 as 8 bits), word s_i(q);
        // 256 x 32 bits, two EBR each on the iCE40
        reg [31:0] tab0 [0:255];
        reg [31:0] tab1 [0:255];
        integer i;
        initial begin
            for (i = 0; i < 256; i = i + 1) begin
                tab0[i] = rescale(i < 128 ? i : i - 256, IN0_ZP, IN0_MULT, IN0_SHIFT);
                tab1[i] = rescale(i < 128 ? i : i - 256, IN1_ZP, IN1_MULT, IN1_SHIFT);
            end
        end
        reg [7:0] q0_reg;
        reg [7:0] q1_reg;
        reg [31:0] t0_reg;
        reg [31:0] t1_reg;
        reg signed [31:0] s0_reg;
        reg signed [31:0] s1_reg;
        reg signed [31:0] sum_reg;
        wire signed [31:0] y;
        // clamp: y < Y_LO or y > Y_HI (both in -255 .. 255) without a 33-bit
        // comparison: y in -256 .. 255 (bits 31..8 all equal) compares in
        // 9 bits, any other y is below or above by its sign
        wire y_small = &y[31:8] || ~|y[31:8];
        wire signed [8:0] y9 = y[8:0];
        reg lo_reg;
        reg hi_reg;
        reg [7:0] yz_reg;
        wire [7:0] clamped = lo_reg ? ACT_MIN[7:0] : (hi_reg ? ACT_MAX[7:0] : yz_reg);

        // one shift: no shifter
        rf_requant #(.SPLIT(1), .SHIFT_MIN(OUT_SHIFT), .SHIFT_MAX(OUT_SHIFT)) u_rqo (
            .clk(clk), .ce(ce), .x(sum_reg), .mult(MO), .shift(SHO), .y(y)
        );

        always @(posedge clk) begin
            if (ce) begin
                q0_reg <= x0_slice[8*pe +: 8];
                q1_reg <= x1_slice[8*pe +: 8];
                t0_reg <= tab0[q0_reg];
                t1_reg <= tab1[q1_reg];
                s0_reg <= t0_reg;
                s1_reg <= t1_reg;
                sum_reg <= s0_reg + s1_reg;
                lo_reg <= y_small ? y9 < Y_LO9 : y[31];
                hi_reg <= y_small ? y9 > Y_HI9 : !y[31];
                yz_reg <= y[7:0] + OUT_ZP[7:0];
            end
        end

        for (f = 0; f < NF; f = f + 1) begin : g_fold
            always @(posedge clk) begin
                if (ce && y_valid && y_nf == f) begin
                    out_reg[(f*PE+pe)*8 +: 8] <= clamped;
                end
            end
        end
    end
endgenerate

endmodule

`resetall
