/*
 * rf_dut.h - C interface to the Verilated pipeline (the "shim").
 *
 * The generator writes OUT/shim.cpp implementing this interface for the
 * top module it emitted; the host links against it and knows nothing of
 * Verilator. One call sequence per clock cycle:
 *
 *   rf_dut_set_s_axis(...); rf_dut_set_m_tready(...);
 *   rf_dut_eval(d);                 settle combinational logic (clk low)
 *   rf_dut_s_tready(d); rf_dut_m_axis(d, ...);   sample handshakes
 *   rf_dut_tick(d);                 rising edge, then clk low again
 *
 * A beat carries one pixel, all channels: tdata[8c+7:8c] is channel c (int8).
 * tuser marks the first beat of a frame, tlast the last beat of each line.
 */
#ifndef RF_DUT_H
#define RF_DUT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rf_dut rf_dut;

rf_dut *rf_dut_new(void);
void rf_dut_free(rf_dut *d);
/* Holds rst high for 4 cycles with all valids/readies low. */
void rf_dut_reset(rf_dut *d);

/* tdata: in_c int8 values (in_c = rf_net_desc.layers[0].c). */
void rf_dut_set_s_axis(rf_dut *d, const int8_t *tdata, int tvalid, int tlast, int tuser);
void rf_dut_set_m_tready(rf_dut *d, int tready);
void rf_dut_eval(rf_dut *d);
int rf_dut_s_tready(rf_dut *d);
/* Returns m_axis_tvalid; copies out_c int8 values to tdata (may be NULL). */
int rf_dut_m_axis(rf_dut *d, int8_t *tdata, int *tlast, int *tuser);
void rf_dut_tick(rf_dut *d);

/* FIFOs in the order of rf_net_desc.fifos: current fill and high-water
 * mark, in elements, as the FIFO template reports them. */
uint32_t rf_dut_fifo_count(rf_dut *d, int i);
uint32_t rf_dut_fifo_high_water(rf_dut *d, int i);

#ifdef __cplusplus
}
#endif

#endif
