/*
 * rf_axis_fifo - AXI4-Stream FIFO with an exact capacity and fill statistics.
 *
 * Holds exactly DEPTH beats (tdata, tlast, tuser). Storage is a simple dual
 * port RAM of DEPTH words written on every input transfer and read
 * synchronously into the output register (the RAM's registered read port is
 * the m_axis register itself, with read enable), so Yosys can map the array to
 * iCE40 EBR when it is large and to LUTs/flip-flops when it is small.
 *
 * Parameters
 *   DATA_WIDTH  tdata width in bits, >= 1
 *   DEPTH       capacity in beats, >= 2, any integer (pointers wrap at DEPTH)
 *
 * Ports besides the two streams
 *   count       beats held, including the one in the output register
 *   high_water  largest value count has taken since reset (FINN "maxcount")
 *
 * Handshake
 *   s_axis_tready = (count < DEPTH), a register of its own (not a
 *   comparison of count).
 *   m_axis_tvalid is a register; it never depends on m_axis_tready.
 *
 * Timing
 *   LATENCY = 2: a beat written into an empty FIFO in cycle t is valid on
 *   m_axis in cycle t + 2 (t: RAM write, t + 1: registered read into the
 *   output register).
 *   II = 1: one beat in and one beat out per cycle when neither full nor
 *   empty; with a source always valid and a sink always ready this holds
 *   from the first output on for DEPTH >= 3. DEPTH = 2 then moves 2 beats
 *   per 3 cycles: tready is registered (count < DEPTH), so the slot of a
 *   beat that leaves in cycle t is reusable only in cycle t + 1, and a beat
 *   takes 2 cycles from write to m_axis.
 *
 * Resources: DEPTH x (DATA_WIDTH + 2) RAM bits, DATA_WIDTH + 2 output register
 * bits, two pointers of clog2(DEPTH) bits, two counters of clog2(DEPTH+1)
 * bits (zero-extended on the 32-bit ports) and two flags (RAM empty, full).
 * Read and write never address the same word in one cycle (a read is only
 * issued when the RAM holds a beat, a write only when count < DEPTH), so the
 * RAM's read-during-write behaviour does not matter.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_axis_fifo #(
    // tdata width in bits (>= 1)
    parameter DATA_WIDTH = 8,
    // capacity in beats (>= 2, need not be a power of two)
    parameter DEPTH = 16
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire [DATA_WIDTH-1:0] s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,
    input  wire                  s_axis_tlast,
    input  wire                  s_axis_tuser,

    output wire [DATA_WIDTH-1:0] m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready,
    output wire                  m_axis_tlast,
    output wire                  m_axis_tuser,

    output wire [31:0]           count,
    output wire [31:0]           high_water
);

// address width (at least 1)
localparam ADDR_WIDTH = DEPTH > 2 ? $clog2(DEPTH) : 1;
// RAM word: {tuser, tlast, tdata}
localparam WORD_WIDTH = DATA_WIDTH + 2;
localparam [ADDR_WIDTH-1:0] LAST_ADDR = DEPTH[ADDR_WIDTH-1:0] - 1'b1;
// count and high-water width: 0 .. DEPTH
localparam CW = $clog2(DEPTH + 1);
localparam [CW-1:0] ONE = {{(CW-1){1'b0}}, 1'b1};
localparam [CW-1:0] DEPTH_CW = DEPTH[CW-1:0];

initial begin
    if (DATA_WIDTH < 1) begin
        $error("DATA_WIDTH must be >= 1 (instance %m)");
        $finish;
    end
    if (DEPTH < 2) begin
        $error("DEPTH must be >= 2 (instance %m)");
        $finish;
    end
end

// read and write never meet on a word (the header): no_rw_check keeps Yosys
// from emulating a read-during-write result (a write-data register, an
// address comparator and a multiplexer); the claim is checked in simulation
(* no_rw_check *)
reg [WORD_WIDTH-1:0] mem [0:DEPTH-1];

reg [ADDR_WIDTH-1:0] wr_ptr_reg = {ADDR_WIDTH{1'b0}}, wr_ptr_next;
reg [ADDR_WIDTH-1:0] rd_ptr_reg = {ADDR_WIDTH{1'b0}}, rd_ptr_next;
reg [CW-1:0] count_reg = {CW{1'b0}}, count_next;
reg [CW-1:0] high_water_reg = {CW{1'b0}}, high_water_next;
reg out_valid_reg = 1'b0, out_valid_next;
reg [WORD_WIDTH-1:0] out_word_reg;

// the RAM holds count - out_valid beats. Whether it holds none, and whether
// the FIFO is full (count = DEPTH), are registers kept from the transfers
// (Fmax: no comparison of the counter on the load and ready paths; the
// comparisons below only feed these registers):
//   RAM empty next: empty and no write, or one beat that is loaded with no write
//   full next:      full and no read, or DEPTH - 1 and a write with no read
reg ram_empty_reg = 1'b1;
reg full_reg = 1'b0;
wire ram_one = count_reg == {{(CW-1){1'b0}}, out_valid_reg} + ONE;
wire almost_full = count_reg == DEPTH_CW - ONE;
wire s_xfer = s_axis_tvalid && s_axis_tready;
wire m_xfer = out_valid_reg && m_axis_tready;
// load the output register when the RAM has a beat and the register is
// empty or being emptied in this cycle
wire load = !ram_empty_reg && (!out_valid_reg || m_axis_tready);

assign s_axis_tready = !full_reg;
assign m_axis_tvalid = out_valid_reg;
assign m_axis_tdata = out_word_reg[DATA_WIDTH-1:0];
assign m_axis_tlast = out_word_reg[DATA_WIDTH];
assign m_axis_tuser = out_word_reg[DATA_WIDTH+1];
assign count = {{(32-CW){1'b0}}, count_reg};
assign high_water = {{(32-CW){1'b0}}, high_water_reg};

always @* begin
    wr_ptr_next = wr_ptr_reg;
    rd_ptr_next = rd_ptr_reg;
    count_next = count_reg;
    out_valid_next = out_valid_reg;

    if (s_xfer) begin
        wr_ptr_next = wr_ptr_reg == LAST_ADDR ? {ADDR_WIDTH{1'b0}} : wr_ptr_reg + 1'b1;
    end
    if (load) begin
        rd_ptr_next = rd_ptr_reg == LAST_ADDR ? {ADDR_WIDTH{1'b0}} : rd_ptr_reg + 1'b1;
        out_valid_next = 1'b1;
    end else if (m_xfer) begin
        out_valid_next = 1'b0;
    end
    if (s_xfer && !m_xfer) begin
        count_next = count_reg + ONE;
    end else if (!s_xfer && m_xfer) begin
        count_next = count_reg - ONE;
    end
    high_water_next = count_next > high_water_reg ? count_next : high_water_reg;
end

// RAM: write port and registered read port (the output register)
always @(posedge clk) begin
    if (s_xfer) begin
        mem[wr_ptr_reg] <= {s_axis_tuser, s_axis_tlast, s_axis_tdata};
    end
    if (load) begin
        out_word_reg <= mem[rd_ptr_reg];
    end
end

`ifndef SYNTHESIS
always @(posedge clk) begin
    if (!rst && s_xfer && load && wr_ptr_reg == rd_ptr_reg) begin
        $error("rf_axis_fifo: RAM word %0d read and written in one cycle (instance %m)", rd_ptr_reg);
    end
end
`endif

always @(posedge clk) begin
    wr_ptr_reg <= wr_ptr_next;
    rd_ptr_reg <= rd_ptr_next;
    count_reg <= count_next;
    high_water_reg <= high_water_next;
    out_valid_reg <= out_valid_next;
    ram_empty_reg <= ram_empty_reg ? !s_xfer : ram_one && load && !s_xfer;
    full_reg <= full_reg ? !m_xfer : almost_full && s_xfer && !m_xfer;

    if (rst) begin
        wr_ptr_reg <= {ADDR_WIDTH{1'b0}};
        rd_ptr_reg <= {ADDR_WIDTH{1'b0}};
        count_reg <= {CW{1'b0}};
        high_water_reg <= {CW{1'b0}};
        out_valid_reg <= 1'b0;
        ram_empty_reg <= 1'b1;
        full_reg <= 1'b0;
    end
end

endmodule

`resetall
