/*
 * rf_pool - max or average pooling of the K x K windows produced by
 * rf_window (TFLite int8 MAX_POOL_2D / AVERAGE_POOL_2D), all channels in
 * parallel, one window per cycle.
 *
 * Input: one window beat, K x K x CHANNELS int8 values, element (kh, kw, c)
 * at index i = (kh*K + kw)*CHANNELS + c, bits [8*i +: 8]. Output: one pixel
 * of CHANNELS int8 values, channel c at bits [8*c +: 8]; tlast/tuser passed
 * from the input beat.
 *
 * Arithmetic (tensorflow/lite/kernels/internal/reference/integer_ops/
 * pooling.h):
 *   MODE 0, MaxPool:
 *     y[c] = clamp(max over (kh, kw) of x[kh][kw][c], ACT_MIN, ACT_MAX)
 *     TFLite skips taps outside the image; rf_window pads them with
 *     PAD_VALUE, and the generator passes -128, which never exceeds a tap
 *     inside (every window has at least one), so the maximum is the same.
 *   MODE 1, AveragePool, 'valid' windows only (filter_count = K*K):
 *     acc[c] = sum over (kh, kw) of x[kh][kw][c]                (int32)
 *     y[c]   = clamp(acc > 0 ? (acc + n/2) / n : (acc - n/2) / n,
 *                    ACT_MIN, ACT_MAX),  n = K*K, C division (truncating)
 *     The division is rf_pool_div: an exact reciprocal multiplication by the
 *     constant (Granlund and Montgomery, PLDI 1994), with the proof that it
 *     equals the C expression for every sum that can occur in its header.
 *     TFLite divides by the number of taps inside the image; with padding
 *     the window's pad taps would be counted, so the generator must use
 *     'valid' windows (all pads 0) for average pooling.
 *
 * Parameters
 *   KERNEL       window size K, >= 1
 *   CHANNELS     channels per pixel, >= 1
 *   MODE         0: max pooling, 1: average pooling
 *   ACT_MIN/MAX  output clamp, -128 <= ACT_MIN <= ACT_MAX <= 127 (the
 *                input's zero point and scale carry over: TFLite requires
 *                equal input and output quantization for pooling)
 *
 * Handshake: one pipeline enable ce = !m_axis_tvalid || m_axis_tready moves
 * every stage; s_axis_tready = ce (a beat enters whenever the pipeline
 * advances; s_axis_tready depends on m_axis_tready, never a valid on a
 * ready).
 *
 * Pipeline (from the input transfer in cycle t, no back-pressure):
 *   stage 1   balanced tree over the K*K taps of each channel (max of int8,
 *             or sum in SUM_WIDTH = $clog2(129*K*K + 1) + 1 bits) straight
 *             from s_axis_tdata into a register
 *   MODE 1:   rf_pool_div stage: |sum| + n/2, times the reciprocal,
 *             quotient and sign registered
 *   output    clamp (MODE 0) or rf_pool_div's sign and clamp (MODE 1) into
 *             the output register
 *   LATENCY = 2 + MODE cycles: 2 for max, 3 for average; m_axis_tvalid in
 *   cycle t + LATENCY. II = 1: one window per cycle.
 *
 * Resources: per channel, K*K - 1 comparators of 8 bits (max) or adders of
 * SUM_WIDTH bits (average) and, for average, one rf_pool_div (a constant
 * multiplication of SUM_WIDTH bits); CHANNELS x (8 or SUM_WIDTH) stage-1
 * flip-flops, CHANNELS x 9 more for average, CHANNELS x 8 output register,
 * LATENCY valid/tlast/tuser flags.
 *
 * READY_REG = 1 (registered ready): ce = !m_axis_tvalid. m_axis_tready then
 * reaches only the output register's valid flag (emptied when the beat is
 * taken), never the pipeline enable or s_axis_tready, so the ready chain
 * between stages is cut here. Cost: the pipeline stands still in every
 * cycle the output register holds a beat, at least one cycle per output
 * (an output every II + 1 cycles at best). LATENCY counts enabled cycles
 * as before.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_pool #(
    // window size (>= 1)
    parameter KERNEL = 2,
    // channels per pixel (>= 1)
    parameter CHANNELS = 1,
    // 0: max pooling, 1: average pooling
    parameter MODE = 0,
    // output clamp low (-128 .. ACT_MAX)
    parameter ACT_MIN = -128,
    // output clamp high (ACT_MIN .. 127)
    parameter ACT_MAX = 127,
    // 1: registered ready: ce = !m_axis_tvalid, m_axis_tready only empties
    //    the output register (no combinational path from m_axis_tready)
    parameter READY_REG = 0
) (
    input  wire                                  clk,
    input  wire                                  rst,

    input  wire [KERNEL*KERNEL*CHANNELS*8-1:0]   s_axis_tdata,
    input  wire                                  s_axis_tvalid,
    output wire                                  s_axis_tready,
    input  wire                                  s_axis_tlast,
    input  wire                                  s_axis_tuser,

    output wire [CHANNELS*8-1:0]                 m_axis_tdata,
    output wire                                  m_axis_tvalid,
    input  wire                                  m_axis_tready,
    output wire                                  m_axis_tlast,
    output wire                                  m_axis_tuser
);

// input transfer in cycle t -> m_axis_tvalid in cycle t + LATENCY
localparam LATENCY /*verilator public*/ = 2 + MODE;
// taps per window: the average's divisor
localparam COUNT = KERNEL * KERNEL;
// width of a channel's window sum (rf_pool_div's SUM_WIDTH)
localparam SUM_WIDTH = $clog2(129 * COUNT + 1) + 1;
// width of the tree nodes: int8 for max, the sum for average
localparam TW = MODE == 1 ? SUM_WIDTH : 8;
// ACT_MIN, ACT_MAX (int8, checked below)
localparam signed [7:0] ACT_MIN8 = ACT_MIN[7:0];
localparam signed [7:0] ACT_MAX8 = ACT_MAX[7:0];

initial begin
    if (READY_REG != 0 && READY_REG != 1) begin
        $error("READY_REG must be 0 or 1 (instance %m)");
        $finish;
    end
    if (KERNEL < 1) begin
        $error("KERNEL must be >= 1 (instance %m)");
        $finish;
    end
    if (CHANNELS < 1) begin
        $error("CHANNELS must be >= 1 (instance %m)");
        $finish;
    end
    if (MODE != 0 && MODE != 1) begin
        $error("MODE must be 0 (max) or 1 (average) (instance %m)");
        $finish;
    end
    if (ACT_MIN < -128 || ACT_MAX > 127 || ACT_MIN > ACT_MAX) begin
        $error("need -128 <= ACT_MIN <= ACT_MAX <= 127 (instance %m)");
        $finish;
    end
end

wire ce = !m_axis_tvalid || (READY_REG == 0 && m_axis_tready);
wire in_xfer = s_axis_tvalid && s_axis_tready;

assign s_axis_tready = ce;

// valid, tlast, tuser of each stage; bit LATENCY-1 is the output register
reg [LATENCY-1:0] valid_reg = {LATENCY{1'b0}};
reg [LATENCY-1:0] last_reg;
reg [LATENCY-1:0] user_reg;
reg [CHANNELS*8-1:0] out_reg;

assign m_axis_tvalid = valid_reg[LATENCY-1];
assign m_axis_tlast = last_reg[LATENCY-1];
assign m_axis_tuser = user_reg[LATENCY-1];
assign m_axis_tdata = out_reg;

always @(posedge clk) begin
    if (ce) begin
        valid_reg <= {valid_reg[LATENCY-2:0], in_xfer};
        last_reg <= {last_reg[LATENCY-2:0], s_axis_tlast};
        user_reg <= {user_reg[LATENCY-2:0], s_axis_tuser};
    end

    if (READY_REG != 0 && m_axis_tvalid && m_axis_tready) begin
        valid_reg[LATENCY-1] <= 1'b0;
    end

    if (rst) begin
        valid_reg <= {LATENCY{1'b0}};
    end
end

genvar c, i;
generate
    for (c = 0; c < CHANNELS; c = c + 1) begin : g_ch
        // balanced tree in heap order: node i < COUNT-1 combines nodes 2i+1
        // and 2i+2, leaves COUNT-1 .. 2*COUNT-2 are the taps; depth
        // $clog2(COUNT)
        for (i = 0; i < 2 * COUNT - 1; i = i + 1) begin : g_node
            wire signed [TW-1:0] v;
            if (i >= COUNT - 1) begin : g_leaf
                wire [7:0] x = s_axis_tdata[((i - COUNT + 1) * CHANNELS + c) * 8 +: 8];
                assign v = {{(TW - 7){x[7]}}, x[6:0]};
            end else if (MODE == 1) begin : g_add
                assign v = g_node[2 * i + 1].v + g_node[2 * i + 2].v;
            end else begin : g_max
                assign v = g_node[2 * i + 1].v > g_node[2 * i + 2].v ? g_node[2 * i + 1].v : g_node[2 * i + 2].v;
            end
        end

        // stage 1: the tree's root
        reg signed [TW-1:0] root_reg;

        always @(posedge clk) begin
            if (ce) begin
                root_reg <= g_node[0].v;
            end
        end

        if (MODE == 1) begin : g_avg
            wire [7:0] y;

            rf_pool_div #(
                .COUNT(COUNT),
                .SUM_WIDTH(SUM_WIDTH),
                .ACT_MIN(ACT_MIN),
                .ACT_MAX(ACT_MAX)
            ) u_div (
                .clk(clk),
                .ce(ce),
                .sum(root_reg),
                .y(y)
            );

            always @(posedge clk) begin
                if (ce) begin
                    out_reg[8*c +: 8] <= y;
                end
            end
        end else begin : g_max_out
            always @(posedge clk) begin
                if (ce) begin
                    out_reg[8*c +: 8] <= root_reg < ACT_MIN8 ? ACT_MIN8 :
                                         (root_reg > ACT_MAX8 ? ACT_MAX8 : root_reg);
                end
            end
        end
    end
endgenerate

endmodule

`resetall
