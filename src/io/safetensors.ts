// Reading and writing safetensors files in memory. Everything here runs in any JS runtime; the
// header checks live in header.ts and run completely before any tensor data is read.

import { ModelFileError, ShapeError } from '../errors.js';
import { dtypeInfo, DTYPES, LITTLE_ENDIAN, swapBytes, type Dtype, type DtypeArrays, type DtypeInfo, type TensorArray } from './dtypes.js';
import { compareCodePoints, describeObject, MAX_HEADER_BYTES, readSafetensorsHeader, type SafetensorsHeader, type TensorInfo } from './header.js';

/** A tensor read from a file. */
export interface SafeTensor<D extends Dtype = Dtype> {
  name: string;
  dtype: D;
  shape: number[];
  /**
   * The values, in the array type of the dtype (see `DtypeArrays`): a view into the input bytes when
   * it is aligned for the element size (and `copy` is off), else a copy.
   */
  data: DtypeArrays[D];
  /** The raw little-endian bytes: always a view into the input. */
  bytes: Uint8Array;
}

export interface TensorExpectation {
  dtype?: Dtype;
  shape?: readonly number[];
}

export interface ReadOptions {
  /** Copy every tensor out of the input, so the result does not share memory with it. Default false. */
  copy?: boolean;
  /** Tensors that must be present, with this dtype and shape; checked from the header, before any data. */
  expect?: Record<string, TensorExpectation>;
  /** With `expect`, also refuse tensors it does not list. Default true. */
  exact?: boolean;
}

/** A parsed file: its header, its tensors by name (in data order) and its metadata. */
export class SafetensorsFile {
  constructor(
    readonly header: SafetensorsHeader,
    readonly tensors: ReadonlyMap<string, SafeTensor>,
  ) {}

  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  /** The tensor named `name`; ModelFileError when absent. */
  tensor(name: string): SafeTensor {
    const t = this.tensors.get(name);
    if (!t) throw new ModelFileError(`safetensors: no tensor named ${JSON.stringify(name)}`, `the file has: ${listNames([...this.tensors.keys()])}`);
    return t;
  }

  /** The values of an F32 tensor; ModelFileError when absent or of another dtype. */
  f32(name: string): Float32Array {
    return this.typed(name, 'F32') as Float32Array;
  }

  /** The values of an I32 tensor; ModelFileError when absent or of another dtype. */
  i32(name: string): Int32Array {
    return this.typed(name, 'I32') as Int32Array;
  }

  private typed(name: string, dtype: Dtype): TensorArray {
    const t = this.tensor(name);
    if (t.dtype !== dtype) throw new ModelFileError(`safetensors: tensor ${JSON.stringify(name)} is ${t.dtype}, expected ${dtype}`);
    return t.data;
  }
}

/**
 * Parses a safetensors file held in memory. The whole header is validated first (see header.ts) and
 * every problem throws a ModelFileError naming the tensor or field; no data is read from a file that
 * fails. With `expect`, names, dtypes and shapes are also checked before any data is read.
 */
export function readSafetensors(bytes: Uint8Array, options: ReadOptions = {}): SafetensorsFile {
  const header = readSafetensorsHeader(bytes);
  if (options.expect) checkExpected(header.tensors, options.expect, options.exact ?? true);
  const tensors = new Map<string, SafeTensor>();
  for (const info of header.tensors) {
    const begin = header.dataStart + info.dataOffsets[0];
    const raw = bytes.subarray(begin, header.dataStart + info.dataOffsets[1]);
    const data = toArray(dtypeInfo(info.dtype)!, raw, options.copy ?? false);
    tensors.set(info.name, { name: info.name, dtype: info.dtype, shape: info.shape, data, bytes: raw });
  }
  return new SafetensorsFile(header, tensors);
}

function toArray(info: DtypeInfo, raw: Uint8Array, copy: boolean): TensorArray {
  const ArrayType = info.array;
  const size = ArrayType.BYTES_PER_ELEMENT;
  // a typed array over a buffer must start at a multiple of its element size: copy when it does not
  if (!copy && (size === 1 || (LITTLE_ENDIAN && raw.byteOffset % size === 0))) {
    return new ArrayType(raw.buffer as ArrayBuffer, raw.byteOffset, raw.byteLength / size) as TensorArray;
  }
  const own = raw.slice();
  if (!LITTLE_ENDIAN && size > 1) swapBytes(own, size);
  return new ArrayType(own.buffer, 0, own.byteLength / size) as TensorArray;
}

function checkExpected(tensors: TensorInfo[], expect: Record<string, TensorExpectation>, exact: boolean): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  const wanted = Object.keys(expect);
  const missing = wanted.filter((name) => !byName.has(name));
  const unexpected = exact ? tensors.map((t) => t.name).filter((name) => !Object.hasOwn(expect, name)) : [];
  if (missing.length || unexpected.length) {
    const parts = [missing.length ? `missing ${listNames(missing)}` : '', unexpected.length ? `unexpected ${listNames(unexpected)}` : ''];
    throw new ModelFileError(`safetensors: tensors do not match: ${parts.filter(Boolean).join('; ')}`);
  }
  for (const name of wanted) {
    const t = byName.get(name)!;
    const e = expect[name]!;
    if (e.dtype !== undefined && e.dtype !== t.dtype) throw new ModelFileError(`safetensors: tensor ${JSON.stringify(name)} is ${t.dtype}, expected ${e.dtype}`);
    if (e.shape !== undefined && !sameShape(e.shape, t.shape)) {
      throw new ModelFileError(`safetensors: tensor ${JSON.stringify(name)} has shape [${t.shape.join(', ')}], expected [${e.shape.join(', ')}]`);
    }
  }
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function listNames(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n)).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown || '(none)';
}

// ---------------------------------------------------------------------------------------------
// writing

/** A tensor to write. `data` is the dtype's array type (see `DtypeArrays`), raw little-endian bytes in a Uint8Array, or plain numbers. */
export interface TensorInput {
  dtype: Dtype;
  shape: readonly number[];
  data: ArrayBufferView | ArrayLike<number> | ArrayLike<bigint>;
}

/**
 * Serialises tensors and string metadata to safetensors bytes, as the reference writer lays them out:
 * tensors by descending dtype alignment then by name (so each starts aligned), `__metadata__` first in
 * the header (keys sorted; omitted when there are none), the header padded with spaces to a multiple
 * of 8 bytes. The same input always gives the same bytes.
 */
export function writeSafetensors(
  tensors: Record<string, TensorInput> | ReadonlyMap<string, TensorInput>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const entries = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const prepared = entries.map(([name, t]) => prepare(name, t));
  prepared.sort((a, b) => b.info.rank - a.info.rank || compareCodePoints(a.name, b.name));

  const parts: string[] = [];
  const metaKeys = Object.keys(metadata).sort(compareCodePoints);
  if (metaKeys.length) {
    const fields = metaKeys.map((key) => {
      const value = metadata[key];
      if (typeof value !== 'string') throw new ModelFileError(`safetensors: metadata ${JSON.stringify(key)} must be a string, got ${typeof value}`, 'store structured values as JSON text');
      return `${quote(key, 'metadata key')}:${quote(value, `metadata ${JSON.stringify(key)}`)}`;
    });
    parts.push(`"__metadata__":{${fields.join(',')}}`);
  }
  let offset = 0;
  for (const t of prepared) {
    const shape = t.shape.join(',');
    parts.push(`${quote(t.name, 'tensor name')}:{"dtype":"${t.dtype}","shape":[${shape}],"data_offsets":[${offset},${offset + t.bytes.length}]}`);
    offset += t.bytes.length;
  }
  const json = new TextEncoder().encode(`{${parts.join(',')}}`);
  const headerLength = Math.ceil(json.length / 8) * 8;
  if (headerLength > MAX_HEADER_BYTES) {
    throw new ModelFileError(`safetensors: the header would be ${headerLength} bytes, over the ${MAX_HEADER_BYTES}-byte limit readers enforce`, 'store large values as tensors, not metadata');
  }
  let out: Uint8Array;
  try {
    out = new Uint8Array(8 + headerLength + offset);
  } catch (cause) {
    throw new ModelFileError(`safetensors: cannot allocate ${8 + headerLength + offset} bytes for the file`, undefined, { cause });
  }
  const view = new DataView(out.buffer);
  view.setUint32(0, headerLength % 2 ** 32, true);
  view.setUint32(4, Math.floor(headerLength / 2 ** 32), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const t of prepared) {
    out.set(t.bytes, at);
    at += t.bytes.length;
  }
  return out;
}

interface Prepared {
  name: string;
  dtype: Dtype;
  info: DtypeInfo & { rank: number };
  shape: readonly number[];
  bytes: Uint8Array;
}

function prepare(name: string, t: TensorInput): Prepared {
  const where = `safetensors: tensor ${JSON.stringify(name)}`;
  if (name === '__metadata__') throw new ModelFileError(`${where}: the name __metadata__ is reserved for metadata`);
  if (typeof t !== 'object' || t === null) throw new ShapeError(`${where}: expected { dtype, shape, data }, got ${describeObject(t)}`);
  const info = dtypeInfo(t.dtype);
  if (!info) throw new ModelFileError(`${where}: dtype ${JSON.stringify(t.dtype)} is not one of ${DTYPES.join(', ')}`);
  if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new ShapeError(`${where}: shape must be an array of non-negative integers, got ${JSON.stringify(t.shape)}`);
  }
  const count = t.shape.reduce((a, b) => a * b, 1);
  const bits = count * info.bits;
  if (!Number.isSafeInteger(bits)) throw new ShapeError(`${where}: shape [${t.shape.join(', ')}] is too large`);
  if (bits % 8 !== 0) throw new ShapeError(`${where}: ${count} ${t.dtype} elements are ${bits} bits, not a whole number of bytes`);
  return { name, dtype: t.dtype, info, shape: [...t.shape], bytes: toBytes(where, t.dtype, info, count, bits / 8, t.data) };
}

/** Little-endian bytes of `data`, checked against the dtype and the element count. */
function toBytes(where: string, dtype: Dtype, info: DtypeInfo, count: number, byteLength: number, data: TensorInput['data']): Uint8Array {
  const native = info.array.name;
  if (ArrayBuffer.isView(data)) {
    const tag = (data as { [Symbol.toStringTag]?: string })[Symbol.toStringTag];
    if (tag === native && info.lanes > 0) {
      const values = data as TensorArray;
      if (values.length !== count * info.lanes) {
        throw new ShapeError(`${where}: ${dtype} shape needs ${count * info.lanes} values, the ${native} has ${values.length}`);
      }
      return littleEndian(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), info.array.BYTES_PER_ELEMENT);
    }
    if (tag === 'Uint8Array') {
      if (data.byteLength !== byteLength) throw new ShapeError(`${where}: ${dtype} shape needs ${byteLength} bytes, the raw data has ${data.byteLength}`);
      return data as Uint8Array;
    }
    throw new ShapeError(`${where}: ${dtype} data must be a ${native} or raw little-endian bytes in a Uint8Array, got ${tag ?? 'a DataView'}`);
  }
  if (!info.numeric) throw new ShapeError(`${where}: ${dtype} values must be given as bits in a ${native} or raw bytes in a Uint8Array`);
  if (data === null || typeof data !== 'object' || typeof (data as ArrayLike<unknown>).length !== 'number') {
    throw new ShapeError(`${where}: data must be an array of numbers or a typed array, got ${describeObject(data)}`);
  }
  const length = (data as ArrayLike<unknown>).length;
  if (length !== count * info.lanes) throw new ShapeError(`${where}: ${dtype} shape needs ${count * info.lanes} values, got ${length}`);
  const big = info.array === BigInt64Array || info.array === BigUint64Array;
  const values = new info.array(length);
  for (let i = 0; i < length; i++) {
    const v = (data as ArrayLike<unknown>)[i];
    let ok: boolean;
    if (big && typeof v === 'bigint') ok = fitsBig(v, info.array === BigInt64Array);
    else if (info.range) ok = typeof v === 'number' && Number.isInteger(v) && v >= info.range[0] && v <= info.range[1];
    else ok = typeof v === 'number';
    if (!ok) {
      const range = info.range ? `an integer in [${info.range[0]}, ${info.range[1]}]${big ? ' or a bigint' : ''}` : 'a number';
      throw new ShapeError(`${where}: value [${i}] is ${String(v)}, expected ${range} for ${dtype}`);
    }
    (values as unknown as Record<number, unknown>)[i] = big ? BigInt(v as number | bigint) : v;
  }
  return littleEndian(new Uint8Array(values.buffer), info.array.BYTES_PER_ELEMENT);
}

function fitsBig(v: bigint, signed: boolean): boolean {
  return signed ? BigInt.asIntN(64, v) === v : BigInt.asUintN(64, v) === v;
}

function littleEndian(bytes: Uint8Array, size: number): Uint8Array {
  if (LITTLE_ENDIAN || size === 1) return bytes;
  const copy = bytes.slice();
  swapBytes(copy, size);
  return copy;
}

/** JSON string literal; refuses unpaired surrogates, which have no UTF-8 encoding. */
function quote(s: string, what: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    else throw new ModelFileError(`safetensors: ${what} ${JSON.stringify(s)} contains an unpaired surrogate (not encodable as UTF-8)`);
  }
  return JSON.stringify(s);
}
