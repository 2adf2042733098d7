// Counting metrics over hard predictions: confusion matrix, accuracy, precision, recall, F1.
//
// NOTE (zero division): a ratio whose denominator is 0 — precision with no predicted positives,
// recall with no actual positives, F1 with neither — is 0, as scikit-learn's `zero_division=0`.
// It never becomes NaN, so reports stay valid JSON and averages stay finite.

import { ShapeError } from '../errors.js';
import { checkClassCount, checkClassIds, checkSameLength, type Numbers } from './check.js';

/**
 * How precision, recall and F1 treat classes:
 * - `{ positive }` (default `{ positive: 1 }`): binary; that class is positive, every other class negative.
 * - `{ average: 'macro', classes: C }`: the unweighted mean of the C per-class scores (each class
 *   one-vs-rest). Every class in [0, C) counts, also one absent from labels and predictions (it scores 0).
 * - `{ average: 'micro', classes: C }`: pooled counts over all classes; for single-label data this
 *   equals accuracy.
 */
export type Averaging = { positive?: number } | { average: 'macro' | 'micro'; classes: number };

/** `m[t][p]` counts examples of true class t predicted as p (rows: truth, columns: prediction). */
export function confusionMatrix(labels: Numbers, predictions: Numbers, classes: number): number[][] {
  const what = 'confusionMatrix';
  const n = checkSameLength(what, labels, 'labels', predictions, 'predictions');
  checkClassCount(what, classes);
  checkClassIds(what, 'labels', labels, classes);
  checkClassIds(what, 'predictions', predictions, classes);
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < n; i++) m[labels[i]!]![predictions[i]!]!++;
  return m;
}

/** Fraction of examples whose prediction equals the label. */
export function accuracy(labels: Numbers, predictions: Numbers): number {
  const n = checkSameLength('accuracy', labels, 'labels', predictions, 'predictions');
  let hits = 0;
  for (let i = 0; i < n; i++) if (labels[i] === predictions[i]) hits++;
  return hits / n;
}

/** Per-class counts and scores, read off a confusion matrix. */
export interface ClassScores {
  /** Examples of each class in the labels. */
  support: number[];
  precision: number[];
  recall: number[];
  f1: number[];
}

export function classScores(confusion: readonly (readonly number[])[]): ClassScores {
  const c = confusion.length;
  const out: ClassScores = { support: [], precision: [], recall: [], f1: [] };
  for (let k = 0; k < c; k++) {
    const row = confusion[k];
    if (!row || row.length !== c) throw new ShapeError(`classScores: confusion matrix must be ${c}×${c}, row ${k} has ${row?.length} entries`);
    let predicted = 0;
    for (let t = 0; t < c; t++) predicted += confusion[t]![k]!;
    const actual = row.reduce((a, b) => a + b, 0);
    const { precision, recall, f1 } = ratios(row[k]!, predicted - row[k]!, actual - row[k]!);
    out.support.push(actual);
    out.precision.push(precision);
    out.recall.push(recall);
    out.f1.push(f1);
  }
  return out;
}

/** tp / (tp + fp) for the positive class, or averaged over classes (see `Averaging`). */
export function precision(labels: Numbers, predictions: Numbers, how: Averaging = {}): number {
  return scores('precision', labels, predictions, how).precision;
}

/** tp / (tp + fn) for the positive class, or averaged over classes (see `Averaging`). */
export function recall(labels: Numbers, predictions: Numbers, how: Averaging = {}): number {
  return scores('recall', labels, predictions, how).recall;
}

/** F1 = 2·tp / (2·tp + fp + fn). Macro F1 is the mean of per-class F1 (not the F1 of macro P and R). */
export function f1(labels: Numbers, predictions: Numbers, how: Averaging = {}): number {
  return scores('f1', labels, predictions, how).f1;
}

/** Precision, recall and F1 together, from one pass over the data. */
export function precisionRecallF1(labels: Numbers, predictions: Numbers, how: Averaging = {}): PrecisionRecallF1 {
  return scores('precisionRecallF1', labels, predictions, how);
}

export interface PrecisionRecallF1 {
  precision: number;
  recall: number;
  f1: number;
}

function ratios(tp: number, fp: number, fn: number): PrecisionRecallF1 {
  const div = (a: number, b: number) => (b === 0 ? 0 : a / b);
  return { precision: div(tp, tp + fp), recall: div(tp, tp + fn), f1: div(2 * tp, 2 * tp + fp + fn) };
}

function scores(what: string, labels: Numbers, predictions: Numbers, how: Averaging): PrecisionRecallF1 {
  const n = checkSameLength(what, labels, 'labels', predictions, 'predictions');
  if (!('average' in how)) {
    const positive = how.positive ?? 1;
    if (!Number.isInteger(positive) || positive < 0) throw new ShapeError(`${what}: positive class must be a class id, got ${positive}`);
    checkClassIds(what, 'labels', labels, Infinity);
    checkClassIds(what, 'predictions', predictions, Infinity);
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      const y = labels[i] === positive;
      const p = predictions[i] === positive;
      if (y && p) tp++;
      else if (p) fp++;
      else if (y) fn++;
    }
    return ratios(tp, fp, fn);
  }
  if (how.average !== 'macro' && how.average !== 'micro') {
    throw new ShapeError(`${what}: average must be 'macro' or 'micro', got ${String(how.average)}`);
  }
  const m = confusionMatrix(labels, predictions, how.classes);
  if (how.average === 'micro') {
    // pooled over classes: Σtp = hits, Σfp = Σfn = misses
    let hits = 0;
    for (let k = 0; k < how.classes; k++) hits += m[k]![k]!;
    return ratios(hits, n - hits, n - hits);
  }
  const per = classScores(m);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { precision: mean(per.precision), recall: mean(per.recall), f1: mean(per.f1) };
}
