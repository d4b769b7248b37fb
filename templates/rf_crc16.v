/*
 * rf_crc16 - one byte of CRC-16/CCITT-FALSE, combinational.
 *
 * Polynomial 0x1021 (x^16 + x^12 + x^5 + 1), MSB first, no reflection, no
 * final XOR; the register starts at 0xFFFF (the caller's reset value). The
 * check value of the ASCII bytes "123456789" is 0x29B1 (the catalogue of
 * parametrised CRC algorithms, "CRC-16/IBM-3740", formerly CCITT-FALSE).
 * A message followed by its CRC, most significant byte first, leaves the
 * register at 0, which is how rf_uart_bridge checks a frame.
 *
 * crc_out = the register after shifting the 8 bits of data (MSB first) into
 * crc_in. Resources: 16 XOR functions of at most 9 inputs, about 30 LUT4.
 */

`resetall
`timescale 1ns / 1ps
`default_nettype none

module rf_crc16 (
    input  wire [15:0] crc_in,
    input  wire [7:0]  data,
    output reg  [15:0] crc_out
);

integer i;

always @* begin
    crc_out = crc_in ^ {data, 8'h00};
    for (i = 0; i < 8; i = i + 1) begin
        crc_out = crc_out[15] ? {crc_out[14:0], 1'b0} ^ 16'h1021 : {crc_out[14:0], 1'b0};
    end
end

endmodule

`resetall
