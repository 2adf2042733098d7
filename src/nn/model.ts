// The model base: input (embedding lookup or given vectors), loss, optimizer step, prediction and
// explanation are the same for all five kinds; each kind supplies its body between x and the logits.
//
// A training step passes only pointers: buffers are planned for a batch capacity (B, T) and re-planned
// only when a larger batch arrives, so memory and the arena's high-water mark stay flat over steps.

import { ConfigError } from '../errors.js';
import { Rng } from '../rng.js';
import type { KernelExports } from '../runtime/kernels.generated.js';
import { ParamTable } from '../runtime/params.js';
import type { Tensor } from '../runtime/tensor.js';
import { runtime as defaultRuntime, type Runtime } from '../runtime/wasm.js';
import { createOptimizer, type Optimizer, type OptimizerConfig } from '../train/optim.js';
import { checkBatch, type Batch, type BatchRequirements } from './batch.js';
import { paramSpecs, resolveConfig, type ModelConfig, type ResolvedConfig } from './config.js';
import { ACT, type SharedScratch } from './layers/dense.js';
import { BufferPlan } from './plan.js';
import { PAD, UNK } from '../data/vocab.js';

export interface ModelOptions {
  /** Default: the runtime made by `init()`. */
  runtime?: Runtime;
  /** Seed of the parameter initialisation. Default 0. */
  seed?: number;
  /** Default Adam with lr 1e-3, the exercise's. */
  optimizer?: OptimizerConfig;
  /** Clip the global gradient norm to this value before each step (PyTorch clip_grad_norm_). Default off. */
  clipNorm?: number;
  /**
   * Draw the initial parameters (default true). false leaves them at zero: for callers that set every
   * parameter right after, as loading a model file does (the random draw is most of a load's time).
   */
  initialize?: boolean;
}

/** What a model can say about one batch, beyond its prediction. */
export interface Explanation {
  B: number;
  T: number;
  /** (B,C) class probabilities; (B) for bce. */
  probs: Float32Array;
  /**
   * (B,T) gradient×input per token: Σ_d x·∂m/∂x of the explained margin m (see `explain`). Available
   * for every kind; the word-level explanation of RNN/GRU.
   */
  attributions: Float32Array;
  /** (B,T,C) per-token sub-scores (token MLP, weighted MLP, attention). */
  subScores?: Float32Array;
  /** (B,T) per-token weights, softmaxed over the real tokens (weighted pooling). */
  tokenWeights?: Float32Array;
  /** (B,T,2k+1) attention weights of each token over its window (attention). */
  attention?: Float32Array;
}

/** What a model body asks of the shared scratch, in f32 elements. */
export interface ScratchNeeds {
  work: number;
  dpre: number;
}

export abstract class SequenceModel {
  readonly config: ResolvedConfig;
  readonly runtime: Runtime;
  readonly params: ParamTable;
  readonly optimizer: Optimizer;
  readonly clipNorm: number | undefined;
  protected readonly k: KernelExports;
  protected readonly D: number;
  protected readonly C: number;
  private readonly requirements: BatchRequirements;
  private readonly trainRequirements: BatchRequirements;

  private plan: BufferPlan | undefined;
  private capacity = { B: 0, T: 0 };
  // planned tensors shared by every kind
  protected ids!: Tensor<'i32'>;
  protected x!: Tensor;
  /** Gradient w.r.t. x: filled when the embedding is trained or attributions are asked for. */
  protected dx!: Tensor;
  protected mask!: Tensor;
  private labelsI32!: Tensor<'i32'>;
  private labelsF32!: Tensor;
  private probs!: Tensor;
  private losses!: Tensor;
  private dlogits!: Tensor;
  protected readonly scratch: SharedScratch = { work: undefined!, dpre: undefined!, paramVersion: 0, paramGrads: true };
  private readonly owned: { dispose(): void }[] = [];
  private logitsPtr = 0;
  /** The learned unknown-word vector over a frozen table, or 0. */
  private readonly unkPtr: number;
  /** Training needs dx when an embedding (or its unknown-word vector) learns. */
  private readonly needsInputGradient: boolean;
  private disposed = false;

  constructor(config: ModelConfig, options: ModelOptions = {}) {
    this.config = resolveConfig(config);
    this.runtime = options.runtime ?? defaultRuntime();
    this.k = this.runtime.kernels;
    this.D = this.config.input;
    this.C = this.config.outputs;
    if (options.clipNorm !== undefined && !(options.clipNorm > 0)) throw new ConfigError(`clipNorm must be > 0, got ${options.clipNorm}`);
    this.clipNorm = options.clipNorm;
    this.params = new ParamTable(this.runtime.arena, paramSpecs(this.config), options.initialize === false ? undefined : new Rng(options.seed ?? 0));
    this.optimizer = createOptimizer(this.params, options.optimizer ?? { kind: 'adam', lr: 1e-3 }, this.k);
    const emb = this.config.embedding;
    this.unkPtr = emb && emb.unknown === 'learned' && !emb.trainable ? this.params.paramPtr('embedding.unk') : 0;
    this.needsInputGradient = !!emb && (emb.trainable || this.unkPtr !== 0);
    const req = { D: this.D, embedding: !!this.config.embedding, classes: this.C, bce: this.config.loss === 'bce' };
    this.requirements = { ...req, needLabels: false };
    this.trainRequirements = { ...req, needLabels: true };
  }

  // ---- the public API ----

  /** Logits (B,C) of a batch: a copy. */
  forward(batch: Batch): Float32Array {
    this.load(batch, false);
    this.runForward(batch.B, batch.T);
    return new Float32Array(this.runtime.memory.buffer, this.logitsPtr, batch.B * this.C).slice();
  }

  /** Class probabilities (B,C), or the positive-class probability (B) for bce: a copy. */
  predict(batch: Batch): Float32Array {
    this.load(batch, false);
    this.runForward(batch.B, batch.T);
    return this.probabilities(batch.B).slice();
  }

  /** Mean loss of a labelled batch without changing anything. */
  loss(batch: Batch): number {
    this.load(batch, true);
    this.runForward(batch.B, batch.T);
    return this.computeLoss(batch.B);
  }

  /**
   * Zeroes the gradients, then forward + backward: gradients are left in `params.grads`. Returns the
   * loss. With `inputGradient`, dL/dx is computed too (read it with `inputGradient()`).
   *
   * `batchSize` (default `batch.B`) divides the summed per-example losses for the gradients: a shard
   * of a larger batch passes the whole batch's size, so the shards' gradients add up to the batch's
   * (parallel training). The returned loss is always the mean over `batch`.
   */
  lossAndGrad(batch: Batch, options?: { inputGradient?: boolean; batchSize?: number }): number {
    this.load(batch, true);
    const { B, T } = batch;
    const of = options?.batchSize ?? B;
    if (!(Number.isInteger(of) && of >= B)) throw new ConfigError(`lossAndGrad: batchSize must be an integer ≥ batch.B (${B}), got ${of}`);
    this.runForward(B, T);
    const loss = this.computeLoss(B);
    this.params.zeroGrads();
    this.plan!.zeroGrads();
    const scale = 1 / of;
    if (this.config.loss === 'bce') this.k.bceBackward(this.dlogits.ptr, this.logitsPtr, this.labelsF32.ptr, B, scale);
    else this.k.crossEntropyBackward(this.dlogits.ptr, this.probs.ptr, this.labelsI32.ptr, B, this.C, scale);
    this.runBackward(B, T, this.needsInputGradient || options?.inputGradient === true);
    return loss;
  }

  /** dL/dx (B,T,D) of the last `lossAndGrad(batch, { inputGradient: true })`: a copy. */
  inputGradient(batch: Pick<Batch, 'B' | 'T'>): Float32Array {
    return this.dx.view().slice(0, batch.B * batch.T * this.D);
  }

  /** One optimizer step on a labelled batch (forward, backward, clipping, update). Returns the loss. */
  trainStep(batch: Batch): number {
    const loss = this.lossAndGrad(batch);
    if (this.clipNorm !== undefined) this.optimizer.clipGradNorm(this.clipNorm);
    this.optimizer.step();
    this.parametersChanged();
    return loss;
  }

  /** Tell the model its parameters were changed from outside (loaded, restored, stepped by hand). */
  parametersChanged(): void {
    this.scratch.paramVersion++;
  }

  /** Correct predictions in the last forward of a labelled batch (for running training accuracy). */
  correctInLastBatch(batch: Batch): number {
    const labels = batch.labels!;
    const logits = this.runtime.arena.f32();
    const base = this.logitsPtr >>> 2;
    let correct = 0;
    for (let b = 0; b < batch.B; b++) {
      if (this.config.loss === 'bce') {
        if ((logits[base + b]! > 0 ? 1 : 0) === (labels[b]! >= 0.5 ? 1 : 0)) correct++;
        continue;
      }
      let best = 0;
      for (let c = 1; c < this.C; c++) if (logits[base + b * this.C + c]! > logits[base + b * this.C + best]!) best = c;
      if (best === labels[b]) correct++;
    }
    return correct;
  }

  /**
   * Probabilities, gradient×input per token, and whatever per-token outputs this kind has. The
   * attributions explain the margin of class `target` (its logit minus the mean of the others'; the
   * logit itself for bce); default: class 1 with two classes, else each row's predicted class.
   */
  explain(batch: Batch, target?: number): Explanation {
    this.load(batch, false);
    const { B, T } = batch;
    const C = this.C;
    if (target !== undefined && !(Number.isInteger(target) && target >= 0 && target < C)) {
      throw new ConfigError(`explain: target class ${target} is not in [0, ${C - 1}]`);
    }
    this.runForward(B, T);
    const probs = this.probabilities(B).slice();
    const own = this.explainBody(B, T);
    // backward from the margin to the input only: no parameter gradient is touched
    this.plan!.zeroGrads();
    const dl = this.dlogits.view();
    for (let b = 0; b < B; b++) {
      if (this.config.loss === 'bce') {
        dl[b] = 1;
        continue;
      }
      let c = target ?? (C === 2 ? 1 : -1);
      if (c < 0) {
        c = 0;
        for (let k = 1; k < C; k++) if (probs[b * C + k]! > probs[b * C + c]!) c = k;
      }
      for (let k = 0; k < C; k++) dl[b * C + k] = k === c ? 1 : -1 / (C - 1);
    }
    this.scratch.paramGrads = false;
    try {
      this.runBackward(B, T, true);
    } finally {
      this.scratch.paramGrads = true;
    }
    const x = this.x.view();
    const dx = this.dx.view();
    const attributions = new Float32Array(B * T);
    for (let i = 0; i < B * T; i++) {
      let s = 0;
      for (let d = 0; d < this.D; d++) s += x[i * this.D + d]! * dx[i * this.D + d]!;
      attributions[i] = s;
    }
    return { B, T, probs, attributions, ...own };
  }

  /** Releases every buffer of the model; it must not be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.plan?.dispose();
    this.optimizer.dispose();
    for (const part of this.owned) part.dispose();
    this.params.dispose();
  }

  // ---- what each kind supplies ----

  /** Allocates the body's buffers for up to B×T tokens; returns its scratch needs. */
  protected abstract planBody(plan: BufferPlan, B: number, T: number): ScratchNeeds;
  /** Runs the body from `x` (B,T,D) and `mask`; returns the byte address of the logits (B,C). */
  protected abstract forwardBody(B: number, T: number): number;
  /** From d logits (B,C), accumulates parameter gradients and, when `needDx`, `dx`. */
  protected abstract backwardBody(B: number, T: number, dlogits: number, needDx: boolean): void;
  /** The kind's own per-token outputs of the last forward, as copies. */
  protected abstract explainBody(B: number, T: number): Partial<Explanation>;
  /** Registers a part (a layer, a packed weight) that holds memory, to be released with the model. */
  protected own<T extends { dispose(): void }>(part: T): T {
    this.owned.push(part);
    return part;
  }

  // ---- internals ----

  private load(batch: Batch, needLabels: boolean): void {
    if (this.disposed) throw new ConfigError('this model was disposed');
    checkBatch(batch, needLabels ? this.trainRequirements : this.requirements);
    const { B, T } = batch;
    this.ensureCapacity(B, T);
    const n = B * T;
    if (this.config.embedding) {
      const ids = this.ids.view();
      ids.set(batch.ids!);
      // padding, and unknown words under unknown: 'zero', read no row (a zero vector) and get no gradient
      const zeroUnknown = this.config.embedding.unknown === 'zero';
      for (let i = 0; i < n; i++) if (ids[i] === PAD || (zeroUnknown && ids[i] === UNK)) ids[i] = -1;
    } else this.x.view().set(batch.x!);
    this.mask.view().set(batch.mask);
    if (needLabels) {
      if (this.config.loss === 'bce') this.labelsF32.view().set(batch.labels!);
      else this.labelsI32.view().set(batch.labels!);
    }
    if (this.config.embedding) {
      this.k.embeddingForward(this.x.ptr, this.params.paramPtr('embedding.weight'), this.ids.ptr, n, this.D);
      if (this.unkPtr) this.k.unknownForward(this.x.ptr, this.unkPtr, this.ids.ptr, n, this.D);
    }
  }

  private runForward(B: number, T: number): void {
    this.logitsPtr = this.forwardBody(B, T);
  }

  private runBackward(B: number, T: number, needDx: boolean): void {
    this.backwardBody(B, T, this.dlogits.ptr, needDx);
    if (!needDx || !this.config.embedding || !this.scratch.paramGrads) return;
    if (this.config.embedding.trainable) {
      this.k.embeddingBackward(this.params.gradPtr('embedding.weight'), this.dx.ptr, this.ids.ptr, B * T, this.D);
    }
    if (this.unkPtr) this.k.unknownBackward(this.params.gradPtr('embedding.unk'), this.dx.ptr, this.ids.ptr, B * T, this.D);
  }

  private computeLoss(B: number): number {
    if (this.config.loss === 'bce') return this.k.bceForward(this.losses.ptr, this.logitsPtr, this.labelsF32.ptr, B);
    return this.k.crossEntropyForward(this.losses.ptr, this.probs.ptr, this.logitsPtr, this.labelsI32.ptr, B, this.C);
  }

  private probabilities(B: number): Float32Array {
    if (this.config.loss === 'bce') this.k.activationForward(this.probs.ptr, this.logitsPtr, B, ACT.sigmoid);
    else this.k.softmaxForward(this.probs.ptr, this.logitsPtr, 0, B, this.C);
    return this.probs.view().subarray(0, B * this.C);
  }

  private ensureCapacity(B: number, T: number): void {
    if (B <= this.capacity.B && T <= this.capacity.T) return;
    // grow to cover both the old and the new shape, so alternating shapes never re-plan twice
    B = Math.max(B, this.capacity.B);
    T = Math.max(T, this.capacity.T);
    this.plan?.dispose();
    const plan = new BufferPlan(this.runtime.arena);
    const n = B * T;
    this.ids = plan.i32([B, T]);
    this.x = plan.f32([B, T, this.D]);
    this.dx = plan.grad([B, T, this.D]);
    this.mask = plan.f32([B, T]);
    this.labelsI32 = plan.i32([B]);
    this.labelsF32 = plan.f32([B]);
    this.probs = plan.f32([B, this.C]);
    this.losses = plan.f32([B]);
    this.dlogits = plan.grad([B, this.C]);
    const needs = this.planBody(plan, B, T);
    this.scratch.work = plan.f32([Math.max(1, needs.work)]);
    this.scratch.dpre = plan.f32([Math.max(1, needs.dpre, n)]);
    this.plan = plan;
    this.capacity = { B, T };
  }
}
