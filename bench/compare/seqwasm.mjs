// seqwasm side of `npm run bench:compare`: train step (forward, backward, Adam; batch 32, T = 100,
// D = 100, every token real as in the exercise) and inference reviews/s at batch 1 and 32, one thread.
// Run under `node --experimental-wasm-relaxed-simd` to measure the relaxed build too.
//   node bench/compare/seqwasm.mjs [--rounds 15] [--simd baseline|relaxed] [--models gru,mlp] [--hidden 64,128]
import { createModel, createRuntime, Rng } from '../../dist/index.js';
import { MODELS, arg, median } from './shapes.mjs';

const rounds = Number(arg('--rounds', '15'));
if (!(Number.isInteger(rounds) && rounds > 0)) throw new Error(`--rounds must be a positive whole number, got ${arg('--rounds', '15')}`);
const simd = arg('--simd', 'baseline');
const names = arg('--models', Object.keys(MODELS).join(',')).split(',');
const hiddens = arg('--hidden', '64,128').split(',').map(Number);
const runtime = await createRuntime(undefined, { simd });
const B = 32, T = 100, D = 100;
const rng = new Rng(0);
const x = Float32Array.from({ length: B * T * D }, () => rng.normal());
const mask = new Float32Array(B * T).fill(1);
const labels = Int32Array.from({ length: B }, () => rng.int(2));
const batch32 = { B, T, x, mask, labels };
const batch1 = { B: 1, T, x: x.slice(0, T * D), mask: mask.slice(0, T), labels: labels.slice(0, 1) };

const cases = [];
for (const name of names) {
  for (const H of hiddens) {
    const model = createModel(MODELS[name](H, D), { runtime, seed: 1 });
    cases.push({ name, H, model, train: [], inf1: [], inf32: [] });
  }
}
const timed = (fn) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};
for (const c of cases) for (let i = 0; i < 3; i++) { c.model.trainStep(batch32); c.model.predict(batch1); c.model.predict(batch32); }
for (let r = 0; r < rounds; r++) {
  for (const c of cases) { // interleaved, so machine noise hits every configuration alike
    c.train.push(timed(() => c.model.trainStep(batch32)));
    c.inf1.push(timed(() => c.model.predict(batch1)));
    c.inf32.push(timed(() => c.model.predict(batch32)));
  }
}
for (const c of cases) {
  console.log(JSON.stringify({
    framework: `seqwasm-${runtime.simd}`, model: c.name, hidden: c.H, trainMs: median(c.train),
    inferB1: 1000 / median(c.inf1), inferB32: (B * 1000) / median(c.inf32), n: rounds,
    env: { node: process.version, simd: runtime.simd },
  }));
}
