/*
 * rf_window - K x K sliding window over a pixel stream (stride 1, 'same'
 * padding), for the convolution that follows (rf_conv_mac).
 *
 * Input: one pixel per beat, CHANNELS int8 values, frames of HEIGHT x WIDTH
 * pixels in raster order following each other without gaps (input tlast and
 * tuser are ignored: positions are counted). Output: one K x K x CHANNELS
 * window per output pixel (g, x), element (kh, kw, c) at index
 * (kh*K + kw)*CHANNELS + c, bits [8*i +: 8]; input pixel (g - P + kh,
 * x - P + kw) or PAD_VALUE where that lies outside the image. tuser marks
 * output (0, 0), tlast output x = WIDTH - 1.
 *
 * Parameters
 *   HEIGHT, WIDTH  image size in pixels, >= 1 each (also smaller than the
 *                  kernel: rows and columns are masked from the position)
 *   CHANNELS       channels per pixel, >= 1
 *   KERNEL         window size K, odd, >= 3; P = (K - 1) / 2
 *   PAD_VALUE      padding value, int8 (-128 .. 127): the input zero point,
 *                  so that padded elements contribute (x - zp) * w = 0
 *
 * Structure
 *   R = K + 1 line buffers of WIDTH pixels; row r of the continuous stream
 *   (rows counted across frames) is written to buffer r mod R.
 *   Reader steps (g, c): g = 0 .. H-1, c = 0 .. W-1 continue into the next
 *   row without a bubble; each reads column c of rows g-P .. g+P (all R
 *   buffers read at address c, the K wanted ones selected by rotation) and
 *   shifts it into a K x K register window. Output (g, x) is emitted at the
 *   step that shifts in column x+P of row g, or for x+P >= W at the first
 *   steps of the following row (those columns are masked). At the end of a
 *   frame P pad-only steps emit the last P outputs; at a frame start the
 *   first P steps emit nothing: H*W + P steps per frame.
 *   Rows and columns outside the image are replaced with PAD_VALUE from the
 *   output position (g, x) at the output register.
 * Flow control (D = writer row - reader row group, continuous counts, 0 .. P+2)
 *   writer: may write row r only while r - g <= P+1, i.e.
 *           s_axis_tready = (D <= P+1), registered state only; row r goes to
 *           buffer r mod R = (g - P - 1) mod R at most, never one the
 *           reader's group g uses.
 *   reader: step (g, c) needs pixel (min(g+P, H-1), c) written in an earlier
 *           cycle: D > n or (D == n and written columns > c), n = min(P, H-1-g).
 *           Pad-only steps need nothing.
 *   pipeline enable ce = !m_axis_tvalid || m_axis_tready stalls the reader
 *   and both pipeline stages; the writer runs on its own handshake.
 *
 * Pipeline: step issue with synchronous RAM read (cycle t+1) -> column
 * select, shift into the window and masking into the output register
 * (cycle t+2) -> valid.
 *   LATENCY = 3: the input pixel that completes a window, accepted in cycle t,
 *   gives the window on m_axis in cycle t + 3 (t: RAM write, t+1: read issue,
 *   t+2: shift and output register load) when the reader is waiting for it
 *   and m_axis is not back-pressured.
 *   II = 1: one step per cycle; a frame of H*W windows takes H*W + P cycles
 *   (the input is accepted at the same average rate).
 *
 * Resources: R x WIDTH x CHANNELS*8 RAM bits (R RAMs, each with a registered
 * read port: iCE40 EBR when large), R x CHANNELS*8 read registers,
 * 2 x K*K*CHANNELS*8 flip-flops (window and output register), counters.
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
    // window size (odd, >= 3)
    parameter KERNEL = 3,
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
localparam P = (KERNEL - 1) / 2;
// line buffers
localparam R = KERNEL + 1;
localparam PW = CHANNELS * 8;
localparam CW = KERNEL * PW;
localparam XW = WIDTH > 1 ? $clog2(WIDTH) : 1;
localparam YW = HEIGHT > 1 ? $clog2(HEIGHT) : 1;
localparam BW = $clog2(R);
localparam DW = $clog2(P + 3);
localparam SW = $clog2(P + 1);
localparam [XW-1:0] X_LAST = WIDTH[XW-1:0] - 1'b1;
localparam [YW-1:0] Y_LAST = HEIGHT[YW-1:0] - 1'b1;
localparam [BW-1:0] B_LAST = R[BW-1:0] - 1'b1;
localparam [SW-1:0] S_INIT = P[SW-1:0];
localparam [SW-1:0] S_LAST = P[SW-1:0] - 1'b1;
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
    if (KERNEL < 3 || KERNEL % 2 != 1) begin
        $error("KERNEL must be odd and >= 3 (instance %m)");
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
// writer row minus reader row group
reg [DW-1:0] d_reg = {DW{1'b0}}, d_next;

wire s_xfer = s_axis_tvalid && s_axis_tready;
wire w_row_done = s_xfer && wx_reg == X_LAST;

assign s_axis_tready = {{(32-DW){1'b0}}, d_reg} <= P + 1;

// ---- reader ----
reg [YW-1:0] g_reg = {YW{1'b0}}, g_next;
reg [XW-1:0] c_reg = {XW{1'b0}}, c_next;
// in the pad-only steps at the end of a frame, and which one
reg pad_reg = 1'b0, pad_next;
reg [SW-1:0] padcnt_reg = {SW{1'b0}}, padcnt_next;
// steps still to skip (emit nothing) at the start of the frame
reg [SW-1:0] skip_reg = S_INIT, skip_next;
// position of the next output
reg [YW-1:0] oy_reg = {YW{1'b0}}, oy_next;
reg [XW-1:0] ox_reg = {XW{1'b0}}, ox_next;
reg r_group_adv;

wire ce = !m_axis_tvalid || m_axis_tready;

// rows still needed below g: min(P, H-1-g); all in 32 bits
wire [31:0] rows_below = {{(32-YW){1'b0}}, Y_LAST - g_reg};
wire [31:0] need_d = rows_below < P ? rows_below : P;
wire [31:0] d32 = {{(32-DW){1'b0}}, d_reg};
wire data_ready = d32 > need_d || (d32 == need_d && wx_reg > c_reg);
wire step = ce && (pad_reg || data_ready);
wire emit = pad_reg || skip_reg == {SW{1'b0}};

// masks of the step's output (oy, ox)
reg [KERNEL-1:0] row_mask;
reg [KERNEL-1:0] col_mask;
integer k;

always @* begin
    for (k = 0; k < KERNEL; k = k + 1) begin
        // row oy - P + k outside 0 .. H-1
        row_mask[k] = {{(32-YW){1'b0}}, oy_reg} + k < P ||
                      {{(32-YW){1'b0}}, oy_reg} + k > HEIGHT - 1 + P;
        // column ox - P + k outside 0 .. W-1
        col_mask[k] = {{(32-XW){1'b0}}, ox_reg} + k < P ||
                      {{(32-XW){1'b0}}, ox_reg} + k > WIDTH - 1 + P;
    end
end

// buffer of row g - P + kh for kh = 0 .. K-1: (g - P + kh) mod R, rotated
// by one at each reader group advance
wire [KERNEL*BW-1:0] sel;

genvar gk;
generate
    for (gk = 0; gk < KERNEL; gk = gk + 1) begin : g_sel
        localparam SEL_INIT32 = (R - P + gk) % R;
        localparam [BW-1:0] SEL_INIT = SEL_INIT32[BW-1:0];
        reg [BW-1:0] sel_reg = SEL_INIT;

        assign sel[gk*BW +: BW] = sel_reg;

        always @(posedge clk) begin
            if (r_group_adv) begin
                sel_reg <= sel_reg == B_LAST ? {BW{1'b0}} : sel_reg + 1'b1;
            end
            if (rst) begin
                sel_reg <= SEL_INIT;
            end
        end
    end
endgenerate

always @* begin
    wx_next = wx_reg;
    wbuf_next = wbuf_reg;
    g_next = g_reg;
    c_next = c_reg;
    pad_next = pad_reg;
    padcnt_next = padcnt_reg;
    skip_next = skip_reg;
    oy_next = oy_reg;
    ox_next = ox_reg;
    r_group_adv = 1'b0;

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
            if (padcnt_reg == S_LAST) begin
                // frame done: the next frame's row 0 is the next group
                pad_next = 1'b0;
                padcnt_next = {SW{1'b0}};
                skip_next = S_INIT;
                g_next = {YW{1'b0}};
                c_next = {XW{1'b0}};
                r_group_adv = 1'b1;
            end else begin
                padcnt_next = padcnt_reg + 1'b1;
            end
        end else begin
            if (skip_reg != {SW{1'b0}}) begin
                skip_next = skip_reg - 1'b1;
            end
            if (c_reg == X_LAST) begin
                c_next = {XW{1'b0}};
                if (g_reg == Y_LAST) begin
                    pad_next = 1'b1;
                end else begin
                    g_next = g_reg + 1'b1;
                    r_group_adv = 1'b1;
                end
            end else begin
                c_next = c_reg + 1'b1;
            end
        end
        if (emit) begin
            if (ox_reg == X_LAST) begin
                ox_next = {XW{1'b0}};
                oy_next = oy_reg == Y_LAST ? {YW{1'b0}} : oy_reg + 1'b1;
            end else begin
                ox_next = ox_reg + 1'b1;
            end
        end
    end

    d_next = d_reg;
    if (w_row_done && !r_group_adv) begin
        d_next = d_reg + 1'b1;
    end else if (!w_row_done && r_group_adv) begin
        d_next = d_reg - 1'b1;
    end
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
                ram_q_reg[b*PW +: PW] <= mem[c_reg];
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
        s1_last_reg <= ox_reg == X_LAST;
        s1_user_reg <= ox_reg == {XW{1'b0}} && oy_reg == {YW{1'b0}};
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
    g_reg <= g_next;
    c_reg <= c_next;
    pad_reg <= pad_next;
    padcnt_reg <= padcnt_next;
    skip_reg <= skip_next;
    oy_reg <= oy_next;
    ox_reg <= ox_next;
    if (ce) begin
        s1_step_reg <= step;
        s1_emit_reg <= step && emit;
        out_valid_reg <= s1_emit_reg;
    end

    if (rst) begin
        wx_reg <= {XW{1'b0}};
        wbuf_reg <= {BW{1'b0}};
        d_reg <= {DW{1'b0}};
        g_reg <= {YW{1'b0}};
        c_reg <= {XW{1'b0}};
        pad_reg <= 1'b0;
        padcnt_reg <= {SW{1'b0}};
        skip_reg <= S_INIT;
        oy_reg <= {YW{1'b0}};
        ox_reg <= {XW{1'b0}};
        s1_step_reg <= 1'b0;
        s1_emit_reg <= 1'b0;
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
