import { expect, it } from 'vitest';
import { Rng, type Runtime } from '../../dist/index.js';
import { expectClose, FORWARD, GRADIENT } from '../helpers/close.js';
import { checkGradient, directionalCheck } from '../helpers/gradcheck.js';
import { f32, ODD_SIZES, uniform } from '../helpers/random.js';
import * as ref from '../reference/kernels.js';
import { describeBuilds, expectBuildsAgree, withBuffers } from './common.js';

interface CE {
  mean: number;
  losses: Float32Array;
  probs: Float32Array;
}

function ceForward(rt: Runtime, logits: ArrayLike<number>, targets: ArrayLike<number>, B: number, C: number): CE {
  return withBuffers(rt, (b) => {
    const losses = b.zeros(B);
    const probs = b.zeros(B * C);
    const mean = rt.kernels.crossEntropyForward(losses, probs, b.f32(logits), b.i32(targets), B, C);
    return { mean, losses: b.read(losses, B), probs: b.read(probs, B * C) };
  });
}

function ceBackward(rt: Runtime, d0: ArrayLike<number>, probs: ArrayLike<number>, targets: ArrayLike<number>, B: number, C: number,
  scale: number): Float32Array {
  return withBuffers(rt, (b) => {
    const pd = b.f32(d0);
    rt.kernels.crossEntropyBackward(pd, b.f32(probs), b.i32(targets), B, C, scale);
    return b.read(pd, B * C);
  });
}

function bceForward(rt: Runtime, logits: ArrayLike<number>, targets: ArrayLike<number>): { mean: number; losses: Float32Array } {
  const n = logits.length;
  return withBuffers(rt, (b) => {
    const losses = b.zeros(n);
    const mean = rt.kernels.bceForward(losses, b.f32(logits), b.f32(targets), n);
    return { mean, losses: b.read(losses, n) };
  });
}

function bceBackward(rt: Runtime, d0: ArrayLike<number>, logits: ArrayLike<number>, targets: ArrayLike<number>, scale: number): Float32Array {
  return withBuffers(rt, (b) => {
    const pd = b.f32(d0);
    rt.kernels.bceBackward(pd, b.f32(logits), b.f32(targets), logits.length, scale);
    return b.read(pd, logits.length);
  });
}

const randomTargets = (rng: Rng, B: number, C: number) => Int32Array.from({ length: B }, () => rng.int(C));
const softTargets = (rng: Rng, n: number) => f32(Array.from({ length: n }, () => (rng.uniform(0, 1) < 0.3 ? rng.uniform(0, 1) : rng.int(2))));

it('reference backwards match central differences', () => {
  const rng = new Rng(31);
  const B = 3, C = 4;
  const logits = uniform(rng, B * C, -3, 3);
  const targets = randomTargets(rng, B, C);
  const { probs } = ref.crossEntropyForward(logits, targets, B, C);
  checkGradient('cross-entropy', (z) => ref.crossEntropyForward(z, targets, B, C).mean, logits,
    ref.crossEntropyBackward(probs, targets, B, C, 1 / B));
  const x = uniform(rng, 7, -4, 4);
  const y = softTargets(rng, 7);
  checkGradient('bce', (z) => ref.bceForward(z, y).mean, x, ref.bceBackward(x, y, 1 / 7));
});

describeBuilds('losses', (rt) => {
  it('cross-entropy forward and backward match the reference for every batch and class count', () => {
    const rng = new Rng(32);
    for (const C of ODD_SIZES) {
      for (const B of [1, 5]) {
        const logits = f32(uniform(rng, B * C, -4, 4));
        const targets = randomTargets(rng, B, C);
        const out = ceForward(rt, logits, targets, B, C);
        const want = ref.crossEntropyForward(logits, targets, B, C);
        expectClose(`CE losses B=${B} C=${C}`, out.losses, want.losses, FORWARD);
        expectClose(`CE probs B=${B} C=${C}`, out.probs, want.probs, FORWARD);
        expectClose(`CE mean B=${B} C=${C}`, [out.mean], [want.mean], FORWARD);
        const d0 = f32(uniform(rng, B * C));
        const scale = Math.fround(1 / B);
        const d = ceBackward(rt, d0, out.probs, targets, B, C, scale);
        expectClose(`CE backward B=${B} C=${C}`, d,
          ref.crossEntropyBackward(f32(out.probs), targets, B, C, scale).map((g, i) => g + d0[i]!), GRADIENT);
      }
    }
  });

  it('cross-entropy stays finite with ±1e4 logits', () => {
    const logits = [1e4, -1e4, 0, -1e4, 1e4, 1e4];
    const targets = [1, 0];
    const out = ceForward(rt, logits, targets, 2, 3);
    expect(out.losses.every(Number.isFinite)).toBe(true);
    expect(out.probs.every(Number.isFinite)).toBe(true);
    expectClose('CE ±1e4 losses', out.losses, [2e4, 2e4 + Math.LN2], FORWARD);
    expectClose('CE ±1e4 probs', out.probs, [1, 0, 0, 0, 0.5, 0.5], FORWARD);
    const d = ceBackward(rt, new Float32Array(6), out.probs, targets, 2, 3, 0.5);
    expect(d.every(Number.isFinite)).toBe(true);
  });

  it('binary cross-entropy forward and backward match the reference at every size', () => {
    const rng = new Rng(33);
    for (const n of ODD_SIZES) {
      const x = f32(uniform(rng, n, -6, 6));
      const y = softTargets(rng, n);
      const out = bceForward(rt, x, y);
      const want = ref.bceForward(x, y);
      expectClose(`BCE losses n=${n}`, out.losses, want.losses, FORWARD);
      expectClose(`BCE mean n=${n}`, [out.mean], [want.mean], FORWARD);
      const d0 = f32(uniform(rng, n));
      const scale = Math.fround(1 / n);
      expectClose(`BCE backward n=${n}`, bceBackward(rt, d0, x, y, scale), ref.bceBackward(x, y, scale).map((g, i) => g + d0[i]!), GRADIENT);
    }
  });

  it('binary cross-entropy never overflows: ±1e4 and ±100 logits', () => {
    const x = [1e4, -1e4, 100, -100, 1e4, -1e4];
    const y = [1, 0, 1, 0, 0, 1];
    const out = bceForward(rt, x, y);
    expect(out.losses.every(Number.isFinite)).toBe(true);
    expectClose('BCE extremes', out.losses, ref.bceForward(x, y).losses, FORWARD);
    expectClose('BCE extreme grads', bceBackward(rt, new Float32Array(6), x, y, 1), [0, 0, 0, 0, 1, -1], FORWARD);
  });

  it('wasm gradients pass a one-direction float32 check', () => {
    const rng = new Rng(34);
    const B = 6, C = 5;
    const logits = Float32Array.from(uniform(rng, B * C));
    const targets = randomTargets(rng, B, C);
    const probs = ceForward(rt, logits, targets, B, C).probs;
    directionalCheck('CE', (z) => ceForward(rt, z, targets, B, C).mean, logits,
      ceBackward(rt, new Float32Array(B * C), probs, targets, B, C, 1 / B), rng);
    const x = Float32Array.from(uniform(rng, 21, -3, 3));
    const y = softTargets(rng, 21);
    directionalCheck('BCE', (z) => bceForward(rt, z, y).mean, x, bceBackward(rt, new Float32Array(21), x, y, 1 / 21), rng);
  });
});

it('losses: relaxed within tolerance of baseline, baseline identical across runs', () => {
  const rng = new Rng(35);
  const B = 5, C = 17;
  const logits = f32(uniform(rng, B * C, -4, 4));
  const targets = randomTargets(rng, B, C);
  const x = f32(uniform(rng, 129, -6, 6));
  const y = softTargets(rng, 129);
  expectBuildsAgree('losses', (rt) => {
    const ce = ceForward(rt, logits, targets, B, C);
    const bce = bceForward(rt, x, y);
    return {
      ceMean: Float32Array.of(ce.mean), ceLosses: ce.losses, probs: ce.probs,
      dlogits: ceBackward(rt, new Float32Array(B * C), ce.probs, targets, B, C, 0.2),
      bceMean: Float32Array.of(bce.mean), bceLosses: bce.losses,
      dbce: bceBackward(rt, new Float32Array(129), x, y, 1 / 129),
    };
  });
});
