// Model files: safetensors in memory, and the seqwasm model file on top of it.
export { DTYPES } from './dtypes.js';
export type { Dtype, DtypeArrays, TensorArray } from './dtypes.js';
export { MAX_HEADER_BYTES, readSafetensorsHeader } from './header.js';
export type { SafetensorsHeader, TensorInfo } from './header.js';
export { readSafetensors, SafetensorsFile, writeSafetensors } from './safetensors.js';
export type { ReadOptions, SafeTensor, TensorExpectation, TensorInput } from './safetensors.js';
export { decodeModelFile, encodeModelFile, loadParams, MODEL_FORMAT_VERSION, MODEL_KEYS } from './modelFile.js';
export type { DecodedParam, DecodeOptions, ExpectShapes, ModelFile, ModelFileInput, ParamSource, ParamValues } from './modelFile.js';
