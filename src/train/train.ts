// The training loop: epochs of seeded batches, evaluation every N steps with train/test curves, early
// stopping on a validation metric with the best weights kept, a learning-rate schedule, callbacks,
// cancellation, divergence detection (the last good state is restored), and checkpoints from which a
// run continues exactly as if it had never stopped.

import { ConfigError } from '../errors.js';
import { CurveRecorder, type CurvePoint } from '../metrics/curves.js';
import type { EvaluationReport } from '../metrics/evaluate.js';
import type { Batch } from '../nn/batch.js';
import type { SequenceModel } from '../nn/model.js';
import { epochOrder, Rng } from '../rng.js';
import { evaluate } from './evaluate.js';
import { learningRate, type Schedule } from './schedule.js';

/** Anything that yields the batches of one epoch, shuffled by the given Rng. */
export interface BatchSource {
  /** Examples in the set. */
  readonly size: number;
  /** Batches of one epoch in a seeded order; `shuffle: false` keeps the stored order. */
  batches(options: { batchSize: number; rng?: Rng; shuffle?: boolean }): Iterable<Batch>;
}

export type Metric = 'loss' | 'accuracy' | 'f1' | 'rocAuc';

export interface TrainOptions {
  epochs: number;
  /** Default 32, the exercise's. */
  batchSize?: number;
  /** Seed of the batch order. Default 0. */
  seed?: number;
  /** Evaluate every N optimizer steps (and always at the end of an epoch). Default: once per epoch. */
  evalEvery?: number;
  /** Evaluated for early stopping and the best checkpoint; its curve is recorded as split 'validation'. */
  validation?: BatchSource;
  /** Evaluated at each evaluation for the test curve only (never for model selection). */
  test?: BatchSource;
  /** Also evaluate the training set at each evaluation (the train curve). Default true. */
  evalTrain?: boolean;
  /** Stop when the validation metric has not improved for `patience` evaluations. */
  earlyStopping?: { patience: number; metric?: Metric };
  /** Restore the weights of the best validation evaluation at the end. Default true when validation is given. */
  keepBest?: boolean;
  schedule?: Schedule;
  signal?: AbortSignal;
  onStep?: (info: StepInfo) => void;
  onEval?: (info: EvalInfo) => void;
  onEpoch?: (info: EpochInfo) => void;
  /** Called with a checkpoint every `every` steps and at the end of each epoch; the run can resume from it. */
  checkpoint?: { every?: number; save: (checkpoint: Checkpoint) => void | Promise<void> };
  /** Continue a run from a checkpoint (same model config, data and options). */
  resume?: Checkpoint;
  /**
   * Computes each batch's loss and gradients in place of `model.lossAndGrad`, e.g. a parallel trainer
   * from `seqwasm/node`; clipping, the optimizer step and everything else stay here.
   */
  stepper?: TrainStepper;
}

/** What `train` needs to have a batch's gradients computed elsewhere (e.g. on several threads). */
export interface TrainStepper {
  /** The model whose `params.grads` receive the gradients. */
  readonly model: SequenceModel;
  /** The batch's mean loss; leaves the gradients of that mean in `model.params.grads`. */
  lossAndGrad(batch: Batch): number | Promise<number>;
  /** Correct predictions of the last `lossAndGrad` batch (the running training accuracy). */
  correctInLastBatch(batch: Batch): number;
}

export interface StepInfo {
  step: number;
  epoch: number;
  /** Batch index within the epoch. */
  batch: number;
  batchesPerEpoch: number;
  loss: number;
  /** Running mean loss and accuracy over the epoch so far. */
  epochLoss: number;
  epochAccuracy: number;
  lr: number;
  /** Examples per second over the run so far. */
  examplesPerSecond: number;
  /** Estimated seconds to the end of the run. */
  etaSeconds: number;
}

export interface EvalInfo {
  step: number;
  epoch: number;
  reports: Record<string, EvaluationReport>;
  /** True when this evaluation is the best so far on the validation metric. */
  best: boolean;
}

export interface EpochInfo {
  epoch: number;
  step: number;
  loss: number;
  accuracy: number;
  seconds: number;
}

/** Everything needed to continue a run exactly: weights, optimizer state, position and history. */
export interface Checkpoint {
  version: 1;
  step: number;
  epoch: number;
  /** Batches of `epoch` already taken. */
  batch: number;
  params: Float32Array;
  optimizer: ReturnType<SequenceModel['optimizer']['state']>;
  curves: CurvePoint[];
  best: { value: number; step: number; params: Float32Array } | null;
  sinceBest: number;
  epochLossSum: number;
  epochCorrect: number;
  epochSeen: number;
}

export type StopReason = 'completed' | 'early-stopping' | 'cancelled' | 'diverged';

export interface TrainResult {
  stopped: StopReason;
  steps: number;
  epochs: number;
  curves: CurvePoint[];
  /** The last evaluation's reports by split. */
  final: Record<string, EvaluationReport>;
  best: { value: number; step: number } | null;
  seconds: number;
  /** Set when stopped is 'diverged': what was not finite, at which step. */
  divergence?: string;
}

const HIGHER_IS_BETTER: Record<Metric, boolean> = { loss: false, accuracy: true, f1: true, rocAuc: true };

export async function train(model: SequenceModel, data: BatchSource, options: TrainOptions): Promise<TrainResult> {
  const batchSize = options.batchSize ?? 32;
  if (!Number.isInteger(options.epochs) || options.epochs < 0) throw new ConfigError(`epochs must be a whole number ≥ 0, got ${options.epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`batchSize must be a positive integer, got ${batchSize}`);
  if (options.evalEvery !== undefined && !(Number.isInteger(options.evalEvery) && options.evalEvery > 0)) {
    throw new ConfigError(`evalEvery must be a positive integer, got ${options.evalEvery}`);
  }
  if (options.earlyStopping && !options.validation) {
    throw new ConfigError('earlyStopping needs a validation set', 'pass options.validation (e.g. from stratifiedSplit)');
  }
  const stepper = options.stepper;
  if (stepper && stepper.model !== model) throw new ConfigError('options.stepper belongs to another model', 'make the stepper from this model');
  const metric: Metric = options.earlyStopping?.metric ?? 'loss';
  const keepBest = options.keepBest ?? !!options.validation;
  const batchesPerEpoch = Math.ceil(data.size / batchSize);
  const totalSteps = batchesPerEpoch * options.epochs;
  const baseLr = model.optimizer.lr;
  const curves = new CurveRecorder();
  const started = performance.now();

  // state that a checkpoint carries
  const seed = options.seed ?? 0;
  let step = 0;
  let epoch = 0;
  let skip = 0;
  let best: Checkpoint['best'] = null;
  let sinceBest = 0;
  let epochLossSum = 0;
  let epochCorrect = 0;
  let epochSeen = 0;
  const resume = options.resume;
  if (resume) {
    if (resume.version !== 1) throw new ConfigError(`unknown checkpoint version ${resume.version}`);
    if (resume.params.length !== model.params.size) {
      throw new ConfigError(`the checkpoint holds ${resume.params.length} parameters, this model has ${model.params.size}`,
        'resume with the same model config');
    }
    model.params.params.view().set(resume.params);
    model.optimizer.load(resume.optimizer);
    model.parametersChanged();
    step = resume.step;
    epoch = resume.epoch;
    skip = resume.batch;
    best = resume.best;
    sinceBest = resume.sinceBest;
    epochLossSum = resume.epochLossSum;
    epochCorrect = resume.epochCorrect;
    epochSeen = resume.epochSeen;
    for (const p of resume.curves) curves.record(p.step, p.epoch, p.split, p);
  }

  let stopped: StopReason = 'completed';
  let divergence: string | undefined;
  let final: Record<string, EvaluationReport> = {};
  let lastGood: Float32Array = model.params.params.toArray();
  let lastGoodOptimizer = model.optimizer.state();
  const stepsSinceStart = () => step - (resume?.step ?? 0);

  const evaluateAll = (): EvalInfo => {
    const reports: Record<string, EvaluationReport> = {};
    if (options.evalTrain ?? true) reports.train = evaluate(model, data, { batchSize });
    if (options.validation) reports.validation = evaluate(model, options.validation, { batchSize });
    if (options.test) reports.test = evaluate(model, options.test, { batchSize });
    for (const [split, report] of Object.entries(reports)) curves.record(step, epoch, split, report);
    let isBest = false;
    const v = reports.validation;
    if (v) {
      const value = metricValue(v, metric);
      const better = best === null || (HIGHER_IS_BETTER[metric] ? value > best.value : value < best.value);
      if (better) {
        best = { value, step, params: model.params.params.toArray() };
        sinceBest = 0;
        isBest = true;
      } else sinceBest++;
    }
    final = reports;
    // a state that evaluated to finite numbers is good: divergence falls back to it
    lastGood = model.params.params.toArray();
    lastGoodOptimizer = model.optimizer.state();
    return { step, epoch, reports, best: isBest };
  };

  const makeCheckpoint = (batch: number): Checkpoint => ({
    version: 1, step, epoch, batch,
    params: model.params.params.toArray(),
    optimizer: model.optimizer.state(),
    curves: curves.points.map((p) => ({ ...p })),
    best: best && { ...best, params: best.params.slice() },
    sinceBest, epochLossSum, epochCorrect, epochSeen,
  });

  outer: for (; epoch < options.epochs; epoch++) {
    const epochStart = performance.now();
    let batchIndex = 0;
    // each epoch's order depends only on (seed, epoch): a resumed run re-draws it and skips what was done
    for (const batch of data.batches({ batchSize, rng: epochOrder(seed, epoch) })) {
      if (batchIndex < skip) {
        batchIndex++;
        continue;
      }
      if (options.signal?.aborted) {
        stopped = 'cancelled';
        break outer;
      }
      model.optimizer.lr = options.schedule ? learningRate(options.schedule, baseLr, step, totalSteps) : baseLr;
      // awaited only when there is a stepper: the single-threaded loop stays free of per-step promises
      const loss = stepper ? await stepper.lossAndGrad(batch) : model.lossAndGrad(batch);
      const gradNorm = model.optimizer.clipGradNorm(model.clipNorm ?? Infinity);
      if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
        divergence = `${Number.isFinite(loss) ? 'gradient norm' : 'loss'} is ${Number.isFinite(loss) ? gradNorm : loss} at step ${step + 1}`;
        stopped = 'diverged';
        model.params.params.view().set(lastGood);
        model.optimizer.load(lastGoodOptimizer);
        model.parametersChanged();
        break outer;
      }
      model.optimizer.step();
      model.parametersChanged();
      step++;
      batchIndex++;
      epochLossSum += loss * batch.B;
      epochCorrect += (stepper ?? model).correctInLastBatch(batch);
      epochSeen += batch.B;
      if (options.onStep) {
        const seconds = (performance.now() - started) / 1000;
        const perStep = seconds / Math.max(1, stepsSinceStart());
        options.onStep({
          step, epoch, batch: batchIndex, batchesPerEpoch, loss,
          epochLoss: epochLossSum / epochSeen, epochAccuracy: epochCorrect / epochSeen,
          lr: model.optimizer.lr,
          examplesPerSecond: (stepsSinceStart() * batchSize) / Math.max(seconds, 1e-9),
          etaSeconds: perStep * (totalSteps - step),
        });
      }
      const endOfEpoch = batchIndex === batchesPerEpoch;
      if ((options.evalEvery && step % options.evalEvery === 0) || endOfEpoch) {
        const info = evaluateAll();
        options.onEval?.(info);
        if (options.earlyStopping && sinceBest >= options.earlyStopping.patience) {
          stopped = 'early-stopping';
          break outer;
        }
      }
      if (options.checkpoint && !endOfEpoch && options.checkpoint.every && step % options.checkpoint.every === 0) {
        await options.checkpoint.save(makeCheckpoint(batchIndex));
      }
    }
    skip = 0; // only the first resumed epoch skips batches
    options.onEpoch?.({ epoch, step, loss: epochLossSum / Math.max(1, epochSeen), accuracy: epochCorrect / Math.max(1, epochSeen),
      seconds: (performance.now() - epochStart) / 1000 });
    epochLossSum = 0;
    epochCorrect = 0;
    epochSeen = 0;
    if (options.checkpoint) await options.checkpoint.save(makeCheckpoint(0));
  }

  if (keepBest && best) {
    model.params.params.view().set((best as NonNullable<Checkpoint['best']>).params);
    model.parametersChanged();
  }
  const bestSummary = best ? { value: (best as NonNullable<Checkpoint['best']>).value, step: (best as NonNullable<Checkpoint['best']>).step } : null;
  return {
    stopped, steps: step, epochs: epoch, curves: curves.points, final, best: bestSummary,
    seconds: (performance.now() - started) / 1000,
    ...(divergence ? { divergence } : {}),
  };
}

export { epochOrder }; // defined beside Rng, so data/ can use it without depending on training

function metricValue(report: EvaluationReport, metric: Metric): number {
  const value = report[metric];
  return value === null ? Number.NaN : value;
}
