/*
 * rf_conv_mac - convolution MAC array with PE/SIMD folding and per-channel
 * requantization (TFLite int8 ConvPerChannel).
 *
 * Input (STREAM = 0): one window beat per output pixel (K x K x IN_CH int8,
 * element i in window order at bits [8*i +: 8]; K = 1: a pixel).
 * Input (STREAM = 1, from rf_window_fold): each window as SF*NF beats of
 * SIMD elements in step order (below): beat (nf, sf) holds window elements
 * sf*SIMD .. sf*SIMD + SIMD-1, so the window comes NF times; tuser is taken
 * from a window's first beat, tlast from its last.
 * Output: one pixel of OUT_CH int8 values, tlast/tuser of its window.
 *
 * Arithmetic (tensorflow/lite/kernels/internal/reference/integer_ops/conv.h,
 * ConvPerChannel; MultiplyByQuantizedMultiplier from internal/common.h and
 * gemmlowp fixedpoint.h, see rf_requant):
 *   acc[oc] = bias[oc] + sum_i (x_i - IN_ZP) * w[oc][i]        (int32)
 *   y[oc]   = clamp(MBQM(acc[oc], mult[oc], shift[oc]) + OUT_ZP, ACT_MIN, ACT_MAX)
 *
 * Folding: SF = K*K*IN_CH / SIMD steps cover the window, NF = OUT_CH / PE
 * neuron folds cover the output channels; each step multiplies SIMD window
 * elements by PE x SIMD weights (PE lanes, each a SIMD-wide dot product).
 * Step order: nf = 0 .. NF-1, within it sf = 0 .. SF-1.
 *
 * Parameters
 *   KERNEL       window size K, odd, >= 1 (1: the input is a pixel)
 *   IN_CH        input channels, >= 1
 *   OUT_CH       output channels, >= 1
 *   PE           output channels computed in parallel, divides OUT_CH
 *   SIMD         window elements per step, divides K*K*IN_CH
 *   IN_ZP        input zero point, -128 .. 127
 *   OUT_ZP       output zero point, -128 .. 127
 *   ACT_MIN/MAX  output clamp, -128 <= ACT_MIN <= ACT_MAX <= 127
 *   WEIGHT_FILE  $readmemh file, NF*SF words of PE*SIMD*8 bits: word nf*SF+sf,
 *                lane (pe, s) at bits [(pe*SIMD+s)*8 +: 8] =
 *                weight[nf*PE+pe][sf*SIMD+s]
 *   BIAS_FILE    NF words of PE*32 bits, lane pe = bias[nf*PE+pe] (int32)
 *   MULT_FILE    NF words of PE*32 bits, multipliers (int32)
 *   SHIFT_FILE   NF words of PE*8 bits, shifts (int8, TFLite sign, -31 .. 31)
 *   SHIFT_MIN, SHIFT_MAX   min and max of those shifts (the requantizer's
 *                shifters cover only them; gen/emit.c passes the layer's)
 *   RQ_DIGIT     0: rf_requant (a 32 x 32 multiplier, 5 stages, II = 1);
 *                1, 2, 4, 8: rf_requant_serial with DIGIT = RQ_DIGIT
 *                (R = ceil(31/RQ_DIGIT) steps, R + 4 stages), which needs
 *                SF >= R + 1 (one accumulator every SF cycles) and
 *                multipliers >= 0
 *   STREAM       0: a window per beat, held in an input register;
 *                1: SIMD elements per beat (needs SF >= 2), no input register
 *
 * Handshake: global pipeline enable ce = !m_axis_tvalid || m_axis_tready.
 * STREAM = 0: the input window is held in a register while its NF*SF steps
 * are issued, one per enabled cycle; the next window is accepted in the
 * cycle the last step is issued: s_axis_tready = ce && (!busy || last step).
 * STREAM = 1: every beat is a step, s_axis_tready = ce.
 *
 * Pipeline (from the input transfer in cycle t, no back-pressure):
 *   t                  window into the input register
 *   t+1 .. t+SF*NF     steps: products of the SIMD slice and the weight word
 *                      (ROM read one cycle ahead), accumulated with the bias
 *                      at sf = 0; when folded (SF > 1, PIPE = 3) the slice
 *                      and the weights are registered first, then the
 *                      products, then their SIMD-way sum, and the
 *                      accumulator follows 3 cycles later (SIMD = 1:
 *                      PIPE = 2, the product is the sum)
 *   +RQ_LAT            requantization of each fold's accumulator: rf_requant
 *                      (RQ_LAT 5) or rf_requant_serial (RQ_LAT R + 6: its
 *                      R + 4, then the clamp's comparisons registered, then
 *                      + OUT_ZP and the clamp, registered)
 *   +1                 + OUT_ZP, clamp into the fold's slice of the output
 *                      register; valid after the last fold
 *   LATENCY = SF*NF + 2 + PIPE + RQ_LAT: m_axis_tvalid in cycle t + LATENCY
 *   (SF*NF + 7 unfolded, with rf_requant).
 *   STREAM = 1: the steps are the beats, t .. t + SF*NF - 1 from the first
 *   beat's transfer in cycle t, and LATENCY = SF*NF + 1 + PIPE + RQ_LAT
 *   (2 + PIPE + RQ_LAT after the last beat).
 *   II = SF*NF cycles per output pixel.
 *   What goes with an accumulator through the requantizer (its fold,
 *   tlast, tuser) moves down RQ_LAT registers with rf_requant, and through a
 *   2-entry queue with rf_requant_serial (at most 2 in flight), whose valid
 *   flag is its y_next delayed by the clamp's registers (3 flip-flops).
 *
 * Resources: PE*SIMD 9 x 8 bit multipliers, PE adder trees, PE rf_requant
 * (32 x 32 multipliers) or rf_requant_serial (one 64-bit adder each), ROMs of NF*SF*PE*SIMD*8 (weights) and
 * NF*PE*(32+32+8) bits read synchronously (iCE40 EBR when large), the
 * K*K*IN_CH*8 bit input register (STREAM = 0) and the OUT_CH*8 bit output
 * register.
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

module rf_conv_mac #(
    // window size (odd, >= 1; 1: the input is a pixel)
    parameter KERNEL = 1,
    // input channels (>= 1)
    parameter IN_CH = 1,
    // output channels (>= 1)
    parameter OUT_CH = 1,
    // output channels in parallel (divides OUT_CH)
    parameter PE = 1,
    // window elements in parallel (divides KERNEL*KERNEL*IN_CH)
    parameter SIMD = 1,
    // input zero point (-128 .. 127)
    parameter IN_ZP = 0,
    // output zero point (-128 .. 127)
    parameter OUT_ZP = 0,
    // output clamp low (-128 .. ACT_MAX)
    parameter ACT_MIN = -128,
    // output clamp high (ACT_MIN .. 127)
    parameter ACT_MAX = 127,
    // weights ($readmemh; NF*SF words of PE*SIMD*8 bits)
    parameter WEIGHT_FILE = "weights.mem",
    // biases ($readmemh; NF words of PE*32 bits)
    parameter BIAS_FILE = "bias.mem",
    // multipliers ($readmemh; NF words of PE*32 bits)
    parameter MULT_FILE = "mult.mem",
    // shifts ($readmemh; NF words of PE*8 bits)
    parameter SHIFT_FILE = "shift.mem",
    // the range of the shifts in SHIFT_FILE (-31 .. 31): the requantizer's
    // shifters cover only it
    parameter SHIFT_MIN = -31,
    parameter SHIFT_MAX = 31,
    // requantizer: 0 parallel (rf_requant), else serial digit bits (1, 2, 4, 8)
    parameter RQ_DIGIT = 0,
    // input: 0 one window per beat, 1 SIMD elements per beat (rf_window_fold)
    parameter STREAM = 0,
    // 1: registered ready: ce = !m_axis_tvalid, m_axis_tready only empties
    //    the output register (no combinational path from m_axis_tready)
    parameter READY_REG = 0
) (
    input  wire                              clk,
    input  wire                              rst,

    input  wire [(STREAM != 0 ? SIMD : KERNEL*KERNEL*IN_CH)*8-1:0] s_axis_tdata,
    input  wire                              s_axis_tvalid,
    output wire                              s_axis_tready,
    input  wire                              s_axis_tlast,
    input  wire                              s_axis_tuser,

    output wire [OUT_CH*8-1:0]               m_axis_tdata,
    output wire                              m_axis_tvalid,
    input  wire                              m_axis_tready,
    output wire                              m_axis_tlast,
    output wire                              m_axis_tuser
);

localparam KKC = KERNEL * KERNEL * IN_CH;
localparam SF = KKC / SIMD;
localparam NF = OUT_CH / PE;
// cycles per output pixel
localparam II = SF * NF;
// requantizer stages: rf_requant 5, rf_requant_serial R + 4
localparam RQ_STEPS = RQ_DIGIT > 0 ? (31 + RQ_DIGIT - 1) / RQ_DIGIT : 0;
// rf_requant_serial's R + 4, a register after the clamp's comparisons and
// one after + OUT_ZP and the clamp (the requantizer's 32-bit result compared
// against the clamp bounds is a carry chain too long to feed the output
// register directly, and on the HX8K still too long with the selection)
localparam RQ_LAT = RQ_DIGIT > 0 ? RQ_STEPS + 6 : 5;
// folded (SF > 1): the window slice and the weights are registered, then
// the dot product, before the accumulator (2 stages)
localparam PIPE = SF > 1 ? (SIMD > 1 ? 3 : 2) : 0;
// input transfer (STREAM: the window's first beat) in cycle t -> m_axis_tvalid
// in cycle t + LATENCY
localparam LATENCY = II + (STREAM != 0 ? 1 : 2) + PIPE + RQ_LAT;
localparam SFW = SF > 1 ? $clog2(SF) : 1;
localparam NFW = NF > 1 ? $clog2(NF) : 1;
localparam AW = II > 1 ? $clog2(II) : 1;
localparam [SFW-1:0] SF_LAST = SF[SFW-1:0] - 1'b1;
localparam [NFW-1:0] NF_LAST = NF[NFW-1:0] - 1'b1;
localparam [AW-1:0] A_LAST = II[AW-1:0] - 1'b1;
localparam signed [8:0] IN_ZP9 = IN_ZP[8:0];
// OUT_ZP, ACT_MIN, ACT_MAX (int8, checked below) sign-extended to 33 bits
localparam signed [32:0] OUT_ZP33 = {{25{OUT_ZP[7]}}, OUT_ZP[7:0]};
localparam signed [32:0] ACT_MIN33 = {{25{ACT_MIN[7]}}, ACT_MIN[7:0]};
localparam signed [32:0] ACT_MAX33 = {{25{ACT_MAX[7]}}, ACT_MAX[7:0]};
// the clamp compares y itself, before OUT_ZP is added: y + OUT_ZP < ACT_MIN
// is y < ACT_MIN - OUT_ZP (likewise ACT_MAX), and in range the output is
// y[7:0] + OUT_ZP[7:0]; so the 32-bit compares do not wait for an adder
localparam signed [32:0] Y_LO33 = ACT_MIN33 - OUT_ZP33;
localparam signed [32:0] Y_HI33 = ACT_MAX33 - OUT_ZP33;
localparam signed [8:0] Y_LO9 = Y_LO33[8:0];
localparam signed [8:0] Y_HI9 = Y_HI33[8:0];
// width of a SIMD dot product: 17-bit products, SIMD of them
localparam DOTW = 17 + $clog2(SIMD + 1);

initial begin
    if (READY_REG != 0 && READY_REG != 1) begin
        $error("READY_REG must be 0 or 1 (instance %m)");
        $finish;
    end
    if (KERNEL < 1 || KERNEL % 2 != 1) begin
        $error("KERNEL must be odd and >= 1 (instance %m)");
        $finish;
    end
    if (IN_CH < 1 || OUT_CH < 1) begin
        $error("IN_CH and OUT_CH must be >= 1 (instance %m)");
        $finish;
    end
    if (PE < 1 || OUT_CH % PE != 0) begin
        $error("PE must divide OUT_CH (instance %m)");
        $finish;
    end
    if (SIMD < 1 || KKC % SIMD != 0) begin
        $error("SIMD must divide KERNEL*KERNEL*IN_CH (instance %m)");
        $finish;
    end
    if (IN_ZP < -128 || IN_ZP > 127 || OUT_ZP < -128 || OUT_ZP > 127) begin
        $error("zero points must be in -128 .. 127 (instance %m)");
        $finish;
    end
    if (ACT_MIN < -128 || ACT_MAX > 127 || ACT_MIN > ACT_MAX) begin
        $error("need -128 <= ACT_MIN <= ACT_MAX <= 127 (instance %m)");
        $finish;
    end
    if (RQ_DIGIT != 0 && RQ_DIGIT != 1 && RQ_DIGIT != 2 && RQ_DIGIT != 4 && RQ_DIGIT != 8) begin
        $error("RQ_DIGIT must be 0, 1, 2, 4 or 8 (instance %m)");
        $finish;
    end
    if (RQ_DIGIT > 0 && SF < RQ_STEPS + 1) begin
        $error("a serial requantizer (RQ_DIGIT %0d) needs SF >= %0d (instance %m)", RQ_DIGIT, RQ_STEPS + 1);
        $finish;
    end
    if (LATENCY != II + (STREAM != 0 ? 1 : 2) + PIPE + RQ_LAT) begin
        $error("rf_conv_mac LATENCY must be II + 2 + PIPE + RQ_LAT (STREAM: II + 1 + PIPE + RQ_LAT) (instance %m)");
        $finish;
    end
    if (STREAM != 0 && (STREAM != 1 || SF < 2)) begin
        $error("STREAM must be 0, or 1 with SF >= 2 (instance %m)");
        $finish;
    end
end

// ---- ROMs (synchronous read) ----
reg [PE*SIMD*8-1:0] weight_rom [0:II-1];
reg [PE*32-1:0] bias_rom [0:NF-1];
reg [PE*32-1:0] mult_rom [0:NF-1];
reg [PE*8-1:0] shift_rom [0:NF-1];

initial begin
    $readmemh(WEIGHT_FILE, weight_rom);
    $readmemh(BIAS_FILE, bias_rom);
    $readmemh(MULT_FILE, mult_rom);
    $readmemh(SHIFT_FILE, shift_rom);
end

// ---- input register (STREAM = 0) and step counters ----
reg win_last_reg;
reg win_user_reg;
reg busy_reg = 1'b0, busy_next;
reg [SFW-1:0] sf_reg = {SFW{1'b0}}, sf_next;
reg [NFW-1:0] nf_reg = {NFW{1'b0}}, nf_next;
// weight word of the current step, nf*SF + sf
reg [AW-1:0] addr_reg = {AW{1'b0}}, addr_next;

wire ce = !m_axis_tvalid || (READY_REG == 0 && m_axis_tready);
// STREAM: a step per input beat; else per enabled cycle while a window is held
wire step = ce && (STREAM != 0 ? s_axis_tvalid : busy_reg);
wire sf_last = sf_reg == SF_LAST;
wire last_step = sf_last && nf_reg == NF_LAST;
wire s_xfer = s_axis_tvalid && s_axis_tready;

assign s_axis_tready = ce && (STREAM != 0 || !busy_reg || last_step);

always @* begin
    busy_next = busy_reg;
    sf_next = sf_reg;
    nf_next = nf_reg;
    addr_next = addr_reg;

    if (step) begin
        sf_next = sf_last ? {SFW{1'b0}} : sf_reg + 1'b1;
        if (sf_last) begin
            nf_next = nf_reg == NF_LAST ? {NFW{1'b0}} : nf_reg + 1'b1;
        end
        addr_next = addr_reg == A_LAST ? {AW{1'b0}} : addr_reg + 1'b1;
        if (last_step) begin
            busy_next = 1'b0;
        end
    end
    if (s_xfer) begin
        busy_next = 1'b1;
    end
end

// ROM words for the step issued next (read one cycle ahead), and the
// requantization constants of the step just issued (used with its result);
// the biases are read for the accumulator (acc_b, below)
reg [PE*SIMD*8-1:0] w_reg;
reg [PE*32-1:0] m_reg;
reg [PE*8-1:0] sh_reg;

always @(posedge clk) begin
    if (ce) begin
        w_reg <= weight_rom[addr_next];
        m_reg <= mult_rom[acc_nf];
        sh_reg <= shift_rom[acc_nf];
    end
    // STREAM: tuser comes with a window's first beat, tlast with its last
    if (s_xfer && (STREAM == 0 || (sf_reg == {SFW{1'b0}} && nf_reg == {NFW{1'b0}}))) begin
        win_last_reg <= s_axis_tlast;
        win_user_reg <= s_axis_tuser;
    end
end

// ---- products and accumulators ----
// the step's SIMD slice, and its window's tlast and tuser
wire [SIMD*8-1:0] x_slice;
wire cur_last = STREAM != 0 ? s_axis_tlast : win_last_reg;
generate
    if (STREAM != 0) begin : g_stream
        assign x_slice = s_axis_tdata;
    end else begin : g_hold
        reg [KKC*8-1:0] win_reg;
        always @(posedge clk) begin
            if (s_xfer) begin
                win_reg <= s_axis_tdata;
            end
        end
        assign x_slice = win_reg[sf_reg*SIMD*8 +: SIMD*8];
    end
endgenerate
// the dot products' operands, and what the accumulators see: the step
// itself (PIPE = 0) or the step PIPE enabled cycles later (PIPE = 2, 3).
// dx holds x - IN_ZP, 9 bits per element (-255 .. 255): with PIPE the
// subtraction is done before the register, off the multiplier's path
wire [SIMD*9-1:0] dx;
wire [SIMD*9-1:0] x_centred;
genvar xs;
generate
    for (xs = 0; xs < SIMD; xs = xs + 1) begin : g_centre
        assign x_centred[9*xs +: 9] = $signed({x_slice[8*xs+7], x_slice[8*xs +: 8]}) - IN_ZP9;
    end
endgenerate
wire [PE*SIMD*8-1:0] dw;
wire acc_v;                     // accumulate a dot product
wire acc_first;                 // it is the fold's first (sf = 0): start from the bias
wire acc_lsf;                   // it is the fold's last (sf = SF - 1)
wire [NFW-1:0] acc_nf;          // its fold
wire acc_last, acc_user;        // its window's tlast, tuser
wire [PE*32-1:0] acc_b;         // its fold's biases
generate
    if (PIPE == 0) begin : g_nopipe
        assign dx = x_centred;
        assign dw = w_reg;
        assign acc_v = step;
        assign acc_first = sf_reg == {SFW{1'b0}};
        assign acc_lsf = sf_last;
        assign acc_nf = nf_reg;
        assign acc_last = cur_last;
        assign acc_user = win_user_reg;
        reg [PE*32-1:0] b_reg;
        always @(posedge clk) begin
            if (ce) begin
                b_reg <= bias_rom[nf_next];
            end
        end
        assign acc_b = b_reg;
    end else begin : g_pipe
        reg [SIMD*9-1:0] x1_reg;
        reg [PE*SIMD*8-1:0] w1_reg;
        reg [PIPE-1:0] v_reg = {PIPE{1'b0}};
        reg [PIPE-1:0] first_reg;
        reg [PIPE-1:0] lsf_reg;
        reg [PIPE*NFW-1:0] nf_pipe;
        reg [PIPE-1:0] last_reg;
        reg [PIPE-1:0] user_reg;
        // the biases of the fold the accumulator sees: read one enabled
        // cycle ahead from the fold one stage down the pipe (not carried
        // down it: 2*PE*32 flip-flops fewer)
        reg [PE*32-1:0] b2_reg;
        always @(posedge clk) begin
            if (ce) begin
                x1_reg <= x_centred;
                w1_reg <= w_reg;
                v_reg <= {v_reg[PIPE-2:0], step};
                first_reg <= {first_reg[PIPE-2:0], sf_reg == {SFW{1'b0}}};
                lsf_reg <= {lsf_reg[PIPE-2:0], sf_last};
                nf_pipe <= {nf_pipe[0 +: (PIPE-1)*NFW], nf_reg};
                last_reg <= {last_reg[PIPE-2:0], cur_last};
                user_reg <= {user_reg[PIPE-2:0], win_user_reg};
                b2_reg <= bias_rom[nf_pipe[(PIPE-2)*NFW +: NFW]];
            end
            if (rst) begin
                v_reg <= {PIPE{1'b0}};
            end
        end
        assign dx = x1_reg;
        assign dw = w1_reg;
        assign acc_v = ce && v_reg[PIPE-1];
        assign acc_first = first_reg[PIPE-1];
        assign acc_lsf = lsf_reg[PIPE-1];
        assign acc_nf = nf_pipe[(PIPE-1)*NFW +: NFW];
        assign acc_last = last_reg[PIPE-1];
        assign acc_user = user_reg[PIPE-1];
        assign acc_b = b2_reg;
    end
endgenerate
// accumulator valid (fold complete), its fold, last fold, tlast, tuser;
// then the same through the RQ_LAT requant stages
reg a_valid_reg = 1'b0;
reg [NFW-1:0] a_nf_reg;
reg a_lastf_reg;
reg a_last_reg;
reg a_user_reg;
// what goes with each accumulator through the requantizer, {fold, last
// fold, tlast, tuser}: a_tag in, y_tag out with y_valid
localparam TW = NFW + 3;
wire [TW-1:0] a_tag = {a_nf_reg, a_lastf_reg, a_last_reg, a_user_reg};
wire [TW-1:0] y_tag;

// ---- output register ----
reg [OUT_CH*8-1:0] out_reg;
reg out_valid_reg = 1'b0;
reg out_last_reg;
reg out_user_reg;

assign m_axis_tdata = out_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = out_last_reg;
assign m_axis_tuser = out_user_reg;

// a result leaves the requantizer (and the serial one's clamp registers)
wire y_valid;
// rf_requant_serial's y_next, of lane 0 (every lane starts together)
wire rq_next;
wire [NFW-1:0] y_nf = y_tag[3 +: NFW];
wire y_lastf = y_tag[2];

generate
    if (RQ_DIGIT == 0) begin : g_tag_pipe
        // rf_requant takes an accumulator every cycle: RQ_LAT tags in
        // flight, and a valid flag with each
        reg [RQ_LAT*TW-1:0] q_tag_reg;
        reg [RQ_LAT-1:0] q_valid_reg = {RQ_LAT{1'b0}};
        always @(posedge clk) begin
            if (ce) begin
                q_tag_reg <= {q_tag_reg[0 +: (RQ_LAT-1)*TW], a_tag};
                q_valid_reg <= {q_valid_reg[RQ_LAT-2:0], a_valid_reg};
            end
            if (rst) begin
                q_valid_reg <= {RQ_LAT{1'b0}};
            end
        end
        assign y_tag = q_tag_reg[(RQ_LAT-1)*TW +: TW];
        assign y_valid = q_valid_reg[RQ_LAT-1];
        /* verilator lint_off UNUSEDSIGNAL */
        wire unused_rq_next = rq_next;
        /* verilator lint_on UNUSEDSIGNAL */
    end else begin : g_tag_ring
        // valid: the requantizer's y_next (high from R + 3 enabled edges
        // after the start: y loads at the next enabled edge, R + 4), then
        // the clamp's two registers: RQ_LAT = R + 6 after the start; three
        // flip-flops instead of an RQ_LAT stage shift register
        reg [2:0] yv_reg = 3'b000;
        always @(posedge clk) begin
            if (ce) begin
                yv_reg <= {yv_reg[1:0], rq_next};
            end
            if (rst) begin
                yv_reg <= 3'b000;
            end
        end
        assign y_valid = yv_reg[2];
        // rf_requant_serial: starts at least SF >= R + 1 enabled cycles
        // apart and RQ_LAT = R + 6 <= 2*(R + 1) (R >= 4), so at most 2 in
        // flight: a 2-entry queue of tags instead of RQ_LAT stages
        reg [TW-1:0] tag0_reg, tag1_reg;
        reg wsel_reg = 1'b0, rsel_reg = 1'b0;
        always @(posedge clk) begin
            if (ce && a_valid_reg) begin
                if (wsel_reg) begin
                    tag1_reg <= a_tag;
                end else begin
                    tag0_reg <= a_tag;
                end
                wsel_reg <= !wsel_reg;
            end
            if (ce && y_valid) begin
                rsel_reg <= !rsel_reg;
            end
            if (rst) begin
                wsel_reg <= 1'b0;
                rsel_reg <= 1'b0;
            end
        end
        assign y_tag = rsel_reg ? tag1_reg : tag0_reg;
    end
endgenerate

genvar pe, s, f;
generate
    for (pe = 0; pe < PE; pe = pe + 1) begin : g_pe
        wire [SIMD*DOTW-1:0] prods;
        reg signed [DOTW-1:0] dot;
        reg signed [31:0] acc_reg;
        wire signed [31:0] y;
        // clamp: y < Y_LO or y > Y_HI (both in -255 .. 255) without a 33-bit
        // comparison: y in -256 .. 255 (bits 31..8 all equal) compares in
        // 9 bits, any other y is below or above by its sign
        wire y_small = &y[31:8] || ~|y[31:8];
        wire signed [8:0] y9 = y[8:0];
        wire y_lo = y_small ? y9 < Y_LO9 : y[31];
        wire y_hi = y_small ? y9 > Y_HI9 : !y[31];
        integer i;

        for (s = 0; s < SIMD; s = s + 1) begin : g_simd
            // x - IN_ZP in -255 .. 255 (9 bits), times an int8 weight (17 bits)
            wire signed [8:0] xd = dx[9*s +: 9];
            wire signed [16:0] prod = xd * $signed(dw[(pe*SIMD+s)*8 +: 8]);
            if (PIPE < 3) begin : g_prod
                assign prods[s*DOTW +: DOTW] = {{(DOTW-17){prod[16]}}, prod};
            end else begin : g_prod_reg
                // folded: the product registered before the SIMD-way sum
                reg signed [16:0] prod_reg;
                always @(posedge clk) begin
                    if (ce) begin
                        prod_reg <= prod;
                    end
                end
                assign prods[s*DOTW +: DOTW] = {{(DOTW-17){prod_reg[16]}}, prod_reg};
            end
        end

        always @* begin
            dot = {DOTW{1'b0}};
            for (i = 0; i < SIMD; i = i + 1) begin
                dot = dot + $signed(prods[i*DOTW +: DOTW]);
            end
        end

        // the dot product as the accumulator sees it (registered when PIPE)
        reg signed [DOTW-1:0] dot_acc;
        if (PIPE == 0) begin : g_dot
            always @* dot_acc = dot;
        end else begin : g_dot_reg
            always @(posedge clk) begin
                if (ce) begin
                    dot_acc <= dot;
                end
            end
        end

        always @(posedge clk) begin
            if (acc_v) begin
                acc_reg <= (acc_first ? $signed(acc_b[pe*32 +: 32]) : acc_reg)
                           + {{(32-DOTW){dot_acc[DOTW-1]}}, dot_acc};
            end
        end

        /* verilator lint_off UNUSEDSIGNAL */
        // lane 0's is the one used
        wire y_nx;
        /* verilator lint_on UNUSEDSIGNAL */
        if (pe == 0) begin : g_next
            assign rq_next = y_nx;
        end
        if (RQ_DIGIT == 0) begin : g_par
            assign y_nx = 1'b0;
            rf_requant #(
                .SHIFT_MIN(SHIFT_MIN),
                .SHIFT_MAX(SHIFT_MAX)
            ) u_rq (
                .clk(clk),
                .ce(ce),
                .x(acc_reg),
                .mult(m_reg[pe*32 +: 32]),
                .shift(sh_reg[pe*8 +: 8]),
                .y(y)
            );
        end else begin : g_ser
            rf_requant_serial #(
                .DIGIT(RQ_DIGIT),
                .SHIFT_MIN(SHIFT_MIN),
                .SHIFT_MAX(SHIFT_MAX)
            ) u_rq (
                .clk(clk),
                .rst(rst),
                .ce(ce),
                .start(a_valid_reg),
                .x(acc_reg),
                .mult(m_reg[pe*32 +: 32]),
                .shift(sh_reg[pe*8 +: 8]),
                .y(y),
                .y_next(y_nx)
            );
        end

        // serial: the clamp's comparisons of y registered every enabled
        // cycle, then clamp(y) from them; y holds for R + 1 >= 5 enabled
        // cycles, so at y_valid (RQ_LAT, two after rf_requant_serial's
        // R + 4) cl_reg is this result's clamp
        wire [7:0] y8;
        if (RQ_DIGIT != 0) begin : g_cl
            reg lo_reg;
            reg hi_reg;
            reg [7:0] yz_reg;
            reg [7:0] cl_reg;
            always @(posedge clk) begin
                if (ce) begin
                    lo_reg <= y_lo;
                    hi_reg <= y_hi;
                    yz_reg <= y[7:0] + OUT_ZP[7:0];
                    cl_reg <= lo_reg ? ACT_MIN[7:0] : (hi_reg ? ACT_MAX[7:0] : yz_reg);
                end
            end
            assign y8 = cl_reg;
        end else begin : g_nocl
            assign y8 = y_lo ? ACT_MIN[7:0] : (y_hi ? ACT_MAX[7:0] : y[7:0] + OUT_ZP[7:0]);
        end

        for (f = 0; f < NF; f = f + 1) begin : g_fold
            always @(posedge clk) begin
                if (ce && y_valid && y_nf == f) begin
                    out_reg[(f*PE+pe)*8 +: 8] <= y8;
                end
            end
        end
    end
endgenerate

always @(posedge clk) begin
    busy_reg <= busy_next;
    sf_reg <= sf_next;
    nf_reg <= nf_next;
    addr_reg <= addr_next;

    if (ce) begin
        a_valid_reg <= acc_v && acc_lsf;
        a_nf_reg <= acc_nf;
        a_lastf_reg <= acc_nf == NF_LAST;
        a_last_reg <= acc_last;
        a_user_reg <= acc_user;
        out_valid_reg <= y_valid && y_lastf;
        if (y_valid && y_lastf) begin
            out_last_reg <= y_tag[1];
            out_user_reg <= y_tag[0];
        end
    end

    if (READY_REG != 0 && m_axis_tvalid && m_axis_tready) begin
        out_valid_reg <= 1'b0;
    end

    if (rst) begin
        busy_reg <= 1'b0;
        sf_reg <= {SFW{1'b0}};
        nf_reg <= {NFW{1'b0}};
        addr_reg <= {AW{1'b0}};
        a_valid_reg <= 1'b0;
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
