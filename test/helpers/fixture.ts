// The shape of a PyTorch fixture (test/golden/*.json), apart from how the files are read, so that
// browser-safe tests can use it.
import type { ModelConfig } from '../../dist/index.js';

export interface Fixture {
  name: string;
  config: ModelConfig;
  seed: number;
  B: number;
  T: number;
  x: number[];
  mask: number[];
  targets: number[];
  params: Record<string, { shape: number[]; data: number[] }>;
  outputs: { logits: number[]; loss: number; subScores?: number[]; tokenWeights?: number[]; attention?: number[] };
  grads: Record<string, number[]>;
  dx: number[];
  adam: { lr: number; losses: number[]; params: Record<string, number[]> };
}
