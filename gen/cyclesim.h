/*
 * cyclesim.h - the generated pipeline's handshakes, cycle by cycle
 * (cyclesim.c; docs/fifo-sizing.md).
 */
#ifndef RESFLOW_CYCLESIM_H
#define RESFLOW_CYCLESIM_H

#include <stdio.h>

#include "ir.h"

typedef struct cyclesim_result {
    long long *frame_done;       /* [frame]: cycle of the frame's last output beat */
    long long cycles;            /* cycles simulated */
    long long first_out;         /* cycle of the first output beat (the first input: cycle 0), or -1 */
    int deadlock;                /* no beat moved for max_idle cycles */
    double cycles_per_frame;     /* (last frame done - first) / (frames - 1), as the host measures */
} cyclesim_result;

/* Streams `frames` frames through net (after sched_run) with FIFO i at
 * depth[i] elements (NULL: net->fifos[i].depth), the host offering the
 * input at one beat per cycle from cycle 0 and taking every output beat.
 * Stops after max_idle cycles without a transfer (res->deadlock). trace:
 * one line per cycle "cycle input_beats output_beats", or NULL. Returns 0,
 * or -1 when out of memory. Free res->frame_done. */
int cyclesim_run(const ir_net *net, const int *depth, int frames, long long max_idle, cyclesim_result *res,
                 FILE *trace);

/* cyclesim_run with the host pausing `gap` cycles after every input beat
 * (0: none). With a gap longer than the pipeline's latencies every stage
 * drains between beats and holds at most the beat in its output register:
 * the least the stages buffer, so the FIFO depths that do not deadlock
 * then do not deadlock under any input gaps (docs/fifo-sizing.md). The
 * gap's cycles do not count toward max_idle. */
int cyclesim_run_gap(const ir_net *net, const int *depth, int frames, long long max_idle, long gap,
                     cyclesim_result *res, FILE *trace);

#endif
