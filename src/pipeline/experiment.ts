// One experiment, end to end: vocabulary from the training texts, pretrained vectors where given, a
// classifier, training with a held-out validation split (early stopping, best weights kept), and the
// test report with its ROC curve. The CLI, the quality benchmark and the shipped model all run this.

import { stratifiedSplit } from '../data/batch.js';
import type { Example } from '../data/datasets.js';
import { createTokenizer, type TokenizerSettings } from '../data/tokenize.js';
import { countTokens, Vocabulary } from '../data/vocab.js';
import type { WordVectors } from '../data/vectors.js';
import { ConfigError } from '../errors.js';
import type { CurvePoint } from '../metrics/curves.js';
import type { EvaluationReport } from '../metrics/evaluate.js';
import { rocCurve } from '../metrics/roc.js';
import type { EmbeddingConfig, ModelConfig } from '../nn/config.js';
import type { ModelOptions } from '../nn/model.js';
import { evaluate, predictAll } from '../train/evaluate.js';
import type { OptimizerConfig } from '../train/optim.js';
import { train, type TrainOptions, type TrainResult } from '../train/train.js';
import { TextClassifier } from './classifier.js';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A model without its input width and embedding size, which the experiment fills in. */
export type ModelSpec = DistributiveOmit<ModelConfig, 'input' | 'embedding' | 'outputs'> & { input?: number };

export interface ExperimentSpec {
  model: ModelSpec;
  tokenizer: TokenizerSettings;
  /** Vocabulary: at most this many rows (default 20,000), words seen at least minCount times (default 1). */
  vocabSize?: number;
  minCount?: number;
  /** 'vectors': only words that have a pretrained vector (the exercise with GloVe). Default 'corpus'. */
  vocabFrom?: 'corpus' | 'vectors';
  /** Default: trained, with a learned unknown-word vector. */
  embedding?: Omit<EmbeddingConfig, 'vocabSize'>;
  /** Embedding width without pretrained vectors. Default 100. */
  embeddingDim?: number;
  optimizer?: OptimizerConfig;
  clipNorm?: number;
  epochs: number;
  batchSize?: number;
  /** Share of the training examples held out for validation. Default 0.1. */
  validation?: number;
  /** Early-stopping patience in evaluations (0 = off). Default 3. */
  patience?: number;
  evalEvery?: number;
  /** Record train and test curves at each evaluation (default true); false evaluates validation only. */
  curves?: boolean;
  seed?: number;
}

export interface ExperimentData {
  train: readonly Example[];
  test: readonly Example[];
  labels: string[];
}

export interface ExperimentResult {
  classifier: TextClassifier;
  training: TrainResult;
  test: EvaluationReport;
  /** Test ROC curve, thinned to at most 200 points (binary tasks). */
  roc: { fpr: number; tpr: number }[] | null;
  secondsPerEpoch: number;
  vocabulary: number;
  /** Share of training tokens the pretrained vectors cover (when given). */
  coverage?: number;
}

/** A loader for pretrained vectors, given the vocabulary to prune them to (or none, to list every word). */
export type VectorSource = (vocab?: Vocabulary) => Promise<WordVectors>;

export async function runExperiment(spec: ExperimentSpec, data: ExperimentData, options: {
  vectors?: VectorSource;
  modelOptions?: ModelOptions;
  callbacks?: Pick<TrainOptions, 'onStep' | 'onEval' | 'onEpoch' | 'signal'>;
} = {}): Promise<ExperimentResult> {
  if (!data.train.length) throw new ConfigError('no training examples');
  const split = stratifiedSplit(data.train, { validation: spec.validation ?? 0.1, seed: spec.seed ?? 1 });
  const tokenizer = createTokenizer(spec.tokenizer);
  const counts = countTokens(split.train.map((e) => tokenizer.tokenize(e.text)));
  let keep: ((t: string) => boolean) | undefined;
  if (spec.vocabFrom === 'vectors') {
    if (!options.vectors) throw new ConfigError("vocabFrom: 'vectors' needs pretrained vectors");
    const all = (await options.vectors()).vectors!;
    keep = (t) => all.has(t);
  }
  const vocab = Vocabulary.build(counts, { maxSize: spec.vocabSize ?? 20_000, minCount: spec.minCount ?? 1, keep });
  const vectors = options.vectors ? await options.vectors(vocab) : undefined;
  let coverage: number | undefined;
  if (vectors) {
    let all = 0;
    let covered = 0;
    for (const [t, n] of counts) {
      all += n;
      if (vocab.has(t) && vectors.found![vocab.id(t)]) covered += n;
    }
    coverage = covered / Math.max(1, all);
  }
  const input = vectors?.dim ?? spec.model.input ?? spec.embeddingDim ?? 100;
  const clf = TextClassifier.create({
    model: { ...spec.model, input, embedding: { vocabSize: vocab.size, ...spec.embedding } } as ModelConfig,
    tokenizer: spec.tokenizer, vocab, labels: data.labels, vectors: vectors?.matrix,
  }, { seed: spec.seed ?? 1, optimizer: spec.optimizer ?? { kind: 'adam', lr: 1e-3 }, clipNorm: spec.clipNorm, ...options.modelOptions });
  const epochSeconds: number[] = [];
  const patience = spec.patience ?? 3;
  const testSet = clf.batches([...data.test]);
  const curves = spec.curves ?? true;
  const training = await train(clf.model, clf.batches(split.train), {
    epochs: spec.epochs, batchSize: spec.batchSize ?? 32, seed: spec.seed ?? 1, evalEvery: spec.evalEvery,
    evalTrain: curves, test: curves ? testSet : undefined,
    validation: split.validation.length ? clf.batches(split.validation) : undefined,
    earlyStopping: patience > 0 && split.validation.length ? { patience, metric: 'loss' } : undefined,
    ...options.callbacks,
    onEpoch: (e) => {
      epochSeconds.push(e.seconds);
      options.callbacks?.onEpoch?.(e);
    },
  });
  const test = evaluate(clf.model, testSet);
  let roc: ExperimentResult['roc'] = null;
  if (data.labels.length === 2 && test.rocAuc !== null) {
    const { labels, probs } = predictAll(clf.model, testSet);
    const positive = clf.model.config.loss === 'bce' ? probs : probs.filter((_, i) => i % 2 === 1);
    const curve = rocCurve(labels, positive);
    const step = Math.max(1, Math.ceil(curve.length / 200));
    roc = curve.filter((_, i) => i % step === 0 || i === curve.length - 1).map((p) => ({ fpr: p.fpr, tpr: p.tpr }));
  }
  return {
    classifier: clf, training, test, roc, vocabulary: vocab.size, coverage,
    secondsPerEpoch: epochSeconds.length ? epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length : 0,
  };
}

/** The training record a model file keeps (and a report is drawn from). */
export interface TrainingRecord {
  spec: ExperimentSpec;
  test: EvaluationReport;
  roc: ExperimentResult['roc'];
  curves: CurvePoint[];
  epochs: number;
  stopped: TrainResult['stopped'];
  secondsPerEpoch: number;
  vocabulary: number;
  coverage?: number;
}

export function trainingRecord(spec: ExperimentSpec, result: ExperimentResult): TrainingRecord {
  return {
    spec, test: result.test, roc: result.roc, curves: result.training.curves, epochs: result.training.epochs,
    stopped: result.training.stopped, secondsPerEpoch: result.secondsPerEpoch, vocabulary: result.vocabulary,
    ...(result.coverage === undefined ? {} : { coverage: result.coverage }),
  };
}
