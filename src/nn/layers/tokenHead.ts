// The token-wise head of models 3, 4 and 5: the same MLP on every token gives sub-scores, pooled over
// the real tokens by their mean (model 3) or by softmaxed per-token weights (model 4).

import type { KernelExports } from '../../runtime/kernels.generated.js';
import type { ParamTable } from '../../runtime/params.js';
import type { Tensor } from '../../runtime/tensor.js';
import type { ScratchNeeds } from '../model.js';
import type { BufferPlan } from '../plan.js';
import { ACT, Dense, type SharedScratch } from './dense.js';

export type Pooling = 'mean' | 'weighted';

export class TokenHead {
  readonly layers: Dense[];
  readonly out: Dense;
  readonly pooling: Pooling;
  readonly C: number;
  /** (B,C) pooled logits. */
  logits!: Tensor;
  /** (B,T) softmaxed token weights (weighted pooling only). */
  weights!: Tensor;
  private readonly k: KernelExports;

  constructor(k: KernelExports, params: ParamTable, input: number, widths: readonly number[], C: number, pooling: Pooling) {
    this.k = k;
    this.C = C;
    this.pooling = pooling;
    let width = input;
    this.layers = widths.map((w, i) => {
      const layer = new Dense(k, params, `mlp.${i}`, width, w, ACT.relu);
      width = w;
      return layer;
    });
    // weighted pooling: one more output row per token, its weight logit
    this.out = new Dense(k, params, 'out', width, C + (pooling === 'weighted' ? 1 : 0), ACT.identity);
  }

  plan(plan: BufferPlan, B: number, T: number): ScratchNeeds {
    const M = B * T;
    const needs = { work: 0, dpre: 0 };
    for (const layer of [...this.layers, this.out]) {
      const n = layer.plan(plan, M);
      needs.work = Math.max(needs.work, n.work);
      needs.dpre = Math.max(needs.dpre, n.dpre);
    }
    this.logits = plan.f32([B, this.C]);
    this.weights = plan.f32([B, T]);
    return needs;
  }

  /** x: (B,T,input) → logits (B,C); returns the logits' byte address. */
  forward(x: number, mask: number, B: number, T: number, scratch: SharedScratch): number {
    const M = B * T;
    let input = x;
    for (let i = 0; i < this.layers.length; i++) {
      this.layers[i]!.forward(input, M, scratch);
      input = this.layers[i]!.y.ptr;
    }
    this.out.forward(input, M, scratch);
    if (this.pooling === 'mean') this.k.maskedMeanForward(this.logits.ptr, this.out.y.ptr, mask, B, T, this.C);
    else this.k.weightedPoolForward(this.logits.ptr, this.weights.ptr, this.out.y.ptr, mask, B, T, this.C);
    return this.logits.ptr;
  }

  /** From d logits, accumulates the head's gradients and, when dx ≠ 0, dx (B,T,input). */
  backward(dx: number, x: number, mask: number, B: number, T: number, dlogits: number, scratch: SharedScratch): void {
    const M = B * T;
    if (this.pooling === 'mean') this.k.maskedMeanBackward(this.out.dy.ptr, dlogits, mask, B, T, this.C);
    else this.k.weightedPoolBackward(this.out.dy.ptr, dlogits, this.weights.ptr, this.out.y.ptr, B, T, this.C);
    const layers = this.layers;
    const L = layers.length;
    this.out.backward(L ? layers[L - 1]!.dy.ptr : dx, L ? layers[L - 1]!.y.ptr : x, M, scratch);
    for (let i = L - 1; i >= 0; i--) {
      layers[i]!.backward(i === 0 ? dx : layers[i - 1]!.dy.ptr, i === 0 ? x : layers[i - 1]!.y.ptr, M, scratch);
    }
  }

  dispose(): void {
    for (const layer of this.layers) layer.dispose();
    this.out.dispose();
  }

  /** Sub-scores (B,T,C) of the last forward, copied out of the (B,T,C[+1]) output rows. */
  subScores(B: number, T: number): Float32Array {
    const rows = this.out.outFeatures;
    const y = this.out.y.view();
    const out = new Float32Array(B * T * this.C);
    for (let i = 0; i < B * T; i++) for (let c = 0; c < this.C; c++) out[i * this.C + c] = y[i * rows + c]!;
    return out;
  }
}
