import { describe, expect, it } from 'vitest';
import { accuracy, classScores, confusionMatrix, f1, precision, precisionRecallF1, recall, ShapeError } from '../../dist/index.js';

describe('binary precision, recall, F1', () => {
  // index:   0  1  2  3  4  5  6  7  8  9
  const y = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const p = [1, 1, 1, 0, 1, 1, 0, 0, 0, 0];
  // positive 1: tp = {0,1,2} = 3, fn = {3} = 1, fp = {4,5} = 2, tn = {6..9} = 4

  it('counts by hand', () => {
    expect(accuracy(y, p)).toBe(7 / 10); // tp + tn = 7 of 10
    expect(precision(y, p)).toBe(3 / 5); // 3 / (3 + 2)
    expect(recall(y, p)).toBe(3 / 4); // 3 / (3 + 1)
    expect(f1(y, p)).toBe(2 / 3); // 2·3 / (2·3 + 2 + 1) = 6/9; also 2·(3/5)(3/4) / (3/5 + 3/4) = (18/20)/(27/20)
  });

  it('takes another class as positive', () => {
    // positive 0: tp = {6..9} = 4, fp = {3} (label 1, predicted 0) = 1, fn = {4,5} = 2
    const how = { positive: 0 };
    expect(precision(y, p, how)).toBe(4 / 5);
    expect(recall(y, p, how)).toBe(4 / 6);
    expect(f1(y, p, how)).toBe(8 / 11); // 8 / (8 + 1 + 2)
  });

  it('is 0, not NaN, where a denominator is 0', () => {
    // nothing predicted positive: precision 0/0 → 0; recall 0/2 = 0; f1 0/(0+0+2) = 0
    expect(precisionRecallF1([1, 1, 0], [0, 0, 0])).toEqual({ precision: 0, recall: 0, f1: 0 });
    // no actual positives: recall 0/0 → 0; precision 0/1 = 0
    expect(precisionRecallF1([0, 0, 0], [1, 0, 0])).toEqual({ precision: 0, recall: 0, f1: 0 });
    // no positives anywhere: every ratio 0/0 → 0
    expect(precisionRecallF1([0, 0], [0, 0])).toEqual({ precision: 0, recall: 0, f1: 0 });
  });

  it('perfect and inverted predictions', () => {
    expect(precisionRecallF1(y, y)).toEqual({ precision: 1, recall: 1, f1: 1 });
    const inverted = y.map((v) => 1 - v);
    expect(precisionRecallF1(y, inverted)).toEqual({ precision: 0, recall: 0, f1: 0 });
    expect(accuracy(y, inverted)).toBe(0);
  });
});

describe('confusion matrix and multi-class averages', () => {
  // labels:      0  0  0  1  1  2
  // predictions: 0  0  1  1  2  2
  const y = [0, 0, 0, 1, 1, 2];
  const p = [0, 0, 1, 1, 2, 2];

  it('confusion matrix by hand (rows truth, columns prediction)', () => {
    expect(confusionMatrix(y, p, 3)).toEqual([
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    // an extra class that never occurs still gets its row and column
    expect(confusionMatrix([0, 1], [1, 1], 3)).toEqual([
      [0, 1, 0],
      [0, 1, 0],
      [0, 0, 0],
    ]);
  });

  it('per-class scores by hand', () => {
    // class 0: tp 2, fp 0 (column 0 sums to 2), fn 1 → P 1,   R 2/3, F1 4/5
    // class 1: tp 1, fp 1 (column 1 sums to 2), fn 1 → P 1/2, R 1/2, F1 2/4
    // class 2: tp 1, fp 1 (column 2 sums to 2), fn 0 → P 1/2, R 1,   F1 2/3
    const s = classScores(confusionMatrix(y, p, 3));
    expect(s.support).toEqual([3, 2, 1]);
    expect(s.precision).toEqual([1, 1 / 2, 1 / 2]);
    expect(s.recall).toEqual([2 / 3, 1 / 2, 1]);
    expect(s.f1).toEqual([4 / 5, 2 / 4, 2 / 3]);
  });

  it('macro averages: mean of the per-class scores', () => {
    const how = { average: 'macro', classes: 3 } as const;
    expect(precision(y, p, how)).toBeCloseTo((1 + 1 / 2 + 1 / 2) / 3, 15); // 2/3
    expect(recall(y, p, how)).toBeCloseTo((2 / 3 + 1 / 2 + 1) / 3, 15); // 13/18
    // macro F1 = (4/5 + 1/2 + 2/3) / 3 = (24 + 15 + 20)/30 / 3 = 59/90 ≈ 0.6556,
    // not the F1 of macro P and R: 2·(2/3)(13/18) / (2/3 + 13/18) = 52/75 ≈ 0.6933
    expect(f1(y, p, how)).toBeCloseTo(59 / 90, 15);
    expect(Math.abs(f1(y, p, how) - 52 / 75)).toBeGreaterThan(0.03);
  });

  it('an absent class counts as 0 in the macro mean', () => {
    // classes 0 and 1 perfect (F1 1 each), class 2 never seen nor predicted (F1 0): (1 + 1 + 0) / 3
    expect(f1([0, 1], [0, 1], { average: 'macro', classes: 3 })).toBeCloseTo(2 / 3, 15);
  });

  it('micro averages equal accuracy for single-label data', () => {
    const how = { average: 'micro', classes: 3 } as const;
    // Σtp = 2 + 1 + 1 = 4 of 6; Σfp = Σfn = 2
    expect(precisionRecallF1(y, p, how)).toEqual({ precision: 4 / 6, recall: 4 / 6, f1: 8 / 12 });
    expect(accuracy(y, p)).toBe(4 / 6);
  });
});

describe('input errors are ShapeErrors that name the argument', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['empty', () => accuracy([], []), /labels is empty/],
    ['length mismatch', () => precision([0, 1], [0]), /labels has 2 entries but predictions has 1/],
    ['label out of range', () => confusionMatrix([0, 3], [0, 1], 3), /labels\[1\] is 3, expected a class id in \[0, 3\)/],
    ['fractional prediction', () => confusionMatrix([0, 1], [0, 0.5], 2), /predictions\[1\] is 0.5/],
    ['negative label (binary)', () => f1([-1, 1], [1, 1]), /labels\[0\] is -1, expected a class id \(a non-negative integer\)/],
    ['bad class count', () => confusionMatrix([0], [0], 0), /number of classes must be a positive integer, got 0/],
    ['bad average', () => f1([0], [0], { average: 'weighted' as 'macro', classes: 2 }), /average must be 'macro' or 'micro'/],
    ['bad positive', () => recall([0], [0], { positive: 1.5 }), /positive class must be a class id/],
    ['ragged confusion', () => classScores([[1, 0], [1]]), /must be 2×2, row 1 has 1/],
  ];
  for (const [name, run, message] of cases) {
    it(name, () => {
      expect(run).toThrow(ShapeError);
      expect(run).toThrow(message);
    });
  }
});
