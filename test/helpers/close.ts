// Numeric comparison used by every kernel and model test: |a − e| ≤ atol + rtol·|e|, shapes first,
// NaN never equal, and a failure message that says where and by how much.
import { expect } from 'vitest';

export interface Tolerance {
  atol: number;
  rtol: number;
}

/** Forward values: f32 kernels against an f64 reference. */
export const FORWARD: Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** Gradients: longer reductions, so looser. */
export const GRADIENT: Tolerance = { atol: 1e-4, rtol: 1e-3 };

type Numbers = ArrayLike<number>;

/** Describes the worst mismatch, or returns undefined when every element is close. */
export function mismatch(actual: Numbers, expected: Numbers, tol: Tolerance): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length}, expected ${expected.length}`;
  let bad = 0;
  let first = -1;
  let worst = -1;
  let worstExcess = -Infinity;
  let maxDiff = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const diff = Math.abs(a - e);
    const ok = diff <= tol.atol + tol.rtol * Math.abs(e); // false for NaN on either side
    if (Number.isFinite(diff)) maxDiff = Math.max(maxDiff, diff);
    if (!ok) {
      bad++;
      if (first < 0) first = i;
      const excess = Number.isNaN(diff) ? Infinity : diff - tol.rtol * Math.abs(e);
      if (excess > worstExcess) {
        worstExcess = excess;
        worst = i;
      }
    }
  }
  if (!bad) return undefined;
  const at = (i: number) => `[${i}] got ${actual[i]} expected ${expected[i]}`;
  return `${bad}/${actual.length} elements differ (atol ${tol.atol}, rtol ${tol.rtol}); first ${at(first)}; worst ${at(worst)}; max |diff| ${maxDiff}`;
}

/** Asserts shape (when given) and closeness; `what` names the tensor in the failure message. */
export function expectClose(what: string, actual: Numbers, expected: Numbers, tol: Tolerance = FORWARD,
  shapes?: { actual: readonly number[]; expected: readonly number[] }): void {
  if (shapes) expect(shapes.actual, `${what}: shape`).toEqual(shapes.expected);
  const problem = mismatch(actual, expected, tol);
  expect(problem, `${what}: ${problem}`).toBeUndefined();
}

/** Asserts bitwise equality (NaN included), for determinism tests. */
export function expectIdentical(what: string, actual: Float32Array, expected: Float32Array): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) expect.fail(`${what}: [${i}] ${actual[i]} is not bit-identical to ${expected[i]}`);
  }
}
