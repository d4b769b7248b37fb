#!/usr/bin/env bash
# bench/boards.sh - what fits each board, and how fast it runs (make boards).
#
# For every board in boards/ and every candidate below (largest first), runs
# the fit check (`resflow gen --board`); candidates that fit go through the
# whole flow (tools/bitstream.sh) at the board's target clock, and their
# measured utilization, Fmax and throughput are recorded; refused ones are
# recorded with the generator's reason. Writes bench/boards.json; the flows'
# outputs stay in build/bench_boards/. One placement seed per flow unless
# TIMING_SEEDS is set (make bitstream tries 3 while timing is not met).
# Takes about half an hour on 2 cores.
set -u
cd "$(dirname "$0")/.." || exit 2
out=build/bench_boards
mkdir -p "$out"
make --no-print-directory -s build/resflow || exit 1

# kernel | resflow gen flags | what it is
candidates=(
    "kernels/resnet_block.yaml|--target-cycles 4097|stem + ResNet basic block, 3->8 channels, 64x64, fully parallel (II = 1)"
    "kernels/resnet_block.yaml||the same without a target: gen --board folds it to fit the board"
    "kernels/resnet_block.yaml|--resolution 16x16 --target-cycles 100000000|the same at 16x16"
    "tests/kernels/tiny_skip.yaml|--target-cycles 100000000|two 3x3 convs of 2 channels + identity skip, folded"
    "tests/kernels/board_tiny.yaml|--resolution 320x240|one-channel residual block (SIMD 1) at 320x240"
    "tests/kernels/board_tiny.yaml||one-channel residual block (SIMD 1) at 16x16"
)

rows=()
for bf in boards/*.yaml; do
    b=$(basename "$bf" .yaml)
    for c in "${candidates[@]}"; do
        IFS='|' read -r kernel flags what <<<"$c"
        kn=$(basename "$kernel" .yaml)
        tag=$(echo "${kn}_${b}_$flags" | tr -c 'A-Za-z0-9_\n-' '_' | tr -s _)
        dir=$out/$tag
        rm -rf "$dir"
        mkdir -p "$dir"
        # shellcheck disable=SC2086
        if ! build/resflow gen "$kernel" -o "$dir/gen" --board "$b" $flags >"$dir/gen.log" 2>&1; then
            echo "$b: $kn $flags: does not fit"
            rows+=("$(python3 - "$b" "$kernel" "$flags" "$what" "$dir/gen.log" <<'EOF'
import json, sys
b, k, flags, what, log = sys.argv[1:]
reason = [l.strip() for l in open(log) if "error:" in l]
print(json.dumps({"board": b, "kernel": k, "gen_flags": flags, "what": what, "fits": False,
                  "reason": reason}))
EOF
)")
            continue
        fi
        echo "$b: $kn $flags: fits (estimate), running the flow"
        # shellcheck disable=SC2086
        GEN_FLAGS="$flags" TIMING_SEEDS=${TIMING_SEEDS:-1} bash tools/bitstream.sh "$kernel" "$b" "$dir" >"$dir/flow.log" 2>&1
        rc=$?
        tail -9 "$dir/flow.log" | grep -E "logic cells|timing:|throughput" | sed 's/^/    /'
        rows+=("$(python3 - "$b" "$kernel" "$flags" "$what" "$dir" "$rc" <<'EOF'
import json, sys, os
b, k, flags, what, d, rc = sys.argv[1:]
row = {"board": b, "kernel": k, "gen_flags": flags, "what": what, "fits": True}
u = os.path.join(d, "utilization.json")
if os.path.exists(u):
    u = json.load(open(u))
    for key in ("lut4", "ff", "logic_cells", "ebr", "spram", "dsp", "device_total", "estimate", "clock_mhz",
                "fmax_mhz", "timing_met", "seed", "cycles_per_frame", "frames_per_second_at_fmax",
                "uart_frames_per_second", "critical_path"):
        row[key] = u.get(key)
    row["bitstream"] = rc == "0"
else:
    row["flow_failed"] = [l.rstrip() for l in open(os.path.join(d, "flow.log")) if "error" in l][-3:]
print(json.dumps(row))
EOF
)")
    done
done
{
    echo "["
    n=${#rows[@]}
    for i in "${!rows[@]}"; do
        if [ "$i" -lt $((n - 1)) ]; then echo "  ${rows[$i]},"; else echo "  ${rows[$i]}"; fi
    done
    echo "]"
} >bench/boards.json
python3 -c "import json; json.load(open('bench/boards.json'))" && echo "boards: bench/boards.json written (${#rows[@]} rows)"
