#!/usr/bin/env bash
# tools/bitstream.sh KERNEL.yaml BOARD OUT_DIR
#
# The bitstream flow (docs/boards.md): `resflow gen --board` (fit check,
# board top, .pcf, DSP plan), Yosys synth_ice40 with the planned multipliers
# on SB_MAC16 blocks, nextpnr-ice40 at the board clock, icepack. Writes
# OUT_DIR/NAME.bin (NAME = kernel_board), keeps every log in OUT_DIR/logs/,
# prints the utilization against the device and the achieved Fmax, and
# writes OUT_DIR/utilization.json.
#
# Environment: GEN_FLAGS (more `resflow gen` options, e.g. --resolution 32x32
# --target-cycles 20000), CLOCK_MHZ (default: the board's target_mhz),
# BAUD (default 1000000), MULTIPLIERS (auto|dsp|lut), SEED (nextpnr seed, 1),
# PNR_TIMEOUT (seconds nextpnr may run, default 1200), PNR_FLAGS (more
# nextpnr-ice40 options; see below), PNR_SEEDS (seeds to try when the router
# stalls, default 4), TIMING_SEEDS (placements to try while timing is not
# met, default 3), FLOORPLAN (1: keep each stage's logic cells in a region of
# the die, tools/floorplan.py; 0: no regions; default 1 on the UP5K when the
# fit check estimates at least 75 % of its cells, else 0), PLACE_TIMEOUT
# (seconds a floorplanned placement may take before the next seed is tried
# without the floorplan, 240), DFFE_MIN (synth_ice40 -dffe_min_ce_use: flip-flops that
# must share an enable before it is a flip-flop enable, else it is logic;
# default 8 on the UP5K, 0 (any) on the HX devices),
# RESFLOW (the generator, default build/resflow).
#
# Exit status: 0 with the .bin written and timing met; 1 on any failure,
# including timing not met (the .asc and the reports are kept, no .bin).
set -u
cd "$(dirname "$0")/.." || exit 2
ROOT=$(pwd)
if [ $# -ne 3 ]; then
    echo "usage: tools/bitstream.sh KERNEL.yaml BOARD OUT_DIR" >&2
    exit 2
fi
kernel=$1
board=$2
out=$3
kn=$(basename "$kernel" .yaml)
name=${kn}_$board
RESFLOW=${RESFLOW:-build/resflow}
mkdir -p "$out/logs"
out=$(cd "$out" && pwd)
logs=$out/logs
t0=$(date +%s)
step() { printf '[%s] %-10s %s\n' "$(date +%T)" "$1" "$2"; }
die() { echo "bitstream: error: $*" >&2; exit 1; }
elapsed() { echo "$(($(date +%s) - $1)) s"; }

# ---- 1. generate, with the fit check ----
step generate "$RESFLOW gen $kernel --board $board ${GEN_FLAGS:-}"
flags=()
[ -n "${CLOCK_MHZ:-}" ] && flags+=(--clock-mhz "$CLOCK_MHZ")
[ -n "${BAUD:-}" ] && flags+=(--baud "$BAUD")
[ -n "${MULTIPLIERS:-}" ] && flags+=(--multipliers "$MULTIPLIERS")
# shellcheck disable=SC2086
if ! "$RESFLOW" gen "$kernel" -o "$out/gen" --board "$board" "${flags[@]}" ${GEN_FLAGS:-} >"$logs/gen.log" 2>&1; then
    cat "$logs/gen.log" >&2
    die "$kn does not fit $board (or the generator failed); nothing synthesized"
fi
fit=$out/gen/board/fit.json
read -r device package mhz est_lut est_ebr est_dsp dev_lut < <(python3 - "$fit" <<'EOF'
import json, sys
f = json.load(open(sys.argv[1]))
e = f["estimate"]
print(f["device"], f["package"], f["clock"]["mhz"], e["logic_cells"], e["ebr"], e["dsp"], f["device_total"]["lut4"])
EOF
) || die "cannot read $fit"
step fit "estimate $est_lut logic cells, $est_ebr EBR, $est_dsp DSP; clock $mhz MHz"

# The UP5K's two measures against its placement (docs/boards.md, "The
# floorplan"): enables shared by fewer than 8 flip-flops become logic (an
# iCE40 logic tile's 8 cells share one enable, so small enable groups leave
# cells of their tiles empty and spread the design), and a floorplan
# (the floorplan when the estimate is at least 75 % of the cells: a smaller
# design places well without, and the regions can hang nextpnr's placer)
case $device in
    up5k) dffe_min=${DFFE_MIN:-8}; floorplan=${FLOORPLAN:-$((est_lut * 100 >= 75 * dev_lut))} ;;
    *) dffe_min=${DFFE_MIN:-0}; floorplan=${FLOORPLAN:-0} ;;
esac
dffe_flag=
[ "$dffe_min" -gt 0 ] && dffe_flag="-dffe_min_ce_use $dffe_min"
fp_flags=()
if [ "$floorplan" = 1 ]; then
    python3 tools/floorplan.py "$fit" "$out/floorplan.py" >"$logs/floorplan.log" 2>&1 ||
        die "cannot write the floorplan (see $logs/floorplan.log)"
    fp_flags=(--pre-place "$out/floorplan.py")
    step floorplan "$(grep -c '^floorplan:' "$logs/floorplan.log") regions (tools/floorplan.py, $out/floorplan.py)"
fi

# ---- 2. synthesis: synth_ice40 with the planned multipliers on DSP blocks ----
step synthesis "yosys synth_ice40 (log: $logs/yosys.log)"
ts=$(date +%s)
rtl=$(ls "$out"/gen/rtl/*.v | tr '\n' ' ')
cat >"$out/synth.ys" <<EOF
# synth_ice40 for $name, its coarse step spelled out so that only the
# multipliers planned in board/dsp.ys (resflow gen --board) become SB_MAC16
read_verilog -defer $rtl $out/gen/board/rf_board_core.v $out/gen/board/rf_board_top.v
chparam -set MEM_PATH "$out/gen/mem/" rf_board_top
synth_ice40 -top rf_board_top -run begin:coarse
opt_expr
opt_clean
check
opt -nodffe -nosdff
fsm
opt
wreduce
peepopt
opt_clean
share
techmap -map +/cmp2lut.v -D LUT_WIDTH=4
opt_expr
opt_clean
memory_dff
wreduce t:\$mul
script $out/gen/board/dsp.ys
techmap -map +/mul2dsp.v -map +/ice40/dsp_map.v -D DSP_A_MAXWIDTH=16 -D DSP_B_MAXWIDTH=16 -D DSP_A_MINWIDTH=2 -D DSP_B_MINWIDTH=2 -D DSP_Y_MINWIDTH=11 -D DSP_NAME=\$__MUL16X16 @rf_dsp
select a:mul2dsp
setattr -unset mul2dsp
opt_expr -fine
wreduce
select -clear
# ice40_dsp would also take any remaining multiplier of 16 x 16 bits or
# less: hide them from it
chtype -set \$__soft_mul t:\$mul
ice40_dsp
chtype -set \$mul t:\$__soft_mul
alumacc
opt
memory -nomap
opt_clean
synth_ice40 -top rf_board_top $dffe_flag -run map_ram: -json $out/$name.json
tee -q -o $out/yosys_stat.txt stat
EOF
if ! nice yosys -q -l "$logs/yosys.log" "$out/synth.ys" >/dev/null 2>&1; then
    grep -E "ERROR|Error" "$logs/yosys.log" | head -5 >&2
    die "synthesis failed (see $logs/yosys.log)"
fi
step synthesis "done in $(elapsed "$ts")"

# ---- 3./4. place and route ----
# TIMING_SEEDS placements (default 3) are tried while timing is not met,
# seeds SEED, SEED + 1, ...: placement moves Fmax by 5 to 10 % (docs/boards.md,
# "Timing"), and the first seed that meets the clock is kept. Each seed is
# deterministic, so the same input still gives the same bitstream.
seed=${SEED:-1}
tries=${PNR_SEEDS:-4}
timing_tries=${TIMING_SEEDS:-3}
# logs of an earlier run's extra seeds would read as this run's
rm -f "$logs"/nextpnr_stalled_seed*.log "$logs"/nextpnr_slow_seed*.log
while :; do
ts=$(date +%s)
rm -f "$logs/nextpnr.log" "$out/$name.asc" "$out/nextpnr_report.json" "$out/$name.bin" "$out/utilization.json" "$out/summary.txt"
# PNR_FLAGS: more nextpnr-ice40 options. The default on the HX devices is
# --no-promote-globals, with which the first HX8K runs of board_tiny routed
# when the promoted ones stalled; the stalls turned out to be router1's
# seed-dependent loop (below), which the seed retry handles either way.
case $device in
    hx*) pnr_flags=${PNR_FLAGS---no-promote-globals} ;;
    *) pnr_flags=${PNR_FLAGS-} ;;
esac
# router1's table stuck: the last 30 batches all rip up 1000 arcs and route
# none without, with the same count of arcs remaining. nextpnr-ice40 has a
# known seed-dependent infinite loop in router1 (YosysHQ/nextpnr issue 179,
# "Infinite loop in router1() for some seeds"): another seed routes.
stalled() {
    grep -E '^Info: +[0-9]+ \|' "$1" 2>/dev/null | tail -n 30 | awk -F'|' '
        NF >= 5 { n++; w = $3; gsub(/ +/, " ", w); r = $4; gsub(/ /, "", r)
                  if (w !~ /^ ?1000 0 ?$/) bad = 1
                  if (first == "") first = r; else if (r != first) bad = 1 }
        END { exit !(n == 30 && !bad) }'
}
step place "nextpnr-ice40 --$device --package $package --freq $mhz --seed $seed (log: $logs/nextpnr.log)"
while :; do
    # shellcheck disable=SC2086
    timeout "${PNR_TIMEOUT:-1200}" nice nextpnr-ice40 "--$device" --package "$package" --json "$out/$name.json" \
        --pcf "$out/gen/board/$board.pcf" --asc "$out/$name.asc" --freq "$mhz" --seed "$seed" \
        --report "$out/nextpnr_report.json" --timing-allow-fail $pnr_flags "${fp_flags[@]}" -l "$logs/nextpnr.log" -q >/dev/null 2>&1 &
    pnr=$!
    ts=$(date +%s)
    routed=0
    stall=0
    while kill -0 $pnr 2>/dev/null; do
        if [ $routed = 0 ] && grep -q -E "^Info: (Routing|Setting up routing)" "$logs/nextpnr.log" 2>/dev/null; then
            step route "placed in $(elapsed "$ts")"
            routed=1
        fi
        if [ $stall = 0 ] && [ $routed = 1 ] && stalled "$logs/nextpnr.log"; then
            stall=1
            what="router1 stopped making progress"
            kill $pnr 2>/dev/null
        fi
        # the analytic placer with the floorplan's regions sometimes never
        # ends (nextpnr-ice40 0.4; docs/boards.md, "The floorplan"): another
        # seed places, without the floorplan (only floorplanned runs are
        # watched: without regions the placer has always ended)
        if [ $stall = 0 ] && [ "$floorplan" = 1 ] && [ $routed = 0 ] &&
            [ $(($(date +%s) - ts)) -gt "${PLACE_TIMEOUT:-240}" ]; then
            stall=1
            what="the placer did not finish in ${PLACE_TIMEOUT:-240} s"
            kill $pnr 2>/dev/null
            # with the floorplan the next seeds often hang too (resnet_block
            # 16x16: four of four): they place without it
            if [ "$floorplan" = 1 ]; then
                floorplan=0
                fp_flags=()
                what="$what with the floorplan (the next seeds place without it)"
            fi
        fi
        sleep 1
    done
    wait $pnr
    rc=$?
    # the floorplan's regions can also leave the placer without a legal
    # placement: the next seeds place without it
    if [ $stall = 0 ] && [ $rc -ne 0 ] && [ "$floorplan" = 1 ] &&
        grep -q "Unable to find legal placement" "$logs/nextpnr.log" 2>/dev/null; then
        stall=1
        floorplan=0
        fp_flags=()
        what="no legal placement with the floorplan (the next seeds place without it)"
    fi
    [ $stall = 1 ] || break
    mv "$logs/nextpnr.log" "$logs/nextpnr_stalled_seed$seed.log"
    tries=$((tries - 1))
    [ $tries -gt 0 ] || die "nextpnr stalled with $((${PNR_SEEDS:-4})) seeds (the last: $what; router1's infinite loop is YosysHQ/nextpnr issue 179); try other seeds (SEED=N), FLOORPLAN=0 or a lower clock (CLOCK_MHZ=N); see $logs/"
    seed=$((seed + 1))
    rm -f "$out/$name.asc" "$out/nextpnr_report.json"
    step place "$what: again with --seed $seed (log of the stalled run: $logs/nextpnr_stalled_seed$((seed - 1)).log)"
done
if [ $rc -eq 124 ]; then
    die "place and route did not finish in ${PNR_TIMEOUT:-1200} s (PNR_TIMEOUT): the router could not resolve congestion; try another placement seed (SEED=N) or a lower clock (CLOCK_MHZ=N); see $logs/nextpnr.log"
fi
if [ $rc -ne 0 ] || [ ! -s "$out/$name.asc" ]; then
    grep -E "ERROR|Error" "$logs/nextpnr.log" | head -5 >&2
    die "place and route failed (see $logs/nextpnr.log)"
fi
step route "done in $(elapsed "$ts")"

# ---- utilization and timing ----
if ! python3 - "$out" "$name" "$fit" "$mhz" "$seed" "$floorplan" >"$out/summary.txt" <<'EOF'
import json, re, sys
out, name, fitf, mhz, seed = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5])
floorplan = sys.argv[6] == "1"
fit = json.load(open(fitf))
rep = json.load(open(out + "/nextpnr_report.json"))
stat = open(out + "/yosys_stat.txt").read()
def cells(pattern):
    return sum(int(n) for c, n in re.findall(r"^\s+(\S+)\s+(\d+)\s*$", stat, re.M) if re.fullmatch(pattern, c))
u = rep["utilization"]
def used(k):
    return u.get(k, {}).get("used", 0)
tot = fit["device_total"]
fmax = min(v["achieved"] for v in rep["fmax"].values())
res = {
    "board": fit["board"], "network": fit["network"], "device": fit["device"],
    "lut4": cells(r"SB_LUT4"), "ff": cells(r"SB_DFF\w*"), "logic_cells": used("ICESTORM_LC"),
    "ebr": used("ICESTORM_RAM"), "spram": used("ICESTORM_SPRAM"), "dsp": used("ICESTORM_DSP"),
    "device_total": {"logic_cells": u["ICESTORM_LC"]["available"], "lut4": tot["lut4"], "ebr": tot["ebr"],
                     "spram": tot["spram"], "dsp": tot["dsp"]},
    "estimate": fit["estimate"],
    "clock_mhz": mhz, "fmax_mhz": round(fmax, 2), "timing_met": fmax >= mhz, "seed": seed, "floorplan": floorplan,
    "cycles_per_frame": fit["predicted_cycles_per_frame"],
    "frames_per_second_at_fmax": round(fmax * 1e6 / fit["predicted_cycles_per_frame"], 2),
    "uart_frames_per_second": fit["uart"]["frames_per_second"],
}
# the critical path of the design clock, by instance (nextpnr's report)
log = open(out + "/logs/nextpnr.log").read()
m = re.search(r"Critical path report for clock '[^']*' \(posedge -> posedge\):\n(.*?)\n(?:Info: Critical path report|Info: Max frequency|\n)", log, re.S)
if m:
    cellnames = re.findall(r"(?:Source|Sink) (\S+)", m.group(1))
    def inst(c):
        return re.sub(r"_SB_\w*|\$\w*|\.[A-Z0-9_]+$", "", c).replace("u_core.u_net.", "").replace("u_core.", "")
    def template(c):
        # instance names of gen/emit.c: x_FIFO, u_LAYER_fork/_window/_mac/_add/_pool
        for pat, t in ((r"^x_", "rf_axis_fifo"), (r"^u_\w+_fork\b", "rf_axis_fork"),
                       (r"g_ser\.u_rq\b", "rf_requant_serial"), (r"u_rq[01o]?\b", "rf_requant"),
                       (r"^u_\w+_mac\b", "rf_conv_mac/rf_dw_mac"), (r"^u_\w+_window\b", "rf_window/rf_window_fold"),
                       (r"^u_\w+_add\b", "rf_add"), (r"^u_\w+_pool\b", "rf_pool"), (r"u_bridge", "rf_uart_bridge")):
            if re.search(pat, c):
                return t
        return "board top"
    through = []
    for c in map(inst, cellnames):
        if c and c not in through:
            through.append(c)
    through = ["%s (%s)" % (c, template(c)) for c in through]
    total = re.findall(r"Info: +([0-9.]+) ns logic, ([0-9.]+) ns routing", m.group(1))
    res["critical_path"] = {"through": through, "logic_ns": float(total[-1][0]) if total else None,
                            "routing_ns": float(total[-1][1]) if total else None}
json.dump(res, open(out + "/utilization.json", "w"), indent=2)
def line(label, n, total):
    return "  %-12s %6d / %-6d %5.1f %%" % (label, n, total, 100.0 * n / total if total else 0)
print("utilization (%s, %s):" % (fit["device"], fit["board"]))
print(line("LUT4", res["lut4"], tot["lut4"]))
print(line("FF", res["ff"], tot["lut4"]))
print(line("logic cells", res["logic_cells"], res["device_total"]["logic_cells"]) + "   (estimate %d)" % fit["estimate"]["logic_cells"])
print(line("EBR", res["ebr"], tot["ebr"]) + "   (estimate %d)" % fit["estimate"]["ebr"])
print(line("SPRAM", res["spram"], tot["spram"]))
print(line("DSP", res["dsp"], tot["dsp"]) + "   (planned %d)" % fit["estimate"]["dsp"])
print("timing: Fmax %.2f MHz against %.2f MHz: %s (placement seed %d%s)" % (fmax, mhz, "met" if fmax >= mhz else "NOT MET", seed,
      ", floorplan" if floorplan else ""))
if "critical_path" in res:
    cp = res["critical_path"]
    print("critical path: %s (%s ns logic, %s ns routing)" % (" -> ".join(cp["through"]), cp["logic_ns"], cp["routing_ns"]))
print("throughput: %d cycles per frame, %.1f frames/s at Fmax; the UART carries %.2f frames/s" %
      (res["cycles_per_frame"], res["frames_per_second_at_fmax"], res["uart_frames_per_second"]))
ua = fit["uart"]
print("uart: receive FIFO %d bytes (%d EBR); %s" % (ua["rx_fifo_bytes"], ua["rx_fifo_ebr"],
      "the host paces the image %d bytes ahead of the output" % ua["pace_lead_bytes"] if ua["paced"] else "no pacing"))
EOF
then
    die "cannot read the reports (see $out/nextpnr_report.json, $out/yosys_stat.txt)"
fi
cat "$out/summary.txt"
if grep -q "NOT MET" "$out/summary.txt"; then
    timing_tries=$((timing_tries - 1))
    if [ $timing_tries -gt 0 ]; then
        mv "$logs/nextpnr.log" "$logs/nextpnr_slow_seed$seed.log"
        seed=$((seed + 1))
        step place "timing not met: again with --seed $seed (TIMING_SEEDS; log of the last run: $logs/nextpnr_slow_seed$((seed - 1)).log)"
        continue
    fi
    echo "bitstream: error: timing not met: $name reaches $(sed -n 's/.*Fmax \([0-9.]*\) MHz.*/\1/p' "$out/summary.txt") MHz," \
        "the board clock is $mhz MHz. Lower the clock (CLOCK_MHZ=N, a PLL setting of the board) or pipeline" \
        "the critical path (nextpnr's report: $logs/nextpnr.log, 'Critical path report'). No .bin written." >&2
    rm -f "$out/$name.bin"
    exit 1
fi
break
done

# ---- 5. pack ----
step pack "icepack $name.asc $name.bin"
if ! icepack "$out/$name.asc" "$out/$name.bin" >"$logs/icepack.log" 2>&1 || [ ! -s "$out/$name.bin" ]; then
    cat "$logs/icepack.log" >&2
    die "icepack failed"
fi
step done "$out/$name.bin ($(stat -c %s "$out/$name.bin") bytes) in $(elapsed "$t0")"
