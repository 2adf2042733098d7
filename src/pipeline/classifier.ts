// A text classifier: tokenizer + vocabulary + model + class names, the unit that is trained, explained,
// saved and loaded. Everything text-level (predict, explain, files) goes through it.

import { encodeExamples, Batcher, type BatchingOptions, type EncodedSet } from '../data/batch.js';
import type { Example } from '../data/datasets.js';
import { createTokenizer, type Tokenizer, type TokenizerSettings } from '../data/tokenize.js';
import { Vocabulary } from '../data/vocab.js';
import { ConfigError, ModelFileError } from '../errors.js';
import { decodeModelFile, encodeModelFile, loadParams } from '../io/modelFile.js';
import type { Batch } from '../nn/batch.js';
import { expectedShapes, resolveConfig, type ModelConfig, type ResolvedConfig } from '../nn/config.js';
import type { ModelOptions, SequenceModel } from '../nn/model.js';
import { createModel } from '../nn/models/index.js';

export interface ClassifierSpec {
  /** The model; `embedding.vocabSize` is filled from the vocabulary. */
  model: ModelConfig;
  tokenizer: TokenizerSettings;
  vocab: Vocabulary;
  /** Class names; their order is the model's class order. */
  labels: string[];
  /** (V, D) pretrained vectors in vocabulary order (readWordVectors(…, { vocab }).matrix). */
  vectors?: Float32Array;
}

/** What a classifier file's `seqwasm.config` holds. */
export interface ClassifierConfig {
  model: ResolvedConfig;
  labels: string[];
}

export interface Prediction {
  label: string;
  /** Probability of the predicted class. */
  score: number;
  /** Probability of every class, in `labels` order. */
  probs: number[];
}

export interface WordExplanation {
  word: string;
  /**
   * The word's contribution to the margin of the explained class (class 1 when there are two,
   * otherwise the predicted class) over the mean of the other classes' logits: positive pushes towards it.
   * Token MLP / attention: its pooled sub-score share; weighted MLP: weight × sub-score; RNN/GRU:
   * gradient × input of that margin.
   */
  score: number;
  /** The word's sub-scores per class (token-wise models). */
  subScores?: number[];
  /** The word's softmax weight (weighted pooling). */
  weight?: number;
  /** Attention weights of the word's window, slot s ↔ word t − k + s (attention). */
  attention?: number[];
}

export interface TextExplanation extends Prediction {
  /** The class whose margin the word scores explain. */
  explained: string;
  words: WordExplanation[];
}

export class TextClassifier {
  readonly model: SequenceModel;
  readonly tokenizer: Tokenizer;
  readonly vocab: Vocabulary;
  readonly labels: string[];
  /** The training record of a loaded file (what `save(training)` stored), if any. */
  readonly training: unknown;

  private constructor(model: SequenceModel, tokenizer: Tokenizer, vocab: Vocabulary, labels: string[], training?: unknown) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.vocab = vocab;
    this.labels = labels;
    this.training = training;
  }

  /** A new, untrained classifier (pretrained vectors copied into its embedding when given). */
  static create(spec: ClassifierSpec, options?: ModelOptions): TextClassifier {
    const labels = [...spec.labels];
    if (labels.length < 2) throw new ConfigError(`a classifier needs at least 2 labels, got ${labels.length}`);
    const bce = spec.model.loss === 'bce';
    if (bce && labels.length !== 2) throw new ConfigError('loss: bce classifies exactly 2 labels');
    const config: ModelConfig = {
      ...spec.model,
      outputs: bce ? 1 : labels.length,
      embedding: { ...spec.model.embedding, vocabSize: spec.vocab.size },
    };
    const model = createModel(config, options);
    if (spec.vectors) {
      if (spec.vectors.length !== spec.vocab.size * model.config.input) {
        model.dispose();
        throw new ConfigError(`vectors hold ${spec.vectors.length} values, expected vocabulary ${spec.vocab.size} × input ${model.config.input}`);
      }
      model.params.setParam('embedding.weight', spec.vectors);
      model.parametersChanged();
    }
    return new TextClassifier(model, createTokenizer(spec.tokenizer), spec.vocab, labels);
  }

  /** Loads a classifier file, checking every tensor against what its config implies. */
  static load(bytes: Uint8Array, options?: ModelOptions): TextClassifier {
    const file = decodeModelFile<ClassifierConfig>(bytes, {
      copy: true,
      expectShapes: (config) => {
        if (!config || typeof config !== 'object' || !config.model || !Array.isArray(config.labels)) {
          throw new ModelFileError('model file: seqwasm.config is not a classifier config ({ model, labels })');
        }
        return expectedShapes(resolveConfig(config.model));
      },
    });
    const vocab = new Vocabulary(file.vocab);
    const { model: config, labels } = file.config;
    if (config.embedding && config.embedding.vocabSize !== vocab.size) {
      throw new ModelFileError(`model file: the embedding has ${config.embedding.vocabSize} rows but the vocabulary ${vocab.size} tokens`);
    }
    // every parameter comes from the file (checked by loadParams): no random draw first
    const model = createModel(config, { ...options, initialize: false });
    loadParams(model.params, file.params);
    model.parametersChanged();
    return new TextClassifier(model, createTokenizer(file.tokenizer as TokenizerSettings), vocab, labels, file.training);
  }

  /** The model file bytes: config, weights, vocabulary, tokenizer, and optional training record. */
  save(training?: unknown): Uint8Array {
    const config: ClassifierConfig = { model: this.model.config, labels: this.labels };
    return encodeModelFile({ config, params: this.model.params, vocab: this.vocab.tokens, tokenizer: this.tokenizer.settings, training });
  }

  /** Examples as token ids with labels. */
  encode(examples: readonly Example[]): EncodedSet {
    return encodeExamples(examples, this.tokenizer, this.vocab);
  }

  /** Padded batches of labelled examples, ready for `train` and `evaluate`. */
  batches(examples: readonly Example[], options: BatchingOptions = {}): Batcher {
    return new Batcher(this.encode(examples), { length: this.tokenizer.settings.maxTokens, ...options });
  }

  predict(texts: string | readonly string[]): Prediction[] {
    const list = typeof texts === 'string' ? [texts] : texts;
    const out: Prediction[] = [];
    for (let start = 0; start < list.length; start += 64) {
      const { batch } = this.batchOf(list.slice(start, start + 64));
      const probs = this.model.predict(batch);
      for (let b = 0; b < batch.B; b++) out.push(this.prediction(probs, b));
    }
    return out;
  }

  /** The prediction for one text and each word's share in it. */
  explain(text: string): TextExplanation {
    const { batch, tokens } = this.batchOf([text]);
    const C = this.model.config.loss === 'bce' ? 1 : this.model.config.outputs;
    const predicted = this.prediction(this.model.predict(batch), 0);
    const target = C <= 2 ? 1 : this.labels.indexOf(predicted.label);
    const e = this.model.explain(batch, C === 1 ? undefined : target);
    const prediction = this.prediction(e.probs, 0);
    const T = batch.T;
    const real = tokens[0]!.length;
    const words: WordExplanation[] = [];
    for (let t = 0; t < real; t++) {
      const word: WordExplanation = { word: tokens[0]![t]!, score: e.attributions[t]! };
      if (e.subScores) {
        const s = Array.from(e.subScores.subarray(t * C, (t + 1) * C));
        word.subScores = s;
        // margin of the target class over the mean of the others, per word
        const margin = C === 1 ? s[0]! : s[target]! - (s.reduce((a, b) => a + b, 0) - s[target]!) / (C - 1);
        word.score = e.tokenWeights ? e.tokenWeights[t]! * margin : margin / real;
      }
      if (e.tokenWeights) word.weight = e.tokenWeights[t]!;
      if (e.attention) {
        const W = e.attention.length / T;
        word.attention = Array.from(e.attention.subarray(t * W, (t + 1) * W));
      }
      words.push(word);
    }
    return { ...prediction, explained: this.labels[target]!, words };
  }

  dispose(): void {
    this.model.dispose();
  }

  private batchOf(texts: readonly string[]): { batch: Batch; tokens: string[][] } {
    const tokens = texts.map((t) => this.tokenizer.tokenize(t));
    const B = texts.length;
    const T = Math.max(1, ...tokens.map((t) => t.length));
    const ids = new Int32Array(B * T);
    const mask = new Float32Array(B * T);
    tokens.forEach((list, b) => {
      ids.set(this.vocab.encode(list), b * T);
      mask.fill(1, b * T, b * T + list.length);
    });
    return { batch: { B, T, ids, mask }, tokens };
  }

  private prediction(probs: Float32Array, b: number): Prediction {
    if (this.model.config.loss === 'bce') {
      const p = probs[b]!;
      return { label: this.labels[p >= 0.5 ? 1 : 0]!, score: p >= 0.5 ? p : 1 - p, probs: [1 - p, p] };
    }
    const C = this.model.config.outputs;
    const row = Array.from(probs.subarray(b * C, (b + 1) * C));
    let best = 0;
    for (let c = 1; c < C; c++) if (row[c]! > row[best]!) best = c;
    return { label: this.labels[best]!, score: row[best]!, probs: row };
  }
}
