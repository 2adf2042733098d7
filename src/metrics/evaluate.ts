// One call that turns labels and predicted probabilities into a plain, JSON-ready report.

import { ShapeError } from '../errors.js';
import { checkBinaryLabels, checkClassCount, checkProbabilities, checkSameLength, type Numbers } from './check.js';
import { accuracy, confusionMatrix, precisionRecallF1 } from './classification.js';
import { crossEntropy, logLoss } from './loss.js';
import { rocAuc, rocAucOneVsRest } from './roc.js';

/** Every field is a finite number (or null), so `JSON.stringify(report)` loses nothing. */
export interface EvaluationReport {
  /** Examples evaluated. */
  n: number;
  accuracy: number;
  precision: number;
  recall: number;
  f1: number;
  /** null when undefined: a class is absent from the labels (or is every label). */
  rocAuc: number | null;
  /** `confusion[t][p]`: true class t predicted as p. */
  confusion: number[][];
  /** Mean log loss / cross-entropy of the probabilities (clipped at 1e-15, see `logLoss`). */
  loss: number;
}

export interface BinaryOptions {
  /** Predict class 1 when `prob >= threshold`. Default 0.5. */
  threshold?: number;
}

/**
 * Binary report from labels (0/1) and `probs[i]` = P(label is 1). Precision, recall and F1 are for
 * class 1; rocAuc ranks by the probabilities themselves, so it does not depend on the threshold.
 */
export function evaluateBinary(labels: Numbers, probs: Numbers, options: BinaryOptions = {}): EvaluationReport {
  const what = 'evaluateBinary';
  const threshold = options.threshold ?? 0.5;
  if (!Number.isFinite(threshold)) throw new ShapeError(`${what}: threshold must be a finite number, got ${threshold}`);
  const n = checkSameLength(what, labels, 'labels', probs, 'probs');
  checkBinaryLabels(what, labels);
  checkProbabilities(what, 'probs', probs);
  const predictions = new Uint8Array(n);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    predictions[i] = probs[i]! >= threshold ? 1 : 0;
    positives += labels[i]!;
  }
  const { precision, recall, f1 } = precisionRecallF1(labels, predictions, { positive: 1 });
  return {
    n,
    accuracy: accuracy(labels, predictions),
    precision,
    recall,
    f1,
    rocAuc: positives === 0 || positives === n ? null : rocAuc(labels, probs),
    confusion: confusionMatrix(labels, predictions, 2),
    loss: logLoss(labels, probs),
  };
}

export interface MulticlassOptions {
  /** How precision, recall and F1 combine the classes. Default 'macro'. */
  average?: 'macro' | 'micro';
}

/**
 * C-class report from labels in [0, C) and `probs`, N×C row-major. The prediction is the arg-max of
 * each row (the first on ties). rocAuc is the AUC of P(class 1) when C = 2, else the macro
 * one-vs-rest AUC. Precision, recall and F1 are macro averages unless `average: 'micro'`.
 */
export function evaluate(labels: Numbers, probs: Numbers, classes: number, options: MulticlassOptions = {}): EvaluationReport {
  const what = 'evaluate';
  checkClassCount(what, classes);
  const n = labels.length;
  if (n === 0) throw new ShapeError(`${what}: labels is empty`, 'a metric needs at least one example');
  if (probs.length !== n * classes) {
    throw new ShapeError(`${what}: probs has ${probs.length} entries, expected labels.length × classes = ${n} × ${classes}`);
  }
  checkProbabilities(what, 'probs', probs);
  const predictions = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) if (probs[i * classes + k]! > probs[i * classes + best]!) best = k;
    predictions[i] = best;
  }
  const confusion = confusionMatrix(labels, predictions, classes); // also checks the labels
  const { precision, recall, f1 } = precisionRecallF1(labels, predictions, { average: options.average ?? 'macro', classes });
  // a class's AUC is defined only when it is neither absent nor every label
  const defined = confusion.every((row) => {
    const count = row.reduce((a, b) => a + b, 0);
    return count > 0 && count < n;
  });
  let auc: number | null = null;
  if (defined && classes === 2) {
    const p1 = new Float64Array(n);
    for (let i = 0; i < n; i++) p1[i] = probs[i * 2 + 1]!;
    auc = rocAuc(labels, p1);
  } else if (defined) {
    auc = rocAucOneVsRest(labels, probs, classes);
  }
  return { n, accuracy: accuracy(labels, predictions), precision, recall, f1, rocAuc: auc, confusion, loss: crossEntropy(labels, probs, classes) };
}

