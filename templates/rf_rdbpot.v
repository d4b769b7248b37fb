/*
 * rf_rdbpot - gemmlowp RoundingDivideByPOT(t, e) for an exponent e that
 * lies in a range known at elaboration, RMIN .. RMAX (combinational; the
 * caller registers sh and rbit and adds them in the next stage).
 *
 * Arithmetic (gemmlowp fixedpoint/fixedpoint.h RoundingDivideByPOT):
 *   mask = 2^e - 1, rem = t & mask, thr = (mask >> 1) + (t < 0),
 *   result = (t >> e) + (rem > thr)   (arithmetic shift; rounds half away
 *   from zero)
 * The rounding bit rem > thr without the comparison: for e >= 1 the low e
 * bits of t, rem, exceed 2^(e-1) - 1 + (t < 0) exactly when
 *   t >= 0: bit e-1 of t is set (rem >= 2^(e-1));
 *   t <  0: bit e-1 is set and a bit below it too (rem > 2^(e-1)).
 * For e = 0, mask = 0 and rem = 0 <= thr: no rounding.
 * So rbit = t[e-1] && (t >= 0 || t[e-2:0] != 0), one candidate per e in the
 * range, selected by eoff = e - RMIN.
 *
 * Parameters
 *   RMIN, RMAX   the exponents eoff selects, 0 <= RMIN <= RMAX <= 31. The
 *                requantizers pass the range of their layer's right shifts
 *                (gen/emit.c, from the TFLite shifts of every channel), so
 *                a layer with one shift has no shifter at all.
 *   EW           width of eoff (derived, do not set)
 * Input eoff must be <= RMAX - RMIN; larger values give rbit = 0 and a shift
 * by RMIN + eoff.
 * Resources: a barrel shifter of EW levels after a fixed shift by RMIN, and
 * per exponent an OR over e - 1 bits; for the full range 0 .. 31 about the
 * size of the comparison it replaces, for a range of one exponent a few
 * LUT4.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_rdbpot #(
    parameter RMIN = 0,
    parameter RMAX = 31,
    parameter EW = RMAX > RMIN ? $clog2(RMAX - RMIN + 1) : 1
) (
    input  wire signed [31:0] t,
    // e - RMIN
    input  wire [EW-1:0]      eoff,
    // t >> e, arithmetic
    output wire signed [31:0] sh,
    // RoundingDivideByPOT's rounding bit: result = sh + rbit
    output wire               rbit
);

localparam NE = RMAX - RMIN + 1;

initial begin
    if (RMIN < 0 || RMAX > 31 || RMIN > RMAX) begin
        $error("need 0 <= RMIN <= RMAX <= 31 (instance %m)");
        $finish;
    end
end

wire signed [31:0] t_min = t >>> RMIN;
assign sh = t_min >>> eoff;

// the rounding bit for each exponent RMIN + i; entries past NE are 0
reg [(1 << EW)-1:0] cand;
reg [31:0] half;
reg [31:0] low;
integer i;
always @* begin
    cand = {(1 << EW){1'b0}};
    for (i = 0; i < NE; i = i + 1) begin
        // 2^(e-1) and 2^(e-1) - 1 (half = 0 for e = 0: no rounding)
        half = RMIN + i == 0 ? 32'd0 : 32'd1 << (RMIN + i - 1);
        low = half - 32'd1;
        cand[i] = (t & half) != 32'd0 && (!t[31] || (t & low) != 32'd0);
    end
end
assign rbit = cand[eoff];

endmodule

`resetall
