/*
 * rf_dw_mac - depthwise convolution MAC array (depth multiplier 1) with
 * PE/SIMD folding and per-channel requantization (TFLite int8
 * DepthwiseConvPerChannel). The depthwise sibling of rf_conv_mac: the same
 * handshake, pipeline, timing and ROM formats.
 *
 * Input: one window beat per output pixel from rf_window (K x K x CHANNELS
 * int8, element (kh, kw, c) at index i = (kh*K + kw)*CHANNELS + c, bits
 * [8*i +: 8]; K = 1: a pixel). Output: one pixel of CHANNELS int8 values,
 * tlast/tuser passed from the input beat.
 *
 * Arithmetic (tensorflow/lite/kernels/internal/reference/integer_ops/
 * depthwise_conv.h, DepthwiseConvPerChannel with depth_multiplier = 1, so
 * output channel c reads input channel c only; MultiplyByQuantizedMultiplier
 * from internal/common.h and gemmlowp fixedpoint.h, see rf_requant), with
 * t = kh*K + kw the tap:
 *   acc[c] = bias[c] + sum_t (x[t][c] - IN_ZP) * w[c][t]        (int32)
 *   y[c]   = clamp(MBQM(acc[c], mult[c], shift[c]) + OUT_ZP, ACT_MIN, ACT_MAX)
 *
 * Folding: SF = K*K / SIMD steps cover the taps, NF = CHANNELS / PE folds
 * cover the channels; each step multiplies PE x SIMD window elements (PE
 * channels, SIMD taps of each) by PE x SIMD weights, PE lanes each a
 * SIMD-wide dot product. Step order: nf = 0 .. NF-1, within it
 * sf = 0 .. SF-1. Step (nf, sf), lane (pe, s) takes channel c = nf*PE + pe,
 * tap t = sf*SIMD + s.
 *
 * Parameters
 *   KERNEL       window size K, >= 1 (odd or even; 1: the input is a pixel)
 *   CHANNELS     channels C (input = output), >= 1
 *   PE           channels computed in parallel, divides CHANNELS
 *   SIMD         taps per step, divides K*K
 *   IN_ZP        input zero point, -128 .. 127
 *   OUT_ZP       output zero point, -128 .. 127
 *   ACT_MIN/MAX  output clamp, -128 <= ACT_MIN <= ACT_MAX <= 127
 *   WEIGHT_FILE  $readmemh file, NF*SF words of PE*SIMD*8 bits: word nf*SF+sf,
 *                lane (pe, s) at bits [(pe*SIMD+s)*8 +: 8] =
 *                weight[nf*PE+pe][sf*SIMD+s] (weight[c][t], t = kh*K + kw)
 *   BIAS_FILE    NF words of PE*32 bits, lane pe = bias[nf*PE+pe] (int32)
 *   MULT_FILE    NF words of PE*32 bits, multipliers (int32)
 *   SHIFT_FILE   NF words of PE*8 bits, shifts (int8, TFLite sign, -31 .. 31)
 *   SHIFT_MIN, SHIFT_MAX   min and max of those shifts (the requantizer's
 *                shifters cover only them; gen/emit.c passes the layer's)
 *
 * Input register: the window is stored reordered into step order (wiring
 * only): word a = nf*SF + sf of PE*SIMD elements, lane (pe, s) = element
 * ((sf*SIMD + s)*CHANNELS + nf*PE + pe) of the beat. Each step takes word 0
 * and shifts the register down by one word, so no SF*NF-way multiplexer is
 * needed (on iCE40 the shift/load multiplexer shares the logic cell of the
 * flip-flop it feeds).
 *
 * Handshake: global pipeline enable ce = !m_axis_tvalid || m_axis_tready.
 * The input window is held in the register while its NF*SF steps are
 * issued, one per enabled cycle; the next window is accepted in the cycle
 * the last step is issued: s_axis_tready = ce && (!busy || last step).
 *
 * Pipeline (from the input transfer in cycle t, no back-pressure), the same
 * as rf_conv_mac:
 *   t                  window into the input register
 *   t+1 .. t+SF*NF     steps: products of the current word and the weight
 *                      word (ROM read one cycle ahead), accumulated with the
 *                      bias at sf = 0
 *   +5                 rf_requant of each fold's accumulator (LATENCY 5)
 *   +1                 + OUT_ZP, clamp into the fold's slice of the output
 *                      register; valid after the last fold
 *   LATENCY = SF*NF + 7: m_axis_tvalid in cycle t + SF*NF + 7.
 *   II = SF*NF cycles per output pixel (fully parallel: PE = CHANNELS,
 *   SIMD = K*K, II = 1).
 *
 * Resources: PE*SIMD 9 x 8 bit multipliers, PE adder trees, PE rf_requant
 * (32 x 32 multipliers), ROMs of NF*SF*PE*SIMD*8 (weights) and
 * NF*PE*(32+32+8) bits read synchronously (iCE40 EBR when large), the
 * K*K*CHANNELS*8 bit input register and the CHANNELS*8 bit output register.
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

module rf_dw_mac #(
    // window size (>= 1; 1: the input is a pixel)
    parameter KERNEL = 3,
    // channels, input = output (>= 1)
    parameter CHANNELS = 1,
    // channels in parallel (divides CHANNELS)
    parameter PE = 1,
    // taps in parallel (divides KERNEL*KERNEL)
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

localparam KK = KERNEL * KERNEL;
localparam SF = KK / SIMD;
localparam NF = CHANNELS / PE;
// cycles per output pixel
localparam II /*verilator public*/ = SF * NF;
/* verilator lint_off UNUSEDPARAM */
// input transfer in cycle t -> m_axis_tvalid in cycle t + LATENCY; for the
// testbench and the documentation (the logic is built to it, not from it)
localparam LATENCY /*verilator public*/ = II + 7;
// rf_requant's stages
localparam RQ_LAT = 5;
/* verilator lint_on UNUSEDPARAM */
// bits of one step's window elements (one word of the input register)
localparam LW = PE * SIMD * 8;
localparam WINW = KK * CHANNELS * 8;
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
    if (KERNEL < 1) begin
        $error("KERNEL must be >= 1 (instance %m)");
        $finish;
    end
    if (CHANNELS < 1) begin
        $error("CHANNELS must be >= 1 (instance %m)");
        $finish;
    end
    if (PE < 1 || CHANNELS % PE != 0) begin
        $error("PE must divide CHANNELS (instance %m)");
        $finish;
    end
    if (SIMD < 1 || KK % SIMD != 0) begin
        $error("SIMD must divide KERNEL*KERNEL (instance %m)");
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

// ---- input register and step counters ----
// the input beat in step order (see the header): word nf*SF + sf, lane (pe, s)
wire [WINW-1:0] win_steps;
// the register shifted down by one word (the next step's word at the bottom)
wire [WINW-1:0] win_shifted;
reg [WINW-1:0] win_reg;
reg win_last_reg;
reg win_user_reg;
reg busy_reg = 1'b0, busy_next;
reg [SFW-1:0] sf_reg = {SFW{1'b0}}, sf_next;
reg [NFW-1:0] nf_reg = {NFW{1'b0}}, nf_next;
// weight word of the current step, nf*SF + sf
reg [AW-1:0] addr_reg = {AW{1'b0}}, addr_next;

genvar pe, s, f, sfi;
generate
    for (f = 0; f < NF; f = f + 1) begin : g_perm_nf
        for (sfi = 0; sfi < SF; sfi = sfi + 1) begin : g_perm_sf
            for (pe = 0; pe < PE; pe = pe + 1) begin : g_perm_pe
                for (s = 0; s < SIMD; s = s + 1) begin : g_perm_simd
                    assign win_steps[((f*SF + sfi)*PE*SIMD + pe*SIMD + s)*8 +: 8] =
                        s_axis_tdata[((sfi*SIMD + s)*CHANNELS + f*PE + pe)*8 +: 8];
                end
            end
        end
    end
    if (II > 1) begin : g_shift
        assign win_shifted = {{LW{1'b0}}, win_reg[WINW-1:LW]};
    end else begin : g_noshift
        assign win_shifted = win_reg;
    end
endgenerate

wire ce = !m_axis_tvalid || (READY_REG == 0 && m_axis_tready);
wire step = ce && busy_reg;
wire sf_last = sf_reg == SF_LAST;
wire last_step = sf_last && nf_reg == NF_LAST;
wire s_xfer = s_axis_tvalid && s_axis_tready;

// a new window is taken when idle, or in the cycle its predecessor's last
// step is issued (that step still reads the old word 0 in this cycle)
assign s_axis_tready = ce && (!busy_reg || last_step);

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
// requantization constants of the step just issued (used with its result)
reg [PE*SIMD*8-1:0] w_reg;
reg [PE*32-1:0] b_reg;
reg [PE*32-1:0] m_reg;
reg [PE*8-1:0] sh_reg;

always @(posedge clk) begin
    if (ce) begin
        w_reg <= weight_rom[addr_next];
        b_reg <= bias_rom[nf_next];
        m_reg <= mult_rom[nf_reg];
        sh_reg <= shift_rom[nf_reg];
    end
    if (s_xfer) begin
        win_reg <= win_steps;
        win_last_reg <= s_axis_tlast;
        win_user_reg <= s_axis_tuser;
    end else if (step) begin
        win_reg <= win_shifted;
    end
end

// ---- products and accumulators ----
// the current step's PE x SIMD window elements
wire [LW-1:0] x_word = win_reg[LW-1:0];
// accumulator valid (fold complete), its fold, last fold, tlast, tuser;
// then the same through the three requant stages
reg a_valid_reg = 1'b0;
reg [NFW-1:0] a_nf_reg;
reg a_lastf_reg;
reg a_last_reg;
reg a_user_reg;
reg [RQ_LAT-1:0] q_valid_reg = {RQ_LAT{1'b0}};
reg [RQ_LAT*NFW-1:0] q_nf_reg;
reg [RQ_LAT-1:0] q_lastf_reg;
reg [RQ_LAT-1:0] q_last_reg;
reg [RQ_LAT-1:0] q_user_reg;

// ---- output register ----
reg [CHANNELS*8-1:0] out_reg;
reg out_valid_reg = 1'b0;
reg out_last_reg;
reg out_user_reg;

assign m_axis_tdata = out_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tlast = out_last_reg;
assign m_axis_tuser = out_user_reg;

wire [NFW-1:0] y_nf = q_nf_reg[(RQ_LAT-1)*NFW +: NFW];
wire y_valid = q_valid_reg[RQ_LAT-1];

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
        wire [7:0] clamped = y_lo ? ACT_MIN[7:0] : (y_hi ? ACT_MAX[7:0] : y[7:0] + OUT_ZP[7:0]);
        integer i;

        for (s = 0; s < SIMD; s = s + 1) begin : g_simd
            // x - IN_ZP in -255 .. 255 (9 bits), times an int8 weight (17 bits)
            wire [7:0] xb = x_word[(pe*SIMD+s)*8 +: 8];
            wire signed [8:0] xd = $signed({xb[7], xb}) - IN_ZP9;
            wire signed [16:0] prod = xd * $signed(w_reg[(pe*SIMD+s)*8 +: 8]);
            assign prods[s*DOTW +: DOTW] = {{(DOTW-17){prod[16]}}, prod};
        end

        always @* begin
            dot = {DOTW{1'b0}};
            for (i = 0; i < SIMD; i = i + 1) begin
                dot = dot + $signed(prods[i*DOTW +: DOTW]);
            end
        end

        always @(posedge clk) begin
            if (step) begin
                acc_reg <= (sf_reg == {SFW{1'b0}} ? $signed(b_reg[pe*32 +: 32]) : acc_reg)
                           + {{(32-DOTW){dot[DOTW-1]}}, dot};
            end
        end

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

        for (f = 0; f < NF; f = f + 1) begin : g_fold
            always @(posedge clk) begin
                if (ce && y_valid && y_nf == f) begin
                    out_reg[(f*PE+pe)*8 +: 8] <= clamped;
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
        a_valid_reg <= step && sf_last;
        a_nf_reg <= nf_reg;
        a_lastf_reg <= nf_reg == NF_LAST;
        a_last_reg <= win_last_reg;
        a_user_reg <= win_user_reg;
        q_valid_reg <= {q_valid_reg[RQ_LAT-2:0], a_valid_reg};
        q_nf_reg <= {q_nf_reg[0 +: (RQ_LAT-1)*NFW], a_nf_reg};
        q_lastf_reg <= {q_lastf_reg[RQ_LAT-2:0], a_lastf_reg};
        q_last_reg <= {q_last_reg[RQ_LAT-2:0], a_last_reg};
        q_user_reg <= {q_user_reg[RQ_LAT-2:0], a_user_reg};
        out_valid_reg <= y_valid && q_lastf_reg[RQ_LAT-1];
        if (y_valid && q_lastf_reg[RQ_LAT-1]) begin
            out_last_reg <= q_last_reg[RQ_LAT-1];
            out_user_reg <= q_user_reg[RQ_LAT-1];
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
        q_valid_reg <= {RQ_LAT{1'b0}};
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
