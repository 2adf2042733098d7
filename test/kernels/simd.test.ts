import { expect, it } from 'vitest';
import { Rng, type Runtime } from '../../dist/index.js';
import { expectClose, FORWARD, GRADIENT } from '../helpers/close.js';
import { f32, ODD_SIZES, uniform } from '../helpers/random.js';
import * as ref from '../reference/kernels.js';
import { describeBuilds, expectBuildsAgree, withBuffers } from './common.js';

const GRID = [0, 1e-8, 1e-3, 0.1, 0.5, 0.6, 0.625, 0.65, 1, 2, 5, 10, 20, 50, 80, 87, 87.3, 88, 88.7, 89, 100, 1e4, 1e30]
  .flatMap((v) => [v, -v]);
/** A dense sweep over the clamped range of exp, plus the grid. */
const SWEEP = Float32Array.from([...GRID, ...Array.from({ length: 20001 }, (_, i) => -87.3 + (176 * i) / 20000)]);
const EXP_LO = Math.fround(-87.3);
const EXP_HI = Math.fround(88.7);

function expForward(rt: Runtime, x: Float32Array): Float32Array {
  return withBuffers(rt, (b) => {
    const p = b.f32(x);
    rt.kernels.expForward(p, p, x.length);
    return b.read(p, x.length);
  });
}

function activation(rt: Runtime, x: Float32Array, act: number): Float32Array {
  return withBuffers(rt, (b) => {
    const p = b.f32(x);
    rt.kernels.activationForward(p, p, x.length, act);
    return b.read(p, x.length);
  });
}

function relError(got: number, want: number): number {
  return want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);
}

describeBuilds('exp, sigmoid, tanh', (rt) => {
  it('exp: relative error ≤ 2e-7 on [−87.3, 88.7], clamped (finite, positive) outside, never NaN', () => {
    const y = expForward(rt, SWEEP);
    for (let i = 0; i < SWEEP.length; i++) {
      const x = SWEEP[i]!;
      const want = Math.exp(Math.min(Math.max(x, EXP_LO), EXP_HI));
      expect(Number.isFinite(y[i]) && y[i]! > 0, `exp(${x}) = ${y[i]}`).toBe(true);
      expect(relError(y[i]!, want), `exp(${x}) = ${y[i]}, want ${want}`).toBeLessThanOrEqual(2e-7);
      // the scalar twin gives the same bits as the vector code
      expect(Object.is(rt.kernels.exp1(x), y[i]), `exp1(${x})`).toBe(true);
    }
    expect(rt.kernels.exp1(0)).toBe(1);
    expect(rt.kernels.exp1(Infinity)).toBe(y[SWEEP.indexOf(EXP_HI)]);
    expect(rt.kernels.exp1(-Infinity)).toBeGreaterThan(0);
  });

  it('sigmoid: relative error ≤ 3e-7, in [0, 1], never NaN; tiny absolute error where it underflows', () => {
    const y = activation(rt, SWEEP, ref.ACT.sigmoid);
    for (let i = 0; i < SWEEP.length; i++) {
      const x = SWEEP[i]!;
      const want = ref.sigmoid(x);
      const got = y[i]!;
      expect(got >= 0 && got <= 1, `sigmoid(${x}) = ${got}`).toBe(true);
      if (x >= -87) expect(relError(got, want), `sigmoid(${x}) = ${got}, want ${want}`).toBeLessThanOrEqual(3e-7);
      else expect(Math.abs(got - want), `sigmoid(${x})`).toBeLessThanOrEqual(1e-38);
      expect(Object.is(rt.kernels.sigmoid1(x), got), `sigmoid1(${x})`).toBe(true);
    }
    expect(rt.kernels.sigmoid1(1e4)).toBe(1);
    expect(rt.kernels.sigmoid1(0)).toBe(0.5);
  });

  it('tanh: relative error ≤ 3e-7 everywhere (exact near 0, ±1 far out), odd, never NaN', () => {
    const y = activation(rt, SWEEP, ref.ACT.tanh);
    for (let i = 0; i < SWEEP.length; i++) {
      const x = SWEEP[i]!;
      const got = y[i]!;
      expect(relError(got, Math.tanh(x)), `tanh(${x}) = ${got}, want ${Math.tanh(x)}`).toBeLessThanOrEqual(3e-7);
      expect(Object.is(rt.kernels.tanh1(x), got), `tanh1(${x})`).toBe(true);
      expect(Object.is(rt.kernels.tanh1(-x), -got), `tanh1(−${x}) = −tanh1(${x})`).toBe(true);
    }
    expect(rt.kernels.tanh1(Math.fround(1e-8))).toBe(Math.fround(1e-8));
    expect(rt.kernels.tanh1(1e4)).toBe(1);
    expect(rt.kernels.tanh1(-1e4)).toBe(-1);
    expect(Object.is(rt.kernels.tanh1(-0), -0)).toBe(true);
  });

  it('dot and axpy match the reference at every size', () => {
    const rng = new Rng(11);
    for (const n of ODD_SIZES) {
      const a = f32(uniform(rng, n));
      const x = f32(uniform(rng, n));
      const y0 = f32(uniform(rng, n));
      const alpha = Math.fround(rng.uniform(-2, 2));
      const d = withBuffers(rt, (b) => rt.kernels.dot(b.f32(a), b.f32(x), n));
      expectClose(`dot n=${n}`, [d], [ref.dot(a, x)], GRADIENT);
      const y = withBuffers(rt, (b) => {
        const py = b.f32(y0);
        rt.kernels.axpy(py, b.f32(x), alpha, n);
        return b.read(py, n);
      });
      expectClose(`axpy n=${n}`, y, y0.map((v, i) => v + alpha * x[i]!), FORWARD);
    }
  });
});

it('exp/sigmoid/tanh/dot/axpy: relaxed within tolerance of baseline, baseline identical across runs', () => {
  const rng = new Rng(12);
  const a = f32(uniform(rng, 129));
  const x = f32(uniform(rng, 129));
  expectBuildsAgree('simd helpers', (rt) => ({
    exp: expForward(rt, SWEEP),
    sigmoid: activation(rt, SWEEP, ref.ACT.sigmoid),
    tanh: activation(rt, SWEEP, ref.ACT.tanh),
    dot: Float32Array.of(withBuffers(rt, (b) => rt.kernels.dot(b.f32(a), b.f32(x), 129))),
    axpy: withBuffers(rt, (b) => {
      const py = b.f32(a);
      rt.kernels.axpy(py, b.f32(x), 0.37, 129);
      return b.read(py, 129);
    }),
  }), GRADIENT);
});
