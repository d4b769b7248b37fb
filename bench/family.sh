#!/usr/bin/env bash
# make bench: the ResNet family at its foldings (issue: throughput-balanced
# folding). For each kernel and folding: predicted and measured cycles per
# frame, first-output latency, MAC efficiency = MACs per frame /
# (multipliers x measured cycles per frame), and simulated cycles per wall
# second. Writes bench/results.json and prints a table. Not a timed test:
# the figures are measured, the targets (measured within 1% of predicted,
# MAC efficiency >= 0.9 when balanced) are read off the table.
set -u
cd "$(dirname "$0")/.."
out=bench/results.json
work=build/bench
mkdir -p "$work"
# NAME KERNEL FRAMES GEN_FLAGS...
CASES=(
    "resnet_block kernels/resnet_block.yaml 3"
    "resnet_block_balanced kernels/resnet_block.yaml 3 --target-cycles 16384"
    "resnet8_balanced kernels/resnet8.yaml 3"
    "resnet8_fast kernels/resnet8.yaml 3 --target-cycles 4096"
    "resnet8_folded kernels/resnet8.yaml 2 --target-cycles 1000000000"
    "bottleneck_balanced kernels/bottleneck.yaml 2"
    "bottleneck_folded_14x14 kernels/bottleneck.yaml 2 --resolution 14x14 --target-cycles 1000000000"
    "mobile_pool tests/kernels/mobile_pool.yaml 3"
    "strided tests/kernels/strided.yaml 3"
)
rows=()
for c in "${CASES[@]}"; do
    # shellcheck disable=SC2086
    set -- $c
    n=$1 k=$2 fr=$3
    shift 3
    echo "bench: $n ($k $*)" >&2
    if ! make --no-print-directory "build/bench_$n/stream" K="bench_$n" KERNEL="$k" GEN_FLAGS="$*" \
        >"$work/$n.build.log" 2>&1; then
        tail -20 "$work/$n.build.log" >&2
        echo "bench: $n: build failed" >&2
        exit 1
    fi
    "build/bench_$n/stream" --random-frames "$fr" --seed 5 --quiet --json "$work/$n.json" >"$work/$n.log" 2>&1 || {
        tail -5 "$work/$n.log" >&2
        echo "bench: $n: run failed" >&2
        exit 1
    }
    rows+=("$(python3 - "$n" "$k" "$*" "$work/$n.json" "build/bench_$n/gen/report.json" <<'PY'
import json, sys
n, k, flags, run, rep = sys.argv[1:6]
j = json.load(open(run)); r = json.load(open(rep))
macs = sum(s.get("macs_per_frame", 0) for s in r["stages"])
mult = sum(s.get("multipliers", 0) for s in r["stages"])
cpf = j["cycles_per_frame"]
print(json.dumps({
    "case": n, "kernel": k, "gen_flags": flags, "bit_exact": j["mismatches"] == 0 and not j["deadlock"],
    "bottleneck": r["bottleneck"],
    "predicted_cycles_per_frame": r["predicted_cycles_per_frame"], "measured_cycles_per_frame": cpf,
    "error_percent": round(100.0 * (cpf - r["predicted_cycles_per_frame"]) / r["predicted_cycles_per_frame"], 3),
    "predicted_first_output_latency_cycles": r["predicted_first_output_latency_cycles"],
    "measured_first_output_latency_cycles": j["first_output_latency_cycles"],
    "macs_per_frame": macs, "multipliers": mult,
    "mac_efficiency": round(macs / (mult * cpf), 4) if mult and cpf else None,
    "sim_cycles_per_second": j["sim_cycles_per_second"],
}))
PY
)") || exit 1
done
printf '[\n  %s\n]\n' "$(IFS=$'\n'; echo "${rows[*]}" | paste -sd, | sed 's/},{/},\n  {/g')" >"$out"
python3 - "$out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
h = ("case", "cycles/frame pred", "measured", "err %", "1st out pred", "measured", "mult", "MAC eff", "sim cyc/s", "exact")
print("| " + " | ".join(h) + " |")
print("|" + "---|" * len(h))
for r in rows:
    print("| %s | %d | %.2f | %.2f | %d | %s | %d | %s | %.0f | %s |" % (
        r["case"], r["predicted_cycles_per_frame"], r["measured_cycles_per_frame"], r["error_percent"],
        r["predicted_first_output_latency_cycles"], r["measured_first_output_latency_cycles"], r["multipliers"],
        r["mac_efficiency"], r["sim_cycles_per_second"], "yes" if r["bit_exact"] else "NO"))
PY
echo "bench: written $out"
