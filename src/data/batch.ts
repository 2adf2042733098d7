// From examples to model batches: splits, encoding to token ids, and seeded, padded batches with a mask.

import { ConfigError, DataError } from '../errors.js';
import type { Batch } from '../nn/batch.js';
import { Rng } from '../rng.js';
import type { BatchSource } from '../train/train.js';
import type { Example } from './datasets.js';
import type { Tokenizer } from './tokenize.js';
import { PAD, type Vocabulary } from './vocab.js';

/** Examples turned into token ids, with their labels. */
export interface EncodedSet {
  ids: Int32Array[];
  labels: Int32Array;
}

export function encodeExamples(examples: readonly Example[], tokenizer: Tokenizer, vocab: Vocabulary): EncodedSet {
  return {
    ids: examples.map((e) => vocab.encode(tokenizer.tokenize(e.text))),
    labels: Int32Array.from(examples, (e) => e.label),
  };
}

/** The exercise's split: the first n examples train, the rest test. */
export function splitFirst<T>(examples: readonly T[], n: number): { train: T[]; test: T[] } {
  if (!Number.isInteger(n) || n < 0 || n > examples.length) {
    throw new ConfigError(`splitFirst: n must be an integer in [0, ${examples.length}], got ${n}`);
  }
  return { train: examples.slice(0, n), test: examples.slice(n) };
}

export interface StratifiedOptions {
  /** Share of each class held out for validation. Default 0. */
  validation?: number;
  /** Share of each class held out for test. Default 0. */
  test?: number;
  seed?: number;
}

/** A seeded random split that keeps every class's share in each part. */
export function stratifiedSplit<T extends { label: number }>(examples: readonly T[], options: StratifiedOptions): { train: T[]; validation: T[]; test: T[] } {
  const v = options.validation ?? 0;
  const t = options.test ?? 0;
  if (!(v >= 0 && t >= 0 && v + t < 1)) throw new ConfigError(`stratifiedSplit: validation + test must be in [0, 1), got ${v} + ${t}`);
  const rng = new Rng(options.seed ?? 0);
  const byClass = new Map<number, number[]>();
  examples.forEach((e, i) => {
    const list = byClass.get(e.label);
    if (list) list.push(i);
    else byClass.set(e.label, [i]);
  });
  const parts = { train: [] as number[], validation: [] as number[], test: [] as number[] };
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const indices = byClass.get(label)!;
    rng.shuffle(indices);
    const nTest = Math.round(indices.length * t);
    const nVal = Math.round(indices.length * v);
    parts.test.push(...indices.slice(0, nTest));
    parts.validation.push(...indices.slice(nTest, nTest + nVal));
    parts.train.push(...indices.slice(nTest + nVal));
  }
  // keep the original order inside each part, so the result does not depend on class order
  const pick = (ids: number[]) => ids.sort((a, b) => a - b).map((i) => examples[i]!);
  return { train: pick(parts.train), validation: pick(parts.validation), test: pick(parts.test) };
}

export interface BatchingOptions {
  /** Pad every batch to this many tokens (longer sequences are cut). Default: the longest sequence of each batch. */
  length?: number;
  /**
   * Default true: padding is masked out and never changes a result. false reproduces the exercise, where
   * padding ids (zero vectors) are ordinary tokens of a fixed-length sequence.
   */
  maskPadding?: boolean;
}

/**
 * Padded batches over an encoded set. The yielded Batch object and its arrays are reused from batch to
 * batch (nothing is allocated per batch once every shape has been seen): copy what must outlive the
 * next iteration.
 */
export class SequenceBatches implements BatchSource {
  readonly set: EncodedSet;
  private readonly length: number | undefined;
  private readonly maskPadding: boolean;
  private readonly views = new Map<number, Batch>();

  constructor(set: EncodedSet, options: BatchingOptions = {}) {
    if (set.ids.length !== set.labels.length) {
      throw new DataError(`the set has ${set.ids.length} sequences but ${set.labels.length} labels`, { field: 'labels' });
    }
    if (options.length !== undefined && !(Number.isInteger(options.length) && options.length > 0)) {
      throw new ConfigError(`batch length must be a positive integer, got ${options.length}`);
    }
    if (options.maskPadding === false && options.length === undefined) {
      throw new ConfigError('maskPadding: false needs a fixed length (the exercise pads every sequence to it)');
    }
    this.set = set;
    this.length = options.length;
    this.maskPadding = options.maskPadding ?? true;
  }

  get size(): number {
    return this.set.ids.length;
  }

  *batches({ batchSize, rng, shuffle = true }: { batchSize: number; rng?: Rng; shuffle?: boolean }): Iterable<Batch> {
    const n = this.size;
    const order = Int32Array.from({ length: n }, (_, i) => i);
    if (shuffle && rng) rng.shuffle(order);
    for (let start = 0; start < n; start += batchSize) {
      const B = Math.min(batchSize, n - start);
      let T = this.length ?? 1;
      if (this.length === undefined) for (let b = 0; b < B; b++) T = Math.max(T, this.set.ids[order[start + b]!]!.length);
      const batch = this.view(B, T);
      const { ids, mask, labels } = batch as Required<Batch>;
      for (let b = 0; b < B; b++) {
        const index = order[start + b]!;
        const seq = this.set.ids[index]!;
        const len = Math.min(seq.length, T);
        for (let t = 0; t < len; t++) ids[b * T + t] = seq[t]!;
        ids.fill(PAD, b * T + len, (b + 1) * T);
        mask.fill(1, b * T, b * T + (this.maskPadding ? len : T));
        mask.fill(0, b * T + (this.maskPadding ? len : T), (b + 1) * T);
        labels[b] = this.set.labels[index]!;
      }
      yield batch;
    }
  }

  /** The reusable batch of one shape. */
  private view(B: number, T: number): Batch {
    const key = B * 0x100000 + T;
    let batch = this.views.get(key);
    if (!batch) {
      batch = { B, T, ids: new Int32Array(B * T), mask: new Float32Array(B * T), labels: new Int32Array(B) };
      this.views.set(key, batch);
    }
    return batch;
  }
}
