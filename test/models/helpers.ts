// Shared fixtures for model tests: configs of every kind, and random labelled batches.
import { Rng, type Batch, type ModelConfig } from '../../dist/index.js';

/** One small config of every kind and variant, over inputs of width D. */
export function smallConfigs(D: number, H = 8): Record<string, ModelConfig> {
  return {
    'rnn-sigmoid': { kind: 'rnn', input: D, hidden: H, activation: 'sigmoid', head: [6] },
    'rnn-tanh': { kind: 'rnn', input: D, hidden: H, activation: 'tanh' },
    'rnn-relu': { kind: 'rnn', input: D, hidden: H, activation: 'relu' },
    'gru-exercise': { kind: 'gru', input: D, hidden: H, head: [6] },
    'gru-pytorch': { kind: 'gru', input: D, hidden: H, gate: 'pytorch' },
    mlp: { kind: 'mlp', input: D, widths: [H, 6] },
    'weighted-mlp': { kind: 'weighted-mlp', input: D, widths: [H] },
    'attention-zero-mean': { kind: 'attention', input: D, hidden: H, radius: 2 },
    'attention-exclude-weighted': { kind: 'attention', input: D, hidden: H, radius: 1, ends: 'exclude', pooling: 'weighted' },
    'mlp-bce': { kind: 'mlp', input: D, widths: [H], loss: 'bce' },
  };
}

/** A batch of B random sequences of up to T tokens (vectors of width D), right-padded, with labels. */
export function randomBatch(rng: Rng, B: number, T: number, D: number, lengths: number[], bce = false, classes = 2): Batch {
  const x = new Float32Array(B * T * D);
  const mask = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < lengths[b]!; t++) {
      mask[b * T + t] = 1;
      for (let d = 0; d < D; d++) x[(b * T + t) * D + d] = rng.uniform(-1, 1);
    }
  }
  const labels = bce ? Float32Array.from({ length: B }, () => rng.int(2)) : Int32Array.from({ length: B }, () => rng.int(classes));
  return { B, T, x, mask, labels };
}

/** The same batch padded (on the right) to a longer T. */
export function repad(batch: Batch, T: number, D: number): Batch {
  const x = new Float32Array(batch.B * T * D);
  const mask = new Float32Array(batch.B * T);
  for (let b = 0; b < batch.B; b++) {
    for (let t = 0; t < batch.T; t++) {
      mask[b * T + t] = batch.mask[b * batch.T + t]!;
      for (let d = 0; d < D; d++) x[(b * T + t) * D + d] = batch.x![(b * batch.T + t) * D + d]!;
    }
  }
  return { ...batch, T, x, mask };
}
