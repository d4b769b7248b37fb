/*
 * rf_window - K x K sliding window over a pixel stream, with stride and
 * explicit (possibly asymmetric) padding, for the convolution or pooling
 * that follows (rf_conv_mac).
 *
 * Input: one pixel per beat, CHANNELS int8 values, frames of HEIGHT x WIDTH
 * pixels in raster order following each other without gaps (input tlast and
 * tuser are ignored: positions are counted). Output: HO x WO windows per
 * frame in raster order,
 *   HO = (HEIGHT + PAD_TOP + PAD_BOTTOM - K) / STRIDE + 1,
 *   WO = (WIDTH + PAD_LEFT + PAD_RIGHT - K) / STRIDE + 1
 * (OUT_HEIGHT, OUT_WIDTH); window (oy, ox) element (kh, kw, c) at index
 * (kh*K + kw)*CHANNELS + c, bits [8*i +: 8], is input pixel
 * (oy*S - PAD_TOP + kh, ox*S - PAD_LEFT + kw), or PAD_VALUE where that lies
 * outside the image. tuser marks output (0, 0), tlast output ox = WO - 1.
 * The defaults (S = 1, every pad P = (K - 1) / 2) are 'same' padding;
 * TensorFlow 'same' at stride 2 on even sizes puts the odd pad at the
 * bottom/right (K = 3: PAD_TOP = PAD_LEFT = 0, PAD_BOTTOM = PAD_RIGHT = 1);
 * 'valid' is all pads 0.
 *
 * Parameters
 *   HEIGHT, WIDTH  image size in pixels, >= 1 each (also smaller than the
 *                  kernel: rows and columns are masked from the position)
 *   CHANNELS       channels per pixel, >= 1
 *   KERNEL         window size K, >= 1 (odd or even)
 *   STRIDE         S, >= 1
 *   PAD_TOP, PAD_BOTTOM, PAD_LEFT, PAD_RIGHT
 *                  padding rows/columns, 0 .. K-1 each, default (K - 1) / 2;
 *                  HO >= 1 and WO >= 1 required
 *   PAD_VALUE      padding value, int8 (-128 .. 127): the input zero point,
 *                  so that padded elements contribute (x - zp) * w = 0
 *
 * Structure
 *   R = K + S line buffers of WIDTH pixels; row r of the continuous stream
 *   (rows counted across frames) is written to buffer r mod R.
 *   The reader walks the output rows oy; output row oy uses stream rows
 *   T .. T+K-1, T = frame start + oy*S - PAD_TOP. It makes V steps per output
 *   row, step c = 0 .. V-1 reading column c of the K rows (all R buffers
 *   read at address c, the K wanted ones selected by rotation; steps
 *   c >= W read nothing, pad-only) and shifting it into a K x K register
 *   window, so that the window at step c holds columns c-K+1 .. c.
 *   Output ox is complete at step v = ox*S + Q, Q = K - 1 - PAD_LEFT: at
 *   steps c >= Q with (c - Q) mod S == 0. Rows and columns outside the image
 *   are replaced with PAD_VALUE from the output position at the output
 *   register.
 *   S = 1: steps run across row ends without a bubble. Outputs with
 *   v >= W come out at the first steps of the next output row (which emit
 *   nothing of their own before Q; those columns are masked), as far as they
 *   fit in those Q steps (X more pad-only steps end each row if not:
 *   X = max(0, PAD_RIGHT - Q), V = W + X), and in F = min(Q, PAD_RIGHT)
 *   pad-only steps at the end of a frame. HO*V + F steps per frame:
 *   H*W + P with the default pads.
 *   S > 1: each output row ends with its own last output, V = (WO-1)*S + Q + 1
 *   steps (more than W for right padding: pad-only steps, fewer when the
 *   last input columns are used by no output), F = 0: HO*V steps per frame,
 *   against H*W input beats.
 * Flow control (D = writer row - T, continuous counts, -S .. R+K-2)
 *   writer: may write row r only while r - T <= R-1, i.e.
 *           s_axis_tready = (D <= R-1), registered state only; row r goes to
 *           a buffer no row T .. T+K-1 uses. Rows no output uses (valid
 *           padding, leftovers of the stride) are written and overwritten.
 *   reader: step c < W of output row oy needs pixel (T + n, c) written in an
 *           earlier cycle: D > n or (D == n and written columns > c),
 *           n = min(K-1, H-1 + PAD_TOP - oy*S). Pad-only steps need nothing.
 *   pipeline enable ce = !m_axis_tvalid || m_axis_tready stalls the reader
 *   and both pipeline stages; the writer runs on its own handshake.
 *   R = K + S lets the writer fill the S rows of the next output row while
 *   the reader works on the current one: at S > 1 the input is accepted
 *   at one pixel per cycle while the reader keeps up (V <= S*W).
 *
 * Pipeline: step issue with synchronous RAM read (cycle t+1) -> column
 * select, shift into the window and masking into the output register
 * (cycle t+2) -> valid.
 *   LATENCY = 3: the input pixel that completes a window, accepted in cycle t,
 *   gives the window on m_axis in cycle t + 3 (t: RAM write, t+1: read issue,
 *   t+2: shift and output register load) when the reader is waiting for it
 *   and m_axis is not back-pressured. A window reaching into the right pad
 *   (v >= W) is completed by pixel (T + n, W-1): at S = 1 it comes at one of
 *   the first steps of the next output row (or the end-of-frame steps), at
 *   S > 1 v - W + 1 cycles after LATENCY.
 *   II = 1: one step per cycle. S = 1: one window per cycle, a frame takes
 *   HO*V + F cycles (H*W + P with the default pads; the input is accepted at
 *   the same average rate). S > 1: a frame takes max(H*W, HO*V) cycles,
 *   input-bound (one pixel per cycle) when HO*V <= H*W.
 *
 * Resources: R x WIDTH x CHANNELS*8 RAM bits (R = K + S RAMs, each with a
 * registered read port: iCE40 EBR when large), R x CHANNELS*8 read
 * registers, 2 x K*K*CHANNELS*8 flip-flops (window and output register),
 * counters.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_window #(
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
    // padding rows above the image (0 .. KERNEL-1)
    parameter PAD_TOP = (KERNEL - 1) / 2,
    // padding rows below the image (0 .. KERNEL-1)
    parameter PAD_BOTTOM = (KERNEL - 1) / 2,
    // padding columns left of the image (0 .. KERNEL-1)
    parameter PAD_LEFT = (KERNEL - 1) / 2,
    // padding columns right of the image (0 .. KERNEL-1)
    parameter PAD_RIGHT = (KERNEL - 1) / 2,
    // value of padded elements, int8 (the input zero point)
    parameter PAD_VALUE = 0
) (
    input  wire                                  clk,
    input  wire                                  rst,

    input  wire [CHANNELS*8-1:0]                 s_axis_tdata,
    input  wire                                  s_axis_tvalid,
    output wire                                  s_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */
    // positions are counted, the contract says input tlast/tuser are ignored
    input  wire                                  s_axis_tlast,
    input  wire                                  s_axis_tuser,
    /* verilator lint_on UNUSEDSIGNAL */

    output wire [KERNEL*KERNEL*CHANNELS*8-1:0]   m_axis_tdata,
    output wire                                  m_axis_tvalid,
    input  wire                                  m_axis_tready,
    output wire                                  m_axis_tlast,
    output wire                                  m_axis_tuser
);

// input pixel completing a window accepted in cycle t -> window valid in t + LATENCY
localparam LATENCY = 3;
// output size
localparam OUT_HEIGHT /*verilator public*/ = (HEIGHT + PAD_TOP + PAD_BOTTOM - KERNEL) / STRIDE + 1;
localparam OUT_WIDTH /*verilator public*/ = (WIDTH + PAD_LEFT + PAD_RIGHT - KERNEL) / STRIDE + 1;
// line buffers
localparam R = KERNEL + STRIDE;
// step of the last output of a row, and the first output's step
localparam Q = KERNEL - 1 - PAD_LEFT;
localparam LASTV = (OUT_WIDTH - 1) * STRIDE + Q;
// S = 1: last outputs of a row past column W-1, taken by the next row's first steps
localparam SPILL = STRIDE == 1 ? (LASTV + 1 - WIDTH > 0 ? LASTV + 1 - WIDTH : 0) : 0;
localparam F = SPILL < Q ? SPILL : Q;
// steps per output row
localparam V = STRIDE == 1 ? WIDTH + SPILL - F : LASTV + 1;
// stream row T advance to the next output row, and to the next frame
localparam JUMP = HEIGHT - (OUT_HEIGHT - 1) * STRIDE;
localparam ADV_S = STRIDE % R;
localparam ADV_J = ((JUMP % R) + R) % R;
// D is kept as D + DB in DW bits
localparam DB = STRIDE;
localparam DW = $clog2(DB + R + KERNEL + 1);
localparam PW = CHANNELS * 8;
localparam CW = KERNEL * PW;
localparam XW = WIDTH > 1 ? $clog2(WIDTH) : 1;
localparam VW = V > 1 ? $clog2(V) : 1;
localparam FW = F > 1 ? $clog2(F) : 1;
localparam SW = STRIDE > 1 ? $clog2(STRIDE) : 1;
localparam BW = R > 1 ? $clog2(R) : 1;
// rows below the window top: H-1 + PAD_TOP - oy*S, and columns right of the
// window's left edge: W-1 + PAD_LEFT - ox*S
localparam YBW = HEIGHT + PAD_TOP > 1 ? $clog2(HEIGHT + PAD_TOP) : 1;
localparam XBW = WIDTH + PAD_LEFT > 1 ? $clog2(WIDTH + PAD_LEFT) : 1;
localparam YB_INIT32 = HEIGHT - 1 + PAD_TOP;
localparam YB_LAST32 = HEIGHT - 1 + PAD_TOP - (OUT_HEIGHT - 1) * STRIDE;
localparam XB_INIT32 = WIDTH - 1 + PAD_LEFT;
localparam XB_LAST32 = WIDTH - 1 + PAD_LEFT - (OUT_WIDTH - 1) * STRIDE;
localparam PH_INIT32 = (STRIDE - Q % STRIDE) % STRIDE;
localparam D_INIT32 = PAD_TOP + DB;
localparam [YBW-1:0] YB_INIT = YB_INIT32[YBW-1:0];
localparam [YBW-1:0] YB_LAST = YB_LAST32[YBW-1:0];
localparam [XBW-1:0] XB_INIT = XB_INIT32[XBW-1:0];
localparam [XBW-1:0] XB_LAST = XB_LAST32[XBW-1:0];
localparam [YBW-1:0] S_Y = STRIDE[YBW-1:0];
localparam [XBW-1:0] S_X = STRIDE[XBW-1:0];
localparam [XW-1:0] X_LAST = WIDTH[XW-1:0] - 1'b1;
localparam [VW-1:0] V_LAST = V[VW-1:0] - 1'b1;
localparam [FW-1:0] F_LAST = F[FW-1:0] - 1'b1;
localparam [SW-1:0] PH_INIT = PH_INIT32[SW-1:0];
localparam [SW-1:0] S_LAST = STRIDE[SW-1:0] - 1'b1;
localparam [BW-1:0] B_LAST = R[BW-1:0] - 1'b1;
localparam [BW-1:0] R_B = R[BW-1:0];
localparam [DW-1:0] D_INIT = D_INIT32[DW-1:0];
localparam [31:0] ADV_S32 = ADV_S;
localparam [31:0] ADV_J32 = ADV_J;
localparam [31:0] STEP_S32 = STRIDE;
localparam [31:0] STEP_J32 = JUMP;
localparam [7:0] PAD8 = PAD_VALUE[7:0];

initial begin
    if (HEIGHT < 1 || WIDTH < 1) begin
        $error("HEIGHT and WIDTH must be >= 1 (instance %m)");
        $finish;
    end
    if (CHANNELS < 1) begin
        $error("CHANNELS must be >= 1 (instance %m)");
        $finish;
    end
    if (KERNEL < 1) begin
        $error("KERNEL must be >= 1 (instance %m)");
        $finish;
    end
    if (STRIDE < 1) begin
        $error("STRIDE must be >= 1 (instance %m)");
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
    if (LATENCY != 3) begin
        $error("rf_window pipeline must have LATENCY 3 (instance %m)");
        $finish;
    end
end

// ---- writer ----
reg [XW-1:0] wx_reg = {XW{1'b0}}, wx_next;
reg [BW-1:0] wbuf_reg = {BW{1'b0}}, wbuf_next;
// writer row minus the reader's window top T, plus DB
reg [DW-1:0] d_reg = D_INIT, d_next;

wire s_xfer = s_axis_tvalid && s_axis_tready;
wire w_row_done = s_xfer && wx_reg == X_LAST;

assign s_axis_tready = {{(32-DW){1'b0}}, d_reg} <= DB + R - 1;

// ---- reader ----
// step c of the output row with yb = H-1 + PAD_TOP - oy*S rows below its top
reg [VW-1:0] c_reg = {VW{1'b0}}, c_next;
reg [YBW-1:0] ryb_reg = YB_INIT, ryb_next;
// (c - Q) mod S: output steps at 0
reg [SW-1:0] ph_reg = PH_INIT, ph_next;
// in the pad-only steps at the end of a frame (S = 1), and which one
reg pad_reg = 1'b0, pad_next;
reg [FW-1:0] padcnt_reg = {FW{1'b0}}, padcnt_next;
// position of the next output, as rows below / columns right of its window's top left
reg [YBW-1:0] oyb_reg = YB_INIT, oyb_next;
reg [XBW-1:0] oxb_reg = XB_INIT, oxb_next;
// T advances to the next output row (by S) or to the next frame (by JUMP)
reg r_row_adv;
reg r_frame_adv;

wire ce = !m_axis_tvalid || m_axis_tready;

// the step reads input column c (not a pad-only step)
wire [31:0] c32 = {{(32-VW){1'b0}}, c_reg};
wire [31:0] wx32 = {{(32-XW){1'b0}}, wx_reg};
wire data_step = !pad_reg && c32 < WIDTH;
// D the step needs: n + DB, n = min(K-1, yb), the lowest window row it
// reads. yb changes only when the reader advances, so n + DB is kept in a
// register (need_reg) and computed ahead for the next output row (need_adv):
// the step's condition is then two comparisons of registers (Fmax).
// need_adv depends only on ryb_reg, which stays put for V >= 2 steps after
// it changes, so with V >= 2 it is itself a register, one cycle behind
// ryb_reg (the subtraction, comparison and addition off the load path).
function [DW-1:0] need_of(input [31:0] yb);
    need_of = (yb + 1 < KERNEL ? yb[DW-1:0] : KERNEL[DW-1:0] - 1'b1) + DB[DW-1:0];
endfunction
localparam [DW-1:0] NEED_INIT = need_of(YB_INIT32);
reg [DW-1:0] need_reg = NEED_INIT;
wire [DW-1:0] need_adv;
generate
    if (V >= 2) begin : g_need_reg
        reg [DW-1:0] need_adv_reg = NEED_INIT;
        always @(posedge clk) begin
            need_adv_reg <= need_of({{(32-YBW){1'b0}}, ryb_reg - S_Y});
        end
        assign need_adv = need_adv_reg;
    end else begin : g_need_comb
        assign need_adv = need_of({{(32-YBW){1'b0}}, ryb_reg - S_Y});
    end
endgenerate
wire data_ready = d_reg > need_reg || (d_reg == need_reg && wx32 > c32);
wire step = ce && (!data_step || data_ready);
// own outputs at c >= Q on the stride; at S = 1 the previous output row's
// last F outputs at c < F (not in a frame's first output row) and at the
// end-of-frame steps
wire first_row = ryb_reg == YB_INIT;
wire own_col;
wire spill_col;
wire emit = pad_reg || (own_col && ph_reg == {SW{1'b0}}) || (!first_row && spill_col);
wire [XW-1:0] ram_addr = data_step ? c32[XW-1:0] : {XW{1'b0}};

generate
    if (Q > 0) begin : g_own
        assign own_col = c32 >= Q;
    end else begin : g_own_all
        assign own_col = 1'b1;
    end
    if (F > 0) begin : g_spill
        assign spill_col = c32 < F;
    end else begin : g_spill_none
        assign spill_col = 1'b0;
    end
endgenerate

// masks of the step's output
reg [KERNEL-1:0] row_mask;
reg [KERNEL-1:0] col_mask;
integer k;

always @* begin
    for (k = 0; k < KERNEL; k = k + 1) begin
        // row H-1 - yb + k outside 0 .. H-1
        row_mask[k] = k > {{(32-YBW){1'b0}}, oyb_reg} ||
                      {{(32-YBW){1'b0}}, oyb_reg} > HEIGHT - 1 + k;
        // column W-1 - xb + k outside 0 .. W-1
        col_mask[k] = k > {{(32-XBW){1'b0}}, oxb_reg} ||
                      {{(32-XBW){1'b0}}, oxb_reg} > WIDTH - 1 + k;
    end
end

// buffer of row T + kh for kh = 0 .. K-1: (T + kh) mod R, rotated at each
// reader advance
wire [KERNEL*BW-1:0] sel;

genvar gk;
generate
    for (gk = 0; gk < KERNEL; gk = gk + 1) begin : g_sel
        localparam SEL_INIT32 = (R - PAD_TOP + gk) % R;
        localparam [BW-1:0] SEL_INIT = SEL_INIT32[BW-1:0];
        reg [BW-1:0] sel_reg = SEL_INIT;
        wire [31:0] sel_sum = {{(32-BW){1'b0}}, sel_reg} + (r_frame_adv ? ADV_J32 : ADV_S32);
        wire [BW-1:0] sel_mod = sel_sum >= R ? sel_sum[BW-1:0] - R_B : sel_sum[BW-1:0];

        assign sel[gk*BW +: BW] = sel_reg;

        always @(posedge clk) begin
            if (r_row_adv || r_frame_adv) begin
                sel_reg <= sel_mod;
            end
            if (rst) begin
                sel_reg <= SEL_INIT;
            end
        end
    end
endgenerate

reg [DW-1:0] d_sum;

always @* begin
    wx_next = wx_reg;
    wbuf_next = wbuf_reg;
    c_next = c_reg;
    ryb_next = ryb_reg;
    ph_next = ph_reg;
    pad_next = pad_reg;
    padcnt_next = padcnt_reg;
    oyb_next = oyb_reg;
    oxb_next = oxb_reg;
    r_row_adv = 1'b0;
    r_frame_adv = 1'b0;

    if (s_xfer) begin
        if (wx_reg == X_LAST) begin
            wx_next = {XW{1'b0}};
            wbuf_next = wbuf_reg == B_LAST ? {BW{1'b0}} : wbuf_reg + 1'b1;
        end else begin
            wx_next = wx_reg + 1'b1;
        end
    end

    if (step) begin
        if (pad_reg) begin
            if (padcnt_reg == F_LAST) begin
                // frame done: the next frame's output row 0
                pad_next = 1'b0;
                padcnt_next = {FW{1'b0}};
                ryb_next = YB_INIT;
                r_frame_adv = 1'b1;
            end else begin
                padcnt_next = padcnt_reg + 1'b1;
            end
        end else if (c_reg == V_LAST) begin
            c_next = {VW{1'b0}};
            ph_next = PH_INIT;
            if (ryb_reg != YB_LAST) begin
                ryb_next = ryb_reg - S_Y;
                r_row_adv = 1'b1;
            end else if (F > 0) begin
                pad_next = 1'b1;
            end else begin
                ryb_next = YB_INIT;
                r_frame_adv = 1'b1;
            end
        end else begin
            c_next = c_reg + 1'b1;
            ph_next = ph_reg == S_LAST ? {SW{1'b0}} : ph_reg + 1'b1;
        end
        if (emit) begin
            if (oxb_reg == XB_LAST) begin
                oxb_next = XB_INIT;
                oyb_next = oyb_reg == YB_LAST ? YB_INIT : oyb_reg - S_Y;
            end else begin
                oxb_next = oxb_reg - S_X;
            end
        end
    end

    // in DW bits: D + DB stays within them, so the wrap is exact
    d_sum = d_reg + {{(DW-1){1'b0}}, w_row_done};
    if (r_row_adv) begin
        d_sum = d_sum - STEP_S32[DW-1:0];
    end else if (r_frame_adv) begin
        d_sum = d_sum - STEP_J32[DW-1:0];
    end
    d_next = d_sum;
end

// ---- line buffers: R RAMs, written by the writer, all read at column c ----
reg [R*PW-1:0] ram_q_reg;

genvar b;
generate
    for (b = 0; b < R; b = b + 1) begin : g_buf
        reg [PW-1:0] mem [0:WIDTH-1];

        always @(posedge clk) begin
            if (s_xfer && wbuf_reg == b) begin
                mem[wx_reg] <= s_axis_tdata;
            end
            if (step) begin
                ram_q_reg[b*PW +: PW] <= mem[ram_addr];
            end
        end
    end
endgenerate

// ---- stage 1: what the read data is for ----
reg s1_step_reg = 1'b0;
reg s1_emit_reg = 1'b0;
reg [KERNEL-1:0] s1_row_mask_reg;
reg [KERNEL-1:0] s1_col_mask_reg;
reg [KERNEL*BW-1:0] s1_sel_reg;
reg s1_last_reg;
reg s1_user_reg;

// ---- stage 2: window (columns kw = 0 .. K-1, each rows kh = 0 .. K-1) and output ----
reg [KERNEL*CW-1:0] win_reg;
reg [KERNEL*CW-1:0] win_next;
reg [KERNEL*KERNEL*PW-1:0] out_next;
reg [KERNEL*KERNEL*PW-1:0] out_reg;
reg out_valid_reg = 1'b0;
reg out_last_reg;
reg out_user_reg;
integer kh, kw;

assign m_axis_tdata = out_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = out_last_reg;
assign m_axis_tuser = out_user_reg;

always @* begin
    // shift left by one column; the new column, row kh from its buffer
    win_next = win_reg >> CW;
    for (kh = 0; kh < KERNEL; kh = kh + 1) begin
        win_next[(KERNEL-1)*CW + kh*PW +: PW] = ram_q_reg[s1_sel_reg[kh*BW +: BW]*PW +: PW];
    end
    for (kh = 0; kh < KERNEL; kh = kh + 1) begin
        for (kw = 0; kw < KERNEL; kw = kw + 1) begin
            if (s1_row_mask_reg[kh] || s1_col_mask_reg[kw]) begin
                out_next[(kh*KERNEL + kw)*PW +: PW] = {CHANNELS{PAD8}};
            end else begin
                out_next[(kh*KERNEL + kw)*PW +: PW] = win_next[kw*CW + kh*PW +: PW];
            end
        end
    end
end

always @(posedge clk) begin
    if (ce) begin
        s1_row_mask_reg <= row_mask;
        s1_col_mask_reg <= col_mask;
        s1_sel_reg <= sel;
        s1_last_reg <= oxb_reg == XB_LAST;
        s1_user_reg <= oxb_reg == XB_INIT && oyb_reg == YB_INIT;
        if (s1_step_reg) begin
            win_reg <= win_next;
        end
        if (s1_emit_reg) begin
            out_reg <= out_next;
            out_last_reg <= s1_last_reg;
            out_user_reg <= s1_user_reg;
        end
    end
end

always @(posedge clk) begin
    wx_reg <= wx_next;
    wbuf_reg <= wbuf_next;
    d_reg <= d_next;
    c_reg <= c_next;
    ryb_reg <= ryb_next;
    ph_reg <= ph_next;
    pad_reg <= pad_next;
    padcnt_reg <= padcnt_next;
    oyb_reg <= oyb_next;
    oxb_reg <= oxb_next;
    if (r_frame_adv) begin
        need_reg <= NEED_INIT;
    end else if (r_row_adv) begin
        need_reg <= need_adv;
    end
    if (ce) begin
        s1_step_reg <= step;
        s1_emit_reg <= step && emit;
        out_valid_reg <= s1_emit_reg;
    end

    if (rst) begin
        wx_reg <= {XW{1'b0}};
        wbuf_reg <= {BW{1'b0}};
        d_reg <= D_INIT;
        c_reg <= {VW{1'b0}};
        ryb_reg <= YB_INIT;
        ph_reg <= PH_INIT;
        pad_reg <= 1'b0;
        padcnt_reg <= {FW{1'b0}};
        oyb_reg <= YB_INIT;
        oxb_reg <= XB_INIT;
        need_reg <= NEED_INIT;
        s1_step_reg <= 1'b0;
        s1_emit_reg <= 1'b0;
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
