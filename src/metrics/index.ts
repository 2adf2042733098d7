// Metrics: counting metrics, ROC, losses, one-call reports and learning curves.
export { accuracy, classScores, confusionMatrix, f1, precision, precisionRecallF1, recall } from './classification.js';
export type { Averaging, ClassScores, PrecisionRecallF1 } from './classification.js';
export { rocAuc, rocAucOneVsRest, rocCurve } from './roc.js';
export type { RocPoint } from './roc.js';
export { crossEntropy, logLoss, LOG_LOSS_EPS } from './loss.js';
export { evaluate, evaluateBinary } from './evaluate.js';
export type { BinaryOptions, EvaluationReport, MulticlassOptions } from './evaluate.js';
export { CurveRecorder } from './curves.js';
export type { CurveMetric, CurvePoint, Curves, Split } from './curves.js';
