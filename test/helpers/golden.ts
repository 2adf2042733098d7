// The PyTorch fixtures in test/golden (CI only reads them): scripts/golden.py writes <name>.json and
// scripts/golden_independent.py writes independent-<name>.json, in one format. Every number is a float64
// whose value is exact: inputs and parameters are float32 values, outputs were computed in float64.
// Tensors are flat row-major arrays; their shapes follow from B, T and the config.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ReferenceBatch, ReferenceConfig } from '../reference/nn/index.js';

export interface GoldenFixture {
  name: string;
  config: ReferenceConfig;
  /** torch.Generator seed of the draw. */
  seed: number;
  B: number;
  T: number;
  /** (B,T,D); padding positions hold random values too. */
  x: number[];
  /** (B,T) 1 for a real token, 0 for padding. */
  mask: number[];
  /** (B) class indices, or targets in [0, 1] for bce. */
  targets: number[];
  /** seqwasm names, PyTorch layout, declaration order. */
  params: Record<string, { shape: number[]; data: number[] }>;
  outputs: { logits: number[]; loss: number; subScores?: number[]; tokenWeights?: number[]; attention?: number[] };
  grads: Record<string, number[]>;
  /** (B,T,D) */
  dx: number[];
  /** torch.optim.Adam (default betas and eps) on the same batch each step: the loss each step saw, then the parameters after the last. */
  adam: { lr: number; losses: number[]; params: Record<string, number[]> };
  /** independent-* fixtures only: real tokens per review, and the implementations the script compared with. */
  lengths?: number[];
  checks?: string[];
}

const dir = fileURLToPath(new URL('../golden/', import.meta.url));

/** Every fixture of both scripts, sorted by name. */
export function loadGoldenFixtures(): GoldenFixture[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => JSON.parse(readFileSync(dir + file, 'utf8')) as GoldenFixture);
}

export function goldenBatch(fixture: GoldenFixture): ReferenceBatch {
  return {
    B: fixture.B, T: fixture.T,
    x: Float64Array.from(fixture.x), mask: Float64Array.from(fixture.mask), targets: Float64Array.from(fixture.targets),
  };
}

export function goldenParams(fixture: GoldenFixture): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(fixture.params).map(([name, p]) => [name, Float64Array.from(p.data)]));
}
