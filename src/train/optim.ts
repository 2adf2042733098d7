// Optimizers over a ParamTable: parameters, gradients and state share one flat layout, so a step is
// one kernel call over the trainable prefix, and nothing is allocated per step.

import { ConfigError } from '../errors.js';
import type { KernelExports } from '../runtime/kernels.generated.js';
import type { ParamTable } from '../runtime/params.js';
import { Tensor } from '../runtime/tensor.js';

export interface OptimizerConfig {
  kind: 'adam' | 'adamw' | 'sgd';
  lr: number;
  /** Adam/AdamW β1, default 0.9. */
  beta1?: number;
  /** Adam/AdamW β2, default 0.999. */
  beta2?: number;
  /** Adam/AdamW ε, default 1e-8. */
  eps?: number;
  /** L2 penalty (Adam, SGD) or decoupled decay (AdamW; default 0.01 there, 0 elsewhere). */
  weightDecay?: number;
  /** SGD momentum, default 0. */
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
}

/** What a checkpoint keeps of an optimizer. */
export interface OptimizerState {
  step: number;
  lr: number;
  /** First and second moments (Adam) or the momentum buffer (SGD), each trainableSize floats. */
  buffers: Float32Array[];
}

export interface Optimizer {
  readonly config: Readonly<Required<Omit<OptimizerConfig, 'nesterov'>>> & { nesterov: boolean };
  /** Steps taken (PyTorch's `step` in the bias corrections). */
  readonly stepCount: number;
  /** The learning rate of the next step (a schedule sets it before each step). */
  lr: number;
  step(): void;
  /** The global gradient norm before clipping; scales the gradients to maxNorm when above it (clip_grad_norm_). */
  clipGradNorm(maxNorm: number): number;
  state(): OptimizerState;
  load(state: OptimizerState): void;
  dispose(): void;
}

/** An optimizer for the trainable parameters of `table`, stepping with the given runtime's kernels. */
export function createOptimizer(table: ParamTable, config: OptimizerConfig, kernels: KernelExports): Optimizer {
  return new FlatOptimizer(table, config, kernels);
}

class FlatOptimizer implements Optimizer {
  readonly config: Optimizer['config'];
  lr: number;
  private steps = 0;
  private readonly table: ParamTable;
  private readonly k: KernelExports;
  private readonly buffers: Tensor[];

  constructor(table: ParamTable, config: OptimizerConfig, kernels: KernelExports) {
    this.k = kernels;
    if (!config || !['adam', 'adamw', 'sgd'].includes(config.kind)) {
      throw new ConfigError(`optimizer.kind: unknown ${JSON.stringify(config?.kind)}`, 'use adam, adamw or sgd');
    }
    const full = {
      kind: config.kind,
      lr: config.lr,
      beta1: config.beta1 ?? 0.9,
      beta2: config.beta2 ?? 0.999,
      eps: config.eps ?? 1e-8,
      weightDecay: config.weightDecay ?? (config.kind === 'adamw' ? 0.01 : 0),
      momentum: config.momentum ?? 0,
      dampening: config.dampening ?? 0,
      nesterov: config.nesterov ?? false,
    };
    const check = (field: string, ok: boolean, value: number) => {
      if (!ok) throw new ConfigError(`optimizer.${field} is out of range: ${value}`);
    };
    check('lr', full.lr > 0 && Number.isFinite(full.lr), full.lr);
    check('beta1', full.beta1 >= 0 && full.beta1 < 1, full.beta1);
    check('beta2', full.beta2 >= 0 && full.beta2 < 1, full.beta2);
    check('eps', full.eps > 0, full.eps);
    check('weightDecay', full.weightDecay >= 0, full.weightDecay);
    check('momentum', full.momentum >= 0, full.momentum);
    if (full.nesterov && (full.momentum <= 0 || full.dampening !== 0)) {
      throw new ConfigError('optimizer.nesterov needs momentum > 0 and dampening 0 (as in PyTorch)');
    }
    this.config = full;
    this.lr = full.lr;
    this.table = table;
    const count = full.kind === 'sgd' ? (full.momentum ? 1 : 0) : 2;
    this.buffers = Array.from({ length: count }, () => Tensor.alloc(table.arena, [table.trainableSize]));
  }

  get stepCount(): number {
    return this.steps;
  }

  step(): void {
    const { table, config } = this;
    const k = this.k;
    const n = table.trainableSize;
    const p = table.params.ptr;
    const g = table.grads.ptr;
    this.steps++;
    if (config.kind === 'sgd') {
      k.sgdStep(p, g, this.buffers[0]?.ptr ?? 0, n, this.lr, config.momentum, config.dampening, config.weightDecay,
        config.nesterov ? 1 : 0, this.steps === 1 ? 1 : 0);
      return;
    }
    const stepFn = config.kind === 'adam' ? k.adamStep : k.adamwStep;
    stepFn(p, g, this.buffers[0]!.ptr, this.buffers[1]!.ptr, n, this.lr, config.beta1, config.beta2, config.eps,
      config.weightDecay, this.steps);
  }

  clipGradNorm(maxNorm: number): number {
    const k = this.k;
    const norm = Math.sqrt(k.sumSquares(this.table.grads.ptr, this.table.trainableSize));
    const coef = maxNorm / (norm + 1e-6);
    if (coef < 1) k.scale(this.table.grads.ptr, this.table.trainableSize, coef);
    return norm;
  }

  state(): OptimizerState {
    return { step: this.steps, lr: this.lr, buffers: this.buffers.map((b) => b.toArray()) };
  }

  load(state: OptimizerState): void {
    if (state.buffers.length !== this.buffers.length || state.buffers.some((b) => b.length !== this.table.trainableSize)) {
      throw new ConfigError('optimizer state does not match this optimizer and model',
        `expected ${this.buffers.length} buffers of ${this.table.trainableSize} values`);
    }
    state.buffers.forEach((b, i) => this.buffers[i]!.set(b));
    this.steps = state.step;
    this.lr = state.lr;
  }

  dispose(): void {
    for (const b of this.buffers) b.dispose();
  }
}
