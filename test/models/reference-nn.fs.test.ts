// The layered float64 reference (test/reference/nn/) is proven here: it reproduces every PyTorch fixture
// in test/golden — both scripts' sets — (forward, gradients, dx, three Adam steps), its hand-written
// backward agrees with central differences, padding never changes a result, and it agrees with the
// other float64 reference (test/reference/models.ts), written independently, on random ragged batches.
// Everything compared here is float64 on both sides, so the values agree to rounding: only the order of
// summation differs, hence rtol 1e-9 (atol 1e-12 for values that cancel to nearly 0).
//
// Exercise equivalence: with a full mask the spec is the exercise's model. The fixture scripts prove it
// before writing a fixture, by copying its parameters into the exercise's class (ExRNN, ExGRU, ExMLP,
// ExWeightedMLP, ExRestSelfAtten; mapping in README "Models: semantics") and comparing logits, dx and
// every gradient; an independent-* fixture lists that check under `checks`, which is asserted below.
import { describe, expect, it } from 'vitest';
import { expectedShapes, resolveConfig, Rng, type ModelConfig } from '../../dist/index.js';
import { expectClose, type Tolerance } from '../helpers/close.js';
import { goldenBatch, goldenParams, loadGoldenFixtures } from '../helpers/golden.js';
import { checkGradient } from '../helpers/gradcheck.js';
import { ADAM_DEFAULTS as OTHER_ADAM_DEFAULTS, adamReference as otherAdam, referenceModel } from '../reference/models.js';
import {
  adamInit, adamReference, referenceForward, referenceLossAndGrad, referenceParamShapes, referenceTrain,
  type ReferenceBatch, type ReferenceConfig, type ReferenceGradients,
} from '../reference/nn/index.js';

const FLOAT64: Tolerance = { atol: 1e-12, rtol: 1e-9 };
const fixtures = loadGoldenFixtures();
/** scripts/golden_independent.py's fixtures: they record their lengths and checks. */
const independent = fixtures.filter((f) => f.checks !== undefined);

function expectTensor(what: string, actual: Float64Array | undefined, expected: number[] | undefined): void {
  expect(actual === undefined, `${what}: present in one and not the other`).toBe(expected === undefined);
  if (actual && expected) expectClose(what, actual, expected, FLOAT64);
}

/** Bitwise equality up to the sign of zero (padding may add −0 where it adds nothing). */
function expectSame(what: string, actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    if (!(actual[i] === expected[i])) expect.fail(`${what}: [${i}] ${actual[i]} is not identical to ${expected[i]}`);
  }
}

function expectZeroOnPadding(what: string, dx: Float64Array, mask: ArrayLike<number>, D: number): void {
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] !== 0) continue;
    for (let d = 0; d < D; d++) if (dx[i * D + d] !== 0) expect.fail(`${what}: dx of padding token ${i} is ${dx[i * D + d]}, not 0`);
  }
}

describe('PyTorch fixtures (scripts/golden.py and scripts/golden_independent.py)', () => {
  it('were found', () => {
    expect(independent.length).toBeGreaterThanOrEqual(27);
    expect(fixtures.length).toBeGreaterThan(independent.length);
  });

  describe.each(fixtures.map((f) => [f.name, f] as const))('%s', (_, fixture) => {
    const { config } = fixture;
    const batch = goldenBatch(fixture);
    const params = goldenParams(fixture);

    it('forward: logits, loss and explanation outputs', () => {
      const out = referenceForward(config, params, batch);
      expectTensor('logits', out.logits, fixture.outputs.logits);
      expectClose('loss', [out.loss!], [fixture.outputs.loss], FLOAT64);
      expectTensor('subScores', out.subScores, fixture.outputs.subScores);
      expectTensor('tokenWeights', out.tokenWeights, fixture.outputs.tokenWeights);
      expectTensor('attention', out.attention, fixture.outputs.attention);
    });

    it('hand-written backward: the gradient of every parameter and dx; dx of padding is exactly 0', () => {
      const { grads, dx, loss } = referenceLossAndGrad(config, params, batch);
      expectClose('loss', [loss], [fixture.outputs.loss], FLOAT64);
      expect(Object.keys(grads)).toEqual(Object.keys(fixture.grads));
      for (const [name, grad] of Object.entries(grads)) expectTensor(`d ${name}`, grad, fixture.grads[name]);
      expectTensor('dx', dx, fixture.dx);
      expectZeroOnPadding('reference', dx, batch.mask, config.input);
      expectZeroOnPadding('fixture', Float64Array.from(fixture.dx), batch.mask, config.input);
    });

    it('three torch.optim.Adam steps: the loss of each step and the final parameters', () => {
      const trained = referenceTrain(config, params, batch, fixture.adam.losses.length, { lr: fixture.adam.lr });
      expectClose('losses', trained.losses, fixture.adam.losses, FLOAT64);
      for (const [name, p] of Object.entries(trained.params)) expectTensor(`${name} after Adam`, p, fixture.adam.params[name]);
    });

    it('parameter names, shapes and order are the reference\'s and the library\'s', () => {
      const shapes = Object.entries(fixture.params).map(([name, t]) => [name, t.shape]);
      expect(shapes).toEqual(referenceParamShapes(config));
      // src/nn/config.ts declares the wasm models' parameters: the fixtures load into them as they are
      expect(shapes).toEqual(Object.entries(expectedShapes(resolveConfig(config as ModelConfig))));
    });
  });
});

describe('the independent fixtures cover the model family', () => {
  const has = (pred: (c: ReferenceConfig, lengths: number[]) => boolean) => independent.some((f) => pred(f.config, f.lengths!));
  const full = (lengths: number[]) => lengths.every((n) => n === lengths[0]);
  const variants: Record<string, (c: ReferenceConfig) => boolean> = {
    'rnn sigmoid': (c) => c.kind === 'rnn' && c.activation === 'sigmoid',
    'rnn tanh': (c) => c.kind === 'rnn' && c.activation === 'tanh',
    'rnn relu': (c) => c.kind === 'rnn' && c.activation === 'relu',
    'gru exercise': (c) => c.kind === 'gru' && c.gate === 'exercise',
    'gru pytorch': (c) => c.kind === 'gru' && c.gate === 'pytorch',
    mlp: (c) => c.kind === 'mlp',
    'weighted-mlp': (c) => c.kind === 'weighted-mlp',
    'attention zero mean': (c) => c.kind === 'attention' && c.ends === 'zero' && c.pooling === 'mean',
    'attention zero weighted': (c) => c.kind === 'attention' && c.ends === 'zero' && c.pooling === 'weighted',
    'attention exclude mean': (c) => c.kind === 'attention' && c.ends === 'exclude' && c.pooling === 'mean',
    'attention exclude weighted': (c) => c.kind === 'attention' && c.ends === 'exclude' && c.pooling === 'weighted',
  };

  it.each(Object.entries(variants))('%s: with a full mask and with variable lengths', (_, variant) => {
    expect(has((c, lengths) => variant(c) && full(lengths))).toBe(true);
    expect(has((c, lengths) => variant(c) && !full(lengths))).toBe(true);
  });

  it('attention radii 1 and 2, a window wider than T, BCE with one output', () => {
    for (const radius of [1, 2]) expect(has((c) => c.kind === 'attention' && c.radius === radius)).toBe(true);
    expect(independent.some((f) => f.config.kind === 'attention' && 2 * f.config.radius + 1 > f.T)).toBe(true);
    expect(independent.some((f) => f.config.kind === 'attention' && f.config.input % 2 === 1)).toBe(true);
    expect(has((c) => c.loss === 'bce' && c.outputs === 1)).toBe(true);
  });

  it('every full-mask fixture of an exercise model was checked against the exercise\'s class', () => {
    const exerciseShaped = independent.filter((f) => full(f.lengths!) && (
      (f.config.kind === 'rnn' || f.config.kind === 'gru') ? f.config.head.length === 0
        : f.config.kind === 'attention' ? f.config.ends === 'zero' && f.config.pooling === 'mean'
          : f.config.widths.length === 2));
    const classes = exerciseShaped.map((f) => f.checks!.find((c) => c.startsWith('models.py '))?.split(/[ (,]/)[1]);
    expect(classes).not.toContain(undefined);
    expect(new Set(classes)).toEqual(new Set(['ExRNN', 'ExGRU', 'BuiltinGRU', 'ExMLP', 'ExWeightedMLP', 'ExRestSelfAtten']));
    for (const f of independent) expect(f.checks, f.name).toContain(`padded to T=${f.T + 5} with random tokens`);
  });
});

// ---- properties of the reference on random inputs ----

const D = 4;
const H = 3;

/** Every variant, small: all activations, both gate forms, both poolings and ends, multi-layer heads, BCE. */
const configs: Record<string, ReferenceConfig> = {
  'rnn-sigmoid': { kind: 'rnn', input: D, hidden: H, activation: 'sigmoid', head: [3], outputs: 2, loss: 'cross-entropy' },
  'rnn-tanh': { kind: 'rnn', input: D, hidden: H, activation: 'tanh', head: [], outputs: 3, loss: 'cross-entropy' },
  'rnn-relu-bce': { kind: 'rnn', input: D, hidden: H, activation: 'relu', head: [3, 2], outputs: 1, loss: 'bce' },
  'gru-exercise': { kind: 'gru', input: D, hidden: H, gate: 'exercise', head: [2], outputs: 2, loss: 'cross-entropy' },
  'gru-pytorch': { kind: 'gru', input: D, hidden: H, gate: 'pytorch', head: [], outputs: 3, loss: 'cross-entropy' },
  mlp: { kind: 'mlp', input: D, widths: [3, 3], outputs: 2, loss: 'cross-entropy' },
  'mlp-bce': { kind: 'mlp', input: D, widths: [], outputs: 1, loss: 'bce' },
  'weighted-mlp': { kind: 'weighted-mlp', input: D, widths: [3], outputs: 3, loss: 'cross-entropy' },
  'weighted-mlp-bce': { kind: 'weighted-mlp', input: D, widths: [3, 2], outputs: 1, loss: 'bce' },
  'attention-zero-mean': { kind: 'attention', input: D, hidden: H, radius: 2, ends: 'zero', pooling: 'mean', widths: [H], outputs: 2, loss: 'cross-entropy' },
  'attention-zero-weighted': { kind: 'attention', input: D, hidden: H, radius: 1, ends: 'zero', pooling: 'weighted', widths: [2], outputs: 3, loss: 'cross-entropy' },
  'attention-exclude-mean': { kind: 'attention', input: 5, hidden: H, radius: 1, ends: 'exclude', pooling: 'mean', widths: [], outputs: 2, loss: 'cross-entropy' },
  'attention-exclude-weighted-bce': { kind: 'attention', input: D, hidden: H, radius: 3, ends: 'exclude', pooling: 'weighted', widths: [H, 2], outputs: 1, loss: 'bce' },
};

function randomParams(config: ReferenceConfig, rng: Rng): Record<string, Float64Array> {
  return Object.fromEntries(referenceParamShapes(config).map(([name, shape]) => {
    const size = shape.reduce((a, b) => a * b, 1);
    return [name, Float64Array.from({ length: size }, () => rng.uniform(-1, 1))];
  }));
}

/** B reviews of the given lengths, right-padded to T with random vectors (not zeros: padding must not matter). */
function randomBatch(config: ReferenceConfig, rng: Rng, T: number, lengths: number[]): ReferenceBatch {
  const B = lengths.length;
  const x = Float64Array.from({ length: B * T * config.input }, () => rng.uniform(-1, 1));
  const mask = Float64Array.from({ length: B * T }, (_, i) => (i % T < lengths[Math.floor(i / T)] ? 1 : 0));
  const targets = Float64Array.from({ length: B }, () => (config.loss === 'bce' ? rng.next() : rng.int(config.outputs)));
  return { B, T, x, mask, targets };
}

/** The same reviews padded to a longer T, with fresh random padding. */
function repad(batch: ReferenceBatch, T: number, D: number, rng: Rng): ReferenceBatch {
  const x = Float64Array.from({ length: batch.B * T * D }, () => rng.uniform(-1, 1));
  const mask = new Float64Array(batch.B * T);
  for (let b = 0; b < batch.B; b++) {
    for (let t = 0; t < batch.T; t++) {
      if (batch.mask[b * batch.T + t] === 0) continue;
      mask[b * T + t] = 1;
      for (let d = 0; d < D; d++) x[(b * T + t) * D + d] = batch.x[(b * batch.T + t) * D + d];
    }
  }
  return { ...batch, T, x, mask };
}

describe.each(Object.entries(configs))('reference %s', (name, config) => {
  it('backward agrees with central differences (float64, eps 1e-6) for every parameter and x', () => {
    const rng = new Rng(11);
    const params = randomParams(config, rng);
    // soft targets for bce: the gradient check covers the whole [0, 1] range
    const batch = randomBatch(config, rng, 6, [6, 4, 1]);
    const { grads, dx } = referenceLossAndGrad(config, params, batch);
    for (const [param, value] of Object.entries(params)) {
      const loss = (probe: Float64Array) => referenceForward(config, { ...params, [param]: probe }, batch).loss!;
      checkGradient(`${name} d ${param}`, loss, value, grads[param]);
    }
    const lossOfX = (probe: Float64Array) => referenceForward(config, params, { ...batch, x: probe }).loss!;
    checkGradient(`${name} dx`, lossOfX, Float64Array.from(batch.x), dx);
  });

  it('padding never changes a result: T = 20 and T = 100 give identical outputs and gradients', () => {
    const rng = new Rng(12);
    const params = randomParams(config, rng);
    const short = randomBatch(config, rng, 20, [20, 13, 1]);
    const long = repad(short, 100, config.input, rng);
    const a = referenceLossAndGrad(config, params, short);
    const b = referenceLossAndGrad(config, params, long);
    expectSame('logits', b.logits, a.logits);
    expect(b.loss).toBe(a.loss);
    for (const param of Object.keys(params)) expectSame(`d ${param}`, b.grads[param], a.grads[param]);
    const real = (out: ReferenceGradients, batch: ReferenceBatch, width: number, key: 'dx' | 'subScores' | 'tokenWeights' | 'attention') => {
      const values = out[key];
      if (!values) return undefined;
      const kept: number[] = [];
      for (let i = 0; i < batch.B * batch.T; i++) if (batch.mask[i] !== 0) kept.push(...values.subarray(i * width, (i + 1) * width));
      return kept;
    };
    const widths = { dx: config.input, subScores: config.outputs, tokenWeights: 1, attention: config.kind === 'attention' ? 2 * config.radius + 1 : 0 };
    for (const [key, width] of Object.entries(widths) as Array<[keyof typeof widths, number]>) {
      const [ra, rb] = [real(a, short, width, key), real(b, long, width, key)];
      expect(ra === undefined, `${key}: present at one length only`).toBe(rb === undefined);
      if (ra && rb) expectSame(`${key} of the real tokens`, rb, ra);
    }
    expectZeroOnPadding('T = 20', a.dx, short.mask, config.input);
    expectZeroOnPadding('T = 100', b.dx, long.mask, config.input);
  });

  it('token weights and attention rows are 0 on padding and sum to 1 on real tokens', () => {
    const rng = new Rng(13);
    const batch = randomBatch(config, rng, 7, [7, 2, 1]);
    const out = referenceForward(config, randomParams(config, rng), batch);
    if (out.tokenWeights) {
      for (let b = 0; b < batch.B; b++) {
        const row = out.tokenWeights.subarray(b * batch.T, (b + 1) * batch.T);
        row.forEach((w, t) => { if (batch.mask[b * batch.T + t] === 0) expect(w, `weight of padding ${t}`).toBe(0); });
        expectClose(`Σ weights of review ${b}`, [row.reduce((s, w) => s + w, 0)], [1], FLOAT64);
      }
    }
    if (out.attention && config.kind === 'attention') {
      const W = 2 * config.radius + 1;
      for (let i = 0; i < batch.B * batch.T; i++) {
        const row = out.attention.subarray(i * W, (i + 1) * W);
        if (batch.mask[i] === 0) expectSame(`attention of padding ${i}`, row, new Float64Array(W));
        else expectClose(`Σ attention of token ${i}`, [row.reduce((s, p) => s + p, 0)], [1], FLOAT64);
      }
    }
    expect(out.subScores !== undefined).toBe(config.kind !== 'rnn' && config.kind !== 'gru');
    expect(out.tokenWeights !== undefined).toBe(config.kind === 'weighted-mlp' || (config.kind === 'attention' && config.pooling === 'weighted'));
    expect(out.attention !== undefined).toBe(config.kind === 'attention');
  });

  it('agrees with the other float64 reference (test/reference/models.ts) on a ragged batch, and after an Adam step', () => {
    const rng = new Rng(16);
    const params = randomParams(config, rng);
    const batch = randomBatch(config, rng, 9, [9, 5, 1, 7]);
    const mine = referenceLossAndGrad(config, params, batch);
    const other = referenceModel(config as ModelConfig, params, { ...batch, x: Float64Array.from(batch.x), mask: Float64Array.from(batch.mask), targets: batch.targets! });
    expectClose('logits', mine.logits, other.logits, FLOAT64);
    expectClose('loss', [mine.loss], [other.loss], FLOAT64);
    for (const [param, grad] of Object.entries(mine.grads)) expectClose(`d ${param}`, grad, other.grads[param]!, FLOAT64);
    expectClose('dx', mine.dx, other.dx, FLOAT64);
    for (const key of ['subScores', 'tokenWeights', 'attention'] as const) {
      expect(mine[key] === undefined, `${key} present in one only`).toBe(other[key] === undefined);
      if (mine[key]) expectClose(key, mine[key], other[key]!, FLOAT64);
    }
    const stepped = adamReference(params, mine.grads, adamInit(params)).params;
    const otherParams = Object.fromEntries(Object.entries(params).map(([n, p]) => [n, Float64Array.from(p)]));
    otherAdam(otherParams, other.grads, { m: {}, v: {} }, OTHER_ADAM_DEFAULTS, 1);
    for (const [param, p] of Object.entries(stepped)) expectClose(`${param} after a step`, p, otherParams[param]!, FLOAT64);
  });
});

describe('reference edge cases', () => {
  it('ends: an outside slot takes softmax weight under "zero" and none under "exclude"', () => {
    const base = configs['attention-zero-mean'] as Extract<ReferenceConfig, { kind: 'attention' }>;
    const rng = new Rng(14);
    const params = randomParams(base, rng);
    const batch = randomBatch(base, rng, 4, [4]);
    const W = 2 * base.radius + 1;
    const zero = referenceForward(base, params, batch).attention!;
    const exclude = referenceForward({ ...base, ends: 'exclude' }, params, batch).attention!;
    // token 0's slots 0 and 1 are before the review
    expect(zero[0]).toBeGreaterThan(0);
    expect(zero[1]).toBeGreaterThan(0);
    expect(exclude[0]).toBe(0);
    expect(exclude[1]).toBe(0);
    expect(exclude[3 * W + W - 1]).toBe(0); // token 3's last slot is after the review
  });

  it('a review without real tokens has logits 0 (token models) or the head of h = 0 (recurrent), and no dx', () => {
    for (const [name, config] of Object.entries(configs)) {
      const rng = new Rng(15);
      const params = randomParams(config, rng);
      const batch = randomBatch(config, rng, 5, [5, 0]);
      const out = referenceLossAndGrad(config, params, batch);
      expect(Number.isFinite(out.loss), name).toBe(true);
      expectZeroOnPadding(name, out.dx, batch.mask, config.input);
      if (config.kind !== 'rnn' && config.kind !== 'gru') expectSame(`${name} logits`, out.logits.subarray(config.outputs), new Float64Array(config.outputs));
    }
  });
});
