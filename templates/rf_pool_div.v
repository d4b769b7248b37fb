/*
 * rf_pool_div - the last step of TFLite int8 average pooling and MEAN: a
 * sum of COUNT values divided by the constant COUNT and rounded as
 * ROUNDING says, plus ZP, then clamped. Shared by rf_pool (one per channel)
 * and rf_global_pool (one, serialized over the channels).
 *
 * The values summed are x - ZP for int8 x (ZP = 0: the raw int8 values), so
 * sum lies in [(-128 - ZP) * n, (127 - ZP) * n], n = COUNT; the result is
 *   y = clamp(f(sum) + ZP, ACT_MIN, ACT_MAX)
 * ROUNDING 0, halves away from zero (tensorflow/lite/kernels/internal/
 *   reference/integer_ops/pooling.h AveragePool with ZP = 0;
 *   integer_ops/mean.h Mean with ZP = the zero point):
 *     f = acc > 0 ? (acc + n/2) / n : (acc - n/2) / n   (C division, truncating)
 * ROUNDING 1, toward zero (reference/reduce.h Mean<int8_t, int>, ZP = 0):
 *     f = acc / n                                        (C division)
 * ROUNDING 2, TFLite Micro's MEAN (reference/reduce.h QuantizedMeanOrSum):
 *     f = MultiplyByQuantizedMultiplier(acc, MEAN_MULT, MEAN_SHIFT), the
 *         multiplier with 1/n folded in (gen/quant.c q_mean_multiplier)
 * The first two are sign(acc) * floor((|acc| + h) / n) with h = n/2 resp.
 * 0 (for acc = 0 the first branch is not taken, and trunc(-h / n) = 0), so
 * with m = |acc| + h:
 *   f = acc < 0 ? -floor(m / n) : floor(m / n).
 *
 * Division by the invariant n without a divider (T. Granlund and P. L.
 * Montgomery, "Division by invariant integers using multiplication", PLDI
 * 1994, section 4): floor(m / n) = floor(m * RECIP_MULT / 2^RECIP_SHIFT) with
 *   RECIP_MULT = ceil(2^s / n), s = RECIP_SHIFT,
 * exact for every 0 <= m <= DMAX when e * DMAX < 2^s, where
 * e = RECIP_MULT * n - 2^s (0 <= e < n, the rounding error of the
 * reciprocal). Proof: write m = q*n + r, 0 <= r <= n-1. Then
 *   m * RECIP_MULT / 2^s = m * (2^s + e) / (n * 2^s) = q + (r + m*e / 2^s) / n,
 * and 0 <= r + m*e / 2^s < (n - 1) + 1 = n because m*e <= DMAX*e < 2^s, so
 * the floor is q. (Granlund and Montgomery's Theorem 4.2 takes
 * s = N + ceil(log2 n) for m < 2^N, which satisfies the condition since then
 * e < n <= 2^(s - N) and DMAX < 2^N; RECIP_SHIFT is instead the smallest s
 * meeting it, found by rf_recip_shift at elaboration, for the narrowest
 * multiplier.) |x - ZP| <= SPAN = 128 + |ZP|, so m <= SPAN*n + floor(n/2)
 * <= DMAX = (SPAN + 1) * n: every value that can occur is covered. The
 * quotient floor(m / n) <= SPAN <= 256 fits 9 bits.
 *
 * MultiplyByQuantizedMultiplier (ROUNDING 2; TFLite common.h, gemmlowp
 * fixedpoint.h, as rf_requant): with left = max(MEAN_SHIFT, 0) and
 * right = max(-MEAN_SHIFT, 0),
 *   SRDHM: hi = floor((acc * 2^left * MEAN_MULT + 2^30) / 2^31) (both nudge
 *          cases reduce to this floor, see rf_requant's stage 3; the
 *          saturating case INT32_MIN * INT32_MIN cannot occur: MEAN_MULT >= 0)
 *   RDBPOT: (hi >> right) + ((hi & mask) > (mask >> 1) + (hi < 0)),
 *          mask = 2^right - 1 (halves away from zero)
 * acc * 2^left fits int32 (checked), as TFLite's int32 shift needs.
 *
 * Parameters
 *   COUNT       the divisor n, the number of values summed, >= 1,
 *               (SPAN + 1) * COUNT < 2^31
 *   ZP          -128 .. 127: the values summed are x - ZP, ZP is added back
 *   ROUNDING    0 halves away from zero, 1 toward zero, 2 TFLite Micro MEAN
 *   MEAN_MULT, MEAN_SHIFT   ROUNDING 2: the multiplier (0 .. 2^31 - 1) and
 *               shift (-31 .. 31) of TFLite Micro's QuantizedMeanOrSum
 *   SUM_WIDTH   width of the signed sum input, $clog2(DMAX + 1) + 1 (the
 *               default) .. 32
 *   ACT_MIN/MAX output clamp, -128 <= ACT_MIN <= ACT_MAX <= 127
 *
 * No handshake: ce advances the one stage (the caller's pipeline enable).
 * Pipeline: LATENCY = 1 ce-cycle. ROUNDING 0, 1: the stage register holds
 * the sign and floor(m / n) of the sum presented one enabled clock edge
 * earlier (|sum|, + h and the constant multiplication in front of it); y,
 * the signed, offset and clamped quotient, is combinational from that
 * register, for the caller's output register. ROUNDING 2: the register
 * holds SRDHM's hi (the constant multiplication and the rounding add in
 * front of it); RDBPOT's shift and rounding bit, + ZP and the clamp follow
 * it. II = 1.
 *
 * Resources: ROUNDING 0, 1: one SUM_WIDTH x RECIP_WIDTH bit multiplication
 * by the constant RECIP_MULT (shifts and adds, or a DSP), RECIP_WIDTH =
 * $clog2(RECIP_MULT + 1); a SUM_WIDTH-bit absolute value and adder in front
 * of it; 10 flip-flops; an 11-bit negation, adder and two comparators for
 * the clamp. ROUNDING 2: one SUM_WIDTH x 31 bit multiplication by the
 * constant MEAN_MULT, a 64-bit rounding adder, SUM_WIDTH + left + 1
 * flip-flops, then a constant shift, a comparator and two adders, and the
 * clamp.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_pool_div #(
    // divisor: the number of values summed (>= 1)
    parameter COUNT = 4,
    // the values summed are x - ZP; ZP is added to the result (-128 .. 127)
    parameter ZP = 0,
    // 0: halves away from zero, 1: toward zero, 2: TFLite Micro MEAN (MBQM)
    parameter ROUNDING = 0,
    // ROUNDING 2: quantized multiplier (0 .. 2^31 - 1) with 1/COUNT folded in
    parameter MEAN_MULT = 1073741824,
    // ROUNDING 2: its shift (-31 .. 31; > 0 shifts left)
    parameter MEAN_SHIFT = 1,
    // width of the signed sum ($clog2((129 + |ZP|)*COUNT + 1) + 1 .. 32)
    parameter SUM_WIDTH = $clog2((129 + (ZP < 0 ? -ZP : ZP)) * COUNT + 1) + 1,
    // output clamp low (-128 .. ACT_MAX)
    parameter ACT_MIN = -128,
    // output clamp high (ACT_MIN .. 127)
    parameter ACT_MAX = 127
) (
    input  wire                        clk,
    // advance the pipeline
    input  wire                        ce,
    // sum of COUNT values x - ZP, in (-128 - ZP)*COUNT .. (127 - ZP)*COUNT
    input  wire signed [SUM_WIDTH-1:0] sum,
    // clamp(f(sum) + ZP), int8, for the sum one ce-edge earlier
    output wire [7:0]                  y
);

// ceil(2^s / n), 0 <= s <= 62
function [63:0] rf_recip_mult;
    input integer n;
    input integer s;
    reg [63:0] p;
    reg [63:0] n64;
    begin
        p = 64'd1 << s;
        n64 = {32'd0, n};
        rf_recip_mult = (p + n64 - 64'd1) / n64;
    end
endfunction

// the smallest s <= 62 with dmax * e < 2^s, e = ceil(2^s / n) * n - 2^s
// (see the header); -1 if there is none (n too large, rejected below)
function integer rf_recip_shift;
    input integer n;
    input integer dmax;
    reg [63:0] e;
    integer s;
    begin
        rf_recip_shift = -1;
        for (s = 62; s >= 0; s = s - 1) begin
            e = rf_recip_mult(n, s) * {32'd0, n} - (64'd1 << s);
            if ({32'd0, dmax} * e < (64'd1 << s)) begin
                rf_recip_shift = s;
            end
        end
    end
endfunction

// the largest |x - ZP|, and the largest dividend m = |sum| + h covered
localparam SPAN = 128 + (ZP < 0 ? -ZP : ZP);
localparam DMAX = (SPAN + 1) * COUNT;
// width of m
localparam MW = $clog2(DMAX + 1);
localparam HALF = ROUNDING == 0 ? COUNT / 2 : 0;
localparam RECIP_SHIFT = rf_recip_shift(COUNT, DMAX);
localparam [63:0] RECIP_MULT = rf_recip_mult(COUNT, RECIP_SHIFT < 0 ? 0 : RECIP_SHIFT);
localparam RECIP_WIDTH = $clog2(RECIP_MULT + 1);
// product width: m times the multiplier, and at least the 9 quotient bits
// above RECIP_SHIFT
localparam PW = SUM_WIDTH + RECIP_WIDTH > RECIP_SHIFT + 9 ? SUM_WIDTH + RECIP_WIDTH : RECIP_SHIFT + 9;
localparam [PW-1:0] RECIP_P = RECIP_MULT[PW-1:0];
localparam [SUM_WIDTH-1:0] HALF_S = HALF[SUM_WIDTH-1:0];
// MBQM's shifts (ROUNDING 2)
localparam LEFT = MEAN_SHIFT > 0 ? MEAN_SHIFT : 0;
localparam RIGHT = MEAN_SHIFT > 0 ? 0 : -MEAN_SHIFT;
// ACT_MIN, ACT_MAX, ZP (int8, checked below) sign-extended to 11 bits
localparam signed [10:0] ACT_MIN11 = {{3{ACT_MIN[7]}}, ACT_MIN[7:0]};
localparam signed [10:0] ACT_MAX11 = {{3{ACT_MAX[7]}}, ACT_MAX[7:0]};
localparam signed [10:0] ZP11 = {{3{ZP[7]}}, ZP[7:0]};

initial begin
    if (COUNT < 1 || COUNT > 2147483647 / (SPAN + 1)) begin
        $error("COUNT must be in 1 .. (2^31 - 1) / (129 + |ZP|) (instance %m)");
        $finish;
    end
    if (ZP < -128 || ZP > 127) begin
        $error("ZP must be in -128 .. 127 (instance %m)");
        $finish;
    end
    if (ROUNDING < 0 || ROUNDING > 2) begin
        $error("ROUNDING must be 0, 1 or 2 (instance %m)");
        $finish;
    end
    if (SUM_WIDTH < MW + 1 || SUM_WIDTH > 32) begin
        $error("SUM_WIDTH must be $clog2((129 + |ZP|)*COUNT + 1) + 1 .. 32 (instance %m)");
        $finish;
    end
    if (ROUNDING != 2 && RECIP_SHIFT < 0) begin
        $error("no reciprocal within 62 bits of shift (instance %m)");
        $finish;
    end
    if (ROUNDING == 2 && (MEAN_MULT < 0 || MEAN_SHIFT < -31 || MEAN_SHIFT > 31 || MW + 1 + LEFT > 32)) begin
        $error("ROUNDING 2 needs MEAN_MULT >= 0, MEAN_SHIFT in -31 .. 31 and the sum << MEAN_SHIFT within int32 (instance %m)");
        $finish;
    end
    if (ACT_MIN < -128 || ACT_MAX > 127 || ACT_MIN > ACT_MAX) begin
        $error("need -128 <= ACT_MIN <= ACT_MAX <= 127 (instance %m)");
        $finish;
    end
end

// the rounded quotient f(sum), from the stage register, and + ZP
wire signed [10:0] f;
wire signed [10:0] v = f + ZP11;

assign y = v < ACT_MIN11 ? ACT_MIN[7:0] : (v > ACT_MAX11 ? ACT_MAX[7:0] : v[7:0]);

generate
    if (ROUNDING != 2) begin : g_recip
        // m = |sum| + h <= DMAX < 2^MW: no overflow in SUM_WIDTH > MW bits
        wire neg = sum[SUM_WIDTH-1];
        wire [SUM_WIDTH-1:0] mag = neg ? -sum : sum;
        wire [SUM_WIDTH-1:0] m = mag + HALF_S;
        /* verilator lint_off UNUSEDSIGNAL */
        // bits below RECIP_SHIFT are the discarded fraction, bits above the 9
        // quotient bits are zero (floor(m / COUNT) <= SPAN <= 256)
        wire [PW-1:0] prod = {{(PW-SUM_WIDTH){1'b0}}, m} * RECIP_P;
        /* verilator lint_on UNUSEDSIGNAL */

        reg neg_reg;
        reg [8:0] q_reg;

        // sign back, in 11 bits
        assign f = neg_reg ? -$signed({2'b00, q_reg}) : $signed({2'b00, q_reg});

        always @(posedge clk) begin
            if (ce) begin
                neg_reg <= neg;
                q_reg <= prod[RECIP_SHIFT +: 9];
            end
        end
    end else begin : g_mbqm
        // SRDHM(sum << LEFT, MEAN_MULT) = floor((sum * 2^LEFT * MEAN_MULT + 2^30) / 2^31):
        // the product in SW2 + 33 bits, hi in SW2 + 2 bits (|hi| <= |sum << LEFT| + 1)
        localparam SW2 = SUM_WIDTH + LEFT;
        localparam signed [32:0] MULT33 = 33'sd0 + MEAN_MULT;
        localparam signed [SW2+32:0] NUDGE = {{(SW2 + 2){1'b0}}, 1'b1, 30'd0};
        wire signed [SW2-1:0] xe = $signed({{(LEFT + 1){sum[SUM_WIDTH-1]}}, sum[SUM_WIDTH-2:0]});
        wire signed [SW2-1:0] xl = xe <<< LEFT;
        /* verilator lint_off UNUSEDSIGNAL */
        // the low 31 bits are the fraction SRDHM divides away
        wire signed [SW2+32:0] ab = xl * MULT33 + NUDGE;
        /* verilator lint_on UNUSEDSIGNAL */
        reg signed [SW2+1:0] hi_reg;

        // RDBPOT(hi, RIGHT) in 64 bits: shift, remainder against the threshold
        localparam [63:0] MASK = (64'd1 << RIGHT) - 64'd1;
        wire signed [63:0] h = {{(62 - SW2){hi_reg[SW2+1]}}, hi_reg};
        wire signed [63:0] shifted = h >>> RIGHT;
        wire [63:0] rem = h & MASK;
        wire [63:0] thr = (MASK >> 1) + {63'd0, h[63]};
        /* verilator lint_off UNUSEDSIGNAL */
        /* verilator lint_off UNSIGNED */
        // |RDBPOT| <= SPAN + 1: 11 bits hold it (RIGHT = 0: rem = 0, never a
        // rounding bit, a constant comparison)
        wire signed [63:0] r = shifted + {63'd0, rem > thr};
        /* verilator lint_on UNSIGNED */
        /* verilator lint_on UNUSEDSIGNAL */

        assign f = r[10:0];

        always @(posedge clk) begin
            if (ce) begin
                hi_reg <= ab[SW2+32:31];
            end
        end
    end
endgenerate

endmodule

`resetall
