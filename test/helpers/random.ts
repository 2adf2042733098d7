// Seeded test inputs: every random value in the tests comes from here.
import { Rng } from '../../dist/index.js';

/** Uniform values in [lo, hi), as float64 (references) — convert with Float32Array.from for kernels. */
export function uniform(rng: Rng, n: number, lo = -2, hi = 2): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.uniform(lo, hi);
  return out;
}

/** The same values rounded to float32 and back, so a reference sees exactly what a kernel sees. */
export function f32(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(Float32Array.from(values));
}

/** Odd and even sizes that exercise every SIMD tail and edge path. */
export const ODD_SIZES = [1, 3, 5, 17, 129] as const;
