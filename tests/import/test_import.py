"""
test_import.py - tests of `resflow import` (run by tests/run.sh, section import).

  python3 test_import.py valid   RESFLOW WORK           two hand-built models, checked field by field
  python3 test_import.py errors  RESFLOW WORK           unsupported or inexact models: one clean error each
  python3 test_import.py hostile RESFLOW WORK [STEP]    truncated, corrupted and hostile files
  python3 test_import.py real    RESFLOW WORK MODEL     the MLPerf Tiny ResNet-8: structure, values, determinism
  python3 test_import.py mean    RESFLOW WORK ROOT      MEAN heads: the rounding each runtime's kernel gets, and
                                                        the golden model (ROOT/host/golden.c) on hand-worked inputs

Prints one line per case, "PASS ..." or "FAIL ...: reason".
"""
import os
import random
import shutil
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tflite_fb import Model, Reader, f32, i8, i32, read_npy  # noqa: E402

# ---- a reader for the YAML resflow import writes (block maps, flow maps and lists) ----


def flow(s):
    """Parses '{a: 1, b: {c: d}}', '[x, y]' or a scalar into dicts, lists and strings."""
    s = s.strip()
    pos = 0

    def value():
        nonlocal pos
        while s[pos] == " ":
            pos += 1
        if s[pos] in "{[":
            close = "}" if s[pos] == "{" else "]"
            is_map = s[pos] == "{"
            pos += 1
            out = {} if is_map else []
            while True:
                while s[pos] == " ":
                    pos += 1
                if s[pos] == close:
                    pos += 1
                    return out
                if is_map:
                    k = s.index(":", pos)
                    key = s[pos:k].strip()
                    pos = k + 1
                    out[key] = value()
                else:
                    out.append(value())
                while s[pos] == " ":
                    pos += 1
                if s[pos] == ",":
                    pos += 1
        start = pos
        while pos < len(s) and s[pos] not in ",}]":
            pos += 1
        return s[start:pos].strip()

    v = value()
    return v


def read_yaml(path):
    """The top-level fields and the layers (a list of dicts) of an imported YAML."""
    top, layers = {}, []
    for line in open(path):
        line = line.rstrip("\n")
        code = line.split("#", 1)[0].rstrip() if not line.lstrip().startswith("#") else ""
        if not code:
            continue
        if code.startswith("  - "):
            layers.append({})
            code = "    " + code[4:]
        k, v = code.strip().split(":", 1)
        (layers[-1] if code.startswith("    ") else top)[k] = flow(v) if v.strip() else None
    return top, layers


# ---- running resflow ----

def run(resflow, model, out, *extra):
    p = subprocess.run([resflow, "import", model, "-o", out] + list(extra), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stderr.decode(errors="replace")


RESULTS = []


def report(ok, name, why=""):
    print(("PASS %s" % name) if ok else ("FAIL %s: %s" % (name, why)))
    RESULTS.append(ok)


def check(name, fn):
    try:
        fn()
        report(True, name)
    except AssertionError as e:
        report(False, name, str(e) or "assertion failed")
    except Exception as e:  # a malformed output is a failure, not a crash of the test
        report(False, name, "%s: %s" % (type(e).__name__, e))


def eq(got, want, what):
    assert got == want, "%s: expected %r, got %r" % (what, want, got)


def scale_eq(text, value, what):
    """A scale in the YAML parses back to exactly the float32 value."""
    assert float(text) == f32(value), "%s: %s is not float32 %r exactly (%r)" % (what, text, value, f32(value))
    eq(text, "%.17g" % f32(value), what + " printed as %.17g")


# ---- the hand-built models ----

def pattern(n, seed):
    """Deterministic int8 weights in -127..127."""
    return [((i * 37 + seed * 11) % 255) - 127 for i in range(n)]


CONV0_S = [0.01, 0.02, 0.015]
DW2_S = [0.03, 0.011, 0.0075]
CONV4_S = 0.007
FC7_S = 0.02


def tiny(v=None):
    """conv3x3 (SAME, ReLU, per-channel) -> PAD [2,0,1,1] -> depthwise 3x3 (VALID, ReLU6) -> add with
    conv0 (ReLU) -> conv1x1 stride 2 (per-tensor scale, no bias) -> max pool 2x2 -> reshape [1,4] ->
    fully connected 5 -> softmax. `v` names a variant with one defect."""
    v = v or ""
    m = Model()
    x = m.tensor("input", [1, 4, 4, 2], scale=[0.05], zp=[-3])
    k0 = 1 if v == "nonsquare" else 3
    w0 = m.tensor("conv0/w", [3, 3, k0, 2] if v != "kernel9" else [3, 9, 9, 2], data=i8(pattern(3 * 3 * k0 * 2 if v != "kernel9" else 3 * 81 * 2, 1)),
                  scale=CONV0_S, zp=[0, 0, 0])
    b0 = m.tensor("conv0/b", [3], "int32", data=i32([100, -200, 300]), scale=[1e-4] * 3, zp=[0] * 3)
    c0 = m.tensor("conv0/out", [1, 2, 2, 3] if v == "badshape" else [1, 4, 4, 3], scale=[0.2], zp=[-128])
    pads = m.tensor("pad/paddings", [4, 2], "int32", data=i32([0, 0, 2, 0, 1, 1, 0, 0]))
    p1 = m.tensor("pad/out", [1, 6, 6, 3], scale=[0.2], zp=[-127 if v == "padzp" else -128])
    dwc = 6 if v == "multiplier" else 3
    w2 = m.tensor("dw/w", [1, 3, 3, dwc], data=i8(pattern(9 * dwc, 2)), scale=(DW2_S * 2)[:dwc], zp=[0] * dwc,
                  qdim=3)
    b2 = m.tensor("dw/b", [dwc], "int32", data=i32([7, -8, 9, 1, 2, 3][:dwc]))
    d2 = m.tensor("dw/out", [1, 4, 4, dwc], scale=[0.3], zp=[5])
    a3 = m.tensor("add/out", [1, 4, 4, 3], scale=[0.25], zp=[-100])
    w4 = m.tensor("conv4/w", [4, 1, 1, 3], data=i8(pattern(12, 4)), scale=[CONV4_S], zp=[0])
    c4 = m.tensor("conv4/out", [1, 2, 2, 4], scale=[0.125], zp=[1])
    p5 = m.tensor("pool/out", [1, 1, 1, 4], scale=[0.25 if v == "poolquant" else 0.125], zp=[1])
    rs = m.tensor("reshape/shape", [2], "int32", data=i32([1, 4]))
    r6 = m.tensor("reshape/out", [1, 4], scale=[0.125], zp=[1])
    w7 = m.tensor("fc/w", [5, 4], data=i8(pattern(20, 7)), scale=[FC7_S], zp=[0])
    b7 = m.tensor("fc/b", [5], "int32", data=i32([-50, 40, -30, 20, -10]))
    f7 = m.tensor("fc/out", [1, 5], scale=[0.5], zp=[7])
    s8 = m.tensor("softmax/out", [1, 5], scale=[1 / 256], zp=[-128])
    m.inputs, m.outputs = [x], [s8]
    conv_opt = {0: ("i8", 0), 1: ("i32", 1), 2: ("i32", 1), 3: ("i8", 1)}
    if v == "dilation":
        conv_opt[4] = ("i32", 2)
        conv_opt[5] = ("i32", 2)
    m.op("CONV_2D", [x, w0, b0], [c0], "Conv2DOptions", conv_opt)
    m.op("PAD", [c0, pads], [p1], "PadOptions")
    if v == "padpool":
        m.op("MAX_POOL_2D", [p1], [d2], "Pool2DOptions",
             {0: ("i8", 1), 1: ("i32", 1), 2: ("i32", 1), 3: ("i32", 3), 4: ("i32", 3)})
    else:
        m.op("DEPTHWISE_CONV_2D", [p1, w2, b2], [d2], "DepthwiseConv2DOptions",
             {0: ("i8", 1), 1: ("i32", 1), 2: ("i32", 1), 3: ("i32", 2 if v == "multiplier" else 1), 4: ("i8", 3)})
    m.op("ADD", [c0, d2], [a3], "AddOptions", {0: ("i8", 1)})
    m.op("CONV_2D", [a3, w4, -1], [c4], "Conv2DOptions", {0: ("i8", 0), 1: ("i32", 2), 2: ("i32", 2)})
    m.op("MAX_POOL_2D", [c4], [p5], "Pool2DOptions",
         {0: ("i8", 1), 1: ("i32", 2), 2: ("i32", 2), 3: ("i32", 2), 4: ("i32", 2)})
    m.op("RESHAPE", [p5, rs], [r6], "ReshapeOptions")   # new_shape left out: the shape input says it
    m.op("FULLY_CONNECTED", [r6, w7, b7], [f7], "FullyConnectedOptions", {0: ("i8", 0)})
    if v in ("mul", "two_errors"):
        m.op("MUL", [f7, f7], [s8])
    else:
        m.op("SOFTMAX", [f7], [s8], "SoftmaxOptions", {0: ("f32", 1.0)})
    if v == "two_errors":
        m.ops[0]["opt"][4] = ("i32", 2)
        m.ops[0]["opt"][5] = ("i32", 2)
    return m.build(version=2 if v == "version2" else 3)


def edges(v=None):
    """float32 input -> QUANTIZE -> conv3x3 stride 2 SAME (per-channel) -> avg pool 3x3 SAME (ReLU) ->
    MEAN over H, W -> fully connected 3 (per-channel, ReLU) -> DEQUANTIZE."""
    v = v or ""
    m = Model()
    x = m.tensor("input_f32", [1, 5, 5, 1], "float32")
    q = m.tensor("input_q", [1, 5, 5, 1], scale=[0.02], zp=[10])
    w1 = m.tensor("conv/w", [2, 3, 3, 1], data=i8(pattern(18, 3)), scale=[0.004, 0.006], zp=[0, 0])
    b1 = m.tensor("conv/b", [2], "int32", data=i32([1000, -1000]))
    c1 = m.tensor("conv/out", [1, 3, 3, 2], scale=[0.1], zp=[-5])
    a2 = m.tensor("avg/out", [1, 3, 3, 2], scale=[0.1], zp=[-5])
    ax = m.tensor("mean/axes", [2], "int32", data=i32([1, 2]))
    m3 = m.tensor("mean/out", [1, 1, 1, 2], scale=[0.2 if v == "meanquant" else 0.1], zp=[-5])
    w4 = m.tensor("fc/w", [3, 2], data=i8([1, -2, 3, -4, 5, -6]), scale=[0.01, 0.02, 0.03], zp=[0, 0, 0])
    b4 = m.tensor("fc/b", [3], "int32", data=i32([5, 6, 7]))
    f4 = m.tensor("fc/out", [1, 3], scale=[0.3], zp=[0])
    o5 = m.tensor("output", [1, 3], "float32")
    m.inputs, m.outputs = [x], [o5]
    m.op("QUANTIZE", [x], [q])
    m.op("CONV_2D", [q, w1, b1], [c1], "Conv2DOptions", {0: ("i8", 0), 1: ("i32", 2), 2: ("i32", 2)})
    m.op("AVERAGE_POOL_2D", [c1], [a2], "Pool2DOptions",
         {0: ("i8", 0), 1: ("i32", 1), 2: ("i32", 1), 3: ("i32", 3), 4: ("i32", 3), 5: ("i8", 1)})
    m.op("MEAN", [a2, ax], [m3], "ReducerOptions", {0: ("u8", 1)})
    m.op("FULLY_CONNECTED", [m3, w4, b4], [f4], "FullyConnectedOptions", {0: ("i8", 1)})
    m.op("DEQUANTIZE", [f4], [o5])
    return m.build()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


# ---- valid models, field by field ----

def import_new(resflow, work, name, data):
    """Writes WORK/name.tflite and imports it into a fresh WORK/name_out: (model, out, rc, stderr)."""
    model, out = os.path.join(work, name + ".tflite"), os.path.join(work, name + "_out")
    write(model, data)
    shutil.rmtree(out, ignore_errors=True)
    return (model, out) + run(resflow, model, out)


def test_valid(resflow, work):
    model, out, rc, err = import_new(resflow, work, "tiny", tiny()[0])

    def imported():
        eq(rc, 0, "exit status (stderr: %s)" % err.strip())
        eq(err, "", "stderr")
        eq(sorted(os.listdir(out)), sorted(["tiny.yaml", "conv0_w.npy", "conv0_s.npy", "conv0_b.npy", "dw2_w.npy",
                                            "dw2_s.npy", "dw2_b.npy", "conv4_w.npy", "fc7_w.npy", "fc7_b.npy"]),
           "files")
    check("import tiny: exit 0, the expected files", imported)
    if rc != 0:
        return
    top, layers = read_yaml(os.path.join(out, "tiny.yaml"))
    L = {l["name"]: l for l in layers}

    def header():
        eq(top["version"], "1", "version")
        eq(top["name"], "tiny", "name")
        inp = top["input"]
        eq((inp["height"], inp["width"], inp["channels"], inp["zero_point"]), ("4", "4", "2", "-3"), "input")
        scale_eq(inp["scale"], 0.05, "input scale")
        eq([l["name"] for l in layers], ["conv0", "dw2", "add3", "conv4", "maxpool5", "fc7"], "layers")
        eq(top["output"], "fc7", "output (the pipeline stops at the softmax's input)")
        text = open(os.path.join(out, "tiny.yaml")).read()
        assert "# SOFTMAX (operator 8, beta 1) runs on the host" in text, "softmax note missing"
    check("import tiny: version, name, input quantization, layer order, output, softmax note", header)

    def conv0():
        l = L["conv0"]
        eq((l["op"], l["inputs"], l["kernel"], l["filters"], l["stride"], l["padding"], l["relu"]),
           ("conv2d", ["input"], "3", "3", "1", "same", "true"), "conv0 fields")
        assert "relu6" not in l
        scale_eq(l["output"]["scale"], 0.2, "conv0 output scale")
        eq(l["output"]["zero_point"], "-128", "conv0 zero point")
        eq(l["weights"], {"file": "conv0_w.npy", "scales": {"file": "conv0_s.npy"}}, "conv0 weights")
        eq(l["bias"], {"file": "conv0_b.npy"}, "conv0 bias")
        eq(read_npy(os.path.join(out, "conv0_w.npy")), ("|i1", (3, 3, 3, 2), pattern(54, 1)), "conv0_w.npy")
        eq(read_npy(os.path.join(out, "conv0_s.npy")), ("<f4", (3,), [f32(s) for s in CONV0_S]), "conv0_s.npy")
        eq(read_npy(os.path.join(out, "conv0_b.npy")), ("<i4", (3,), [100, -200, 300]), "conv0_b.npy")
    check("import tiny: conv2d 3x3 same, relu, per-channel scales, OHWI weights, bias", conv0)

    def dw2():
        l = L["dw2"]
        eq((l["op"], l["inputs"], l["kernel"], l["stride"], l["padding"], l["relu6"]),
           ("depthwise_conv2d", ["conv0"], "3", "1", ["2", "0", "1", "1"], "true"), "dw2 fields")
        assert "filters" not in l and "relu" not in l
        scale_eq(l["output"]["scale"], 0.3, "dw2 output scale")
        eq(l["output"]["zero_point"], "5", "dw2 zero point")
        eq(read_npy(os.path.join(out, "dw2_w.npy")), ("|i1", (3, 3, 3), pattern(27, 2)), "dw2_w.npy (K, K, C)")
        eq(read_npy(os.path.join(out, "dw2_s.npy")), ("<f4", (3,), [f32(s) for s in DW2_S]), "dw2_s.npy")
        eq(read_npy(os.path.join(out, "dw2_b.npy")), ("<i4", (3,), [7, -8, 9]), "dw2_b.npy")
    check("import tiny: PAD folded into the depthwise conv as [2, 0, 1, 1], relu6, (K, K, C) weights", dw2)

    def add3():
        l = L["add3"]
        eq((l["op"], l["inputs"], l["relu"], l["output"]["zero_point"]), ("add", ["conv0", "dw2"], "true", "-100"),
           "add3")
        scale_eq(l["output"]["scale"], 0.25, "add3 scale")
    check("import tiny: add of two layers, relu, output quantization", add3)

    def conv4():
        l = L["conv4"]
        eq((l["inputs"], l["kernel"], l["filters"], l["stride"], l["padding"]), (["add3"], "1", "4", "2", "same"),
           "conv4 fields")
        assert "bias" not in l and "relu" not in l, "conv4 has no bias and no activation"
        eq(l["weights"]["file"], "conv4_w.npy", "conv4 weights file")
        scale_eq(l["weights"]["scales"], CONV4_S, "conv4 per-tensor weight scale (inline)")
        eq(read_npy(os.path.join(out, "conv4_w.npy")), ("|i1", (4, 1, 1, 3), pattern(12, 4)), "conv4_w.npy")
    check("import tiny: 1x1 stride-2 conv, per-tensor scale inline, no bias", conv4)

    def pool_fc():
        p = L["maxpool5"]
        eq((p["op"], p["inputs"], p["kernel"], p["stride"], p["padding"]), ("max_pool2d", ["conv4"], "2", "2", "valid"),
           "maxpool5")
        assert "output" not in p, "a pool has no output quantization of its own"
        f = L["fc7"]
        eq((f["op"], f["inputs"], f["units"], f["output"]["zero_point"]), ("dense", ["maxpool5"], "5", "7"),
           "fc7 (the RESHAPE is dropped)")
        scale_eq(f["weights"]["scales"], FC7_S, "fc7 weight scale")
        eq(read_npy(os.path.join(out, "fc7_w.npy")), ("|i1", (5, 4), pattern(20, 7)), "fc7_w.npy")
        eq(read_npy(os.path.join(out, "fc7_b.npy")), ("<i4", (5,), [-50, 40, -30, 20, -10]), "fc7_b.npy")
    check("import tiny: max pool, reshape dropped, dense weights (units, C_in) and bias", pool_fc)

    def again():
        out2 = os.path.join(work, "tiny_out2")
        shutil.rmtree(out2, ignore_errors=True)
        eq(run(resflow, model, out2)[0], 0, "second import")
        for f in os.listdir(out):
            assert open(os.path.join(out, f), "rb").read() == open(os.path.join(out2, f), "rb").read(), f
        # re-importing over an earlier import replaces it; a foreign directory is refused
        eq(run(resflow, model, out)[0], 0, "import over an earlier import")
        foreign = os.path.join(work, "foreign")
        shutil.rmtree(foreign, ignore_errors=True)
        os.makedirs(foreign)
        write(os.path.join(foreign, "notes.txt"), b"keep me")
        rc2, err2 = run(resflow, model, foreign)
        eq(rc2, 1, "import into a foreign directory")
        assert "not replacing it" in err2, err2
        eq(os.listdir(foreign), ["notes.txt"], "foreign directory untouched")
        rc3, err3 = run(resflow, model, out2, "--name", "bad__name")
        eq(rc3, 1, "--name bad__name")
        rc4, _ = run(resflow, model, out2, "--name", "net1")
        eq(rc4, 0, "--name net1")
        eq(read_yaml(os.path.join(out2, "net1.yaml"))[0]["name"], "net1", "name from --name")
        leftovers = [f for f in os.listdir(work) if ".tmp." in f or ".old." in f]
        eq(leftovers, [], "temporary directories left behind")
    check("import tiny: deterministic, replaces only its own output, --name", again)

    model, out, rc, err = import_new(resflow, work, "edges", edges()[0])

    def edge_model():
        eq(rc, 0, "exit status (stderr: %s)" % err.strip())
        top, layers = read_yaml(os.path.join(out, "edges.yaml"))
        L = {l["name"]: l for l in layers}
        inp = top["input"]
        eq((inp["height"], inp["width"], inp["channels"], inp["zero_point"]), ("5", "5", "1", "10"), "input")
        scale_eq(inp["scale"], 0.02, "input scale (QUANTIZE's output)")
        eq([l["name"] for l in layers], ["conv1", "avgpool2", "gap3", "fc4"], "layers")
        eq((L["conv1"]["stride"], L["conv1"]["padding"]), ("2", "same"), "conv1")
        eq((L["avgpool2"]["op"], L["avgpool2"]["kernel"], L["avgpool2"]["stride"], L["avgpool2"]["padding"],
            L["avgpool2"]["relu"]), ("avg_pool2d", "3", "1", "same", "true"), "avgpool2")
        eq((L["gap3"]["op"], L["gap3"]["inputs"]), ("global_avg_pool", ["avgpool2"]), "gap3")
        eq((L["fc4"]["inputs"], L["fc4"]["units"], L["fc4"]["relu"]), (["gap3"], "3", "true"), "fc4")
        eq(L["fc4"]["weights"]["scales"], {"file": "fc4_s.npy"}, "fc4 per-channel scales")
        eq(read_npy(os.path.join(out, "fc4_s.npy")), ("<f4", (3,), [f32(0.01), f32(0.02), f32(0.03)]), "fc4_s.npy")
        eq(read_npy(os.path.join(out, "fc4_w.npy")), ("|i1", (3, 2), [1, -2, 3, -4, 5, -6]), "fc4_w.npy")
        eq(top["output"], "fc4", "output")
        text = open(os.path.join(out, "edges.yaml")).read()
        assert "QUANTIZE (operator 0) runs on the host" in text and "DEQUANTIZE (operator 5" in text, "edge notes"
    check("import edges: QUANTIZE/DEQUANTIZE at the edges, stride-2 same, avg pool, MEAN -> global_avg_pool, "
          "per-channel dense", edge_model)


# ---- unsupported or inexact models: one clean error each ----

ERRORS = [
    ("mul", tiny, "error: operator 8 (MUL): unsupported op"),
    ("dilation", tiny, "error: operator 0 (CONV_2D): dilation 2x2"),
    ("nonsquare", tiny, "error: operator 0 (CONV_2D): kernel 3x1 (height x width) is not square"),
    ("kernel9", tiny, "error: operator 0 (CONV_2D): kernel 9x9: kernels 1..7"),
    ("multiplier", tiny, "error: operator 2 (DEPTHWISE_CONV_2D): filter shape [1, 3, 3, 6] on 3 input channels"),
    ("padzp", tiny, "only a PAD with the input's zero point can be folded"),
    ("padpool", tiny, "error: operator 2 (MAX_POOL_2D): reads the output of PAD (operator 1)"),
    ("poolquant", tiny, "error: operator 5 (MAX_POOL_2D): input scale 0.125, zero point 1 but output scale 0.25"),
    ("badshape", tiny, "error: operator 0 (CONV_2D): output tensor 3 has shape [1, 2, 2, 3], expected [1, 4, 4, 3]"),
    ("version2", tiny, "error: schema version 2"),
    ("meanquant", edges, "error: operator 3 (MEAN): input scale 0.10000000149011612, zero point -5 but output scale "
                         "0.20000000298023224, zero point -5: MEAN becomes global_avg_pool only when"),
]


def test_errors(resflow, work):
    for v, build, want in ERRORS:
        model = os.path.join(work, "err_%s.tflite" % v)
        write(model, build(v)[0])
        out = os.path.join(work, "err_out")
        shutil.rmtree(out, ignore_errors=True)

        def one():
            rc, err = run(resflow, model, out)
            eq(rc, 1, "exit status")
            assert want in err, "expected %r in %r" % (want, err)
            for line in err.strip().split("\n"):
                assert line.startswith(model + ": error: "), "message form: %r" % line
            assert not os.path.exists(out), "output directory was created"
        check("import error %s: %s" % (v, want.split("error: ")[-1][:60]), one)

    model = os.path.join(work, "err_two_errors.tflite")
    write(model, tiny("two_errors")[0])

    def two():
        rc, err = run(resflow, model, os.path.join(work, "err_out"))
        eq(rc, 1, "exit status")
        assert "operator 0 (CONV_2D): dilation" in err and "operator 8 (MUL): unsupported op" in err, err
    check("import error: independent errors are all reported in one pass", two)


# ---- truncated, corrupted and hostile files ----

def hostile_cases():
    data, pos = tiny()
    n = len(data)

    def put(d, at, fmt, val):
        b = bytearray(d)
        struct.pack_into(fmt, b, at, val)
        return bytes(b)

    # a uoffset field's position: the table's vtable gives it
    def field_at(d, table, fid):
        r = Reader(d)
        return r.field(r.table(table), fid)

    cases = [
        ("empty file", b""),
        ("4 bytes", data[:4]),
        ("identifier TFL2", data[:4] + b"TFL2" + data[8:]),
        ("identifier zero", data[:4] + b"\0\0\0\0" + data[8:]),
        ("root offset past the end", put(data, 0, "<I", 0xFFFFFFF0)),
        ("root offset at the last byte", put(data, 0, "<I", n - 1)),
        ("model vtable offset before the file", put(data, pos["model"], "<i", 0x7FFFFFFF)),
        ("model vtable offset past the end", put(data, pos["model"], "<i", -0x7FFFFFFF)),
        ("tensor vtable size huge", put(data, Reader(data).table(pos["tensor0"])[1], "<H", 0xFFFE)),
        ("tensor inline size huge", put(data, Reader(data).table(pos["tensor0"])[1] + 2, "<H", 0xFFFF)),
        ("tensor field outside its table", put(data, Reader(data).table(pos["tensor1"])[1] + 4, "<H", 0xFFF0)),
        ("tensors vector length 0x7fffffff", put(data, pos["tensors"], "<I", 0x7FFFFFFF)),
        ("tensors vector length 0xffffffff", put(data, pos["tensors"], "<I", 0xFFFFFFFF)),
        ("operators vector length huge", put(data, pos["operators"], "<I", 0x40000000)),
        ("weights buffer length huge", put(data, pos["buffer1"], "<I", 0xFFFFFF00)),
        ("shape vector length huge", put(data, pos["shape3"], "<I", 0x40000000)),
        ("name string length huge", put(data, pos["name2"], "<I", 0xFFFFFFF0)),
        ("scale vector length huge", put(data, pos["scale1"], "<I", 0x20000000)),
        ("zero point vector length huge", put(data, pos["zp1"], "<I", 0x10000000)),
        ("tensors offset past the end", put(data, field_at(data, pos["subgraph"], 0), "<I", 0xFFFFFF00)),
        ("operator offset past the end", put(data, pos["operators"] + 4, "<I", 0x7FFFFFF0)),
        ("opcode index out of range", put(data, field_at(data, pos["op0"], 0), "<I", 99)),
        ("operator input tensor out of range", put(data, pos["op0_in"] + 4, "<i", 1000)),
        ("operator input tensor negative", put(data, pos["op0_in"] + 4, "<i", -5)),
        ("operator output tensor -1", put(data, pos["op0_out"] + 4, "<i", -1)),
        ("tensor buffer index out of range", put(data, field_at(data, pos["tensor1"], 2), "<I", 999)),
        ("graph output out of range", put(data, pos["outputs"] + 4, "<i", 77)),
        ("operator writes its own input", put(data, pos["op3_out"] + 4, "<i", 3)),
        ("operator writes a constant", put(data, pos["op0_out"] + 4, "<i", 1)),
        ("weights read as activation", put(data, pos["op0_in"] + 4, "<i", 1)),
        ("shape dimension negative", put(data, pos["shape1"] + 4, "<i", -3)),
        ("shape dimension huge", put(data, pos["shape1"] + 4, "<i", 0x7FFFFFFF)),
        ("activation scale NaN", put(data, pos["scale3"] + 4, "<I", 0x7FC00000)),
        ("activation scale zero", put(data, pos["scale3"] + 4, "<f", 0.0)),
        ("weight scale infinite", put(data, pos["scale1"] + 4, "<I", 0x7F800000)),
        ("zero point out of range", put(data, pos["zp3"] + 4, "<q", 1 << 40)),
    ]
    return data, cases


def is_crash(rc, err):
    return rc not in (0, 1) or "Sanitizer" in err or "runtime error" in err or "AddressSanitizer" in err


def test_hostile(resflow, work, step):
    data, cases = hostile_cases()
    out = os.path.join(work, "hostile_out")
    path = os.path.join(work, "hostile.tflite")
    for name, d in cases:
        def one():
            write(path, d)
            shutil.rmtree(out, ignore_errors=True)
            rc, err = run(resflow, path, out)
            assert not is_crash(rc, err), "crashed: exit %d, %s" % (rc, err[-300:])
            eq(rc, 1, "exit status (stderr %r)" % err)
            assert err.startswith(path + ": error: "), "message form: %r" % err
            assert not os.path.exists(out), "output directory was created"
        check("import hostile: %s" % name, one)

    def truncations():
        bad = []
        for cut in range(0, len(data), step):
            write(path, data[:cut])
            shutil.rmtree(out, ignore_errors=True)
            rc, err = run(resflow, path, out)
            if rc != 1 or not err.startswith(path + ": error: ") or os.path.exists(out) or is_crash(rc, err):
                bad.append("%d bytes: exit %d %s" % (cut, rc, err[-200:]))
        assert not bad, "; ".join(bad[:3]) + (" (+%d more)" % (len(bad) - 3) if len(bad) > 3 else "")
    check("import hostile: every truncation (%d of %d offsets) is a clean error"
          % (len(range(0, len(data), step)), len(data)), truncations)

    def corruptions():
        rnd = random.Random(6)
        bad, errors = [], 0
        count = max(60, 600 // step)
        for _ in range(count):
            b = bytearray(data)
            for _ in range(rnd.randint(1, 4)):
                at = rnd.randrange(len(b))
                b[at] = rnd.choice([0, 0xFF, 0x7F, 0x80, rnd.randrange(256)])
            write(path, bytes(b))
            shutil.rmtree(out, ignore_errors=True)
            rc, err = run(resflow, path, out)
            if is_crash(rc, err) or (rc == 1 and not err.startswith(path + ": error: ")):
                bad.append("exit %d %s" % (rc, err[-200:]))
            errors += rc == 1
        assert not bad, "; ".join(bad[:3])
        print("  (%d random corruptions: %d errors, %d still valid models)" % (count, errors, count - errors))
    check("import hostile: random byte corruptions never crash", corruptions)


# ---- the real model ----

RESNET8 = [  # (op, kernel, stride, padding, relu, filters/units) in order
    ("conv2d", "3", "1", "same", True, "16"), ("conv2d", "3", "1", "same", True, "16"),
    ("conv2d", "3", "1", "same", False, "16"), ("add", None, None, None, True, None),
    ("conv2d", "3", "2", "same", True, "32"), ("conv2d", "3", "1", "same", False, "32"),
    ("conv2d", "1", "2", "same", False, "32"), ("add", None, None, None, True, None),
    ("conv2d", "3", "2", "same", True, "64"), ("conv2d", "3", "1", "same", False, "64"),
    ("conv2d", "1", "2", "same", False, "64"), ("add", None, None, None, True, None),
    ("avg_pool2d", "8", "8", "valid", False, None), ("dense", None, None, None, False, "10"),
]


def test_real(resflow, work, model):
    outs = [os.path.join(work, "real1"), os.path.join(work, "real2")]
    for o in outs:
        shutil.rmtree(o, ignore_errors=True)
    rcs = [run(resflow, model, o) for o in outs]

    def determinism():
        for rc, err in rcs:
            eq(rc, 0, "exit status (%s)" % err.strip())
        f1, f2 = sorted(os.listdir(outs[0])), sorted(os.listdir(outs[1]))
        eq(f1, f2, "file lists")
        for f in f1:
            assert open(os.path.join(outs[0], f), "rb").read() == open(os.path.join(outs[1], f), "rb").read(), f
    check("import real: two imports are byte-identical", determinism)
    if rcs[0][0] != 0:
        return
    name = os.path.splitext(os.path.basename(model))[0]
    top, layers = read_yaml(os.path.join(outs[0], name + ".yaml"))

    def structure():
        got = [(l["op"], l.get("kernel"), l.get("stride"), l.get("padding"), l.get("relu") == "true",
                l.get("filters", l.get("units"))) for l in layers]
        eq(got, RESNET8, "ResNet-8 layer list")
        inp = top["input"]
        eq((inp["height"], inp["width"], inp["channels"], inp["scale"], inp["zero_point"]),
           ("32", "32", "3", "1", "-128"), "input")
        adds = [l for l in layers if l["op"] == "add"]
        # stage 1: identity skip from the stem; stages 2, 3: a 1x1 stride-2 projection
        eq(adds[0]["inputs"][0], layers[0]["name"], "stage 1 skip is the stem (identity)")
        for a in adds[1:]:
            proj = [l for l in layers if l["name"] == a["inputs"][0]][0]
            eq((proj["kernel"], proj["stride"]), ("1", "2"), "projection shortcut of %s" % a["name"])
        eq(top["output"], layers[-1]["name"], "output: the dense layer (softmax on the host)")
        assert "# SOFTMAX" in open(os.path.join(outs[0], name + ".yaml")).read()
    check("import real: ResNet-8 structure (stem, identity block, two projection blocks, avg pool, dense 10, softmax)",
          structure)

    def values():
        m = Reader(open(model, "rb").read()).model()
        T = m["tensors"]
        checked = 0
        for i, op in enumerate(m["ops"]):
            if op["code"] not in (3, 9):
                continue
            lname = ("conv%d" if op["code"] == 3 else "fc%d") % i
            l = [x for x in layers if x["name"] == lname][0]
            w = T[op["inputs"][1]]
            descr, shape, vals = read_npy(os.path.join(outs[0], lname + "_w.npy"))
            eq((descr, list(shape)), ("|i1", w["shape"]), lname + " weight shape")
            eq(struct.pack("<%db" % len(vals), *vals), bytes(w["data"]), lname + " weights")
            if len(w["scale"]) > 1:
                eq(read_npy(os.path.join(outs[0], lname + "_s.npy"))[2], w["scale"], lname + " scales")
            else:
                eq(float(l["weights"]["scales"]), w["scale"][0], lname + " scale")
            b = T[op["inputs"][2]]
            vals = read_npy(os.path.join(outs[0], lname + "_b.npy"))[2]
            eq(struct.pack("<%di" % len(vals), *vals), bytes(b["data"]), lname + " bias")
            o = T[op["outputs"][0]]
            eq((float(l["output"]["scale"]), int(l["output"]["zero_point"])), (o["scale"][0], o["zp"][0]),
               lname + " output quantization")
            checked += 1
        eq(checked, 10, "convs and dense layers checked")
    check("import real: weights, biases, scales and zero points equal the model's (independent reader)", values)

# ---- MEAN heads: TFLite Micro's rounding by default, TFLite's with --mean tflite ----

def mean_head(h, w, c, zp, keep_dims=1, axes=(1, 2)):
    """int8 input [1, h, w, c] (scale 0.5, zero point zp) -> MEAN over `axes`, the same quantization."""
    m = Model()
    x = m.tensor("input", [1, h, w, c], scale=[0.5], zp=[zp])
    ax = m.tensor("mean/axes", [len(axes)], "int32", data=i32(list(axes)))
    y = m.tensor("mean/out", [1, 1, 1, c] if keep_dims else [1, c], scale=[0.5], zp=[zp])
    m.inputs, m.outputs = [x], [y]
    m.op("MEAN", [x, ax], [y], "ReducerOptions", {0: ("u8", keep_dims)})
    return m.build()[0]


# The golden model on one input: net.c of `resflow gen`, host/golden.c and gen/quant.c
GOLDEN_MAIN = r"""
#include <stdio.h>
#include <stdlib.h>
#include "golden.h"
int main(int argc, char **argv)
{
    const rf_layer *o = &rf_net_desc.layers[rf_net_desc.output];
    int8_t in[64], out[64];
    int i;
    for (i = 1; i < argc && i <= 64; i++)
        in[i - 1] = (int8_t)atoi(argv[i]);
    if (golden_run(&rf_net_desc, in, out))
        return 1;
    for (i = 0; i < o->h * o->w * o->c; i++)
        printf("%s%d", i ? " " : "", out[i]);
    printf("\n");
    return 0;
}
"""


def golden_outputs(resflow, root, work, yaml_path, inputs):
    """Generates yaml_path, builds the golden model on its net.c, runs it on `inputs` (int8 NHWC)."""
    gen = os.path.join(work, os.path.basename(yaml_path) + "_gen")
    shutil.rmtree(gen, ignore_errors=True)
    p = subprocess.run([resflow, "gen", yaml_path, "-o", gen], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    eq(p.returncode, 0, "resflow gen (stderr: %s)" % p.stderr.decode(errors="replace").strip())
    main_c, exe = os.path.join(gen, "golden_main.c"), os.path.join(gen, "golden_main")
    write(main_c, GOLDEN_MAIN.encode())
    p = subprocess.run(["cc", "-std=c11", "-O1", "-I" + os.path.join(root, "host"), "-I" + os.path.join(root, "gen"),
                        "-o", exe, main_c, os.path.join(gen, "net.c"), os.path.join(root, "host", "golden.c"),
                        os.path.join(root, "gen", "quant.c"), "-lm"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    eq(p.returncode, 0, "golden build: " + p.stdout.decode(errors="replace")[-400:])
    p = subprocess.run([exe] + [str(v) for v in inputs], stdout=subprocess.PIPE, timeout=60)
    eq(p.returncode, 0, "golden run")
    return [int(v) for v in p.stdout.split()]


# inputs NHWC and outputs per rounding, worked by hand in tests/unit/test_golden.c
# (test_global_mean_rounding, test_global_mean_issue_example); zero point -128
MEAN_CASES = [
    ("mean4", (2, 2, 3), [-127, 127, -128, -128, 127, -127, -128, 127, -127, -128, 126, -127],
     {"tflm_mean": [-127, 127, -127], "tflite_mean_4d": [-128, 127, -127],
      "tflite_mean_truncate": [-127, 126, -127]}),
    ("mean2", (1, 2, 2), [-1, 5, 0, 6],
     {"tflm_mean": [0, 6], "tflite_mean_4d": [0, 6], "tflite_mean_truncate": [0, 5]}),
]


def test_mean(resflow, work, root):
    for name, (h, w, c), inputs, want in MEAN_CASES:
        for runtime, keep_dims, axes, rounding in (("tflm", 1, (1, 2), "tflm_mean"),
                                                   ("tflm", 0, (2, 1), "tflm_mean"),
                                                   ("tflite", 1, (2, 1), "tflite_mean_4d"),
                                                   ("tflite", 0, (1, 2), "tflite_mean_truncate"),
                                                   ("tflite", 1, (-3, -2), "tflite_mean_truncate")):
            tag = "%s_%s_k%d_%s" % (name, runtime, keep_dims, "_".join(str(a) for a in axes).replace("-", "m"))

            def one():
                model, out = os.path.join(work, tag + ".tflite"), os.path.join(work, tag + "_out")
                write(model, mean_head(h, w, c, -128, keep_dims, axes))
                shutil.rmtree(out, ignore_errors=True)
                extra = () if runtime == "tflm" and keep_dims else ("--mean", runtime)
                rc, err = run(resflow, model, out, *extra)
                eq(rc, 0, "exit status (stderr: %s)" % err.strip())
                yaml_path = os.path.join(out, tag + ".yaml")
                top, layers = read_yaml(yaml_path)
                eq([(l["op"], l.get("rounding")) for l in layers], [("global_avg_pool", rounding)], "layers")
                eq(golden_outputs(resflow, root, work, yaml_path, inputs), want[rounding],
                   "golden model on %r" % (inputs,))
            check("import mean: %s (%dx%dx%d, zp -128), %s, keep_dims %d, axes %r -> rounding %s, golden %r" %
                  (name, h, w, c, "default" if runtime == "tflm" and keep_dims else "--mean " + runtime, keep_dims,
                   list(axes), rounding, want[rounding]), one)

    def bad_option():
        model = os.path.join(work, "mean2_tflm_k1_1_2.tflite")
        rc, err = run(resflow, model, os.path.join(work, "bad_mean_out"), "--mean", "tf")
        eq(rc, 1, "--mean tf")
        assert "--mean takes tflm or tflite, got 'tf'" in err, err
    check("import mean: an unknown --mean is an error", bad_option)



def main():
    mode, resflow, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    if mode == "valid":
        test_valid(resflow, work)
    elif mode == "errors":
        test_errors(resflow, work)
    elif mode == "hostile":
        test_hostile(resflow, work, int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    elif mode == "real":
        test_real(resflow, work, sys.argv[4])
    elif mode == "mean":
        test_mean(resflow, work, sys.argv[4])
    else:
        sys.exit("unknown mode " + mode)
    sys.exit(0 if all(RESULTS) else 1)


if __name__ == "__main__":
    main()
