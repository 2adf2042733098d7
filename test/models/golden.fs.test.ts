// The wasm models against PyTorch (scripts/golden.py fixtures: forward, every gradient, dx, 3 Adam
// steps) and against the float64 reference on shapes far larger than the fixtures.
import { describe, expect, it } from 'vitest';
import { batchOf, loadFixture } from '../helpers/fixture.js';
import { fixtures } from '../helpers/fixtures.js';
import { createModel, Rng, type ModelConfig, type Runtime } from '../../dist/index.js';
import { expectClose, type Tolerance } from '../helpers/close.js';
import { baseline, relaxed } from '../helpers/runtime.js';
import { referenceModel } from '../reference/models.js';


// float32 kernels against float64 truth (the "forward ~1e-5, gradients ~1e-4 relative")
const FORWARD: Tolerance = { atol: 1e-6, rtol: 1e-5 };
const GRADIENT: Tolerance = { atol: 1e-5, rtol: 1e-4 };

describe.each([['baseline', baseline], ['relaxed', relaxed!]] as [string, Runtime][])('wasm models vs PyTorch (%s build)', (_, runtime) => {
  describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    it('forward, loss, every parameter gradient and dx', () => {
      const model = createModel(f.config, { runtime });
      loadFixture(model, f);
      const batch = batchOf(f);
      const loss = model.lossAndGrad(batch);
      expect(Math.abs(loss - f.outputs.loss)).toBeLessThanOrEqual(FORWARD.atol + FORWARD.rtol * Math.abs(f.outputs.loss));
      expectClose('logits', model.forward(batch), f.outputs.logits, FORWARD);
      model.lossAndGrad(batch);
      for (const [name, g] of Object.entries(f.grads)) expectClose(`d ${name}`, model.params.grad(name), g, GRADIENT);
      const e = model.explain(batch);
      if (f.outputs.subScores) expectClose('sub-scores', e.subScores!, f.outputs.subScores, FORWARD);
      if (f.outputs.tokenWeights) expectClose('token weights', e.tokenWeights!, f.outputs.tokenWeights, FORWARD);
      if (f.outputs.attention) expectClose('attention', e.attention!, f.outputs.attention, FORWARD);
      model.dispose();
    });

    it('dx, the gradient with respect to the input vectors', () => {
      const model = createModel(f.config, { runtime });
      loadFixture(model, f);
      const batch = batchOf(f);
      model.lossAndGrad(batch, { inputGradient: true });
      expectClose('dx', model.inputGradient(batch), f.dx, GRADIENT);
      model.dispose();
    });

    it('three Adam steps (lr 1e-3) give PyTorch\'s parameters and losses', () => {
      const model = createModel(f.config, { runtime, optimizer: { kind: 'adam', lr: f.adam.lr } });
      loadFixture(model, f);
      const batch = batchOf(f);
      const losses = [0, 1, 2].map(() => model.trainStep(batch));
      expectClose('losses', losses, f.adam.losses, FORWARD);
      const weighted = f.config.kind === 'weighted-mlp' || (f.config.kind === 'attention' && f.config.pooling === 'weighted');
      for (const [name, p] of Object.entries(f.adam.params)) {
        const got = model.params.param(name);
        if (weighted && name === 'out.bias') {
          // the weight logit's bias has a true gradient of exactly 0 (a softmax ignores a shift), so Adam
          // steps it by ±lr on rounding noise alone: only that much can be asked of it
          const C = p.length - 1;
          expectClose(`${name} after 3 steps`, got.subarray(0, C), p.slice(0, C), FORWARD);
          expect(Math.abs(got[C]! - p[C]!)).toBeLessThanOrEqual(3 * f.adam.lr * 1.01);
        } else expectClose(`${name} after 3 steps`, got, p, FORWARD);
      }
      model.dispose();
    });
  });
});

describe('wasm models vs the float64 reference on larger shapes', () => {
  const D = 24;
  const configs: Record<string, ModelConfig> = {
    rnn: { kind: 'rnn', input: D, hidden: 20, activation: 'tanh', head: [12] },
    'gru-exercise': { kind: 'gru', input: D, hidden: 36, head: [] },
    'gru-pytorch': { kind: 'gru', input: D, hidden: 20, gate: 'pytorch', head: [10] },
    mlp: { kind: 'mlp', input: D, widths: [40, 17] },
    'weighted-mlp': { kind: 'weighted-mlp', input: D, widths: [33], outputs: 3 },
    attention: { kind: 'attention', input: D, hidden: 20, radius: 5, pooling: 'weighted', widths: [16] },
    'attention-exclude': { kind: 'attention', input: D, hidden: 12, radius: 3, ends: 'exclude' },
  };
  it.each(Object.entries(configs))('%s: logits, loss and every gradient (B = 9, T = 41, ragged lengths)', (_, config) => {
    const rng = new Rng(5);
    const B = 9;
    const T = 41;
    const lengths = Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + rng.int(T)));
    const x = new Float32Array(B * T * D).map(() => rng.uniform(-1, 1));
    const mask = new Float32Array(B * T);
    lengths.forEach((len, b) => mask.fill(1, b * T, b * T + len));
    const C = config.outputs ?? 2;
    const labels = Int32Array.from({ length: B }, () => rng.int(C));
    const model = createModel({ ...config, init: 'exercise' }, { runtime: baseline, seed: 3 });
    const params = Object.fromEntries(model.params.entries.map((e) => [e.name, Float64Array.from(model.params.param(e.name))]));
    const ref = referenceModel(config, params, { B, T, x: Float64Array.from(x), mask: Float64Array.from(mask), targets: labels });
    const batch = { B, T, x, mask, labels };
    const loss = model.lossAndGrad(batch);
    expect(Math.abs(loss - ref.loss)).toBeLessThan(1e-5 * Math.max(1, Math.abs(ref.loss)));
    for (const [name, g] of Object.entries(ref.grads)) expectClose(`d ${name}`, model.params.grad(name), g, GRADIENT);
    expectClose('logits', model.forward(batch), ref.logits, FORWARD);
    model.dispose();
  });
});
