import { describe, expect, it } from 'vitest';
import { Rng, rocAuc, rocAucOneVsRest, rocCurve, ShapeError, type RocPoint } from '../../dist/index.js';

/** O(n²) definition: P(score of a positive > score of a negative), ties ½. Counted in halves, like the library. */
function pairwiseAuc(labels: number[], scores: number[]): number {
  let twice = 0;
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) pos++;
    else neg++;
    if (labels[i] !== 1) continue;
    for (let j = 0; j < labels.length; j++) {
      if (labels[j] !== 0) continue;
      twice += scores[i]! > scores[j]! ? 2 : scores[i] === scores[j] ? 1 : 0;
    }
  }
  return twice / (2 * pos * neg);
}

function trapezoid(points: RocPoint[]): number {
  let area = 0;
  for (let k = 1; k < points.length; k++) {
    area += ((points[k]!.fpr - points[k - 1]!.fpr) * (points[k]!.tpr + points[k - 1]!.tpr)) / 2;
  }
  return area;
}

describe('rocAuc', () => {
  it('hand-worked, no ties', () => {
    // positives score 0.35, 0.8; negatives 0.1, 0.4
    // pairs: 0.35>0.1 ✓  0.35>0.4 ✗  0.8>0.1 ✓  0.8>0.4 ✓  → 3/4
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
  });

  it('hand-worked, partially tied groups', () => {
    // positives 0.5, 0.9, 0.2; negatives 0.5, 0.2
    // 0.5 vs (0.5, 0.2): ½ + 1;  0.9 vs both: 1 + 1;  0.2 vs (0.5, 0.2): 0 + ½   → 4 of 6 pairs
    // by ranks: sorted 0.2n 0.2p | 0.5n 0.5p | 0.9p, tied ranks averaged: 1.5 1.5 | 3.5 3.5 | 5
    // positive rank sum 1.5 + 3.5 + 5 = 10, U = 10 − 3·4/2 = 4, AUC = 4 / (3·2)
    const labels = [0, 1, 0, 1, 1];
    const scores = [0.5, 0.5, 0.2, 0.9, 0.2];
    expect(rocAuc(labels, scores)).toBe(4 / 6);
  });

  it('all scores equal → 0.5', () => {
    expect(rocAuc([0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('perfect → 1, inverted → 0, infinite scores are ordered', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1])).toBe(0);
    expect(rocAuc([0, 1, 0, 1], [-Infinity, Infinity, -1, 1])).toBe(1);
  });

  it('matches the O(n²) pairwise definition on seeded data with many ties', () => {
    const rng = new Rng(20240611);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + rng.int(300);
      const levels = 1 + rng.int(8); // few distinct scores: most examples share a score with others
      const labels = Array.from({ length: n }, () => (rng.next() < 0.4 ? 1 : 0));
      labels[0] = 1;
      labels[1] = 0;
      const scores = labels.map((y) => Math.min(levels, rng.int(levels + 1) + y) / levels);
      expect(rocAuc(labels, scores), `trial ${trial}`).toBe(pairwiseAuc(labels, scores));
      expect(trapezoid(rocCurve(labels, scores))).toBeCloseTo(rocAuc(labels, scores), 12);
    }
  });

  it('is invariant to the order of the examples and to a monotone map of the scores', () => {
    const rng = new Rng(7);
    const labels = Array.from({ length: 100 }, () => rng.int(2));
    const scores = labels.map(() => rng.int(10));
    const auc = rocAuc(labels, scores);
    const order = Array.from({ length: 100 }, (_, i) => i);
    rng.shuffle(order);
    expect(rocAuc(order.map((i) => labels[i]!), order.map((i) => scores[i]!))).toBe(auc);
    expect(rocAuc(labels, scores.map((s) => Math.exp(s) - 3))).toBe(auc);
  });

  it('refuses one class, NaN, non-binary labels and empty input with ShapeErrors', () => {
    expect(() => rocAuc([1, 1, 1], [0.1, 0.2, 0.3])).toThrow(/every label is 1, so ROC AUC is undefined/);
    expect(() => rocAuc([0, 0], [0.1, 0.2])).toThrow(/every label is 0/);
    expect(() => rocAuc([0, 1], [0.1, NaN])).toThrow(/scores\[1\] is NaN/);
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/labels\[1\] is 2, expected 0 or 1/);
    expect(() => rocAuc([], [])).toThrow(/labels is empty/);
    expect(() => rocAuc([0, 1], [0.5])).toThrow(ShapeError);
  });
});

describe('rocCurve', () => {
  it('hand-worked: tied scores collapse into one diagonal step', () => {
    // descending groups: 0.9 (1 pos) → (0, 1/3); 0.5 (1 pos, 1 neg) → (1/2, 2/3); 0.2 (1 pos, 1 neg) → (1, 1)
    const points = rocCurve([0, 1, 0, 1, 1], [0.5, 0.5, 0.2, 0.9, 0.2]);
    expect(points).toEqual([
      { threshold: Infinity, fpr: 0, tpr: 0, tp: 0, fp: 0 },
      { threshold: 0.9, fpr: 0, tpr: 1 / 3, tp: 1, fp: 0 },
      { threshold: 0.5, fpr: 1 / 2, tpr: 2 / 3, tp: 2, fp: 1 },
      { threshold: 0.2, fpr: 1, tpr: 1, tp: 3, fp: 2 },
    ]);
    // trapezoids: 0 + ½·(1/3 + 2/3)/2 + ½·(2/3 + 1)/2 = 1/4 + 5/12 = 2/3, the same as rocAuc
    expect(trapezoid(points)).toBeCloseTo(2 / 3, 15);
  });

  it('all scores equal → just (0,0) and (1,1)', () => {
    expect(rocCurve([0, 1, 1], [2, 2, 2]).map((p) => [p.fpr, p.tpr])).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('starts at (0,0), ends at (1,1), is monotone, one point per distinct score', () => {
    const rng = new Rng(99);
    for (let trial = 0; trial < 50; trial++) {
      const n = 2 + rng.int(100);
      const labels = Array.from({ length: n }, (_, i) => (i < 1 ? 1 : i < 2 ? 0 : rng.int(2)));
      const scores = labels.map(() => rng.int(12) / 4 - 1);
      const points = rocCurve(labels, scores);
      expect(points.length).toBe(new Set(scores).size + 1);
      expect([points[0]!.fpr, points[0]!.tpr]).toEqual([0, 0]);
      expect([points.at(-1)!.fpr, points.at(-1)!.tpr]).toEqual([1, 1]);
      for (let k = 1; k < points.length; k++) {
        expect(points[k]!.threshold).toBeLessThan(points[k - 1]!.threshold);
        expect(points[k]!.fpr).toBeGreaterThanOrEqual(points[k - 1]!.fpr);
        expect(points[k]!.tpr).toBeGreaterThanOrEqual(points[k - 1]!.tpr);
        expect(points[k]!.tp + points[k]!.fp).toBeGreaterThan(points[k - 1]!.tp + points[k - 1]!.fp);
      }
    }
  });
});

describe('rocAucOneVsRest', () => {
  it('is the mean of the per-class AUCs', () => {
    const labels = [0, 1, 2, 2, 1, 0];
    // rows of 3 probabilities
    const probs = [0.7, 0.2, 0.1, 0.2, 0.5, 0.3, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4, 0.2, 0.6, 0.2, 0.5, 0.4, 0.1];
    const column = (k: number) => labels.map((_, i) => probs[i * 3 + k]!);
    const expected = [0, 1, 2].map((k) => rocAuc(labels.map((y) => (y === k ? 1 : 0)), column(k)));
    // class 0 by hand: positives (rows 0, 5) score 0.7, 0.5; negatives 0.2, 0.1, 0.3, 0.2 → all 8 pairs won → 1
    expect(expected[0]).toBe(1);
    expect(rocAucOneVsRest(labels, probs, 3)).toBeCloseTo((expected[0]! + expected[1]! + expected[2]!) / 3, 15);
  });

  it('refuses a class that is absent', () => {
    expect(() => rocAucOneVsRest([0, 1, 1], [0.5, 0.5, 0, 0.5, 0.5, 0, 0.5, 0.5, 0], 3)).toThrow(/class 2 is absent from the labels/);
  });
});
