// Edge inference: what a Worker loads (gzipped), cold start and per-request latency of the shipped model
// in workerd (examples/cloudflare-worker, the example CI tests), next to the same work in Node.
//
//   node bench/edge.mjs        (npm run bench:edge builds first) → BENCHMARKS.md section "edge"
//
// Inputs are real reviews of the aclImdb test split (../shared/data), cut to their first 100 tokens.
// workerd is measured from a client on loopback, so its figures include one HTTP round trip; GET
// /health (no model work) measures that round trip alone. Inside the isolate performance.now() does
// not advance during a request (a Workers timing-attack mitigation), so the client is the only clock.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Bench } from 'tinybench';
import { createRuntime, TextClassifier } from '../dist/index.js';
import { readAclImdbPath } from '../dist/node.js';
import { reachableModules } from '../scripts/gen-workerd-modules.mjs';
import { machineLine, table, writeSection } from './markdown.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const WORKER = 'examples/cloudflare-worker/worker.js';
const MODEL = join(root, 'models', 'sentiment.safetensors');
const COLD_STARTS = 7;
const REQUESTS = 2000;

const kib = (bytes) => (bytes / 1024).toFixed(1);
const gz = (file) => gzipSync(readFileSync(join(root, file)), { level: 9 }).length;
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
const median = (xs) => percentile([...xs].sort((a, b) => a - b), 0.5);

/** Gzipped sizes of what the example Worker loads: the kernels, the JS it imports at start, what it imports lazily. */
function sizes() {
  const modules = [...reachableModules(WORKER).entries()].filter(([name, m]) => m.file && name !== WORKER);
  const js = (lazy) => modules.filter(([, m]) => m.lazy === lazy && m.file.endsWith('.js'));
  const sum = (list) => list.reduce((n, [, m]) => n + gz(m.file), 0);
  const eager = js(false);
  const lazy = js(true);
  return {
    wasm: gz('dist/kernels.wasm'),
    wasmRelaxed: gz('dist/kernels.relaxed.wasm'),
    coreJs: sum(eager),
    coreFiles: eager.length,
    lazyJs: sum(lazy),
    lazyFiles: lazy.length,
    model: readFileSync(MODEL).length,
    modelGz: gz('models/sentiment.safetensors'),
  };
}

/** Real reviews, each cut to its first 100 tokens as the shipped model's tokenizer sees them. */
async function reviews(tokenizer, count) {
  const { test } = await readAclImdbPath(join(root, '..', 'shared', 'data', 'imdb', 'aclImdb_v1_labeled.tar.gz'));
  const texts = [];
  for (const { text } of test.examples) {
    const tokens = tokenizer.tokenizeAll(text);
    if (tokens.length < 100) continue;
    const cut = tokens.slice(0, 100).join(' ');
    if (tokenizer.tokenize(cut).length === 100) texts.push(cut);
    if (texts.length === count) break;
  }
  return texts;
}

function startWorkerd(port) {
  const child = spawn(join(root, 'node_modules', '.bin', 'workerd'),
    ['serve', join(root, 'examples', 'cloudflare-worker', 'config.capnp'), '--socket-addr', `http=127.0.0.1:${port}`], { stdio: 'ignore' });
  return child;
}

async function waitUntilListening(base) {
  for (const deadline = Date.now() + 20_000; ;) {
    try {
      // a 404 path: the worker answers without loading the kernels or the model
      await (await fetch(`${base}/nothing-here`)).arrayBuffer();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`workerd did not answer on ${base}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function timed(request) {
  const t = performance.now();
  const res = await request();
  await res.arrayBuffer();
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return performance.now() - t;
}

const predict = (base, text) => () => fetch(`${base}/predict`, { method: 'POST', body: JSON.stringify({ text }), headers: { 'content-type': 'application/json' } });
const health = (base) => () => fetch(`${base}/health`);

let nextPort = 21_000 + Math.floor(Math.random() * 20_000);

/** Runs `fn(base)` against a fresh workerd serving the example Worker (a fresh isolate), then stops it. */
async function withWorkerd(fn) {
  const port = nextPort++;
  const base = `http://127.0.0.1:${port}`;
  const child = startWorkerd(port);
  try {
    await waitUntilListening(base);
    return await fn(base);
  } finally {
    child.kill();
  }
}

/** First request of a fresh isolate (init + model load + first explained prediction), and the second, warm one. */
const coldStart = (text) => withWorkerd(async (base) => ({ cold: await timed(predict(base, text)), warm: await timed(predict(base, text)) }));

function latency(texts) {
  return withWorkerd(async (base) => {
    for (let i = 0; i < 200; i++) await timed(predict(base, texts[i % texts.length])); // warm-up
    const predictMs = [];
    const healthMs = [];
    // interleaved, one at a time: the two series see the same machine load
    for (let i = 0; i < REQUESTS; i++) {
      predictMs.push(await timed(predict(base, texts[i % texts.length])));
      healthMs.push(await timed(health(base)));
    }
    predictMs.sort((a, b) => a - b);
    healthMs.sort((a, b) => a - b);
    return {
      p50: percentile(predictMs, 0.5), p99: percentile(predictMs, 0.99),
      healthP50: percentile(healthMs, 0.5), healthP99: percentile(healthMs, 0.99),
    };
  });
}

/** The same work in Node, per review: explain (what /predict answers) and predict alone. */
async function inNode(texts) {
  const bytes = new Uint8Array(readFileSync(MODEL));
  const rows = [];
  for (const simd of ['baseline', 'relaxed']) {
    const runtime = await createRuntime(undefined, { simd });
    const clf = TextClassifier.load(bytes, { runtime });
    let i = 0;
    const bench = new Bench({ time: 1500, warmup: true });
    bench.add('explain', () => clf.explain(texts[i++ % texts.length]));
    bench.add('predict', () => clf.predict(texts[i++ % texts.length]));
    const loadBench = new Bench({ time: 1000 });
    loadBench.add('load', () => TextClassifier.load(bytes, { runtime }).dispose());
    await bench.run();
    await loadBench.run();
    const ms = (b, name) => b.tasks.find((t) => t.name === name).result.latency.p50;
    rows.push({ simd, explain: ms(bench, 'explain'), predict: ms(bench, 'predict'), load: ms(loadBench, 'load') });
    clf.dispose();
  }
  return rows;
}

const size = sizes();
const clfForTokens = TextClassifier.load(new Uint8Array(readFileSync(MODEL)), { runtime: await createRuntime(undefined, { simd: 'baseline' }) });
const texts = await reviews(clfForTokens.tokenizer, 200);
clfForTokens.dispose();
console.log(`sizes (gzip -9): wasm ${kib(size.wasm)} KiB, relaxed ${kib(size.wasmRelaxed)} KiB, core JS ${kib(size.coreJs)} KiB in ${size.coreFiles} files, lazy ${kib(size.lazyJs)} KiB`);

const node = await inNode(texts);
for (const r of node) console.log(`node ${r.simd}: explain ${r.explain.toFixed(3)} ms, predict ${r.predict.toFixed(3)} ms, load ${r.load.toFixed(2)} ms`);

const starts = [];
for (let i = 0; i < COLD_STARTS; i++) starts.push(await coldStart(texts[i]));
const cold = median(starts.map((s) => s.cold));
const warm = median(starts.map((s) => s.warm));
console.log(`workerd cold start: first request ${cold.toFixed(1)} ms (median of ${COLD_STARTS}), second ${warm.toFixed(1)} ms`);

const lat = await latency(texts);
console.log(`workerd /predict p50 ${lat.p50.toFixed(3)} ms, p99 ${lat.p99.toFixed(3)} ms; /health p50 ${lat.healthP50.toFixed(3)} ms`);

const budget = size.wasm + size.coreJs;
const yes = (ok) => (ok ? 'met' : '**not met**');
const f = (x, d = 2) => x.toFixed(d);
writeSection('edge', `## Edge: size, cold start and latency in workerd (\`npm run bench:edge\`)

${machineLine()} workerd ${JSON.parse(readFileSync(join(root, 'node_modules', 'workerd', 'package.json'), 'utf8')).version}.
The shipped model (models/sentiment.safetensors: GRU-96, 5,000 words) explaining real aclImdb test reviews cut to 100 tokens.
workerd runs examples/cloudflare-worker; times are measured by a client on loopback, one request at a time, so they include an HTTP round trip (GET /health, no model work, is that round trip alone).

What an edge function loads (gzip -9, each file as served):

${table(['part', 'KiB gzipped'], [
    ['kernels.wasm (baseline SIMD)', kib(size.wasm)],
    ['kernels.relaxed.wasm', kib(size.wasmRelaxed)],
    [`core JS imported at start (${size.coreFiles} files: dist/ and its dependencies, no CLI or ./node code)`, kib(size.coreJs)],
    [`loaded only on first use (${size.lazyFiles} files: CSV, tar and gzip readers)`, kib(size.lazyJs)],
    ['**wasm + core JS**', `**${kib(budget)}**`],
    [`the model file (${kib(size.model)} KiB raw)`, kib(size.modelGz)],
  ])}

| target | figure | |
| --- | ---: | --- |
| wasm + core JS ≤ 100 KB gzipped | ${kib(budget)} KiB | ${yes(budget <= 100_000)} |
| cold start < 20 ms (first request of a fresh isolate: init + model load + first explained prediction, median of ${COLD_STARTS}) | ${f(cold, 1)} ms (then ${f(warm, 1)} ms warm) | ${yes(cold < 20)} |
| p50 < 1 ms per 100-token review (POST /predict, ${REQUESTS} sequential requests) | ${f(lat.p50, 3)} ms (p99 ${f(lat.p99, 3)}; /health p50 ${f(lat.healthP50, 3)}) | ${yes(lat.p50 < 1)} |

The same work in Node (tinybench p50 per call, one review):

${table(['build', 'explain ms (what /predict does)', 'predict ms', 'model load ms'],
    node.map((r) => [r.simd, f(r.explain, 3), f(r.predict, 3), f(r.load, 2)]))}
`);
console.log('BENCHMARKS.md: section "edge" written');
