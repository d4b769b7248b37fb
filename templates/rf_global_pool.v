/*
 * rf_global_pool - global average pooling of a pixel stream: TFLite int8
 * AVERAGE_POOL_2D whose filter covers the whole HEIGHT x WIDTH input
 * ('valid', one output pixel per frame), or TFLite's or TFLite Micro's int8
 * MEAN over height and width, as ROUNDING says.
 *
 * Input: one pixel per beat, CHANNELS int8 values (channel c at bits
 * [8*c +: 8]), frames of HEIGHT x WIDTH pixels following each other without
 * gaps (input tlast and tuser are ignored: positions are counted, so frames
 * must be whole). Output: one pixel of CHANNELS int8 values per frame, with
 * tlast = 1 and tuser = 1 (it is a whole 1 x 1 frame).
 *
 * Arithmetic, n = HEIGHT*WIDTH, zp = ZP (the input's zero point, which the
 * output shares), C division truncating (tensorflow/lite/kernels/internal/
 * reference/; docs/arithmetic.md):
 *   ROUNDING 0, AVERAGE_POOL_2D (integer_ops/pooling.h AveragePool):
 *     acc[c] = sum over the frame of x[c]                        (int32)
 *     y[c]   = clamp(acc > 0 ? (acc + n/2) / n : (acc - n/2) / n, ACT_MIN, ACT_MAX)
 *   ROUNDING 1, TFLite MEAN with keep_dims on a 4-D input (integer_ops/
 *     mean.h Mean; its multiplier of s_in / s_out is 1 here):
 *     acc[c] = sum of (x[c] - zp)
 *     y[c]   = clamp((acc > 0 ? (acc + n/2) / n : (acc - n/2) / n) + zp, ACT_MIN, ACT_MAX)
 *   ROUNDING 2, TFLite's other MEAN (reduce.h Mean<int8_t, int>):
 *     y[c]   = clamp(acc / n, ACT_MIN, ACT_MAX), acc = sum of x[c]
 *   ROUNDING 3, TFLite Micro's MEAN (reduce.h QuantizedMeanOrSum):
 *     acc[c] = sum of (x[c] - zp)
 *     y[c]   = clamp(MultiplyByQuantizedMultiplier(acc, MEAN_MULT, MEAN_SHIFT) + zp,
 *                    ACT_MIN, ACT_MAX)
 * The last step is rf_pool_div: for ROUNDING 0 to 2 an exact reciprocal
 * multiplication by the constant n (Granlund and Montgomery, PLDI 1994),
 * proved equal to the C expression for every sum that can occur in its
 * header; for ROUNDING 3 MultiplyByQuantizedMultiplier by constants.
 *
 * Parameters
 *   HEIGHT, WIDTH  frame size in pixels, >= 1 each, 129*HEIGHT*WIDTH < 2^31
 *   CHANNELS       channels per pixel, >= 1
 *   ACT_MIN/MAX    output clamp, -128 <= ACT_MIN <= ACT_MAX <= 127 (input
 *                  and output share scale and zero point, as TFLite requires)
 *   ROUNDING       0 AVERAGE_POOL_2D, 1 TFLite MEAN (keep_dims, 4-D),
 *                  2 TFLite MEAN (truncating), 3 TFLite Micro MEAN
 *   ZP             the input's zero point, -128 .. 127 (ROUNDING 1, 3)
 *   MEAN_MULT, MEAN_SHIFT   ROUNDING 3: TFLite Micro's multiplier and shift
 *                  with 1/n folded in (gen/quant.c q_mean_multiplier)
 *
 * Structure
 *   accumulate: CHANNELS accumulators of SUM_WIDTH = $clog2((129 + |DZP|)*n
 *     + 1) + 1 bits add each accepted pixel; the frame's first pixel
 *     (position 0) adds to the constant -DZP*n instead, so no clearing cycle
 *     is needed and the sum is that of x - DZP (DZP = ZP for ROUNDING 1 and
 *     3, else 0). At the frame's
 *     last pixel (position n-1) the complete sums (accumulator + pixel) go
 *     into the result registers, and the next frame starts in the next cycle.
 *   divide: one rf_pool_div, serialized over the channels: while the result
 *     registers are busy, channel ch = 0 .. CHANNELS-1 of them is issued into
 *     it in each enabled cycle, and its clamped quotient is written into
 *     byte ch of the output register one enabled cycle later; m_axis_tvalid
 *     rises with the last channel.
 * Handshake
 *   ce = !m_axis_tvalid || m_axis_tready advances the divider, the issue and
 *   the output register (a result is written into the output register only
 *   while it is empty or being taken).
 *   s_axis_tready = position != n-1 || !busy || last_issue: only a frame's
 *   last pixel can wait, when the previous frame's sums still occupy the
 *   result registers; last_issue = ce && busy && ch == CHANNELS-1 frees them
 *   in the same cycle. The first n-1 pixels of a frame are always accepted.
 *   (s_axis_tready depends on m_axis_tready through ce; no valid depends on
 *   a ready.)
 *
 * Timing (no back-pressure): the frame's last pixel accepted in cycle t
 * loads the result registers (t); channel ch is issued in cycle t+1+ch,
 * divided (rf_pool_div stage) and written into the output register in cycle
 * t+2+ch; the last one, ch = CHANNELS-1, in cycle t+CHANNELS+1.
 *   LATENCY = CHANNELS + 2: m_axis_tvalid in cycle t + CHANNELS + 2.
 *   II: one frame per max(n, CHANNELS) cycles; the input is accepted at one
 *   pixel per cycle when n >= CHANNELS (a frame's sums are issued by the
 *   time the next frame completes). With n < CHANNELS the last pixel of
 *   each frame waits for the issue: max(n, CHANNELS) cycles per frame.
 *
 * Resources: 2 x CHANNELS x SUM_WIDTH flip-flops (accumulators and result
 * registers), CHANNELS adders of SUM_WIDTH bits, a CHANNELS:1 mux of
 * SUM_WIDTH bits, one rf_pool_div (one constant multiplication of SUM_WIDTH
 * bits), the CHANNELS*8 bit output register, position and channel counters.
 *
 * READY_REG = 1 (registered ready): ce = !m_axis_tvalid. m_axis_tready then
 * reaches only the output register's valid flag (emptied when the beat is
 * taken), never the pipeline enable or s_axis_tready, so the ready chain
 * between stages is cut here. Cost: the issue and the divider stand still
 * in every cycle the output register holds a beat (the accumulation goes
 * on), so a frame's result comes at most one cycle later: an output every
 * max(H*W, C + 1) cycles without back-pressure. LATENCY counts enabled
 * cycles as before.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_global_pool #(
    // frame height in pixels (>= 1)
    parameter HEIGHT = 8,
    // frame width in pixels (>= 1)
    parameter WIDTH = 8,
    // channels per pixel (>= 1)
    parameter CHANNELS = 1,
    // output clamp low (-128 .. ACT_MAX)
    parameter ACT_MIN = -128,
    // output clamp high (ACT_MIN .. 127)
    parameter ACT_MAX = 127,
    // 1: registered ready: ce = !m_axis_tvalid, m_axis_tready only empties
    //    the output register (no combinational path from m_axis_tready)
    parameter READY_REG = 0,
    // 0 AVERAGE_POOL_2D, 1 TFLite MEAN (keep_dims, 4-D), 2 TFLite MEAN
    // (truncating), 3 TFLite Micro MEAN
    parameter ROUNDING = 0,
    // the input's (and output's) zero point, -128 .. 127
    parameter ZP = 0,
    // ROUNDING 3: multiplier (0 .. 2^31 - 1) and shift (-31 .. 31), 1/n folded in
    parameter MEAN_MULT = 1073741824,
    parameter MEAN_SHIFT = 1
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire [CHANNELS*8-1:0] s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */
    // positions are counted, the contract says input tlast/tuser are ignored
    input  wire                  s_axis_tlast,
    input  wire                  s_axis_tuser,
    /* verilator lint_on UNUSEDSIGNAL */

    output wire [CHANNELS*8-1:0] m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,
    output wire                  m_axis_tlast,
    output wire                  m_axis_tuser
);

// frame's last pixel accepted in cycle t -> m_axis_tvalid in cycle t + LATENCY
localparam LATENCY /*verilator public*/ = CHANNELS + 2;
// pixels per frame: the divisor
localparam COUNT = HEIGHT * WIDTH;
// the zero point subtracted from each value, and rf_pool_div's rounding
localparam DZP = ROUNDING == 1 || ROUNDING == 3 ? ZP : 0;
localparam DIV_ROUNDING = ROUNDING == 3 ? 2 : ROUNDING == 2 ? 1 : 0;
// width of a channel's frame sum (rf_pool_div's SUM_WIDTH)
localparam SUM_WIDTH = $clog2((129 + (DZP < 0 ? -DZP : DZP)) * COUNT + 1) + 1;
// the sum's start, -DZP * COUNT (|DZP| * COUNT < 2^SUM_WIDTH / 2)
localparam integer SUM0_I = -DZP * COUNT;
localparam signed [SUM_WIDTH-1:0] SUM0 = SUM0_I[SUM_WIDTH-1:0];
localparam NW = COUNT > 1 ? $clog2(COUNT) : 1;
localparam CW = CHANNELS > 1 ? $clog2(CHANNELS) : 1;
localparam [NW-1:0] N_LAST = COUNT[NW-1:0] - 1'b1;
localparam [CW-1:0] C_LAST = CHANNELS[CW-1:0] - 1'b1;

initial begin
    if (READY_REG != 0 && READY_REG != 1) begin
        $error("READY_REG must be 0 or 1 (instance %m)");
        $finish;
    end
    if (HEIGHT < 1 || WIDTH < 1) begin
        $error("HEIGHT and WIDTH must be >= 1 (instance %m)");
        $finish;
    end
    if (COUNT > 8000000) begin
        $error("HEIGHT*WIDTH must be at most 8000000 (instance %m)");
        $finish;
    end
    if (ROUNDING < 0 || ROUNDING > 3) begin
        $error("ROUNDING must be 0, 1, 2 or 3 (instance %m)");
        $finish;
    end
    // ZP is checked by rf_pool_div, which gets it whenever it is used
    if (CHANNELS < 1) begin
        $error("CHANNELS must be >= 1 (instance %m)");
        $finish;
    end
    if (ACT_MIN < -128 || ACT_MAX > 127 || ACT_MIN > ACT_MAX) begin
        $error("need -128 <= ACT_MIN <= ACT_MAX <= 127 (instance %m)");
        $finish;
    end
    if (LATENCY != CHANNELS + 2) begin
        $error("rf_global_pool LATENCY must be CHANNELS + 2 (instance %m)");
        $finish;
    end
end

wire ce = !m_axis_tvalid || (READY_REG == 0 && m_axis_tready);

// ---- accumulate ----
// position of the next pixel in its frame
reg [NW-1:0] pos_reg = {NW{1'b0}}, pos_next;
// the result registers hold sums not yet issued, and the next channel to issue
reg busy_reg = 1'b0, busy_next;
reg [CW-1:0] ch_reg = {CW{1'b0}}, ch_next;

wire first_pix = pos_reg == {NW{1'b0}};
wire last_pix = pos_reg == N_LAST;
wire issue = ce && busy_reg;
wire last_issue = issue && ch_reg == C_LAST;

assign s_axis_tready = !last_pix || !busy_reg || last_issue;

wire s_xfer = s_axis_tvalid && s_axis_tready;
wire load = s_xfer && last_pix;

always @* begin
    pos_next = pos_reg;
    busy_next = busy_reg;
    ch_next = ch_reg;

    if (s_xfer) begin
        pos_next = last_pix ? {NW{1'b0}} : pos_reg + 1'b1;
    end
    if (issue) begin
        ch_next = ch_reg == C_LAST ? {CW{1'b0}} : ch_reg + 1'b1;
        if (ch_reg == C_LAST) begin
            busy_next = 1'b0;
        end
    end
    if (load) begin
        busy_next = 1'b1;
    end
end

// result registers, channel c at [c*SUM_WIDTH +: SUM_WIDTH]
reg [CHANNELS*SUM_WIDTH-1:0] res_reg;

genvar c;
generate
    for (c = 0; c < CHANNELS; c = c + 1) begin : g_ch
        wire [7:0] x = s_axis_tdata[8*c +: 8];
        wire signed [SUM_WIDTH-1:0] xs = {{(SUM_WIDTH - 7){x[7]}}, x[6:0]};
        reg signed [SUM_WIDTH-1:0] acc_reg;
        // sum including this pixel (the first pixel of a frame starts it at -DZP*n)
        wire signed [SUM_WIDTH-1:0] sum = (first_pix ? SUM0 : acc_reg) + xs;

        always @(posedge clk) begin
            if (s_xfer) begin
                acc_reg <= sum;
            end
            if (load) begin
                res_reg[c*SUM_WIDTH +: SUM_WIDTH] <= sum;
            end
        end
    end
endgenerate

// ---- divide, serialized over the channels ----
wire [7:0] y;
// the divider stage holds a quotient, of channel d_ch, the last channel
reg d_valid_reg = 1'b0;
reg [CW-1:0] d_ch_reg;
reg d_last_reg;

rf_pool_div #(
    .COUNT(COUNT),
    .ZP(DZP),
    .ROUNDING(DIV_ROUNDING),
    .MEAN_MULT(MEAN_MULT),
    .MEAN_SHIFT(MEAN_SHIFT),
    .SUM_WIDTH(SUM_WIDTH),
    .ACT_MIN(ACT_MIN),
    .ACT_MAX(ACT_MAX)
) u_div (
    .clk(clk),
    .ce(ce),
    .sum(res_reg[ch_reg*SUM_WIDTH +: SUM_WIDTH]),
    .y(y)
);

// ---- output register ----
reg [CHANNELS*8-1:0] out_reg;
reg out_valid_reg = 1'b0;

assign m_axis_tdata = out_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = 1'b1;
assign m_axis_tuser = 1'b1;

always @(posedge clk) begin
    pos_reg <= pos_next;
    busy_reg <= busy_next;
    ch_reg <= ch_next;

    if (ce) begin
        d_valid_reg <= busy_reg;
        d_ch_reg <= ch_reg;
        d_last_reg <= ch_reg == C_LAST;
        if (d_valid_reg) begin
            out_reg[d_ch_reg*8 +: 8] <= y;
        end
        out_valid_reg <= d_valid_reg && d_last_reg;
    end

    if (READY_REG != 0 && m_axis_tvalid && m_axis_tready) begin
        out_valid_reg <= 1'b0;
    end

    if (rst) begin
        pos_reg <= {NW{1'b0}};
        busy_reg <= 1'b0;
        ch_reg <= {CW{1'b0}};
        d_valid_reg <= 1'b0;
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
