// Mean negative log-likelihood of the true class, from predicted probabilities.
//
// NOTE: probabilities are clipped to [1e-15, 1] before the log (scikit-learn's long-standing eps), so
// a confidently wrong prediction costs at most −ln(1e-15) ≈ 34.5 instead of Infinity, and the mean
// stays finite and JSON-safe. Training losses come from logits in the kernels; this is for reports.

import { checkBinaryLabels, checkClassCount, checkClassIds, checkProbabilities, checkSameLength, type Numbers } from './check.js';
import { ShapeError } from '../errors.js';

export const LOG_LOSS_EPS = 1e-15;

const nll = (p: number) => -Math.log(Math.max(p, LOG_LOSS_EPS));

/** Binary log loss: labels 0/1, `probs[i]` = P(label i is 1). */
export function logLoss(labels: Numbers, probs: Numbers): number {
  const what = 'logLoss';
  const n = checkSameLength(what, labels, 'labels', probs, 'probs');
  checkBinaryLabels(what, labels);
  checkProbabilities(what, 'probs', probs);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += nll(labels[i] === 1 ? probs[i]! : 1 - probs[i]!);
  return sum / n;
}

/**
 * Categorical cross-entropy: `probs` is N×C row-major, each row a distribution over C classes. Only
 * the true class's probability is read; rows are not renormalised.
 */
export function crossEntropy(labels: Numbers, probs: Numbers, classes: number): number {
  const what = 'crossEntropy';
  checkClassCount(what, classes);
  if (labels.length === 0) throw new ShapeError(`${what}: labels is empty`, 'a metric needs at least one example');
  if (probs.length !== labels.length * classes) {
    throw new ShapeError(`${what}: probs has ${probs.length} entries, expected labels.length × classes = ${labels.length} × ${classes}`);
  }
  checkClassIds(what, 'labels', labels, classes);
  checkProbabilities(what, 'probs', probs);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += nll(probs[i * classes + labels[i]!]!);
  return sum / labels.length;
}
