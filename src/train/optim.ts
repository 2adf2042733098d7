// Optimizers over a ParamTable. Parameters, gradients and optimizer state share one flat layout, so a
// step is ONE kernel call over the trainable prefix, and a step allocates nothing. The kernels follow
// PyTorch's single-tensor implementations (torch.optim.Adam, AdamW, SGD) operation for operation.

import { ConfigError } from '../errors.js';
import type { KernelExports } from '../runtime/kernels.generated.js';
import type { ParamTable } from '../runtime/params.js';
import { Tensor } from '../runtime/tensor.js';
import { kernelsOf } from '../runtime/wasm.js';

export interface OptimizerConfig {
  kind: 'adam' | 'adamw' | 'sgd';
  /** Learning rate (≥ 0). */
  lr: number;
  /** Adam/AdamW β1, default 0.9. */
  beta1?: number;
  /** Adam/AdamW β2, default 0.999. */
  beta2?: number;
  /** Adam/AdamW ε, default 1e-8. */
  eps?: number;
  /** L2 penalty added to the gradient (Adam, SGD; default 0) or decoupled decay (AdamW; default 0.01). */
  weightDecay?: number;
  /** SGD momentum, default 0 (plain SGD). */
  momentum?: number;
  /** SGD dampening, default 0. */
  dampening?: number;
  /** SGD Nesterov momentum (needs momentum > 0 and dampening 0), default false. */
  nesterov?: boolean;
}

/** Every field filled in. */
export type ResolvedOptimizerConfig = Readonly<Required<OptimizerConfig>>;

/** What a checkpoint keeps of an optimizer: copies, not views. */
export interface OptimizerState {
  /** Steps taken. */
  step: number;
  /** The learning rate at the time (restored by load when present). */
  lr?: number;
  /** Adam/AdamW first moments, trainableSize values. */
  m?: Float32Array;
  /** Adam/AdamW second moments. */
  v?: Float32Array;
  /** SGD momentum buffer (only with momentum > 0). */
  buf?: Float32Array;
}

export interface Optimizer {
  readonly config: ResolvedOptimizerConfig;
  /** Steps taken (PyTorch's `step`, used in Adam's bias corrections). */
  readonly stepCount: number;
  /** The learning rate of the next step (a schedule sets it before each step). */
  lr: number;
  /** One update of every trainable parameter from the gradients in `table.grads`. */
  step(): void;
  /**
   * clip_grad_norm_: returns the global L2 norm of the gradients before clipping, and scales them by
   * maxNorm/(norm + 1e-6) when the norm is above maxNorm. maxNorm = Infinity only measures.
   */
  clipGradNorm(maxNorm: number): number;
  state(): OptimizerState;
  load(state: OptimizerState): void;
  /** Returns the state buffers to the arena. */
  dispose(): void;
}

/**
 * An optimizer for the trainable parameters of `table`. The kernels are those of the runtime that owns
 * `table.arena`; pass `kernels` for an arena made outside a Runtime.
 */
export function createOptimizer(table: ParamTable, config: OptimizerConfig, kernels?: KernelExports): Optimizer {
  const k = kernels ?? kernelsOf(table.arena);
  if (!k) {
    throw new ConfigError('createOptimizer: the parameter table does not live in a seqwasm runtime',
      'make the ParamTable in runtime.arena, or pass the runtime\'s kernels');
  }
  return new FlatOptimizer(table, resolveConfig(config), k);
}

/** Fills in PyTorch's defaults and checks every field; throws ConfigError naming the field. */
export function resolveConfig(config: OptimizerConfig): ResolvedOptimizerConfig {
  if (typeof config !== 'object' || config === null) throw new ConfigError('optimizer config must be an object');
  const kind = config.kind;
  if (kind !== 'adam' && kind !== 'adamw' && kind !== 'sgd') {
    throw new ConfigError(`optimizer.kind: unknown ${JSON.stringify(kind)}`, 'use "adam", "adamw" or "sgd"');
  }
  const full: Required<OptimizerConfig> = {
    kind,
    lr: config.lr,
    beta1: config.beta1 ?? 0.9,
    beta2: config.beta2 ?? 0.999,
    eps: config.eps ?? 1e-8,
    weightDecay: config.weightDecay ?? (kind === 'adamw' ? 0.01 : 0),
    momentum: config.momentum ?? 0,
    dampening: config.dampening ?? 0,
    nesterov: config.nesterov ?? false,
  };
  checkLr(full.lr);
  const inRange = (field: keyof OptimizerConfig, lo: number, hi: number, hiOpen: boolean) => {
    const value = full[field] as number;
    const ok = typeof value === 'number' && value >= lo && (hiOpen ? value < hi : value <= hi);
    if (!ok) {
      throw new ConfigError(`optimizer.${field} must be in [${lo}, ${hi}${hiOpen ? ')' : ']'}, got ${String(value)}`);
    }
  };
  inRange('beta1', 0, 1, true);
  inRange('beta2', 0, 1, true);
  inRange('eps', 0, Number.MAX_VALUE, false);
  inRange('weightDecay', 0, Number.MAX_VALUE, false);
  inRange('momentum', 0, Number.MAX_VALUE, false);
  inRange('dampening', 0, 1, false);
  if (typeof full.nesterov !== 'boolean') throw new ConfigError(`optimizer.nesterov must be a boolean, got ${String(full.nesterov)}`);
  if (full.nesterov && (full.momentum <= 0 || full.dampening !== 0)) {
    throw new ConfigError('optimizer.nesterov needs momentum > 0 and dampening 0', 'as in torch.optim.SGD');
  }
  return Object.freeze(full);
}

function checkLr(lr: number): void {
  if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) {
    throw new ConfigError(`optimizer.lr must be a finite number ≥ 0, got ${String(lr)}`);
  }
}

class FlatOptimizer implements Optimizer {
  readonly config: ResolvedOptimizerConfig;
  private rate: number;
  private steps = 0;
  private disposed = false;
  private readonly table: ParamTable;
  private readonly k: KernelExports;
  /** Which state buffers this config keeps; they are allocated on the first step or load, so a model that only predicts never holds them. */
  private readonly keeps: { m: boolean; v: boolean; buf: boolean };
  private m: Tensor | undefined;
  private v: Tensor | undefined;
  private buf: Tensor | undefined;

  constructor(table: ParamTable, config: ResolvedOptimizerConfig, kernels: KernelExports) {
    this.config = config;
    this.rate = config.lr;
    this.table = table;
    this.k = kernels;
    const adam = config.kind !== 'sgd';
    this.keeps = { m: adam, v: adam, buf: !adam && config.momentum !== 0 };
  }

  private allocateState(): void {
    const n = this.table.trainableSize;
    const arena = this.table.arena;
    if (this.keeps.m && !this.m) this.m = Tensor.alloc(arena, [n]);
    if (this.keeps.v && !this.v) this.v = Tensor.alloc(arena, [n]);
    if (this.keeps.buf && !this.buf) this.buf = Tensor.alloc(arena, [n]);
  }

  get stepCount(): number {
    return this.steps;
  }

  get lr(): number {
    return this.rate;
  }

  set lr(value: number) {
    checkLr(value);
    this.rate = value;
  }

  step(): void {
    if (this.disposed) throw new ConfigError('optimizer.step() after dispose()');
    this.allocateState();
    const { table, config, k } = this;
    const n = table.trainableSize;
    const p = table.params.ptr;
    const g = table.grads.ptr;
    this.steps++;
    if (config.kind === 'sgd') {
      k.sgdStep(p, g, this.buf ? this.buf.ptr : 0, n, this.rate, config.momentum, config.dampening, config.weightDecay,
        config.nesterov ? 1 : 0, this.steps === 1 ? 1 : 0);
    } else if (config.kind === 'adam') {
      k.adamStep(p, g, this.m!.ptr, this.v!.ptr, n, this.rate, config.beta1, config.beta2, config.eps, config.weightDecay, this.steps);
    } else {
      k.adamwStep(p, g, this.m!.ptr, this.v!.ptr, n, this.rate, config.beta1, config.beta2, config.eps, config.weightDecay, this.steps);
    }
  }

  clipGradNorm(maxNorm: number): number {
    if (typeof maxNorm !== 'number' || !(maxNorm > 0)) {
      throw new ConfigError(`clipGradNorm: maxNorm must be > 0 (Infinity to only measure), got ${String(maxNorm)}`);
    }
    const { table, k } = this;
    const norm = Math.sqrt(k.sumSquares(table.grads.ptr, table.trainableSize));
    const coef = maxNorm / (norm + 1e-6);
    if (coef < 1) k.scale(table.grads.ptr, table.trainableSize, coef); // NaN norm: coef NaN, grads left as they are
    return norm;
  }

  state(): OptimizerState {
    const state: OptimizerState = { step: this.steps, lr: this.rate };
    // state not yet allocated is all zeros, as a fresh optimizer's
    const n = this.table.trainableSize;
    if (this.keeps.m) state.m = this.m ? this.m.toArray() : new Float32Array(n);
    if (this.keeps.v) state.v = this.v ? this.v.toArray() : new Float32Array(n);
    if (this.keeps.buf) state.buf = this.buf ? this.buf.toArray() : new Float32Array(n);
    return state;
  }

  load(state: OptimizerState): void {
    if (typeof state !== 'object' || state === null) throw new ConfigError('optimizer state must be an object');
    if (!Number.isInteger(state.step) || state.step < 0) {
      throw new ConfigError(`optimizer state: step must be an integer ≥ 0, got ${String(state.step)}`);
    }
    if (state.lr !== undefined) checkLr(state.lr);
    const n = this.table.trainableSize;
    const pairs: [string, boolean, ArrayLike<number> | undefined][] = [
      ['m', this.keeps.m, state.m], ['v', this.keeps.v, state.v], ['buf', this.keeps.buf, state.buf],
    ];
    for (const [name, mine, theirs] of pairs) {
      if (!mine && theirs !== undefined) {
        throw new ConfigError(`optimizer state has "${name}", which a ${this.config.kind} optimizer with this config does not keep`);
      }
      if (mine && (theirs === undefined || theirs.length !== n)) {
        throw new ConfigError(`optimizer state: "${name}" must hold ${n} values, got ${theirs === undefined ? 'none' : theirs.length}`,
          'load the state of an optimizer of the same kind over the same model');
      }
    }
    this.allocateState();
    if (this.m) this.m.set(state.m!);
    if (this.v) this.v.set(state.v!);
    if (this.buf) this.buf.set(state.buf!);
    this.steps = state.step;
    if (state.lr !== undefined) this.rate = state.lr;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.m?.dispose();
    this.v?.dispose();
    this.buf?.dispose();
  }
}
