// The shape of a PyTorch fixture (test/golden/*.json) and how a model takes one, apart from how the
// files are read, so that browser-safe tests can use it.
import type { Batch, ModelConfig, SequenceModel } from '../../dist/index.js';

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

/** Sets every parameter of `model` to the fixture's. */
export function loadFixture(model: SequenceModel, f: Fixture): void {
  for (const [name, p] of Object.entries(f.params)) model.params.setParam(name, p.data);
  model.parametersChanged();
}

/** The fixture's batch: inputs, mask and targets (float for bce, class indices otherwise). */
export function batchOf(f: Fixture): Batch {
  const labels = f.config.loss === 'bce' ? Float32Array.from(f.targets) : Int32Array.from(f.targets);
  return { B: f.B, T: f.T, x: Float32Array.from(f.x), mask: Float32Array.from(f.mask), labels };
}
