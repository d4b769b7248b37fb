/*
 * rf_window_fold - folded K x K sliding window: each window streamed as
 * SIMD elements per beat, REPEAT times, for a folded convolution
 * (rf_conv_mac with STREAM = 1). The window is never held in registers: every
 * beat is read from the line buffers. FINN's sliding window generator
 * (ConvolutionInputGenerator) streams windows the same way; this is our own.
 *
 * Input: one pixel per beat, CHANNELS int8 values, frames of HEIGHT x WIDTH
 * pixels in raster order following each other without gaps (input tlast and
 * tuser are ignored: positions are counted). Output: HO x WO windows per
 * frame in raster order (HO, WO as rf_window), each as B = REPEAT*K*K*CC
 * beats of SIMD*8 bits, CC = CHANNELS/SIMD, in the order
 *   rep = 0 .. REPEAT-1, kh = 0 .. K-1, kw = 0 .. K-1, cc = 0 .. CC-1
 * (cc fastest): beat (rep, kh, kw, cc) carries window elements
 * (kh*K + kw)*CHANNELS + cc*SIMD + s, s = 0 .. SIMD-1, at bits [8*s +: 8],
 * each input pixel (oy*S - PAD_TOP + kh, ox*S - PAD_LEFT + kw) channel
 * cc*SIMD + s, or PAD_VALUE where that lies outside the image. This is the
 * element order of rf_window's window, cut into slices of SIMD, once per
 * output-channel fold of the MAC (REPEAT = its NF). tuser marks the first
 * beat of window (0, 0), tlast the last beat of each window ox = WO - 1.
 *
 * Parameters
 *   HEIGHT, WIDTH, CHANNELS, KERNEL, STRIDE, PAD_TOP, PAD_BOTTOM, PAD_LEFT,
 *   PAD_RIGHT, PAD_VALUE   as rf_window
 *   SIMD       elements per beat, divides CHANNELS
 *   REPEAT     times each window is streamed, >= 1
 *
 * Structure
 *   One RAM of R*WIDTH words of CHANNELS*8 bits, R = K + S line buffers:
 *   row r of the continuous stream (rows counted across frames) at words
 *   (r mod R)*WIDTH .. +WIDTH-1. The reader walks the windows; output row oy
 *   uses stream rows T .. T+K-1, T = frame start + oy*S - PAD_TOP. A window's
 *   first beat waits until its last needed pixel, (T + n, min(ox*S + Q,
 *   W-1)), n = min(K-1, H-1 + PAD_TOP - oy*S), Q = K-1 - PAD_LEFT, was written
 *   two cycles before at least, and comes one cycle after the previous
 *   window's last beat at the earliest (the check is registered: rdy_reg,
 *   the pixel's presence in the cycle before, cleared when a window's last
 *   beat issues, since the next window's need is not yet in its registers;
 *   an Fmax path otherwise); its other beats follow without condition (their
 *   pixels are older, and no row T .. T+K-1 is written over before the
 *   output row ends). Every beat reads one pixel word; its slice cc and the
 *   padding are applied at the output register.
 * Flow control (D = writer row - T, continuous counts, as rf_window)
 *   writer: s_axis_tready = (D <= R-1), registered state only.
 *   reader: T advances by S (by the frame's jump at its end) after the last
 *   beat of an output row's last window.
 *   ce = !m_axis_tvalid || m_axis_tready moves the reader and both stages.
 *
 * Pipeline: the check registered (cycle t+1) -> beat issue with synchronous
 * RAM read (cycle t+2) -> slice and padding into the output register (cycle
 * t+3) -> valid.
 *   LATENCY = 4: the input pixel that completes a window, accepted in cycle
 *   t, gives the window's first beat on m_axis in cycle t + 4 when the reader
 *   is waiting for it and m_axis is not back-pressured.
 *   II = 1 beat per cycle within a window, and one cycle between windows:
 *   B + 1 cycles per window, HO*WO*(B + 1) per frame.
 *
 * Resources: R x WIDTH x CHANNELS*8 RAM bits in one RAM (iCE40 EBR: R*WIDTH
 * deep, so that narrow rows share blocks), a CHANNELS*8 bit read register,
 * a SIMD*8 bit output register, counters.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_window_fold #(
    // image height in pixels (>= 1)
    parameter HEIGHT = 8,
    // image width in pixels (>= 1)
    parameter WIDTH = 8,
    // channels per pixel (>= 1)
    parameter CHANNELS = 1,
    // window size (>= 1)
    parameter KERNEL = 3,
    // step between windows in rows and columns (>= 1)
    parameter STRIDE = 1,
    // padding rows/columns (0 .. KERNEL-1 each)
    parameter PAD_TOP = (KERNEL - 1) / 2,
    parameter PAD_BOTTOM = (KERNEL - 1) / 2,
    parameter PAD_LEFT = (KERNEL - 1) / 2,
    parameter PAD_RIGHT = (KERNEL - 1) / 2,
    // value of padded elements, int8 (the input zero point)
    parameter PAD_VALUE = 0,
    // elements per beat (divides CHANNELS)
    parameter SIMD = 1,
    // times each window is streamed (>= 1)
    parameter REPEAT = 1
) (
    input  wire                   clk,
    input  wire                   rst,

    input  wire [CHANNELS*8-1:0]  s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */
    // positions are counted, the contract says input tlast/tuser are ignored
    input  wire                   s_axis_tlast,
    input  wire                   s_axis_tuser,
    /* verilator lint_on UNUSEDSIGNAL */

    output wire [SIMD*8-1:0]      m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready,
    output wire                   m_axis_tlast,
    output wire                   m_axis_tuser
);

// input pixel completing a window accepted in cycle t -> its first beat valid in t + LATENCY
localparam LATENCY = 4;
localparam OUT_HEIGHT /*verilator public*/ = (HEIGHT + PAD_TOP + PAD_BOTTOM - KERNEL) / STRIDE + 1;
localparam OUT_WIDTH /*verilator public*/ = (WIDTH + PAD_LEFT + PAD_RIGHT - KERNEL) / STRIDE + 1;
localparam R = KERNEL + STRIDE;
localparam CC = CHANNELS / SIMD;
localparam JUMP = HEIGHT - (OUT_HEIGHT - 1) * STRIDE;
localparam DB = STRIDE;
localparam DW = $clog2(DB + R + KERNEL + 1);
localparam PW = CHANNELS * 8;
localparam DEPTH = R * WIDTH;
localparam AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
localparam XW = WIDTH > 1 ? $clog2(WIDTH) : 1;
localparam KW = KERNEL > 1 ? $clog2(KERNEL) : 1;
localparam CCW = CC > 1 ? $clog2(CC) : 1;
localparam RPW = REPEAT > 1 ? $clog2(REPEAT) : 1;
localparam OXW = OUT_WIDTH > 1 ? $clog2(OUT_WIDTH) : 1;
// padded rows oy*S + kh in 0 .. H+PT+PB-1
localparam YW = $clog2(HEIGHT + PAD_TOP + PAD_BOTTOM + 1);
localparam YBW = HEIGHT + PAD_TOP > 1 ? $clog2(HEIGHT + PAD_TOP) : 1;
localparam YB_INIT32 = HEIGHT - 1 + PAD_TOP;
localparam YB_LAST32 = HEIGHT - 1 + PAD_TOP - (OUT_HEIGHT - 1) * STRIDE;
localparam D_INIT32 = PAD_TOP + DB;
// word of stream row T = -PAD_TOP (mod R) at the first frame's start
localparam TB_INIT32 = ((R - PAD_TOP % R) % R) * WIDTH;
localparam ADV_S32 = (STRIDE % R) * WIDTH;
localparam ADV_J32 = ((JUMP % R + R) % R) * WIDTH;
localparam [YBW-1:0] YB_INIT = YB_INIT32[YBW-1:0];
localparam [YBW-1:0] YB_LAST = YB_LAST32[YBW-1:0];
localparam [YBW-1:0] S_Y = STRIDE[YBW-1:0];
localparam [DW-1:0] D_INIT = D_INIT32[DW-1:0];
localparam [AW-1:0] TB_INIT = TB_INIT32[AW-1:0];
localparam [XW-1:0] X_LAST = WIDTH[XW-1:0] - 1'b1;
localparam [KW-1:0] K_LAST = KERNEL[KW-1:0] - 1'b1;
localparam [CCW-1:0] CC_LAST = CC[CCW-1:0] - 1'b1;
localparam [RPW-1:0] RP_LAST = REPEAT[RPW-1:0] - 1'b1;
localparam [OXW-1:0] OX_LAST = OUT_WIDTH[OXW-1:0] - 1'b1;
localparam [31:0] DEPTH32 = DEPTH;
localparam [31:0] W32 = WIDTH;
localparam [31:0] STEP_S32 = STRIDE;
localparam [31:0] STEP_J32 = JUMP;
localparam [7:0] PAD8 = PAD_VALUE[7:0];
// the image column of padded column 0, -PAD_LEFT, in AW bits (mod 2^AW)
localparam [AW-1:0] COL0 = {AW{1'b0}} - PAD_LEFT[AW-1:0];
localparam [AW-1:0] S_A = STRIDE[AW-1:0];
localparam [AW-1:0] W_A = WIDTH[AW-1:0];
localparam [AW-1:0] XL_A = W_A - 1'b1;
localparam [AW-1:0] KM1_A = KERNEL[AW-1:0] - 1'b1;

initial begin
    if (HEIGHT < 1 || WIDTH < 1 || CHANNELS < 1 || KERNEL < 1 || STRIDE < 1) begin
        $error("HEIGHT, WIDTH, CHANNELS, KERNEL and STRIDE must be >= 1 (instance %m)");
        $finish;
    end
    if (PAD_TOP < 0 || PAD_TOP >= KERNEL || PAD_BOTTOM < 0 || PAD_BOTTOM >= KERNEL ||
        PAD_LEFT < 0 || PAD_LEFT >= KERNEL || PAD_RIGHT < 0 || PAD_RIGHT >= KERNEL) begin
        $error("PAD_TOP, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT must be in 0 .. KERNEL-1 (instance %m)");
        $finish;
    end
    if (HEIGHT + PAD_TOP + PAD_BOTTOM < KERNEL || WIDTH + PAD_LEFT + PAD_RIGHT < KERNEL) begin
        $error("the padded image must be at least KERNEL x KERNEL (output size >= 1) (instance %m)");
        $finish;
    end
    if (PAD_VALUE < -128 || PAD_VALUE > 127) begin
        $error("PAD_VALUE must be in -128 .. 127 (instance %m)");
        $finish;
    end
    if (SIMD < 1 || CHANNELS % SIMD != 0 || REPEAT < 1) begin
        $error("SIMD must divide CHANNELS and REPEAT be >= 1 (instance %m)");
        $finish;
    end
    if (LATENCY != 4) begin
        $error("rf_window_fold pipeline must have LATENCY 4 (instance %m)");
        $finish;
    end
end

// ---- writer: column, word address, D + DB ----
reg [XW-1:0] wx_reg = {XW{1'b0}};
reg [AW-1:0] waddr_reg = {AW{1'b0}};
reg [DW-1:0] d_reg = D_INIT, d_next;

wire s_xfer = s_axis_tvalid && s_axis_tready;
wire w_row_done = s_xfer && wx_reg == X_LAST;

assign s_axis_tready = {{(32-DW){1'b0}}, d_reg} <= DB + R - 1;

// ---- reader ----
// the output row: rows below its top (yb), its top in padded rows (ytop),
// the word of stream row T (tb); the window: its left column in padded
// columns (xl), the column its first beat needs (xneed, min(xl + Q, W-1))
reg [YBW-1:0] ryb_reg = YB_INIT;
reg [YW-1:0] ytop_reg = {YW{1'b0}};
reg [AW-1:0] tb_reg = TB_INIT;
reg [XW-1:0] xneed_reg;
reg [OXW-1:0] ox_reg = {OXW{1'b0}};
// the beat: repeat, kernel row and column, channel slice; the padded row
// and column it reads, the word of its row
reg [RPW-1:0] rp_reg = {RPW{1'b0}};
reg [KW-1:0] kh_reg = {KW{1'b0}};
reg [KW-1:0] kw_reg = {KW{1'b0}};
reg [CCW-1:0] cc_reg = {CCW{1'b0}};
reg [YW-1:0] ry_reg = {YW{1'b0}};
reg [AW-1:0] rowb_reg = TB_INIT;
// the image column of the beat and of the window's left edge, padded column
// - PAD_LEFT, in AW bits (mod 2^AW): the RAM's read address is one adder from
// registers. A column left of the image wraps to 2^AW - PAD_LEFT or more,
// which is >= WIDTH (2^AW >= (K+S)*W >= W + PAD_LEFT), so col >= WIDTH is
// the column padding test on both sides
reg [AW-1:0] col_reg = COL0;
reg [AW-1:0] xlc_reg = COL0;
// D the window's first beat needs: n + DB, n = min(K-1, yb), kept in a
// register. need_sel forms it from lt = (yb < K - 1) and yb; the comparison
// is in NCW bits (a 32-bit one, with yb + 1, was the UP5K's Fmax path)
localparam NCW = YBW + KW + 2;
localparam KM1_32 = KERNEL - 1;
localparam KM1S_32 = KERNEL - 1 + STRIDE;
localparam [NCW-1:0] KM1_N = KM1_32[NCW-1:0];
localparam [NCW-1:0] KM1S_N = KM1S_32[NCW-1:0];
function [DW-1:0] need_sel(input lt, input [YBW-1:0] yb);
    /* verilator lint_off UNUSEDSIGNAL */
    // only its low DW bits are used (lt: yb < K - 1 fits them)
    reg [YBW+DW-1:0] ye;
    /* verilator lint_on UNUSEDSIGNAL */
    begin
        ye = {{DW{1'b0}}, yb};
        need_sel = (lt ? ye[DW-1:0] : KERNEL[DW-1:0] - 1'b1) + DB[DW-1:0];
    end
endfunction
/* verilator lint_off UNSIGNED */
// K = 1: yb < 0 is constant-false, as it should be
function [DW-1:0] need_of(input [YBW-1:0] yb);
    need_of = need_sel({{(NCW-YBW){1'b0}}, yb} < KM1_N, yb);
endfunction
/* verilator lint_on UNSIGNED */
localparam [DW-1:0] NEED_INIT = need_of(YB_INIT);
reg [DW-1:0] need_reg = NEED_INIT;

// the column a window's first beat needs, min(xl + Q, W-1), from its left
// edge's image column c = xl - PAD_LEFT: c + K - 1 = xl + Q >= 0
// (xneed_clamp: the column e = c + K - 1 limited to W - 1)
function [XW-1:0] xneed_clamp(input [AW-1:0] e);
    xneed_clamp = e > XL_A ? X_LAST : e[XW-1:0];
endfunction
function [XW-1:0] xneed_of(input [AW-1:0] c);
    xneed_of = xneed_clamp(c + KM1_A);
endfunction

wire ce = !m_axis_tvalid || m_axis_tready;
// the beat counters are all 0: a register (set as the last beat issues)
reg first_reg = 1'b1;
wire first_beat = first_reg;
// the beat counters are at their last values (the window's last beat): a
// register too, set as beat B - 2 issues (a flat beat count compared ahead)
// and cleared as the last issues; it enables every reader register, so it
// is not a comparison of four counters
localparam B_BEATS = REPEAT * KERNEL * KERNEL * CC;
localparam BCW = B_BEATS > 1 ? $clog2(B_BEATS) : 1;
localparam BPRE32 = B_BEATS >= 2 ? B_BEATS - 2 : 0;
localparam [BCW-1:0] BC_PRE = BPRE32[BCW-1:0];
localparam LAST_INIT = B_BEATS == 1 ? 1'b1 : 1'b0;
reg [BCW-1:0] bc_reg = {BCW{1'b0}};
reg last_reg = LAST_INIT;
wire last_beat = last_reg;
wire [31:0] wx32 = {{(32-XW){1'b0}}, wx_reg};
wire [31:0] xneed32 = {{(32-XW){1'b0}}, xneed_reg};
wire data_ready = d_reg > need_reg || (d_reg == need_reg && wx32 > xneed32);
// data_ready in the cycle before, for the window whose need is in the
// registers (cleared as a window's last beat issues): the first beat's check
// from a flip-flop
reg rdy_reg = 1'b0;
wire issue = ce && (!first_beat || rdy_reg);
// ox = OX_LAST and yb = YB_LAST, registers set as ox and yb change
reg row_end_reg = OX_LAST == {OXW{1'b0}};
reg yb_last_reg = YB_INIT == YB_LAST;
wire row_end = row_end_reg;
wire frame_end = row_end && yb_last_reg;
wire r_row_adv = issue && last_beat && row_end && !frame_end;
wire r_frame_adv = issue && last_beat && frame_end;
// the beat's element lies outside the image: comparisons of the registers
// with constants in their own widths (32-bit ones are carry chains across
// the whole word: the UP5K's Fmax path). ry < PAD_TOP is false for a pad of
// 0 without a comparison that is constant-false (lint).
localparam HPT32 = HEIGHT + PAD_TOP;
localparam [YW:0] PT_Y = PAD_TOP[YW:0];
localparam [YW:0] HPT_Y = HPT32[YW:0];
wire pad = (PAD_TOP > 0 && {1'b0, ry_reg} < PT_Y) || {1'b0, ry_reg} >= HPT_Y || col_reg >= W_A;
// the beat's word: row word + image column. A padded beat reads any word
// (its data is replaced by PAD_VALUE at stage 1), so pad is not on this path
wire [AW-1:0] raddr = rowb_reg + col_reg;

// a row word plus one row, wrapped into the RAM
function [AW-1:0] next_row(input [AW-1:0] a, input [31:0] by);
    reg [31:0] s;
    begin
        s = {{(32-AW){1'b0}}, a} + by;
        next_row = s >= DEPTH32 ? s[AW-1:0] - DEPTH32[AW-1:0] : s[AW-1:0];
    end
endfunction

initial xneed_reg = xneed_of(COL0);

// the next row's needed row and the next window's needed column, computed
// ahead from registers that change only as a window's last beat issues
// (cycle t, the registers new in t + 1): the next window's first beat
// issues in t + 2 at the earliest (rdy_reg is cleared by the last beat) and
// its last beat B - 1 cycles later, so a result registered in t + 2 (one
// stage) is in time for every B, and one in t + 3 (two stages: the
// subtraction or addition, then the comparison) when B >= 2. The
// subtractions, comparisons and additions stay off the issue path (Fmax).
reg [DW-1:0] need_adv_reg = NEED_INIT;
reg [XW-1:0] xneed_adv_reg;
generate
    if (B_BEATS >= 2) begin : g_adv2
        // the next row's yb and whether it is below K - 1 (yb - S < K - 1
        // as yb < K - 1 + S; at the frame's last row yb - S wraps, and
        // need_adv_reg is not used there), and the next window's last
        // column c + S + K - 1
        reg [YBW-1:0] ybs_reg;
        reg ylt_reg;
        reg [AW-1:0] xe_reg;
        always @(posedge clk) begin
            ybs_reg <= ryb_reg - S_Y;
            ylt_reg <= {{(NCW-YBW){1'b0}}, ryb_reg} < KM1S_N;
            xe_reg <= xlc_reg + S_A + KM1_A;
            need_adv_reg <= need_sel(ylt_reg, ybs_reg);
            xneed_adv_reg <= xneed_clamp(xe_reg);
        end
    end else begin : g_adv1
        always @(posedge clk) begin
            need_adv_reg <= need_of(ryb_reg - S_Y);
            xneed_adv_reg <= xneed_of(xlc_reg + S_A);
        end
    end
endgenerate

always @(posedge clk) begin
    rdy_reg <= data_ready && !(issue && last_beat);
    if (issue) begin
        first_reg <= last_beat;
        bc_reg <= last_beat ? {BCW{1'b0}} : bc_reg + 1'b1;
        last_reg <= B_BEATS == 1 || (!last_beat && bc_reg == BC_PRE);
    end

    // writer
    if (s_xfer) begin
        wx_reg <= wx_reg == X_LAST ? {XW{1'b0}} : wx_reg + 1'b1;
        waddr_reg <= waddr_reg == DEPTH32[AW-1:0] - 1'b1 ? {AW{1'b0}} : waddr_reg + 1'b1;
    end
    d_reg <= d_next;

    // reader
    if (issue) begin
        if (cc_reg != CC_LAST) begin
            cc_reg <= cc_reg + 1'b1;
        end else begin
            cc_reg <= {CCW{1'b0}};
            if (kw_reg != K_LAST) begin
                kw_reg <= kw_reg + 1'b1;
                col_reg <= col_reg + 1'b1;
            end else begin
                kw_reg <= {KW{1'b0}};
                col_reg <= xlc_reg;
                if (kh_reg != K_LAST) begin
                    kh_reg <= kh_reg + 1'b1;
                    ry_reg <= ry_reg + 1'b1;
                    rowb_reg <= next_row(rowb_reg, W32);
                end else begin
                    kh_reg <= {KW{1'b0}};
                    ry_reg <= ytop_reg;
                    rowb_reg <= tb_reg;
                    rp_reg <= rp_reg == RP_LAST ? {RPW{1'b0}} : rp_reg + 1'b1;
                end
            end
        end
        if (last_beat) begin
            // the next window
            if (!row_end) begin
                ox_reg <= ox_reg + 1'b1;
                row_end_reg <= ox_reg + 1'b1 == OX_LAST;
                xlc_reg <= xlc_reg + S_A;
                col_reg <= xlc_reg + S_A;
                xneed_reg <= xneed_adv_reg;
            end else begin
                ox_reg <= {OXW{1'b0}};
                row_end_reg <= OX_LAST == {OXW{1'b0}};
                xlc_reg <= COL0;
                col_reg <= COL0;
                xneed_reg <= xneed_of(COL0);
                if (!frame_end) begin
                    ryb_reg <= ryb_reg - S_Y;
                    yb_last_reg <= ryb_reg - S_Y == YB_LAST;
                    ytop_reg <= ytop_reg + STRIDE[YW-1:0];
                    ry_reg <= ytop_reg + STRIDE[YW-1:0];
                    tb_reg <= next_row(tb_reg, ADV_S32);
                    rowb_reg <= next_row(tb_reg, ADV_S32);
                    need_reg <= need_adv_reg;
                end else begin
                    ryb_reg <= YB_INIT;
                    yb_last_reg <= YB_INIT == YB_LAST;
                    ytop_reg <= {YW{1'b0}};
                    ry_reg <= {YW{1'b0}};
                    tb_reg <= next_row(tb_reg, ADV_J32);
                    rowb_reg <= next_row(tb_reg, ADV_J32);
                    need_reg <= NEED_INIT;
                end
            end
        end
    end

    if (rst) begin
        rdy_reg <= 1'b0;
        first_reg <= 1'b1;
        bc_reg <= {BCW{1'b0}};
        last_reg <= LAST_INIT;
        row_end_reg <= OX_LAST == {OXW{1'b0}};
        yb_last_reg <= YB_INIT == YB_LAST;
        wx_reg <= {XW{1'b0}};
        waddr_reg <= {AW{1'b0}};
        d_reg <= D_INIT;
        ryb_reg <= YB_INIT;
        ytop_reg <= {YW{1'b0}};
        tb_reg <= TB_INIT;
        xneed_reg <= xneed_of(COL0);
        ox_reg <= {OXW{1'b0}};
        rp_reg <= {RPW{1'b0}};
        kh_reg <= {KW{1'b0}};
        kw_reg <= {KW{1'b0}};
        cc_reg <= {CCW{1'b0}};
        ry_reg <= {YW{1'b0}};
        rowb_reg <= TB_INIT;
        col_reg <= COL0;
        xlc_reg <= COL0;
        need_reg <= NEED_INIT;
    end
end

// D + DB in DW bits: it stays within them, so the wrap is exact
always @* begin
    d_next = d_reg + {{(DW-1){1'b0}}, w_row_done};
    if (r_row_adv) begin
        d_next = d_next - STEP_S32[DW-1:0];
    end else if (r_frame_adv) begin
        d_next = d_next - STEP_J32[DW-1:0];
    end
end

// ---- line buffers: one RAM, written by the writer, read at each beat ----
// A beat never reads the word written in the same cycle unless it is
// padded (its data is then replaced): it reads only pixels written before
// (the first beat waits for its last pixel, the others are older), and the
// writer's row T + D, D <= R - 1, shares a word with a row T .. T + K - 1
// only at a later column. So the RAM's read-during-write result does not
// matter: no_rw_check keeps Yosys from emulating one (a write-data register,
// an address comparator and a multiplexer on the read data, 2 x CHANNELS*8
// + about 10 cells). The claim is checked in simulation (below).
(* no_rw_check *)
reg [PW-1:0] mem [0:DEPTH-1];
reg [PW-1:0] ram_q_reg;

always @(posedge clk) begin
    if (s_xfer) begin
        mem[waddr_reg] <= s_axis_tdata;
    end
    if (issue) begin
        ram_q_reg <= mem[raddr];
    end
end

`ifndef SYNTHESIS
// the registered flags agree with the counters they stand for
always @(posedge clk) begin
    if (!rst && (last_beat != (rp_reg == RP_LAST && kh_reg == K_LAST && kw_reg == K_LAST && cc_reg == CC_LAST)
                 || row_end != (ox_reg == OX_LAST) || yb_last_reg != (ryb_reg == YB_LAST))) begin
        $error("rf_window_fold: a registered beat/row flag disagrees with its counters (instance %m)");
    end
end
// the no_rw_check claim: no unpadded beat reads the word being written
always @(posedge clk) begin
    if (!rst && s_xfer && issue && !pad && raddr == waddr_reg) begin
        $error("rf_window_fold: RAM word %0d read and written in one cycle (instance %m)", raddr);
    end
end
`endif

// ---- stage 1: what the read word is for; stage 2: the output register ----
reg s1_valid_reg = 1'b0;
reg s1_pad_reg;
reg [CCW-1:0] s1_cc_reg;
reg s1_last_reg;
reg s1_user_reg;
reg [SIMD*8-1:0] out_reg;
reg out_valid_reg = 1'b0;
reg out_last_reg;
reg out_user_reg;

assign m_axis_tdata = out_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = out_last_reg;
assign m_axis_tuser = out_user_reg;

always @(posedge clk) begin
    if (ce) begin
        s1_valid_reg <= issue;
        s1_pad_reg <= pad;
        s1_cc_reg <= cc_reg;
        s1_last_reg <= last_beat && row_end;
        s1_user_reg <= first_beat && ox_reg == {OXW{1'b0}} && ryb_reg == YB_INIT;
        out_valid_reg <= s1_valid_reg;
        if (s1_valid_reg) begin
            out_reg <= s1_pad_reg ? {SIMD{PAD8}} : ram_q_reg[s1_cc_reg*SIMD*8 +: SIMD*8];
            out_last_reg <= s1_last_reg;
            out_user_reg <= s1_user_reg;
        end
    end
    if (rst) begin
        s1_valid_reg <= 1'b0;
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
