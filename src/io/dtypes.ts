// The safetensors element types, their sizes, and the typed array each one is read into.
//
// The order of DTYPES is the reference implementation's Dtype enum order (increasing alignment); its
// writer lays tensors out by descending alignment, then by name, so every tensor starts aligned for
// its element size, and seqwasm's writer does the same.
// see: https://github.com/huggingface/safetensors (safetensors/src/tensor.rs, enum Dtype)

export const DTYPES = [
  'BOOL', 'F4', 'F6_E2M3', 'F6_E3M2', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0',
  'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'C64', 'F64', 'I64', 'U64',
] as const;

export type Dtype = (typeof DTYPES)[number];

/** The typed array a tensor's values are read into, by dtype. */
export interface DtypeArrays {
  BOOL: Uint8Array; F4: Uint8Array; F6_E2M3: Uint8Array; F6_E3M2: Uint8Array;
  U8: Uint8Array; I8: Int8Array; F8_E5M2: Uint8Array; F8_E4M3: Uint8Array; F8_E8M0: Uint8Array;
  I16: Int16Array; U16: Uint16Array; F16: Uint16Array; BF16: Uint16Array;
  I32: Int32Array; U32: Uint32Array; F32: Float32Array; C64: Float32Array;
  F64: Float64Array; I64: BigInt64Array; U64: BigUint64Array;
}

export type TensorArray = DtypeArrays[Dtype];

type ArrayClass =
  | Uint8ArrayConstructor | Int8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor
  | Int32ArrayConstructor | Uint32ArrayConstructor | Float32ArrayConstructor | Float64ArrayConstructor
  | BigInt64ArrayConstructor | BigUint64ArrayConstructor;

export interface DtypeInfo {
  /** Bits per element. Sub-byte types (F4, F6_*) are packed: a tensor's bit count must fill whole bytes. */
  bits: number;
  /** Rank in DTYPES: the writer puts higher ranks first. */
  rank: number;
  /** The array class the values are read into. */
  array: ArrayClass;
  /** Array elements per tensor element: 2 for C64 (re, im); 0 for packed types (the array holds raw bytes). */
  lanes: number;
  /** Integer range for values given as plain numbers (undefined: floats, or raw-bits only). */
  range?: readonly [number, number];
  /** True when plain numbers can be given as values (the array holds the values themselves). */
  numeric: boolean;
}

const info = (bits: number, array: ArrayClass, lanes: number, numeric: boolean, range?: readonly [number, number]) =>
  ({ bits, array, lanes, numeric, range }) as Omit<DtypeInfo, 'rank'>;

// F16, BF16 and the F8 types have no JS array type everywhere: they are read as their bit patterns.
const TABLE: Record<Dtype, Omit<DtypeInfo, 'rank'>> = {
  BOOL: info(8, Uint8Array, 1, true, [0, 1]),
  F4: info(4, Uint8Array, 0, false),
  F6_E2M3: info(6, Uint8Array, 0, false),
  F6_E3M2: info(6, Uint8Array, 0, false),
  U8: info(8, Uint8Array, 1, true, [0, 255]),
  I8: info(8, Int8Array, 1, true, [-128, 127]),
  F8_E5M2: info(8, Uint8Array, 1, false),
  F8_E4M3: info(8, Uint8Array, 1, false),
  F8_E8M0: info(8, Uint8Array, 1, false),
  I16: info(16, Int16Array, 1, true, [-32768, 32767]),
  U16: info(16, Uint16Array, 1, true, [0, 65535]),
  F16: info(16, Uint16Array, 1, false),
  BF16: info(16, Uint16Array, 1, false),
  I32: info(32, Int32Array, 1, true, [-2147483648, 2147483647]),
  U32: info(32, Uint32Array, 1, true, [0, 4294967295]),
  F32: info(32, Float32Array, 1, true),
  C64: info(64, Float32Array, 2, true),
  F64: info(64, Float64Array, 1, true),
  I64: info(64, BigInt64Array, 1, true, [-Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]),
  U64: info(64, BigUint64Array, 1, true, [0, Number.MAX_SAFE_INTEGER]),
};

const INFO = new Map<string, DtypeInfo>(DTYPES.map((d, rank) => [d, { ...TABLE[d], rank }]));

/** The dtype's description, or undefined for a name that is not a safetensors dtype. */
export function dtypeInfo(name: string): DtypeInfo | undefined {
  return INFO.get(name);
}

/** True on every engine seqwasm targets; checked so a big-endian host would swap instead of misread. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverses the byte order of each `size`-byte group in place (little-endian ⇄ host on big-endian hosts). */
export function swapBytes(bytes: Uint8Array, size: number): void {
  for (let at = 0; at + size <= bytes.length; at += size) bytes.subarray(at, at + size).reverse();
}
