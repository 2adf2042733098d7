// Layers shared by the five models: Linear (PyTorch layout), activations, a stack of Linear+ReLU layers,
// and the sinusoidal position encoding. Forward writes its output; its backward, directly below,
// accumulates (+=) into every gradient it is given, llm.c style.

import type { Activation } from './config.js';

// ---- linear ----

/** y[M,N] = x[M,K]·w[N,K]ᵀ + b[N] (no bias when b is undefined). */
export function linearForward(y: Float64Array, x: Float64Array, w: Float64Array, b: Float64Array | undefined,
  M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      let sum = b ? b[n] : 0;
      for (let k = 0; k < K; k++) sum += x[i * K + k] * w[n * K + k];
      y[i * N + n] = sum;
    }
  }
}

/** dx (optional) += dy·w, dw += dyᵀ·x, db (optional) += Σ_rows dy. */
export function linearBackward(dx: Float64Array | undefined, dw: Float64Array, db: Float64Array | undefined,
  dy: Float64Array, x: Float64Array, w: Float64Array, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      // forward: y[i,n] = b[n] + Σ_k x[i,k]·w[n,k]
      const g = dy[i * N + n];
      if (db) db[n] += g;
      for (let k = 0; k < K; k++) {
        if (dx) dx[i * K + k] += g * w[n * K + k];
        dw[n * K + k] += g * x[i * K + k];
      }
    }
  }
}

// ---- activations ----

export function sigmoid(z: number): number {
  // NOTE: two branches so that exp never overflows
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

export function activate(act: Activation, z: number): number {
  if (act === 'sigmoid') return sigmoid(z);
  if (act === 'tanh') return Math.tanh(z);
  return z > 0 ? z : 0;
}

/** d act/dz written in terms of the output a = act(z), as the backward has a saved. */
export function activationSlope(act: Activation, a: number): number {
  if (act === 'sigmoid') return a * (1 - a);
  if (act === 'tanh') return 1 - a * a;
  return a > 0 ? 1 : 0; // NOTE: PyTorch's ReLU passes no gradient at 0
}

// ---- Linear + ReLU stack ----

export interface DenseStack {
  /** Input width and the width after each layer. */
  widths: number[];
  /** Each layer's ReLU output (M, widths[i+1]). */
  outputs: Float64Array[];
}

/** u_{i+1} = ReLU(u_i·W_iᵀ + b_i) for the layers `${prefix}.{i}`; returns every layer's output. */
export function denseStackForward(params: Readonly<Record<string, Float64Array>>, prefix: string, x: Float64Array,
  M: number, inputWidth: number, widths: readonly number[]): DenseStack {
  const stack: DenseStack = { widths: [inputWidth, ...widths], outputs: [] };
  let u = x;
  widths.forEach((width, i) => {
    const y = new Float64Array(M * width);
    linearForward(y, u, params[`${prefix}.${i}.weight`], params[`${prefix}.${i}.bias`], M, stack.widths[i], width);
    for (let j = 0; j < y.length; j++) y[j] = y[j] > 0 ? y[j] : 0;
    stack.outputs.push(y);
    u = y;
  });
  return stack;
}

/** From dy on the last output (overwritten), accumulates the layers' gradients; returns d input (M, widths[0]). */
export function denseStackBackward(grads: Record<string, Float64Array>, dy: Float64Array,
  params: Readonly<Record<string, Float64Array>>, prefix: string, x: Float64Array, M: number, stack: DenseStack): Float64Array {
  for (let i = stack.outputs.length - 1; i >= 0; i--) {
    const y = stack.outputs[i];
    // forward: y = ReLU(pre), so dpre = dy where y > 0
    for (let j = 0; j < y.length; j++) if (!(y[j] > 0)) dy[j] = 0;
    const input = i > 0 ? stack.outputs[i - 1] : x;
    const dinput = new Float64Array(M * stack.widths[i]);
    linearBackward(dinput, grads[`${prefix}.${i}.weight`], grads[`${prefix}.${i}.bias`], dy, input,
      params[`${prefix}.${i}.weight`], M, stack.widths[i], stack.widths[i + 1]);
    dy = dinput;
  }
  return dy;
}

// ---- position encoding ----

/**
 * The exercise's sinusoidal_pe (T, D), evaluated in float64: PE[t, 2i] = sin(t·ω_i), PE[t, 2i+1] = cos(t·ω_i),
 * ω_i = exp(2i·(−ln 10000 / D)). NOTE: for odd D the last column is a sine with no cosine partner
 * (the exercise's function needs an even D).
 */
export function sinusoidalPe(T: number, D: number): Float64Array {
  const pe = new Float64Array(T * D);
  const scale = -Math.log(10000) / D;
  for (let i = 0; 2 * i < D; i++) {
    const omega = Math.exp(2 * i * scale);
    for (let t = 0; t < T; t++) {
      pe[t * D + 2 * i] = Math.sin(t * omega);
      if (2 * i + 1 < D) pe[t * D + 2 * i + 1] = Math.cos(t * omega);
    }
  }
  return pe;
}
