import { describe, expect, it } from 'vitest';
import { Rng, type Runtime } from '../../dist/index.js';
import { expectClose, expectIdentical, GRADIENT, type Tolerance } from '../helpers/close.js';
import { checkDirection, checkGradient } from '../helpers/gradcheck.js';
import { f32, ODD_SIZES, uniform } from '../helpers/random.js';
import { baseline, relaxed } from '../helpers/runtime.js';
import { Buffers } from '../helpers/wasm.js';
import * as ref from '../reference/linear.js';

// sums of K float32 products: the error grows like √K·ε·|terms|, so the absolute tolerance scales with √K
const forwardTol = (K: number): Tolerance => ({ atol: 1e-5 * Math.sqrt(K), rtol: 1e-4 });
const gradTol = (K: number): Tolerance => ({ atol: GRADIENT.atol * Math.sqrt(K / 16 + 1), rtol: GRADIENT.rtol });

interface Case {
  x: Float64Array;
  w: Float64Array;
  b: Float64Array;
  dy: Float64Array;
}

function makeCase(seed: number, M: number, K: number, N: number): Case {
  const rng = new Rng(seed);
  return { x: f32(uniform(rng, M * K)), w: f32(uniform(rng, N * K)), b: f32(uniform(rng, N)), dy: f32(uniform(rng, M * N)) };
}

/** Runs the three wasm forms; backward outputs start from `init` to check that they accumulate. */
function runWasm(rt: Runtime, c: Case, M: number, K: number, N: number, init = 0, bias = true) {
  const buf = new Buffers(rt);
  const k = rt.kernels;
  const work = buf.zeros(k.linearWorkspace(M, K, N));
  const x = buf.f32(c.x), w = buf.f32(c.w), dy = buf.f32(c.dy);
  const b = bias ? buf.f32(c.b) : 0;
  const y = buf.f32(new Float32Array(M * N).fill(Number.NaN)); // the forward must overwrite every element
  const dx = buf.f32(new Float32Array(M * K).fill(init));
  const dw = buf.f32(new Float32Array(N * K).fill(init));
  const db = buf.f32(new Float32Array(N).fill(init));
  k.linearForward(y, x, w, b, M, K, N, work);
  k.linearBackwardInput(dx, dy, w, M, K, N, work);
  k.linearBackwardWeight(dw, bias ? db : 0, x, dy, M, K, N, work);
  const out = { y: buf.read(y, M * N), dx: buf.read(dx, M * K), dw: buf.read(dw, N * K), db: buf.read(db, N) };
  buf.free();
  return out;
}

function expectMatchesReference(rt: Runtime, M: number, K: number, N: number, seed = 1): void {
  const c = makeCase(seed, M, K, N);
  const got = runWasm(rt, c, M, K, N);
  const y = ref.linearForward(c.x, c.w, c.b, M, K, N);
  const g = ref.linearBackward(c.x, c.w, c.dy, M, K, N);
  const shape = `(${M}×${K})·(${K}×${N})`;
  expectClose(`y ${shape}`, got.y, y, forwardTol(K));
  expectClose(`dx ${shape}`, got.dx, g.dx, gradTol(N));
  expectClose(`dw ${shape}`, got.dw, g.dw, gradTol(M));
  expectClose(`db ${shape}`, got.db, g.db, gradTol(M));
}

describe('linear reference (float64)', () => {
  it('backward matches central differences of L = Σ y∘dy', () => {
    const [M, K, N] = [3, 5, 4];
    const c = makeCase(7, M, K, N);
    const loss = (y: Float64Array) => y.reduce((s, v, i) => s + v * c.dy[i]!, 0);
    const g = ref.linearBackward(c.x, c.w, c.dy, M, K, N);
    checkGradient('dx', (x) => loss(ref.linearForward(x, c.w, c.b, M, K, N)), c.x, g.dx);
    checkGradient('dw', (w) => loss(ref.linearForward(c.x, w, c.b, M, K, N)), c.w, g.dw);
    checkGradient('db', (b) => loss(ref.linearForward(c.x, c.w, b, M, K, N)), c.b, g.db);
  });
});

describe.each([
  ['baseline', baseline],
  ['relaxed', relaxed!],
] as const)('GEMM (%s build)', (_, rt) => {
  it('matches the reference on odd shapes (every tile edge)', () => {
    let seed = 0;
    for (const M of ODD_SIZES) for (const K of [1, 5, 17]) for (const N of ODD_SIZES) expectMatchesReference(rt, M, K, N, ++seed);
  });

  it('matches the reference on the exercise shapes', () => {
    expectMatchesReference(rt, 32, 228, 384);
    expectMatchesReference(rt, 3200, 100, 128);
    expectMatchesReference(rt, 3200, 64, 64);
  });

  it('blocks the inner dimension (K and M beyond one block) correctly', () => {
    expectMatchesReference(rt, 9, 1100, 13);
    expectMatchesReference(rt, 1300, 7, 10);
  });

  it('backward forms accumulate into what the buffers held', () => {
    const [M, K, N] = [7, 9, 11];
    const c = makeCase(3, M, K, N);
    const fresh = runWasm(rt, c, M, K, N, 0);
    const added = runWasm(rt, c, M, K, N, 1.5);
    const plus = (a: Float32Array) => Array.from(a, (v) => v + 1.5);
    expectClose('dx', added.dx, plus(fresh.dx), { atol: 1e-5, rtol: 1e-6 });
    expectClose('dw', added.dw, plus(fresh.dw), { atol: 1e-5, rtol: 1e-6 });
    expectClose('db', added.db, plus(fresh.db), { atol: 1e-5, rtol: 1e-6 });
  });

  it('works without a bias (b = 0 pointer)', () => {
    const [M, K, N] = [5, 6, 9];
    const c = makeCase(4, M, K, N);
    const got = runWasm(rt, c, M, K, N, 0, false);
    expectClose('y', got.y, ref.linearForward(c.x, c.w, undefined, M, K, N), forwardTol(K));
    expect(Array.from(got.db)).toEqual(new Array(N).fill(0));
  });

  it('float32 gradients pass a directional finite-difference check', () => {
    const [M, K, N] = [6, 10, 7];
    const c = makeCase(5, M, K, N);
    const g = runWasm(rt, c, M, K, N);
    const lossAt = (x: Float32Array, w: Float32Array) => {
      const buf = new Buffers(rt);
      const y = buf.zeros(M * N);
      const work = buf.zeros(rt.kernels.linearWorkspace(M, K, N));
      rt.kernels.linearForward(y, buf.f32(x), buf.f32(w), buf.f32(c.b), M, K, N, work);
      const out = buf.read(y, M * N);
      buf.free();
      return out.reduce((s, v, i) => s + v * c.dy[i]!, 0);
    };
    const rng = new Rng(11);
    checkDirection('dx', (x) => lossAt(x, Float32Array.from(c.w)), Float32Array.from(c.x), g.dx, rng);
    checkDirection('dw', (w) => lossAt(Float32Array.from(c.x), w), Float32Array.from(c.w), g.dw, rng);
  });

  it('packed weights (recurrent path) give the same products, on strided rows', () => {
    const k = rt.kernels;
    const [M, K, N] = [6, 9, 13];
    const c = makeCase(6, M, K, N);
    const buf = new Buffers(rt);
    const ld = K + 3; // x rows are a slice of a wider buffer
    const xWide = new Float32Array(M * ld).fill(Number.NaN);
    for (let i = 0; i < M; i++) for (let j = 0; j < K; j++) xWide[i * ld + j] = c.x[i * K + j]!;
    const w = buf.f32(c.w);
    const packed = buf.zeros(k.packedWeightSize(N, K));
    k.packWeight(packed, w, N, K);
    const y = buf.zeros(M * N);
    const work = buf.zeros(k.gemmPackedWorkspace(K, N));
    k.gemmPacked(y, N, buf.f32(xWide), ld, packed, M, K, N, false, work);
    expectClose('x·wᵀ', buf.read(y, M * N), ref.linearForward(c.x, c.w, undefined, M, K, N), forwardTol(K));
    // the transposed pack multiplies by w itself: dx = dy·w, accumulated
    const packedT = buf.zeros(k.packedWeightTransposedSize(N, K));
    k.packWeightTransposed(packedT, w, N, K);
    const dx = buf.f32(new Float32Array(M * K).fill(2));
    k.gemmPacked(dx, K, buf.f32(c.dy), N, packedT, M, N, K, true, buf.zeros(k.gemmPackedWorkspace(N, K)));
    const expected = ref.linearBackward(c.x, c.w, c.dy, M, K, N).dx.map((v) => v + 2);
    expectClose('2 + dy·w', buf.read(dx, M * K), expected, gradTol(N));
    buf.free();
  });

  it('strided weight gradient matches the contiguous one on a column slice', () => {
    const k = rt.kernels;
    const [M, K, N, ld] = [8, 5, 3, 7];
    const rng = new Rng(9);
    const x = f32(uniform(rng, M * K));
    const wide = f32(uniform(rng, M * ld));
    const dy = new Float64Array(M * N);
    for (let i = 0; i < M; i++) for (let n = 0; n < N; n++) dy[i * N + n] = wide[i * ld + 2 + n]!; // columns 2..4
    const buf = new Buffers(rt);
    const dw = buf.zeros(N * K);
    const db = buf.zeros(N);
    k.linearBackwardWeightStrided(dw, db, buf.f32(x), K, buf.f32(wide) + 2 * 4, ld, M, K, N, buf.zeros(k.linearWorkspace(M, K, N)));
    const g = ref.linearBackward(x, new Float64Array(N * K), dy, M, K, N);
    expectClose('dw', buf.read(dw, N * K), g.dw, gradTol(M));
    expectClose('db', buf.read(db, N), g.db, gradTol(M));
    buf.free();
  });
});

describe('GEMM builds', () => {
  it('relaxed agrees with baseline within tolerance; baseline is bit-identical across runs', () => {
    const [M, K, N] = [33, 70, 45];
    const c = makeCase(8, M, K, N);
    const a = runWasm(baseline, c, M, K, N);
    const b = runWasm(baseline, c, M, K, N);
    const r = runWasm(relaxed!, c, M, K, N);
    for (const key of ['y', 'dx', 'dw', 'db'] as const) {
      expectIdentical(`baseline ${key}`, a[key], b[key]);
      expectClose(`relaxed ${key}`, r[key], a[key], { atol: 1e-4, rtol: 1e-4 });
    }
  });
});

describe('prepacked forward (inference and per-step weight caches)', () => {
  it('linearForwardPacked equals linearForward, including an inner dimension past one block', () => {
    for (const [M, K, N] of [[7, 9, 13], [1, 600, 40], [33, 1100, 5]] as const) {
      const c = makeCase(M + K + N, M, K, N);
      const buf = new Buffers(baseline);
      const k = baseline.kernels;
      const w = buf.f32(c.w);
      const packed = buf.zeros(k.packedWeightSize(N, K));
      k.packWeight(packed, w, N, K);
      const y = buf.zeros(M * N);
      k.linearForwardPacked(y, buf.f32(c.x), packed, buf.f32(c.b), M, K, N, buf.zeros(k.linearWorkspace(M, K, N)));
      expectClose(`(${M}×${K})·(${K}×${N})`, buf.read(y, M * N), ref.linearForward(c.x, c.w, c.b, M, K, N), forwardTol(K));
      buf.free();
    }
  });
});
