// Models 1 and 2: Elman RNN and GRU. The input projection of all T steps is one GEMM hoisted out of the
// time loop; a fused kernel (assembly/rnn.ts, assembly/gru.ts) runs only the sequential part, caching
// what the backward needs; the weight gradients over all steps are again single GEMMs.

import type { GruConfig, Resolved, RnnConfig } from '../config.js';
import { ACT, Dense, PackedWeight } from '../layers/dense.js';
import { SequenceModel, type Explanation, type ModelOptions, type ScratchNeeds } from '../model.js';
import type { BufferPlan } from '../plan.js';
import { Tensor } from '../../runtime/tensor.js';

const RNN_ACT = { sigmoid: ACT.sigmoid, tanh: ACT.tanh, relu: ACT.relu } as const;

export class RecurrentModel extends SequenceModel {
  declare readonly config: Resolved<RnnConfig> | Resolved<GruConfig>;
  private readonly H: number;
  /** 1 for the RNN, 3 for the GRU (gate blocks [r; z; n]). */
  private readonly gates: number;
  private readonly form: 'rnn' | 'exercise' | 'pytorch';
  /** The RNN's activation code (act.ts); unused by the GRU. */
  private readonly act: number;
  private readonly head: Dense[];
  private readonly out: Dense;
  // byte addresses of parameters and gradients (fixed for the model's life)
  private readonly wih: number;
  private readonly whh: number;
  private readonly bias: number;
  private readonly biasHh: number;
  private readonly dwih: number;
  private readonly dwhh: number;
  private readonly dbias: number;
  private readonly dbiasHh: number;

  // W_hh packed for the per-step GEMMs (assembly/recurrent.ts): forward (h·Wᵀ) and backward (dg·W)
  // forms, re-packed after every optimizer step
  private readonly packedFwd: Tensor;
  private readonly packedBwd: Tensor;
  private packedVersion = -1;
  /** W_ih packed for the hoisted input projection. */
  private readonly packedIh: PackedWeight;
  // caches, planned for (B, T)
  private gatesBuf!: Tensor; // (B,T,G·H): input projection, then activated gates
  private hprev!: Tensor; // (B,T,H): h_{t−1} of each step
  private hlast!: Tensor; // (B,H): h_T, the features
  private aux!: Tensor; // (B,T,H): GRU r∘h_{t−1} (exercise) or W_hn·h_{t−1} + b_hn (pytorch)
  private dgates!: Tensor; // (B,T,G·H) gradient w.r.t. the gates' pre-activations
  private daux!: Tensor; // (B,T,H) GRU pytorch form: gradient w.r.t. W_hn·h + b_hn
  private dhlast!: Tensor; // (B,H)

  constructor(config: RnnConfig | GruConfig, options?: ModelOptions) {
    super(config, options);
    const c = this.config;
    this.H = c.hidden;
    this.gates = c.kind === 'gru' ? 3 : 1;
    this.form = c.kind === 'rnn' ? 'rnn' : c.gate;
    this.act = c.kind === 'rnn' ? RNN_ACT[c.activation] : 0;
    const p = this.params;
    const prefix = c.kind;
    this.wih = p.paramPtr(`${prefix}.weight_ih`);
    this.whh = p.paramPtr(`${prefix}.weight_hh`);
    this.dwih = p.gradPtr(`${prefix}.weight_ih`);
    this.dwhh = p.gradPtr(`${prefix}.weight_hh`);
    const twoBiases = this.form === 'pytorch';
    this.bias = p.paramPtr(twoBiases ? 'gru.bias_ih' : `${prefix}.bias`);
    this.dbias = p.gradPtr(twoBiases ? 'gru.bias_ih' : `${prefix}.bias`);
    this.biasHh = twoBiases ? p.paramPtr('gru.bias_hh') : 0;
    this.dbiasHh = twoBiases ? p.gradPtr('gru.bias_hh') : 0;
    let width = this.H;
    this.head = c.head.map((w, i) => {
      const layer = this.own(new Dense(this.k, p, `head.${i}`, width, w, ACT.relu));
      width = w;
      return layer;
    });
    this.out = this.own(new Dense(this.k, p, 'out', width, this.C, ACT.identity));
    this.packedFwd = this.own(Tensor.alloc(this.runtime.arena, [this.k.recurrentPackSize(this.H, this.gates, 0)]));
    this.packedBwd = this.own(Tensor.alloc(this.runtime.arena, [this.k.recurrentPackSize(this.H, this.gates, 1)]));
    this.packedIh = this.own(new PackedWeight(this.k, this.runtime.arena, this.wih, this.gates * this.H, this.D));
  }

  protected planBody(plan: BufferPlan, B: number, T: number): ScratchNeeds {
    const H = this.H;
    const GH = this.gates * H;
    const M = B * T;
    this.gatesBuf = plan.f32([B, T, GH]);
    this.hprev = plan.f32([B, T, H]);
    this.hlast = plan.f32([B, H]);
    this.aux = plan.f32([B, T, H]);
    this.dgates = plan.grad([B, T, GH]);
    this.daux = plan.grad([B, T, H]);
    this.dhlast = plan.grad([B, H]);
    const needs = { work: this.k.linearWorkspace(M, this.D, GH), dpre: 0 };
    needs.work = Math.max(needs.work, this.k.linearWorkspace(M, H, GH), this.k.recurrentWorkspace(H, this.gates));
    for (const layer of [...this.head, this.out]) {
      const n = layer.plan(plan, B);
      needs.work = Math.max(needs.work, n.work);
      needs.dpre = Math.max(needs.dpre, n.dpre);
    }
    return needs;
  }

  protected forwardBody(B: number, T: number): number {
    const k = this.k;
    const H = this.H;
    const GH = this.gates * H;
    const work = this.scratch.work.ptr;
    if (this.packedVersion !== this.scratch.paramVersion) this.repack();
    // all T input projections in one GEMM: gates = x·W_ihᵀ + b
    k.linearForwardPacked(this.gatesBuf.ptr, this.x.ptr, this.packedIh.get(this.scratch.paramVersion), this.bias, B * T, this.D, GH, work);
    if (this.form === 'rnn') {
      k.rnnForward(this.hprev.ptr, this.hlast.ptr, this.gatesBuf.ptr, this.packedFwd.ptr, this.mask.ptr, B, T, H, this.act, work);
    } else if (this.form === 'exercise') {
      k.gruForward(this.hprev.ptr, this.hlast.ptr, this.gatesBuf.ptr, this.aux.ptr, this.packedFwd.ptr, this.mask.ptr, B, T, H, work);
    } else {
      k.gruTorchForward(this.hprev.ptr, this.hlast.ptr, this.gatesBuf.ptr, this.aux.ptr, this.packedFwd.ptr, this.biasHh,
        this.mask.ptr, B, T, H, work);
    }
    let input = this.hlast.ptr;
    for (let i = 0; i < this.head.length; i++) {
      this.head[i]!.forward(input, B, this.scratch);
      input = this.head[i]!.y.ptr;
    }
    this.out.forward(input, B, this.scratch);
    return this.out.y.ptr;
  }

  protected backwardBody(B: number, T: number, dlogits: number, needDx: boolean): void {
    const k = this.k;
    const H = this.H;
    const GH = this.gates * H;
    const M = B * T;
    const work = this.scratch.work.ptr;
    // the head, from d logits down to d h_T
    this.runtime.arena.copy(this.out.dy.ptr, dlogits, B * this.C);
    const head = this.head;
    const L = head.length;
    this.out.backward(L ? head[L - 1]!.dy.ptr : this.dhlast.ptr, L ? head[L - 1]!.y.ptr : this.hlast.ptr, B, this.scratch);
    for (let i = L - 1; i >= 0; i--) {
      head[i]!.backward(i === 0 ? this.dhlast.ptr : head[i - 1]!.dy.ptr, i === 0 ? this.hlast.ptr : head[i - 1]!.y.ptr, B, this.scratch);
    }
    // backward through time: only the sequential part; it turns d h_T into d(pre-activations)
    if (this.form === 'rnn') {
      k.rnnBackward(this.dgates.ptr, this.dhlast.ptr, this.gatesBuf.ptr, this.packedBwd.ptr, this.mask.ptr, B, T, H, this.act, work);
    } else if (this.form === 'exercise') {
      k.gruBackward(this.dgates.ptr, this.dhlast.ptr, this.gatesBuf.ptr, this.hprev.ptr, this.aux.ptr, this.packedBwd.ptr,
        this.mask.ptr, B, T, H, work);
    } else {
      k.gruTorchBackward(this.dgates.ptr, this.daux.ptr, this.dhlast.ptr, this.gatesBuf.ptr, this.hprev.ptr, this.aux.ptr,
        this.packedBwd.ptr, this.mask.ptr, B, T, H, work);
    }
    if (needDx) k.linearBackwardInput(this.dx.ptr, this.dgates.ptr, this.wih, M, this.D, GH, work);
    if (!this.scratch.paramGrads) return;
    // weight gradients over all steps at once
    k.linearBackwardWeight(this.dwih, this.dbias, this.x.ptr, this.dgates.ptr, M, this.D, GH, work);
    if (this.form === 'exercise') {
      // W_hh rows [r; z] multiply h_{t−1}; rows [n] multiply r∘h_{t−1}
      k.linearBackwardWeightStrided(this.dwhh, 0, this.hprev.ptr, H, this.dgates.ptr, GH, M, H, 2 * H, work);
      k.linearBackwardWeightStrided(this.dwhh + 2 * H * H * 4, 0, this.aux.ptr, H, this.dgates.ptr + 2 * H * 4, GH, M, H, H, work);
    } else if (this.form === 'pytorch') {
      // the recurrent matmul's output gradient: [r; z] as the gates', [n] its own (daux)
      k.linearBackwardWeightStrided(this.dwhh, this.dbiasHh, this.hprev.ptr, H, this.dgates.ptr, GH, M, H, 2 * H, work);
      k.linearBackwardWeight(this.dwhh + 2 * H * H * 4, this.dbiasHh + 2 * H * 4, this.hprev.ptr, this.daux.ptr, M, H, H, work);
    } else {
      k.linearBackwardWeight(this.dwhh, 0, this.hprev.ptr, this.dgates.ptr, M, H, H, work);
    }
  }

  protected explainBody(): Partial<Explanation> {
    return {};
  }

  private repack(): void {
    this.k.recurrentPack(this.packedFwd.ptr, this.packedBwd.ptr, this.whh, this.H, this.gates);
    this.packedVersion = this.scratch.paramVersion;
  }
}
