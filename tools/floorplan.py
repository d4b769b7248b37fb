#!/usr/bin/env python3
"""tools/floorplan.py FIT.json OUT.py - a floorplan for nextpnr-ice40.

Writes a script for `nextpnr-ice40 --pre-place OUT.py` that keeps each
compute stage's logic cells (LUT4, flip-flop and carry, as packed logic
cells) inside a rectangle of the die, and the UART bridge's inside another.
docs/boards.md ("The floorplan") explains why: on the UP5K at 80 % of its
cells, nextpnr's analytic placer spread a stage's registers over the die, so
that a register and the logic feeding it were 15 to 20 tiles apart and most
critical paths were two 5 to 7 ns nets (resnet_block: 39 to 46 MHz over
placement seeds, 46 to 49 MHz with this floorplan).

The layout is a U through the stages in the generator's order (the order
of fit.json's "stages", which is the layers' topological order): the bridge
at the bottom in the middle, next to the UART pins; the first half of the
compute stages (by their estimated logic cells) upwards in the left half of
the die, the rest downwards in the right half, so that the pipeline's
output stage ends next to the bridge again. Each stage gets a band of rows
in its half in proportion to its estimated logic cells, widened by MARGIN
rows on both sides so that neighbouring bands overlap and the placer can
balance them. Forks and FIFOs are left free (they join stages that may be
far apart); block RAMs and DSPs are left free too (their columns are fixed).

Inputs: FIT.json from `resflow gen --board` (board/fit.json: "device",
"stages" with "name", "kind" and "logic_cells"). Units: tiles of the logic
grid (x, y), a tile holds 8 logic cells. Errors: exit 2 with a message on
a device without a geometry below or an unreadable FIT.json.
"""
import json
import math
import sys

# Logic tiles of each device (nextpnr-ice40 0.4's chip database): the x
# range, the y range, and the columns that hold block RAM instead of logic.
GEOMETRY = {
    "up5k": {"x": (1, 24), "y": (1, 30), "ram_cols": (6, 19)},
    "hx8k": {"x": (1, 32), "y": (1, 32), "ram_cols": (8, 25)},
}
# rows added above and below each band
MARGIN = 2
# the bridge's rectangle (the columns between the two RAM columns) has rows
# for its estimated logic cells at this fill
BRIDGE_FILL = 0.7
# logic cells per tile
LOGIC_PER_TILE = 8

COMPUTE_SUFFIXES = ("window", "mac", "pool", "add")


def main():
    if len(sys.argv) != 3:
        print("usage: tools/floorplan.py FIT.json OUT.py", file=sys.stderr)
        return 2
    try:
        fit = json.load(open(sys.argv[1]))
        dev = fit["device"]
        stages = [{"name": s["name"], "kind": s["kind"], "logic_cells": int(s["logic_cells"])} for s in fit["stages"]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("floorplan: error: cannot read %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 2
    if dev not in GEOMETRY:
        print("floorplan: error: no geometry for device %s" % dev, file=sys.stderr)
        return 2
    g = GEOMETRY[dev]
    x0, x1 = g["x"]
    y0, y1 = g["y"]
    ram = g["ram_cols"]
    xmid = (x0 + x1) // 2
    regions = []   # (region name, (x0, y0, x1, y1), [cell name prefixes])

    compute = [s for s in stages if s["kind"] not in ("fork", "fifo", "uart bridge", "board top")]
    bridge = [s for s in stages if s["kind"] == "uart bridge"]
    if bridge:
        bx0, bx1 = ram[0] + 1, ram[1] - 1
        cols = sum(1 for x in range(bx0, bx1 + 1) if x not in ram)
        rows = math.ceil(bridge[0]["logic_cells"] / BRIDGE_FILL / (cols * LOGIC_PER_TILE))
        regions.append(("bridge", (bx0, y0, bx1, min(y1, y0 + max(rows, 1) - 1)), ["u_core.u_bridge."]))

    # split the stages in two runs of about equal logic cells
    total = sum(s["logic_cells"] for s in compute)
    split, acc, best = len(compute), 0, None
    for k in range(len(compute) + 1):
        d = abs(2 * acc - total)
        if best is None or d < best:
            best, split = d, k
        if k < len(compute):
            acc += compute[k]["logic_cells"]
    halves = [(compute[:split], (x0, xmid), False), (compute[split:], (xmid + 1, x1), True)]
    for run, (hx0, hx1), downwards in halves:
        n = sum(s["logic_cells"] for s in run)
        pos = 0.0
        for s in run:
            share = s["logic_cells"] / n if n else 0
            lo = y0 + pos * (y1 - y0 + 1)
            hi = y0 + (pos + share) * (y1 - y0 + 1) - 1
            pos += share
            if downwards:
                lo, hi = y0 + y1 - hi, y0 + y1 - lo
            r = (hx0, max(y0, math.floor(lo) - MARGIN), hx1, min(y1, math.ceil(hi) + MARGIN))
            pre = ["u_core.u_net.u_%s_%s." % (s["name"], suf) for suf in COMPUTE_SUFFIXES]
            regions.append(("s_" + s["name"], r, pre))

    with open(sys.argv[2], "w") as f:
        f.write("# nextpnr-ice40 --pre-place script written by tools/floorplan.py from %s\n" % sys.argv[1])
        f.write("# (docs/boards.md, \"The floorplan\"): region, rectangle (x0, y0, x1, y1), cell prefixes\n")
        f.write("REGIONS = [\n")
        for name, r, pre in regions:
            f.write("    (%r, %r, %r),\n" % (name, r, pre))
        f.write("]\n")
        # nextpnr's stdout is not kept: the counts go to a file beside the script
        f.write("LOG = %r\n" % (sys.argv[2] + ".log"))
        f.write("""counts = {}
for name, r, pre in REGIONS:
    ctx.createRectangularRegion(name, r[0], r[1], r[2], r[3])
for cname, cell in ctx.cells:
    if cell.type != "ICESTORM_LC":
        continue
    for name, r, pre in REGIONS:
        if any(cname.startswith(p) for p in pre):
            ctx.constrainCellToRegion(cname, name)
            counts[name] = counts.get(name, 0) + 1
            break
with open(LOG, "w") as f:
    for name, r, pre in REGIONS:
        f.write("floorplan: %s in x %d..%d, y %d..%d: %d logic cells\\n" % (name, r[0], r[2], r[1], r[3], counts.get(name, 0)))
""")
    for name, r, pre in regions:
        print("floorplan: %s in x %d..%d, y %d..%d" % (name, r[0], r[2], r[1], r[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
