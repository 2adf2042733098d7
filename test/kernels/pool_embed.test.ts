import { expect, it } from 'vitest';
import { Rng, type Runtime } from '../../dist/index.js';
import { expectClose, FORWARD, GRADIENT } from '../helpers/close.js';
import { checkGradient, directionalCheck } from '../helpers/gradcheck.js';
import { f32, ODD_SIZES, uniform } from '../helpers/random.js';
import * as ref from '../reference/kernels.js';
import { describeBuilds, expectBuildsAgree, withBuffers } from './common.js';

function meanForward(rt: Runtime, x: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number, C: number): Float32Array {
  return withBuffers(rt, (b) => {
    const py = b.f32(Float32Array.from({ length: B * C }, () => 123)); // overwritten, not accumulated
    rt.kernels.maskedMeanForward(py, b.f32(x), b.f32(mask), B, T, C);
    return b.read(py, B * C);
  });
}

function meanBackward(rt: Runtime, dx0: ArrayLike<number>, dy: ArrayLike<number>, mask: ArrayLike<number>, B: number, T: number,
  C: number): Float32Array {
  return withBuffers(rt, (b) => {
    const pdx = b.f32(dx0);
    rt.kernels.maskedMeanBackward(pdx, b.f32(dy), b.f32(mask), B, T, C);
    return b.read(pdx, B * T * C);
  });
}

function embedForward(rt: Runtime, table: ArrayLike<number>, ids: ArrayLike<number>, D: number): Float32Array {
  const n = ids.length;
  return withBuffers(rt, (b) => {
    const out = b.f32(Float32Array.from({ length: n * D }, () => 7));
    rt.kernels.embeddingForward(out, b.f32(table), b.i32(ids), n, D);
    return b.read(out, n * D);
  });
}

function embedBackward(rt: Runtime, dtable0: ArrayLike<number>, dout: ArrayLike<number>, ids: ArrayLike<number>, D: number): Float32Array {
  return withBuffers(rt, (b) => {
    const pd = b.f32(dtable0);
    rt.kernels.embeddingBackward(pd, b.f32(dout), b.i32(ids), ids.length, D);
    return b.read(pd, dtable0.length);
  });
}

/** Padding masks: sequence b has a random number of real tokens (possibly none) at the front. */
function paddingMask(rng: Rng, B: number, T: number): Float64Array {
  const m = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    const len = b === 0 ? 0 : b === 1 ? T : rng.int(T + 1);
    for (let t = 0; t < len; t++) m[b * T + t] = 1;
  }
  return m;
}

const randomIds = (rng: Rng, n: number, V: number) => Int32Array.from({ length: n }, () => (rng.uniform(0, 1) < 0.2 ? -1 : rng.int(V)));

it('reference backwards match central differences', () => {
  const rng = new Rng(41);
  const B = 3, T = 4, C = 3;
  const mask = paddingMask(rng, B, T);
  const x = uniform(rng, B * T * C);
  const w = uniform(rng, B * C);
  checkGradient('masked mean', (z) => ref.dot(ref.maskedMeanForward(z, mask, B, T, C), w), x, ref.maskedMeanBackward(w, mask, B, T, C));
  const V = 4, D = 3;
  const ids = [2, -1, 0, 2, 3];
  const table = uniform(rng, V * D);
  const wo = uniform(rng, ids.length * D);
  checkGradient('embedding', (z) => ref.dot(ref.embeddingForward(z, ids, ids.length, D), wo), table,
    ref.embeddingBackward(wo, ids, V, ids.length, D));
});

describeBuilds('masked mean and embeddings', (rt) => {
  it('masked mean forward and backward match the reference for every width; empty sequences pool to 0', () => {
    const rng = new Rng(42);
    for (const C of ODD_SIZES) {
      const B = 4, T = 5;
      const mask = paddingMask(rng, B, T);
      const x = f32(uniform(rng, B * T * C));
      const y = meanForward(rt, x, mask, B, T, C);
      expectClose(`masked mean C=${C}`, y, ref.maskedMeanForward(x, mask, B, T, C), FORWARD);
      expect(Array.from(y.subarray(0, C)).every((v) => v === 0)).toBe(true); // sequence 0 has no real token
      const dy = f32(uniform(rng, B * C));
      const dx0 = f32(uniform(rng, B * T * C));
      const dx = meanBackward(rt, dx0, dy, mask, B, T, C);
      expectClose(`masked mean backward C=${C}`, dx, ref.maskedMeanBackward(dy, mask, B, T, C).map((g, i) => g + dx0[i]!), GRADIENT);
    }
  });

  it('padding values (even NaN) never reach the mean', () => {
    const x = [1, 2, NaN, NaN, 3, 4, 1e30, 1e30];
    const y = meanForward(rt, x, [1, 0, 1, 0], 2, 2, 2);
    expect(Array.from(y)).toEqual([1, 2, 3, 4]);
  });

  it('embedding forward and backward match the reference for every width; negative ids are zero rows', () => {
    const rng = new Rng(43);
    for (const D of ODD_SIZES) {
      const V = 6, n = 11;
      const ids = randomIds(rng, n, V);
      ids[0] = -1;
      ids[1] = ids[2] = 3; // a repeated id accumulates
      const table = f32(uniform(rng, V * D));
      const out = embedForward(rt, table, ids, D);
      expectClose(`embedding D=${D}`, out, ref.embeddingForward(table, ids, n, D), FORWARD);
      expect(Array.from(out.subarray(0, D)).every((v) => v === 0)).toBe(true);
      const dout = f32(uniform(rng, n * D));
      const d0 = f32(uniform(rng, V * D));
      const dtable = embedBackward(rt, d0, dout, ids, D);
      expectClose(`embedding backward D=${D}`, dtable, ref.embeddingBackward(dout, ids, V, n, D).map((g, i) => g + d0[i]!), GRADIENT);
    }
  });

  it('wasm gradients pass a one-direction float32 check', () => {
    const rng = new Rng(44);
    const B = 3, T = 6, C = 5;
    const mask = paddingMask(rng, B, T);
    const x = Float32Array.from(uniform(rng, B * T * C));
    const w = Float32Array.from(uniform(rng, B * C));
    directionalCheck('masked mean', (z) => ref.dot(meanForward(rt, z, mask, B, T, C), w), x,
      meanBackward(rt, new Float32Array(B * T * C), w, mask, B, T, C), rng);
    const V = 5, D = 6;
    const ids = randomIds(rng, 9, V);
    const table = Float32Array.from(uniform(rng, V * D));
    const wo = Float32Array.from(uniform(rng, 9 * D));
    directionalCheck('embedding', (z) => ref.dot(embedForward(rt, z, ids, D), wo), table,
      embedBackward(rt, new Float32Array(V * D), wo, ids, D), rng);
  });
});

it('masked mean and embeddings: relaxed within tolerance of baseline, baseline identical across runs', () => {
  const rng = new Rng(45);
  const B = 4, T = 5, C = 17;
  const mask = paddingMask(rng, B, T);
  const x = f32(uniform(rng, B * T * C));
  const dy = f32(uniform(rng, B * C));
  const ids = randomIds(rng, 13, 7);
  const table = f32(uniform(rng, 7 * C));
  const dout = f32(uniform(rng, 13 * C));
  expectBuildsAgree('pool/embed', (rt) => ({
    y: meanForward(rt, x, mask, B, T, C),
    dx: meanBackward(rt, new Float32Array(B * T * C), dy, mask, B, T, C),
    out: embedForward(rt, table, ids, C),
    dtable: embedBackward(rt, new Float32Array(7 * C), dout, ids, C),
  }));
});
