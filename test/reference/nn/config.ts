// Configs and parameter tables of the five model kinds, every field explicit (src/nn/config.ts's
// resolved configs are accepted as they are: extra fields such as `init` are ignored).
// Parameter names are PyTorch state_dict names; Linear weights are (out, in); gate rows are [r; z; n].

export type Activation = 'sigmoid' | 'tanh' | 'relu';
export type LossKind = 'cross-entropy' | 'bce';

interface Common {
  /** D: width of each token's vector. */
  input: number;
  /** C: classes (≥ 2) for cross-entropy, 1 for bce. */
  outputs: number;
  loss: LossKind;
}

/** h_t = m_t·act(W_ih x_t + W_hh h_{t−1} + b) + (1−m_t)·h_{t−1}; head on h_T. */
export interface RnnReferenceConfig extends Common {
  kind: 'rnn';
  hidden: number;
  activation: Activation;
  head: readonly number[];
}

/** GRU in the exercise's gate form (reset before the matmul) or nn.GRU's (after); masked like the RNN. */
export interface GruReferenceConfig extends Common {
  kind: 'gru';
  hidden: number;
  gate: 'exercise' | 'pytorch';
  head: readonly number[];
}

/** Token-wise MLP; sub-scores pooled by their masked mean ('mlp') or by softmaxed weights ('weighted-mlp'). */
export interface MlpReferenceConfig extends Common {
  kind: 'mlp' | 'weighted-mlp';
  widths: readonly number[];
}

/** x + PE → ReLU(proj) → windowed self-attention over ±radius → token head (mean or weighted pooling). */
export interface AttentionReferenceConfig extends Common {
  kind: 'attention';
  hidden: number;
  radius: number;
  ends: 'zero' | 'exclude';
  pooling: 'mean' | 'weighted';
  widths: readonly number[];
}

export type ReferenceConfig = RnnReferenceConfig | GruReferenceConfig | MlpReferenceConfig | AttentionReferenceConfig;

/** Parameters (or gradients, or optimizer moments) by name, each a flat row-major array. */
export type ParamSet = Record<string, Float64Array>;

/** Rows of the output layer: C sub-scores, plus one weight logit per token for weighted pooling. */
export function outputRows(config: ReferenceConfig): number {
  const weighted = config.kind === 'weighted-mlp' || (config.kind === 'attention' && config.pooling === 'weighted');
  return config.outputs + (weighted ? 1 : 0);
}

/** Every parameter's name and shape, in declaration order (the order of src/nn/config.ts paramSpecs). */
export function referenceParamShapes(config: ReferenceConfig): Array<[name: string, shape: number[]]> {
  const shapes: Array<[string, number[]]> = [];
  const linear = (name: string, out: number, inp: number, bias = true) => {
    shapes.push([`${name}.weight`, [out, inp]]);
    if (bias) shapes.push([`${name}.bias`, [out]]);
  };
  const stack = (prefix: string, inp: number, widths: readonly number[]) => {
    widths.forEach((w, i) => {
      linear(`${prefix}.${i}`, w, inp);
      inp = w;
    });
    return inp;
  };
  const D = config.input;
  switch (config.kind) {
    case 'rnn':
    case 'gru': {
      const H = config.hidden;
      const G = config.kind === 'gru' ? 3 : 1;
      shapes.push([`${config.kind}.weight_ih`, [G * H, D]], [`${config.kind}.weight_hh`, [G * H, H]]);
      if (config.kind === 'gru' && config.gate === 'pytorch') shapes.push(['gru.bias_ih', [G * H]], ['gru.bias_hh', [G * H]]);
      else shapes.push([`${config.kind}.bias`, [G * H]]);
      linear('out', config.outputs, stack('head', H, config.head));
      break;
    }
    case 'mlp':
    case 'weighted-mlp':
      linear('out', outputRows(config), stack('mlp', D, config.widths));
      break;
    case 'attention': {
      const H = config.hidden;
      linear('proj', H, D);
      for (const part of ['query', 'key', 'value']) linear(`attn.${part}`, H, H, false);
      linear('out', outputRows(config), stack('mlp', H, config.widths));
      break;
    }
  }
  return shapes;
}

/** Zero arrays shaped like the parameters: gradient accumulators. */
export function zerosLike(params: Readonly<ParamSet>): ParamSet {
  return Object.fromEntries(Object.entries(params).map(([name, p]) => [name, new Float64Array(p.length)]));
}
