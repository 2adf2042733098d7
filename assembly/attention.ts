// Restricted (windowed) self-attention: each real token t attends to the window slots j = t−k … t+k.
// A slot is inside when 0 ≤ j < T and token j is real (mask 1). Outside slots either act as zero
// keys and values that still take part in the softmax (endsZero = 1, the exercise's zero padding) or
// are excluded from it (endsZero = 0). Padding queries output zeros and have zero weights.
//
// Shapes: q, k, v, out (B,T,H) (projected once per token; the window is gathered here);
// probs (B,T,W) with W = 2k+1, slot o ↔ j = t − k + o; mask (B,T). scores = q_t·k_j / √H.
// Also the positional-encoding add of the input, x' = x + pe.

import { axpy, dot, exp1 } from './simd';

// @ts-ignore: decorator
@inline const F32: usize = 4;

// @ts-ignore: decorator
@inline function isInside(mask: usize, b: i32, j: i32, T: i32): bool {
  return j >= 0 && j < T && load<f32>(mask + <usize>(b * T + j) * F32) != 0;
}

export function attentionForward(out: usize, probs: usize, q: usize, k: usize, v: usize, mask: usize,
  B: i32, T: i32, H: i32, radius: i32, endsZero: i32): void {
  const W = 2 * radius + 1;
  const scale = <f32>(1 / Math.sqrt(<f64>H));
  const rowBytes = <usize>H * F32;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      const o = out + <usize>row * rowBytes;
      const p = probs + <usize>(row * W) * F32;
      memory.fill(o, 0, rowBytes);
      if (load<f32>(mask + <usize>row * F32) == 0) {
        memory.fill(p, 0, <usize>W * F32);
        continue;
      }
      const qt = q + <usize>row * rowBytes;
      // scores, with −Infinity for excluded slots; the center slot is always inside
      let max: f32 = -Infinity;
      for (let s = 0; s < W; s++) {
        const j = t - radius + s;
        let score: f32;
        if (isInside(mask, b, j, T)) score = dot(qt, k + <usize>(b * T + j) * rowBytes, H) * scale;
        else score = endsZero ? 0 : -Infinity;
        store<f32>(p + <usize>s * F32, score);
        if (score > max) max = score;
      }
      let sum: f32 = 0;
      for (let s = 0; s < W; s++) {
        const score = load<f32>(p + <usize>s * F32);
        const e: f32 = score == -Infinity ? 0 : exp1(score - max); // an excluded slot weighs exactly 0
        store<f32>(p + <usize>s * F32, e);
        sum += e;
      }
      const inv: f32 = 1 / sum;
      for (let s = 0; s < W; s++) {
        const ps = load<f32>(p + <usize>s * F32) * inv;
        store<f32>(p + <usize>s * F32, ps);
        const j = t - radius + s;
        if (ps != 0 && isInside(mask, b, j, T)) axpy(o, v + <usize>(b * T + j) * rowBytes, ps, H);
      }
    }
  }
}

/**
 * Accumulates dq, dk, dv (B,T,H) from dout (B,T,H), using the forward's probs:
 * dv_j += p·dout_t; ds = p∘(dp − Σ p·dp) with dp_s = dout_t·v_j; dq_t += Σ ds·k_j/√H; dk_j += ds·q_t/√H.
 */
export function attentionBackward(dq: usize, dk: usize, dv: usize, dout: usize, probs: usize, q: usize, k: usize,
  v: usize, mask: usize, B: i32, T: i32, H: i32, radius: i32): void {
  const W = 2 * radius + 1;
  const scale = <f32>(1 / Math.sqrt(<f64>H));
  const rowBytes = <usize>H * F32;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      if (load<f32>(mask + <usize>row * F32) == 0) continue;
      const p = probs + <usize>(row * W) * F32;
      const dot_ = dout + <usize>row * rowBytes;
      // dp_s for inside slots (outside slots have zero values: dp = 0), and Σ p·dp
      let pdp: f32 = 0;
      for (let s = 0; s < W; s++) {
        const j = t - radius + s;
        const dp: f32 = isInside(mask, b, j, T) ? dot(dot_, v + <usize>(b * T + j) * rowBytes, H) : 0;
        pdp += load<f32>(p + <usize>s * F32) * dp;
      }
      const qt = q + <usize>row * rowBytes;
      const dqt = dq + <usize>row * rowBytes;
      for (let s = 0; s < W; s++) {
        const j = t - radius + s;
        if (!isInside(mask, b, j, T)) continue;
        const ps = load<f32>(p + <usize>s * F32);
        const vj = v + <usize>(b * T + j) * rowBytes;
        const ds = ps * (dot(dot_, vj, H) - pdp) * scale;
        axpy(dv + <usize>(b * T + j) * rowBytes, dot_, ps, H);
        axpy(dqt, k + <usize>(b * T + j) * rowBytes, ds, H);
        axpy(dk + <usize>(b * T + j) * rowBytes, qt, ds, H);
      }
    }
  }
}

/** y[b,t,:] = x[b,t,:] + pe[t,:] for pe (T,D); its backward is the identity. */
export function addPositional(y: usize, x: usize, pe: usize, B: i32, T: i32, D: i32): void {
  const n = T * D;
  for (let b = 0; b < B; b++) {
    const off = <usize>(b * n) * F32;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i * F32;
      v128.store(y + off + o, f32x4.add(v128.load(x + off + o), v128.load(pe + o)));
    }
    for (; i < n; i++) {
      const o = <usize>i * F32;
      store<f32>(y + off + o, load<f32>(x + off + o) + load<f32>(pe + o));
    }
  }
}
