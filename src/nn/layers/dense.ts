// Dense: y = act(x·wᵀ + b) on M rows, with its backward. The building block of every MLP, head and
// projection. Owns its output y and the gradient dy that the layer above accumulates into.

import type { Arena } from '../../runtime/arena.js';
import type { KernelExports } from '../../runtime/kernels.generated.js';
import type { ParamTable } from '../../runtime/params.js';
import { Tensor } from '../../runtime/tensor.js';
import type { BufferPlan } from '../plan.js';
import { zero } from '../plan.js';

/** Activation codes shared with assembly/act.ts. */
export const ACT = { identity: 0, sigmoid: 1, tanh: 2, relu: 3 } as const;
export type ActCode = (typeof ACT)[keyof typeof ACT];

/** Scratch shared by the layers of one model: GEMM workspace and a pre-activation gradient buffer. */
export interface SharedScratch {
  work: Tensor;
  dpre: Tensor;
  /** Bumped whenever the parameters change: packed copies of weights older than this are re-packed. */
  paramVersion: number;
  /**
   * Whether backward accumulates parameter gradients. explain() turns it off: it needs only d input,
   * and the weight gradients (two thirds of a backward's work) would be thrown away.
   */
  paramGrads: boolean;
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
  private readonly packed: PackedWeight;

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
    this.packed = new PackedWeight(k, params.arena, this.w, outFeatures, inFeatures);
  }

  dispose(): void {
    this.packed.dispose();
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
    k.linearForwardPacked(this.y.ptr, x, this.packed.get(scratch.paramVersion), this.b, M, this.inFeatures, this.outFeatures,
      scratch.work.ptr);
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
    if (this.dw && scratch.paramGrads) k.linearBackwardWeight(this.dw, this.db, x, dpre, M, this.inFeatures, this.outFeatures, scratch.work.ptr);
    if (dx) k.linearBackwardInput(dx, dpre, this.w, M, this.inFeatures, this.outFeatures, scratch.work.ptr);
  }
}

/**
 * A weight w (N,K) packed for the GEMM's forward form (gemm.ts packWeight), re-packed only when the
 * parameters changed since: once per optimizer step in training, once in all for inference.
 */
export class PackedWeight {
  private readonly k: KernelExports;
  private readonly w: number;
  private readonly N: number;
  private readonly K: number;
  private readonly packed: Tensor;
  private version = -1;

  constructor(k: KernelExports, arena: Arena, w: number, N: number, K: number) {
    this.k = k;
    this.w = w;
    this.N = N;
    this.K = K;
    this.packed = Tensor.alloc(arena, [k.packedWeightSize(N, K)]);
  }

  /** Byte address of the packed weight, current for parameter version `version`. */
  get(version: number): number {
    if (this.version !== version) {
      this.k.packWeight(this.packed.ptr, this.w, this.N, this.K);
      this.version = version;
    }
    return this.packed.ptr;
  }

  dispose(): void {
    this.packed.dispose();
  }
}
