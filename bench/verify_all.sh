#!/usr/bin/env bash
# Every FIFO of every kernel at three resolutions: the analytic depth against
# the minimum found by RTL simulation (tests/verify_fifos.sh, bisection).
# Writes bench/verify_fifos.json. Takes minutes per kernel (Verilator builds).
set -u
cd "$(dirname "$0")/.."
out=bench/verify_fifos.json
tmp=build/bench/verify
mkdir -p "$tmp"
ok=1
n=0
: >"$tmp/all.jsonl"
for spec in "kernels/resnet_block.yaml 32x32 64x64 96x48" \
            "tests/kernels/two_blocks.yaml 16x8 24x20 40x12" \
            "tests/kernels/wide_1x1.yaml 16x8 32x16 64x10" \
            "tests/kernels/tiny_skip.yaml 12x10 20x6 48x4"; do
    set -- $spec
    k=$1
    shift
    for r in "$@"; do
        n=$((n + 1))
        rm -f "$tmp/$n.json"
        if ! bash tests/verify_fifos.sh "$k" "$r" --json "$tmp/$n.json"; then ok=0; fi
        cat "$tmp/$n.json" >>"$tmp/all.jsonl" 2>/dev/null
    done
done
python3 -c "
import json
rows=[json.loads(l) for l in open('$tmp/all.jsonl') if l.strip()]
json.dump(rows, open('$out','w'), indent=2)
fifos=[f for r in rows for f in r['fifos'] if f['simulated_min'] is not None]
exact=sum(1 for f in fifos if f['simulated_min']==f['analytic'])
print('verify: %d FIFO checks, %d exact, max analytic - minimum = %d' % (len(fifos), exact,
      max(f['analytic']-f['simulated_min'] for f in fifos)))
"
[ $ok = 1 ] && echo "verify: all PASS" || { echo "verify: FAILURES"; exit 1; }
