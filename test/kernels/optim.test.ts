import { describe, expect, it } from 'vitest';
import { ConfigError, createOptimizer, ParamTable, Rng, type OptimizerConfig, type Runtime } from '../../dist/index.js';
import { expectClose, expectIdentical, FORWARD } from '../helpers/close.js';
import { f32, ODD_SIZES, uniform } from '../helpers/random.js';
import * as ref from '../reference/kernels.js';
import { baseline, describeBuilds, expectBuildsAgree, withBuffers } from './common.js';

const STEPS = 5;
const ADAM = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const SGD = [
  { lr: 0.1, momentum: 0, dampening: 0, nesterov: false },
  { lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false },
  { lr: 0.05, momentum: 0.8, dampening: 0.3, nesterov: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, nesterov: true },
];

/** Five steps of a kernel with a fresh random gradient each step; returns every buffer at the end. */
function runKernel(rt: Runtime, kind: 'adam' | 'adamw' | 'sgd', p0: Float64Array, grads: Float64Array[],
  h: Record<string, number | boolean>): { p: Float32Array; m: Float32Array; v: Float32Array } {
  const n = p0.length;
  return withBuffers(rt, (b) => {
    const p = b.f32(p0);
    const g = b.zeros(n);
    const m = b.zeros(n);
    const v = b.zeros(n);
    const k = rt.kernels;
    grads.forEach((grad, s) => {
      new Float32Array(rt.memory.buffer, g, n).set(grad);
      const step = s + 1;
      if (kind === 'sgd') {
        k.sgdStep(p, g, m, n, h.lr as number, h.momentum as number, h.dampening as number, h.weightDecay as number,
          h.nesterov ? 1 : 0, step === 1 ? 1 : 0);
      } else {
        const fn = kind === 'adam' ? k.adamStep : k.adamwStep;
        fn(p, g, m, v, n, h.lr as number, h.beta1 as number, h.beta2 as number, h.eps as number, h.weightDecay as number, step);
      }
    });
    return { p: b.read(p, n), m: b.read(m, n), v: b.read(v, n) };
  });
}

function runReference(kind: 'adam' | 'adamw' | 'sgd', p0: Float64Array, grads: Float64Array[], h: Record<string, number | boolean>) {
  const p = Float64Array.from(p0);
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  grads.forEach((grad, s) => {
    if (kind === 'sgd') ref.sgdStep(p, grad, m, h as unknown as ref.SgdHyper, s === 0);
    else (kind === 'adam' ? ref.adamStep : ref.adamwStep)(p, grad, m, v, h as unknown as ref.AdamHyper, s + 1);
  });
  return { p, m, v };
}

function randomProblem(rng: Rng, n: number) {
  return { p0: f32(uniform(rng, n)), grads: Array.from({ length: STEPS }, () => f32(uniform(rng, n, -1, 1))) };
}

/**
 * PyTorch's float32 Adam, operation by operation (Math.fround after each): Python-float scalars rounded
 * once, grad.add(p, alpha=wd), m·β1 + (1−β1)·g, v·β2 + (1−β2)·g·g, (√v / √bc2) + eps,
 * p.addcdiv(m, denom, value=−lr/bc1).
 */
function adamFloat32(p: Float32Array, g: ArrayLike<number>, m: Float32Array, v: Float32Array, h: typeof ADAM & { weightDecay: number },
  step: number): void {
  const fr = Math.fround;
  const b1 = fr(h.beta1), b2 = fr(h.beta2), c1 = fr(1 - h.beta1), c2 = fr(1 - h.beta2), wd = fr(h.weightDecay), eps = fr(h.eps);
  const bc2Sqrt = fr(Math.sqrt(1 - h.beta2 ** step));
  const negStep = fr(-h.lr / (1 - h.beta1 ** step));
  for (let i = 0; i < p.length; i++) {
    const grad = wd !== 0 ? fr(g[i]! + fr(wd * p[i]!)) : g[i]!;
    m[i] = fr(fr(b1 * m[i]!) + fr(c1 * grad));
    v[i] = fr(fr(b2 * v[i]!) + fr(fr(c2 * grad) * grad));
    const denom = fr(fr(fr(Math.sqrt(v[i]!)) / bc2Sqrt) + eps);
    p[i] = fr(p[i]! + fr(fr(negStep * m[i]!) / denom));
  }
}

describe('optimizer kernels', () => {
  it('Adam and AdamW over five steps match the float64 reference, with and without weight decay, at every size', () => {
    const rng = new Rng(51);
    for (const kind of ['adam', 'adamw'] as const) {
      for (const weightDecay of [0, 0.1]) {
        for (const n of ODD_SIZES) {
          const { p0, grads } = randomProblem(rng, n);
          const h = { ...ADAM, weightDecay };
          const got = runKernel(baseline, kind, p0, grads, h);
          const want = runReference(kind, p0, grads, h);
          const what = `${kind} wd=${weightDecay} n=${n}`;
          expectClose(`${what} params`, got.p, want.p, FORWARD);
          expectClose(`${what} m`, got.m, want.m, FORWARD);
          expectClose(`${what} v`, got.v, want.v, { atol: 1e-7, rtol: 1e-4 });
        }
      }
    }
  });

  it('SGD (plain, momentum, dampening, Nesterov) over five steps matches the reference, with and without weight decay', () => {
    const rng = new Rng(52);
    for (const base of SGD) {
      for (const weightDecay of [0, 0.05]) {
        for (const n of ODD_SIZES) {
          const { p0, grads } = randomProblem(rng, n);
          const h = { ...base, weightDecay };
          const got = runKernel(baseline, 'sgd', p0, grads, h);
          const want = runReference('sgd', p0, grads, h);
          const what = `sgd ${JSON.stringify(h)} n=${n}`;
          expectClose(`${what} params`, got.p, want.p, FORWARD);
          if (base.momentum) expectClose(`${what} buf`, got.m, want.m, FORWARD);
          else expect(got.m.every((x) => x === 0), 'plain SGD leaves the buffer alone').toBe(true);
        }
      }
    }
  });

  it('baseline Adam is bit-identical to float32 PyTorch-order arithmetic (SIMD body and scalar tail alike)', () => {
    const rng = new Rng(53);
    for (const weightDecay of [0, 0.1]) {
      const n = 129;
      const { p0, grads } = randomProblem(rng, n);
      const h = { ...ADAM, weightDecay };
      const p = Float32Array.from(p0), m = new Float32Array(n), v = new Float32Array(n);
      grads.forEach((g, s) => adamFloat32(p, g, m, v, h, s + 1));
      const got = runKernel(baseline, 'adam', p0, grads, h);
      expectIdentical(`adam wd=${weightDecay} params`, got.p, p);
      expectIdentical(`adam wd=${weightDecay} m`, got.m, m);
      expectIdentical(`adam wd=${weightDecay} v`, got.v, v);
    }
  });

  it('sumSquares (f64) and scale match the reference', () => {
    const rng = new Rng(54);
    for (const n of ODD_SIZES) {
      const x = f32(uniform(rng, n));
      withBuffers(baseline, (b) => {
        const p = b.f32(x);
        expect(baseline.kernels.sumSquares(p, n)).toBeCloseTo(ref.sumSquares(x), 12);
        baseline.kernels.scale(p, n, 0.5);
        expectIdentical(`scale n=${n}`, b.read(p, n), Float32Array.from(x, (v) => v * 0.5));
      });
    }
  });

  it('relaxed within tolerance of baseline, baseline identical across runs', () => {
    const { p0, grads } = randomProblem(new Rng(55), 129);
    expectBuildsAgree('adam', (rt) => runKernel(rt, 'adam', p0, grads, { ...ADAM, weightDecay: 0.1 }));
    expectBuildsAgree('adamw', (rt) => runKernel(rt, 'adamw', p0, grads, { ...ADAM, weightDecay: 0.1 }));
    expectBuildsAgree('sgd', (rt) => runKernel(rt, 'sgd', p0, grads, { ...SGD[3]!, weightDecay: 0.05 }));
  });
});

// ---- the TypeScript optimizer over a ParamTable ----

function makeTable(rt: Runtime, seed = 1): ParamTable {
  return new ParamTable(rt.arena, [
    { name: 'w', shape: [3, 5], init: { uniform: 1 } },
    { name: 'b', shape: [5], init: { uniform: 1 } },
    { name: 'frozen', shape: [4], init: 'ones', trainable: false },
  ], new Rng(seed));
}

function setGrads(table: ParamTable, rng: Rng): Float64Array {
  const g = f32(uniform(rng, table.trainableSize, -1, 1));
  table.grads.view().set(g);
  return g;
}

describeBuilds('createOptimizer', (rt: Runtime) => {
  const configs: OptimizerConfig[] = [
    { kind: 'adam', lr: 0.01 },
    { kind: 'adam', lr: 0.01, weightDecay: 0.1 },
    { kind: 'adamw', lr: 0.01 },
    { kind: 'adamw', lr: 0.01, weightDecay: 0 },
    { kind: 'sgd', lr: 0.1 },
    { kind: 'sgd', lr: 0.1, momentum: 0.9, weightDecay: 0.01, nesterov: true },
  ];

  for (const config of configs) {
    it(`${JSON.stringify(config)}: five steps match the reference over the trainable prefix only`, () => {
      const table = makeTable(rt);
      const opt = createOptimizer(table, config);
      const rng = new Rng(61);
      const p = f32(table.params.view().subarray(0, table.trainableSize));
      const frozen = table.param('frozen').slice();
      const m = new Float64Array(p.length), v = new Float64Array(p.length);
      const h = { ...ADAM, momentum: 0, dampening: 0, nesterov: false, ...opt.config };
      for (let s = 1; s <= STEPS; s++) {
        const g = setGrads(table, rng);
        opt.step();
        if (config.kind === 'sgd') ref.sgdStep(p, g, m, h, s === 1);
        else (config.kind === 'adam' ? ref.adamStep : ref.adamwStep)(p, g, m, v, h, s);
      }
      expect(opt.stepCount).toBe(STEPS);
      expectClose('params', table.params.view().subarray(0, table.trainableSize), p, FORWARD);
      expectIdentical('frozen', table.param('frozen'), frozen);
      opt.dispose();
      table.dispose();
    });
  }

  it('AdamW defaults to weight decay 0.01 and Adam/SGD to 0, as in PyTorch', () => {
    const table = makeTable(rt);
    expect(createOptimizer(table, { kind: 'adamw', lr: 1 }).config.weightDecay).toBe(0.01);
    expect(createOptimizer(table, { kind: 'adam', lr: 1 }).config).toMatchObject({ weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 });
    expect(createOptimizer(table, { kind: 'sgd', lr: 1 }).config).toMatchObject({ weightDecay: 0, momentum: 0, nesterov: false });
  });

  it('a step is one kernel call and allocates nothing in the arena after the first, which allocates the state', () => {
    const table = makeTable(rt);
    const calls: string[] = [];
    // the exports object is frozen: count calls through a plain wrapper with the same members
    const counting = Object.fromEntries(Object.entries(rt.kernels).map(([key, value]) =>
      [key, typeof value === 'function' ? (...args: unknown[]) => (calls.push(key), value(...args)) : value])) as typeof rt.kernels;
    for (const config of [{ kind: 'adam', lr: 0.1 }, { kind: 'adamw', lr: 0.1 }, { kind: 'sgd', lr: 0.1, momentum: 0.5 }] as const) {
      const opt = createOptimizer(table, config, counting);
      const before = rt.arena.used;
      opt.step();
      // Adam's m and v, SGD's momentum buffer: created by the first step, so a model that only predicts never holds them
      expect(rt.arena.used - before).toBe((config.kind === 'sgd' ? 1 : 2) * table.trainableSize * 4);
      const used = rt.arena.used;
      const high = rt.arena.highWater;
      calls.length = 0;
      for (let i = 0; i < 3; i++) opt.step();
      expect(calls).toEqual(Array(3).fill(`${config.kind}Step`));
      expect(rt.arena.used).toBe(used);
      expect(rt.arena.highWater).toBe(high);
      opt.dispose();
    }
  });

  it('clipGradNorm returns the pre-clip norm and scales only above maxNorm', () => {
    const table = makeTable(rt);
    const opt = createOptimizer(table, { kind: 'sgd', lr: 0.1 });
    const g = setGrads(table, new Rng(62));
    const norm = Math.sqrt(ref.sumSquares(g));
    expect(opt.clipGradNorm(Infinity)).toBeCloseTo(norm, 10);
    expect(opt.clipGradNorm(norm * 2)).toBeCloseTo(norm, 10);
    expectIdentical('unclipped', table.grads.view(), Float32Array.from(g));
    expect(opt.clipGradNorm(1)).toBeCloseTo(norm, 10);
    const coef = 1 / (norm + 1e-6);
    expectClose('clipped', table.grads.view(), g.map((x) => x * coef), FORWARD);
    expect(Math.sqrt(ref.sumSquares(table.grads.view()))).toBeCloseTo(1, 5);
    expect(() => opt.clipGradNorm(0)).toThrow(ConfigError);
    expect(() => opt.clipGradNorm(NaN)).toThrow(ConfigError);
  });

  it('state() and load() resume exactly: the same trajectory as without the break', () => {
    for (const config of [{ kind: 'adam', lr: 0.05, weightDecay: 0.1 }, { kind: 'sgd', lr: 0.1, momentum: 0.9 }] as const) {
      const straight = makeTable(rt);
      const a = createOptimizer(straight, config);
      const rngA = new Rng(63);
      for (let s = 0; s < STEPS; s++) {
        setGrads(straight, rngA);
        a.step();
      }
      const resumed = makeTable(rt);
      const b = createOptimizer(resumed, config);
      const rngB = new Rng(63);
      for (let s = 0; s < 2; s++) {
        setGrads(resumed, rngB);
        b.step();
      }
      const state = b.state();
      const params = resumed.params.toArray();
      b.dispose();
      const c = createOptimizer(resumed, config);
      resumed.params.view().set(params);
      c.load(state);
      expect(c.stepCount).toBe(2);
      for (let s = 2; s < STEPS; s++) {
        setGrads(resumed, rngB);
        c.step();
      }
      expectIdentical(`${config.kind} resumed`, resumed.params.view(), straight.params.view());
    }
  });

  it('state() holds copies; load() checks kind and sizes', () => {
    const table = makeTable(rt);
    const adam = createOptimizer(table, { kind: 'adam', lr: 0.1 });
    setGrads(table, new Rng(64));
    adam.step();
    const state = adam.state();
    expect(state.step).toBe(1);
    expect(state.m).toBeInstanceOf(Float32Array);
    expect(state.m!.length).toBe(table.trainableSize);
    adam.step();
    expect(adam.state().m).not.toEqual(state.m);
    const sgd = createOptimizer(table, { kind: 'sgd', lr: 0.1, momentum: 0.9 });
    expect(() => sgd.load(state)).toThrow(ConfigError);
    expect(() => adam.load({ step: 1, m: new Float32Array(3), v: new Float32Array(3) })).toThrow(/must hold/);
    expect(() => adam.load({ ...state, step: -1 })).toThrow(ConfigError);
    expect(createOptimizer(table, { kind: 'sgd', lr: 0.1 }).state()).toEqual({ step: 0, lr: 0.1 });
  });

  it('rejects invalid configs with a ConfigError naming the field', () => {
    const table = makeTable(rt);
    const bad: [unknown, RegExp][] = [
      [{ kind: 'rmsprop', lr: 1 }, /kind/],
      [{ kind: 'adam' }, /lr/],
      [{ kind: 'adam', lr: -1 }, /lr/],
      [{ kind: 'adam', lr: NaN }, /lr/],
      [{ kind: 'adam', lr: 1, beta1: 1 }, /beta1/],
      [{ kind: 'adam', lr: 1, beta2: -0.1 }, /beta2/],
      [{ kind: 'adam', lr: 1, eps: -1 }, /eps/],
      [{ kind: 'adamw', lr: 1, weightDecay: -1 }, /weightDecay/],
      [{ kind: 'sgd', lr: 1, momentum: -0.5 }, /momentum/],
      [{ kind: 'sgd', lr: 1, dampening: 2 }, /dampening/],
      [{ kind: 'sgd', lr: 1, nesterov: true }, /nesterov/],
      [{ kind: 'sgd', lr: 1, momentum: 0.9, dampening: 0.1, nesterov: true }, /nesterov/],
      [null, /object/],
    ];
    for (const [config, message] of bad) {
      expect(() => createOptimizer(table, config as OptimizerConfig), JSON.stringify(config)).toThrow(ConfigError);
      expect(() => createOptimizer(table, config as OptimizerConfig)).toThrow(message);
    }
    const opt = createOptimizer(table, { kind: 'adam', lr: 0.1 });
    expect(() => (opt.lr = -1)).toThrow(ConfigError);
    opt.lr = 0.5;
    expect(opt.lr).toBe(0.5);
  });
});
