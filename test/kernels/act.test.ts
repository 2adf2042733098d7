import { expect, it } from 'vitest';
import { Rng, type Runtime } from '../../dist/index.js';
import { expectClose, expectIdentical, FORWARD, GRADIENT } from '../helpers/close.js';
import { checkGradient, directionalCheck } from '../helpers/gradcheck.js';
import { f32, ODD_SIZES, uniform } from '../helpers/random.js';
import * as ref from '../reference/kernels.js';
import { describeBuilds, expectBuildsAgree, withBuffers } from './common.js';

const ACTS = [ref.ACT.identity, ref.ACT.sigmoid, ref.ACT.tanh, ref.ACT.relu];
const NAME = ['identity', 'sigmoid', 'tanh', 'relu'];

/** Inputs kept away from ReLU's kink so finite differences are clean. */
function inputs(rng: Rng, n: number): Float64Array {
  return f32(Array.from(uniform(rng, n, -3, 3), (v) => (Math.abs(v) < 0.05 ? v + Math.sign(v || 1) * 0.1 : v)));
}

function forward(rt: Runtime, x: ArrayLike<number>, act: number): Float32Array {
  return withBuffers(rt, (b) => {
    const px = b.f32(x);
    const py = b.zeros(x.length);
    rt.kernels.activationForward(py, px, x.length, act);
    return b.read(py, x.length);
  });
}

/** dx after the backward, starting from dx0 (backward accumulates). */
function backward(rt: Runtime, dx0: ArrayLike<number>, dy: ArrayLike<number>, y: ArrayLike<number>, act: number): Float32Array {
  return withBuffers(rt, (b) => {
    const pdx = b.f32(dx0);
    rt.kernels.activationBackward(pdx, b.f32(dy), b.f32(y), dy.length, act);
    return b.read(pdx, dy.length);
  });
}

it('reference backward matches central differences', () => {
  const rng = new Rng(1);
  for (const act of ACTS) {
    const x = inputs(rng, 7);
    const w = uniform(rng, 7);
    const y = ref.activationForward(x, act);
    const loss = (z: Float64Array) => ref.dot(ref.activationForward(z, act), w);
    checkGradient(`act ${NAME[act]}`, loss, x, ref.activationBackward(w, y, act));
  }
});

describeBuilds('activations', (rt) => {
  it('forward and backward match the reference at every size, and the backward accumulates', () => {
    const rng = new Rng(2);
    for (const act of ACTS) {
      for (const n of ODD_SIZES) {
        const x = inputs(rng, n);
        const y = forward(rt, x, act);
        const expectedY = ref.activationForward(x, act);
        expectClose(`${NAME[act]} forward n=${n}`, y, expectedY, FORWARD);
        const dy = f32(uniform(rng, n));
        const dx0 = f32(uniform(rng, n));
        const dx = backward(rt, dx0, dy, y, act);
        const contribution = ref.activationBackward(dy, f32(y), act);
        expectClose(`${NAME[act]} backward n=${n}`, dx, contribution.map((g, i) => g + dx0[i]!), GRADIENT);
      }
    }
  });

  it('forward works in place (y == x)', () => {
    const x = inputs(new Rng(3), 17);
    for (const act of ACTS) {
      const inPlace = withBuffers(rt, (b) => {
        const p = b.f32(x);
        rt.kernels.activationForward(p, p, x.length, act);
        return b.read(p, x.length);
      });
      expectIdentical(`${NAME[act]} in place`, inPlace, forward(rt, x, act));
    }
  });

  it('the SIMD body and the scalar tail agree bit for bit (and with activationValue/activationSlope)', () => {
    const x = Float32Array.from([-10, -0.7, -0.3, 1e-8, 0.61, 0.64, 2, 88]);
    for (const act of ACTS) {
      const body = forward(rt, x, act); // all eight through the SIMD body
      for (let i = 0; i < x.length; i++) {
        const tail = forward(rt, x.subarray(i, i + 1), act)[0]!; // n = 1: the scalar tail
        expect(Object.is(body[i], tail), `${NAME[act]}(${x[i]}): SIMD ${body[i]} vs scalar ${tail}`).toBe(true);
        expect(Object.is(rt.kernels.activationValue(x[i]!, act), tail)).toBe(true);
      }
      const ones = new Float32Array(8).fill(1);
      const slopes = backward(rt, new Float32Array(8), ones, body, act);
      for (let i = 0; i < 8; i++) expect(slopes[i]).toBe(Math.fround(rt.kernels.activationSlope(body[i]!, act)));
    }
  });

  it('wasm gradient passes a one-direction float32 check', () => {
    const rng = new Rng(4);
    for (const act of ACTS) {
      const x = Float32Array.from(inputs(rng, 33));
      const w = Float32Array.from(uniform(rng, 33));
      const loss = (z: Float32Array) => ref.dot(forward(rt, z, act), w);
      const dx = backward(rt, new Float32Array(33), w, forward(rt, x, act), act);
      directionalCheck(`act ${NAME[act]}`, loss, x, dx, rng);
    }
  });

  it('ReLU slope is 0 at y = 0 and the derivatives come from the output', () => {
    const dx = backward(rt, [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], [0, 0.5, 2, -0, 0.25], ref.ACT.relu);
    expect(Array.from(dx)).toEqual([0, 1, 1, 0, 1]);
    const ds = backward(rt, [0], [1], [0.25], ref.ACT.sigmoid);
    expect(ds[0]).toBe(0.1875);
    const dt = backward(rt, [0], [1], [0.5], ref.ACT.tanh);
    expect(dt[0]).toBe(0.75);
  });
});

it('activations: relaxed within tolerance of baseline, baseline identical across runs', () => {
  const rng = new Rng(5);
  const x = inputs(rng, 129);
  const dy = f32(uniform(rng, 129));
  for (const act of ACTS) {
    expectBuildsAgree(NAME[act]!, (rt) => {
      const y = forward(rt, x, act);
      return { y, dx: backward(rt, new Float32Array(129), dy, y, act) };
    });
  }
});
