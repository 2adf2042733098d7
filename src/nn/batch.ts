// What a model consumes: one padded batch of B sequences of T tokens with a mask.

import { ShapeError } from '../errors.js';

export interface Batch {
  /** B: sequences in this batch. */
  B: number;
  /** T: tokens per sequence after padding. */
  T: number;
  /** (B,T) token ids, for models with an embedding (0 = padding, 1 = unknown). */
  ids?: Int32Array;
  /** (B,T,D) token vectors, for models without an embedding. */
  x?: Float32Array;
  /** (B,T) 1 for a real token, 0 for padding. Padding never changes a result. */
  mask: Float32Array;
  /** (B) class ids for cross-entropy, or targets in [0, 1] for bce. Needed to train or to compute a loss. */
  labels?: Int32Array | Float32Array;
}

/** What checkBatch needs to know about the model. */
export interface BatchRequirements {
  D: number;
  embedding: boolean;
  classes: number;
  bce: boolean;
  needLabels: boolean;
}

/** Checks a batch against a model; throws ShapeError naming the field. Allocates nothing when the batch is good. */
export function checkBatch(batch: Batch, req: BatchRequirements): void {
  const { B, T } = batch;
  if (!Number.isInteger(B) || B < 1 || !Number.isInteger(T) || T < 1) {
    throw new ShapeError(`batch B and T must be positive integers, got B=${B}, T=${T}`);
  }
  if (req.embedding) {
    checkLength('ids', batch.ids, B, T, 0);
    if (!(batch.ids instanceof Int32Array)) throw new ShapeError('batch.ids must be an Int32Array');
  } else {
    checkLength('x', batch.x, B, T, req.D);
  }
  checkLength('mask', batch.mask, B, T, 0);
  if (!req.needLabels) return;
  checkLength('labels', batch.labels, B, 0, 0);
  const labels = batch.labels!;
  for (let i = 0; i < B; i++) {
    const y = labels[i]!;
    const ok = req.bce ? y >= 0 && y <= 1 : Number.isInteger(y) && y >= 0 && y < req.classes;
    if (!ok) {
      throw new ShapeError(`batch.labels[${i}] = ${y} is out of range`,
        req.bce ? 'bce targets are in [0, 1]' : `class ids are integers in [0, ${req.classes - 1}]`);
    }
  }
}

/** Dims of 0 are absent: (B), (B,T) or (B,T,D). */
function checkLength(field: string, arr: { length: number } | undefined, B: number, T: number, D: number): void {
  const n = B * (T || 1) * (D || 1);
  if (arr && arr.length === n) return;
  const shape = `(${[B, T, D].filter((d) => d > 0).join(',')})`;
  if (!arr) throw new ShapeError(`batch.${field} is missing`, `this model needs ${field} of shape ${shape}`);
  throw new ShapeError(`batch.${field} has ${arr.length} values, expected ${shape} = ${n}`);
}
