#!/usr/bin/env bash
# Build and run one template testbench.
#   tests/tb/run_tb.sh MODULE CASE_NAME [-GPARAM=VAL ...]
# Builds tests/tb/MODULE/tb.cpp against templates/MODULE.v with the given
# parameters into build/tb/MODULE_CASE_NAME/ and runs it. Each -GPARAM=VAL is
# also passed to the C++ testbench as -DP_PARAM=VAL. rf_conv_mac and rf_dw_mac
# get their ROM file parameters pointing into the build directory, where the
# testbench writes random contents before it constructs the model.
# Exit 0 on pass; the last line is "PASS tb MODULE CASE_NAME" or
# "FAIL tb MODULE CASE_NAME: reason".
set -u
cd "$(dirname "$0")/../.." || exit 2
if [ $# -lt 2 ]; then
    echo "usage: tests/tb/run_tb.sh MODULE CASE_NAME [-GPARAM=VAL ...]" >&2
    exit 2
fi
mod=$1
name=$2
shift 2
root=$(pwd)
dir=$root/build/tb/${mod}_$name
fail() { echo "FAIL tb $mod $name: $*"; exit 1; }
[ -f "templates/$mod.v" ] || fail "no templates/$mod.v"
[ -f "tests/tb/$mod/tb.cpp" ] || fail "no tests/tb/$mod/tb.cpp"

gparams=()
cflags="-I$root/tests/tb"
for p in "$@"; do
    case $p in
        -G*=*)
            kv=${p#-G}
            gparams+=("$p")
            cflags="$cflags -DP_${kv%%=*}=${kv#*=}"
            ;;
        *) fail "bad argument '$p' (expected -GPARAM=VAL)" ;;
    esac
done
if [ "$mod" = rf_conv_mac ] || [ "$mod" = rf_dw_mac ]; then
    gparams+=("-GWEIGHT_FILE=\"$dir/weights.mem\"" "-GBIAS_FILE=\"$dir/bias.mem\""
        "-GMULT_FILE=\"$dir/mult.mem\"" "-GSHIFT_FILE=\"$dir/shift.mem\"")
fi

rm -rf "$dir"
mkdir -p "$dir"
if ! verilator --cc --exe --build -j 2 -Wall --no-timing -Itemplates \
    --top-module "$mod" --prefix Vtb -Mdir "$dir/obj" -o "$dir/Vtb" \
    "${gparams[@]}" -CFLAGS "$cflags" \
    -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1" \
    "$root/templates/$mod.v" "$root/tests/tb/$mod/tb.cpp" >"$dir/build.log" 2>&1; then
    tail -20 "$dir/build.log"
    fail "build failed (see build/tb/${mod}_$name/build.log)"
fi
"$dir/Vtb" "$dir" | tee "$dir/run.log"
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ]; then
    reason=$(grep '^FAIL:' "$dir/run.log" | tail -1 | sed 's/^FAIL: //')
    fail "${reason:-exit status $rc}"
fi
echo "PASS tb $mod $name"
