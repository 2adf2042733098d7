// The five models end to end: batch → logits, loss, explanation outputs, and the hand-written backward
// to every parameter and to x. Each kind's forward returns its outputs and a closure that runs its
// backward from d logits; the loss sits on top, the same for all kinds.

import { windowAttentionBackward, windowAttentionForward } from './attention.js';
import { adamInit, adamReference, type AdamOptions, type AdamState } from './adam.js';
import { referenceParamShapes, zerosLike, type AttentionReferenceConfig, type ParamSet, type ReferenceConfig } from './config.js';
import { denseStackBackward, denseStackForward, linearBackward, linearForward, sinusoidalPe } from './layers.js';
import { bceBackward, bceForward, crossEntropyBackward, crossEntropyForward } from './loss.js';
import { recurrentBackward, recurrentForward } from './recurrent.js';
import { tokenHeadBackward, tokenHeadForward } from './tokenHead.js';

export interface ReferenceBatch {
  B: number;
  T: number;
  /** (B,T,D) token vectors. */
  x: ArrayLike<number>;
  /** (B,T): 1 for a real token, 0 for padding. */
  mask: ArrayLike<number>;
  /** (B): class indices for cross-entropy, targets in [0, 1] for bce. Needed for the loss and gradients. */
  targets?: ArrayLike<number>;
}

export interface ReferenceOutputs {
  /** (B,C) */
  logits: Float64Array;
  /** Mean loss over the batch, when the batch has targets. */
  loss?: number;
  /** (B,T,C) per-token sub-scores of every position (padding ones are not pooled): mlp, weighted-mlp, attention. */
  subScores?: Float64Array;
  /** (B,T) softmaxed token weights, 0 on padding: weighted-mlp, attention with weighted pooling. */
  tokenWeights?: Float64Array;
  /** (B,T,2k+1) each token's weights over its window slots, all 0 for a padding token: attention. */
  attention?: Float64Array;
}

export interface ReferenceGradients extends ReferenceOutputs {
  loss: number;
  /** d loss / d parameter, by parameter name. */
  grads: ParamSet;
  /** (B,T,D) d loss / d x; exactly 0 for padding tokens. */
  dx: Float64Array;
}

interface Pass {
  outputs: ReferenceOutputs;
  /** Accumulates d loss / d parameters into grads and returns dx, from d loss / d logits. */
  backward(grads: ParamSet, dlogits: Float64Array): Float64Array;
}

/** Logits, explanation outputs and (with targets) the loss. */
export function referenceForward(config: ReferenceConfig, params: Readonly<Record<string, ArrayLike<number>>>,
  batch: ReferenceBatch): ReferenceOutputs {
  const pass = run(config, checkedParams(config, params), batch);
  return batch.targets ? { ...pass.outputs, loss: lossForward(config, pass.outputs.logits, batch) } : pass.outputs;
}

/** Everything referenceForward gives, plus the gradient of the loss w.r.t. every parameter and x. */
export function referenceLossAndGrad(config: ReferenceConfig, params: Readonly<Record<string, ArrayLike<number>>>,
  batch: ReferenceBatch): ReferenceGradients {
  if (!batch.targets) throw new Error('referenceLossAndGrad: the batch has no targets');
  const p = checkedParams(config, params);
  const pass = run(config, p, batch);
  const { logits } = pass.outputs;
  const loss = lossForward(config, logits, batch);
  const dlogits = new Float64Array(logits.length);
  if (config.loss === 'bce') bceBackward(dlogits, logits, batch.targets, batch.B);
  else crossEntropyBackward(dlogits, logits, batch.targets, batch.B, config.outputs);
  const grads = zerosLike(p);
  const dx = pass.backward(grads, dlogits);
  return { ...pass.outputs, loss, grads, dx };
}

/** `steps` Adam steps on the same batch: the loss each step saw (before its update) and the final parameters. */
export function referenceTrain(config: ReferenceConfig, params: Readonly<Record<string, ArrayLike<number>>>, batch: ReferenceBatch,
  steps: number, options: AdamOptions = {}): { params: ParamSet; losses: number[]; state: AdamState } {
  let current = checkedParams(config, params);
  let state = adamInit(current);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    const { loss, grads } = referenceLossAndGrad(config, current, batch);
    losses.push(loss);
    ({ params: current, state } = adamReference(current, grads, state, options));
  }
  return { params: current, losses, state };
}

function lossForward(config: ReferenceConfig, logits: Float64Array, batch: ReferenceBatch): number {
  return config.loss === 'bce' ? bceForward(logits, batch.targets!, batch.B) : crossEntropyForward(logits, batch.targets!, batch.B, config.outputs);
}

/** float64 copies of exactly the parameters the config declares, with their sizes checked. */
function checkedParams(config: ReferenceConfig, params: Readonly<Record<string, ArrayLike<number>>>): ParamSet {
  const shapes = referenceParamShapes(config);
  const extra = Object.keys(params).filter((name) => !shapes.some(([n]) => n === name));
  if (extra.length) throw new Error(`unexpected parameters for a ${config.kind} model: ${extra.join(', ')}`);
  return Object.fromEntries(shapes.map(([name, shape]) => {
    const p = params[name];
    const size = shape.reduce((a, b) => a * b, 1);
    if (!p || p.length !== size) throw new Error(`parameter ${name}: expected ${size} values (shape [${shape}]), got ${p?.length}`);
    return [name, Float64Array.from(p)];
  }));
}

function run(config: ReferenceConfig, params: ParamSet, batch: ReferenceBatch): Pass {
  const { B, T, mask } = batch;
  const D = config.input;
  if (batch.x.length !== B * T * D) throw new Error(`x: expected B·T·D = ${B * T * D} values, got ${batch.x.length}`);
  if (mask.length !== B * T) throw new Error(`mask: expected B·T = ${B * T} values, got ${mask.length}`);
  const x = Float64Array.from(batch.x);
  switch (config.kind) {
    case 'rnn':
    case 'gru': {
      const H = config.hidden;
      const { last, saved } = recurrentForward(config, params, x, mask, B, T);
      const stack = denseStackForward(params, 'head', last, B, H, config.head);
      const features = stack.outputs.length ? stack.outputs[stack.outputs.length - 1] : last;
      const width = stack.widths[config.head.length];
      const logits = new Float64Array(B * config.outputs);
      linearForward(logits, features, params['out.weight'], params['out.bias'], B, width, config.outputs);
      return {
        outputs: { logits },
        backward(grads, dlogits) {
          const dfeatures = new Float64Array(B * width);
          linearBackward(dfeatures, grads['out.weight'], grads['out.bias'], dlogits, features, params['out.weight'], B, width, config.outputs);
          const dlast = denseStackBackward(grads, dfeatures, params, 'head', last, B, stack);
          const dx = new Float64Array(x.length);
          recurrentBackward(dx, grads, dlast, saved, config, params, x, mask, B, T);
          return dx;
        },
      };
    }
    case 'mlp':
    case 'weighted-mlp': {
      const pooling = config.kind === 'mlp' ? 'mean' : 'weighted';
      const head = tokenHeadForward(params, x, D, config.widths, config.outputs, pooling, mask, B, T);
      return {
        outputs: explanation(head),
        backward: (grads, dlogits) => tokenHeadBackward(grads, dlogits, head.saved, params, x, config.outputs, pooling, mask, B, T),
      };
    }
    case 'attention':
      return attentionModel(config, params, x, mask, B, T);
  }
}

function explanation(head: ReturnType<typeof tokenHeadForward>): ReferenceOutputs {
  const { logits, subScores, tokenWeights } = head;
  return tokenWeights ? { logits, subScores, tokenWeights } : { logits, subScores };
}

/** x' = x + PE → u = ReLU(proj x') → q, k, v = W u (no bias) → window attention → token head. */
function attentionModel(config: AttentionReferenceConfig, params: ParamSet, x: Float64Array, mask: ArrayLike<number>,
  B: number, T: number): Pass {
  const D = config.input;
  const H = config.hidden;
  const M = B * T;
  const pe = sinusoidalPe(T, D);
  const xp = Float64Array.from(x, (value, i) => value + pe[i % (T * D)]);
  const u = new Float64Array(M * H);
  linearForward(u, xp, params['proj.weight'], params['proj.bias'], M, D, H);
  for (let i = 0; i < u.length; i++) u[i] = u[i] > 0 ? u[i] : 0;
  const [q, k, v] = ['query', 'key', 'value'].map((part) => {
    const y = new Float64Array(M * H);
    linearForward(y, u, params[`attn.${part}.weight`], undefined, M, H, H);
    return y;
  });
  const dims = { B, T, H, radius: config.radius, ends: config.ends };
  const { y, weights } = windowAttentionForward(q, k, v, mask, dims);
  const head = tokenHeadForward(params, y, H, config.widths, config.outputs, config.pooling, mask, B, T);
  return {
    outputs: { ...explanation(head), attention: weights },
    backward(grads, dlogits) {
      const dy = tokenHeadBackward(grads, dlogits, head.saved, params, y, config.outputs, config.pooling, mask, B, T);
      const [dq, dk, dv] = [0, 1, 2].map(() => new Float64Array(M * H));
      windowAttentionBackward(dq, dk, dv, dy, weights, q, k, v, mask, dims);
      const du = new Float64Array(M * H);
      for (const [part, d] of [['query', dq], ['key', dk], ['value', dv]] as const) {
        linearBackward(du, grads[`attn.${part}.weight`], undefined, d, u, params[`attn.${part}.weight`], M, H, H);
      }
      // forward: u = ReLU(proj x'); x' = x + PE, so dx = dx'
      for (let i = 0; i < du.length; i++) if (!(u[i] > 0)) du[i] = 0;
      const dx = new Float64Array(x.length);
      linearBackward(dx, grads['proj.weight'], grads['proj.bias'], du, xp, params['proj.weight'], M, D, H);
      return dx;
    },
  };
}
