// Shared plumbing for the kernel tests: the runtimes to test, scoped buffers, and the three comparisons
// every kernel gets (wasm vs reference, relaxed vs baseline, baseline run twice).
import { describe } from 'vitest';
import type { Runtime } from '../../dist/index.js';
import { expectClose, expectIdentical, FORWARD, type Tolerance } from '../helpers/close.js';
import { baseline, relaxed } from '../helpers/runtime.js';
import { Buffers } from '../helpers/wasm.js';

export { baseline, relaxed };

/** Every build this engine runs: baseline always, relaxed where validated. */
export const RUNTIMES: Runtime[] = relaxed ? [baseline, relaxed] : [baseline];

/** Runs fn with fresh buffers in rt, releasing them afterwards. */
export function withBuffers<T>(rt: Runtime, fn: (b: Buffers) => T): T {
  const b = new Buffers(rt);
  try {
    return fn(b);
  } finally {
    b.free();
  }
}

/** Named outputs of one kernel run. */
export type Outputs = Record<string, Float32Array>;

/** The relaxed build within `tol` of the baseline, and the baseline bit-identical across two runs. */
export function expectBuildsAgree(what: string, run: (rt: Runtime) => Outputs, tol: Tolerance = FORWARD): void {
  const a = run(baseline);
  const b = run(baseline);
  for (const key of Object.keys(a)) expectIdentical(`${what} ${key} (baseline, run twice)`, a[key]!, b[key]!);
  if (relaxed) {
    const r = run(relaxed);
    for (const key of Object.keys(a)) expectClose(`${what} ${key} (relaxed vs baseline)`, r[key]!, a[key]!, tol);
  }
}

/** describe() once per build. */
export function describeBuilds(name: string, body: (rt: Runtime) => void): void {
  for (const rt of RUNTIMES) describe(`${name} [${rt.simd}]`, () => body(rt));
}
