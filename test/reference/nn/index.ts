// Float64 reference of seqwasm's five models — forward, hand-written backward and Adam — written
// independently of test/reference/models.ts (the two are tested against each other and against both
// fixture sets), one layer family per file, each backward directly below its forward.
// Pure functions on Float64Arrays and a config; no wasm. Semantics: README "Models: semantics".
export {
  referenceForward, referenceLossAndGrad, referenceTrain,
  type ReferenceBatch, type ReferenceOutputs, type ReferenceGradients,
} from './model.js';
export { adamInit, adamReference, type AdamOptions, type AdamState } from './adam.js';
export {
  referenceParamShapes, outputRows,
  type ReferenceConfig, type RnnReferenceConfig, type GruReferenceConfig, type MlpReferenceConfig, type AttentionReferenceConfig,
  type ParamSet, type Activation, type LossKind,
} from './config.js';
export { sinusoidalPe } from './layers.js';
