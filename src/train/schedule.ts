// Learning-rate schedules: a pure function of the step, so a resumed run follows the same curve.

import { ConfigError } from '../errors.js';

export type Schedule =
  | { kind: 'constant'; warmup?: number }
  /** Linear decay from the base rate to `final`·base over the run. */
  | { kind: 'linear'; warmup?: number; final?: number }
  /** Cosine decay from the base rate to `final`·base over the run. */
  | { kind: 'cosine'; warmup?: number; final?: number }
  /** Multiply by `factor` every `every` steps. */
  | { kind: 'step'; every: number; factor: number; warmup?: number };

/** The learning rate at `step` (0-based) of `total` steps; `warmup` steps ramp linearly up from 0. */
export function learningRate(schedule: Schedule, base: number, step: number, total: number): number {
  const warmup = schedule.warmup ?? 0;
  if (warmup < 0 || !Number.isFinite(warmup)) throw new ConfigError(`schedule.warmup must be ≥ 0, got ${warmup}`);
  if (step < warmup) return (base * (step + 1)) / warmup;
  const progress = total > warmup ? Math.min(1, (step - warmup) / (total - warmup)) : 1;
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'linear': {
      const final = schedule.final ?? 0;
      return base * (1 - (1 - final) * progress);
    }
    case 'cosine': {
      const final = schedule.final ?? 0;
      return base * (final + (1 - final) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }
    case 'step':
      if (!(schedule.every > 0)) throw new ConfigError(`schedule.every must be > 0, got ${schedule.every}`);
      return base * schedule.factor ** Math.floor((step - warmup) / schedule.every);
    default:
      throw new ConfigError(`unknown schedule kind ${JSON.stringify((schedule as { kind: unknown }).kind)}`,
        'use constant, linear, cosine or step');
  }
}
