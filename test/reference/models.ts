// Float64 reference of the five model kinds: the spec that the wasm models and the PyTorch fixtures
// (scripts/golden.py, test/golden/*.json) are held to. Plain loops, no wasm, every layer's backward written
// by hand directly below its forward; backward functions accumulate (+=) into their d* outputs.
//
// Shapes: x (B,T,D), mask (B,T) with 1 for a real token and 0 for padding, logits (B,C). Linear weights
// are PyTorch's (out, in). Parameter names and shapes are those of src/nn/config.ts `paramSpecs`
// (embeddings are not part of the reference: it takes vectors x). Masking is defined so that padding
// changes nothing: a padded review gives the same logits and parameter gradients as the review alone,
// and padding tokens get exactly zero dx.

import type { ModelConfig } from '../../dist/index.js';
import { linearBackward, linearForward } from './linear.js';

export interface ReferenceBatch {
  B: number;
  T: number;
  /** (B,T,D) */
  x: Float64Array;
  /** (B,T), 1 real / 0 padding */
  mask: Float64Array;
  /** (B): class ids for cross-entropy, float targets in [0, 1] for bce */
  targets: ArrayLike<number>;
}

export interface ReferenceResult {
  /** (B,C) */
  logits: Float64Array;
  /** mean over the batch */
  loss: number;
  /** ∂loss/∂param, same names and layout as the params */
  grads: Record<string, Float64Array>;
  /** (B,T,D) ∂loss/∂x */
  dx: Float64Array;
  /** (B,T,C) per-token sub-scores (mlp, weighted-mlp, attention) */
  subScores?: Float64Array;
  /** (B,T) softmax of the weight logits over the real tokens (weighted pooling), 0 on padding */
  tokenWeights?: Float64Array;
  /** (B,T,2k+1) attention weights, slot s ↔ token j = t − k + s; rows of padding queries are 0 */
  attention?: Float64Array;
}

type Params = Record<string, Float64Array>;

// ---------------------------------------------------------------------------------------------------
// config defaults (as src/nn/config.ts resolveConfig fills them)

interface Spec {
  kind: ModelConfig['kind'];
  D: number;
  C: number;
  bce: boolean;
  H: number;
  activation: 'sigmoid' | 'tanh' | 'relu';
  gate: 'exercise' | 'pytorch';
  head: number[];
  radius: number;
  endsZero: boolean;
  weighted: boolean;
}

function specOf(config: ModelConfig): Spec {
  if (config.embedding) throw new Error('referenceModel takes vectors x: remove `embedding` from the config');
  const bce = config.loss === 'bce';
  const s: Spec = {
    kind: config.kind, D: config.input, C: config.outputs ?? (bce ? 1 : 2), bce,
    H: 0, activation: 'sigmoid', gate: 'exercise', head: [], radius: 0, endsZero: true, weighted: false,
  };
  // `head` is the stack of hidden Linear+ReLU widths after the features: rnn/gru `head`, the others `widths`
  switch (config.kind) {
    case 'rnn':
      return { ...s, H: config.hidden, activation: config.activation ?? 'sigmoid', head: config.head ?? [] };
    case 'gru':
      return { ...s, H: config.hidden, gate: config.gate ?? 'exercise', head: config.head ?? [] };
    case 'mlp':
      return { ...s, head: config.widths };
    case 'weighted-mlp':
      return { ...s, head: config.widths, weighted: true };
    case 'attention':
      return {
        ...s, H: config.hidden, radius: config.radius, head: config.widths ?? [config.hidden],
        endsZero: (config.ends ?? 'zero') === 'zero', weighted: config.pooling === 'weighted',
      };
  }
}

function param(params: Params, name: string): Float64Array {
  const p = params[name];
  if (!p) throw new Error(`referenceModel: missing parameter ${name}`);
  return p;
}

// ---------------------------------------------------------------------------------------------------
// elementwise activations; backward from the saved output y

type Act = 'sigmoid' | 'tanh' | 'relu';

function activate(act: Act, a: number): number {
  if (act === 'sigmoid') return 1 / (1 + Math.exp(-a));
  if (act === 'tanh') return Math.tanh(a);
  return a > 0 ? a : 0;
}

/** dy/da from y = act(a) */
function activateSlope(act: Act, y: number): number {
  if (act === 'sigmoid') return y * (1 - y);
  if (act === 'tanh') return 1 - y * y;
  return y > 0 ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------
// stack of Linear+ReLU layers over M rows, then the `out` Linear (no activation)

interface StackCache {
  /** inputs of each layer (the stack input, then each hidden output), and the out layer's output */
  acts: Float64Array[];
  out: Float64Array;
}

function stackForward(params: Params, prefix: string, widths: readonly number[], x: Float64Array, M: number, K: number,
  outRows: number): StackCache {
  const acts = [x];
  let inp = K;
  for (const [i, w] of widths.entries()) {
    const y = linearForward(acts[i]!, param(params, `${prefix}.${i}.weight`), param(params, `${prefix}.${i}.bias`), M, inp, w);
    for (let j = 0; j < y.length; j++) y[j] = y[j]! > 0 ? y[j]! : 0;
    acts.push(y);
    inp = w;
  }
  const out = linearForward(acts[widths.length]!, param(params, 'out.weight'), param(params, 'out.bias'), M, inp, outRows);
  return { acts, out };
}

/** Accumulates the layers' parameter gradients into grads; returns dx (M,K). */
function stackBackward(grads: Params, params: Params, prefix: string, widths: readonly number[], dout: Float64Array,
  cache: StackCache, M: number, K: number, outRows: number): Float64Array {
  const dims = [K, ...widths];
  const n = widths.length;
  let g = linearBackward(cache.acts[n]!, param(params, 'out.weight'), dout, M, dims[n]!, outRows);
  addInto(grads['out.weight']!, g.dw);
  addInto(grads['out.bias']!, g.db);
  for (let i = n - 1; i >= 0; i--) {
    // forward: y = relu(x·wᵀ + b), so da = dy where y > 0
    const y = cache.acts[i + 1]!;
    const da = g.dx;
    for (let j = 0; j < da.length; j++) if (!(y[j]! > 0)) da[j] = 0;
    g = linearBackward(cache.acts[i]!, param(params, `${prefix}.${i}.weight`), da, M, dims[i]!, dims[i + 1]!);
    addInto(grads[`${prefix}.${i}.weight`]!, g.dw);
    addInto(grads[`${prefix}.${i}.bias`]!, g.db);
  }
  return g.dx;
}

function addInto(acc: Float64Array, v: ArrayLike<number>): void {
  for (let i = 0; i < acc.length; i++) acc[i]! += v[i]!;
}

// ---------------------------------------------------------------------------------------------------
// small vector products for the recurrences: rows r0…r0+N−1 of w (·, K)

/** y[n] += Σ_k w[r0+n, k]·x[k] */
function matvecAdd(y: Float64Array, w: Float64Array, r0: number, N: number, K: number, x: ArrayLike<number>, xo = 0): void {
  for (let n = 0; n < N; n++) {
    let s = 0;
    for (let k = 0; k < K; k++) s += w[(r0 + n) * K + k]! * x[xo + k]!;
    y[n]! += s;
  }
}

/** dx[k] += Σ_n w[r0+n, k]·dy[n] */
function matTvecAdd(dx: Float64Array, dxo: number, w: Float64Array, r0: number, N: number, K: number, dy: ArrayLike<number>): void {
  for (let n = 0; n < N; n++) {
    const g = dy[n]!;
    for (let k = 0; k < K; k++) dx[dxo + k]! += w[(r0 + n) * K + k]! * g;
  }
}

/** dw[r0+n, k] += dy[n]·x[k] */
function outerAdd(dw: Float64Array, r0: number, N: number, K: number, dy: ArrayLike<number>, x: ArrayLike<number>, xo = 0): void {
  for (let n = 0; n < N; n++) {
    const g = dy[n]!;
    for (let k = 0; k < K; k++) dw[(r0 + n) * K + k]! += g * x[xo + k]!;
  }
}

// ---------------------------------------------------------------------------------------------------
// 1. Elman RNN: h_t = m_t·act(W_ih x_t + W_hh h_{t−1} + b) + (1 − m_t)·h_{t−1}, h_0 = 0

interface RnnCache {
  /** (T+1, B, H): h[0] = 0, h[t+1] after token t */
  h: Float64Array;
  /** (T, B, H): act(·) of each step (padding steps: unused) */
  g: Float64Array;
}

function rnnForward(s: Spec, params: Params, x: Float64Array, mask: Float64Array, B: number, T: number): RnnCache {
  const { D, H } = s;
  const wih = param(params, 'rnn.weight_ih');
  const whh = param(params, 'rnn.weight_hh');
  const bias = param(params, 'rnn.bias');
  const h = new Float64Array((T + 1) * B * H);
  const g = new Float64Array(T * B * H);
  const a = new Float64Array(H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const prev = (t * B + b) * H;
      const next = ((t + 1) * B + b) * H;
      const m = mask[b * T + t]!;
      if (m === 0) {
        h.copyWithin(next, prev, prev + H); // padding: the state carries over unchanged
        continue;
      }
      a.set(bias);
      matvecAdd(a, wih, 0, H, D, x, (b * T + t) * D);
      matvecAdd(a, whh, 0, H, H, h, prev);
      for (let n = 0; n < H; n++) {
        const gn = activate(s.activation, a[n]!);
        g[(t * B + b) * H + n] = gn;
        h[next + n] = m * gn + (1 - m) * h[prev + n]!;
      }
    }
  }
  return { h, g };
}

/** dhT (B,H) is ∂loss/∂h_T; accumulates grads and dx. */
function rnnBackward(s: Spec, grads: Params, dx: Float64Array, dhT: Float64Array, cache: RnnCache, params: Params,
  x: Float64Array, mask: Float64Array, B: number, T: number): void {
  const { D, H } = s;
  const wih = param(params, 'rnn.weight_ih');
  const whh = param(params, 'rnn.weight_hh');
  const dh = Float64Array.from(dhT);
  const da = new Float64Array(H);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) {
      const m = mask[b * T + t]!;
      if (m === 0) continue; // h_{t−1} = h_t: dh passes through
      const dhb = dh.subarray(b * H, (b + 1) * H);
      // forward: h_t = m·g + (1 − m)·h_{t−1}, g = act(a)
      for (let n = 0; n < H; n++) da[n] = m * dhb[n]! * activateSlope(s.activation, cache.g[(t * B + b) * H + n]!);
      const xo = (b * T + t) * D;
      const prev = (t * B + b) * H;
      outerAdd(grads['rnn.weight_ih']!, 0, H, D, da, x, xo);
      outerAdd(grads['rnn.weight_hh']!, 0, H, H, da, cache.h, prev);
      addInto(grads['rnn.bias']!, da);
      matTvecAdd(dx, xo, wih, 0, H, D, da);
      for (let n = 0; n < H; n++) dhb[n] = (1 - m) * dhb[n]!;
      matTvecAdd(dhb, 0, whh, 0, H, H, da);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// 2. GRU, gate rows [r; z; n].
//   exercise: r = σ(W_ir x + W_hr h + b_r), z = σ(W_iz x + W_hz h + b_z), n = tanh(W_in x + W_hn(r∘h) + b_n),
//             h' = (1 − z)∘h + z∘n
//   pytorch:  r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + r∘(W_hn h + b_hn)),
//             h' = (1 − z)∘n + z∘h
//   masked:   h_t = m·h' + (1 − m)·h_{t−1}

interface GruCache {
  /** (T+1, B, H) states */
  h: Float64Array;
  /** (T, B, 3H): r, z, n of each step */
  gates: Float64Array;
  /** (T, B, H) pytorch: W_hn h + b_hn (what r multiplies) */
  hn: Float64Array;
}

function gruForward(s: Spec, params: Params, x: Float64Array, mask: Float64Array, B: number, T: number): GruCache {
  const { D, H } = s;
  const exercise = s.gate === 'exercise';
  const wih = param(params, 'gru.weight_ih');
  const whh = param(params, 'gru.weight_hh');
  const bih = exercise ? param(params, 'gru.bias') : param(params, 'gru.bias_ih');
  const bhh = exercise ? undefined : param(params, 'gru.bias_hh');
  const h = new Float64Array((T + 1) * B * H);
  const gates = new Float64Array(T * B * 3 * H);
  const hnAll = new Float64Array(T * B * H);
  const gi = new Float64Array(3 * H);
  const gh = new Float64Array(3 * H);
  const rh = new Float64Array(H);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const prev = (t * B + b) * H;
      const next = ((t + 1) * B + b) * H;
      const m = mask[b * T + t]!;
      if (m === 0) {
        h.copyWithin(next, prev, prev + H);
        continue;
      }
      const hp = h.subarray(prev, prev + H);
      gi.set(bih);
      matvecAdd(gi, wih, 0, 3 * H, D, x, (b * T + t) * D);
      if (bhh) gh.set(bhh);
      else gh.fill(0);
      const gt = gates.subarray((t * B + b) * 3 * H, (t * B + b + 1) * 3 * H);
      if (exercise) {
        matvecAdd(gh, whh, 0, 2 * H, H, hp); // r and z rows only
        for (let n = 0; n < H; n++) {
          gt[n] = activate('sigmoid', gi[n]! + gh[n]!);
          gt[H + n] = activate('sigmoid', gi[H + n]! + gh[H + n]!);
          rh[n] = gt[n]! * hp[n]!;
        }
        const an = gi.subarray(2 * H); // W_in x + b_n, then += W_hn (r∘h)
        matvecAdd(an, whh, 2 * H, H, H, rh);
        for (let n = 0; n < H; n++) {
          gt[2 * H + n] = Math.tanh(an[n]!);
          const hNew = (1 - gt[H + n]!) * hp[n]! + gt[H + n]! * gt[2 * H + n]!;
          h[next + n] = m * hNew + (1 - m) * hp[n]!;
        }
      } else {
        matvecAdd(gh, whh, 0, 3 * H, H, hp);
        for (let n = 0; n < H; n++) {
          const r = activate('sigmoid', gi[n]! + gh[n]!);
          const z = activate('sigmoid', gi[H + n]! + gh[H + n]!);
          const nn = Math.tanh(gi[2 * H + n]! + r * gh[2 * H + n]!);
          gt[n] = r;
          gt[H + n] = z;
          gt[2 * H + n] = nn;
          hnAll[(t * B + b) * H + n] = gh[2 * H + n]!;
          const hNew = (1 - z) * nn + z * hp[n]!;
          h[next + n] = m * hNew + (1 - m) * hp[n]!;
        }
      }
    }
  }
  return { h, gates, hn: hnAll };
}

function gruBackward(s: Spec, grads: Params, dx: Float64Array, dhT: Float64Array, cache: GruCache, params: Params,
  x: Float64Array, mask: Float64Array, B: number, T: number): void {
  const { D, H } = s;
  const exercise = s.gate === 'exercise';
  const wih = param(params, 'gru.weight_ih');
  const whh = param(params, 'gru.weight_hh');
  const dwih = grads['gru.weight_ih']!;
  const dwhh = grads['gru.weight_hh']!;
  const dbih = exercise ? grads['gru.bias']! : grads['gru.bias_ih']!;
  const dbhh = exercise ? undefined : grads['gru.bias_hh']!;
  const dh = Float64Array.from(dhT);
  const dgi = new Float64Array(3 * H); // ∂/∂(W_i x + b_i) of the three gates
  const dgh = new Float64Array(3 * H); // ∂/∂ the recurrent pre-activations (exercise: n's is ∂/∂ W_hn(r∘h))
  const rh = new Float64Array(H);
  const drh = new Float64Array(H);
  for (let t = T - 1; t >= 0; t--) {
    for (let b = 0; b < B; b++) {
      const m = mask[b * T + t]!;
      if (m === 0) continue;
      const prev = (t * B + b) * H;
      const hp = cache.h.subarray(prev, prev + H);
      const gt = cache.gates.subarray((t * B + b) * 3 * H, (t * B + b + 1) * 3 * H);
      const dhb = dh.subarray(b * H, (b + 1) * H);
      const xo = (b * T + t) * D;
      if (exercise) {
        // forward: h' = (1 − z)∘h + z∘n; n = tanh(a_n), a_n = W_in x + b_n + W_hn(r∘h)
        for (let n = 0; n < H; n++) {
          const r = gt[n]!;
          const z = gt[H + n]!;
          const nn = gt[2 * H + n]!;
          const dhNew = m * dhb[n]!;
          const dz = dhNew * (nn - hp[n]!);
          const dn = dhNew * z;
          dgi[2 * H + n] = dn * (1 - nn * nn);
          dgh[2 * H + n] = dgi[2 * H + n]!;
          dgi[H + n] = dz * z * (1 - z);
          dgh[H + n] = dgi[H + n]!;
          rh[n] = r * hp[n]!;
          dhb[n] = (1 - m) * dhb[n]! + dhNew * (1 - z);
        }
        // a_n's recurrent part W_hn(r∘h): d(r∘h) = W_hnᵀ da_n
        outerAdd(dwhh, 2 * H, H, H, dgh.subarray(2 * H), rh);
        drh.fill(0);
        matTvecAdd(drh, 0, whh, 2 * H, H, H, dgh.subarray(2 * H));
        for (let n = 0; n < H; n++) {
          const r = gt[n]!;
          // forward: r = σ(a_r)
          dgi[n] = drh[n]! * hp[n]! * r * (1 - r);
          dgh[n] = dgi[n]!;
          dhb[n]! += drh[n]! * r;
        }
        outerAdd(dwhh, 0, 2 * H, H, dgh, hp);
        matTvecAdd(dhb, 0, whh, 0, 2 * H, H, dgh);
      } else {
        // forward: h' = (1 − z)∘n + z∘h; n = tanh(gi_n + r∘gh_n); gh = W_h h + b_h
        for (let n = 0; n < H; n++) {
          const r = gt[n]!;
          const z = gt[H + n]!;
          const nn = gt[2 * H + n]!;
          const ghn = cache.hn[(t * B + b) * H + n]!;
          const dhNew = m * dhb[n]!;
          const dz = dhNew * (hp[n]! - nn);
          const dan = dhNew * (1 - z) * (1 - nn * nn);
          const dr = dan * ghn;
          dgi[2 * H + n] = dan;
          dgh[2 * H + n] = dan * r;
          dgi[n] = dr * r * (1 - r);
          dgh[n] = dgi[n]!;
          dgi[H + n] = dz * z * (1 - z);
          dgh[H + n] = dgi[H + n]!;
          dhb[n] = (1 - m) * dhb[n]! + dhNew * z;
        }
        outerAdd(dwhh, 0, 3 * H, H, dgh, hp);
        addInto(dbhh!, dgh);
        matTvecAdd(dhb, 0, whh, 0, 3 * H, H, dgh);
      }
      outerAdd(dwih, 0, 3 * H, D, dgi, x, xo);
      addInto(dbih, dgi);
      matTvecAdd(dx, xo, wih, 0, 3 * H, D, dgi);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// 5. positions and windowed attention. x' = x + PE; u = ReLU(proj x'); q, k, v = W u (no bias);
// token t's slots j = t−k … t+k are inside when 0 ≤ j < T and m_j = 1; scores q_t·k_j/√H. ends 'zero':
// outside slots score 0 with value 0 and still take part in the softmax; 'exclude': they weigh 0.

/** models.py sinusoidal_pe in float64: pe[t, 2i] = sin(t·ω_i), pe[t, 2i+1] = cos(t·ω_i), ω_i = 10000^(−2i/D). */
export function positionalEncoding(T: number, D: number): Float64Array {
  const pe = new Float64Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let i = 0; 2 * i < D; i++) {
      const angle = t * Math.exp(2 * i * (-Math.log(10000) / D));
      pe[t * D + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < D) pe[t * D + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

/** Returns y (B,T,H) and the weights p (B,T,W). */
function attentionForward(q: Float64Array, k: Float64Array, v: Float64Array, mask: Float64Array, B: number, T: number,
  H: number, radius: number, endsZero: boolean): { y: Float64Array; p: Float64Array } {
  const W = 2 * radius + 1;
  const scale = 1 / Math.sqrt(H);
  const y = new Float64Array(B * T * H);
  const p = new Float64Array(B * T * W);
  const inside = (b: number, j: number) => j >= 0 && j < T && mask[b * T + j] !== 0;
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      if (mask[row] === 0) continue; // padding query: output 0, weights 0
      const pr = p.subarray(row * W, (row + 1) * W);
      let max = -Infinity;
      for (let s = 0; s < W; s++) {
        const j = t - radius + s;
        let score = endsZero ? 0 : -Infinity;
        if (inside(b, j)) {
          score = 0;
          for (let h = 0; h < H; h++) score += q[row * H + h]! * k[(b * T + j) * H + h]!;
          score *= scale;
        }
        pr[s] = score;
        max = Math.max(max, score);
      }
      let sum = 0;
      for (let s = 0; s < W; s++) {
        pr[s] = pr[s] === -Infinity ? 0 : Math.exp(pr[s]! - max);
        sum += pr[s]!;
      }
      for (let s = 0; s < W; s++) {
        pr[s]! /= sum;
        const j = t - radius + s;
        if (!inside(b, j)) continue; // a zero value
        for (let h = 0; h < H; h++) y[row * H + h]! += pr[s]! * v[(b * T + j) * H + h]!;
      }
    }
  }
  return { y, p };
}

/** Accumulates dq, dk, dv (B,T,H) from dy (B,T,H). */
function attentionBackward(dq: Float64Array, dk: Float64Array, dv: Float64Array, dy: Float64Array, p: Float64Array,
  q: Float64Array, k: Float64Array, v: Float64Array, mask: Float64Array, B: number, T: number, H: number, radius: number): void {
  const W = 2 * radius + 1;
  const scale = 1 / Math.sqrt(H);
  const inside = (b: number, j: number) => j >= 0 && j < T && mask[b * T + j] !== 0;
  const dp = new Float64Array(W);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      if (mask[row] === 0) continue;
      // forward: y_t = Σ_s p_s v_j (inside slots); p = softmax(scores)
      let pdp = 0;
      for (let s = 0; s < W; s++) {
        const j = t - radius + s;
        dp[s] = 0; // an outside slot's value is 0
        if (inside(b, j)) for (let h = 0; h < H; h++) dp[s]! += dy[row * H + h]! * v[(b * T + j) * H + h]!;
        pdp += p[row * W + s]! * dp[s]!;
      }
      for (let s = 0; s < W; s++) {
        const j = t - radius + s;
        if (!inside(b, j)) continue; // an outside score is the constant 0 (or absent): no gradient
        const ps = p[row * W + s]!;
        const ds = ps * (dp[s]! - pdp) * scale; // ∂/∂(q_t·k_j)
        for (let h = 0; h < H; h++) {
          dv[(b * T + j) * H + h]! += ps * dy[row * H + h]!;
          dq[row * H + h]! += ds * k[(b * T + j) * H + h]!;
          dk[(b * T + j) * H + h]! += ds * q[row * H + h]!;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// token-wise pooling of sub-scores s (B,T,C) into logits (B,C).
// mean: w_t = m_t / Σ m. weighted: w = softmax of the weight logits a over the real tokens (0 on padding).

function poolForward(o: Float64Array, mask: Float64Array, B: number, T: number, C: number, weighted: boolean): {
  logits: Float64Array; w: Float64Array;
} {
  const rows = C + (weighted ? 1 : 0);
  const w = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    if (!weighted) {
      let n = 0;
      for (let t = 0; t < T; t++) n += mask[b * T + t]!;
      // a sequence without a real token pools to 0, as the kernels do
      for (let t = 0; t < T; t++) w[b * T + t] = n > 0 ? mask[b * T + t]! / n : 0;
      continue;
    }
    let max = -Infinity;
    for (let t = 0; t < T; t++) if (mask[b * T + t] !== 0) max = Math.max(max, o[(b * T + t) * rows + C]!);
    let sum = 0;
    for (let t = 0; t < T; t++) {
      if (mask[b * T + t] === 0) continue;
      w[b * T + t] = Math.exp(o[(b * T + t) * rows + C]! - max);
      sum += w[b * T + t]!;
    }
    if (sum > 0) for (let t = 0; t < T; t++) w[b * T + t]! /= sum;
  }
  const logits = new Float64Array(B * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const wt = w[b * T + t]!;
      if (wt === 0) continue;
      for (let c = 0; c < C; c++) logits[b * C + c]! += wt * o[(b * T + t) * rows + c]!;
    }
  }
  return { logits, w };
}

/** Returns do (B,T,rows) from dlogits (B,C). */
function poolBackward(dlogits: Float64Array, o: Float64Array, w: Float64Array, mask: Float64Array, B: number, T: number,
  C: number, weighted: boolean): Float64Array {
  const rows = C + (weighted ? 1 : 0);
  const dout = new Float64Array(B * T * rows);
  for (let b = 0; b < B; b++) {
    // forward: logits = Σ_t w_t s_t, so ds_t = w_t·dlogits and dw_t = s_t·dlogits
    let wdw = 0;
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      if (mask[row] === 0) continue;
      let dw = 0;
      for (let c = 0; c < C; c++) {
        dout[row * rows + c] = w[row]! * dlogits[b * C + c]!;
        dw += o[row * rows + c]! * dlogits[b * C + c]!;
      }
      if (weighted) {
        dout[row * rows + C] = dw; // stash dw_t, turned into da_t below
        wdw += w[row]! * dw;
      }
    }
    if (!weighted) continue;
    // w = softmax(a): da_t = w_t (dw_t − Σ_u w_u dw_u)
    for (let t = 0; t < T; t++) {
      const row = b * T + t;
      if (mask[row] === 0) continue;
      dout[row * rows + C] = w[row]! * (dout[row * rows + C]! - wdw);
    }
  }
  return dout;
}

// ---------------------------------------------------------------------------------------------------
// losses: mean cross-entropy over C ≥ 2 classes, or mean BCE-with-logits of one logit

function lossForwardBackward(logits: Float64Array, targets: ArrayLike<number>, B: number, C: number, bce: boolean): {
  loss: number; dlogits: Float64Array;
} {
  const dlogits = new Float64Array(B * C);
  let loss = 0;
  for (let b = 0; b < B; b++) {
    if (bce) {
      // l = max(z, 0) − z·y + log(1 + e^−|z|); dl/dz = σ(z) − y
      const z = logits[b]!;
      const y = targets[b]!;
      loss += Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
      dlogits[b] = (activate('sigmoid', z) - y) / B;
      continue;
    }
    const y = targets[b]!;
    if (!Number.isInteger(y) || y < 0 || y >= C) throw new Error(`referenceModel: target ${b} is ${y}, not a class in [0, ${C})`);
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[b * C + c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(logits[b * C + c]! - max);
    loss += max + Math.log(sum) - logits[b * C + y]!;
    // dl/dz = softmax(z) − onehot(y)
    for (let c = 0; c < C; c++) dlogits[b * C + c] = (Math.exp(logits[b * C + c]! - max) / sum - (c === y ? 1 : 0)) / B;
  }
  return { loss: loss / B, dlogits };
}

// ---------------------------------------------------------------------------------------------------
// the models

/** Forward, loss and every gradient of one batch, in float64. */
export function referenceModel(config: ModelConfig, params: Params, batch: ReferenceBatch): ReferenceResult {
  const s = specOf(config);
  const { B, T, x, mask, targets } = batch;
  const { D, C } = s;
  if (x.length !== B * T * D) throw new Error(`referenceModel: x has ${x.length} values, expected B·T·D = ${B * T * D}`);
  if (mask.length !== B * T) throw new Error(`referenceModel: mask has ${mask.length} values, expected B·T = ${B * T}`);
  const grads: Params = {};
  for (const [name, p] of Object.entries(params)) grads[name] = new Float64Array(p.length);
  const dx = new Float64Array(B * T * D);

  if (s.kind === 'rnn' || s.kind === 'gru') {
    const H = s.H;
    const rnn = s.kind === 'rnn' ? rnnForward(s, params, x, mask, B, T) : undefined;
    const gru = s.kind === 'gru' ? gruForward(s, params, x, mask, B, T) : undefined;
    const hT = (rnn ?? gru)!.h.slice(T * B * H);
    const head = stackForward(params, 'head', s.head, hT, B, H, C);
    const logits = head.out;
    const { loss, dlogits } = lossForwardBackward(logits, targets, B, C, s.bce);
    const dhT = stackBackward(grads, params, 'head', s.head, dlogits, head, B, H, C);
    if (rnn) rnnBackward(s, grads, dx, dhT, rnn, params, x, mask, B, T);
    else gruBackward(s, grads, dx, dhT, gru!, params, x, mask, B, T);
    return { logits, loss, grads, dx };
  }

  const rows = C + (s.weighted ? 1 : 0);
  let feats = x;
  let K = D;
  let att: { xpos: Float64Array; u: Float64Array; q: Float64Array; k: Float64Array; v: Float64Array; p: Float64Array } | undefined;
  if (s.kind === 'attention') {
    const H = s.H;
    const pe = positionalEncoding(T, D);
    const xpos = Float64Array.from(x, (xi, i) => xi + pe[i % (T * D)]!);
    const u = linearForward(xpos, param(params, 'proj.weight'), param(params, 'proj.bias'), B * T, D, H);
    for (let i = 0; i < u.length; i++) u[i] = u[i]! > 0 ? u[i]! : 0;
    const q = linearForward(u, param(params, 'attn.query.weight'), undefined, B * T, H, H);
    const k = linearForward(u, param(params, 'attn.key.weight'), undefined, B * T, H, H);
    const v = linearForward(u, param(params, 'attn.value.weight'), undefined, B * T, H, H);
    const { y, p } = attentionForward(q, k, v, mask, B, T, H, s.radius, s.endsZero);
    att = { xpos, u, q, k, v, p };
    feats = y;
    K = H;
  }
  const head = stackForward(params, 'mlp', s.head, feats, B * T, K, rows);
  const { logits, w } = poolForward(head.out, mask, B, T, C, s.weighted);
  const { loss, dlogits } = lossForwardBackward(logits, targets, B, C, s.bce);
  const dout = poolBackward(dlogits, head.out, w, mask, B, T, C, s.weighted);
  const dfeats = stackBackward(grads, params, 'mlp', s.head, dout, head, B * T, K, rows);

  const subScores = new Float64Array(B * T * C);
  for (let i = 0; i < B * T; i++) for (let c = 0; c < C; c++) subScores[i * C + c] = head.out[i * rows + c]!;
  const result: ReferenceResult = { logits, loss, grads, dx, subScores };
  if (s.weighted) result.tokenWeights = w;
  if (!att) {
    addInto(dx, dfeats);
    return result;
  }
  const H = s.H;
  const dq = new Float64Array(B * T * H);
  const dk = new Float64Array(B * T * H);
  const dv = new Float64Array(B * T * H);
  attentionBackward(dq, dk, dv, dfeats, att.p, att.q, att.k, att.v, mask, B, T, H, s.radius);
  const du = new Float64Array(B * T * H);
  for (const [part, d] of [['query', dq], ['key', dk], ['value', dv]] as const) {
    const g = linearBackward(att.u, param(params, `attn.${part}.weight`), d, B * T, H, H);
    addInto(grads[`attn.${part}.weight`]!, g.dw);
    addInto(du, g.dx);
  }
  // forward: u = relu(proj(x + pe)); the positions are constants, so dx = dx'
  for (let i = 0; i < du.length; i++) if (!(att.u[i]! > 0)) du[i] = 0;
  const g = linearBackward(att.xpos, param(params, 'proj.weight'), du, B * T, D, H);
  addInto(grads['proj.weight']!, g.dw);
  addInto(grads['proj.bias']!, g.db);
  addInto(dx, g.dx);
  result.attention = att.p;
  return result;
}

// ---------------------------------------------------------------------------------------------------
// Adam, as torch.optim.Adam (no weight decay, no amsgrad), in float64

export interface AdamOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
}

/** First and second moments per parameter; missing entries start at zero. */
export interface AdamState {
  m: Record<string, Float64Array>;
  v: Record<string, Float64Array>;
}

export const ADAM_DEFAULTS: AdamOptions = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };

/**
 * One Adam step (step = 1, 2, …) over every parameter that has a gradient, in place:
 * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= (lr / (1−β1^step))·m / (√v / √(1−β2^step) + eps).
 */
export function adamReference(params: Params, grads: Params, state: AdamState, options: AdamOptions, step: number): Params {
  const { lr, beta1, beta2, eps } = options;
  if (!Number.isInteger(step) || step < 1) throw new Error(`adamReference: step counts from 1, got ${step}`);
  const stepSize = lr / (1 - beta1 ** step);
  const correction2 = Math.sqrt(1 - beta2 ** step);
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name];
    if (!g) continue;
    const m = (state.m[name] ??= new Float64Array(p.length));
    const v = (state.v[name] ??= new Float64Array(p.length));
    for (let i = 0; i < p.length; i++) {
      m[i] = beta1 * m[i]! + (1 - beta1) * g[i]!;
      v[i] = beta2 * v[i]! + (1 - beta2) * g[i]! * g[i]!;
      p[i]! -= (stepSize * m[i]!) / (Math.sqrt(v[i]!) / correction2 + eps);
    }
  }
  return params;
}
