import { describe, expect, it } from 'vitest';
import { crossEntropy, CurveRecorder, evaluateBinary, evaluateMulticlass, LOG_LOSS_EPS, logLoss, metrics, rocAuc, ShapeError } from '../../dist/index.js';

describe('logLoss and crossEntropy', () => {
  it('hand-worked mean negative log-likelihood', () => {
    // label 1 with p 0.8 → −ln 0.8; label 0 with p 0.3 → −ln 0.7
    expect(logLoss([1, 0], [0.8, 0.3])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 15);
    // rows [0.7 0.2 0.1] label 0 → −ln 0.7; [0.1 0.1 0.8] label 2 → −ln 0.8
    expect(crossEntropy([0, 2], [0.7, 0.2, 0.1, 0.1, 0.1, 0.8], 3)).toBeCloseTo(-(Math.log(0.7) + Math.log(0.8)) / 2, 15);
  });

  it('clips at 1e-15 so a confident miss stays finite', () => {
    expect(logLoss([1], [0])).toBe(-Math.log(LOG_LOSS_EPS));
    expect(logLoss([0, 1], [0, 1])).toBe(0);
  });

  it('refuses values that are not probabilities', () => {
    expect(() => logLoss([1], [1.5])).toThrow(/probs\[0\] is 1.5, expected a probability/);
    expect(() => logLoss([1], [NaN])).toThrow(ShapeError);
    expect(() => crossEntropy([0], [0.5, 0.5], 3)).toThrow(/expected labels.length × classes = 1 × 3/);
  });
});

describe('evaluateBinary', () => {
  // labels 1 1 1 0 0 0, probabilities; threshold 0.5 → predictions 1 1 0 1 0 0
  const labels = [1, 1, 1, 0, 0, 0];
  const probs = [0.9, 0.6, 0.4, 0.7, 0.2, 0.1];

  it('hand-worked report', () => {
    const r = evaluateBinary(labels, probs);
    // tp 2 (0.9, 0.6), fn 1 (0.4), fp 1 (0.7), tn 2
    expect(r.n).toBe(6);
    expect(r.accuracy).toBe(4 / 6);
    expect(r.precision).toBe(2 / 3);
    expect(r.recall).toBe(2 / 3);
    expect(r.f1).toBe(4 / 6);
    expect(r.confusion).toEqual([
      [2, 1],
      [1, 2],
    ]);
    // AUC pairs: 0.9 beats all 3 negatives, 0.6 beats 0.2 and 0.1, 0.4 beats 0.2 and 0.1 → 7 of 9
    expect(r.rocAuc).toBe(7 / 9);
    const expectedLoss = -(Math.log(0.9) + Math.log(0.6) + Math.log(0.4) + Math.log(0.3) + Math.log(0.8) + Math.log(0.9)) / 6;
    expect(r.loss).toBeCloseTo(expectedLoss, 15);
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('threshold moves the counts, not the AUC', () => {
    const r = evaluateBinary(labels, probs, { threshold: 0.35 }); // predictions 1 1 1 1 0 0
    expect(r.confusion).toEqual([
      [2, 1],
      [0, 3],
    ]);
    expect(r.rocAuc).toBe(7 / 9);
  });

  it('one class only → rocAuc null (JSON-safe), other fields defined', () => {
    const r = evaluateBinary([1, 1], [0.9, 0.2]);
    expect(r.rocAuc).toBeNull();
    expect(r.recall).toBe(1 / 2);
    expect(JSON.stringify(r)).not.toContain('NaN');
  });

  it('refuses bad input', () => {
    expect(() => evaluateBinary([], [])).toThrow(/labels is empty/);
    expect(() => evaluateBinary([0, 1], [0.5, 2])).toThrow(/probs\[1\] is 2/);
    expect(() => evaluateBinary([0, 1], [0.5, 0.5], { threshold: NaN })).toThrow(/threshold/);
  });
});

describe('evaluate (C classes)', () => {
  it('hand-worked 3-class report', () => {
    const labels = [0, 1, 2, 2];
    // arg-max per row: [.8 .1 .1] → 0, [.2 .7 .1] → 1, [.1 .5 .4] → 1, [.2 .4 .4] → 1 (a tie takes the first)
    const probs = [0.8, 0.1, 0.1, 0.2, 0.7, 0.1, 0.1, 0.5, 0.4, 0.2, 0.4, 0.4];
    const r = evaluateMulticlass(labels, probs, 3);
    // predictions 0 1 1 1: confusion rows truth
    expect(r.confusion).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 2, 0],
    ]);
    expect(r.accuracy).toBe(2 / 4);
    // per class F1: class 0: 2/(2+0+0)=1; class 1: 2/(2+2+0)=1/2; class 2: 0 → macro (1 + 1/2 + 0)/3 = 1/2
    expect(r.f1).toBeCloseTo(1 / 2, 15);
    expect(r.rocAuc).toBe(metrics.rocAucOneVsRest(labels, probs, 3));
    expect(r.loss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7) + Math.log(0.4) + Math.log(0.4)) / 4, 15);
    expect(evaluateMulticlass(labels, probs, 3, { average: 'micro' }).f1).toBe(2 / 4);
  });

  it('C = 2 uses the AUC of P(class 1); a missing class gives null', () => {
    const labels = [0, 1, 1, 0];
    const probs = [0.6, 0.4, 0.3, 0.7, 0.2, 0.8, 0.9, 0.1];
    expect(evaluateMulticlass(labels, probs, 2).rocAuc).toBe(rocAuc(labels, [0.4, 0.7, 0.8, 0.1]));
    expect(evaluateMulticlass([0, 0], [0.6, 0.4, 0.3, 0.7], 2).rocAuc).toBeNull();
    expect(metrics.evaluate).toBe(evaluateMulticlass);
  });
});

describe('CurveRecorder', () => {
  it('records, splits into series, and survives JSON', () => {
    const curves = new CurveRecorder();
    curves.record(10, 0, 'train', { loss: 0.7, accuracy: 0.5, f1: 0.4, rocAuc: 0.6 });
    curves.record(10, 0, 'test', evaluateBinary([0, 1, 1], [0.2, 0.7, 0.4]));
    curves.record(20, 1, 'train', { loss: 0.5, accuracy: 0.7, f1: 0.6, rocAuc: null });
    expect(curves.series('train', 'loss')).toEqual([
      { step: 10, value: 0.7 },
      { step: 20, value: 0.5 },
    ]);
    expect(Object.keys(curves.points[1]!)).toEqual(['step', 'epoch', 'split', 'loss', 'accuracy', 'f1', 'rocAuc']);
    const back = CurveRecorder.fromJSON(JSON.parse(JSON.stringify(curves)));
    expect(back.points).toEqual(curves.points);
  });

  it('refuses rows that would not survive JSON or make no sense', () => {
    const curves = new CurveRecorder();
    expect(() => curves.record(-1, 0, 'train', { loss: 1, accuracy: 1, f1: 1, rocAuc: null })).toThrow(/curves\[0\].step is -1/);
    expect(() => curves.record(0, 0, '', { loss: 1, accuracy: 1, f1: 1, rocAuc: null })).toThrow(/split/);
    expect(() => curves.record(0, 0, 'test', { loss: NaN, accuracy: 1, f1: 1, rocAuc: null })).toThrow(/loss is NaN, expected a finite number/);
    expect(() => CurveRecorder.fromJSON({})).toThrow(/expected an array/);
    expect(() => CurveRecorder.fromJSON([{ step: 1, epoch: 0, split: 'x', loss: 1, accuracy: 1, f1: 1 }])).toThrow(/rocAuc is undefined/);
    expect(curves.points).toEqual([]);
  });
});
