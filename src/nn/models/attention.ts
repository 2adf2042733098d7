// Model 5: restricted self-attention. x + sinusoidal positions → Linear+ReLU → q, k, v (projected once per
// token) → each token attends to its ±k window (assembly/attention.ts) → the token-wise head of model 3/4.

import type { Tensor } from '../../runtime/tensor.js';
import type { AttentionConfig, Resolved } from '../config.js';
import { ACT, Dense } from '../layers/dense.js';
import { TokenHead } from '../layers/tokenHead.js';
import { SequenceModel, type Explanation, type ModelOptions, type ScratchNeeds } from '../model.js';
import type { BufferPlan } from '../plan.js';

/** The sinusoidal positional encoding of "Attention Is All You Need": pe[t, 2i] = sin(t·ω_i), pe[t, 2i+1] = cos(t·ω_i). */
export function sinusoidalEncoding(T: number, D: number): Float32Array {
  const pe = new Float32Array(T * D);
  for (let t = 0; t < T; t++) {
    for (let i = 0; 2 * i < D; i++) {
      const angle = t * Math.exp(2 * i * (-Math.log(10000) / D));
      pe[t * D + 2 * i] = Math.sin(angle);
      if (2 * i + 1 < D) pe[t * D + 2 * i + 1] = Math.cos(angle);
    }
  }
  return pe;
}

export class AttentionModel extends SequenceModel {
  declare readonly config: Resolved<AttentionConfig>;
  private readonly proj: Dense;
  private readonly query: Dense;
  private readonly key: Dense;
  private readonly value: Dense;
  private readonly qkv: readonly Dense[];
  private readonly head: TokenHead;
  private readonly H: number;
  private readonly W: number;
  private xpos!: Tensor; // (B,T,D) x + positions
  private pe!: Tensor; // (T,D)
  private attended!: Tensor; // (B,T,H)
  private dattended!: Tensor;
  private attentionWeights!: Tensor; // (B,T,2k+1)

  constructor(config: AttentionConfig, options?: ModelOptions) {
    super(config, options);
    const c = this.config;
    this.H = c.hidden;
    this.W = 2 * c.radius + 1;
    this.proj = this.own(new Dense(this.k, this.params, 'proj', this.D, this.H, ACT.relu));
    this.query = this.own(new Dense(this.k, this.params, 'attn.query', this.H, this.H, ACT.identity, false));
    this.key = this.own(new Dense(this.k, this.params, 'attn.key', this.H, this.H, ACT.identity, false));
    this.value = this.own(new Dense(this.k, this.params, 'attn.value', this.H, this.H, ACT.identity, false));
    this.qkv = [this.query, this.key, this.value];
    this.head = this.own(new TokenHead(this.k, this.params, this.H, c.widths, this.C, c.pooling));
  }

  protected planBody(plan: BufferPlan, B: number, T: number): ScratchNeeds {
    const M = B * T;
    this.xpos = plan.f32([B, T, this.D]);
    this.pe = plan.f32([T, this.D]).set(sinusoidalEncoding(T, this.D));
    this.attended = plan.f32([B, T, this.H]);
    this.dattended = plan.grad([B, T, this.H]);
    this.attentionWeights = plan.f32([B, T, this.W]);
    const needs = this.head.plan(plan, B, T);
    for (const layer of [this.proj, ...this.qkv]) {
      const n = layer.plan(plan, M);
      needs.work = Math.max(needs.work, n.work);
      needs.dpre = Math.max(needs.dpre, n.dpre);
    }
    return needs;
  }

  protected forwardBody(B: number, T: number): number {
    const k = this.k;
    const M = B * T;
    const s = this.scratch;
    k.addPositional(this.xpos.ptr, this.x.ptr, this.pe.ptr, B, T, this.D);
    this.proj.forward(this.xpos.ptr, M, s);
    this.query.forward(this.proj.y.ptr, M, s);
    this.key.forward(this.proj.y.ptr, M, s);
    this.value.forward(this.proj.y.ptr, M, s);
    k.attentionForward(this.attended.ptr, this.attentionWeights.ptr, this.query.y.ptr, this.key.y.ptr, this.value.y.ptr,
      this.mask.ptr, B, T, this.H, this.config.radius, this.config.ends === 'zero' ? 1 : 0);
    return this.head.forward(this.attended.ptr, this.mask.ptr, B, T, s);
  }

  protected backwardBody(B: number, T: number, dlogits: number, needDx: boolean): void {
    const M = B * T;
    const s = this.scratch;
    this.head.backward(this.dattended.ptr, this.attended.ptr, this.mask.ptr, B, T, dlogits, s);
    this.k.attentionBackward(this.query.dy.ptr, this.key.dy.ptr, this.value.dy.ptr, this.dattended.ptr, this.attentionWeights.ptr,
      this.query.y.ptr, this.key.y.ptr, this.value.y.ptr, this.mask.ptr, B, T, this.H, this.config.radius);
    for (let i = 0; i < 3; i++) this.qkv[i]!.backward(this.proj.dy.ptr, this.proj.y.ptr, M, s);
    // d(x + pe)/dx is the identity: the projection's input gradient is dx
    this.proj.backward(needDx ? this.dx.ptr : 0, this.xpos.ptr, M, s);
  }

  protected explainBody(B: number, T: number): Partial<Explanation> {
    const attention = this.attentionWeights.view().slice(0, B * T * this.W);
    const subScores = this.head.subScores(B, T);
    if (this.head.pooling === 'mean') return { subScores, attention };
    return { subScores, attention, tokenWeights: this.head.weights.view().slice(0, B * T) };
  }
}
