#!/usr/bin/env bash
# tests/board/uart_sim.sh KERNEL.yaml [BOARD] [stream options...]
#
# The UART bridge end to end in simulation: `resflow gen --board` writes the
# board core (bridge + pipeline), Verilator builds it into
# tests/board/uart_pty_sim.cpp, which serves a pseudo-terminal, and the host
# (`stream --uart`, the same code that talks to a real board) streams frames
# through it and checks them bit-exact against the golden model.
# CLKS_PER_BIT is 8 in simulation (the bit timing is the same logic at any
# rate). The bridge's TIMEOUT is shortened to a frame's cycles + 10000, below
# the simulator's idle limit, so that an abandoned frame can be tested
# (PROTOCOL=1 also runs tests/board/protocol_check.py: errors and recovery).
# Output in build/<kernel>_uartsim/; exit status of the host (and checks).
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
kernel=$1
board=${2:-icebreaker}
shift
[ $# -gt 0 ] && shift
kn=$(basename "$kernel" .yaml)
dir=$ROOT/build/${kn}_uartsim
CPB=8
rm -rf "$dir"
mkdir -p "$dir"
fail() { echo "uart_sim: $*" >&2; exit 1; }

make --no-print-directory -s build/resflow || fail "cannot build the generator"
build/resflow gen "$kernel" -o "$dir/gen" --board "$board" --clock-mhz 12 --baud 1500000 ${GEN_FLAGS:-} \
    >"$dir/gen.log" 2>&1 || { cat "$dir/gen.log"; fail "resflow gen --board failed"; }
cpf=$(sed -n 's/.*"predicted_cycles_per_frame": \([0-9]*\).*/\1/p' "$dir/gen/report.json")
# the host: the ordinary stream binary of this kernel (it has --uart)
make --no-print-directory "build/$kn/stream" KERNEL="$kernel" K="$kn" GEN_FLAGS="${GEN_FLAGS:-}" \
    >"$dir/host_build.log" 2>&1 || { tail -20 "$dir/host_build.log"; fail "host build failed"; }
# the board: rf_board_core behind a pseudo-terminal
if ! verilator --cc --exe --build -j 2 --no-timing -Wno-fatal -O3 --x-assign fast --x-initial fast \
    --top-module rf_board_core --prefix Vrf_board -Mdir "$dir/obj" \
    -GMEM_PATH="\"$dir/gen/mem/\"" -GCLKS_PER_BIT=$CPB -GTIMEOUT=$((cpf + 10000)) \
    -CFLAGS "-O2 -DCPB=$CPB -DIDLE=$((2 * cpf + 20000))L" -MAKEFLAGS "OPT_FAST=-O2" \
    "$dir"/gen/rtl/*.v "$dir/gen/board/rf_board_core.v" "$ROOT/tests/board/uart_pty_sim.cpp" \
    -o "$dir/uart_pty_sim" >"$dir/verilator.log" 2>&1; then
    tail -20 "$dir/verilator.log"
    fail "Verilator failed"
fi
rm -f "$dir/link"
"$dir/uart_pty_sim" "$dir/link" 300 2>"$dir/sim.log" &
sim=$!
for _ in $(seq 1 100); do [ -s "$dir/link" ] && break; sleep 0.1; done
[ -s "$dir/link" ] || { kill $sim 2>/dev/null; fail "the simulated board did not start"; }
"build/$kn/stream" --uart "$(cat "$dir/link")" --baud 1000000 --timeout 120 "$@"
rc=$?
wait $sim
src=$?
if [ "${PROTOCOL:-0}" = 1 ] && [ $rc -eq 0 ] && [ $src -eq 0 ]; then
    rm -f "$dir/link"
    "$dir/uart_pty_sim" "$dir/link" 300 2>"$dir/sim2.log" &
    sim=$!
    for _ in $(seq 1 100); do [ -s "$dir/link" ] && break; sleep 0.1; done
    dims=$(python3 -c "import json; r = json.load(open('$dir/gen/report.json')); i, o = r['input'], r['output']; print(i['height'], i['width'], i['channels'], o['height'], o['width'], o['channels'])")
    # shellcheck disable=SC2086
    python3 tests/board/protocol_check.py "$(cat "$dir/link")" $dims
    rc=$?
    wait $sim
    src=$?
    cat "$dir/sim2.log" >&2
fi
cat "$dir/sim.log" >&2
[ $src -eq 0 ] || echo "uart_sim: the simulated board exited with $src" >&2
exit $rc
