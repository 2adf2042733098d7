// The seqwasm model file: a safetensors file whose tensors are the model's parameters, named as in a
// PyTorch state_dict (`mlp.0.weight`, `embedding.weight`, …), all F32, and whose `__metadata__`
// holds JSON text under these keys:
//
//   seqwasm.format     format version, "1"
//   seqwasm.config     the model config (a JSON object)
//   seqwasm.vocab      the vocabulary: a JSON array of token strings, id = index
//   seqwasm.tokenizer  tokenizer settings (a JSON object)
//   seqwasm.training   optional: metrics, curves, anything JSON
//
// Any other metadata key round-trips as `extra`; keys starting with "seqwasm." are reserved.

import { ModelFileError, SeqwasmError } from '../errors.js';
import { ParamTable } from '../runtime/params.js';
import { listNames, readSafetensors, sameShape, writeSafetensors, type TensorInput } from './safetensors.js';

export const MODEL_FORMAT_VERSION = 1;

export const MODEL_KEYS = {
  format: 'seqwasm.format',
  config: 'seqwasm.config',
  vocab: 'seqwasm.vocab',
  tokenizer: 'seqwasm.tokenizer',
  training: 'seqwasm.training',
} as const;

const RESERVED = new Set<string>(Object.values(MODEL_KEYS));

/** One parameter given by value: its shape and `size` values, row-major. */
export interface ParamValues {
  shape: readonly number[];
  data: Float32Array | ArrayLike<number>;
}

export type ParamSource = ParamTable | Record<string, ParamValues> | ReadonlyMap<string, ParamValues>;

export interface ModelFileInput<C extends object = object> {
  config: C;
  /** The parameters: a model's ParamTable, or values by name. */
  params: ParamSource;
  vocab: readonly string[];
  tokenizer: object;
  /** Metrics, curves, settings: any JSON value. */
  training?: unknown;
  /** More metadata, stored as given. */
  extra?: Record<string, string>;
}

/** A decoded parameter; `data` is a view into the file's bytes when aligned (copy with `copy: true`). */
export interface DecodedParam {
  shape: number[];
  data: Float32Array;
}

export interface ModelFile<C extends object = object> {
  format: number;
  config: C;
  vocab: string[];
  tokenizer: object;
  training: unknown;
  extra: Record<string, string>;
  /** Parameters by name, in file order. */
  params: Map<string, DecodedParam>;
}

/**
 * What a config implies: the shape of every parameter a model built from it has. Supplied by the
 * model code; it also sees the vocabulary and tokenizer (the embedding has one row per token).
 * It may throw (e.g. a ConfigError for a config it cannot build); decoding then fails with a ModelFileError.
 */
export type ExpectShapes<C extends object = object> = (
  config: C,
  context: { vocab: readonly string[]; tokenizer: object },
) => Record<string, readonly number[]>;

export interface DecodeOptions<C extends object = object> {
  expectShapes?: ExpectShapes<C>;
  /** Copy the parameters out of `bytes` (default false: aligned ones are views into it). */
  copy?: boolean;
}

/** Serialises a model to seqwasm model file bytes (deterministic for the same input). */
export function encodeModelFile<C extends object>(input: ModelFileInput<C>): Uint8Array {
  checkJson(input.config, 'config', true);
  checkJson(input.tokenizer, 'tokenizer', true);
  if (input.training !== undefined) checkJson(input.training, 'training', false);
  checkVocab(input.vocab);
  const metadata: Record<string, string> = Object.create(null);
  for (const [key, value] of Object.entries(input.extra ?? {})) {
    if (key.startsWith('seqwasm.')) throw new ModelFileError(`model file: extra metadata key ${JSON.stringify(key)} is reserved (keys starting with "seqwasm.")`);
    metadata[key] = value;
  }
  metadata[MODEL_KEYS.format] = String(MODEL_FORMAT_VERSION);
  metadata[MODEL_KEYS.config] = JSON.stringify(input.config);
  metadata[MODEL_KEYS.vocab] = JSON.stringify(input.vocab);
  metadata[MODEL_KEYS.tokenizer] = JSON.stringify(input.tokenizer);
  if (input.training !== undefined) metadata[MODEL_KEYS.training] = JSON.stringify(input.training);
  return writeSafetensors(paramTensors(input.params), metadata);
}

function paramTensors(params: ParamSource): Map<string, TensorInput> {
  const out = new Map<string, TensorInput>();
  if (params instanceof ParamTable) {
    for (const e of params.entries) out.set(e.name, { dtype: 'F32', shape: e.shape, data: params.param(e.name) });
    return out;
  }
  const entries = params instanceof Map ? [...params] : Object.entries(params);
  for (const [name, p] of entries) {
    if (name === '') throw new ModelFileError('model file: a parameter name is empty');
    // plain numbers are converted to f32 here, so the writer sees the one array type it expects
    const data = p.data instanceof Float32Array ? p.data : Float32Array.from(p.data);
    out.set(name, { dtype: 'F32', shape: p.shape, data });
  }
  return out;
}

/**
 * Parses and validates a seqwasm model file: the safetensors layer (see readSafetensors), the
 * metadata, that every tensor is F32, and — with `expectShapes` — that the tensors are exactly those
 * the config implies, with the implied shapes. Every failure is a ModelFileError naming what is wrong.
 */
export function decodeModelFile<C extends object = object>(bytes: Uint8Array, options: DecodeOptions<C> = {}): ModelFile<C> {
  const file = readSafetensors(bytes, { copy: options.copy ?? false });
  const meta = file.metadata;
  const formatText = meta[MODEL_KEYS.format];
  if (formatText === undefined) {
    throw new ModelFileError(`model file: no ${MODEL_KEYS.format} in the metadata, so this is not a seqwasm model file`, 'a plain safetensors file can be read with readSafetensors');
  }
  if (!/^[1-9][0-9]{0,8}$/.test(formatText)) throw new ModelFileError(`model file: ${MODEL_KEYS.format} is ${JSON.stringify(formatText)}, expected a version number`);
  const format = Number(formatText);
  if (format > MODEL_FORMAT_VERSION) {
    throw new ModelFileError(`model file: format version ${format} is newer than this seqwasm reads (${MODEL_FORMAT_VERSION})`, 'upgrade seqwasm to read this file');
  }
  const config = parseMeta(meta, MODEL_KEYS.config, true) as C;
  const vocab = parseMeta(meta, MODEL_KEYS.vocab, false);
  if (!Array.isArray(vocab)) throw new ModelFileError(`model file: ${MODEL_KEYS.vocab} must be a JSON array of strings`);
  checkVocab(vocab);
  const tokenizer = parseMeta(meta, MODEL_KEYS.tokenizer, true) as object;
  const training = meta[MODEL_KEYS.training] === undefined ? undefined : parseMeta(meta, MODEL_KEYS.training, false);
  const extra: Record<string, string> = Object.create(null);
  for (const key of Object.keys(meta)) if (!RESERVED.has(key)) extra[key] = meta[key]!;

  const params = new Map<string, DecodedParam>();
  for (const t of file.tensors.values()) {
    if (t.dtype !== 'F32') throw new ModelFileError(`model file: tensor ${JSON.stringify(t.name)} is ${t.dtype}; seqwasm parameters are F32`);
    params.set(t.name, { shape: t.shape, data: t.data as Float32Array });
  }
  if (options.expectShapes) checkShapes(params, expectedShapes(options.expectShapes, config, vocab as string[], tokenizer));
  return { format, config, vocab: vocab as string[], tokenizer, training, extra, params };
}

function expectedShapes<C extends object>(hook: ExpectShapes<C>, config: C, vocab: string[], tokenizer: object): Record<string, readonly number[]> {
  try {
    return hook(config, { vocab, tokenizer });
  } catch (cause) {
    if (cause instanceof ModelFileError) throw cause;
    const message = cause instanceof SeqwasmError ? cause.message : String(cause);
    throw new ModelFileError(`model file: its config does not describe a model this code can build: ${message}`, undefined, { cause });
  }
}

/** The file's tensors must be exactly the expected ones, each with the expected shape; all problems are listed. */
function checkShapes(params: Map<string, DecodedParam>, expected: Record<string, readonly number[]>): void {
  const names = Object.keys(expected);
  const missing = names.filter((n) => !params.has(n));
  const unexpected = [...params.keys()].filter((n) => !Object.hasOwn(expected, n));
  const problems: string[] = [];
  if (missing.length) problems.push(`missing tensors ${listNames(missing)}`);
  if (unexpected.length) problems.push(`unexpected tensors ${listNames(unexpected)}`);
  for (const name of names) {
    const p = params.get(name);
    if (p && !sameShape(p.shape, expected[name]!)) {
      problems.push(`tensor ${JSON.stringify(name)} has shape [${p.shape.join(', ')}] but the config implies [${expected[name]!.join(', ')}]`);
    }
  }
  if (problems.length) throw new ModelFileError(`model file does not match its config: ${problems.join('; ')}`);
}

/**
 * Copies decoded parameters into a model's ParamTable. The names must be exactly the table's and
 * every shape must match; everything is checked before any value is written.
 */
export function loadParams(table: ParamTable, params: ReadonlyMap<string, DecodedParam>): void {
  const expected: Record<string, readonly number[]> = Object.create(null);
  for (const e of table.entries) expected[e.name] = e.shape;
  checkShapes(params as Map<string, DecodedParam>, expected);
  for (const [name, p] of params) table.setParam(name, p.data);
}

function parseMeta(meta: Record<string, string>, key: string, object: boolean): unknown {
  const text = meta[key];
  if (text === undefined) throw new ModelFileError(`model file: ${key} is missing from the metadata`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ModelFileError(`model file: ${key} is not valid JSON (${(cause as Error).message})`, undefined, { cause });
  }
  if (object && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new ModelFileError(`model file: ${key} must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`);
  }
  return value;
}

function checkVocab(vocab: readonly unknown[]): void {
  if (!Array.isArray(vocab)) throw new ModelFileError('model file: vocab must be an array of token strings');
  for (let id = 0; id < vocab.length; id++) {
    if (typeof vocab[id] !== 'string') throw new ModelFileError(`model file: vocab[${id}] is ${typeof vocab[id]}, expected a token string`);
  }
  // the Set is built in native code, which matters at an edge function's cold start; the map that
  // names the duplicate is built only when there is one
  if (new Set(vocab).size === vocab.length) return;
  const seen = new Map<string, number>();
  for (let id = 0; id < vocab.length; id++) {
    const token = vocab[id] as string;
    const first = seen.get(token);
    if (first !== undefined) throw new ModelFileError(`model file: vocab has token ${JSON.stringify(token)} twice (ids ${first} and ${id})`);
    seen.set(token, id);
  }
}

/**
 * Refuses what JSON.stringify would silently change: NaN/Infinity (→ null), undefined, functions,
 * symbols and bigints, class instances and typed arrays (→ {} or index maps), and cycles. Objects
 * with a toJSON method are checked as what it returns.
 */
function checkJson(value: unknown, path: string, object: boolean): void {
  if (object && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    throw new ModelFileError(`model file: ${path} must be a plain object`);
  }
  const ancestors = new Set<unknown>();
  const walk = (value: unknown, at: string): void => {
    // like JSON.stringify, an object with toJSON (a CurveRecorder, a Date) is stored as what it returns
    const hasToJson = typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function';
    const v = hasToJson ? (value as { toJSON(): unknown }).toJSON() : value;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new ModelFileError(`model file: ${at} is ${v}, which JSON cannot represent`, 'store null, or a string, for a missing value');
      return;
    }
    if (typeof v !== 'object') throw new ModelFileError(`model file: ${at} is a ${typeof v}, which JSON cannot represent`);
    if (ancestors.has(v)) throw new ModelFileError(`model file: ${at} refers back to itself`);
    const proto = Object.getPrototypeOf(v);
    if (!Array.isArray(v) && proto !== Object.prototype && proto !== null) {
      throw new ModelFileError(`model file: ${at} is a ${(v as object).constructor?.name ?? 'class instance'}; only plain objects, arrays, strings, numbers, booleans and null are stored`);
    }
    ancestors.add(v);
    if (Array.isArray(v)) v.forEach((item, i) => walk(item, `${at}[${i}]`));
    else for (const [k, item] of Object.entries(v)) if (item !== undefined) walk(item, `${at}.${k}`);
    ancestors.delete(v);
  };
  walk(value, path);
}
