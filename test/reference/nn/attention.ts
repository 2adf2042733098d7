// Model 5's restricted self-attention: each real token t attends to the window slots o = 0 … 2k, at
// positions j = t − k + o. A slot is inside iff 0 ≤ j < T and m_j = 1; inside slots score q_t·k_j/√H.
//   ends 'zero' (the exercise): an outside slot is a zero key and value: score 0, value 0, and it takes
//                               part in the softmax
//   ends 'exclude':             outside slots are left out of the softmax (weight 0)
// A padding query has all-zero weights and output 0. q, k, v (B,T,H) are projected once per token.

export type Ends = 'zero' | 'exclude';

export interface WindowDims {
  B: number;
  T: number;
  H: number;
  /** k: slots on each side. */
  radius: number;
  ends: Ends;
}

function inside(mask: ArrayLike<number>, b: number, j: number, T: number): boolean {
  return j >= 0 && j < T && mask[b * T + j] !== 0;
}

/** Returns y (B,T,H) = Σ_slots p·v and the weights p (B,T,2k+1). */
export function windowAttentionForward(q: Float64Array, k: Float64Array, v: Float64Array, mask: ArrayLike<number>,
  dims: WindowDims): { y: Float64Array; weights: Float64Array } {
  const { B, T, H, radius, ends } = dims;
  const W = 2 * radius + 1;
  const y = new Float64Array(B * T * H);
  const weights = new Float64Array(B * T * W);
  const scores = new Float64Array(W);
  const scale = Math.sqrt(H);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      if (mask[b * T + t] === 0) continue; // a padding query: zero weights, zero output
      const qt = (b * T + t) * H;
      const p = weights.subarray((b * T + t) * W, (b * T + t + 1) * W);
      // NOTE: −Infinity start and max-subtraction; an excluded slot keeps p = 0
      let max = -Infinity;
      for (let o = 0; o < W; o++) {
        const j = t - radius + o;
        if (inside(mask, b, j, T)) {
          let dot = 0;
          for (let h = 0; h < H; h++) dot += q[qt + h] * k[(b * T + j) * H + h];
          scores[o] = dot / scale;
        } else {
          scores[o] = ends === 'zero' ? 0 : -Infinity;
        }
        max = Math.max(max, scores[o]);
      }
      let sum = 0;
      for (let o = 0; o < W; o++) sum += (p[o] = scores[o] === -Infinity ? 0 : Math.exp(scores[o] - max));
      for (let o = 0; o < W; o++) p[o] /= sum;
      for (let o = 0; o < W; o++) {
        const j = t - radius + o;
        if (!inside(mask, b, j, T)) continue; // a zero value
        for (let h = 0; h < H; h++) y[qt + h] += p[o] * v[(b * T + j) * H + h];
      }
    }
  }
  return { y, weights };
}

/** From dy (B,T,H), accumulates dq, dk, dv (B,T,H). */
export function windowAttentionBackward(dq: Float64Array, dk: Float64Array, dv: Float64Array, dy: Float64Array,
  weights: Float64Array, q: Float64Array, k: Float64Array, v: Float64Array, mask: ArrayLike<number>, dims: WindowDims): void {
  const { B, T, H, radius } = dims;
  const W = 2 * radius + 1;
  const dp = new Float64Array(W);
  const scale = Math.sqrt(H);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      if (mask[b * T + t] === 0) continue;
      const qt = (b * T + t) * H;
      const p = weights.subarray((b * T + t) * W, (b * T + t + 1) * W);
      // forward: y_t = Σ_inside p_o·v_j, so dp_o = dy_t·v_j and dv_j += p_o·dy_t (an outside slot's value is 0)
      let dot = 0;
      for (let o = 0; o < W; o++) {
        const j = t - radius + o;
        dp[o] = 0;
        if (!inside(mask, b, j, T)) continue;
        for (let h = 0; h < H; h++) {
          dp[o] += dy[qt + h] * v[(b * T + j) * H + h];
          dv[(b * T + j) * H + h] += p[o] * dy[qt + h];
        }
        dot += p[o] * dp[o];
      }
      // forward: p = softmax(scores), so dscore_o = p_o·(dp_o − Σ p·dp); excluded slots have p = 0
      // forward: score_o = q_t·k_j/√H for inside slots (an outside slot's score is a constant)
      for (let o = 0; o < W; o++) {
        const j = t - radius + o;
        if (!inside(mask, b, j, T)) continue;
        const ds = (p[o] * (dp[o] - dot)) / scale;
        for (let h = 0; h < H; h++) {
          dq[qt + h] += ds * k[(b * T + j) * H + h];
          dk[(b * T + j) * H + h] += ds * q[qt + h];
        }
      }
    }
  }
}
