#!/usr/bin/env bash
# Proves the analytic FIFO depths by RTL simulation (docs/fifo-sizing.md).
#
#   tests/verify_fifos.sh KERNEL.yaml [WxH] [--json FILE] [--gen-flags "FLAGS"] [--only FIFO]
#
# --gen-flags passes more options to `resflow gen` (e.g. --target-cycles N);
# --only checks one FIFO.
#
# 1. Generates KERNEL (at WxH if given) with every FIFO very deep (its
#    analytic depth x 4 + 64), streams 3 random frames through Verilator and
#    records the cycles per frame: the full-throughput reference.
# 2. For each FIFO, with the others very deep, finds by bisection the
#    smallest --fifo-depth at which the measured cycles per frame still equal
#    the reference (a deadlock counts as too small; the host's watchdog ends
#    it). That is the simulated minimal depth.
# 3. Passes when, for every FIFO, simulated minimum <= analytic depth <=
#    simulated minimum + 2, and with no slack at all when every stage runs at
#    II = 1 (the analysis is exact there).
# A probe that fails to build, mismatches the golden model, crashes or runs
# faster than the reference ends the check with FAIL: only a deadlock or
# lost throughput counts as "too small".
# Each probe is a Verilator build (seconds for small kernels); the analysis
# itself takes microseconds (`resflow size`).
set -u
cd "$(dirname "$0")/.."
kernel=${1:?usage: tests/verify_fifos.sh KERNEL.yaml [WxH] [--json FILE]}
shift
res=""
json=""
extra=""
only=""
while [ $# -gt 0 ]; do
    case $1 in
        --json) json=$2; shift 2 ;;
        --gen-flags) extra=$2; shift 2 ;;
        --only) only=$2; shift 2 ;;
        *x*) res=$1; shift ;;
        *) echo "verify_fifos: unknown argument '$1'" >&2; exit 2 ;;
    esac
done
kn=$(basename "$kernel" .yaml)
tag="verify_${kn}${res:+_$res}_$$"   # one working folder per run: no races
resflag="${res:+--resolution $res}${extra:+ $extra}"
RESFLOW=build/resflow
work=build/$tag
mkdir -p "$work"

# analytic depths, and whether every stage runs at II = 1
# shellcheck disable=SC2086
$RESFLOW gen "$kernel" $resflag -o "$work/ref" >/dev/null || exit 1
fifo_list=$(python3 -c "import json,sys;[print(f['name'], f['depth']) for f in json.load(open(sys.argv[1]))['fifos'] if not sys.argv[2] or f['name'] == sys.argv[2]]" "$work/ref/report.json" "$only") || exit 1
exact=$(python3 -c "import json,sys;print(int(all(s['ii_cycles'] == 1 for s in json.load(open(sys.argv[1]))['stages'])))" "$work/ref/report.json") || exit 1
names=()
depths=()
while read -r n d; do
    [ -n "$n" ] && names+=("$n") && depths+=("$d")
done <<<"$fifo_list"
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
    rm -f "$work/probe.json"
    "build/$k/stream" --random-frames 3 --seed 11 --quiet --watchdog 20000 --json "$work/probe.json" \
        >"$work/probe.log" 2>&1
    local rc=$?
    if [ $rc -gt 1 ] || [ ! -s "$work/probe.json" ]; then
        echo "crashed"
        return
    fi
    python3 -c "
import json,sys
j=json.load(open(sys.argv[1]))
print('mismatch' if j['mismatches'] else ('deadlock' if j['deadlock'] else '%.2f' % j['cycles_per_frame']))
" "$work/probe.json" || echo "crashed"
}

# classify PROBE_RESULT: "ok" (reference throughput), "small" (deadlock or
# slower), or anything else: a failure of the check itself
classify() {
    case $1 in
        deadlock) echo small ;;
        mismatch | crashed | build-failed | '') echo "error:$1" ;;
        *) python3 -c "
import sys
r, ref = float(sys.argv[1]), float(sys.argv[2])
print('ok' if r == ref else ('small' if r > ref else 'error:faster-than-reference'))" "$1" "$ref" ;;
    esac
}

deep() {  # all FIFOs deep except $1 set to $2
    local i s=""
    for i in "${!names[@]}"; do
        if [ "${names[$i]}" = "$1" ]; then s="$s ${names[$i]}=$2"; else s="$s ${names[$i]}=$((depths[i] * 4 + 64))"; fi
    done
    echo "$s"
}

ref=$(run_with "$(deep none 0)")
echo "verify_fifos: $kn${res:+ at $res}: reference (deep FIFOs) $ref cycles/frame$([ "$exact" = 1 ] && echo " (II = 1 everywhere: exact)")"
case $ref in deadlock | mismatch | build-failed | crashed) echo "FAIL reference run: $ref"; exit 1 ;; esac
[ "$exact" = 1 ] && maxslack=0 || maxslack=2

ok=1
rows=""
for i in "${!names[@]}"; do
    n=${names[$i]}
    d=${depths[$i]}
    at=$(classify "$(run_with "$(deep "$n" "$d")")")
    if [ "$at" != ok ]; then
        echo "FAIL $n: at the analytic depth $d: $at (reference $ref cycles/frame)"
        ok=0
        rows="$rows{\"name\": \"$n\", \"analytic\": $d, \"simulated_min\": null},"
        continue
    fi
    lo=1   # depth 1 is below the template's minimum: treated as too small
    hi=$d
    while [ $((hi - lo)) -gt 1 ]; do
        m=$(((lo + hi) / 2))
        [ $m -lt 2 ] && m=2
        r=$(classify "$(run_with "$(deep "$n" "$m")")")
        case $r in
            ok) hi=$m ;;
            small) lo=$m ;;
            *) echo "FAIL $n: probe at depth $m: $r"; ok=0; break ;;
        esac
    done
    slack=$((d - hi))
    if [ $ok = 1 ] && [ $slack -ge 0 ] && [ $slack -le $maxslack ]; then verdict=PASS; else verdict=FAIL; ok=0; fi
    echo "$verdict $n: analytic $d, simulated minimum $hi (analytic - minimum = $slack, allowed 0..$maxslack)"
    rows="$rows{\"name\": \"$n\", \"analytic\": $d, \"simulated_min\": $hi},"
done
rm -rf "build/$tag"
if [ -n "$json" ]; then
    printf '{"kernel": "%s", "resolution": "%s", "reference_cycles_per_frame": %s, "fifos": [%s]}\n' \
        "$kn" "${res:-file}" "$ref" "${rows%,}" >"$json"
fi
[ $ok = 1 ]
