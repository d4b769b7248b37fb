#!/usr/bin/env bash
# Build and run one template testbench.
#   tests/tb/run_tb.sh MODULE CASE_NAME [-GPARAM=VAL ...]
# Builds tests/tb/MODULE/tb.cpp against templates/MODULE.v with the given
# parameters into build/tb/MODULE_CASE_NAME/ and runs it. Each -GPARAM=VAL is
# also passed to the C++ testbench as -DP_PARAM=VAL. rf_conv_mac and rf_dw_mac
# get their ROM file parameters pointing into the build directory, where the
# testbench writes random contents before it constructs the model.
# With +netlist among the arguments the testbench runs against Yosys's
# netlist of the module instead (read_verilog, chparam, proc, flatten,
# memory, write_verilog): it checks what Yosys makes of the template, for
# example the tables rf_add fills at elaboration with a constant function.
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
wparams=()
wconns=()
netlist=0
cflags="-I$root/tests/tb"
for p in "$@"; do
    case $p in
        +netlist) netlist=1 ;;
        -G*=*)
            kv=${p#-G}
            gparams+=("$p")
            wparams+=("parameter ${kv%%=*} = ${kv#*=}")
            wconns+=(".${kv%%=*}(${kv%%=*})")
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
src=$root/templates/$mod.v
vflags=(-Wall -Itemplates "${gparams[@]}")
if [ $netlist = 1 ]; then
    command -v yosys >/dev/null || fail "yosys not found (make deps installs it)"
    src=$dir/netlist.v
    # a wrapper ${mod}_nl sets the parameters (Yosys's chparam cannot take
    # a negative value) and has the module's ports, copied from its header
    ports=$(sed -n "/^module $mod\b/,/^);/p" "templates/$mod.v" | grep -E '^\s*(input|output)' | sed -E 's/^.*[[:space:]]([A-Za-z_][A-Za-z0-9_]*),?\s*$/\1/')
    pconns=$(for n in $ports; do printf '.%s(%s), ' "$n" "$n"; done)
    {
        printf 'module %s_nl #(\n' "$mod"
        (IFS=,; printf '%s\n' "${wparams[*]:-parameter _UNUSED_ = 0}")
        printf ') (\n'
        sed -n "/^module $mod\b/,/^);/p" "templates/$mod.v" | grep -E '^\s*(input|output)' | sed '$ s/,\s*$//'
        printf ');\n%s #(%s) u (%s);\nendmodule\n' "$mod" "$(IFS=,; echo "${wconns[*]}")" "${pconns%, }"
    } >"$dir/wrap.v"
    if ! yosys -q -p "read_verilog -defer $root/templates/*.v $dir/wrap.v; hierarchy -top ${mod}_nl; proc; flatten; hierarchy -top ${mod}_nl; opt; memory; opt; rename ${mod}_nl $mod; write_verilog -noattr $src" \
        >"$dir/yosys.log" 2>&1; then
        tail -20 "$dir/yosys.log"
        fail "yosys failed (see build/tb/${mod}_$name/yosys.log)"
    fi
    # Yosys's netlist is not lint-clean Verilog: only errors stop the build
    vflags=(-Wno-fatal -Wno-lint -Wno-style)
fi
if ! verilator --cc --exe --build -j 2 --no-timing \
    --top-module "$mod" --prefix Vtb -Mdir "$dir/obj" -o "$dir/Vtb" \
    "${vflags[@]}" -CFLAGS "$cflags" \
    -MAKEFLAGS "OPT_FAST=-O1 OPT_SLOW=-O0 OPT_GLOBAL=-O1" \
    "$src" "$root/tests/tb/$mod/tb.cpp" >"$dir/build.log" 2>&1; then
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
