// Evaluation of a model on a labelled set: probabilities in batches, then the metrics report.

import { ConfigError } from '../errors.js';
import { evaluate as evaluateMulticlass, evaluateBinary, type EvaluationReport } from '../metrics/evaluate.js';
import type { SequenceModel } from '../nn/model.js';
import type { BatchSource } from './train.js';

export interface EvaluateOptions {
  batchSize?: number;
}

/** Labels and probabilities of a whole set: probs is (n,C), or (n) for bce. */
export function predictAll(model: SequenceModel, data: BatchSource, options: EvaluateOptions = {}): { labels: Float64Array; probs: Float32Array } {
  const C = model.config.loss === 'bce' ? 1 : model.config.outputs;
  const labels = new Float64Array(data.size);
  const probs = new Float32Array(data.size * C);
  let n = 0;
  for (const batch of data.batches({ batchSize: options.batchSize ?? 64, shuffle: false })) {
    if (!batch.labels) throw new ConfigError('evaluate needs labelled batches');
    probs.set(model.predict(batch), n * C);
    labels.set(batch.labels, n);
    n += batch.B;
  }
  if (n !== data.size) throw new ConfigError(`the batches held ${n} examples, the set says ${data.size}`);
  return { labels, probs };
}

/** Accuracy, precision, recall, F1 (of class 1 when binary), ROC AUC, confusion matrix and loss. */
export function evaluate(model: SequenceModel, data: BatchSource, options: EvaluateOptions = {}): EvaluationReport {
  const { labels, probs } = predictAll(model, data, options);
  if (model.config.loss === 'bce') return evaluateBinary(labels, probs);
  const C = model.config.outputs;
  if (C === 2) {
    const positive = new Float32Array(data.size);
    for (let i = 0; i < data.size; i++) positive[i] = probs[i * 2 + 1]!;
    // a two-class softmax is a binary classifier: report it as one (F1 and AUC of class 1)
    const report = evaluateBinary(labels, positive);
    return report;
  }
  return evaluateMulticlass(labels, probs, C);
}
