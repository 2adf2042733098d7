// seqwasm: small sequence models trained and run on the CPU in WebAssembly SIMD, in any JS runtime.

export { init, createRuntime, runtime, hasRelaxedSimd, isWorkerd, Runtime } from './runtime/wasm.js';
export type { WasmSource, SimdLevel, InitOptions } from './runtime/wasm.js';
export { Arena } from './runtime/arena.js';
export { Tensor } from './runtime/tensor.js';
export type { DType } from './runtime/tensor.js';
export { ParamTable } from './runtime/params.js';
export type { ParamSpec, ParamEntry, Init } from './runtime/params.js';
export { Rng } from './rng.js';
export { SeqwasmError, InitError, ShapeError, DataError, ModelFileError, ConfigError, ThreadError } from './errors.js';
export type { DataLocation } from './errors.js';
// `evaluate(model, data)` at the top level belongs to the training API (see ARCHITECTURE.md), so the
// metrics' label-level `evaluate` is exported here as `evaluateMulticlass`, and as `metrics.evaluate`.
export * as metrics from './metrics/index.js';
export {
  accuracy, classScores, confusionMatrix, f1, precision, precisionRecallF1, recall,
  rocAuc, rocAucOneVsRest, rocCurve, crossEntropy, logLoss, LOG_LOSS_EPS,
  evaluateBinary, evaluate as evaluateMulticlass, CurveRecorder,
} from './metrics/index.js';
export type {
  Averaging, ClassScores, PrecisionRecallF1, RocPoint, BinaryOptions, EvaluationReport, MulticlassOptions,
  CurveMetric, CurvePoint, Curves, Split,
} from './metrics/index.js';
export * from './io/index.js';
export { createModel } from './nn/models/index.js';
export { SequenceModel } from './nn/model.js';
export type { ModelOptions, Explanation } from './nn/model.js';
export type { Batch } from './nn/batch.js';
export { resolveConfig, paramSpecs, expectedShapes, outputRows, MODEL_KINDS } from './nn/config.js';
export type {
  ModelConfig, ResolvedConfig, ModelKind, RnnConfig, GruConfig, MlpConfig, WeightedMlpConfig, AttentionConfig,
  EmbeddingConfig, Activation, LossKind,
} from './nn/config.js';
export { createOptimizer } from './train/optim.js';
export type { Optimizer, OptimizerConfig, OptimizerState, ResolvedOptimizerConfig } from './train/optim.js';
export { train, epochOrder } from './train/train.js';
export type { TrainOptions, TrainResult, TrainStepper, Checkpoint, BatchSource, StepInfo, EvalInfo, EpochInfo, Metric, StopReason } from './train/train.js';
export { evaluate, predictAll } from './train/evaluate.js';
export { learningRate } from './train/schedule.js';
export type { Schedule } from './train/schedule.js';
export * from './data/index.js';
export { TextClassifier } from './pipeline/classifier.js';
export type { ClassifierSpec, ClassifierConfig, Prediction, WordExplanation, TextExplanation } from './pipeline/classifier.js';
export { runExperiment, trainingRecord } from './pipeline/experiment.js';
export type { ExperimentSpec, ExperimentData, ExperimentResult, ModelSpec, VectorSource, TrainingRecord } from './pipeline/experiment.js';
export { renderReport } from './report/html.js';
export type { ReportInput, ReportModel } from './report/html.js';
export { CHALLENGE_SENTENCES, challengeAccuracy } from './pipeline/challenge.js';
