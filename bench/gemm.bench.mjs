// GEMM throughput (GFLOP/s) of the three linear-layer forms training runs, on the exercise's shapes and
// odd ones, for the baseline and relaxed builds, a naive JavaScript loop and TF.js's wasm backend.
// Every implementation is checked against a float64 reference before it is timed; a mismatch aborts
// the run. Writes the `gemm` section of BENCHMARKS.md and bench/results/gemm.json.
//   node bench/gemm.bench.mjs [--rounds 5] [--time 150] [--quick]   (--quick: one short round, prints only)
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { Bench } from 'tinybench';
import { createRuntime, hasRelaxedSimd, Rng } from '../dist/index.js';
import { machineLine, table, writeSection } from './markdown.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** (M×K)·(K×N) of the forward y = x·wᵀ + b; the backward forms use the same layer. */
const SHAPES = [
  { M: 32, K: 228, N: 384, big: true },
  { M: 3200, K: 100, N: 128, big: true },
  { M: 3200, K: 64, N: 64, big: true },
  { M: 33, K: 129, N: 65, big: false },
  { M: 1, K: 100, N: 128, big: false, note: 'batch-1 inference' },
];
const label = ({ M, K, N }) => `(${M}×${K})·(${K}×${N})`;
const TARGET = { baseline: 28, relaxed: 38 };

const FORMS = {
  forward: { title: 'Forward: y = x·wᵀ + b', kernel: 'linearForward', outputs: ['y'] },
  backwardInput: { title: 'Input gradient: dx += dy·w', kernel: 'linearBackwardInput', outputs: ['dx'] },
  backwardWeight: { title: 'Weight gradient: dw += dyᵀ·x, db += Σ dy', kernel: 'linearBackwardWeight', outputs: ['dw', 'db'] },
};

// ------------------------------------------------------------ float64 reference (test/reference/linear.ts)

function reference(form, d, { M, K, N }) {
  if (form === 'forward') {
    const y = new Float64Array(M * N);
    for (let i = 0; i < M; i++) for (let n = 0; n < N; n++) {
      let s = d.b[n];
      for (let k = 0; k < K; k++) s += d.x[i * K + k] * d.w[n * K + k];
      y[i * N + n] = s;
    }
    return { y };
  }
  if (form === 'backwardInput') {
    const dx = new Float64Array(M * K);
    for (let i = 0; i < M; i++) for (let n = 0; n < N; n++) for (let k = 0; k < K; k++) dx[i * K + k] += d.dy[i * N + n] * d.w[n * K + k];
    return { dx };
  }
  const dw = new Float64Array(N * K);
  const db = new Float64Array(N);
  for (let m = 0; m < M; m++) for (let n = 0; n < N; n++) {
    db[n] += d.dy[m * N + n];
    for (let k = 0; k < K; k++) dw[n * K + k] += d.dy[m * N + n] * d.x[m * K + k];
  }
  return { dw, db };
}

/** Tolerances of test/kernels/gemm.test.ts: float32 sums of `terms` products drift like √terms. */
function tolerance(form, { M, K, N }) {
  if (form === 'forward') return { atol: 1e-5 * Math.sqrt(K), rtol: 1e-4 };
  const terms = form === 'backwardInput' ? N : M;
  return { atol: 1e-4 * Math.sqrt(terms / 16 + 1), rtol: 1e-3 };
}

function check(what, actual, expected, tol) {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < actual.length; i++) {
    const diff = Math.abs(actual[i] - expected[i]);
    if (!(diff <= tol.atol + tol.rtol * Math.abs(expected[i]))) {
      throw new Error(`${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (|diff| ${diff.toExponential(2)}, atol ${tol.atol}, rtol ${tol.rtol})`);
    }
  }
}

// ------------------------------------------------------------ implementations
// Each returns { run(): void, read(): { output name: values } }; the backward forms accumulate, so read()
// is meaningful only after exactly one run() on zeroed outputs, which is how the check uses it.

function seqwasm(rt, form, d, { M, K, N }, packed) {
  const k = rt.kernels;
  const arena = rt.arena;
  const blocks = [];
  const alloc = (n) => { const p = arena.alloc(n); blocks.push(p); return p; };
  const put = (values) => { const p = alloc(values.length); arena.f32().set(values, p >>> 2); return p; };
  const x = put(d.x), w = put(d.w), b = put(d.b), dy = put(d.dy);
  const work = alloc(k.linearWorkspace(M, K, N));
  const view = (p, n) => arena.f32().slice(p >>> 2, (p >>> 2) + n); // after the allocations: memory no longer grows
  let run, read;
  if (form === 'forward') {
    const y = alloc(M * N);
    if (packed) {
      // the models' path (src/nn/layers/dense.ts): w packed once per optimizer step, outside this timing
      const pw = alloc(k.packedWeightSize(N, K));
      k.packWeight(pw, w, N, K);
      run = () => k.linearForwardPacked(y, x, pw, b, M, K, N, work);
    } else run = () => k.linearForward(y, x, w, b, M, K, N, work);
    read = () => ({ y: view(y, M * N) });
  } else if (form === 'backwardInput') {
    const dx = alloc(M * K);
    run = () => k.linearBackwardInput(dx, dy, w, M, K, N, work);
    read = () => ({ dx: view(dx, M * K) });
  } else {
    const dw = alloc(N * K), db = alloc(N);
    run = () => k.linearBackwardWeight(dw, db, x, dy, M, K, N, work);
    read = () => ({ dw: view(dw, N * K), db: view(db, N) });
  }
  return { run, read, free: () => blocks.forEach((p) => arena.release(p)) };
}

// the straightforward triple loops a JavaScript programmer would write, on Float32Arrays
function naiveForward(y, x, w, b, M, K, N) {
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      let s = b[n];
      for (let k = 0; k < K; k++) s += x[i * K + k] * w[n * K + k];
      y[i * N + n] = s;
    }
  }
}
function naiveBackwardInput(dx, dy, w, M, K, N) {
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      const g = dy[i * N + n];
      for (let k = 0; k < K; k++) dx[i * K + k] += g * w[n * K + k];
    }
  }
}
function naiveBackwardWeight(dw, db, x, dy, M, K, N) {
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      const g = dy[m * N + n];
      db[n] += g;
      for (let k = 0; k < K; k++) dw[n * K + k] += g * x[m * K + k];
    }
  }
}

function naive(form, d, { M, K, N }) {
  const x = Float32Array.from(d.x), w = Float32Array.from(d.w), b = Float32Array.from(d.b), dy = Float32Array.from(d.dy);
  if (form === 'forward') {
    const y = new Float32Array(M * N);
    return { run: () => naiveForward(y, x, w, b, M, K, N), read: () => ({ y }) };
  }
  if (form === 'backwardInput') {
    const dx = new Float32Array(M * K);
    return { run: () => naiveBackwardInput(dx, dy, w, M, K, N), read: () => ({ dx }) };
  }
  const dw = new Float32Array(N * K), db = new Float32Array(N);
  return { run: () => naiveBackwardWeight(dw, db, x, dy, M, K, N), read: () => ({ dw, db }) };
}

// TF.js computes fresh gradient tensors (no accumulation); dataSync() makes each call complete
function tfjs(tf, form, d, { M, K, N }) {
  const f = (v) => Float32Array.from(v);
  const x = tf.tensor2d(f(d.x), [M, K]), w = tf.tensor2d(f(d.w), [N, K]), b = tf.tensor1d(f(d.b)), dy = tf.tensor2d(f(d.dy), [M, N]);
  let out = {};
  const sync = (name, t) => { out[name] = t.dataSync(); t.dispose(); };
  let run;
  // the forward takes w in TF.js's own (in, out) layout, as tf.layers keeps it: in 4.22 the wasm backend's
  // fused matMul adds the bias wrongly with transposeB (rows after the first), which the check catches
  const wt = tf.transpose(w);
  if (form === 'forward') run = () => sync('y', tf.fused.matMul({ a: x, b: wt, bias: b }));
  else if (form === 'backwardInput') run = () => sync('dx', tf.matMul(dy, w));
  else run = () => { sync('dw', tf.matMul(dy, x, true, false)); sync('db', tf.sum(dy, 0)); };
  return { run, read: () => out, free: () => [x, w, wt, b, dy].forEach((t) => t.dispose()) };
}

// ------------------------------------------------------------ driver

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const argOf = (argv, name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);

export async function main(argv = process.argv.slice(2)) {
  const quick = argv.includes('--quick');
  const rounds = Number(argOf(argv, '--rounds', quick ? '1' : '5'));
  const time = Number(argOf(argv, '--time', quick ? '40' : '150'));
  const load = loadavg()[0];

  // Node 20 validates relaxed SIMD only behind this flag; it must be set before the build is compiled
  if (!hasRelaxedSimd()) v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  const runtimes = { baseline: await createRuntime(undefined, { simd: 'baseline' }), relaxed: await createRuntime(undefined, { simd: 'relaxed' }) };
  for (const [level, rt] of Object.entries(runtimes)) if (rt.simd !== level) throw new Error(`asked for the ${level} build, got ${rt.simd}`);

  const tf = require('@tensorflow/tfjs');
  const tfWasm = require('@tensorflow/tfjs-backend-wasm');
  tfWasm.setThreadsCount(1); // one thread like seqwasm; must precede setBackend
  if (!(await tf.setBackend('wasm'))) throw new Error('TF.js wasm backend did not initialise');
  await tf.ready();
  const tfThreads = tfWasm.getThreadsCount();

  // every case built and checked before anything is timed
  const cases = [];
  const failures = [];
  SHAPES.forEach((shape, si) => {
    const rng = new Rng(100 + si);
    const values = (n) => Float64Array.from(Float32Array.from({ length: n }, () => rng.uniform(-2, 2)));
    const { M, K, N } = shape;
    const d = { x: values(M * K), w: values(N * K), b: values(N), dy: values(M * N) };
    for (const form of Object.keys(FORMS)) {
      const expected = reference(form, d, shape);
      const tol = tolerance(form, shape);
      const impls = {
        baseline: seqwasm(runtimes.baseline, form, d, shape, false),
        relaxed: seqwasm(runtimes.relaxed, form, d, shape, false),
        ...(form === 'forward' ? {
          baselinePacked: seqwasm(runtimes.baseline, form, d, shape, true),
          relaxedPacked: seqwasm(runtimes.relaxed, form, d, shape, true),
        } : {}),
        naive: naive(form, d, shape),
        tfjs: tfjs(tf, form, d, shape),
      };
      for (const [impl, c] of Object.entries(impls)) {
        c.run();
        const got = c.read();
        for (const name of FORMS[form].outputs) {
          try {
            check(`${impl} ${form} ${label(shape)} ${name}`, got[name], expected[name], tol);
          } catch (err) {
            failures.push(err.message);
          }
        }
        cases.push({ form, shape, impl, c, ms: [] });
      }
    }
  });
  if (failures.length) throw new Error(`gemm bench: results differ from the float64 reference; nothing timed:\n  ${failures.join('\n  ')}`);
  process.stderr.write(`gemm: ${cases.length} cases match the float64 reference; timing ${rounds} round(s) of ${time} ms each\n`);

  // several short rounds over all cases, so a burst of load on the shared machine hits every case alike
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ time, warmupTime: Math.min(50, time), iterations: 3, warmupIterations: 1, throws: true });
    for (const cs of cases) {
      const { M, K, N } = cs.shape;
      // small products repeat inside one sample (≥ ~2 MFLOP), so the timer's overhead stays negligible
      cs.reps = Math.max(1, Math.ceil(2e6 / (2 * M * K * N)));
      const { run } = cs.c, reps = cs.reps;
      bench.add(`${cs.form} ${label(cs.shape)} ${cs.impl}`, () => { for (let i = 0; i < reps; i++) run(); });
    }
    bench.runSync();
    bench.tasks.forEach((task, i) => cases[i].ms.push(task.result.latency.p50 / cases[i].reps));
    process.stderr.write(`gemm: round ${r + 1}/${rounds} done\n`);
  }
  for (const cs of cases) {
    const { M, K, N } = cs.shape;
    cs.msPerCall = median(cs.ms);
    cs.gflops = (2 * M * K * N) / (cs.msPerCall * 1e6);
  }

  for (const cs of cases) cs.c.free?.();
  const rows = cases.map((cs) => ({ form: cs.form, ...cs.shape, impl: cs.impl, msPerCall: cs.msPerCall, gflops: cs.gflops, msPerRound: cs.ms }));
  for (const r of rows) console.log(`${r.form.padEnd(15)} ${label(r).padEnd(22)} ${r.impl.padEnd(15)} ${r.gflops.toFixed(2).padStart(7)} GFLOP/s  ${(r.msPerCall * 1e3).toFixed(1).padStart(9)} µs`);
  if (quick) {
    process.stderr.write('gemm: --quick, BENCHMARKS.md left as it is\n');
    return rows;
  }
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'gemm.json'), JSON.stringify({ machine: machineLine(), load, rounds, time, tfjs: tf.version.tfjs, tfThreads, rows }, null, 1));
  writeSection('gemm', markdown(rows, { rounds, time, load, tfjs: tf.version.tfjs, tfThreads }));
  process.stderr.write('gemm: wrote BENCHMARKS.md (section gemm) and bench/results/gemm.json\n');
  return rows;
}

// ------------------------------------------------------------ BENCHMARKS.md

function markdown(rows, env) {
  const get = (form, shape, impl) => rows.find((r) => r.form === form && r.M === shape.M && r.K === shape.K && r.N === shape.N && r.impl === impl);
  const g = (r) => (r ? (r.gflops >= 10 ? r.gflops.toFixed(1) : r.gflops.toFixed(2)) : '–');
  const us = (r) => (r ? (r.msPerCall * 1e3 >= 100 ? (r.msPerCall * 1e3).toFixed(0) : (r.msPerCall * 1e3).toFixed(1)) : '–');
  const ratio = (a, b) => (a && b ? (a.gflops / b.gflops).toFixed(2) : '–');
  const geo = (pairs) => Math.exp(pairs.reduce((s, [a, b]) => s + Math.log(a.gflops / b.gflops), 0) / pairs.length).toFixed(2);
  const out = [
    '## GEMM: the linear layer\'s three forms (`npm run bench`)',
    '',
    machineLine(),
    `A shared 2-core virtual machine with other jobs running (1-minute load average ${env.load.toFixed(1)} at the start), and the same binary measured twice differs by up to ±20%; ` +
      `each figure is the median over ${env.rounds} interleaved rounds of the per-round median (tinybench, ${env.time} ms per case per round).`,
    '',
    `GFLOP/s counts 2·M·K·N per call. **baseline** / **relaxed**: dist/kernels.wasm and dist/kernels.relaxed.wasm through \`createRuntime\`, buffers in the arena; ` +
      '**packed w**: `linearForwardPacked` with w packed beforehand, the path the models take (w is re-packed once per optimizer step). ' +
      '**naive JS**: the straightforward triple loop on Float32Arrays. ' +
      `**TF.js wasm**: @tensorflow/tfjs-backend-wasm ${env.tfjs}, ${env.tfThreads} thread, \`tf.fused.matMul\` with bias on w kept in (in, out) layout as tf.layers keeps it / \`tf.matMul\` (transposeA for dw) + \`tf.sum\` for db, \`dataSync()\` per call; its gradients are fresh tensors, not accumulated. ` +
      '(With `transposeB: true` on w as (out, in), the 4.22 wasm backend adds the bias wrongly to every row but the first; the check before timing caught it.) ' +
      'Every implementation matched a float64 reference (tolerances of test/kernels/gemm.test.ts) before it was timed. ' +
      'Shapes are those of the forward layer, x (M×K) · wᵀ (K×N); the backward forms are the same layer\'s.',
  ];
  const ratios = {};
  for (const [form, spec] of Object.entries(FORMS)) {
    const fwd = form === 'forward';
    const header = ['shape', 'baseline', 'relaxed', ...(fwd ? ['baseline, packed w', 'relaxed, packed w'] : []), 'naive JS', 'TF.js wasm',
      'relaxed / baseline', 'baseline / naive JS', 'baseline / TF.js', 'relaxed / TF.js',
      `µs per call: baseline · relaxed${fwd ? ' · packed (b, r)' : ''} · naive JS · TF.js`];
    const body = SHAPES.map((s) => {
      const r = (impl) => get(form, s, impl);
      return [`${label(s)}${s.note ? ` (${s.note})` : ''}`, g(r('baseline')), g(r('relaxed')),
        ...(fwd ? [g(r('baselinePacked')), g(r('relaxedPacked'))] : []), g(r('naive')), g(r('tfjs')),
        ratio(r('relaxed'), r('baseline')), ratio(r('baseline'), r('naive')), ratio(r('baseline'), r('tfjs')), ratio(r('relaxed'), r('tfjs')),
        [us(r('baseline')), us(r('relaxed')), ...(fwd ? [us(r('baselinePacked')), us(r('relaxedPacked'))] : []), us(r('naive')), us(r('tfjs'))].join(' · ')];
    });
    const pair = (a, b) => SHAPES.map((s) => [get(form, s, a), get(form, s, b)]);
    ratios[form] = { relaxedBaseline: geo(pair('relaxed', 'baseline')), naive: geo(pair('baseline', 'naive')), tf: geo(pair('baseline', 'tfjs')), tfRelaxed: geo(pair('relaxed', 'tfjs')) };
    out.push('', `### ${spec.title} (\`${spec.kernel}\`), GFLOP/s`, '', table(header, body), '',
      `Geometric means over the shapes: relaxed / baseline ${ratios[form].relaxedBaseline}, baseline / naive JS ${ratios[form].naive}, ` +
      `baseline / TF.js wasm ${ratios[form].tf}, relaxed / TF.js wasm ${ratios[form].tfRelaxed}.`);
  }
  // the issue's targets, on the exercise's shapes
  const big = SHAPES.filter((s) => s.big);
  const verdict = (level) => {
    const pairs = Object.keys(FORMS).flatMap((form) => big.map((s) => ({ form, s, r: get(form, s, level) })));
    const met = pairs.filter((p) => p.r.gflops >= TARGET[level]);
    const missed = pairs.filter((p) => p.r.gflops < TARGET[level]);
    const range = `${Math.min(...pairs.map((p) => p.r.gflops)).toFixed(1)}–${Math.max(...pairs.map((p) => p.r.gflops)).toFixed(1)} GFLOP/s`;
    return `${level} ≥ ${TARGET[level]} GFLOP/s: **${met.length === pairs.length ? 'met' : met.length ? 'partly met' : 'not met'}** ` +
      `(${met.length} of ${pairs.length} form × shape pairs; measured ${range}` +
      `${missed.length && met.length ? `; below it: ${missed.map((p) => `${p.form} ${label(p.s)} ${p.r.gflops.toFixed(1)}`).join(', ')}` : ''}).`;
  };
  const packedBest = (level) => Math.max(...big.map((s) => get('forward', s, `${level}Packed`).gflops)).toFixed(1);
  out.push('', '### Targets (issue "Foundation"; benchmarks, not tests)', '',
    `On the three exercise shapes and all three forms (forward without pre-packing): ${verdict('baseline')} ${verdict('relaxed')} ` +
      `The pre-packed forward the models use reaches at best ${packedBest('baseline')} (baseline) and ${packedBest('relaxed')} (relaxed) GFLOP/s on these shapes.`);
  return out.join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
