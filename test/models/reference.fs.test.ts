// The float64 reference models (test/reference/models.ts) against the PyTorch fixtures of
// scripts/golden.py, against central differences, and for the masking contract: padding changes nothing.
import { describe, expect, it } from 'vitest';
import { fixtures, type Fixture } from '../helpers/fixtures.js';
import { expectedShapes, resolveConfig, Rng, type ModelConfig } from '../../dist/index.js';
import { expectClose, type Tolerance } from '../helpers/close.js';
import { checkGradient } from '../helpers/gradcheck.js';
import { ADAM_DEFAULTS, adamReference, referenceModel, type AdamState, type ReferenceBatch } from '../reference/models.js';

// ---------------------------------------------------------------------------------------------------
// fixtures


/** float64 against float64 computed in another order: only rounding differs. */
const EXACT: Tolerance = { atol: 1e-13, rtol: 1e-9 };

const paramsOf = (f: Fixture) => Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, Float64Array.from(v.data)]));
const batchOf = (f: Fixture): ReferenceBatch => ({
  B: f.B, T: f.T, x: Float64Array.from(f.x), mask: Float64Array.from(f.mask), targets: f.targets,
});

describe('PyTorch fixtures (scripts/golden.py)', () => {
  it('cover every kind and variant, each with a full mask and with lengths [6, 4, 1]', () => {
    const names = fixtures.map((f) => f.name);
    for (const base of ['rnn-sigmoid', 'rnn-tanh', 'rnn-relu', 'gru-exercise', 'gru-pytorch', 'mlp', 'weighted-mlp',
      'attention-zero-mean', 'attention-zero-weighted', 'attention-exclude-mean', 'attention-exclude-weighted']) {
      expect(names).toContain(`${base}-full`);
      expect(names).toContain(`${base}-lengths`);
    }
    expect(fixtures.filter((f) => f.config.loss === 'bce').length).toBeGreaterThanOrEqual(2);
    for (const f of fixtures) {
      const lengths = Array.from({ length: f.B }, (_, b) => f.mask.slice(b * f.T, (b + 1) * f.T).reduce((a, m) => a + m, 0));
      expect(lengths, f.name).toEqual(f.name.endsWith('-full') ? [6, 6, 6] : [6, 4, 1]);
    }
  });

  describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    it('holds the parameters paramSpecs declares, with their shapes', () => {
      const shapes = Object.fromEntries(Object.entries(f.params).map(([k, v]) => [k, v.shape]));
      expect(shapes).toEqual(expectedShapes(resolveConfig(f.config)));
      for (const [k, v] of Object.entries(f.params)) expect(v.data.length, k).toBe(v.shape.reduce((a, n) => a * n, 1));
      // inputs and parameters are float32 values, so float32 kernels see exactly the same numbers
      for (const v of [f.x, ...Object.values(f.params).map((p) => p.data)]) {
        expect(Array.from(Float32Array.from(v))).toEqual(v);
      }
    });

    it('forward, loss and every gradient match PyTorch (float64)', () => {
      const r = referenceModel(f.config, paramsOf(f), batchOf(f));
      expectClose('logits', r.logits, f.outputs.logits, EXACT);
      expectClose('loss', [r.loss], [f.outputs.loss], EXACT);
      for (const key of ['subScores', 'tokenWeights', 'attention'] as const) {
        expect(r[key] === undefined, `${key} present`).toBe(f.outputs[key] === undefined);
        if (f.outputs[key]) expectClose(key, r[key]!, f.outputs[key], EXACT);
      }
      expect(Object.keys(r.grads).sort()).toEqual(Object.keys(f.grads).sort());
      for (const [k, g] of Object.entries(f.grads)) expectClose(`d ${k}`, r.grads[k]!, g, EXACT);
      expectClose('dx', r.dx, f.dx, EXACT);
    });

    it('three Adam steps on the batch match torch.optim.Adam', () => {
      const params = paramsOf(f);
      const batch = batchOf(f);
      const state: AdamState = { m: {}, v: {} };
      const losses: number[] = [];
      for (let step = 1; step <= f.adam.losses.length; step++) {
        const r = referenceModel(f.config, params, batch);
        losses.push(r.loss);
        adamReference(params, r.grads, state, { ...ADAM_DEFAULTS, lr: f.adam.lr }, step);
      }
      expectClose('losses', losses, f.adam.losses, EXACT);
      for (const [k, p] of Object.entries(f.adam.params)) expectClose(k, params[k]!, p, EXACT);
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// the reference on its own: gradients and masking

const D = 5;
const configs: Record<string, ModelConfig> = {
  'rnn-sigmoid': { kind: 'rnn', input: D, hidden: 4, activation: 'sigmoid', head: [3] },
  'rnn-tanh': { kind: 'rnn', input: D, hidden: 4, activation: 'tanh' },
  'rnn-relu': { kind: 'rnn', input: D, hidden: 4, activation: 'relu', head: [3], outputs: 3 },
  'gru-exercise': { kind: 'gru', input: D, hidden: 4, gate: 'exercise', head: [3] },
  'gru-pytorch': { kind: 'gru', input: D, hidden: 4, gate: 'pytorch', outputs: 3 },
  mlp: { kind: 'mlp', input: D, widths: [4, 3] },
  'weighted-mlp': { kind: 'weighted-mlp', input: D, widths: [4] },
  'attention-zero-mean': { kind: 'attention', input: D, hidden: 4, radius: 2 },
  'attention-zero-weighted': { kind: 'attention', input: D, hidden: 4, radius: 1, pooling: 'weighted', widths: [3], outputs: 3 },
  'attention-exclude-mean': { kind: 'attention', input: D, hidden: 4, radius: 2, ends: 'exclude', widths: [3, 3] },
  'attention-exclude-weighted': { kind: 'attention', input: D, hidden: 4, radius: 1, ends: 'exclude', pooling: 'weighted' },
  'rnn-bce': { kind: 'rnn', input: D, hidden: 4, activation: 'tanh', loss: 'bce' },
  'attention-bce': { kind: 'attention', input: D, hidden: 4, radius: 1, pooling: 'weighted', loss: 'bce' },
};

function randomParams(config: ModelConfig, rng: Rng): Record<string, Float64Array> {
  const params: Record<string, Float64Array> = {};
  for (const [name, shape] of Object.entries(expectedShapes(resolveConfig(config)))) {
    const fanIn = shape.length > 1 ? shape[1]! : shape[0]!;
    const bound = 1.5 / Math.sqrt(fanIn);
    params[name] = Float64Array.from({ length: shape.reduce((a, n) => a * n, 1) }, () => rng.uniform(-bound, bound));
  }
  return params;
}

/** Reviews of the given lengths, right-padded to T; padding tokens hold random garbage. */
function randomBatch(config: ModelConfig, rng: Rng, T: number, lengths: number[]): ReferenceBatch {
  const B = lengths.length;
  const x = Float64Array.from({ length: B * T * D }, () => rng.uniform(-1, 1));
  const mask = Float64Array.from({ length: B * T }, (_, i) => (i % T < lengths[Math.floor(i / T)]! ? 1 : 0));
  const C = config.outputs ?? (config.loss === 'bce' ? 1 : 2);
  const targets = config.loss === 'bce'
    ? Array.from({ length: B }, () => rng.uniform(0, 1))
    : Array.from({ length: B }, () => rng.int(C));
  return { B, T, x, mask, targets };
}

/** The same reviews at another T, with different garbage in the padding. */
function repad(batch: ReferenceBatch, T: number, rng: Rng): ReferenceBatch {
  const x = Float64Array.from({ length: batch.B * T * D }, () => rng.uniform(-3, 3));
  const mask = new Float64Array(batch.B * T);
  for (let b = 0; b < batch.B; b++) {
    for (let t = 0; t < batch.T && batch.mask[b * batch.T + t] === 1; t++) {
      mask[b * T + t] = 1;
      x.set(batch.x.subarray((b * batch.T + t) * D, (b * batch.T + t + 1) * D), (b * T + t) * D);
    }
  }
  return { ...batch, T, x, mask };
}

describe.each(Object.entries(configs))('reference %s', (name, config) => {
  it('gradients of every parameter and of x agree with central differences', () => {
    const rng = new Rng(7);
    const params = randomParams(config, rng);
    const batch = randomBatch(config, rng, 6, [6, 4, 1]);
    const r = referenceModel(config, params, batch);
    for (const [k, p] of Object.entries(params)) {
      const f = (v: Float64Array) => referenceModel(config, { ...params, [k]: v }, batch).loss;
      checkGradient(`${name} d ${k}`, f, p, r.grads[k]!);
    }
    checkGradient(`${name} dx`, (x) => referenceModel(config, params, { ...batch, x }).loss, batch.x, r.dx);
  });

  it('padding changes nothing: T = 20 and T = 100 give identical logits, gradients and real dx; padding dx is 0', () => {
    const rng = new Rng(11);
    const params = randomParams(config, rng);
    const short = randomBatch(config, rng, 20, [20, 13, 1]);
    const long = repad(short, 100, rng);
    const a = referenceModel(config, params, short);
    const b = referenceModel(config, params, long);
    expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
    expect(b.loss).toBe(a.loss);
    for (const k of Object.keys(params)) expect(Array.from(b.grads[k]!), k).toEqual(Array.from(a.grads[k]!));
    for (const [r, batch] of [[a, short], [b, long]] as const) {
      for (let i = 0; i < batch.B * batch.T; i++) {
        const dxi = Array.from(r.dx.subarray(i * D, (i + 1) * D));
        if (batch.mask[i] === 0) expect(dxi.every((v) => v === 0), `padding token ${i}: dx ${dxi}`).toBe(true);
        else if (batch === long) {
          const j = Math.floor(i / 100) * 20 + (i % 100);
          expect(dxi, `token ${i}`).toEqual(Array.from(a.dx.subarray(j * D, (j + 1) * D)));
        }
      }
    }
    for (const key of ['subScores', 'tokenWeights', 'attention'] as const) {
      // per-token outputs of the real tokens do not depend on the padding either
      const ra = a[key];
      const rb = b[key];
      if (!ra || !rb) continue;
      const width = ra.length / (short.B * short.T);
      for (let i = 0; i < short.B * short.T; i++) {
        if (short.mask[i] === 0) continue;
        const j = Math.floor(i / 20) * 100 + (i % 20);
        expect(Array.from(rb.subarray(j * width, (j + 1) * width)), `${key} token ${i}`)
          .toEqual(Array.from(ra.subarray(i * width, (i + 1) * width)));
      }
    }
  });
});

describe('adamReference', () => {
  it('follows torch.optim.Adam: the first step moves every parameter by lr against its gradient sign', () => {
    const params = { w: Float64Array.from([1, -2, 3]) };
    const grads = { w: Float64Array.from([0.5, -4, 1e-3]) };
    const state: AdamState = { m: {}, v: {} };
    adamReference(params, grads, state, ADAM_DEFAULTS, 1);
    // step 1: m̂ = g, v̂ = g², so the update is lr·g/(|g| + eps)
    expectClose('w', params.w, [1 - 1e-3 * 0.5 / (0.5 + 1e-8), -2 + 1e-3 * 4 / (4 + 1e-8), 3 - 1e-3 * 1e-3 / (1e-3 + 1e-8)], EXACT);
    expect(() => adamReference(params, grads, state, ADAM_DEFAULTS, 0)).toThrow(/step/);
  });
});
