#!/usr/bin/env node
// Independent TFLite reference run under plain node (no browser), using the
// real TFLite C++ interpreter compiled to WASM as shipped in
// @tensorflow/tfjs-tflite (tflite_web_api_cc*.wasm), via its public API
// (tflite.loadTFLiteModel / TFLiteModel.predict).
//
// The package only knows how to load its wasm glue in a browser / web worker
// (importScripts or <script>, then fetch of the .wasm). We emulate a worker:
//   - globalThis.self/location + importScripts() that evals the local glue JS
//   - fetch() polyfill that serves http://tflite.local/* from node_modules
// and force a single-threaded WASM variant (threaded builds need Web Workers).
//
// Usage: node run.js [--variant plain|simd] [--model M] [--images DIR] [--out F]
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

function arg(name, def) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 ? process.argv[i + 1] : def;
}
const VARIANT = arg('variant', 'plain'); // plain = tflite_web_api_cc.{js,wasm} (no SIMD, no threads)
const SHARED = path.join(__dirname, '..', '..', '..', 'shared', 'data');
const MODEL = arg('model', path.join(SHARED, 'models/mlperf_tiny_resnet8/pretrainedResnet_quant.tflite'));
const IMAGES = arg('images', path.join(SHARED, 'images/cifar10'));
const OUT = arg('out', path.join(__dirname, 'out', 'cifar10_tflite.json'));
const PROFILE = process.argv.includes('--profile');

const WASM_DIR = path.join(path.dirname(require.resolve('@tensorflow/tfjs-tflite/package.json')), 'wasm');
const FAKE_ORIGIN = 'http://tflite.local';
const suffix = { plain: '', simd: '_simd' }[VARIANT];
if (suffix === undefined) throw new Error('variant must be plain or simd');

// Map any requested tflite_web_api_cc[_simd][_threaded].{js,wasm} to the chosen variant.
const served = [];
function localFileFor(url) {
  const base = url.replace(/[?#].*$/, '').split('/').pop();
  const m = /^tflite_web_api_cc(?:_simd)?(?:_threaded)?\.(js|wasm)$/.exec(base);
  if (!m) throw new Error('unexpected resource request: ' + url);
  const f = path.join(WASM_DIR, `tflite_web_api_cc${suffix}.${m[1]}`);
  served.push(path.basename(f));
  return f;
}

// --- minimal web-worker emulation -----------------------------------------
globalThis.self = globalThis;
globalThis.location = { origin: FAKE_ORIGIN, href: FAKE_ORIGIN + '/index.html' };
globalThis.importScripts = (url) => {
  const f = localFileFor(String(url));
  vm.runInThisContext(fs.readFileSync(f, 'utf8'), { filename: f });
};
const realFetch = globalThis.fetch;
globalThis.fetch = async (url, opts) => {
  const u = String(url);
  if (!u.startsWith(FAKE_ORIGIN)) {
    if (u.startsWith('http')) throw new Error('refusing network fetch: ' + u);
    return realFetch(url, opts);
  }
  const f = localFileFor(u);
  return new Response(fs.readFileSync(f), {
    status: 200,
    headers: { 'Content-Type': f.endsWith('.wasm') ? 'application/wasm' : 'application/javascript' },
  });
};

// predict() warns on every int32->int8 input conversion; that conversion is intended (values are in [-128,127]).
const origWarn = console.warn;
console.warn = (...a) => { if (!/converting 'int32' to 'int8'/.test(String(a[0]))) origWarn(...a); };
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
const tflite = require('@tensorflow/tfjs-tflite');

async function main() {
  await tf.setBackend('cpu');
  tflite.setWasmPath(FAKE_ORIGIN + '/');
  const buf = fs.readFileSync(MODEL);
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  // numThreads must be given explicitly: the default reads navigator.hardwareConcurrency.
  const model = await tflite.loadTFLiteModel(ab, { numThreads: 1, enableProfiling: PROFILE });
  const inInfo = model.modelRunner.getInputs()[0];
  const outInfo = model.modelRunner.getOutputs()[0];
  console.error(`wasm served: ${[...new Set(served)].join(', ')}`);
  console.error(`input  ${inInfo.name} ${inInfo.dataType} [${inInfo.shape}]`);
  console.error(`output ${outInfo.name} ${outInfo.dataType} [${outInfo.shape}]`);
  if (inInfo.dataType !== 'int8' || outInfo.dataType !== 'int8') throw new Error('expected int8 I/O');

  const lines = fs.readFileSync(path.join(IMAGES, 'labels.csv'), 'utf8').split(/\r?\n/).filter(Boolean);
  const results = [];
  let correct = 0;
  for (const line of lines) {
    const [file, , cls] = line.split(',');
    const label = Number(cls);
    const px = fs.readFileSync(path.join(IMAGES, file));
    if (px.length !== 32 * 32 * 3) throw new Error(`${file}: ${px.length} bytes`);
    const q = new Int32Array(px.length);
    for (let i = 0; i < px.length; i++) q[i] = px[i] - 128; // scale 1.0, zp -128
    const out = tf.tidy(() => model.predict(tf.tensor(q, [1, 32, 32, 3], 'int32')).dataSync());
    const v = Array.from(out);
    let k = 0;
    for (let i = 1; i < v.length; i++) if (v[i] > v[k]) k = i; // first index on ties
    if (k === label) correct++;
    results.push({ file, label, output_int8: v, argmax: k });
  }
  if (PROFILE) {
    const seen = new Map();
    for (const p of model.getProfilingResults()) seen.set(p.nodeType, (seen.get(p.nodeType) || 0) + 1);
    console.error('profiled node types (count over all runs):', JSON.stringify(Object.fromEntries(seen)));
    console.error(model.getProfilingSummary().split('\n').slice(0, 60).join('\n'));
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, '[\n' + results.map((r) => '  ' + JSON.stringify(r)).join(',\n') + '\n]\n');
  console.log(`top-1: ${correct}/${results.length} = ${(100 * correct / results.length).toFixed(1)}%  (variant=${VARIANT})`);
  console.log(`wrote ${OUT}`);
}
main().catch((e) => { console.error(e); process.exit(1); });
