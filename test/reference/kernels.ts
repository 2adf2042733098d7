// Float64 twins of the element-wise, softmax, loss, pooling, embedding and optimizer kernels: the spec
// the wasm kernels are tested against. Plain loops, no tricks; shapes and argument orders follow the
// kernels (outputs returned instead of written), and backwards return the gradient the kernel ADDS.

export type Vec = ArrayLike<number>;

export const ACT = { identity: 0, sigmoid: 1, tanh: 2, relu: 3 } as const;

export const sigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

export function activationValue(x: number, act: number): number {
  if (act === 1) return sigmoid(x);
  if (act === 2) return Math.tanh(x);
  if (act === 3) return Math.max(x, 0);
  return x;
}

export function activationSlope(y: number, act: number): number {
  if (act === 1) return y * (1 - y);
  if (act === 2) return 1 - y * y;
  if (act === 3) return y > 0 ? 1 : 0;
  return 1;
}

export function activationForward(x: Vec, act: number): Float64Array {
  return Float64Array.from(x, (v) => activationValue(v, act));
}

/** dx contribution: dy∘act'(x), from the output y. */
export function activationBackward(dy: Vec, y: Vec, act: number): Float64Array {
  return Float64Array.from(dy, (g, i) => g * activationSlope(y[i]!, act));
}

/** Row-wise softmax over R rows of L; mask null or (R·L) of 1/0. */
export function softmaxForward(x: Vec, mask: Vec | null, R: number, L: number): Float64Array {
  const y = new Float64Array(R * L);
  for (let r = 0; r < R; r++) {
    const on = (i: number) => (mask === null || mask[r * L + i] !== 0) && x[r * L + i] !== -Infinity;
    let max = -Infinity;
    for (let i = 0; i < L; i++) if (on(i)) max = Math.max(max, x[r * L + i]!);
    if (max === -Infinity) continue;
    let sum = 0;
    for (let i = 0; i < L; i++) if (on(i)) sum += (y[r * L + i] = Math.exp(x[r * L + i]! - max));
    for (let i = 0; i < L; i++) y[r * L + i]! /= sum;
  }
  return y;
}

export function softmaxBackward(dy: Vec, y: Vec, R: number, L: number): Float64Array {
  const dx = new Float64Array(R * L);
  for (let r = 0; r < R; r++) {
    let s = 0;
    for (let i = 0; i < L; i++) s += y[r * L + i]! * dy[r * L + i]!;
    for (let i = 0; i < L; i++) dx[r * L + i] = y[r * L + i]! * (dy[r * L + i]! - s);
  }
  return dx;
}

export interface CrossEntropy {
  losses: Float64Array;
  probs: Float64Array;
  mean: number;
}

export function crossEntropyForward(logits: Vec, targets: Vec, B: number, C: number): CrossEntropy {
  const losses = new Float64Array(B);
  const probs = new Float64Array(B * C);
  let total = 0;
  for (let b = 0; b < B; b++) {
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, logits[b * C + c]!);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += (probs[b * C + c] = Math.exp(logits[b * C + c]! - max));
    for (let c = 0; c < C; c++) probs[b * C + c]! /= sum;
    losses[b] = Math.log(sum) + max - logits[b * C + targets[b]!]!;
    total += losses[b]!;
  }
  return { losses, probs, mean: total / B };
}

export function crossEntropyBackward(probs: Vec, targets: Vec, B: number, C: number, scale: number): Float64Array {
  return Float64Array.from(probs, (p, i) => scale * (p - (i % C === targets[Math.floor(i / C)] ? 1 : 0)));
}

export function bceForward(logits: Vec, targets: Vec): { losses: Float64Array; mean: number } {
  const losses = Float64Array.from(logits, (x, i) => Math.max(x, 0) - x * targets[i]! + Math.log1p(Math.exp(-Math.abs(x))));
  return { losses, mean: losses.reduce((a, b) => a + b, 0) / losses.length };
}

export function bceBackward(logits: Vec, targets: Vec, scale: number): Float64Array {
  return Float64Array.from(logits, (x, i) => scale * (sigmoid(x) - targets[i]!));
}

export function maskedMeanForward(x: Vec, mask: Vec, B: number, T: number, C: number): Float64Array {
  const y = new Float64Array(B * C);
  for (let b = 0; b < B; b++) {
    let count = 0;
    for (let t = 0; t < T; t++) {
      const m = mask[b * T + t]!;
      count += m;
      for (let c = 0; c < C; c++) y[b * C + c]! += m * x[(b * T + t) * C + c]!;
    }
    for (let c = 0; c < C; c++) y[b * C + c] = count === 0 ? 0 : y[b * C + c]! / count;
  }
  return y;
}

export function maskedMeanBackward(dy: Vec, mask: Vec, B: number, T: number, C: number): Float64Array {
  const dx = new Float64Array(B * T * C);
  for (let b = 0; b < B; b++) {
    let count = 0;
    for (let t = 0; t < T; t++) count += mask[b * T + t]!;
    if (count === 0) continue;
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) dx[(b * T + t) * C + c] = (mask[b * T + t]! / count) * dy[b * C + c]!;
    }
  }
  return dx;
}

export function embeddingForward(table: Vec, ids: Vec, n: number, D: number): Float64Array {
  const out = new Float64Array(n * D);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (id < 0) continue;
    for (let d = 0; d < D; d++) out[i * D + d] = table[id * D + d]!;
  }
  return out;
}

export function embeddingBackward(dout: Vec, ids: Vec, V: number, n: number, D: number): Float64Array {
  const dtable = new Float64Array(V * D);
  for (let i = 0; i < n; i++) {
    const id = ids[i]!;
    if (id < 0) continue;
    for (let d = 0; d < D; d++) dtable[id * D + d]! += dout[i * D + d]!;
  }
  return dtable;
}

// ---- optimizers: PyTorch's single-tensor algorithms, in place on Float64Arrays ----

export interface AdamHyper {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export function adamStep(p: Float64Array, g: Vec, m: Float64Array, v: Float64Array, h: AdamHyper, step: number): void {
  const bc1 = 1 - h.beta1 ** step;
  const bc2 = 1 - h.beta2 ** step;
  for (let i = 0; i < p.length; i++) {
    const grad = g[i]! + h.weightDecay * p[i]!;
    m[i] = h.beta1 * m[i]! + (1 - h.beta1) * grad;
    v[i] = h.beta2 * v[i]! + (1 - h.beta2) * grad * grad;
    const denom = Math.sqrt(v[i]!) / Math.sqrt(bc2) + h.eps;
    p[i] = p[i]! - (h.lr / bc1) * (m[i]! / denom);
  }
}

export function adamwStep(p: Float64Array, g: Vec, m: Float64Array, v: Float64Array, h: AdamHyper, step: number): void {
  for (let i = 0; i < p.length; i++) p[i] = p[i]! * (1 - h.lr * h.weightDecay);
  adamStep(p, g, m, v, { ...h, weightDecay: 0 }, step);
}

export interface SgdHyper {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
}

export function sgdStep(p: Float64Array, g: Vec, buf: Float64Array, h: SgdHyper, first: boolean): void {
  for (let i = 0; i < p.length; i++) {
    let grad = g[i]! + h.weightDecay * p[i]!;
    if (h.momentum !== 0) {
      buf[i] = first ? grad : h.momentum * buf[i]! + (1 - h.dampening) * grad;
      grad = h.nesterov ? grad + h.momentum * buf[i]! : buf[i]!;
    }
    p[i] = p[i]! - h.lr * grad;
  }
}

export function sumSquares(x: Vec): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return s;
}

export function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
