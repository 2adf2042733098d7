// Losses, averaged over the batch: cross-entropy on integer class targets (C ≥ 2), and binary
// cross-entropy with logits (C = 1) on targets in [0, 1]. Each backward writes d logits of the mean loss.

import { sigmoid } from './layers.js';

/** (1/B)·Σ_b [logsumexp(z_b) − z_b[y_b]] over logits z (B,C) and class indices y (B). */
export function crossEntropyForward(logits: Float64Array, targets: ArrayLike<number>, B: number, C: number): number {
  let total = 0;
  for (let b = 0; b < B; b++) {
    const z = logits.subarray(b * C, (b + 1) * C);
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, z[c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[c] - max);
    total += max + Math.log(sum) - z[classIndex(targets[b], C)];
  }
  return total / B;
}

/** dlogits = (softmax(z) − onehot(y)) / B. */
export function crossEntropyBackward(dlogits: Float64Array, logits: Float64Array, targets: ArrayLike<number>, B: number, C: number): void {
  for (let b = 0; b < B; b++) {
    const z = logits.subarray(b * C, (b + 1) * C);
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, z[c]);
    let sum = 0;
    for (let c = 0; c < C; c++) sum += Math.exp(z[c] - max);
    const y = classIndex(targets[b], C);
    // forward: loss_b = logsumexp(z) − z[y]
    for (let c = 0; c < C; c++) dlogits[b * C + c] += (Math.exp(z[c] - max) / sum - (c === y ? 1 : 0)) / B;
  }
}

/** (1/B)·Σ_b [max(z,0) − z·y + log(1 + e^−|z|)]: BCE of σ(z) against y, without forming σ(z). */
export function bceForward(logits: Float64Array, targets: ArrayLike<number>, B: number): number {
  let total = 0;
  for (let b = 0; b < B; b++) {
    const z = logits[b];
    total += Math.max(z, 0) - z * targets[b] + Math.log1p(Math.exp(-Math.abs(z)));
  }
  return total / B;
}

/** dlogits = (σ(z) − y) / B. */
export function bceBackward(dlogits: Float64Array, logits: Float64Array, targets: ArrayLike<number>, B: number): void {
  for (let b = 0; b < B; b++) dlogits[b] += (sigmoid(logits[b]) - targets[b]) / B;
}

function classIndex(target: number, C: number): number {
  if (!Number.isInteger(target) || target < 0 || target >= C) throw new RangeError(`target ${target} is not a class index in [0, ${C})`);
  return target;
}
