// Model configs: the five model kinds of the exercise, validated, and the one declaration of every
// parameter's name, shape and initialiser (paramSpecs). Model files, PyTorch fixtures and the kernels'
// buffer plans all take names and shapes from here.

import { ConfigError } from '../errors.js';
import type { ParamSpec } from '../runtime/params.js';

export type Activation = 'sigmoid' | 'tanh' | 'relu';
export type LossKind = 'cross-entropy' | 'bce';

/** Token ids → vectors. Absent: the model takes vectors `x` (B,T,D) directly. */
export interface EmbeddingConfig {
  /** Rows, including the reserved padding (0) and unknown (1) ids. */
  vocabSize: number;
  /** Default true: fine-tune. false: frozen, as in the exercise with GloVe. */
  trainable?: boolean;
  /**
   * Unknown words (id 1): 'zero' vector, as in the exercise, or a 'learned' vector (default) — a row of
   * the table when it is trained, a separate trainable `embedding.unk` when the table is frozen.
   */
  unknown?: 'zero' | 'learned';
}

interface Common {
  /** D: the width of each token's vector. */
  input: number;
  /** C: classes for cross-entropy (≥ 2), or 1 with `loss: 'bce'`. Default 2. */
  outputs?: number;
  /** Default 'cross-entropy'. */
  loss?: LossKind;
  embedding?: EmbeddingConfig;
  /**
   * Initialisation. 'exercise': PyTorch's nn.Linear default everywhere, as the exercise had it.
   * 'stable' (default): Xavier-uniform input weights, zero biases, orthogonal recurrent weights — and for
   * a ReLU Elman RNN the IRNN recipe, identity recurrence and halved input weights, the one setting in
   * which it trains on 100-token reviews (with gradient clipping and a small learning rate).
   */
  init?: 'exercise' | 'stable';
}

/** 1. Elman RNN: h_t = act(W_ih x_t + W_hh h_{t−1} + b); the last state → FC stack → logits. */
export interface RnnConfig extends Common {
  kind: 'rnn';
  hidden: number;
  /** Default 'sigmoid', the exercise's. */
  activation?: Activation;
  /** Widths of the hidden FC+ReLU layers between the last state and the output layer. */
  head?: number[];
}

/** 2. GRU, in the exercise's gate form (reset before the matmul) or PyTorch nn.GRU's (after). */
export interface GruConfig extends Common {
  kind: 'gru';
  hidden: number;
  /** Default 'exercise'. 'pytorch' loads nn.GRU weights as they are. */
  gate?: 'exercise' | 'pytorch';
  head?: number[];
}

/** 3. Token-wise MLP: one MLP per token gives sub-scores; their masked mean is the logits. */
export interface MlpConfig extends Common {
  kind: 'mlp';
  /** Hidden widths, e.g. [64] or [64, 32, 16]; each is Linear + ReLU. */
  widths: number[];
}

/** 4. Weighted token-wise MLP: sub-scores plus a weight per token, softmaxed over the real tokens. */
export interface WeightedMlpConfig extends Common {
  kind: 'weighted-mlp';
  widths: number[];
}

/** 5. Restricted self-attention over ±radius tokens, then the head of model 3 or 4. */
export interface AttentionConfig extends Common {
  kind: 'attention';
  hidden: number;
  /** k: each token attends to the k tokens on each side (2 and 5 in the exercise). */
  radius: number;
  /** Window slots outside the review: 'zero' keys/values that still take part in the softmax (the exercise), or 'exclude'. */
  ends?: 'zero' | 'exclude';
  /** 'mean' (model 3's head, the exercise's) or 'weighted' (model 4's). */
  pooling?: 'mean' | 'weighted';
  /** Hidden widths of the token-wise head after attention; the exercise's is [hidden]. */
  widths?: number[];
}

export type ModelConfig = RnnConfig | GruConfig | MlpConfig | WeightedMlpConfig | AttentionConfig;
export type ModelKind = ModelConfig['kind'];

/** A config with every default filled in: what model files store and kernels plan from. */
export type Resolved<C extends ModelConfig> = Required<Omit<C, 'embedding'>> & Pick<C, 'embedding'>;
export type ResolvedConfig =
  | Resolved<RnnConfig>
  | Resolved<GruConfig>
  | Resolved<MlpConfig>
  | Resolved<WeightedMlpConfig>
  | Resolved<AttentionConfig>;

export const MODEL_KINDS: readonly ModelKind[] = ['rnn', 'gru', 'mlp', 'weighted-mlp', 'attention'];

/** Fills defaults and checks every field, throwing ConfigError naming the field. */
export function resolveConfig(config: ModelConfig): ResolvedConfig {
  if (!config || typeof config !== 'object') throw new ConfigError('a model config must be an object');
  const kind = (config as { kind?: unknown }).kind;
  if (!MODEL_KINDS.includes(kind as ModelKind)) {
    throw new ConfigError(`unknown model kind ${JSON.stringify(kind)}`, `use one of ${MODEL_KINDS.join(', ')}`);
  }
  const loss = config.loss ?? 'cross-entropy';
  if (loss !== 'cross-entropy' && loss !== 'bce') throw new ConfigError(`loss: unknown ${JSON.stringify(loss)}`, "use 'cross-entropy' or 'bce'");
  const outputs = config.outputs ?? (loss === 'bce' ? 1 : 2);
  positiveInt('input', config.input);
  positiveInt('outputs', outputs);
  if (loss === 'bce' && outputs !== 1) throw new ConfigError(`outputs: bce has one logit, got ${outputs}`);
  if (loss === 'cross-entropy' && outputs < 2) throw new ConfigError(`outputs: cross-entropy needs ≥ 2 classes, got ${outputs}`);
  const init = config.init ?? 'stable';
  if (init !== 'exercise' && init !== 'stable') throw new ConfigError(`init: unknown ${JSON.stringify(init)}`, "use 'stable' or 'exercise'");
  if (config.embedding) {
    positiveInt('embedding.vocabSize', config.embedding.vocabSize);
    if (config.embedding.vocabSize < 2) throw new ConfigError('embedding.vocabSize must count the padding and unknown ids (≥ 2)');
    const unknown = config.embedding.unknown;
    if (unknown !== undefined && unknown !== 'zero' && unknown !== 'learned') {
      throw new ConfigError(`embedding.unknown: unknown ${JSON.stringify(unknown)}`, "use 'zero' or 'learned'");
    }
  }
  const embedding = config.embedding && { trainable: true, unknown: 'learned' as const, ...config.embedding };
  const common = { input: config.input, outputs, loss, init, embedding };
  switch (config.kind) {
    case 'rnn': {
      positiveInt('hidden', config.hidden);
      const activation = config.activation ?? 'sigmoid';
      if (!['sigmoid', 'tanh', 'relu'].includes(activation)) {
        throw new ConfigError(`activation: unknown ${JSON.stringify(activation)}`, 'use sigmoid, tanh or relu');
      }
      return { ...common, kind: 'rnn', hidden: config.hidden, activation, head: widths('head', config.head ?? []) };
    }
    case 'gru': {
      positiveInt('hidden', config.hidden);
      const gate = config.gate ?? 'exercise';
      if (gate !== 'exercise' && gate !== 'pytorch') throw new ConfigError(`gate: unknown ${JSON.stringify(gate)}`, "use 'exercise' or 'pytorch'");
      return { ...common, kind: 'gru', hidden: config.hidden, gate, head: widths('head', config.head ?? []) };
    }
    case 'mlp':
    case 'weighted-mlp':
      return { ...common, kind: config.kind, widths: widths('widths', config.widths) };
    case 'attention': {
      positiveInt('hidden', config.hidden);
      positiveInt('radius', config.radius);
      const ends = config.ends ?? 'zero';
      const pooling = config.pooling ?? 'mean';
      if (ends !== 'zero' && ends !== 'exclude') throw new ConfigError(`ends: unknown ${JSON.stringify(ends)}`, "use 'zero' or 'exclude'");
      if (pooling !== 'mean' && pooling !== 'weighted') throw new ConfigError(`pooling: unknown ${JSON.stringify(pooling)}`, "use 'mean' or 'weighted'");
      return {
        ...common, kind: 'attention', hidden: config.hidden, radius: config.radius, ends, pooling,
        widths: widths('widths', config.widths ?? [config.hidden]),
      };
    }
  }
}

/** Rows of the output layer: C sub-scores, plus one weight logit per token for weighted pooling. */
export function outputRows(config: ResolvedConfig): number {
  const weighted = config.kind === 'weighted-mlp' || (config.kind === 'attention' && config.pooling === 'weighted');
  return config.outputs + (weighted ? 1 : 0);
}

/**
 * Every parameter of a model, in declaration order: names follow PyTorch's state_dict, shapes its
 * layout (Linear weights are (out, in)). Recurrent gate rows are ordered [r; z; n].
 */
export function paramSpecs(config: ResolvedConfig): ParamSpec[] {
  const specs: ParamSpec[] = [];
  const exercise = config.init === 'exercise';
  const linear = (name: string, out: number, inp: number, bias = true) => {
    // nn.Linear's default: U(±1/√in) for weight and bias; 'stable': Xavier-uniform weight, zero bias
    const bound = 1 / Math.sqrt(inp);
    specs.push({ name: `${name}.weight`, shape: [out, inp], init: { uniform: exercise ? bound : Math.sqrt(6 / (inp + out)) } });
    if (bias) specs.push({ name: `${name}.bias`, shape: [out], init: exercise ? { uniform: bound } : 'zeros' });
  };
  const stack = (prefix: string, inp: number, widths: readonly number[]) => {
    for (const [i, w] of widths.entries()) {
      linear(`${prefix}.${i}`, w, inp);
      inp = w;
    }
    return inp;
  };
  if (config.embedding) {
    specs.push({
      name: 'embedding.weight', shape: [config.embedding.vocabSize, config.input],
      init: { normal: 1 }, trainable: config.embedding.trainable,
    });
    if (config.embedding.unknown === 'learned' && !config.embedding.trainable) {
      specs.push({ name: 'embedding.unk', shape: [config.input], init: 'zeros' });
    }
  }
  const D = config.input;
  switch (config.kind) {
    case 'rnn':
    case 'gru': {
      const H = config.hidden;
      const gates = config.kind === 'gru' ? 3 : 1;
      const prefix = config.kind;
      if (exercise) {
        // the exercise's cells are nn.Linear on the concatenation [x, h] (or [h, x]): fan-in D + H
        const bound = 1 / Math.sqrt(D + H);
        specs.push({ name: `${prefix}.weight_ih`, shape: [gates * H, D], init: { uniform: bound } });
        specs.push({ name: `${prefix}.weight_hh`, shape: [gates * H, H], init: { uniform: bound } });
      } else if (config.kind === 'rnn' && config.activation === 'relu') {
        // IRNN (Le, Jaitly & Hinton 2015): identity recurrence keeps the state's memory and its
        // gradient over long sequences; smaller input weights keep the unbounded state from blowing up
        const identity = new Float32Array(H * H);
        for (let i = 0; i < H; i++) identity[i * H + i] = 1;
        specs.push({ name: 'rnn.weight_ih', shape: [H, D], init: { uniform: 0.5 * Math.sqrt(6 / (D + H)) } });
        specs.push({ name: 'rnn.weight_hh', shape: [H, H], init: { values: identity } });
      } else {
        specs.push({ name: `${prefix}.weight_ih`, shape: [gates * H, D], init: { uniform: Math.sqrt(6 / (D + H)) } });
        specs.push({ name: `${prefix}.weight_hh`, shape: [gates * H, H], init: { orthogonal: gates } });
      }
      const biasInit = exercise ? { uniform: 1 / Math.sqrt(D + H) } : ('zeros' as const);
      if (config.kind === 'gru' && config.gate === 'pytorch') {
        specs.push({ name: 'gru.bias_ih', shape: [gates * H], init: exercise ? { uniform: 1 / Math.sqrt(H) } : 'zeros' });
        specs.push({ name: 'gru.bias_hh', shape: [gates * H], init: exercise ? { uniform: 1 / Math.sqrt(H) } : 'zeros' });
      } else {
        specs.push({ name: `${prefix}.bias`, shape: [gates * H], init: biasInit });
      }
      const last = stack('head', H, config.head);
      linear('out', config.outputs, last);
      break;
    }
    case 'mlp':
    case 'weighted-mlp': {
      const last = stack('mlp', D, config.widths);
      linear('out', outputRows(config), last);
      break;
    }
    case 'attention': {
      const H = config.hidden;
      linear('proj', H, D);
      for (const part of ['query', 'key', 'value']) linear(`attn.${part}`, H, H, false);
      const last = stack('mlp', H, config.widths);
      linear('out', outputRows(config), last);
      break;
    }
  }
  return specs;
}

/** Expected shape of every tensor a model file of this config must hold. */
export function expectedShapes(config: ResolvedConfig): Record<string, readonly number[]> {
  return Object.fromEntries(paramSpecs(config).map((s) => [s.name, s.shape]));
}

function positiveInt(field: string, value: unknown): void {
  if (!Number.isInteger(value) || (value as number) < 1) {
    throw new ConfigError(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
  }
}

function widths(field: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw new ConfigError(`${field} must be an array of widths, got ${JSON.stringify(value)}`);
  value.forEach((w, i) => positiveInt(`${field}[${i}]`, w));
  return [...value];
}
