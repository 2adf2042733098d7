// Pooling sub-scores over the tokens of each sequence: the masked mean (model 3's head) and the
// softmax-weighted sum (model 4's head).
//   masked mean: x (B,T,C), mask (B,T) of weights (1 real, 0 padding), y (B,C)
//   weighted: o (B,T,C+1) rows [s_t (C sub-scores), a_t (weight logit)], weights (B,T), y (B,C)
// Padding contributes nothing: its weight is exactly 0, and a sequence with no real token pools to 0.

import { axpy, exp1 } from './simd';

// @ts-ignore: decorator
@inline const F32: usize = 4;

/** y[b,c] = Σ_t m[b,t]·x[b,t,c] / Σ_t m[b,t]  (0 when Σ_t m[b,t] = 0) */
export function maskedMeanForward(y: usize, x: usize, mask: usize, B: i32, T: i32, C: i32): void {
  for (let b = 0; b < B; b++) {
    const yb = y + <usize>(b * C) * F32;
    memory.fill(yb, 0, <usize>C * F32);
    let count: f32 = 0;
    for (let t = 0; t < T; t++) {
      const m = load<f32>(mask + <usize>(b * T + t) * F32);
      if (m == 0) continue;
      count += m;
      axpy(yb, x + <usize>((b * T + t) * C) * F32, m, C);
    }
    const inv: f32 = count != 0 ? <f32>1 / count : 0;
    for (let c = 0; c < C; c++) store<f32>(yb + <usize>c * F32, load<f32>(yb + <usize>c * F32) * inv);
  }
}

/** dx[b,t,c] += m[b,t]·dy[b,c] / Σ_t m[b,t] */
export function maskedMeanBackward(dx: usize, dy: usize, mask: usize, B: i32, T: i32, C: i32): void {
  for (let b = 0; b < B; b++) {
    let count: f32 = 0;
    for (let t = 0; t < T; t++) count += load<f32>(mask + <usize>(b * T + t) * F32);
    if (count == 0) continue;
    const inv: f32 = <f32>1 / count;
    const dyb = dy + <usize>(b * C) * F32;
    for (let t = 0; t < T; t++) {
      const m = load<f32>(mask + <usize>(b * T + t) * F32);
      if (m == 0) continue;
      axpy(dx + <usize>((b * T + t) * C) * F32, dyb, m * inv, C);
    }
  }
}

/** weights = softmax of a_t over the real tokens; y[b,:] = Σ_t w_t·s_t. */
export function weightedPoolForward(y: usize, weights: usize, o: usize, mask: usize, B: i32, T: i32, C: i32): void {
  const R = C + 1;
  for (let b = 0; b < B; b++) {
    const w = weights + <usize>(b * T) * F32;
    const m = mask + <usize>(b * T) * F32;
    const ob = o + <usize>(b * T * R) * F32;
    let max: f32 = -Infinity;
    for (let t = 0; t < T; t++) {
      if (load<f32>(m + <usize>t * F32) != 0) max = Mathf.max(max, load<f32>(ob + <usize>(t * R + C) * F32));
    }
    let sum: f32 = 0;
    for (let t = 0; t < T; t++) {
      const e: f32 = load<f32>(m + <usize>t * F32) != 0 ? exp1(load<f32>(ob + <usize>(t * R + C) * F32) - max) : 0;
      store<f32>(w + <usize>t * F32, e);
      sum += e;
    }
    const inv: f32 = sum > 0 ? 1 / sum : 0; // a row without real tokens pools to zeros
    const yb = y + <usize>(b * C) * F32;
    for (let c = 0; c < C; c++) store<f32>(yb + <usize>c * F32, 0);
    for (let t = 0; t < T; t++) {
      const wt = load<f32>(w + <usize>t * F32) * inv;
      store<f32>(w + <usize>t * F32, wt);
      if (wt == 0) continue;
      for (let c = 0; c < C; c++) {
        const p = yb + <usize>c * F32;
        store<f32>(p, load<f32>(p) + wt * load<f32>(ob + <usize>(t * R + c) * F32));
      }
    }
  }
}

/**
 * do (B,T,C+1) += gradient of y = Σ_t w_t s_t with w = softmax(a):
 * ds_t = w_t·dy; dw_t = dy·s_t; da_t = w_t·(dw_t − Σ_t' w_t'·dw_t').
 */
export function weightedPoolBackward(dout: usize, dy: usize, weights: usize, o: usize, B: i32, T: i32, C: i32): void {
  const R = C + 1;
  for (let b = 0; b < B; b++) {
    const w = weights + <usize>(b * T) * F32;
    const ob = o + <usize>(b * T * R) * F32;
    const db = dout + <usize>(b * T * R) * F32;
    const dyb = dy + <usize>(b * C) * F32;
    let mean: f32 = 0; // Σ_t w_t·dw_t
    for (let t = 0; t < T; t++) {
      const wt = load<f32>(w + <usize>t * F32);
      if (wt == 0) continue;
      let dw: f32 = 0;
      for (let c = 0; c < C; c++) dw += load<f32>(dyb + <usize>c * F32) * load<f32>(ob + <usize>(t * R + c) * F32);
      mean += wt * dw;
    }
    for (let t = 0; t < T; t++) {
      const wt = load<f32>(w + <usize>t * F32);
      if (wt == 0) continue;
      let dw: f32 = 0;
      for (let c = 0; c < C; c++) {
        const g = load<f32>(dyb + <usize>c * F32);
        dw += g * load<f32>(ob + <usize>(t * R + c) * F32);
        const p = db + <usize>(t * R + c) * F32;
        store<f32>(p, load<f32>(p) + wt * g);
      }
      const pa = db + <usize>(t * R + C) * F32;
      store<f32>(pa, load<f32>(pa) + wt * (dw - mean));
    }
  }
}
