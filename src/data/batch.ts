// From examples to model batches: splits, encoding to token ids, and seeded, padded batches with a mask.

import { ConfigError, DataError } from '../errors.js';
import type { Batch } from '../nn/batch.js';
import { epochOrder, Rng } from '../rng.js';
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
  /** Pad every batch to this many tokens (longer sequences keep their first `length`). Default: the longest sequence of each batch. */
  length?: number;
  /**
   * Default true: padding is masked out and never changes a result. false reproduces the exercise, where
   * padding ids (zero vectors) are ordinary tokens of a fixed-length sequence: the mask is all ones for
   * the full T (needs `length`).
   */
  maskPadding?: boolean;
  /** Batch size of `epoch()`. Default 32 (the exercise's). */
  batchSize?: number;
  /** Seed of `epoch()`'s orders. Default 0. */
  seed?: number;
  /** `epoch()` shuffles; false keeps the stored order. Default true. */
  shuffle?: boolean;
}

/**
 * Padded batches over an encoded set, right-padded with id 0 (`<pad>`) to a fixed T or to the longest
 * sequence of the batch, with a mask (1 real token, 0 padding).
 *
 * Allocation: the ids, mask and labels buffers are allocated once, sized for the largest batch
 * (`capacity`), and every batch is a view of them; the yielded object is ONE object, updated in place
 * from batch to batch (its typed arrays are views of those buffers, cached per length). So nothing is
 * allocated per batch, and **a batch is only valid until the next one is produced**: copy what must
 * outlive the iteration step (`batch.ids.slice()`). Iterations may interleave (train() evaluates the
 * training set mid-epoch): each keeps its own order, but every batch produced, by any of them, overwrites
 * the shared buffers.
 *
 * Order: `epoch(e)` shuffles with `epochOrder(seed, e)`, the same order `train()` uses for this set with
 * the same seed; `batches({ batchSize, rng, shuffle })` is the training loop's interface (BatchSource).
 */
export class Batcher implements BatchSource {
  readonly set: EncodedSet;
  /** The largest B·T a batch can have with `batchSize`; the buffers hold this many tokens. */
  private capacityTokens = 0;
  private capacityRows = 0;
  private readonly length: number | undefined;
  private readonly maskPadding: boolean;
  private readonly options: Required<Pick<BatchingOptions, 'batchSize' | 'seed' | 'shuffle'>>;
  private readonly longest: number;
  private idsBuffer = new Int32Array(0);
  private maskBuffer = new Float32Array(0);
  private labelsBuffer = new Int32Array(0);
  private readonly idViews = new Map<number, Int32Array>();
  private readonly maskViews = new Map<number, Float32Array>();
  private readonly labelViews = new Map<number, Int32Array>();
  private readonly batch: Batch & { ids: Int32Array; labels: Int32Array };

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
    const batchSize = options.batchSize ?? 32;
    checkBatchSize(batchSize);
    this.set = set;
    this.length = options.length;
    this.maskPadding = options.maskPadding ?? true;
    this.options = { batchSize, seed: options.seed ?? 0, shuffle: options.shuffle ?? true };
    let longest = 1;
    for (const seq of set.ids) longest = Math.max(longest, seq.length);
    this.longest = longest;
    this.batch = { B: 0, T: 0, ids: this.idsBuffer, mask: this.maskBuffer, labels: this.labelsBuffer };
    this.reserve(Math.min(batchSize, Math.max(1, set.ids.length)));
  }

  get size(): number {
    return this.set.ids.length;
  }

  /** T of every batch with a fixed length, else the longest sequence of the set (the largest T a batch can have). */
  get maxT(): number {
    return this.length ?? this.longest;
  }

  /** Tokens (B·T) the buffers hold: the largest batch seen or planned so far. */
  get capacity(): number {
    return this.capacityTokens;
  }

  /** The batches of epoch `epoch` (0, 1, …) in its seeded order (or the stored order with `shuffle: false`). */
  epoch(epoch: number, batchSize = this.options.batchSize): Iterable<Batch> {
    if (!Number.isInteger(epoch) || epoch < 0) throw new ConfigError(`epoch must be a whole number ≥ 0, got ${epoch}`);
    return this.batches({ batchSize, rng: epochOrder(this.options.seed, epoch), shuffle: this.options.shuffle });
  }

  *batches({ batchSize, rng, shuffle = true }: { batchSize: number; rng?: Rng; shuffle?: boolean }): Iterable<Batch> {
    checkBatchSize(batchSize);
    const n = this.size;
    // one order per iteration (per epoch, not per batch): train() evaluates the training set in the middle of
    // an epoch, and that second iteration must not disturb the first one's order
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    if (shuffle && rng) rng.shuffle(order);
    this.reserve(Math.min(batchSize, Math.max(1, n)));
    const seqs = this.set.ids;
    const setLabels = this.set.labels;
    for (let start = 0; start < n; start += batchSize) {
      const B = Math.min(batchSize, n - start);
      let T = this.length ?? 1;
      if (this.length === undefined) for (let b = 0; b < B; b++) T = Math.max(T, seqs[order[start + b]!]!.length);
      const batch = this.shape(B, T);
      const { ids, mask, labels } = batch;
      const real = this.maskPadding;
      for (let b = 0; b < B; b++) {
        const index = order[start + b]!;
        const seq = seqs[index]!;
        const len = Math.min(seq.length, T);
        const row = b * T;
        if (len === seq.length) ids.set(seq, row);
        else for (let t = 0; t < len; t++) ids[row + t] = seq[t]!; // no subarray: not even a view is allocated
        ids.fill(PAD, row + len, row + T);
        const ones = real ? len : T;
        mask.fill(1, row, row + ones);
        mask.fill(0, row + ones, row + T);
        labels[b] = setLabels[index]!;
      }
      yield batch;
    }
  }

  /** Makes the buffers big enough for batches of `rows` sequences (allocates only when they grow). */
  private reserve(rows: number): void {
    const tokens = rows * this.maxT;
    if (tokens <= this.capacityTokens && rows <= this.capacityRows) return;
    this.capacityTokens = Math.max(tokens, this.capacityTokens);
    this.capacityRows = Math.max(rows, this.capacityRows);
    this.idsBuffer = new Int32Array(this.capacityTokens);
    this.maskBuffer = new Float32Array(this.capacityTokens);
    this.labelsBuffer = new Int32Array(this.capacityRows);
    this.idViews.clear();
    this.maskViews.clear();
    this.labelViews.clear();
  }

  /** The one batch object, pointed at views of length B·T (cached per length: no allocation once seen). */
  private shape(B: number, T: number): Batch & { ids: Int32Array; mask: Float32Array; labels: Int32Array } {
    const n = B * T;
    let ids = this.idViews.get(n);
    let mask = this.maskViews.get(n);
    if (!ids || !mask) {
      ids = this.idsBuffer.subarray(0, n);
      mask = this.maskBuffer.subarray(0, n);
      this.idViews.set(n, ids);
      this.maskViews.set(n, mask);
    }
    let labels = this.labelViews.get(B);
    if (!labels) {
      labels = this.labelsBuffer.subarray(0, B);
      this.labelViews.set(B, labels);
    }
    const batch = this.batch;
    batch.B = B;
    batch.T = T;
    batch.ids = ids;
    batch.mask = mask;
    batch.labels = labels;
    return batch;
  }
}

/** The first name of `Batcher`. */
export const SequenceBatches = Batcher;
/** The first name of `Batcher`. */
export type SequenceBatches = Batcher;

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
}
