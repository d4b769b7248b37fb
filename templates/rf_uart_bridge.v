/*
 * rf_uart_bridge - UART <-> AXI4-Stream bridge for a resflow pipeline, with
 * the frame protocol of docs/boards.md.
 *
 * Host -> board, one input frame (all multi-byte fields most significant
 * byte first):
 *   0xA5 0x5A  TYPE  LEN[23:16] LEN[15:8] LEN[7:0]  payload  CRC[15:8] CRC[7:0]
 *   TYPE 0x01: an image; LEN must be IN_HEIGHT*IN_WIDTH*IN_CH, the payload
 *              is the pixels in raster order, IN_CH int8 bytes each;
 *   TYPE 0x02: "info", LEN 0 (no payload); the board answers with its shapes.
 *   CRC is CRC-16/CCITT-FALSE (rf_crc16) over TYPE .. the last payload byte.
 * Board -> host, one frame per input image, an info answer or an error:
 *   0xA5 0x5A  TYPE  LEN[23:16] LEN[15:8] LEN[7:0]  payload  STATUS  CRC[15:8] CRC[7:0]
 *   TYPE 0x81: the output feature map, LEN = OUT_HEIGHT*OUT_WIDTH*OUT_CH, in
 *              raster order, OUT_CH int8 bytes per pixel;
 *   TYPE 0x82: info, LEN 16: protocol version (2), then IN_HEIGHT, IN_WIDTH,
 *              IN_CH, OUT_HEIGHT, OUT_WIDTH, OUT_CH as 16-bit numbers, then
 *              PACE_LEAD as a 24-bit number (version 1 had LEN 13 and no
 *              PACE_LEAD);
 *   TYPE 0xFF: error, LEN 0;
 *   STATUS bits: 0 the input frame's CRC was wrong, 1 a byte was lost (RX
 *   FIFO overrun or a UART framing error), 2 the input LEN was wrong, 3 the
 *   TYPE was unknown, 4 the input frame stopped for TIMEOUT cycles (the
 *   pipeline was reset); 0 means a clean frame.
 *   CRC (same CRC) covers TYPE .. STATUS.
 *
 * The pixels are streamed into the pipeline as they arrive, so an image
 * whose CRC turns out wrong has already been processed: its output frame
 * still comes, with STATUS bit 0 set, and the host drops it. STATUS is sent
 * after the payload for this reason; the transmitter waits for the input
 * frame's CRC before it sends the STATUS of the matching output frame.
 *
 * Pacing: the host sends an image no faster than its output comes back.
 * With I = IN_BYTES, O = OUT_BYTES and r output payload bytes received, it
 * has sent at most min(I, PACE_LEAD + floor(r * I / O)) payload bytes (header
 * and CRC bytes are free), and one image at a time. The bridge only reports
 * PACE_LEAD; RX_DEPTH is sized for it (gen/board.c board_pace_plan).
 *
 * Parameters
 *   IN_HEIGHT, IN_WIDTH, IN_CH     input image (pipeline s_axis), >= 1
 *   OUT_HEIGHT, OUT_WIDTH, OUT_CH  output feature map (pipeline m_axis), >= 1
 *   CLKS_PER_BIT  round(f_clk / baud), >= 4
 *   RX_DEPTH      bytes of the receive FIFO, >= 2. The UART cannot be
 *                 stalled: when the pipeline is held up by the slower
 *                 transmitter (O > I), received bytes wait here. The
 *                 generator sizes it for the host's pacing (gen/board.c,
 *                 docs/boards.md, "Flow control").
 *   PACE_LEAD     input payload bytes the host may send ahead of the
 *                 output (LEAD above), 1 .. IN_BYTES; sent in the info
 *                 answer. IN_BYTES: no pacing.
 *   TIMEOUT       cycles without a received or consumed byte inside an input
 *                 frame after which the frame is abandoned (0: never); if
 *                 pixels were fed, the pipeline is reset through net_rst
 *
 * The parser decodes received bytes from a one-byte register after the
 * receive FIFO (a byte every 2 cycles at most, against one per
 * 10 * CLKS_PER_BIT from the UART), so no RAM output or FIFO logic lies on
 * its paths.
 *
 * Streams: m_axis (IN_CH*8 bits) feeds the pipeline's s_axis, with tuser on
 * the first pixel and tlast on the last pixel of each line; s_axis takes the
 * pipeline's m_axis (tlast/tuser are not needed: positions are counted).
 * m_axis_tvalid comes from a register and never depends on m_axis_tready.
 *
 * Resources: RX_DEPTH x 10 RAM bits (EBR when large), two CRC units, the
 * UART, an IN_CH*8 and an OUT_CH*8 bit register, about 300 LUT4.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_uart_bridge #(
    // input image height, width and channels (>= 1)
    parameter IN_HEIGHT = 1,
    parameter IN_WIDTH = 1,
    parameter IN_CH = 1,
    // output feature map height, width and channels (>= 1)
    parameter OUT_HEIGHT = 1,
    parameter OUT_WIDTH = 1,
    parameter OUT_CH = 1,
    // clock cycles per UART bit (>= 4)
    parameter CLKS_PER_BIT = 16,
    // receive FIFO, bytes (>= 2)
    parameter RX_DEPTH = 512,
    // input bytes the host may send ahead of the output (1 .. IN_HEIGHT*IN_WIDTH*IN_CH)
    parameter PACE_LEAD = IN_HEIGHT * IN_WIDTH * IN_CH,
    // idle cycles that abandon an unfinished input frame (0: never)
    parameter TIMEOUT = 0
) (
    input  wire                  clk,
    input  wire                  rst,

    // UART pins (idle high)
    input  wire                  rxd,
    output wire                  txd,

    // to the pipeline input
    output wire [IN_CH*8-1:0]    m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,
    output wire                  m_axis_tlast,
    output wire                  m_axis_tuser,

    // from the pipeline output
    input  wire [OUT_CH*8-1:0]   s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    /* verilator lint_off UNUSEDSIGNAL */
    // positions are counted: tlast and tuser are not needed
    input  wire                  s_axis_tlast,
    input  wire                  s_axis_tuser,
    /* verilator lint_on UNUSEDSIGNAL */

    // pipeline reset request (an abandoned frame), one cycle
    output wire                  net_rst,
    // one-cycle pulse when a board -> host frame has been sent
    output wire                  frame_sent,
    // STATUS of the last frame sent was not 0
    output wire                  error
);

localparam IN_BEATS = IN_HEIGHT * IN_WIDTH;
localparam IN_BYTES = IN_BEATS * IN_CH;
localparam OUT_BEATS = OUT_HEIGHT * OUT_WIDTH;
localparam OUT_BYTES = OUT_BEATS * OUT_CH;
localparam PW = $clog2(IN_BEATS + 1);
localparam XW = $clog2(IN_WIDTH + 1);
localparam CW = $clog2(IN_CH + 1);
localparam OPW = $clog2(OUT_BEATS + 1);
localparam OCW = $clog2(OUT_CH + 1);
localparam TMW = TIMEOUT > 1 ? $clog2(TIMEOUT + 1) : 1;
localparam [23:0] IN_LEN = IN_BYTES[23:0];
localparam [23:0] OUT_LEN = OUT_BYTES[23:0];
// the last value of each counter, at its width
localparam IN_BEATS_M1 = IN_BEATS - 1, IN_WIDTH_M1 = IN_WIDTH - 1, IN_CH_M1 = IN_CH - 1;
localparam OUT_BEATS_M1 = OUT_BEATS - 1, OUT_CH_M1 = OUT_CH - 1, TIMEOUT_M1 = TIMEOUT > 1 ? TIMEOUT - 1 : 0;
localparam [PW-1:0] IN_LAST = IN_BEATS_M1[PW-1:0];
localparam [XW-1:0] X_LAST = IN_WIDTH_M1[XW-1:0];
localparam [CW-1:0] C_LAST = IN_CH_M1[CW-1:0];
localparam [OPW-1:0] OUT_LAST = OUT_BEATS_M1[OPW-1:0];
localparam [OCW-1:0] OC_LAST = OUT_CH_M1[OCW-1:0];
localparam [TMW-1:0] TM_LAST = TIMEOUT_M1[TMW-1:0];

localparam [7:0] SYNC0 = 8'hA5, SYNC1 = 8'h5A;
localparam [7:0] T_FRAME = 8'h01, T_INFO = 8'h02, T_OUT = 8'h81, T_INFO_R = 8'h82, T_ERR = 8'hFF;
// STATUS bit 1 (a byte lost) travels in the status queue
localparam [4:0] ST_CRC = 5'd1, ST_LENGTH = 5'd4, ST_TYPE = 5'd8, ST_TIMEOUT = 5'd16;
localparam INFO_LEN = 16;
localparam INFO_LEN_M1 = INFO_LEN - 1;
localparam [3:0] INFO_LAST = INFO_LEN_M1[3:0];
localparam [23:0] LEAD = PACE_LEAD[23:0];

initial begin
    if (IN_HEIGHT < 1 || IN_WIDTH < 1 || IN_CH < 1 || OUT_HEIGHT < 1 || OUT_WIDTH < 1 || OUT_CH < 1) begin
        $error("shapes must be >= 1 (instance %m)");
        $finish;
    end
    if (IN_BYTES >= 16777216 || OUT_BYTES >= 16777216) begin
        $error("a frame must be smaller than 16 MiB (24-bit LEN) (instance %m)");
        $finish;
    end
    if (IN_HEIGHT > 65535 || IN_WIDTH > 65535 || IN_CH > 65535 || OUT_HEIGHT > 65535 || OUT_WIDTH > 65535 ||
        OUT_CH > 65535) begin
        $error("shapes must fit in 16 bits (instance %m)");
        $finish;
    end
    if (RX_DEPTH < 2 || TIMEOUT < 0) begin
        $error("RX_DEPTH must be >= 2 and TIMEOUT >= 0 (instance %m)");
        $finish;
    end
    if (PACE_LEAD < 1 || PACE_LEAD > IN_BYTES) begin
        $error("PACE_LEAD must be in 1 .. IN_HEIGHT*IN_WIDTH*IN_CH (instance %m)");
        $finish;
    end
end

// ---- receiver and receive FIFO ----
wire [7:0] rx_byte;
wire rx_valid;
wire rx_ferr;
wire rx_ready;
wire [7:0] f_byte;
wire f_valid;
wire f_pop;
wire q_pop;
// an abandoned frame resets the parser, the FIFOs, the transmitter's frame
// state and (through net_rst) the pipeline; not the UARTs
reg abort_reg = 1'b0;
wire srst = rst || abort_reg;

/* verilator lint_off UNUSEDSIGNAL */
wire [31:0] rx_count, rx_high_water, st_count, st_high_water;
wire q_last, q_user, st_last, st_user;
/* verilator lint_on UNUSEDSIGNAL */

rf_uart_rx #(
    .CLKS_PER_BIT(CLKS_PER_BIT)
) u_rx (
    .clk(clk),
    .rst(rst),
    .rxd(rxd),
    .m_axis_tdata(rx_byte),
    .m_axis_tvalid(rx_valid),
    .frame_error(rx_ferr)
);

rf_axis_fifo #(
    .DATA_WIDTH(8),
    .DEPTH(RX_DEPTH)
) u_rx_fifo (
    .clk(clk),
    .rst(srst),
    .s_axis_tdata(rx_byte),
    .s_axis_tvalid(rx_valid),
    .s_axis_tready(rx_ready),
    .s_axis_tlast(1'b0),
    .s_axis_tuser(1'b0),
    .m_axis_tdata(f_byte),
    .m_axis_tvalid(f_valid),
    .m_axis_tready(f_pop),
    .m_axis_tlast(q_last),
    .m_axis_tuser(q_user),
    .count(rx_count),
    .high_water(rx_high_water)
);

// ---- the parser's byte register ----
// The FIFO's next byte, registered: the parser decodes from flip-flops, not
// from the FIFO's RAM output (an Fmax path), and its pop (q_pop) reaches
// the FIFO through no logic. A byte moves in when the register is empty,
// so at most one byte every 2 cycles (the UART brings one every
// 10 * CLKS_PER_BIT).
// The comparisons the parser makes of a byte are registered with it (q_*_reg:
// the byte is SYNC0, SYNC1, T_FRAME, T_INFO, 0, or byte 2, 1, 0 of IN_LEN):
// the parser's next state then needs no 8-bit comparison of the byte (its
// decoding into the pixel counters was the UP5K's critical path at 46.4 MHz).
reg [7:0] q_byte_reg;
reg q_valid_reg = 1'b0;
reg q_s0_reg, q_s1_reg, q_tf_reg, q_ti_reg, q_z_reg, q_l2_reg, q_l1_reg, q_l0_reg;
wire [7:0] q_byte = q_byte_reg;
wire q_valid = q_valid_reg;
assign f_pop = f_valid && !q_valid_reg;

always @(posedge clk) begin
    if (f_pop) begin
        q_byte_reg <= f_byte;
        q_s0_reg <= f_byte == SYNC0;
        q_s1_reg <= f_byte == SYNC1;
        q_tf_reg <= f_byte == T_FRAME;
        q_ti_reg <= f_byte == T_INFO;
        q_z_reg <= f_byte == 8'd0;
        q_l2_reg <= f_byte == IN_LEN[23:16];
        q_l1_reg <= f_byte == IN_LEN[15:8];
        q_l0_reg <= f_byte == IN_LEN[7:0];
        q_valid_reg <= 1'b1;
    end else if (q_pop) begin
        q_valid_reg <= 1'b0;
    end
    if (srst) begin
        q_valid_reg <= 1'b0;
    end
end

// ---- parser: bytes -> pixels, CRC check ----
localparam [2:0] P_SYNC0 = 3'd0, P_SYNC1 = 3'd1, P_TYPE = 3'd2, P_LEN = 3'd3, P_PAY = 3'd4, P_CRC = 3'd5;

reg [2:0] p_state_reg = P_SYNC0, p_state_next;
reg [1:0] p_cnt_reg = 2'd0, p_cnt_next;
reg p_info_reg = 1'b0, p_info_next;
// LEN so far equals IN_LEN's (a frame), or 0 (info), byte by byte
reg p_lenf_reg = 1'b0, p_lenf_next;
reg p_leni_reg = 1'b0, p_leni_next;
reg [15:0] p_crc_reg = 16'hffff, p_crc_next;
reg [IN_CH*8-1:0] pix_reg = {IN_CH*8{1'b0}}, pix_next;
reg beat_valid_reg = 1'b0, beat_valid_next;
reg beat_last_reg = 1'b0, beat_last_next;
reg beat_user_reg = 1'b0, beat_user_next;
reg [PW-1:0] pixel_reg = {PW{1'b0}}, pixel_next;
reg [XW-1:0] x_reg = {XW{1'b0}}, x_next;
reg [CW-1:0] ch_reg = {CW{1'b0}}, ch_next;
reg fed_reg = 1'b0, fed_next;          // pixels of this frame went into the pipeline
reg lost_reg = 1'b0, lost_next;        // a byte was lost since the last frame's status
reg [TMW-1:0] idle_reg = {TMW{1'b0}}, idle_next;
// idle_reg == TM_LAST, kept as a flag from the cycle before (the comparison
// of the counter is off the timeout's fan-out: every parser register)
reg idle_last_reg = TM_LAST == {TMW{1'b0}};
wire idle_restart;
// replies for the transmitter: info, or an error with its STATUS bits
reg reply_reg = 1'b0, reply_next;
reg reply_info_reg = 1'b0, reply_info_next;
reg [4:0] reply_status_reg = 5'd0, reply_status_next;
// STATUS of each image's output frame, in order. The frame's end is flagged
// (st_end, with the lost-bytes bit) and pushed a cycle later, when p_crc_reg
// holds the frame's final CRC: the CRC update and its 16-bit test for 0 are
// off the STATUS queue's write path (the UP5K's critical path at 37.5 MHz)
reg st_end;
reg st_lost;
reg st_push_reg = 1'b0;
reg st_lost_reg = 1'b0;
wire [1:0] st_in = {st_lost_reg, p_crc_reg != 16'd0};
wire st_push = st_push_reg;
// full only if the host runs more than 4 images ahead: the entry is dropped
/* verilator lint_off UNUSEDSIGNAL */
wire st_ready;
/* verilator lint_on UNUSEDSIGNAL */
wire [15:0] p_crc_upd;
wire reply_take;

rf_crc16 u_rx_crc (
    .crc_in(p_crc_reg),
    .data(q_byte),
    .crc_out(p_crc_upd)
);

// the pixel register with the new byte shifted in at the top (channel 0
// ends at the bottom)
wire [IN_CH*8+7:0] pix_cat = {q_byte, pix_reg};
/* verilator lint_off UNUSEDSIGNAL */
wire [7:0] pix_dropped = pix_cat[7:0];
/* verilator lint_on UNUSEDSIGNAL */

// a byte is taken unless a complete pixel waits for the pipeline
assign q_pop = q_valid && !(p_state_reg == P_PAY && beat_valid_reg);
assign m_axis_tdata = pix_reg;
assign m_axis_tvalid = beat_valid_reg;
assign m_axis_tlast = beat_last_reg;
assign m_axis_tuser = beat_user_reg;

always @* begin
    p_state_next = p_state_reg;
    p_cnt_next = p_cnt_reg;
    p_info_next = p_info_reg;
    p_lenf_next = p_lenf_reg;
    p_leni_next = p_leni_reg;
    p_crc_next = p_crc_reg;
    pix_next = pix_reg;
    beat_valid_next = beat_valid_reg && !m_axis_tready;
    beat_last_next = beat_last_reg;
    beat_user_next = beat_user_reg;
    pixel_next = pixel_reg;
    x_next = x_reg;
    ch_next = ch_reg;
    fed_next = fed_reg;
    lost_next = lost_reg || (rx_valid && !rx_ready) || rx_ferr;
    reply_next = reply_reg && !reply_take;
    reply_info_next = reply_info_reg;
    reply_status_next = reply_status_reg;
    st_end = 1'b0;
    st_lost = lost_reg;

    if (q_pop) begin
        p_crc_next = p_crc_upd;
        case (p_state_reg)
            P_SYNC0: begin
                if (q_s0_reg) begin
                    p_state_next = P_SYNC1;
                end
            end
            P_SYNC1: begin
                p_crc_next = 16'hffff;
                if (q_s1_reg) begin
                    p_state_next = P_TYPE;
                end else if (!q_s0_reg) begin
                    p_state_next = P_SYNC0;
                end
            end
            P_TYPE: begin
                p_cnt_next = 2'd0;
                if (q_tf_reg) begin
                    p_state_next = P_LEN;
                    p_info_next = 1'b0;
                end else if (q_ti_reg) begin
                    p_state_next = P_LEN;
                    p_info_next = 1'b1;
                end else begin
                    p_state_next = P_SYNC0;
                    reply_next = 1'b1;
                    reply_info_next = 1'b0;
                    reply_status_next = ST_TYPE;
                end
            end
            P_LEN: begin
                // bytes 2, 1, 0 of LEN, most significant first
                p_lenf_next = (p_cnt_reg == 2'd0 || p_lenf_reg) && (p_cnt_reg == 2'd0 ? q_l2_reg : q_l1_reg);
                p_leni_next = (p_cnt_reg == 2'd0 || p_leni_reg) && q_z_reg;
                p_cnt_next = p_cnt_reg + 1'b1;
                if (p_cnt_reg == 2'd2) begin
                    p_cnt_next = 2'd0;
                    if (p_info_reg ? p_leni_reg && q_z_reg : p_lenf_reg && q_l0_reg) begin
                        p_state_next = p_info_reg ? P_CRC : P_PAY;
                        pixel_next = {PW{1'b0}};
                        x_next = {XW{1'b0}};
                        ch_next = {CW{1'b0}};
                    end else begin
                        p_state_next = P_SYNC0;
                        reply_next = 1'b1;
                        reply_info_next = 1'b0;
                        reply_status_next = ST_LENGTH;
                    end
                end
            end
            P_PAY: begin
                pix_next = pix_cat[IN_CH*8+7:8];
                ch_next = ch_reg + 1'b1;
                if (ch_reg == C_LAST) begin
                    ch_next = {CW{1'b0}};
                    beat_valid_next = 1'b1;
                    beat_user_next = pixel_reg == {PW{1'b0}};
                    beat_last_next = x_reg == X_LAST;
                    fed_next = 1'b1;
                    pixel_next = pixel_reg + 1'b1;
                    x_next = x_reg == X_LAST ? {XW{1'b0}} : x_reg + 1'b1;
                    if (pixel_reg == IN_LAST) begin
                        p_state_next = P_CRC;
                    end
                end
            end
            default: begin
                // P_CRC: the register is 0 after a message and its own CRC
                p_cnt_next = p_cnt_reg + 1'b1;
                if (p_cnt_reg == 2'd1) begin
                    p_state_next = P_SYNC0;
                    fed_next = 1'b0;
                    if (p_info_reg) begin
                        reply_next = 1'b1;
                        reply_info_next = p_crc_upd == 16'd0;
                        reply_status_next = p_crc_upd == 16'd0 ? 5'd0 : ST_CRC;
                    end else begin
                        st_lost = lost_next;
                        st_end = 1'b1;
                        lost_next = 1'b0;
                    end
                end
            end
        endcase
    end

    // silence inside a frame: count cycles without a byte in or out
    if (idle_restart) begin
        idle_next = {TMW{1'b0}};
    end else begin
        idle_next = idle_reg + 1'b1;
    end
end

assign idle_restart = p_state_reg == P_SYNC0 || q_pop || rx_valid || TIMEOUT == 0;
wire timeout = TIMEOUT > 0 && p_state_reg != P_SYNC0 && idle_last_reg && !q_pop && !rx_valid;

always @(posedge clk) begin
    p_state_reg <= p_state_next;
    p_cnt_reg <= p_cnt_next;
    p_info_reg <= p_info_next;
    p_lenf_reg <= p_lenf_next;
    p_leni_reg <= p_leni_next;
    p_crc_reg <= p_crc_next;
    st_push_reg <= st_end;
    st_lost_reg <= st_lost;
    pix_reg <= pix_next;
    beat_valid_reg <= beat_valid_next;
    beat_last_reg <= beat_last_next;
    beat_user_reg <= beat_user_next;
    pixel_reg <= pixel_next;
    x_reg <= x_next;
    ch_reg <= ch_next;
    fed_reg <= fed_next;
    lost_reg <= lost_next;
    idle_reg <= idle_next;
    // idle_next == TM_LAST: 0 after a restart, idle_reg + 1 (mod 2^TMW) otherwise
    idle_last_reg <= idle_restart ? TM_LAST == {TMW{1'b0}} : idle_reg == TM_LAST - 1'b1;
    reply_reg <= reply_next;
    reply_info_reg <= reply_info_next;
    reply_status_reg <= reply_status_next;
    // abandon the frame; reset the pipeline only if it has seen pixels of it
    abort_reg <= timeout && fed_reg;

    if (srst) begin
        p_state_reg <= P_SYNC0;
        p_cnt_reg <= 2'd0;
        beat_valid_reg <= 1'b0;
        fed_reg <= 1'b0;
        idle_reg <= {TMW{1'b0}};
        idle_last_reg <= TM_LAST == {TMW{1'b0}};
        st_push_reg <= 1'b0;
    end
    if (timeout) begin
        p_state_reg <= P_SYNC0;
        reply_reg <= 1'b1;
        reply_info_reg <= 1'b0;
        reply_status_reg <= ST_TIMEOUT;
    end
    if (rst) begin
        lost_reg <= 1'b0;
        reply_reg <= 1'b0;
        abort_reg <= 1'b0;
    end
end

assign net_rst = abort_reg;

// ---- STATUS queue: one entry per image, consumed by the transmitter ----
wire [1:0] st_out;
wire st_valid;
wire st_pop;

rf_axis_fifo #(
    .DATA_WIDTH(2),
    .DEPTH(4)
) u_status (
    .clk(clk),
    .rst(srst),
    .s_axis_tdata(st_in),
    .s_axis_tvalid(st_push),
    .s_axis_tready(st_ready),
    .s_axis_tlast(1'b0),
    .s_axis_tuser(1'b0),
    .m_axis_tdata(st_out),
    .m_axis_tvalid(st_valid),
    .m_axis_tready(st_pop),
    .m_axis_tlast(st_last),
    .m_axis_tuser(st_user),
    .count(st_count),
    .high_water(st_high_water)
);

// ---- transmitter: frames -> bytes ----
localparam [2:0] X_IDLE = 3'd0, X_HDR = 3'd1, X_PAY = 3'd2, X_STATUS = 3'd3, X_CRC = 3'd4;
localparam [1:0] K_OUT = 2'd0, K_INFO = 2'd1, K_ERR = 2'd2;

reg [2:0] t_state_reg = X_IDLE, t_state_next;
reg [1:0] t_kind_reg = K_OUT, t_kind_next;
reg [2:0] t_idx_reg = 3'd0, t_idx_next;          // header or CRC byte
reg [3:0] t_info_reg = 4'd0, t_info_next;        // info payload byte
reg [4:0] t_err_reg = 5'd0, t_err_next;
reg [15:0] t_crc_reg = 16'hffff, t_crc_next;
reg [OUT_CH*8-1:0] o_shift_reg = {OUT_CH*8{1'b0}}, o_shift_next;
reg o_have_reg = 1'b0, o_have_next;
reg [OCW-1:0] o_ch_reg = {OCW{1'b0}}, o_ch_next;
reg [OPW-1:0] o_pix_reg = {OPW{1'b0}}, o_pix_next;
reg sent_reg = 1'b0, sent_next;
reg error_reg = 1'b0, error_next;
reg [7:0] t_byte;
reg t_valid;
wire t_ready;
wire t_xfer = t_valid && t_ready;
// the byte the state machine handed over in the cycle before: the state
// machine, the CRC and the STATUS pop act on this register, not on t_xfer
reg t_took_reg = 1'b0;
wire [15:0] t_crc_upd;
reg [7:0] info_byte;
reg [23:0] t_len;
reg [7:0] t_type;

// the byte register between the state machine and rf_uart_tx: the state
// machine hands a byte over when it is empty (t_ready is a flip-flop, so
// nothing of the transmitter lies behind t_xfer), and acts on the handover
// a cycle later (t_took_reg: the state, the CRC of the byte in x_byte_reg,
// the output shift register, the STATUS pop), while x_valid_reg still
// holds t_ready at 0. A byte waits here while the one before is sent, so
// the bytes still go out back to back.
reg [7:0] x_byte_reg = 8'd0;
reg x_valid_reg = 1'b0;
wire x_ready;

assign t_ready = !x_valid_reg;

always @(posedge clk) begin
    t_took_reg <= t_xfer;
    if (t_xfer) begin
        x_byte_reg <= t_byte;
        x_valid_reg <= 1'b1;
    end else if (x_ready) begin
        x_valid_reg <= 1'b0;
    end
    if (rst) begin
        x_valid_reg <= 1'b0;
        t_took_reg <= 1'b0;
    end
end

// the CRC of the byte handed over (t_took_reg)
rf_crc16 u_tx_crc (
    .crc_in(t_crc_reg),
    .data(x_byte_reg),
    .crc_out(t_crc_upd)
);

rf_uart_tx #(
    .CLKS_PER_BIT(CLKS_PER_BIT)
) u_tx (
    .clk(clk),
    .rst(rst),
    .s_axis_tdata(x_byte_reg),
    .s_axis_tvalid(x_valid_reg),
    .s_axis_tready(x_ready),
    .txd(txd)
);

// take a pipeline beat into the shift register when there is none
assign s_axis_tready = t_state_reg == X_PAY && t_kind_reg == K_OUT && !o_have_reg;
assign st_pop = t_state_reg == X_STATUS && t_kind_reg == K_OUT && t_took_reg;
assign reply_take = t_state_reg == X_IDLE && reply_reg;
assign frame_sent = sent_reg;
assign error = error_reg;

always @* begin
    case (t_info_reg)
        4'd0: info_byte = 8'd2;
        4'd1: info_byte = IN_HEIGHT[15:8];
        4'd2: info_byte = IN_HEIGHT[7:0];
        4'd3: info_byte = IN_WIDTH[15:8];
        4'd4: info_byte = IN_WIDTH[7:0];
        4'd5: info_byte = IN_CH[15:8];
        4'd6: info_byte = IN_CH[7:0];
        4'd7: info_byte = OUT_HEIGHT[15:8];
        4'd8: info_byte = OUT_HEIGHT[7:0];
        4'd9: info_byte = OUT_WIDTH[15:8];
        4'd10: info_byte = OUT_WIDTH[7:0];
        4'd11: info_byte = OUT_CH[15:8];
        4'd12: info_byte = OUT_CH[7:0];
        4'd13: info_byte = LEAD[23:16];
        4'd14: info_byte = LEAD[15:8];
        default: info_byte = LEAD[7:0];
    endcase
    t_type = t_kind_reg == K_OUT ? T_OUT : t_kind_reg == K_INFO ? T_INFO_R : T_ERR;
    t_len = t_kind_reg == K_OUT ? OUT_LEN : t_kind_reg == K_INFO ? INFO_LEN[23:0] : 24'd0;

    t_byte = 8'd0;
    t_valid = 1'b0;
    case (t_state_reg)
        X_HDR: begin
            t_valid = 1'b1;
            case (t_idx_reg)
                3'd0: t_byte = SYNC0;
                3'd1: t_byte = SYNC1;
                3'd2: t_byte = t_type;
                3'd3: t_byte = t_len[23:16];
                3'd4: t_byte = t_len[15:8];
                default: t_byte = t_len[7:0];
            endcase
        end
        X_PAY: begin
            t_valid = t_kind_reg == K_INFO || o_have_reg;
            t_byte = t_kind_reg == K_INFO ? info_byte : o_shift_reg[7:0];
        end
        X_STATUS: begin
            t_valid = t_kind_reg != K_OUT || st_valid;
            t_byte = t_kind_reg == K_OUT ? {6'd0, st_out} : {3'd0, t_err_reg};
        end
        X_CRC: begin
            t_valid = 1'b1;
            t_byte = t_idx_reg == 3'd0 ? t_crc_reg[15:8] : t_crc_reg[7:0];
        end
        default: begin
            t_valid = 1'b0;
        end
    endcase
end

always @* begin
    t_state_next = t_state_reg;
    t_kind_next = t_kind_reg;
    t_idx_next = t_idx_reg;
    t_info_next = t_info_reg;
    t_err_next = t_err_reg;
    t_crc_next = t_crc_reg;
    o_shift_next = o_shift_reg;
    o_have_next = o_have_reg;
    o_ch_next = o_ch_reg;
    o_pix_next = o_pix_reg;
    sent_next = 1'b0;
    error_next = error_reg;

    if (s_axis_tvalid && s_axis_tready) begin
        o_shift_next = s_axis_tdata;
        o_have_next = 1'b1;
    end
    // the CRC covers TYPE .. STATUS: every byte but the sync bytes and itself
    if (t_took_reg && t_state_reg != X_CRC && !(t_state_reg == X_HDR && t_idx_reg < 3'd2)) begin
        t_crc_next = t_crc_upd;
    end

    case (t_state_reg)
        X_IDLE: begin
            t_idx_next = 3'd0;
            t_crc_next = 16'hffff;
            t_info_next = 4'd0;
            o_ch_next = {OCW{1'b0}};
            o_pix_next = {OPW{1'b0}};
            if (reply_reg) begin
                t_state_next = X_HDR;
                t_kind_next = reply_info_reg ? K_INFO : K_ERR;
                t_err_next = reply_status_reg;
            end else if (s_axis_tvalid) begin
                t_state_next = X_HDR;
                t_kind_next = K_OUT;
            end
        end
        X_HDR: begin
            if (t_took_reg) begin
                t_idx_next = t_idx_reg + 1'b1;
                if (t_idx_reg == 3'd5) begin
                    t_idx_next = 3'd0;
                    t_state_next = t_kind_reg == K_ERR ? X_STATUS : X_PAY;
                end
            end
        end
        X_PAY: begin
            if (t_took_reg) begin
                if (t_kind_reg == K_INFO) begin
                    t_info_next = t_info_reg + 1'b1;
                    if (t_info_reg == INFO_LAST) begin
                        t_state_next = X_STATUS;
                    end
                end else begin
                    o_shift_next = o_shift_reg >> 8;
                    o_ch_next = o_ch_reg + 1'b1;
                    if (o_ch_reg == OC_LAST) begin
                        o_ch_next = {OCW{1'b0}};
                        o_have_next = 1'b0;
                        o_pix_next = o_pix_reg + 1'b1;
                        if (o_pix_reg == OUT_LAST) begin
                            t_state_next = X_STATUS;
                        end
                    end
                end
            end
        end
        X_STATUS: begin
            if (t_took_reg) begin
                t_state_next = X_CRC;
                t_idx_next = 3'd0;
                error_next = x_byte_reg != 8'd0;
            end
        end
        default: begin
            // X_CRC
            if (t_took_reg) begin
                t_idx_next = t_idx_reg + 1'b1;
                if (t_idx_reg == 3'd1) begin
                    t_state_next = X_IDLE;
                    sent_next = 1'b1;
                end
            end
        end
    endcase
end

always @(posedge clk) begin
    t_state_reg <= t_state_next;
    t_kind_reg <= t_kind_next;
    t_idx_reg <= t_idx_next;
    t_info_reg <= t_info_next;
    t_err_reg <= t_err_next;
    t_crc_reg <= t_crc_next;
    o_shift_reg <= o_shift_next;
    o_have_reg <= o_have_next;
    o_ch_reg <= o_ch_next;
    o_pix_reg <= o_pix_next;
    sent_reg <= sent_next;
    error_reg <= error_next;

    if (srst) begin
        t_state_reg <= X_IDLE;
        o_have_reg <= 1'b0;
        sent_reg <= 1'b0;
    end
    if (rst) begin
        error_reg <= 1'b0;
    end
end

endmodule

`resetall
