import { expect, it } from 'vitest';
import { Rng, type Runtime } from '../../dist/index.js';
import { expectClose, FORWARD, GRADIENT } from '../helpers/close.js';
import { checkGradient, directionalCheck } from '../helpers/gradcheck.js';
import { f32, ODD_SIZES, uniform } from '../helpers/random.js';
import * as ref from '../reference/kernels.js';
import { describeBuilds, expectBuildsAgree, withBuffers } from './common.js';

function forward(rt: Runtime, x: ArrayLike<number>, mask: ArrayLike<number> | null, R: number, L: number): Float32Array {
  return withBuffers(rt, (b) => {
    const py = b.zeros(R * L);
    rt.kernels.softmaxForward(py, b.f32(x), mask ? b.f32(mask) : 0, R, L);
    return b.read(py, R * L);
  });
}

function backward(rt: Runtime, dx0: ArrayLike<number>, dy: ArrayLike<number>, y: ArrayLike<number>, R: number, L: number): Float32Array {
  return withBuffers(rt, (b) => {
    const pdx = b.f32(dx0);
    rt.kernels.softmaxBackward(pdx, b.f32(dy), b.f32(y), R, L);
    return b.read(pdx, R * L);
  });
}

/** A random 1/0 mask with at least one unmasked entry per row. */
function randomMask(rng: Rng, R: number, L: number): Float64Array {
  const m = Float64Array.from({ length: R * L }, () => (rng.uniform(0, 1) < 0.7 ? 1 : 0));
  for (let r = 0; r < R; r++) m[r * L + rng.int(L)] = 1;
  return m;
}

it('reference backward matches central differences, with and without a mask', () => {
  const rng = new Rng(21);
  const R = 3, L = 5;
  for (const mask of [null, randomMask(rng, R, L)]) {
    const x = uniform(rng, R * L, -3, 3);
    const w = uniform(rng, R * L);
    const y = ref.softmaxForward(x, mask, R, L);
    checkGradient('softmax', (z) => ref.dot(ref.softmaxForward(z, mask, R, L), w), x, ref.softmaxBackward(w, y, R, L));
  }
});

describeBuilds('softmax', (rt) => {
  it('forward and backward match the reference for rows of every length, masked or not', () => {
    const rng = new Rng(22);
    for (const L of ODD_SIZES) {
      const R = 3;
      for (const mask of [null, randomMask(rng, R, L)]) {
        const x = f32(uniform(rng, R * L, -5, 5));
        const y = forward(rt, x, mask, R, L);
        expectClose(`softmax L=${L}`, y, ref.softmaxForward(x, mask, R, L), FORWARD);
        const dy = f32(uniform(rng, R * L));
        const dx0 = f32(uniform(rng, R * L));
        const dx = backward(rt, dx0, dy, y, R, L);
        expectClose(`softmax backward L=${L}`, dx, ref.softmaxBackward(dy, f32(y), R, L).map((g, i) => g + dx0[i]!), GRADIENT);
      }
    }
  });

  it('masked entries get exactly 0; an all-masked row is all zeros; rows sum to 1', () => {
    const x = [1, 2, 3, 4, 100, -100, 5, 6, 7];
    const mask = [1, 0, 1, 0, 0, 0, 1, 1, 0];
    const y = forward(rt, x, mask, 3, 3);
    expect(y[1]).toBe(0);
    expect(y[7 + 1]).toBe(0);
    expect(Array.from(y.subarray(3, 6))).toEqual([0, 0, 0]);
    expectClose('partially masked', y, ref.softmaxForward(x, mask, 3, 3));
    expect(y[0]! + y[2]!).toBeCloseTo(1, 6);
    // a masked huge value does not shift the max: the unmasked entries still give a proper distribution
    const big = forward(rt, [1e30, 0, 1], [0, 1, 1], 1, 3);
    expectClose('masked huge value', big, ref.softmaxForward([1e30, 0, 1], [0, 1, 1], 1, 3));
  });

  it('−Infinity inputs get exactly 0; an all −Infinity row is zeros, never NaN', () => {
    const y = forward(rt, [-Infinity, 0, 1, -Infinity, -Infinity, -Infinity], null, 2, 3);
    expect(y[0]).toBe(0);
    expectClose('−∞ entries', y.subarray(0, 3), ref.softmaxForward([-Infinity, 0, 1], null, 1, 3));
    expect(Array.from(y.subarray(3))).toEqual([0, 0, 0]);
    // backward through zeros stays finite and leaves masked positions untouched
    const dx = backward(rt, [0, 0, 0, 0, 0, 0], [1, 2, 3, 4, 5, 6], y, 2, 3);
    expect(dx[0]).toBe(0);
    expect(Array.from(dx.subarray(3))).toEqual([0, 0, 0]);
    expect(dx.every(Number.isFinite)).toBe(true);
  });

  it('extreme logits (±1e4) stay finite and exact where one entry dominates', () => {
    const y = forward(rt, [1e4, -1e4, 0, 1e4], null, 1, 4);
    expect(y.every(Number.isFinite)).toBe(true);
    expectClose('extreme', y, [0.5, 0, 0, 0.5]);
  });

  it('wasm gradient passes a one-direction float32 check', () => {
    const rng = new Rng(23);
    const R = 4, L = 9;
    const mask = randomMask(rng, R, L);
    const x = Float32Array.from(uniform(rng, R * L));
    const w = Float32Array.from(uniform(rng, R * L));
    const dx = backward(rt, new Float32Array(R * L), w, forward(rt, x, mask, R, L), R, L);
    directionalCheck('softmax', (z) => ref.dot(forward(rt, z, mask, R, L), w), x, dx, rng);
  });
});

it('softmax: relaxed within tolerance of baseline, baseline identical across runs', () => {
  const rng = new Rng(24);
  const R = 5, L = 17;
  const x = f32(uniform(rng, R * L, -4, 4));
  const mask = randomMask(rng, R, L);
  const dy = f32(uniform(rng, R * L));
  expectBuildsAgree('softmax', (rt) => {
    const y = forward(rt, x, mask, R, L);
    return { y, dx: backward(rt, new Float32Array(R * L), dy, y, R, L) };
  });
});
