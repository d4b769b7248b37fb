/*
 * rf_pool_div - the last step of TFLite int8 average pooling: the sum of
 * COUNT int8 values divided by the constant COUNT, rounded half away from
 * zero, then clamped. Shared by rf_pool (one per channel) and rf_global_pool
 * (one, serialized over the channels).
 *
 * Arithmetic (tensorflow/lite/kernels/internal/reference/integer_ops/
 * pooling.h, AveragePool, with n = filter_count = COUNT):
 *   acc = acc > 0 ? (acc + n/2) / n : (acc - n/2) / n    (C division, truncating)
 *   y   = clamp(acc, ACT_MIN, ACT_MAX)
 * Both branches are sign(acc) * floor((|acc| + floor(n/2)) / n) (for acc = 0
 * the second gives trunc(-floor(n/2) / n) = 0), so with m = |acc| + n/2:
 *   y = clamp(acc < 0 ? -floor(m / n) : floor(m / n), ACT_MIN, ACT_MAX).
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
 * multiplier.) The sum of n int8 values lies in [-128n, 127n], so
 * m <= 128n + floor(n/2) <= DMAX = 129n: every value that can occur is
 * covered. The quotient floor(m / n) <= 129 fits 8 bits.
 *
 * Parameters
 *   COUNT       the divisor n, the number of int8 values summed, >= 1,
 *               129 * COUNT < 2^31
 *   SUM_WIDTH   width of the signed sum input, $clog2(129*COUNT + 1) + 1
 *               (the default) .. 32; the sum must lie in
 *               [-128*COUNT, 127*COUNT]
 *   ACT_MIN/MAX output clamp, -128 <= ACT_MIN <= ACT_MAX <= 127
 *
 * No handshake: ce advances the one stage (the caller's pipeline enable).
 * Pipeline: LATENCY = 1 ce-cycle. The stage register holds the sign and
 * floor(m / n) of the sum presented one enabled clock edge earlier (|sum|,
 * + n/2 and the constant multiplication in front of it); y, the rounded and
 * clamped quotient, is combinational from that register, for the caller's
 * output register. II = 1.
 *
 * Resources: one SUM_WIDTH x RECIP_WIDTH bit multiplication by the
 * constant RECIP_MULT (shifts and adds, or a DSP), RECIP_WIDTH =
 * $clog2(RECIP_MULT + 1); a SUM_WIDTH-bit absolute value and adder in front
 * of it; 9 flip-flops; a 10-bit negation and two comparators for the clamp.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_pool_div #(
    // divisor: the number of int8 values summed (>= 1)
    parameter COUNT = 4,
    // width of the signed sum ($clog2(129*COUNT + 1) + 1 .. 32)
    parameter SUM_WIDTH = $clog2(129 * COUNT + 1) + 1,
    // output clamp low (-128 .. ACT_MAX)
    parameter ACT_MIN = -128,
    // output clamp high (ACT_MIN .. 127)
    parameter ACT_MAX = 127
) (
    input  wire                        clk,
    // advance the pipeline
    input  wire                        ce,
    // sum of COUNT int8 values, in -128*COUNT .. 127*COUNT
    input  wire signed [SUM_WIDTH-1:0] sum,
    // clamp(round-half-away(sum / COUNT)), int8, for the sum one ce-edge earlier
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

// largest dividend m = |sum| + COUNT/2 covered (>= 128*COUNT + COUNT/2)
localparam DMAX = 129 * COUNT;
// width of m
localparam MW = $clog2(DMAX + 1);
localparam HALF = COUNT / 2;
localparam RECIP_SHIFT = rf_recip_shift(COUNT, DMAX);
localparam [63:0] RECIP_MULT = rf_recip_mult(COUNT, RECIP_SHIFT < 0 ? 0 : RECIP_SHIFT);
localparam RECIP_WIDTH = $clog2(RECIP_MULT + 1);
// product width: m times the multiplier, and at least the 8 quotient bits
// above RECIP_SHIFT
localparam PW = SUM_WIDTH + RECIP_WIDTH > RECIP_SHIFT + 8 ? SUM_WIDTH + RECIP_WIDTH : RECIP_SHIFT + 8;
localparam [PW-1:0] RECIP_P = RECIP_MULT[PW-1:0];
localparam [SUM_WIDTH-1:0] HALF_S = HALF[SUM_WIDTH-1:0];
// ACT_MIN, ACT_MAX (int8, checked below) sign-extended to 10 bits
localparam signed [9:0] ACT_MIN10 = {{2{ACT_MIN[7]}}, ACT_MIN[7:0]};
localparam signed [9:0] ACT_MAX10 = {{2{ACT_MAX[7]}}, ACT_MAX[7:0]};

initial begin
    if (COUNT < 1 || COUNT > 16000000) begin
        $error("COUNT must be in 1 .. 16000000 (instance %m)");
        $finish;
    end
    if (SUM_WIDTH < MW + 1 || SUM_WIDTH > 32) begin
        $error("SUM_WIDTH must be $clog2(129*COUNT + 1) + 1 .. 32 (instance %m)");
        $finish;
    end
    if (RECIP_SHIFT < 0) begin
        $error("no reciprocal within 62 bits of shift (instance %m)");
        $finish;
    end
    if (ACT_MIN < -128 || ACT_MAX > 127 || ACT_MIN > ACT_MAX) begin
        $error("need -128 <= ACT_MIN <= ACT_MAX <= 127 (instance %m)");
        $finish;
    end
end

// m = |sum| + COUNT/2 <= DMAX < 2^MW: no overflow in SUM_WIDTH > MW bits
wire neg = sum[SUM_WIDTH-1];
wire [SUM_WIDTH-1:0] mag = neg ? -sum : sum;
wire [SUM_WIDTH-1:0] m = mag + HALF_S;
/* verilator lint_off UNUSEDSIGNAL */
// bits below RECIP_SHIFT are the discarded fraction, bits above the 8
// quotient bits are zero (floor(m / COUNT) <= 129)
wire [PW-1:0] prod = {{(PW-SUM_WIDTH){1'b0}}, m} * RECIP_P;
/* verilator lint_on UNUSEDSIGNAL */

reg neg_reg;
reg [7:0] q_reg;

// sign back and clamp, in 10 bits
wire signed [9:0] v = neg_reg ? -$signed({2'b00, q_reg}) : $signed({2'b00, q_reg});

assign y = v < ACT_MIN10 ? ACT_MIN[7:0] : (v > ACT_MAX10 ? ACT_MAX[7:0] : v[7:0]);

always @(posedge clk) begin
    if (ce) begin
        neg_reg <= neg;
        q_reg <= prod[RECIP_SHIFT +: 8];
    end
end

endmodule

`resetall
