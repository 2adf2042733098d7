// Row-wise softmax with an optional mask, and its backward.
// Shapes: x, y, dx, dy (R,L); mask (R,L) of 1/0, or 0 for none. Masked entries get exactly 0; the max
// is taken over the unmasked entries only (−Infinity semantics, no sentinel values); a row with no
// unmasked entry is all zeros.

import { exp1 } from './simd';

// @ts-ignore: decorator
@inline const F32: usize = 4;

export function softmaxForward(y: usize, x: usize, mask: usize, R: i32, L: i32): void {
  for (let r = 0; r < R; r++) {
    const xr = x + <usize>(r * L) * F32;
    const yr = y + <usize>(r * L) * F32;
    const mr = mask + <usize>(r * L) * F32;
    let max: f32 = -Infinity;
    for (let i = 0; i < L; i++) {
      if (mask && load<f32>(mr + <usize>i * F32) == 0) continue;
      max = Mathf.max(max, load<f32>(xr + <usize>i * F32));
    }
    if (max == -Infinity) {
      // nothing unmasked (or every input −∞): zeros, never NaN
      memory.fill(yr, 0, <usize>L * F32);
      continue;
    }
    // rows are short here (C classes, or T token weights): a scalar loop; exp4 clamps its input, so a
    // −∞ entry is made exactly 0 explicitly
    let sum: f32 = 0;
    for (let i = 0; i < L; i++) {
      const o = <usize>i * F32;
      const xi = load<f32>(xr + o);
      const e: f32 = (mask && load<f32>(mr + o) == 0) || xi == -Infinity ? 0 : exp1(xi - max);
      store<f32>(yr + o, e);
      sum += e;
    }
    const inv: f32 = 1 / sum;
    for (let i = 0; i < L; i++) store<f32>(yr + <usize>i * F32, load<f32>(yr + <usize>i * F32) * inv);
  }
}

/** dx += y∘(dy − Σ y∘dy): the softmax Jacobian applied row by row; masked entries (y = 0) get 0. */
export function softmaxBackward(dx: usize, dy: usize, y: usize, R: i32, L: i32): void {
  for (let r = 0; r < R; r++) {
    const o = <usize>(r * L) * F32;
    let s: f32 = 0;
    for (let i = 0; i < L; i++) s += load<f32>(y + o + <usize>i * F32) * load<f32>(dy + o + <usize>i * F32);
    for (let i = 0; i < L; i++) {
      const p = o + <usize>i * F32;
      store<f32>(dx + p, load<f32>(dx + p) + load<f32>(y + p) * (load<f32>(dy + p) - s));
    }
  }
}
