// seqwasm: small sequence models trained and run on the CPU in WebAssembly SIMD, in any JS runtime.

export { init, createRuntime, runtime, hasRelaxedSimd, isWorkerd, Runtime } from './runtime/wasm.js';
export type { WasmSource, SimdLevel, InitOptions } from './runtime/wasm.js';
export { Arena } from './runtime/arena.js';
export { Tensor } from './runtime/tensor.js';
export type { DType } from './runtime/tensor.js';
export { ParamTable } from './runtime/params.js';
export type { ParamSpec, ParamEntry, Init } from './runtime/params.js';
export { Rng } from './rng.js';
export { SeqwasmError, InitError, ShapeError, DataError, ModelFileError, ConfigError } from './errors.js';
export type { DataLocation } from './errors.js';
