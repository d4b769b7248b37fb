#!/usr/bin/env bash
# make bench: three ways to size FIFOs, side by side (docs/fifo-sizing.md).
#
#   (a) whole tensor: every stream gets H x W elements (hls4ml's default);
#   (b) simulation: every FIFO very deep (H x W), stream 3 frames through the
#       Verilated pipeline, take each FIFO's high-water mark (+1, the
#       registered-ready slack that full throughput needs in rf_axis_fifo),
#       as hls4ml's and FINN's FIFO-depth flows do;
#   (c) resflow's latency analysis (`resflow size`).
# For each: total FIFO bits and the wall time taken to produce the sizes.
# Writes bench/fifo_sizing.json and prints a table. Not a timed test.
set -u
cd "$(dirname "$0")/.."
KERNELS=${BENCH_KERNELS:-"kernels/resnet_block.yaml tests/kernels/two_blocks.yaml tests/kernels/wide_1x1.yaml tests/kernels/tiny_skip.yaml"}
out=bench/fifo_sizing.json
work=build/bench
mkdir -p "$work"
rows=()
for k in $KERNELS; do
    kn=$(basename "$k" .yaml)
    # (c) the analysis, timed as a whole process (parse + check + analysis)
    t0=$(date +%s.%N)
    for _ in 1 2 3 4 5 6 7 8 9 10; do build/resflow size "$k" --json >"$work/$kn.size.json" || exit 1; done
    t1=$(date +%s.%N)
    tc=$(python3 -c "print(($t1 - $t0) / 10)")
    # (b) deep FIFOs in simulation
    build/resflow gen "$k" -o "$work/$kn.ref" >/dev/null || exit 1
    flags=$(python3 -c "
import json,sys
r=json.load(open(sys.argv[1]))
hw=r['input']['height']*r['input']['width']
print(' '.join('--fifo-depth %s=%d' % (f['name'], hw) for f in r['fifos']))" "$work/$kn.ref/report.json")
    t0=$(date +%s.%N)
    rm -rf "build/bench_$kn"
    make --no-print-directory "build/bench_$kn/stream" K="bench_$kn" KERNEL="$k" GEN_FLAGS="$flags" \
        >"$work/$kn.build.log" 2>&1 || { tail "$work/$kn.build.log"; exit 1; }
    "build/bench_$kn/stream" --random-frames 3 --seed 5 --quiet --json "$work/$kn.sim.json" >/dev/null || exit 1
    t1=$(date +%s.%N)
    tb=$(python3 -c "print($t1 - $t0)")
    row="$(python3 - "$work/$kn.ref/report.json" "$work/$kn.sim.json" "$work/$kn.size.json" "$tb" "$tc" <<'EOF'
import json, sys
rep = json.load(open(sys.argv[1]))
sim = json.load(open(sys.argv[2]))
size = json.load(open(sys.argv[3]))["resolutions"][0]
tb, tc = float(sys.argv[4]), float(sys.argv[5])
hw = rep["input"]["height"] * rep["input"]["width"]
# (a) every stream of the graph (each producer-to-consumer edge, and the
# output) holds a whole H x W tensor: widths from the generated top's wires
import re
top = open(sys.argv[1].replace("report.json", "rtl/resflow_%s.v" % rep["name"])).read()
edges = re.findall(r"wire \[(\d+):0\] e_\w+_in\d+_axis_tdata;", top)
out_bits = int(re.search(r"wire \[(\d+):0\] e_out_axis_tdata;", top).group(1)) + 1
width = {f["name"]: f["width_bits"] for f in size["fifos"]}
a_bits = sum((int(w) + 1) * hw for w in edges) + out_bits * hw
b_bits = sum((f["high_water"] + 1) * width[f["name"]] for f in sim["fifos"])
c_bits = sum(f["depth"] * f["width_bits"] for f in size["fifos"])
print(json.dumps({"kernel": rep["name"], "resolution": "%dx%d" % (rep["input"]["width"], rep["input"]["height"]),
                  "whole_tensor_bits": a_bits, "simulation_bits": b_bits, "analysis_bits": c_bits,
                  "simulation_seconds": round(tb, 3), "analysis_seconds": round(tc, 5),
                  "speedup": round(tb / tc), "simulated_cycles_per_frame": sim["cycles_per_frame"],
                  "predicted_cycles_per_frame": sim["predicted_cycles_per_frame"]}))
EOF
)" || { echo "bench: the comparison failed for $kn"; exit 1; }
    rows+=("$row")
    rm -rf "build/bench_$kn"
done
printf '%s\n' "${rows[@]}" | python3 -c "
import json, sys
rows = [json.loads(l) for l in sys.stdin if l.strip()]
json.dump({'method': {'a': 'whole tensor per stream (H x W)', 'b': 'deep-FIFO simulation, high-water + 1',
                      'c': 'resflow latency analysis'}, 'kernels': rows}, open('$out', 'w'), indent=2)
print('%-14s %-8s %14s %14s %14s %10s %10s %9s' % ('kernel', 'res', '(a) bits', '(b) bits', '(c) bits',
      '(b) s', '(c) s', '(b)/(c)'))
for r in rows:
    print('%-14s %-8s %14d %14d %14d %10.2f %10.4f %8dx' % (r['kernel'], r['resolution'], r['whole_tensor_bits'],
          r['simulation_bits'], r['analysis_bits'], r['simulation_seconds'], r['analysis_seconds'], r['speedup']))
ok = all(r['analysis_bits'] <= r['simulation_bits'] and r['speedup'] >= 1000 for r in rows)
print('target: (c) bits <= (b) bits and (c) at least 1000x faster:', 'met' if ok else 'NOT met')
sys.exit(0 if ok and rows else 1)
" || exit 1
echo "bench: written to $out"
