import { describe, expect, it } from 'vitest';
import { createModel, Rng } from '../../dist/index.js';
import { expectClose } from '../helpers/close.js';
import { checkDirection } from '../helpers/gradcheck.js';
import { baseline } from '../helpers/runtime.js';
import { randomBatch, repad, smallConfigs } from './helpers.js';

const D = 5;
const configs = Object.entries(smallConfigs(D));

describe.each(configs)('%s', (name, config) => {
  const bce = config.loss === 'bce';

  it('padding never changes a result: T = 20 and T = 100 give identical outputs and gradients', () => {
    const batch = randomBatch(new Rng(1), 3, 20, D, [20, 13, 1], bce);
    const long = repad(batch, 100, D);
    const a = createModel(config, { runtime: baseline, seed: 3 });
    const b = createModel(config, { runtime: baseline, seed: 3 });
    const lossA = a.lossAndGrad(batch);
    const lossB = b.lossAndGrad(long);
    expect(lossB).toBe(lossA);
    expect(Array.from(b.forward(long))).toEqual(Array.from(a.forward(batch)));
    a.lossAndGrad(batch);
    b.lossAndGrad(long);
    expect(Array.from(b.params.grads.view())).toEqual(Array.from(a.params.grads.view()));
    a.dispose();
    b.dispose();
  });

  it('float32 gradients of every parameter pass a directional finite-difference check', () => {
    const batch = randomBatch(new Rng(2), 4, 7, D, [7, 5, 3, 6], bce);
    // the exercise's init draws the biases too: with zero biases a row whose inputs are all dead ReLUs
    // sits exactly on the next ReLU's kink, where finite differences see half a slope
    const model = createModel({ ...config, init: 'exercise' }, { runtime: baseline, seed: 5 });
    model.lossAndGrad(batch);
    const grads = model.params.grads.toArray();
    const start = model.params.params.toArray();
    const rng = new Rng(9);
    // one direction per parameter tensor, so a wrong gradient in a small tensor is not drowned by the others
    for (const entry of model.params.entries) {
      if (!entry.trainable) continue;
      const at = (values: Float32Array) => {
        const p = start.slice();
        p.set(values, entry.offset);
        model.params.params.view().set(p);
        model.parametersChanged();
        return model.loss(batch);
      };
      const x = start.slice(entry.offset, entry.offset + entry.size);
      const g = grads.slice(entry.offset, entry.offset + entry.size);
      checkDirection(`${name} d ${entry.name}`, at, x, g, rng, { eps: 1e-3, rtol: 2e-2, atol: 2e-4 });
    }
    model.dispose();
  });

  it('overfits 16 examples to near-zero loss', () => {
    const rng = new Rng(4);
    const lengths = Array.from({ length: 16 }, () => 3 + rng.int(8));
    const batch = randomBatch(rng, 16, 10, D, lengths, bce);
    const model = createModel(config, { runtime: baseline, seed: 1, optimizer: { kind: 'adam', lr: 1e-2 } });
    const first = model.loss(batch);
    let loss = first;
    for (let i = 0; i < 400 && loss > 0.02; i++) loss = model.trainStep(batch);
    expect(loss, `${name}: loss after training (started at ${first})`).toBeLessThan(0.05);
    model.dispose();
  });

  it('a training step allocates nothing: memory and the arena high-water mark stay flat over 100 steps', () => {
    const batch = randomBatch(new Rng(6), 8, 12, D, [12, 3, 7, 12, 1, 9, 4, 11], bce);
    const model = createModel(config, { runtime: baseline, seed: 2 });
    model.trainStep(batch); // plans the buffers
    const bytes = baseline.memory.buffer.byteLength;
    const highWater = baseline.arena.highWater;
    const used = baseline.arena.used;
    for (let i = 0; i < 100; i++) model.trainStep(batch);
    expect(baseline.memory.buffer.byteLength).toBe(bytes);
    expect(baseline.arena.highWater).toBe(highWater);
    expect(baseline.arena.used).toBe(used);
    model.dispose();
  });

  it('explains: probabilities, per-token attributions that vanish on padding, and its own outputs', () => {
    const batch = randomBatch(new Rng(7), 2, 6, D, [6, 3], bce);
    const model = createModel(config, { runtime: baseline, seed: 2 });
    const e = model.explain(batch);
    expectClose('probs', e.probs, model.predict(batch), { atol: 0, rtol: 0 });
    expect(e.attributions.length).toBe(12);
    for (let t = 3; t < 6; t++) expect(e.attributions[6 + t]).toBe(0);
    if (config.kind === 'mlp' || config.kind === 'weighted-mlp' || config.kind === 'attention') {
      expect(e.subScores?.length).toBe(12 * (bce ? 1 : 2));
    }
    if (config.kind === 'weighted-mlp') {
      const w = e.tokenWeights!;
      expect(w[0]! + w[1]! + w[2]! + w[3]! + w[4]! + w[5]!).toBeCloseTo(1, 5);
      expect(Array.from(w.subarray(9, 12))).toEqual([0, 0, 0]);
    }
    if (config.kind === 'attention') {
      const W = 2 * config.radius + 1;
      expect(e.attention!.length).toBe(12 * W);
      let sum = 0;
      for (let s = 0; s < W; s++) sum += e.attention![s]!;
      expect(sum).toBeCloseTo(1, 5);
    }
    model.dispose();
  });

  it('attributions are gradient×input of the margin (finite differences along each token\'s own vector), and explain leaves parameter gradients alone', () => {
    const batch = randomBatch(new Rng(8), 2, 5, D, [5, 4], bce);
    const model = createModel({ ...config, init: 'exercise' }, { runtime: baseline, seed: 4 });
    model.lossAndGrad(batch);
    const grads = model.params.grads.toArray();
    const e = model.explain(batch);
    expect(model.params.grads.toArray()).toEqual(grads);
    // margin of class 1 (two classes: l1 − l0; bce: the logit), row b
    const margin = (x: Float32Array, b: number) => {
      const logits = model.forward({ ...batch, x });
      return bce ? logits[b]! : logits[b * 2 + 1]! - logits[b * 2]!;
    };
    // small enough that no ReLU crosses its kink, large enough for float32 differences
    const eps = 1e-3;
    for (let b = 0; b < 2; b++) {
      for (let t = 0; t < 4; t++) {
        // scaling token t's vector by (1 ± eps) moves the margin by ±eps·Σ_d x·∂m/∂x
        const scaled = (s: number) => {
          const x = batch.x.slice();
          for (let d = 0; d < D; d++) x[(b * 5 + t) * D + d]! *= s;
          return margin(x, b);
        };
        const numeric = (scaled(1 + eps) - scaled(1 - eps)) / (2 * eps);
        expect(Math.abs(e.attributions[b * 5 + t]! - numeric), `${name} token ${b},${t}`).toBeLessThanOrEqual(2e-3 + 3e-2 * Math.abs(numeric));
      }
    }
    model.dispose();
  });
});

describe('sigmoid Elman RNN over a long review', () => {
  it('backward through time drops vanishing gradients before they turn subnormal (x86 is ~100× slower on subnormals)', () => {
    const T = 300;
    const batch = randomBatch(new Rng(11), 2, T, D, [T, T], false);
    const model = createModel({ kind: 'rnn', input: D, hidden: 16, activation: 'sigmoid' }, { runtime: baseline, seed: 1 });
    model.lossAndGrad(batch);
    // the (B,T,H) gradients of the pre-activations the kernel wrote (a private buffer: read, never written)
    const dgates = (model as unknown as { dgates: { view(): Float32Array } }).dgates.view().subarray(0, 2 * T * 16);
    const subnormal = dgates.filter((v) => v !== 0 && Math.abs(v) < 1.1754943508222875e-38).length;
    expect(subnormal).toBe(0);
    // the gradient did vanish towards the start of the review, and is alive at its end
    expect(dgates.subarray(0, 16).every((v) => v === 0)).toBe(true);
    expect(dgates.subarray((T - 1) * 16, T * 16).some((v) => Math.abs(v) > 1e-6)).toBe(true);
    model.dispose();
  });
});
