// Dense: y = act(x·wᵀ + b) on M rows, with its backward. The building block of every MLP, head and
// projection. Owns its output y and the gradient dy that the layer above accumulates into.

import type { KernelExports } from '../../runtime/kernels.generated.js';
import type { ParamTable } from '../../runtime/params.js';
import type { Tensor } from '../../runtime/tensor.js';
import type { BufferPlan } from '../plan.js';
import { zero } from '../plan.js';

/** Activation codes shared with assembly/act.ts. */
export const ACT = { identity: 0, sigmoid: 1, tanh: 2, relu: 3 } as const;
export type ActCode = (typeof ACT)[keyof typeof ACT];

/** Scratch shared by the layers of one model: GEMM workspace and a pre-activation gradient buffer. */
export interface SharedScratch {
  work: Tensor;
  dpre: Tensor;
}

export class Dense {
  readonly name: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly act: ActCode;
  readonly hasBias: boolean;
  /** (M, out) output, after the activation. */
  y!: Tensor;
  /** (M, out) gradient of the loss w.r.t. y; a plan.grad buffer, zeroed before each backward. */
  dy!: Tensor;
  private readonly k: KernelExports;
  // byte addresses, resolved once: the parameter and gradient blocks never move
  private readonly w: number;
  private readonly b: number;
  private readonly dw: number;
  private readonly db: number;

  constructor(k: KernelExports, params: ParamTable, name: string, inFeatures: number, outFeatures: number,
    act: ActCode, hasBias = true) {
    this.k = k;
    this.name = name;
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.act = act;
    this.hasBias = hasBias;
    const weight = params.entry(`${name}.weight`);
    this.w = params.paramPtr(weight.name);
    this.dw = weight.trainable ? params.gradPtr(weight.name) : 0;
    this.b = hasBias ? params.paramPtr(`${name}.bias`) : 0;
    this.db = hasBias && weight.trainable ? params.gradPtr(`${name}.bias`) : 0;
  }

  /** Allocates y and dy for up to M rows; returns the scratch this layer needs (work, dpre) in elements. */
  plan(plan: BufferPlan, M: number): { work: number; dpre: number } {
    this.y = plan.f32([M, this.outFeatures]);
    this.dy = plan.grad([M, this.outFeatures]);
    return {
      work: this.k.linearWorkspace(M, this.inFeatures, this.outFeatures),
      dpre: this.act === ACT.identity ? 0 : M * this.outFeatures,
    };
  }

  forward(x: number, M: number, scratch: SharedScratch): void {
    const k = this.k;
    k.linearForward(this.y.ptr, x, this.w, this.b, M, this.inFeatures, this.outFeatures, scratch.work.ptr);
    if (this.act !== ACT.identity) k.activationForward(this.y.ptr, this.y.ptr, M * this.outFeatures, this.act);
  }

  /**
   * Accumulates the weight/bias gradients and, when dx ≠ 0, dx += d(pre)·w.
   * Frozen weights (no gradient) skip the weight gradient.
   */
  backward(dx: number, x: number, M: number, scratch: SharedScratch): void {
    const k = this.k;
    const n = M * this.outFeatures;
    let dpre = this.dy.ptr;
    if (this.act !== ACT.identity) {
      zero(scratch.dpre, n);
      k.activationBackward(scratch.dpre.ptr, this.dy.ptr, this.y.ptr, n, this.act);
      dpre = scratch.dpre.ptr;
    }
    if (this.dw) k.linearBackwardWeight(this.dw, this.db, x, dpre, M, this.inFeatures, this.outFeatures, scratch.work.ptr);
    if (dx) k.linearBackwardInput(dx, dpre, this.w, M, this.inFeatures, this.outFeatures, scratch.work.ptr);
  }
}
