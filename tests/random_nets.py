#!/usr/bin/env python3
"""Random residual networks for property tests (tests/run.sh, section random).

    tests/random_nets.py SEED COUNT OUTDIR

Writes COUNT network descriptions OUTDIR/rnd_SEED_I.yaml, each a small random
DAG within the schema's limits: a stem conv, then 1-3 blocks, each a chain of
1-3 convs (kernel 1, 3, 5 or 7, random channels and folding) joined back to
the block's input by an add, sometimes with a 1x1 conv on the skip path;
random resolutions (including images barely larger than the kernel), zero
points, ReLU/ReLU6 and scales. Deterministic for a given SEED.
"""
import os
import random
import sys


def divisors(n):
    return [d for d in range(1, n + 1) if n % d == 0]


def conv(rng, name, src, cin, cout, k, in_hw):
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
        for i in range(rng.randint(1, 3)):
            n = "b%dc%d" % (b, i)
            layers.append(conv(rng, n, cur, c, c, rng.choice([1, 3, 3, 5, 7]), (h, w)))
            cur = n
        skip = src
        if rng.random() < 0.3:
            layers.append(conv(rng, "b%dproj" % b, src, c, c, 1, (h, w)))
            skip = "b%dproj" % b
        add = {"name": "b%dadd" % b, "op": "add",
               "inputs": [skip, cur] if rng.random() < 0.5 else [cur, skip],
               "output": {"scale": round(rng.uniform(0.02, 0.08), 4), "zero_point": rng.randint(-128, 10)}}
        if rng.random() < 0.6:
            add["relu"] = True
        layers.append(add)
        cur = add["name"]
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
