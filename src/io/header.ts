// Validation of a safetensors header: everything about the file is checked here, from the first 8
// bytes and the JSON alone, before any tensor data is touched.
//
// Layout: 8 bytes N (u64 little-endian), N bytes of UTF-8 JSON starting with '{' and possibly padded
// with trailing whitespace, then the data section. The JSON maps tensor names to
// {dtype, shape, data_offsets: [begin, end)} with offsets relative to the data section; the optional
// "__metadata__" key holds a string-to-string map. Tensors must tile the data section exactly: no
// gaps, no overlaps, no trailing bytes.
// see: https://github.com/huggingface/safetensors#format

import { ModelFileError } from '../errors.js';
import { dtypeInfo, DTYPES, type Dtype } from './dtypes.js';
import { JsonNumber, jsonKind, parseJson, type JsonObject, type JsonValue } from './json.js';

/** The reference implementation's limit: larger headers are refused before parsing. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** [begin, end) in bytes, relative to the start of the data section. */
  dataOffsets: [number, number];
}

export interface SafetensorsHeader {
  /** N: the JSON header's length in bytes, padding included. */
  headerLength: number;
  /** Where the data section starts in the file: 8 + N. */
  dataStart: number;
  /** Bytes in the data section. */
  dataLength: number;
  /** Tensors in data order (ascending offsets; equal offsets, i.e. empty tensors, by name). */
  tensors: TensorInfo[];
  /** The `__metadata__` map (empty when absent); a null-prototype object, so any key is a plain key. */
  metadata: Record<string, string>;
}

const TENSOR_FIELDS = new Set(['dtype', 'shape', 'data_offsets']);

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses and validates the header of a complete safetensors file. Throws ModelFileError. */
export function readSafetensorsHeader(bytes: Uint8Array): SafetensorsHeader {
  // by tag, not instanceof: a Uint8Array from another realm (a worker, a vm context) is still one
  if (!ArrayBuffer.isView(bytes) || (bytes as { [Symbol.toStringTag]?: string })[Symbol.toStringTag] !== 'Uint8Array') throw new ModelFileError(`safetensors: expected the file as a Uint8Array, got ${describeObject(bytes)}`);
  if (bytes.length < 8) {
    throw new ModelFileError(`safetensors: file is ${bytes.length} bytes, too short for the 8-byte header length`, 'the file is empty or truncated');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
  const low = view.getUint32(0, true);
  const high = view.getUint32(4, true);
  if (high !== 0 || low > MAX_HEADER_BYTES) {
    const n = (BigInt(high) << 32n) | BigInt(low);
    throw new ModelFileError(`safetensors: header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`, 'this is not a safetensors file, or it is corrupt');
  }
  const headerLength = low;
  const dataStart = 8 + headerLength;
  if (dataStart > bytes.length) {
    throw new ModelFileError(`safetensors: header length ${headerLength} runs past the end of the file (${bytes.length} bytes)`, 'the file is truncated or not a safetensors file');
  }
  if (headerLength === 0 || bytes[8] !== 0x7b) {
    throw new ModelFileError(`safetensors: the header must begin with '{', found ${headerLength === 0 ? 'an empty header' : `byte 0x${bytes[8]!.toString(16).padStart(2, '0')}`}`);
  }
  let text: string;
  try {
    text = decoder.decode(bytes.subarray(8, dataStart));
  } catch (cause) {
    throw new ModelFileError('safetensors: the header is not valid UTF-8', undefined, { cause });
  }
  const root = parseJson(text, 'safetensors header JSON');
  if (!(root instanceof Map)) throw new ModelFileError(`safetensors: the header must be a JSON object, got ${jsonKind(root)}`);

  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = Object.create(null);
  const tensors: TensorInfo[] = [];
  for (const [name, value] of root) {
    if (name === '__metadata__') readMetadata(value, metadata);
    else tensors.push(readTensorInfo(name, value, dataLength));
  }
  checkTiling(tensors, dataLength);
  return { headerLength, dataStart, dataLength, tensors, metadata };
}

function readMetadata(value: JsonValue, into: Record<string, string>): void {
  if (!(value instanceof Map)) throw new ModelFileError(`safetensors: __metadata__ must be an object of strings, got ${jsonKind(value)}`);
  for (const [key, v] of value) {
    if (typeof v !== 'string') throw new ModelFileError(`safetensors: __metadata__ ${JSON.stringify(key)} must be a string, got ${jsonKind(v)}`);
    into[key] = v;
  }
}

function readTensorInfo(name: string, value: JsonValue, dataLength: number): TensorInfo {
  const where = `safetensors: tensor ${JSON.stringify(name)}`;
  if (!(value instanceof Map)) throw new ModelFileError(`${where}: expected an object with dtype, shape and data_offsets, got ${jsonKind(value)}`);
  for (const key of value.keys()) {
    if (!TENSOR_FIELDS.has(key)) throw new ModelFileError(`${where}: unknown field ${JSON.stringify(key)}`, 'a tensor entry has only dtype, shape and data_offsets');
  }
  const dtypeValue = value.get('dtype');
  const info = typeof dtypeValue === 'string' ? dtypeInfo(dtypeValue) : undefined;
  if (!info) throw new ModelFileError(`${where}: dtype is ${jsonKind(dtypeValue)}, expected one of ${DTYPES.join(', ')}`);
  const dtype = dtypeValue as Dtype;
  const shape = uintArray(value, 'shape', where);
  const offsets = uintArray(value, 'data_offsets', where);
  if (offsets.length !== 2) throw new ModelFileError(`${where}: data_offsets must be [begin, end], got ${offsets.length} numbers`);
  const [begin, end] = offsets as [number, number];
  if (begin > end) throw new ModelFileError(`${where}: data_offsets [${begin}, ${end}] end before they begin`);

  // the element count may not overflow, even on the way to a 0 dimension (as the reference checks)
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > Number.MAX_SAFE_INTEGER) throw new ModelFileError(`${where}: shape [${shape.join(', ')}] has more than 2^53 elements`);
  }
  if (count > Math.floor(Number.MAX_SAFE_INTEGER / info.bits)) throw new ModelFileError(`${where}: shape [${shape.join(', ')}] is too large`);
  const bits = count * info.bits;
  if (bits % 8 !== 0) throw new ModelFileError(`${where}: ${count} ${dtype} elements are ${bits} bits, not a whole number of bytes`);
  if (end - begin !== bits / 8) {
    throw new ModelFileError(`${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes, but ${dtype} shape [${shape.join(', ')}] needs ${bits / 8}`);
  }
  if (end > dataLength) {
    throw new ModelFileError(`${where}: data_offsets [${begin}, ${end}] run past the end of the data section (${dataLength} bytes)`, 'the file is truncated');
  }
  return { name, dtype, shape, dataOffsets: [begin, end] };
}

/** A field that must be an array of non-negative integers ≤ 2^53 − 1, written as plain integers. */
function uintArray(entry: JsonObject, field: string, where: string): number[] {
  const value = entry.get(field);
  if (!Array.isArray(value)) throw new ModelFileError(`${where}: ${field} is ${jsonKind(value)}, expected an array of non-negative integers`);
  return value.map((item, k) => {
    const n = item instanceof JsonNumber ? item.safeUint : undefined;
    if (n === undefined) throw new ModelFileError(`${where}: ${field}[${k}] is ${jsonKind(item)}, expected a non-negative integer ≤ 2^53 − 1`);
    return n;
  });
}

/** Sorted by offset, each tensor must start exactly where the previous one ended, and the last end the data. */
function checkTiling(tensors: TensorInfo[], dataLength: number): void {
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1] || compareCodePoints(a.name, b.name));
  let covered = 0;
  let previous: TensorInfo | undefined;
  for (const t of tensors) {
    const [begin, end] = t.dataOffsets;
    const range = (x: TensorInfo) => `${JSON.stringify(x.name)} [${x.dataOffsets[0]}, ${x.dataOffsets[1]}]`;
    if (begin < covered) throw new ModelFileError(`safetensors: tensor ${range(t)} overlaps tensor ${range(previous!)}`);
    if (begin > covered) {
      throw new ModelFileError(`safetensors: bytes [${covered}, ${begin}) of the data section belong to no tensor (gap before tensor ${range(t)})`);
    }
    covered = end;
    previous = t;
  }
  if (covered !== dataLength) {
    throw new ModelFileError(`safetensors: the tensors cover ${covered} bytes but the data section has ${dataLength}`, 'extra bytes after the last tensor, or a tensor missing from the header');
  }
}

/** Orders strings by Unicode code point, which is the order of their UTF-8 bytes (the reference's order). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // a surrogate (an astral code point) sorts after every BMP unit except another surrogate
    const sx = x >= 0xd800 && x <= 0xdfff;
    const sy = y >= 0xd800 && y <= 0xdfff;
    if (sx !== sy) return sx ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

export function describeObject(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as { constructor?: { name?: string } }).constructor?.name ?? 'an object';
}
