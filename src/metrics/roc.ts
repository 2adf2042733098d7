// ROC AUC and the ROC curve, exact and tie-aware.
//
// AUC is the Mann–Whitney statistic: the probability that a random positive scores above a random
// negative, a tie counting one half. Scores are sorted once and walked in groups of equal score; a
// group with p positives and q negatives above `below` negatives adds p·below + p·q/2 to U. Counting
// 2U keeps every step an integer, so the only rounding is the final division. This equals the
// trapezoid area under the ROC curve whose tied scores are collapsed into one point.

import { ShapeError } from '../errors.js';
import { checkBinaryLabels, checkClassCount, checkClassIds, checkProbabilities, checkSameLength, checkScores, type Numbers } from './check.js';

/** One point of the ROC curve: predicting positive when `score >= threshold`. */
export interface RocPoint {
  threshold: number;
  /** False positive rate fp / negatives. */
  fpr: number;
  /** True positive rate tp / positives. */
  tpr: number;
  tp: number;
  fp: number;
}

interface TieGroup {
  score: number;
  pos: number;
  neg: number;
}

/** Examples grouped by equal score, in ascending score order. */
function tieGroups(what: string, labels: Numbers, scores: Numbers): { groups: TieGroup[]; pos: number; neg: number } {
  const n = checkSameLength(what, labels, 'labels', scores, 'scores');
  checkBinaryLabels(what, labels);
  checkScores(what, scores);
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => (scores[a]! < scores[b]! ? -1 : scores[a]! > scores[b]! ? 1 : 0));
  const groups: TieGroup[] = [];
  let pos = 0;
  for (let i = 0; i < n; ) {
    const score = scores[order[i]!]!;
    const group: TieGroup = { score, pos: 0, neg: 0 };
    for (; i < n && scores[order[i]!] === score; i++) {
      if (labels[order[i]!] === 1) group.pos++;
      else group.neg++;
    }
    pos += group.pos;
    groups.push(group);
  }
  const neg = n - pos;
  if (pos === 0 || neg === 0) {
    throw new ShapeError(
      `${what}: every label is ${pos === 0 ? 0 : 1}, so ROC AUC is undefined (it compares positives with negatives)`,
      'evaluate with both classes present; evaluateBinary reports rocAuc as null in this case',
    );
  }
  return { groups, pos, neg };
}

/**
 * Area under the ROC curve for binary labels (0/1) and real-valued scores (higher = more positive).
 * Throws a ShapeError when only one class is present, for empty input, or for a NaN score.
 */
export function rocAuc(labels: Numbers, scores: Numbers): number {
  const { groups, pos, neg } = tieGroups('rocAuc', labels, scores);
  let below = 0; // negatives with a lower score than the current group
  let twiceU = 0;
  for (const g of groups) {
    twiceU += 2 * g.pos * below + g.pos * g.neg;
    below += g.neg;
  }
  return twiceU / (2 * pos * neg);
}

/**
 * The ROC curve from (0, 0) to (1, 1): one point per distinct score, from the highest to the lowest,
 * so tied scores make one point (a diagonal step). The first point, (0, 0), has threshold +Infinity and
 * stands for predicting nothing positive. Collinear points are kept; fpr and tpr never decrease.
 */
export function rocCurve(labels: Numbers, scores: Numbers): RocPoint[] {
  const { groups, pos, neg } = tieGroups('rocCurve', labels, scores);
  const points: RocPoint[] = [{ threshold: Infinity, fpr: 0, tpr: 0, tp: 0, fp: 0 }];
  let tp = 0;
  let fp = 0;
  for (let k = groups.length - 1; k >= 0; k--) {
    const g = groups[k]!;
    tp += g.pos;
    fp += g.neg;
    points.push({ threshold: g.score, fpr: fp / neg, tpr: tp / pos, tp, fp });
  }
  return points;
}

/**
 * Macro one-vs-rest ROC AUC for C classes: the mean over classes k of the AUC of probs[:, k] for
 * "label is k". `probs` is N×C row-major. Throws when some class is absent from the labels (or is
 * every label), since its one-vs-rest AUC is undefined.
 */
export function rocAucOneVsRest(labels: Numbers, probs: Numbers, classes: number): number {
  const what = 'rocAucOneVsRest';
  checkClassCount(what, classes);
  if (labels.length === 0) throw new ShapeError(`${what}: labels is empty`, 'a metric needs at least one example');
  if (probs.length !== labels.length * classes) {
    throw new ShapeError(`${what}: probs has ${probs.length} entries, expected labels.length × classes = ${labels.length} × ${classes}`);
  }
  checkClassIds(what, 'labels', labels, classes);
  checkProbabilities(what, 'probs', probs);
  const n = labels.length;
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < n; i++) counts[labels[i]!]!++;
  const bad = counts.findIndex((c) => c === 0 || c === n);
  if (bad >= 0) {
    throw new ShapeError(
      `${what}: class ${bad} is ${counts[bad] === 0 ? 'absent from' : 'every one of'} the labels, so its one-vs-rest AUC is undefined`,
      'evaluate reports rocAuc as null in this case',
    );
  }
  const isK = new Uint8Array(n);
  const column = new Float64Array(n);
  let sum = 0;
  for (let k = 0; k < classes; k++) {
    for (let i = 0; i < n; i++) {
      isK[i] = labels[i] === k ? 1 : 0;
      column[i] = probs[i * classes + k]!;
    }
    sum += rocAuc(isK, column);
  }
  return sum / classes;
}
