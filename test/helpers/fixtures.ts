// The PyTorch fixtures of scripts/golden.py and scripts/golden_independent.py (test/golden/*.json).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

const goldenDir = fileURLToPath(new URL('../golden/', import.meta.url));

/** Every fixture, sorted by file name. */
export const fixtures: Fixture[] = readdirSync(goldenDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(goldenDir + f, 'utf8')) as Fixture);
