// Row-wise softmax with an optional mask, and its backward.
// Shapes: x, y, dx, dy (R,L); mask (R,L) of 1/0, or 0 for none. Masked entries get exactly 0; the max
// is taken over the unmasked entries only (−Infinity semantics, no sentinel values); an −Infinity input
// gets exactly 0; a row with no unmasked finite entry is all zeros, never NaN.

import { exp1 } from './simd';

// @ts-ignore: decorator
@inline const F32: usize = 4;

export function softmaxForward(y: usize, x: usize, mask: usize, R: i32, L: i32): void {
  const row = <usize>L * F32;
  for (let r = 0; r < R; r++) {
    const xr = x + <usize>r * row;
    const yr = y + <usize>r * row;
    const mr = mask + <usize>r * row;
    let m: f32 = -Infinity;
    for (let i = 0; i < L; i++) {
      const o = <usize>i * F32;
      if (mask != 0 && load<f32>(mr + o) == 0) continue;
      m = max<f32>(m, load<f32>(xr + o));
    }
    if (m == -Infinity) {
      memory.fill(yr, 0, row); // y may alias x: write only after reading
      continue;
    }
    let sum: f32 = 0;
    for (let i = 0; i < L; i++) {
      const o = <usize>i * F32;
      const xi = load<f32>(xr + o);
      // exp1 clamps its input, so exact zeros for masked and −∞ entries are made here
      const e: f32 = (mask != 0 && load<f32>(mr + o) == 0) || xi == -Infinity ? 0 : exp1(xi - m);
      store<f32>(yr + o, e);
      sum += e;
    }
    const inv: f32 = <f32>1 / sum; // sum ≥ 1: the max entry contributes e^0
    for (let i = 0; i < L; i++) {
      const o = <usize>i * F32;
      store<f32>(yr + o, load<f32>(yr + o) * inv);
    }
  }
}

/** dx += y∘(dy − Σ y∘dy), row by row; masked entries (y = 0) receive 0. */
export function softmaxBackward(dx: usize, dy: usize, y: usize, R: i32, L: i32): void {
  const row = <usize>L * F32;
  for (let r = 0; r < R; r++) {
    const base = <usize>r * row;
    let s: f32 = 0;
    for (let i = 0; i < L; i++) {
      const o = base + <usize>i * F32;
      s += load<f32>(y + o) * load<f32>(dy + o);
    }
    for (let i = 0; i < L; i++) {
      const o = base + <usize>i * F32;
      store<f32>(dx + o, load<f32>(dx + o) + load<f32>(y + o) * (load<f32>(dy + o) - s));
    }
  }
}
