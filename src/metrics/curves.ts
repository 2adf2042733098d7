// Learning curves: one row per evaluation of one split, kept in order, plain JSON in and out.

import { ShapeError } from '../errors.js';
import type { EvaluationReport } from './evaluate.js';

/** Which data an evaluation ran on: 'train' and 'test' by convention, any name allowed. */
export type Split = 'train' | 'test' | (string & {});

export interface CurvePoint {
  /** Optimizer steps taken so far. */
  step: number;
  /** Epoch in which the evaluation ran (0-based). */
  epoch: number;
  split: Split;
  loss: number;
  accuracy: number;
  f1: number;
  /** null where undefined (one class only in the evaluated labels). */
  rocAuc: number | null;
}

/** What `JSON.stringify` of a recorder gives, and what `CurveRecorder.fromJSON` takes back. */
export type Curves = CurvePoint[];

export type CurveMetric = 'loss' | 'accuracy' | 'f1' | 'rocAuc';

/** Records train/test curves: `record()` after each evaluation, `toJSON()` to save them. */
export class CurveRecorder {
  readonly points: CurvePoint[] = [];

  /** Appends one evaluation; the report may be a full `EvaluationReport` (extra fields are dropped). */
  record(step: number, epoch: number, split: Split, report: Pick<EvaluationReport, CurveMetric>): CurvePoint {
    const point: CurvePoint = { step, epoch, split, loss: report.loss, accuracy: report.accuracy, f1: report.f1, rocAuc: report.rocAuc };
    checkPoint(point, this.points.length);
    this.points.push(point);
    return point;
  }

  /** One metric of one split as (step, value) pairs, in recording order. */
  series(split: Split, metric: CurveMetric): { step: number; value: number | null }[] {
    return this.points.filter((p) => p.split === split).map((p) => ({ step: p.step, value: p[metric] }));
  }

  toJSON(): Curves {
    return this.points.map((p) => ({ ...p }));
  }

  /** Rebuilds a recorder from `toJSON()` output (e.g. parsed from a model file), checking every row. */
  static fromJSON(value: unknown): CurveRecorder {
    if (!Array.isArray(value)) throw new ShapeError(`curves: expected an array of points, got ${typeof value}`);
    const recorder = new CurveRecorder();
    value.forEach((row: unknown, i) => {
      if (typeof row !== 'object' || row === null) throw new ShapeError(`curves[${i}]: expected an object`);
      const r = row as Record<string, unknown>;
      const point = { step: r.step, epoch: r.epoch, split: r.split, loss: r.loss, accuracy: r.accuracy, f1: r.f1, rocAuc: r.rocAuc } as CurvePoint;
      checkPoint(point, i);
      recorder.points.push(point);
    });
    return recorder;
  }
}

function checkPoint(p: CurvePoint, index: number): void {
  const bad = (field: keyof CurvePoint, expected: string) => {
    const value = p[field];
    const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'object' && value !== null ? 'an object' : String(value);
    return new ShapeError(`curves[${index}].${field} is ${shown}, expected ${expected}`);
  };
  for (const field of ['step', 'epoch'] as const) {
    if (!Number.isSafeInteger(p[field]) || p[field] < 0) throw bad(field, 'a non-negative integer');
  }
  if (typeof p.split !== 'string' || p.split === '') throw bad('split', 'a non-empty string');
  for (const field of ['loss', 'accuracy', 'f1'] as const) {
    if (typeof p[field] !== 'number' || !Number.isFinite(p[field])) throw bad(field, 'a finite number');
  }
  if (p.rocAuc !== null && (typeof p.rocAuc !== 'number' || !Number.isFinite(p.rocAuc))) throw bad('rocAuc', 'a finite number or null');
}
