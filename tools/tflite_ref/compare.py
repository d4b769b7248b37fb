#!/usr/bin/env python3
"""Compares resflow's classifier output with the TFLite runtime's.

usage: compare.py RESFLOW_JSON TFLITE_JSON

RESFLOW_JSON: the host's --json of `make resnet8` (build/resnet8_tflite/resnet8.json:
"logits" per frame, the pipeline's int8 dense outputs, softmax not applied).
TFLITE_JSON: run.js's output (int8 softmax outputs of the TFLite interpreter, WASM build
of tfjs-tflite, whose convolutions, adds and dense layer run in XNNPACK).
Prints top-1 of each against the labels and every image whose argmax differs.
"""
import json
import sys


def argmax(v):
    best = 0
    for i in range(1, len(v)):
        if v[i] > v[best]:
            best = i
    return best


ours = json.load(open(sys.argv[1]))
ref = json.load(open(sys.argv[2]))
if len(ours["logits"]) != len(ref):
    sys.exit("compare: %d frames against %d images" % (len(ours["logits"]), len(ref)))
top_ours = top_ref = agree = 0
for lg, r in zip(ours["logits"], ref):
    a, b = argmax(lg), r["argmax"]
    top_ours += a == r["label"]
    top_ref += b == r["label"]
    agree += a == b
    if a != b:
        print("%s (label %d): resflow argmax %d (logits %s), TFLite argmax %d (softmax int8 %s)"
              % (r["file"], r["label"], a, lg, b, r["output_int8"]))
n = len(ref)
print("top-1: resflow %d/%d, TFLite runtime %d/%d; same argmax on %d/%d images" % (top_ours, n, top_ref, n, agree, n))
