// The token-wise head of models 3, 4 and 5: mlp.{i} (Linear + ReLU) on every token, then `out` gives
// C sub-scores s_t (and, for weighted pooling, a weight logit a_t in row C). Pooled over the real tokens:
//   mean:     logits = Σ_t m_t·s_t / Σ_t m_t
//   weighted: w = softmax of a over the real tokens (padding weight exactly 0), logits = Σ_t w_t·s_t
// NOTE: a review without real tokens has logits 0 under both poolings (and no gradient).

import type { ParamSet } from './config.js';
import { denseStackBackward, denseStackForward, linearBackward, linearForward, type DenseStack } from './layers.js';

export type Pooling = 'mean' | 'weighted';

export interface TokenHeadSaved {
  stack: DenseStack;
  /** (B·T, rows) output rows: C sub-scores, plus the weight logit for weighted pooling. */
  rowsOut: Float64Array;
  rows: number;
  /** (B,T) softmaxed token weights (weighted pooling). */
  weights: Float64Array;
}

export interface TokenHeadResult {
  /** (B,C) */
  logits: Float64Array;
  /** (B,T,C) s_t of every position (padding positions are computed and not pooled). */
  subScores: Float64Array;
  /** (B,T) weighted pooling only. */
  tokenWeights?: Float64Array;
  saved: TokenHeadSaved;
}

export function tokenHeadForward(params: Readonly<ParamSet>, u: Float64Array, width: number, widths: readonly number[], C: number,
  pooling: Pooling, mask: ArrayLike<number>, B: number, T: number): TokenHeadResult {
  const M = B * T;
  const rows = C + (pooling === 'weighted' ? 1 : 0);
  const stack = denseStackForward(params, 'mlp', u, M, width, widths);
  const last = stack.outputs.length ? stack.outputs[stack.outputs.length - 1] : u;
  const rowsOut = new Float64Array(M * rows);
  linearForward(rowsOut, last, params['out.weight'], params['out.bias'], M, stack.widths[widths.length], rows);
  const logits = new Float64Array(B * C);
  const subScores = new Float64Array(M * C);
  const weights = new Float64Array(M);
  for (let i = 0; i < M; i++) for (let c = 0; c < C; c++) subScores[i * C + c] = rowsOut[i * rows + c];
  for (let b = 0; b < B; b++) {
    if (pooling === 'mean') {
      let count = 0;
      for (let t = 0; t < T; t++) count += mask[b * T + t];
      if (count === 0) continue;
      for (let c = 0; c < C; c++) {
        let sum = 0;
        for (let t = 0; t < T; t++) sum += mask[b * T + t] * rowsOut[(b * T + t) * rows + c];
        logits[b * C + c] = sum / count;
      }
    } else {
      // NOTE: −Infinity start and max-subtraction over the real tokens only
      let max = -Infinity;
      for (let t = 0; t < T; t++) if (mask[b * T + t] !== 0) max = Math.max(max, rowsOut[(b * T + t) * rows + C]);
      let sum = 0;
      for (let t = 0; t < T; t++) {
        if (mask[b * T + t] !== 0) sum += (weights[b * T + t] = Math.exp(rowsOut[(b * T + t) * rows + C] - max));
      }
      for (let t = 0; t < T; t++) {
        if (mask[b * T + t] === 0) continue;
        const w = (weights[b * T + t] /= sum);
        for (let c = 0; c < C; c++) logits[b * C + c] += w * rowsOut[(b * T + t) * rows + c];
      }
    }
  }
  const saved = { stack, rowsOut, rows, weights };
  return pooling === 'weighted' ? { logits, subScores, tokenWeights: weights, saved } : { logits, subScores, saved };
}

/** From dlogits (B,C), accumulates the head's gradients; returns d u (B·T, width). */
export function tokenHeadBackward(grads: ParamSet, dlogits: Float64Array, saved: TokenHeadSaved, params: Readonly<ParamSet>,
  u: Float64Array, C: number, pooling: Pooling, mask: ArrayLike<number>, B: number, T: number): Float64Array {
  const M = B * T;
  const { rows, rowsOut, weights, stack } = saved;
  const drows = new Float64Array(M * rows);
  for (let b = 0; b < B; b++) {
    if (pooling === 'mean') {
      let count = 0;
      for (let t = 0; t < T; t++) count += mask[b * T + t];
      if (count === 0) continue;
      // forward: logits = Σ_t m_t·s_t / count
      for (let t = 0; t < T; t++) {
        for (let c = 0; c < C; c++) drows[(b * T + t) * rows + c] = (mask[b * T + t] * dlogits[b * C + c]) / count;
      }
    } else {
      // forward: logits = Σ_t w_t·s_t, w = softmax(a) over the real tokens
      // so ds_t = w_t·dlogits, and with g_t = dlogits·s_t: da_t = w_t·(g_t − Σ_u w_u·g_u)
      let mean = 0;
      const g = new Float64Array(T);
      for (let t = 0; t < T; t++) {
        if (mask[b * T + t] === 0) continue;
        for (let c = 0; c < C; c++) g[t] += dlogits[b * C + c] * rowsOut[(b * T + t) * rows + c];
        mean += weights[b * T + t] * g[t];
      }
      for (let t = 0; t < T; t++) {
        if (mask[b * T + t] === 0) continue;
        const w = weights[b * T + t];
        for (let c = 0; c < C; c++) drows[(b * T + t) * rows + c] = w * dlogits[b * C + c];
        drows[(b * T + t) * rows + C] = w * (g[t] - mean);
      }
    }
  }
  const L = stack.outputs.length;
  const last = L ? stack.outputs[L - 1] : u;
  const dlast = new Float64Array(M * stack.widths[L]);
  linearBackward(dlast, grads['out.weight'], grads['out.bias'], drows, last, params['out.weight'], M, stack.widths[L], rows);
  return denseStackBackward(grads, dlast, params, 'mlp', u, M, stack);
}
