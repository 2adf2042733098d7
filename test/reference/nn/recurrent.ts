// Models 1 and 2, the recurrent part: Elman RNN and GRU over x (B,T,D) with a mask (B,T), from h_0 = 0.
// A padding step keeps the state: h_t = m_t·cell(x_t, h_{t−1}) + (1−m_t)·h_{t−1}, so h_T is the state
// after the last real token. Gate rows of weight_ih (3H,D), weight_hh (3H,H) and the biases are [r; z; n].

import type { GruReferenceConfig, ParamSet, RnnReferenceConfig } from './config.js';
import { activate, activationSlope, linearBackward, linearForward, sigmoid } from './layers.js';

export interface RecurrentSaved {
  /** (B,T+1,H): h[:,0] = 0, h[:,t+1] the state after step t. */
  h: Float64Array;
  /** (B,T,G·H) each step's cell outputs: a for the RNN; r, z, n for the GRU. */
  gates: Float64Array;
  /** (B,T,H) W_hn h + b_hn of nn.GRU's form, which its backward needs. */
  hiddenN: Float64Array;
}

type RecurrentConfig = RnnReferenceConfig | GruReferenceConfig;

const rows = (w: Float64Array, from: number, to: number, width: number) => w.subarray(from * width, to * width);

/** Runs the cell over every step; returns h_T (B,H) and what the backward needs. */
export function recurrentForward(config: RecurrentConfig, params: Readonly<ParamSet>, x: Float64Array, mask: ArrayLike<number>,
  B: number, T: number): { last: Float64Array; saved: RecurrentSaved } {
  const D = config.input;
  const H = config.hidden;
  const G = config.kind === 'gru' ? 3 : 1;
  const p = config.kind;
  const wih = params[`${p}.weight_ih`];
  const whh = params[`${p}.weight_hh`];
  const saved: RecurrentSaved = {
    h: new Float64Array(B * (T + 1) * H), gates: new Float64Array(B * T * G * H), hiddenN: new Float64Array(B * T * H),
  };
  const gx = new Float64Array(G * H);
  const gh = new Float64Array(G * H);
  const rh = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const m = mask[b * T + t];
      const xt = x.subarray((b * T + t) * D, (b * T + t + 1) * D);
      const h = saved.h.subarray((b * (T + 1) + t) * H, (b * (T + 1) + t + 1) * H);
      const next = saved.h.subarray((b * (T + 1) + t + 1) * H, (b * (T + 1) + t + 2) * H);
      const g = saved.gates.subarray((b * T + t) * G * H, (b * T + t + 1) * G * H);
      if (config.kind === 'rnn') {
        // a = act(W_ih x_t + b + W_hh h)
        linearForward(gx, xt, wih, params['rnn.bias'], 1, D, H);
        linearForward(gh, h, whh, undefined, 1, H, H);
        for (let j = 0; j < H; j++) g[j] = activate(config.activation, gx[j] + gh[j]);
        for (let j = 0; j < H; j++) next[j] = m * g[j] + (1 - m) * h[j];
      } else if (config.gate === 'exercise') {
        // r = σ(W_ir x + W_hr h + b_r), z = σ(W_iz x + W_hz h + b_z), n = tanh(W_in x + W_hn (r∘h) + b_n)
        linearForward(gx, xt, wih, params['gru.bias'], 1, D, 3 * H);
        linearForward(gh, h, rows(whh, 0, 2 * H, H), undefined, 1, H, 2 * H);
        for (let j = 0; j < 2 * H; j++) g[j] = sigmoid(gx[j] + gh[j]);
        for (let j = 0; j < H; j++) rh[j] = g[j] * h[j];
        linearForward(gh, rh, rows(whh, 2 * H, 3 * H, H), undefined, 1, H, H);
        for (let j = 0; j < H; j++) g[2 * H + j] = Math.tanh(gx[2 * H + j] + gh[j]);
        // h' = (1−z)∘h + z∘n
        for (let j = 0; j < H; j++) {
          const z = g[H + j];
          next[j] = m * ((1 - z) * h[j] + z * g[2 * H + j]) + (1 - m) * h[j];
        }
      } else {
        // r = σ(W_ir x + b_ir + W_hr h + b_hr), z likewise, n = tanh(W_in x + b_in + r∘(W_hn h + b_hn))
        linearForward(gx, xt, wih, params['gru.bias_ih'], 1, D, 3 * H);
        linearForward(gh, h, whh, params['gru.bias_hh'], 1, H, 3 * H);
        for (let j = 0; j < 2 * H; j++) g[j] = sigmoid(gx[j] + gh[j]);
        for (let j = 0; j < H; j++) {
          saved.hiddenN[(b * T + t) * H + j] = gh[2 * H + j];
          g[2 * H + j] = Math.tanh(gx[2 * H + j] + g[j] * gh[2 * H + j]);
        }
        // h' = (1−z)∘n + z∘h
        for (let j = 0; j < H; j++) {
          const z = g[H + j];
          next[j] = m * ((1 - z) * g[2 * H + j] + z * h[j]) + (1 - m) * h[j];
        }
      }
    }
  }
  const last = new Float64Array(B * H);
  for (let b = 0; b < B; b++) last.set(saved.h.subarray((b * (T + 1) + T) * H, (b * (T + 1) + T + 1) * H), b * H);
  return { last, saved };
}

/** From d h_T (B,H), accumulates the cell's parameter gradients and dx (B,T,D). */
export function recurrentBackward(dx: Float64Array, grads: ParamSet, dlast: Float64Array, saved: RecurrentSaved,
  config: RecurrentConfig, params: Readonly<ParamSet>, x: Float64Array, mask: ArrayLike<number>, B: number, T: number): void {
  const D = config.input;
  const H = config.hidden;
  const G = config.kind === 'gru' ? 3 : 1;
  const p = config.kind;
  const wih = params[`${p}.weight_ih`];
  const whh = params[`${p}.weight_hh`];
  const dwih = grads[`${p}.weight_ih`];
  const dwhh = grads[`${p}.weight_hh`];
  const dgi = new Float64Array(G * H); // d of the input-side pre-activations
  const dgh = new Float64Array(G * H); // d of the hidden-side pre-activations
  const drh = new Float64Array(H);
  const rh = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    let dh = Float64Array.from(dlast.subarray(b * H, (b + 1) * H));
    for (let t = T - 1; t >= 0; t--) {
      const m = mask[b * T + t];
      const xt = x.subarray((b * T + t) * D, (b * T + t + 1) * D);
      const dxt = dx.subarray((b * T + t) * D, (b * T + t + 1) * D);
      const h = saved.h.subarray((b * (T + 1) + t) * H, (b * (T + 1) + t + 1) * H);
      const g = saved.gates.subarray((b * T + t) * G * H, (b * T + t + 1) * G * H);
      // forward: h_{t+1} = m·h' + (1−m)·h, so dh' = m·dh and h gets (1−m)·dh directly
      const dprev = new Float64Array(H);
      for (let j = 0; j < H; j++) dprev[j] = (1 - m) * dh[j];
      if (config.kind === 'rnn') {
        // forward: h' = act(W_ih x + b + W_hh h)
        for (let j = 0; j < H; j++) dgi[j] = m * dh[j] * activationSlope(config.activation, g[j]);
        linearBackward(dxt, dwih, grads['rnn.bias'], dgi, xt, wih, 1, D, H);
        linearBackward(dprev, dwhh, undefined, dgi, h, whh, 1, H, H);
      } else if (config.gate === 'exercise') {
        for (let j = 0; j < H; j++) {
          const r = g[j], z = g[H + j], n = g[2 * H + j];
          const dnew = m * dh[j];
          // forward: h' = (1−z)∘h + z∘n
          dprev[j] += (1 - z) * dnew;
          dgi[H + j] = (n - h[j]) * dnew * z * (1 - z); // through z = σ(·)
          dgi[2 * H + j] = z * dnew * (1 - n * n); // through n = tanh(·)
          rh[j] = r * h[j];
        }
        // forward: n = tanh(W_in x + W_hn (r∘h) + b_n)
        drh.fill(0);
        linearBackward(drh, rows(dwhh, 2 * H, 3 * H, H), undefined, dgi.subarray(2 * H), rh, rows(whh, 2 * H, 3 * H, H), 1, H, H);
        for (let j = 0; j < H; j++) {
          const r = g[j];
          dprev[j] += drh[j] * r;
          dgi[j] = drh[j] * h[j] * r * (1 - r); // through r = σ(·)
        }
        // forward: [r; z; n] pre-activations = W_ih x + b, plus W_h{r,z} h for r and z
        linearBackward(dxt, dwih, grads['gru.bias'], dgi, xt, wih, 1, D, 3 * H);
        linearBackward(dprev, rows(dwhh, 0, 2 * H, H), undefined, dgi.subarray(0, 2 * H), h, rows(whh, 0, 2 * H, H), 1, H, 2 * H);
      } else {
        for (let j = 0; j < H; j++) {
          const r = g[j], z = g[H + j], n = g[2 * H + j];
          const hn = saved.hiddenN[(b * T + t) * H + j];
          const dnew = m * dh[j];
          // forward: h' = (1−z)∘n + z∘h
          dprev[j] += z * dnew;
          const dz = (h[j] - n) * dnew;
          // forward: n = tanh(gi_n + r∘gh_n)
          const dn = (1 - z) * dnew * (1 - n * n);
          const dr = dn * hn;
          dgi[j] = dr * r * (1 - r);
          dgi[H + j] = dz * z * (1 - z);
          dgi[2 * H + j] = dn;
          dgh[j] = dgi[j];
          dgh[H + j] = dgi[H + j];
          dgh[2 * H + j] = dn * r;
        }
        // forward: gi = W_ih x + b_ih, gh = W_hh h + b_hh
        linearBackward(dxt, dwih, grads['gru.bias_ih'], dgi, xt, wih, 1, D, 3 * H);
        linearBackward(dprev, dwhh, grads['gru.bias_hh'], dgh, h, whh, 1, H, 3 * H);
      }
      dh = dprev;
    }
  }
}
