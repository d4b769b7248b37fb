/*
 * rf_requant_serial - TFLite MultiplyByQuantizedMultiplier(x, mult, shift),
 * int32, digit-serial: the 32 x 31-bit multiplication of rf_requant spread
 * over R = ceil(31 / DIGIT) enabled cycles, for MACs that produce one
 * accumulator every SF >= R + 1 cycles (a folded rf_conv_mac).
 *
 * Arithmetic: exactly rf_requant's (TFLite common.h MultiplyByQuantizedMultiplier;
 * gemmlowp fixedpoint.h SaturatingRoundingDoublingHighMul and
 * RoundingDivideByPOT), for mult >= 0, which every TFLite multiplier is
 * (QuantizeMultiplier gives [2^30, 2^31) or 0):
 *   ab = (x * 2^left) * mult                    (x * 2^left wraps in int32)
 *   hi = floor((ab + 2^30) / 2^31)              (SRDHM; see rf_requant for
 *                                                why both nudges are this)
 *   y  = RDBPOT(hi, right)
 * With mult >= 0 the saturating case of SRDHM (a == b == INT32_MIN) cannot
 * occur, and |ab| < 2^62, so hi fits in int32.
 *
 * Multiplication (a right-shifting serial multiplier): A starts at 2^30,
 * the rounding term; each of the R steps adds x * d for the next DIGIT-bit
 * digit d of mult, least significant first, and shifts A right by DIGIT,
 * the bits shifted out being final. After R steps A * 2^(R*DIGIT) plus
 * the bits shifted out is ab + 2^30, so hi is A (R*DIGIT = 31, DIGIT 1) or
 * 2A + the last bit shifted out (R*DIGIT = 32). x * d is a selection among
 * 0, x, 2x, 3x per 2-bit slice of the digit (3x is computed when the
 * multiplication starts) and is registered; the next cycle adds it to A.
 * So a cycle has one adder of about 37 bits: the slices' sum (DIGIT 4; two
 * levels at DIGIT 8) or the accumulation.
 * Parameters
 *   DIGIT   bits of mult per step: 1, 2, 4 or 8 (R = 31, 16, 8, 4 steps)
 *   SHIFT_MIN, SHIFT_MAX   the shifts the instance is given, within -31 ..
 *           31: the shifters cover only them, as rf_requant's
 *
 * Timing (all registers move on ce, the caller's pipeline enable):
 *   start   sampled with x, mult, shift in an enabled cycle
 *   y       holds the result LATENCY = R + 4 enabled edges after the start
 *           edge (1 sampling, R digit products, each accumulated one edge
 *           later, 2 rounding: RDBPOT's shift and rounding bit, then their
 *           sum), until the next result
 *   y_next  high in the enabled cycle before y takes a result (R + 3
 *           enabled edges after the start edge)
 *   the next start may come R + 1 enabled cycles after a start at the
 *   earliest (the caller guarantees it; it overlaps the rounding step)
 *   rst     abandons a multiplication in flight: no y_next for it, and A
 *           back at 2^30
 * Resources: the accumulator and x and 3x registers of 34 + DIGIT bits,
 * DIGIT/2 adders of that width, the 31-bit mult, barrel shifters over the
 * shift range (rf_rdbpot; docs/templates.md has the synthesized sizes),
 * against about
 * 1333 LUT4 for rf_requant's constant 32 x 32 multiplier.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_requant_serial #(
    // bits of the multiplier per step (1, 2, 4, 8)
    parameter DIGIT = 1,
    // the range of shift, as rf_requant's
    parameter SHIFT_MIN = -31,
    parameter SHIFT_MAX = 31
) (
    input  wire               clk,
    // abandon a multiplication in flight (synchronous, overrides ce)
    input  wire               rst,
    // advance every register
    input  wire               ce,
    // x, mult and shift are valid: start a multiplication
    input  wire               start,
    input  wire signed [31:0] x,
    // quantized multiplier, >= 0 (TFLite: [2^30, 2^31) or 0)
    /* verilator lint_off UNUSEDSIGNAL */
    // bit 31, the sign, is 0 by contract
    input  wire signed [31:0] mult,
    /* verilator lint_on UNUSEDSIGNAL */
    // TFLite shift: > 0 shifts left before the multiply, < 0 rounds right after
    input  wire signed [7:0]  shift,
    output wire signed [31:0] y,
    // y takes a new result at the next enabled edge (high in the enabled
    // cycle before; the caller's valid flag without an R + 4 stage shift
    // register of its own)
    output wire               y_next
);

// steps of DIGIT bits over the 31 magnitude bits of mult
localparam R = (31 + DIGIT - 1) / DIGIT;
// enabled edges from start to y (for the reader: gen/sched.c uses R + 4)
/* verilator lint_off UNUSEDPARAM */
localparam LATENCY = R + 4;
/* verilator lint_on UNUSEDPARAM */
localparam CW = $clog2(R + 1);
localparam [CW-1:0] R_CNT = R[CW-1:0];
localparam [CW-1:0] ONE = {{(CW-1){1'b0}}, 1'b1};
localparam signed [34+DIGIT-1:0] ROUND = 1 << 30;  // 2^30

initial begin
    if (DIGIT != 1 && DIGIT != 2 && DIGIT != 4 && DIGIT != 8) begin
        $error("DIGIT must be 1, 2, 4 or 8 (instance %m)");
        $finish;
    end
end

// sampling: left shift (wrapping), right shift offset, as rf_requant's
localparam RMIN = SHIFT_MAX < 0 ? -SHIFT_MAX : 0;
localparam RMAX = SHIFT_MIN < 0 ? -SHIFT_MIN : 0;
localparam RW = RMAX > RMIN ? $clog2(RMAX - RMIN + 1) : 1;
wire signed [31:0] xl;
wire [RW-1:0] right;
rf_requant_shift #(.SHIFT_MIN(SHIFT_MIN), .SHIFT_MAX(SHIFT_MAX)) u_shift (
    .x(x), .shift(shift), .xl(xl), .roff(right)
);

// the accumulator: |A + x*d| < 2^(32+DIGIT)
localparam AW = 34 + DIGIT;
// 2-bit slices of a digit (DIGIT 1: one slice with its upper bit 0)
localparam NS = DIGIT > 1 ? DIGIT / 2 : 1;
// A: 2^30 (the rounding term) between multiplications, set again as the
// rounding step reads it (the next first accumulation is a cycle later at
// the earliest), so the accumulation has no multiplexer before its adder
reg signed [AW-1:0] a_reg = ROUND;
reg signed [AW-1:0] x1_reg;     // x
reg signed [AW-1:0] x3_reg;     // 3x
reg [31:0] m_reg;
reg [RW-1:0] right_reg;
reg [CW-1:0] cnt_reg = {CW{1'b0}};   // digit products still to form
// the digit product stage: x * d, valid, first and last digit
reg signed [AW-1:0] prod_reg;
reg pv_reg = 1'b0;
reg pfirst_reg;
reg plast_reg;
reg [RW-1:0] right2_reg;          // right, kept from the first accumulation
reg fin_reg = 1'b0;
reg low_reg;                    // the last bit shifted out of A

// this step's x * d: the sum of the slices' selections, each shifted by
// its place (DIGIT - 1 wide digits: DIGIT 1 selects x or 0)
reg signed [AW-1:0] partial;
reg [1:0] sl;
integer k;
always @* begin
    partial = {AW{1'b0}};
    for (k = 0; k < NS; k = k + 1) begin
        sl = DIGIT > 1 ? m_reg[2*k +: 2] : {1'b0, m_reg[0]};
        case (sl)
            2'd1: partial = partial + (x1_reg <<< (2 * k));
            2'd2: partial = partial + (x1_reg <<< (2 * k + 1));
            2'd3: partial = partial + (x3_reg <<< (2 * k));
            default: ;
        endcase
    end
end
// the accumulation: A is 2^30 (the rounding term) at the first digit. A
// carry-select adder: the low half, and the high half both for a carry of 0
// and of 1, selected by the low half's carry (two carry chains of half the
// width and a multiplexer: a 36-bit chain was the UP5K's critical path,
// 24.5 ns at 40.9 MHz)
localparam LO = AW / 2;
wire [LO:0] sum_lo = {1'b0, a_reg[LO-1:0]} + {1'b0, prod_reg[LO-1:0]};
wire [AW-LO-1:0] sum_hi0 = a_reg[AW-1:LO] + prod_reg[AW-1:LO];
wire [AW-LO-1:0] sum_hi1 = a_reg[AW-1:LO] + prod_reg[AW-1:LO] + {{(AW-LO-1){1'b0}}, 1'b1};
wire signed [AW-1:0] sum = {sum_lo[LO] ? sum_hi1 : sum_hi0, sum_lo[LO-1:0]};

// rounding: hi = floor((ab + 2^30) / 2^31), then RDBPOT as rf_requant's
// stage 3
/* verilator lint_off UNUSEDSIGNAL */
// A's upper bits are sign copies once the R steps are done
wire signed [AW-1:0] a_all = a_reg;
/* verilator lint_on UNUSEDSIGNAL */
wire signed [31:0] t = R * DIGIT == 31 ? a_all[31:0] : {a_all[30:0], low_reg};
wire signed [31:0] sh;
wire rbit;
rf_rdbpot #(.RMIN(RMIN), .RMAX(RMAX)) u_rdbpot (.t(t), .eoff(right2_reg), .sh(sh), .rbit(rbit));
reg signed [31:0] sh_reg;
reg rbit_reg;
reg fin2_reg = 1'b0;
reg signed [31:0] y_reg;

assign y = y_reg;
assign y_next = fin2_reg;

always @(posedge clk) begin
    if (ce) begin
        pv_reg <= cnt_reg != {CW{1'b0}};
        if (cnt_reg != {CW{1'b0}}) begin
            prod_reg <= partial;
            pfirst_reg <= cnt_reg == R_CNT;
            plast_reg <= cnt_reg == ONE;
            m_reg <= m_reg >> DIGIT;
            cnt_reg <= cnt_reg - ONE;
        end
        if (pv_reg) begin
            a_reg <= sum >>> DIGIT;
            low_reg <= sum[DIGIT-1];
            if (pfirst_reg) begin
                right2_reg <= right_reg;
            end
        end
        fin_reg <= pv_reg && plast_reg;
        fin2_reg <= fin_reg;
        if (fin_reg) begin
            sh_reg <= sh;
            rbit_reg <= rbit;
            a_reg <= ROUND;
        end
        if (fin2_reg) begin
            y_reg <= sh_reg + $signed({31'd0, rbit_reg});
        end
        if (start) begin
            x1_reg <= {{(AW-32){xl[31]}}, xl};
            x3_reg <= {{(AW-32){xl[31]}}, xl} + {{(AW-33){xl[31]}}, xl, 1'b0};
            m_reg <= {1'b0, mult[30:0]};
            right_reg <= right;
            cnt_reg <= R_CNT;
        end
    end
    if (rst) begin
        cnt_reg <= {CW{1'b0}};
        pv_reg <= 1'b0;
        fin_reg <= 1'b0;
        fin2_reg <= 1'b0;
        a_reg <= ROUND;
    end
end

endmodule

`resetall
