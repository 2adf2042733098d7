// The smoke suite: what every runtime lane runs first (Node, Deno, Bun, Chromium; workerd runs the same
// checks in test/workerd/smoke.worker.js). If one of these fails, seqwasm cannot work in that runtime
// at all, so the lane's other failures mean little until it passes.
import { expect, inject, it } from 'vitest';
import { createRuntime, hasRelaxedSimd, init, Rng, runtime, type Runtime } from '../dist/index.js';
import { expectClose, type Tolerance } from './helpers/close.js';
import { readBytes, runtimeName } from './helpers/env.js';
import { f32, uniform } from './helpers/random.js';
import { baseline, relaxed } from './helpers/runtime.js';
import { Buffers } from './helpers/wasm.js';
import * as ref from './reference/linear.js';

it('runs in the runtime its lane names', () => {
  // a lane that silently fell back to Node (say, bun without --bun) would otherwise pass green
  expect(runtimeName).toBe(inject('expectedRuntime'));
  // the second Node lane must really be the second Node, not whatever `node` is on PATH
  const node = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions?.node;
  if (inject('expectedLane') === 'node22') expect(node?.split('.')[0]).toBe('22');
  // and the first Node lane must be the machine's Node (.ci/run names it), not the node package's on PATH
  const machineNode = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.SEQWASM_EXPECT_NODE;
  if (inject('expectedLane') === 'node' && machineNode) expect(`v${node}`).toBe(machineNode);
});

it('init() with no argument finds and loads the build this engine supports', async () => {
  const rt = await init();
  expect(rt.simd).toBe(hasRelaxedSimd() ? 'relaxed' : 'baseline');
  expect(runtime()).toBe(rt);
});

it('compiles the kernel module from bytes', async () => {
  // createRuntime is init()'s loader without the program-wide state, which the test above already set
  const rt = await createRuntime(await readBytes(new URL('../dist/kernels.wasm', import.meta.url)));
  expect(rt.simd).toBe('baseline');
  expect(rt.memory).toBeInstanceOf(WebAssembly.Memory);
});

it('loads the baseline build on request, and the relaxed build (every CI engine validates relaxed SIMD)', () => {
  expect(baseline.simd).toBe('baseline');
  // Node 20 only with vitest.config.ts's execArgv flag; Node ≥ 22, Deno, Bun, Chromium and workerd by default
  expect(relaxed?.simd).toBe('relaxed');
});

// sums of K float32 products: the error grows like √K·ε, as in test/kernels/gemm.test.ts
const forwardTol = (K: number): Tolerance => ({ atol: 1e-5 * Math.sqrt(K), rtol: 1e-4 });

function linearForward(rt: Runtime, x: Float64Array, w: Float64Array, b: Float64Array, M: number, K: number, N: number) {
  const buf = new Buffers(rt);
  const y = buf.f32(new Float32Array(M * N).fill(Number.NaN)); // the kernel must overwrite every element
  rt.kernels.linearForward(y, buf.f32(x), buf.f32(w), buf.f32(b), M, K, N, buf.zeros(rt.kernels.linearWorkspace(M, K, N)));
  const out = buf.read(y, M * N);
  buf.free();
  return out;
}

for (const build of ['baseline', 'relaxed'] as const) {
  it(`linearForward (${build}) matches the float64 reference on odd sizes`, () => {
    const rt = build === 'baseline' ? baseline : relaxed!;
    const [M, K, N] = [3, 17, 5]; // every SIMD tail runs
    const rng = new Rng(11);
    const x = f32(uniform(rng, M * K)), w = f32(uniform(rng, N * K)), b = f32(uniform(rng, N));
    expectClose('y', linearForward(rt, x, w, b, M, K, N), ref.linearForward(x, w, b, M, K, N), forwardTol(K));
  });
}
