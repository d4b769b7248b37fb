/*
 * rf_requant_shift - the two shifts of TFLite MultiplyByQuantizedMultiplier
 * (tensorflow/lite/kernels/internal/common.h) for a shift known to lie in
 * SHIFT_MIN .. SHIFT_MAX (combinational; the first stage of rf_requant and
 * the sampling of rf_requant_serial):
 *   left  = max(shift, 0):  xl = x * 2^left, wrapping in int32 as the C side;
 *   right = max(-shift, 0): given as roff = right - RMIN for rf_rdbpot.
 * The left shift is a fixed shift by max(SHIFT_MIN, 0) and a barrel shifter
 * over the offset from it; a range of one shift leaves wires only.
 *
 * Parameters
 *   SHIFT_MIN, SHIFT_MAX   the shifts the instance is given, -31 .. 31
 *                          (the generator passes its layer's minimum and
 *                          maximum over the channels)
 *   RMIN, RMAX, RW         the right shifts the range gives and the width
 *                          of roff (derived, do not set)
 * A shift outside the range gives offsets that wrap: a result that is not
 * TFLite's.
 * Resources: a barrel shifter of clog2(LMAX - LMIN + 1) levels and an 8-bit
 * subtraction; none for a range without left shifts.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_requant_shift #(
    parameter SHIFT_MIN = -31,
    parameter SHIFT_MAX = 31,
    parameter RMIN = SHIFT_MAX < 0 ? -SHIFT_MAX : 0,
    parameter RMAX = SHIFT_MIN < 0 ? -SHIFT_MIN : 0,
    parameter RW = RMAX > RMIN ? $clog2(RMAX - RMIN + 1) : 1
) (
    input  wire signed [31:0] x,
    // TFLite shift: > 0 shifts left before the multiply, < 0 rounds right after
    input  wire signed [7:0]  shift,
    // x * 2^max(shift, 0), wrapping
    output wire signed [31:0] xl,
    // max(-shift, 0) - RMIN
    output wire [RW-1:0]      roff
);

localparam LMIN = SHIFT_MIN > 0 ? SHIFT_MIN : 0;
localparam LMAX = SHIFT_MAX > 0 ? SHIFT_MAX : 0;
localparam LW = LMAX > LMIN ? $clog2(LMAX - LMIN + 1) : 1;

initial begin
    if (SHIFT_MIN < -31 || SHIFT_MAX > 31 || SHIFT_MIN > SHIFT_MAX) begin
        $error("need -31 <= SHIFT_MIN <= SHIFT_MAX <= 31 (instance %m)");
        $finish;
    end
end

/* verilator lint_off UNUSEDSIGNAL */
// the offsets' upper bits are 0 for shifts in the range
wire [6:0] loff7 = (shift[7] ? 7'd0 : shift[6:0]) - LMIN[6:0];
wire [7:0] roff8 = (shift[7] ? -shift : 8'd0) - RMIN[7:0];
/* verilator lint_on UNUSEDSIGNAL */
wire [LW-1:0] loff = LMAX > LMIN ? loff7[LW-1:0] : {LW{1'b0}};
wire signed [31:0] x_lmin = x <<< LMIN;

assign xl = x_lmin <<< loff;
assign roff = RMAX > RMIN ? roff8[RW-1:0] : {RW{1'b0}};

endmodule

`resetall
