// Input checks shared by every metric. A metric over bad input would return a number that looks
// fine, so each problem throws a ShapeError that names the argument and the first bad index.

import { ShapeError } from '../errors.js';

/** Labels or predictions as any array of numbers: number[], Int32Array, Uint8Array, … */
export type Numbers = ArrayLike<number>;

export function checkSameLength(what: string, a: Numbers, aName: string, b: Numbers, bName: string): number {
  if (a.length === 0) throw new ShapeError(`${what}: ${aName} is empty`, 'a metric needs at least one example');
  if (a.length !== b.length) {
    throw new ShapeError(`${what}: ${aName} has ${a.length} entries but ${bName} has ${b.length}`);
  }
  return a.length;
}

export function checkClassCount(what: string, classes: number): void {
  if (!Number.isInteger(classes) || classes < 1) {
    throw new ShapeError(`${what}: the number of classes must be a positive integer, got ${classes}`);
  }
}

/** Every entry is an integer class id in [0, classes) (any non-negative integer when classes is Infinity). */
export function checkClassIds(what: string, name: string, ids: Numbers, classes: number): void {
  const range = Number.isFinite(classes) ? `in [0, ${classes})` : '(a non-negative integer)';
  for (let i = 0; i < ids.length; i++) {
    const c = ids[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new ShapeError(`${what}: ${name}[${i}] is ${c}, expected a class id ${range}`);
    }
  }
}

/** Every entry is 0 or 1. */
export function checkBinaryLabels(what: string, labels: Numbers): void {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new ShapeError(`${what}: labels[${i}] is ${y}, expected 0 or 1`);
  }
}

/** Scores may be any ordered value, infinities included; NaN has no place in an order. */
export function checkScores(what: string, scores: Numbers): void {
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i]!;
    if (typeof s !== 'number' || Number.isNaN(s)) throw new ShapeError(`${what}: scores[${i}] is ${s}, expected a number (not NaN)`);
  }
}

/** Probabilities lie in [0, 1]. */
export function checkProbabilities(what: string, name: string, probs: Numbers): void {
  for (let i = 0; i < probs.length; i++) {
    const p = probs[i]!;
    if (!(p >= 0 && p <= 1)) throw new ShapeError(`${what}: ${name}[${i}] is ${p}, expected a probability in [0, 1]`);
  }
}
