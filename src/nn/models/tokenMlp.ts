// Models 3 and 4: the token-wise MLP, its sub-scores pooled by their mean or by softmaxed weights.

import type { Resolved, MlpConfig, WeightedMlpConfig } from '../config.js';
import { TokenHead } from '../layers/tokenHead.js';
import { SequenceModel, type Explanation, type ModelOptions, type ScratchNeeds } from '../model.js';
import type { BufferPlan } from '../plan.js';

export class TokenMlpModel extends SequenceModel {
  declare readonly config: Resolved<MlpConfig> | Resolved<WeightedMlpConfig>;
  private readonly head: TokenHead;

  constructor(config: MlpConfig | WeightedMlpConfig, options?: ModelOptions) {
    super(config, options);
    const pooling = this.config.kind === 'weighted-mlp' ? 'weighted' : 'mean';
    this.head = this.own(new TokenHead(this.k, this.params, this.D, this.config.widths, this.C, pooling));
  }

  protected planBody(plan: BufferPlan, B: number, T: number): ScratchNeeds {
    return this.head.plan(plan, B, T);
  }

  protected forwardBody(B: number, T: number): number {
    return this.head.forward(this.x.ptr, this.mask.ptr, B, T, this.scratch);
  }

  protected backwardBody(B: number, T: number, dlogits: number, needDx: boolean): void {
    this.head.backward(needDx ? this.dx.ptr : 0, this.x.ptr, this.mask.ptr, B, T, dlogits, this.scratch);
  }

  protected explainBody(B: number, T: number): Partial<Explanation> {
    const subScores = this.head.subScores(B, T);
    if (this.head.pooling === 'mean') return { subScores };
    return { subScores, tokenWeights: this.head.weights.view().slice(0, B * T) };
  }
}
