// `npm run bench:parallel`: training throughput on 1 vs 2 threads (seqwasm/node createParallelTrainer)
// for the exercise's shape (batch 32, T = 100, D = 100, every token real, Adam). Before timing, each
// case checks that a 2-thread step gives the single-threaded loss and gradients. Timing interleaves
// the two in rounds, so load from other processes hits both alike; the speed-up is the median of the
// per-round ratios. Writes the `parallel` section of BENCHMARKS.md.
//   node bench/parallel.mjs [--rounds 9] [--steps 5] [--simd baseline|relaxed] [--threads 2] [--no-write]
import { loadavg } from 'node:os';
import { createModel, createRuntime, Rng } from '../dist/index.js';
import { createParallelTrainer } from '../dist/node.js';
import { arg, median } from './compare/shapes.mjs';
import { machineLine, table, writeSection } from './markdown.mjs';

const rounds = Number(arg('--rounds', '9'));
const steps = Number(arg('--steps', '5'));
const threads = Number(arg('--threads', '2'));
const simd = arg('--simd', 'baseline');
const runtime = await createRuntime(undefined, { simd });
const B = 32, T = 100, D = 100, V = 20_000;

const CASES = [
  { name: 'gru-128', config: { kind: 'gru', input: D, hidden: 128 } },
  { name: 'gru-64', config: { kind: 'gru', input: D, hidden: 64 } },
  { name: 'mlp-128', config: { kind: 'mlp', input: D, widths: [128, 128] } },
  // the embedding table (2M values) is trained too; only the rows a shard uses cross threads
  { name: 'gru-128 + 20k-word embedding', config: { kind: 'gru', input: D, hidden: 128, embedding: { vocabSize: V } } },
];

const rng = new Rng(0);
function batchFor(config) {
  const mask = new Float32Array(B * T).fill(1);
  const labels = Int32Array.from({ length: B }, () => rng.int(2));
  if (config.embedding) return { B, T, ids: Int32Array.from({ length: B * T }, () => 2 + rng.int(V - 2)), mask, labels };
  return { B, T, x: Float32Array.from({ length: B * T * D }, () => rng.normal()), mask, labels };
}

/** Largest |a − e| / (1e-6 + |e|) over the gradients, and the loss difference. */
function agreement(single, model, l1, l2) {
  const a = model.params.grads.view();
  const e = single.params.grads.view();
  let worst = 0;
  for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(a[i] - e[i]) / (1e-6 + Math.abs(e[i])));
  return { worst, loss: Math.abs(l1 - l2) };
}

const load = [loadavg()[0]];
const rows = [];
const results = [];
for (const c of CASES) {
  const single = createModel(c.config, { runtime, seed: 1 });
  const model = createModel(c.config, { runtime, seed: 1 });
  const trainer = await createParallelTrainer(model, { threads });
  const batches = Array.from({ length: 4 }, () => batchFor(c.config));
  // numbers first: a fast wrong answer is no result
  const l1 = single.lossAndGrad(batches[0]);
  const l2 = await trainer.lossAndGrad(batches[0]);
  const agree = agreement(single, model, l1, l2);
  if (!(agree.worst < 1e-2 && agree.loss < 1e-5)) {
    await trainer.dispose();
    throw new Error(`${c.name}: 2-thread gradients disagree (worst relative ${agree.worst}, loss ${agree.loss})`);
  }
  let k = 0;
  const next = () => batches[k++ % batches.length];
  for (let i = 0; i < 3; i++) {
    single.trainStep(next());
    await trainer.trainStep(next());
  }
  const one = [];
  const two = [];
  const ratio = [];
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    for (let s = 0; s < steps; s++) single.trainStep(next());
    const a = (performance.now() - t) / steps;
    t = performance.now();
    for (let s = 0; s < steps; s++) await trainer.trainStep(next());
    const b = (performance.now() - t) / steps;
    one.push(a);
    two.push(b);
    ratio.push(a / b);
  }
  await trainer.dispose();
  single.dispose();
  model.dispose();
  const r = { model: c.name, oneMs: median(one), twoMs: median(two), speedup: median(ratio), bestSpeedup: Math.max(...ratio), worstGradRel: agree.worst };
  results.push(r);
  console.log(JSON.stringify(r));
  rows.push([c.name, r.oneMs.toFixed(1), r.twoMs.toFixed(1), `**${r.speedup.toFixed(2)}×**`, `${r.bestSpeedup.toFixed(2)}×`,
    Math.round((B * 1000) / r.oneMs), Math.round((B * 1000) / r.twoMs), r.worstGradRel.toExponential(1)]);
}
load.push(loadavg()[0]);

const gru = results.find((r) => r.model === 'gru-128');
const met = gru.speedup >= 1.8;
const markdown = `
## Parallel training: 1 vs ${threads} threads (\`npm run bench:parallel\`)

${machineLine().replace('one thread.', `${threads} threads (the calling one and ${threads - 1} worker).`)}
${simd} build. Batch ${B}, T = ${T}, D = ${D}, every token real, Adam; a step is \`model.trainStep\` against
\`(await createParallelTrainer(model, { threads: ${threads} })).trainStep\`. ${rounds} interleaved rounds of ${steps} steps;
the speed-up is the median of the per-round ratios (best round beside it). Before timing, each case checks a
${threads}-thread step against the single-threaded gradients (worst relative difference in the last column).
Load average of the machine (1 min) during the run: ${load.map((l) => l.toFixed(2)).join(' → ')}.

${table(['model', 'ms/step 1 thread', `ms/step ${threads} threads`, 'speed-up', 'best round', 'examples/s 1 thread', `examples/s ${threads} threads`, 'grad rel. diff'], rows)}

Target (issue): ≥ 1.8× for GRU-128 on 2 cores: ${met ? `met (${gru.speedup.toFixed(2)}×)` : `**not met** (${gru.speedup.toFixed(2)}×)`}.
`;
if (!process.argv.includes('--no-write')) writeSection('parallel', markdown);
console.log(markdown);
