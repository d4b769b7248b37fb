#!/usr/bin/env python3
"""Random residual networks for property tests (tests/run.sh, section random).

    tests/random_nets.py SEED COUNT OUTDIR

Writes COUNT network descriptions OUTDIR/rnd_SEED_I.yaml, each a small random
DAG within the schema's limits: a stem conv, then 1-3 blocks, each a chain of
1-3 layers (convs of kernel 1, 3, 5 or 7 with random channels and folding,
depthwise convs, 3x3 stride-1 max pools) joined back to the block's input by
an add, sometimes with a 1x1 conv on the skip path; some blocks downsample
(the chain's first conv at stride 2 with TensorFlow 'same' or explicit
padding, a 1x1 stride-2 projection on the skip path); some networks end in a
classifier head (global average pool, dense). Random resolutions (including
images barely larger than the kernel), zero points, ReLU/ReLU6 and scales.
Deterministic for a given SEED.
"""
import os
import random
import sys


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def conv(rng, name, src, cin, cout, k, in_hw, stride=1):
    h, w = in_hw
    k = min(k, h if h % 2 else h - 1, w if w % 2 else w - 1) if k > 1 else 1
    k = max(k, 1)
    if k % 2 == 0:
        k -= 1
    kkc = k * k * cin
    layer = {
        "name": name, "op": "conv2d", "inputs": [src], "kernel": k, "filters": cout,
        "output": {"scale": round(rng.uniform(0.01, 0.05), 4), "zero_point": rng.randint(-128, 20)},
        "weights": {"init": {"seed": rng.randint(0, 10**6)}},
        "bias": {"init": {"seed": rng.randint(0, 10**6)}},
    }
    act = rng.choice(["relu", "relu", "relu6", "none"])
    if act != "none":
        layer[act] = True
    if rng.random() < 0.5:
        layer["pe"] = rng.choice(divisors(cout))
        layer["simd"] = rng.choice(divisors(kkc))
    if stride > 1:
        layer["stride"] = stride
        # TensorFlow 'same', or explicit pads giving the same output size
        # (ceil(h / 2)): pad_total = (out-1)*2 + k - h split another way
        tot_h = max((-(-h // 2) - 1) * 2 + k - h, 0)
        tot_w = max((-(-w // 2) - 1) * 2 + k - w, 0)
        if rng.random() < 0.5 or k == 1:
            layer["padding"] = "same"
        else:
            t, l = rng.randint(0, min(tot_h, k - 1)), rng.randint(0, min(tot_w, k - 1))
            if tot_h - t > k - 1 or tot_w - l > k - 1:
                layer["padding"] = "same"
            else:
                layer["padding"] = [t, tot_h - t, l, tot_w - l]
    return layer


def depthwise(rng, name, src, c, in_hw):
    h, w = in_hw
    k = 3 if min(h, w) >= 3 else 1
    layer = {
        "name": name, "op": "depthwise_conv2d", "inputs": [src], "kernel": k,
        "output": {"scale": round(rng.uniform(0.01, 0.05), 4), "zero_point": rng.randint(-128, 20)},
        "weights": {"init": {"seed": rng.randint(0, 10**6)}, "scales": round(rng.uniform(0.002, 0.01), 4)},
        "bias": {"init": {"seed": rng.randint(0, 10**6)}},
    }
    if rng.random() < 0.5:
        layer["relu"] = True
    if rng.random() < 0.5:
        layer["pe"] = rng.choice(divisors(c))
        layer["simd"] = rng.choice(divisors(k * k))
    return layer


def fmt(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (k, fmt(x)) for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(fmt(x) for x in v) + "]"
    return str(v)


def net(rng, name):
    h, w = rng.randint(3, 14), rng.randint(3, 18)
    cin = rng.choice([1, 2, 3])
    c = rng.choice([1, 2, 3, 4, 6])
    layers = [conv(rng, "stem", "input", cin, c, rng.choice([1, 3, 3, 5]), (h, w))]
    cur = "stem"
    for b in range(rng.randint(1, 3)):
        src = cur
        down = h >= 4 and w >= 4 and rng.random() < 0.35
        in_hw = (h, w)
        if down:
            h, w = -(-h // 2), -(-w // 2)
        for i in range(rng.randint(1, 3)):
            n = "b%dc%d" % (b, i)
            kind = "conv" if i == 0 else rng.choice(["conv", "conv", "dw", "pool"])
            if kind == "conv":
                layers.append(conv(rng, n, cur, c, c, rng.choice([1, 3, 3, 5, 7]), in_hw if i == 0 else (h, w),
                                   2 if down and i == 0 else 1))
            elif kind == "dw":
                layers.append(depthwise(rng, n, cur, c, (h, w)))
            else:
                layers.append({"name": n, "op": "max_pool2d", "inputs": [cur], "kernel": 3 if min(h, w) >= 3 else 1,
                               "stride": 1, "padding": "same"})
            cur = n
        skip = src
        if down or rng.random() < 0.3:
            pj = conv(rng, "b%dproj" % b, src, c, c, 1, in_hw, 2 if down else 1)
            layers.append(pj)
            skip = "b%dproj" % b
        add = {"name": "b%dadd" % b, "op": "add",
               "inputs": [skip, cur] if rng.random() < 0.5 else [cur, skip],
               "output": {"scale": round(rng.uniform(0.02, 0.08), 4), "zero_point": rng.randint(-128, 10)}}
        if rng.random() < 0.6:
            add["relu"] = True
        layers.append(add)
        cur = add["name"]
    if rng.random() < 0.3:
        layers.append({"name": "gap", "op": "global_avg_pool", "inputs": [cur]})
        fc = {"name": "fc", "op": "dense", "inputs": ["gap"], "units": rng.randint(2, 10),
              "output": {"scale": round(rng.uniform(0.01, 0.05), 4), "zero_point": rng.randint(-20, 20)},
              "weights": {"init": {"seed": rng.randint(0, 10**6)}}, "bias": {"init": {"seed": rng.randint(0, 10**6)}}}
        if rng.random() < 0.5:
            fc["pe"] = 1
        layers.append(fc)
        cur = "fc"
    out = ["version: 1", "name: %s" % name,
           "input: {height: %d, width: %d, channels: %d, scale: 1.0, zero_point: %d}"
           % (h, w, cin, rng.choice([-128, -128, 0, 17])), "layers:"]
    out += ["  - " + fmt(l) for l in layers]
    out.append("output: %s" % cur)
    return "\n".join(out) + "\n"


def main():
    seed, count, outdir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    rng = random.Random(seed)
    os.makedirs(outdir, exist_ok=True)
    for i in range(count):
        name = "rnd_%d_%d" % (seed, i)
        with open(os.path.join(outdir, name + ".yaml"), "w") as f:
            f.write(net(rng, name))


if __name__ == "__main__":
    main()
