/*
 * rf_requant - TFLite MultiplyByQuantizedMultiplier(x, mult, shift), int32.
 *
 * y = RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x * 2^left, mult), right)
 * with left = max(shift, 0), right = max(-shift, 0). Sources:
 *   - MultiplyByQuantizedMultiplier: tensorflow/lite/kernels/internal/common.h
 *   - SaturatingRoundingDoublingHighMul (SRDHM) and RoundingDivideByPOT:
 *     gemmlowp fixedpoint/fixedpoint.h
 * SRDHM(a, b): INT32_MAX if a == b == INT32_MIN, else with ab = (int64)a * b,
 *   nudge = ab >= 0 ? 2^30 : 1 - 2^30, (int32)((ab + nudge) / 2^31), the
 *   division truncating toward zero (C semantics).
 * RDBPOT(x, e): mask = 2^e - 1, rem = x & mask, thr = (mask >> 1) + (x < 0),
 *   (x >> e) + (rem > thr)   (arithmetic shift; rounds half away from zero).
 * x * 2^left wraps in 32 bits, as the int32 multiplication does on the C side.
 *
 * Valid shift range: SHIFT_MIN .. SHIFT_MAX, within -31 .. 31 (TFLite
 * multipliers never leave it). Outside it the result is not TFLite's (the
 * shift offsets wrap).
 *
 * No handshake: ce advances all stages at once (the caller's pipeline
 * enable); x, mult and shift are sampled together.
 *
 * Pipeline (LATENCY = 5 ce-cycles, 6 with SPLIT = 1: y holds the result for
 * the x presented LATENCY enabled clock edges earlier; II = 1), one adder or
 * multiplier per stage for Fmax (docs/boards.md, "Timing"):
 *   stage 1: x << left, mult and right registered
 *   stage 2: the 32 x 32 -> 64 bit product; with SPLIT = 1 two stages: the
 *            products x * mhi and x * mlo of mult's two signed 16-bit
 *            digits (mult = mhi * 2^16 + mlo), then x * mhi * 2^16 + x * mlo
 *            (two 32 x 17-bit multipliers and a 64-bit adder instead of
 *            one 32 x 32)
 *   stage 3: rounding and division by 2^31 (the two nudge cases of SRDHM
 *            reduce to floor((ab + 2^30) / 2^31), see the derivation at
 *            stage 3 below), as a 34-bit addition
 *   stage 4: saturation of the INT32_MIN * INT32_MIN case; RoundingDivideByPOT's
 *            arithmetic shift and its rounding bit (rem > thr)
 *   stage 5: the shifted value plus the rounding bit
 * Parameters
 *   SPLIT   0: the product in one stage (LATENCY 5); 1: in two (LATENCY 6),
 *           for a constant mult on the path that limits Fmax (rf_add)
 *   SHIFT_MIN, SHIFT_MAX   the shifts the instance is given (the generator
 *           passes the min and max over its layer's channels): the left
 *           shift covers max(SHIFT_MIN, 0) .. max(SHIFT_MAX, 0), the right
 *           shift (rf_rdbpot) max(-SHIFT_MAX, 0) .. max(-SHIFT_MIN, 0), each
 *           a fixed shift and a barrel shifter over the offset; one shift
 *           value leaves wires only
 * Resources: one 32 x 32 signed multiplier, ~150 flip-flops, a 64-bit adder,
 * a 32-bit barrel shifter for each direction at the full shift range (a
 * layer with right shifts 7 .. 10 has a 2-level one and no left shifter);
 * SPLIT = 1 adds ~100 flip-flops.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_requant #(
    // 1: the product in two stages (LATENCY 6)
    parameter SPLIT = 0,
    // the range of shift (the layer's shifts, -31 .. 31): the shifters
    // cover only it (SHIFT_MIN = SHIFT_MAX: no shifter)
    parameter SHIFT_MIN = -31,
    parameter SHIFT_MAX = 31
) (
    input  wire               clk,
    // advance the pipeline
    input  wire               ce,
    input  wire signed [31:0] x,
    // quantized multiplier (TFLite: in [2^30, 2^31) or 0)
    input  wire signed [31:0] mult,
    // TFLite shift: > 0 shifts left before the multiply, < 0 rounds right after
    input  wire signed [7:0]  shift,
    output wire signed [31:0] y
);

// ce-cycles from x to y (for the reader: rf_add, rf_conv_mac, rf_dw_mac and
// gen/sched.c count them)
/* verilator lint_off UNUSEDPARAM */
localparam LATENCY = SPLIT != 0 ? 6 : 5;
/* verilator lint_on UNUSEDPARAM */
localparam signed [31:0] INT32_MAX = 32'sh7fffffff;

initial begin
    if (SPLIT != 0 && SPLIT != 1) begin
        $error("SPLIT must be 0 or 1 (instance %m)");
        $finish;
    end
end

// stage 1: left shift (wrapping) and the right shift as its offset from
// RMIN (rf_requant_shift; rf_rdbpot in stage 4 shifts by RMIN + offset)
localparam RMIN = SHIFT_MAX < 0 ? -SHIFT_MAX : 0;
localparam RMAX = SHIFT_MIN < 0 ? -SHIFT_MIN : 0;
localparam RW = RMAX > RMIN ? $clog2(RMAX - RMIN + 1) : 1;
wire signed [31:0] x_left;
wire [RW-1:0] roff;
rf_requant_shift #(.SHIFT_MIN(SHIFT_MIN), .SHIFT_MAX(SHIFT_MAX)) u_shift (
    .x(x), .shift(shift), .xl(x_left), .roff(roff)
);
reg signed [31:0] xs1_reg;
reg signed [31:0] mult1_reg;
reg [RW-1:0] right1_reg;

// stage 2: the product (SPLIT = 1: its two halves, then their sum)
reg signed [63:0] ab2_reg;
reg [RW-1:0] right2_reg;

// stage 3: SRDHM without its final saturation. With ab = a * b, both
// branches of the nudge give the same result as one floor division:
//   ab >= 0: trunc((ab + 2^30) / 2^31)         = floor((ab + 2^30) / 2^31)
//   ab <  0: trunc((ab + 1 - 2^30) / 2^31)
//          = floor((ab + 1 - 2^30 + 2^31 - 1) / 2^31) = floor((ab + 2^30) / 2^31)
// (the numerator is negative in the second case, so truncation is the floor
// of the numerator plus 2^31 - 1). Hence hi = (ab + 2^30) >>> 31, 33 bits,
// = ((ab >>> 30) + 1) >>> 1: bits 29:0 of ab cannot carry into bit 30.
/* verilator lint_off UNUSEDSIGNAL */
// bits 29:0 of the product are the fraction below the rounding bit; bit 0
// of the rounded sum is the one divided away
wire signed [63:0] ab_all = ab2_reg;
wire signed [33:0] ab_top = ab_all[63:30];
wire signed [33:0] ab_rnd = ab_top + 34'sd1;
/* verilator lint_on UNUSEDSIGNAL */
reg signed [32:0] hi3_reg;
reg [RW-1:0] right3_reg;

// stage 4: hi lies in [-2^31 + 1, 2^31]; 2^31 (bits 32:31 = 01) only for
// a == b == INT32_MIN, the saturating case -> INT32_MAX. Then RDBPOT's
// shift and rounding bit, added in stage 5.
wire signed [31:0] t = hi3_reg[32:31] == 2'b01 ? INT32_MAX : hi3_reg[31:0];
wire signed [31:0] sh;
wire rbit;
rf_rdbpot #(.RMIN(RMIN), .RMAX(RMAX)) u_rdbpot (.t(t), .eoff(right3_reg), .sh(sh), .rbit(rbit));
reg signed [31:0] sh4_reg;
reg rbit4_reg;
reg signed [31:0] y_reg;

assign y = y_reg;

always @(posedge clk) begin
    if (ce) begin
        xs1_reg <= x_left;
        mult1_reg <= mult;
        right1_reg <= roff;

        hi3_reg <= ab_rnd[33:1];
        right3_reg <= right2_reg;

        sh4_reg <= sh;
        rbit4_reg <= rbit;

        y_reg <= sh4_reg + $signed({31'd0, rbit4_reg});
    end
end

generate
    if (SPLIT == 0) begin : g_one
        always @(posedge clk) begin
            if (ce) begin
                ab2_reg <= xs1_reg * mult1_reg;
                right2_reg <= right1_reg;
            end
        end
    end else begin : g_split
        // mult = mhi * 2^16 + mlo with mlo = mult[15:0] as a signed 16-bit
        // digit and mhi = mult[31:16] + mult[15] (17 bits signed): two
        // signed products of at most 16 x 32 bits for constants below 2^31
        // - 2^15, one SB_MAC16 pair each on the UP5K (gen/board.c)
        wire signed [15:0] mlo = mult1_reg[15:0];
        wire signed [16:0] mhi = $signed({mult1_reg[31], mult1_reg[31:16]}) + $signed({16'd0, mult1_reg[15]});
        reg signed [47:0] plo_reg;
        reg signed [47:0] phi_reg;  // mod 2^48: enough for the sum mod 2^64
        reg [RW-1:0] right2a_reg;
        always @(posedge clk) begin
            if (ce) begin
                right2a_reg <= right1_reg;
                right2_reg <= right2a_reg;
                plo_reg <= xs1_reg * mlo;
                phi_reg <= xs1_reg * mhi;
                ab2_reg <= {phi_reg, 16'd0} + {{16{plo_reg[47]}}, plo_reg};
            end
        end
    end
endgenerate

endmodule

`resetall
