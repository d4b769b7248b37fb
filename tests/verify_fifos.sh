#!/usr/bin/env bash
# Proves the analytic FIFO depths by RTL simulation (docs/fifo-sizing.md).
#
#   tests/verify_fifos.sh KERNEL.yaml [WxH] [--json FILE]
#
# 1. Generates KERNEL (at WxH if given) with every FIFO very deep (its
#    analytic depth x 4 + 64), streams 3 random frames through Verilator and
#    records the cycles per frame: the full-throughput reference.
# 2. For each FIFO, with the others very deep, finds by bisection the
#    smallest --fifo-depth at which the measured cycles per frame still equal
#    the reference (a deadlock counts as too small; the host's watchdog ends
#    it). That is the simulated minimal depth.
# 3. Passes when, for every FIFO, simulated minimum <= analytic depth <=
#    simulated minimum + 2.
# Each probe is a Verilator build (seconds for small kernels); the analysis
# itself takes microseconds (`resflow size`).
set -u
cd "$(dirname "$0")/.."
kernel=${1:?usage: tests/verify_fifos.sh KERNEL.yaml [WxH] [--json FILE]}
shift
res=""
json=""
while [ $# -gt 0 ]; do
    case $1 in
        --json) json=$2; shift 2 ;;
        *x*) res=$1; shift ;;
        *) echo "verify_fifos: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
kn=$(basename "$kernel" .yaml)
tag="verify_${kn}${res:+_$res}"
resflag=${res:+--resolution $res}
RESFLOW=build/resflow
work=build/$tag
mkdir -p "$work"

# analytic depths
# shellcheck disable=SC2086
$RESFLOW size "$kernel" $resflag --json >"$work/size.json" || exit 1
mapfile -t names < <(python3 -c "import json,sys;[print(f['name']) for f in json.load(open(sys.argv[1]))['resolutions'][0]['fifos']]" "$work/size.json")
mapfile -t depths < <(python3 -c "import json,sys;[print(f['depth']) for f in json.load(open(sys.argv[1]))['resolutions'][0]['fifos']]" "$work/size.json")
if [ ${#names[@]} -eq 0 ]; then
    echo "verify_fifos: $kernel has no FIFO"
    exit 0
fi

# run_with "NAME=D NAME=D ..." -> prints cycles per frame, or "deadlock"
run_with() {
    local flags="" kv k=$tag/probe
    for kv in $1; do flags="$flags --fifo-depth $kv"; done
    rm -rf "build/$k"
    # shellcheck disable=SC2086
    if ! make --no-print-directory "build/$k/stream" K="$k" VOPT=-O0 KERNEL="$kernel" GEN_FLAGS="$resflag$flags" \
        >"$work/build.log" 2>&1; then
        echo "build-failed"
        return
    fi
    "build/$k/stream" --random-frames 3 --seed 11 --quiet --watchdog 20000 --json "$work/probe.json" \
        >"$work/probe.log" 2>&1
    python3 -c "
import json,sys
j=json.load(open(sys.argv[1]))
print('deadlock' if j['deadlock'] else ('mismatch' if j['mismatches'] else '%.2f' % j['cycles_per_frame']))
" "$work/probe.json"
}

deep() {  # all FIFOs deep except $1 set to $2
    local i s=""
    for i in "${!names[@]}"; do
        if [ "${names[$i]}" = "$1" ]; then s="$s ${names[$i]}=$2"; else s="$s ${names[$i]}=$((depths[i] * 4 + 64))"; fi
    done
    echo "$s"
}

ref=$(run_with "$(deep none 0)")
echo "verify_fifos: $kn${res:+ at $res}: reference (deep FIFOs) $ref cycles/frame"
case $ref in deadlock | mismatch | build-failed) echo "FAIL reference run: $ref"; exit 1 ;; esac

ok=1
rows=""
for i in "${!names[@]}"; do
    n=${names[$i]}
    d=${depths[$i]}
    at=$(run_with "$(deep "$n" "$d")")
    if [ "$at" != "$ref" ]; then
        echo "FAIL $n: at the analytic depth $d: $at cycles/frame, reference $ref"
        ok=0
        rows="$rows{\"name\": \"$n\", \"analytic\": $d, \"simulated_min\": null},"
        continue
    fi
    lo=1   # depth 1 is below the template's minimum: treated as failing
    hi=$d
    while [ $((hi - lo)) -gt 1 ]; do
        m=$(((lo + hi) / 2))
        [ $m -lt 2 ] && m=2
        r=$(run_with "$(deep "$n" "$m")")
        if [ "$r" = "$ref" ]; then hi=$m; else lo=$m; fi
    done
    slack=$((d - hi))
    if [ $slack -ge 0 ] && [ $slack -le 2 ]; then verdict=PASS; else verdict=FAIL; ok=0; fi
    echo "$verdict $n: analytic $d, simulated minimum $hi (analytic - minimum = $slack)"
    rows="$rows{\"name\": \"$n\", \"analytic\": $d, \"simulated_min\": $hi},"
done
rm -rf "build/$tag/probe"
if [ -n "$json" ]; then
    printf '{"kernel": "%s", "resolution": "%s", "reference_cycles_per_frame": %s, "fifos": [%s]}\n' \
        "$kn" "${res:-file}" "$ref" "${rows%,}" >"$json"
fi
[ $ok = 1 ]
