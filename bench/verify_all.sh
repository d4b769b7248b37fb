#!/usr/bin/env bash
# Every FIFO of every kernel at three resolutions (the classifiers with a dense
# layer at their own): the analytic depth against
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
# KERNEL RESOLUTION [GEN FLAGS]: "-" keeps the file's resolution
SPECS=(
    "kernels/resnet_block.yaml 32x32" "kernels/resnet_block.yaml 64x64" "kernels/resnet_block.yaml 96x48"
    "tests/kernels/two_blocks.yaml 16x8" "tests/kernels/two_blocks.yaml 24x20" "tests/kernels/two_blocks.yaml 40x12"
    "tests/kernels/wide_1x1.yaml 16x8" "tests/kernels/wide_1x1.yaml 32x16" "tests/kernels/wide_1x1.yaml 64x10"
    "tests/kernels/tiny_skip.yaml 12x10" "tests/kernels/tiny_skip.yaml 20x6" "tests/kernels/tiny_skip.yaml 48x4"
    "tests/kernels/strided.yaml 15x11" "tests/kernels/strided.yaml 21x9" "tests/kernels/strided.yaml 32x16"
    "kernels/bottleneck.yaml 8x8 --target-cycles 4096" "kernels/bottleneck.yaml 14x14 --target-cycles 12544"
    "kernels/bottleneck.yaml 20x12 --target-cycles 15360"
    "tests/kernels/mobile_pool.yaml -"
    "kernels/resnet8.yaml -"
)
for spec in "${SPECS[@]}"; do
    set -- $spec
    k=$1 r=$2
    shift 2
    n=$((n + 1))
    rm -f "$tmp/$n.json"
    [ "$r" = - ] && r=""
    # shellcheck disable=SC2086
    if ! bash tests/verify_fifos.sh "$k" $r --json "$tmp/$n.json" ${1:+--gen-flags "$*"}; then ok=0; fi
    cat "$tmp/$n.json" >>"$tmp/all.jsonl" 2>/dev/null
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
