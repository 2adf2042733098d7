// Gradient checks: central differences in float64 on reference functions (the analytic backward of a
// reference must agree to ~1e-7), and one random direction on float32 wasm kernels (JAX's check_grads
// idea: float32 central differences are only good to ~1e-3, so one well-scaled direction is checked).
import { expect } from 'vitest';
import { mismatch, type Tolerance } from './close.js';
import type { Rng } from '../../dist/index.js';

type Scalar64 = (x: Float64Array) => number;

/** Central differences of a scalar function f at x, for every coordinate. */
export function numericGradient(f: Scalar64, x: Float64Array, eps = 1e-6): Float64Array {
  const grad = new Float64Array(x.length);
  const probe = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    probe[i] = x[i]! + eps;
    const up = f(probe);
    probe[i] = x[i]! - eps;
    const down = f(probe);
    probe[i] = x[i]!;
    grad[i] = (up - down) / (2 * eps);
  }
  return grad;
}

/**
 * Asserts an analytic float64 gradient against central differences:
 * `checkGradient(f, x, analytic, tol?)`, or with a name first for the failure message,
 * `checkGradient(what, f, x, analytic, tol?, eps?)`.
 */
export function checkGradient(f: Scalar64, x: Float64Array, analytic: ArrayLike<number>, tol?: Tolerance, eps?: number): void;
export function checkGradient(what: string, f: Scalar64, x: Float64Array, analytic: ArrayLike<number>, tol?: Tolerance, eps?: number): void;
export function checkGradient(...args: unknown[]): void {
  const what = typeof args[0] === 'string' ? (args.shift() as string) : 'gradient';
  const [f, x, analytic, tol = { atol: 1e-7, rtol: 1e-6 }, eps = 1e-6] =
    args as [Scalar64, Float64Array, ArrayLike<number>, Tolerance | undefined, number | undefined];
  const problem = mismatch(analytic, numericGradient(f, x, eps), tol);
  expect(problem, `${what}: analytic vs central differences: ${problem}`).toBeUndefined();
}

/**
 * One-direction check of a float32 gradient: (f(x + εv) − f(x − εv)) / 2ε ≈ ⟨grad, v⟩ for a random unit
 * direction v. f is evaluated by the caller's wasm kernel on float32 inputs. Piecewise-linear functions
 * (ReLU) have kinks that a finite step may cross, so the difference is taken at three step sizes and
 * two of them must agree: a wrong gradient disagrees at every step size, a kink spoils at most one.
 */
export function checkDirection(what: string, f: (x: Float32Array) => number, x: Float32Array, grad: ArrayLike<number>,
  rng: Rng, { eps = 1e-2, rtol = 2e-2, atol = 1e-3 } = {}): void {
  const v = new Float64Array(x.length);
  let norm = 0;
  for (let i = 0; i < v.length; i++) {
    v[i] = rng.normal();
    norm += v[i]! * v[i]!;
  }
  norm = Math.sqrt(norm);
  let analytic = 0;
  for (let i = 0; i < v.length; i++) analytic += (grad[i]! * v[i]!) / norm;
  const estimates = [eps / 2, eps, eps * 2].map((h) => {
    const up = Float32Array.from(x, (xi, i) => xi + (h * v[i]!) / norm);
    const down = Float32Array.from(x, (xi, i) => xi - (h * v[i]!) / norm);
    return (f(up) - f(down)) / (2 * h);
  });
  const agreeing = estimates.filter((numeric) => Math.abs(numeric - analytic) <= atol + rtol * Math.abs(analytic)).length;
  expect(agreeing >= 2, `${what}: directional derivatives ${estimates.join(', ')} vs ⟨grad, v⟩ ${analytic}`).toBe(true);
}

/** The same check under the name the kernel tests use. */
export const directionalCheck = checkDirection;
