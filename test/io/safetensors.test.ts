import { describe, expect, it } from 'vitest';
import { MAX_HEADER_BYTES, ModelFileError, readSafetensors, readSafetensorsHeader, ShapeError, writeSafetensors, type TensorInput } from '../../dist/index.js';
import { expectModelFileError, f32Bytes, rawFile, sameBytes } from './helpers.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('writeSafetensors: the reference layout', () => {
  it('a header of exactly 64 bytes needs no padding', () => {
    const bytes = writeSafetensors({ 'attn.0': { dtype: 'F32', shape: [1, 2, 3], data: new Float32Array([0, 1, 2, 3, 4, 5]) } });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    expect(bytes).toEqual(rawFile(header, f32Bytes([0, 1, 2, 3, 4, 5])));
  });

  it('pads the header with spaces to a multiple of 8, so F32 data starts aligned', () => {
    const bytes = writeSafetensors({ attn0: { dtype: 'F32', shape: [1, 1, 2, 3], data: [0, 1, 2, 3, 4, 5] } });
    const header = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}'; // 65 bytes → 72
    expect(bytes).toEqual(rawFile(header + ' '.repeat(7), f32Bytes([0, 1, 2, 3, 4, 5])));
  });

  it('no tensors: "{}" and six spaces; metadata comes first', () => {
    expect(writeSafetensors({})).toEqual(rawFile('{}      '));
    expect(writeSafetensors({}, { framework: 'pt' })).toEqual(rawFile('{"__metadata__":{"framework":"pt"}}     '));
  });

  it('orders tensors by descending alignment, then by name (code points), and aligns each', () => {
    const bytes = writeSafetensors({
      b: { dtype: 'U8', shape: [3], data: [1, 2, 3] },
      a: { dtype: 'U8', shape: [1], data: [9] },
      z: { dtype: 'F32', shape: [1], data: [1] },
      y: { dtype: 'F64', shape: [1], data: [2] },
      '\u{1F600}': { dtype: 'I16', shape: [1], data: [3] },
      '\uFFFF': { dtype: 'I16', shape: [1], data: [4] },
    });
    const header = readSafetensorsHeader(bytes);
    expect(header.tensors.map((t) => t.name)).toEqual(['y', 'z', '\uFFFF', '\u{1F600}', 'a', 'b']);
    for (const t of header.tensors) {
      const size = { F64: 8, F32: 4, I16: 2, U8: 1 }[t.dtype as 'F64']!;
      expect((header.dataStart + t.dataOffsets[0]) % size, t.name).toBe(0);
    }
  });

  it('is deterministic: insertion order and metadata order do not change the bytes', () => {
    const a = writeSafetensors({ x: { dtype: 'I32', shape: [2], data: [1, 2] }, w: { dtype: 'F32', shape: [0], data: [] } }, { k2: 'b', k1: 'a' });
    const b = writeSafetensors(new Map<string, TensorInput>([['w', { dtype: 'F32', shape: [0], data: new Float32Array(0) }], ['x', { dtype: 'I32', shape: [2], data: new Int32Array([1, 2]) }]]), { k1: 'a', k2: 'b' });
    expect(a).toEqual(b);
    expect(text(a.subarray(8, 8 + 25))).toBe('{"__metadata__":{"k1":"a"');
  });
});

describe('round trip', () => {
  it('is bit-exact for F32 (NaN payloads, -0, infinities, subnormals) and I32', () => {
    const f = new Float32Array(new Uint32Array([0x7fc00001, 0xffc12345, 0x80000000, 0x7f800000, 0xff800000, 0x00000001, 0x3f800000]).buffer);
    const i = new Int32Array([-2147483648, -1, 0, 1, 2147483647]);
    const file = readSafetensors(writeSafetensors({ f: { dtype: 'F32', shape: [7], data: f }, i: { dtype: 'I32', shape: [5, 1], data: i } }));
    expect(sameBytes(file.f32('f'), f)).toBe(true);
    expect(file.i32('i')).toEqual(i);
    expect(file.tensor('i').shape).toEqual([5, 1]);
  });

  it('every dtype reads back into its array type', () => {
    const tensors: Record<string, TensorInput> = {
      bool: { dtype: 'BOOL', shape: [3], data: [1, 0, 1] },
      u8: { dtype: 'U8', shape: [2], data: [0, 255] },
      i8: { dtype: 'I8', shape: [2], data: [-128, 127] },
      i16: { dtype: 'I16', shape: [2], data: [-32768, 32767] },
      u16: { dtype: 'U16', shape: [1], data: [65535] },
      f16: { dtype: 'F16', shape: [2], data: new Uint16Array([0x3c00, 0xc000]) }, // 1.0, -2.0 as bits
      bf16: { dtype: 'BF16', shape: [1], data: new Uint8Array([0x80, 0x3f]) }, // raw bytes of 1.0
      u32: { dtype: 'U32', shape: [1], data: [4294967295] },
      c64: { dtype: 'C64', shape: [1], data: [1.5, -2.5] }, // (re, im)
      f64: { dtype: 'F64', shape: [2], data: [Math.PI, -0] },
      i64: { dtype: 'I64', shape: [2], data: [-(2n ** 63n), 2n ** 63n - 1n] },
      u64: { dtype: 'U64', shape: [2], data: [2n ** 64n - 1n, 5] },
      f8: { dtype: 'F8_E4M3', shape: [2], data: new Uint8Array([0x38, 0xb8]) },
      f4: { dtype: 'F4', shape: [2, 3], data: new Uint8Array([0x12, 0x34, 0x56]) }, // 6 × 4 bits packed
      scalar: { dtype: 'F32', shape: [], data: [42] },
    };
    const file = readSafetensors(writeSafetensors(tensors));
    const got = (name: string) => file.tensor(name).data;
    expect(got('bool')).toEqual(new Uint8Array([1, 0, 1]));
    expect(got('u8')).toEqual(new Uint8Array([0, 255]));
    expect(got('i8')).toEqual(new Int8Array([-128, 127]));
    expect(got('i16')).toEqual(new Int16Array([-32768, 32767]));
    expect(got('u16')).toEqual(new Uint16Array([65535]));
    expect(got('f16')).toEqual(new Uint16Array([0x3c00, 0xc000]));
    expect(got('bf16')).toEqual(new Uint16Array([0x3f80]));
    expect(got('u32')).toEqual(new Uint32Array([4294967295]));
    expect(got('c64')).toEqual(new Float32Array([1.5, -2.5]));
    expect(got('f64')).toEqual(new Float64Array([Math.PI, -0]));
    expect(Object.is((got('f64') as Float64Array)[1], -0)).toBe(true);
    expect(got('i64')).toEqual(new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]));
    expect(got('u64')).toEqual(new BigUint64Array([2n ** 64n - 1n, 5n]));
    expect(got('f8')).toEqual(new Uint8Array([0x38, 0xb8]));
    expect(got('f4')).toEqual(new Uint8Array([0x12, 0x34, 0x56]));
    expect(file.tensor('f4').shape).toEqual([2, 3]);
    expect(got('scalar')).toEqual(new Float32Array([42]));
    expect(file.tensor('scalar').shape).toEqual([]);
  });

  it('keeps metadata, unicode and awkward names intact', () => {
    const metadata = { '': 'empty key', '__proto__': 'not a prototype', 'json': '{"a":[1,2]}', 'ünï': 'c\u00f6de \u{1F600}\n"q"\\' };
    const bytes = writeSafetensors({ __proto__x: { dtype: 'I32', shape: [1], data: [7] }, 'mlp.0.weight': { dtype: 'F32', shape: [1], data: [1] } }, metadata);
    const file = readSafetensors(bytes);
    expect({ ...file.metadata }).toEqual(metadata);
    expect(Object.getPrototypeOf(file.metadata)).toBeNull();
    expect([...file.tensors.keys()].sort()).toEqual(['__proto__x', 'mlp.0.weight']);
  });

  it('empty tensors (a 0 dimension) hold no bytes and read back empty', () => {
    const file = readSafetensors(writeSafetensors({ e: { dtype: 'F32', shape: [2, 0], data: [] }, v: { dtype: 'F32', shape: [2], data: [1, 2] }, z: { dtype: 'I32', shape: [0], data: new Int32Array(0) } }));
    expect(file.tensor('e').shape).toEqual([2, 0]);
    expect(file.f32('e').length).toBe(0);
    expect(file.i32('z').length).toBe(0);
    expect(file.f32('v')).toEqual(new Float32Array([1, 2]));
  });
});

describe('views and copies', () => {
  const bytes = writeSafetensors({ a: { dtype: 'F32', shape: [3], data: [1, 2, 3] }, b: { dtype: 'F64', shape: [1], data: [4] } });

  it('aligned input: tensors are views into it', () => {
    const file = readSafetensors(bytes);
    expect(file.f32('a').buffer).toBe(bytes.buffer);
    expect(file.tensor('b').bytes.buffer).toBe(bytes.buffer);
  });

  it('unaligned input (odd byteOffset): values are copied, bytes stay views, results equal', () => {
    for (const shift of [1, 2, 3, 5]) {
      const shifted = new Uint8Array(bytes.length + shift).subarray(shift);
      shifted.set(bytes);
      const file = readSafetensors(shifted);
      expect(file.f32('a')).toEqual(new Float32Array([1, 2, 3]));
      expect(file.tensor('b').data).toEqual(new Float64Array([4]));
      expect(file.f32('a').buffer).not.toBe(shifted.buffer);
      expect(file.tensor('a').bytes.buffer).toBe(shifted.buffer);
    }
  });

  it('copy: true never shares memory with the input', () => {
    const file = readSafetensors(bytes, { copy: true });
    expect(file.f32('a').buffer).not.toBe(bytes.buffer);
    file.f32('a')[0] = 99;
    expect(readSafetensors(bytes).f32('a')[0]).toBe(1);
  });
});

describe('expect: names, dtypes and shapes checked before reading data', () => {
  const bytes = writeSafetensors({ w: { dtype: 'F32', shape: [2, 3], data: new Float32Array(6) }, ids: { dtype: 'I32', shape: [4], data: new Int32Array(4) } });

  it('accepts a match, with or without exact', () => {
    expect(readSafetensors(bytes, { expect: { w: { dtype: 'F32', shape: [2, 3] }, ids: {} } }).tensors.size).toBe(2);
    expect(readSafetensors(bytes, { expect: { w: { shape: [2, 3] } }, exact: false }).tensors.size).toBe(2);
  });

  it('names every missing, unexpected or mismatched tensor', () => {
    expectModelFileError(() => readSafetensors(bytes, { expect: { w: {}, b: {} } }), /missing "b"; unexpected "ids"/);
    expectModelFileError(() => readSafetensors(bytes, { expect: { w: { dtype: 'I32' }, ids: {} } }), /tensor "w" is F32, expected I32/);
    expectModelFileError(() => readSafetensors(bytes, { expect: { w: { shape: [3, 2] }, ids: {} } }), /tensor "w" has shape \[2, 3\], expected \[3, 2\]/);
  });

  it('typed accessors refuse the wrong dtype or an absent name', () => {
    const file = readSafetensors(bytes);
    expectModelFileError(() => file.f32('ids'), /tensor "ids" is I32, expected F32/);
    expectModelFileError(() => file.tensor('nope'), /no tensor named "nope"/);
  });
});

describe('readSafetensors refuses every malformed file with a ModelFileError', () => {
  const T = (offsets = '[0,8]', shape = '[2]', dtype = '"F32"') => `{"t":{"dtype":${dtype},"shape":${shape},"data_offsets":${offsets}}}`;
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty file', new Uint8Array(0), /file is 0 bytes, too short/],
    ['7 bytes', new Uint8Array(7), /file is 7 bytes/],
    ['header length over 100 MB', rawFile('{}', 0, MAX_HEADER_BYTES + 1), /header length 100000001 exceeds the 100000000-byte limit/],
    ['header length 2^64 − 1', rawFile('{}', 0, 2n ** 64n - 1n), /header length 18446744073709551615 exceeds/],
    ['header length past the end', rawFile('{}', 0, 3), /header length 3 runs past the end of the file \(10 bytes\)/],
    ['header length 0', rawFile('{}', 0, 0), /must begin with '\{', found an empty header/],
    ['leading whitespace', rawFile(' {}'), /must begin with '\{', found byte 0x20/],
    ['not UTF-8', rawFile(new Uint8Array([0x7b, 0xff, 0x7d])), /not valid UTF-8/],
    ['truncated JSON', rawFile('{"t":'), /header JSON: unexpected end of text at character 5/],
    ['trailing garbage', rawFile('{}x'), /unexpected "x" after the JSON value/],
    ['NUL padding (only whitespace may pad)', rawFile('{}\0\0'), /unexpected "\\u0000" after the JSON value/],
    ['trailing comma', rawFile('{"__metadata__":{},}'), /expected a key string/],
    ['NaN literal', rawFile('{"__metadata__":NaN}'), /unexpected "N"/],
    ['duplicate tensor', rawFile(`{"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0]},"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}}`), /duplicate key "t" at character 54/],
    ['duplicate metadata key', rawFile('{"__metadata__":{"a":"1","a":"2"}}'), /duplicate key "a"/],
    ['lone surrogate escape', rawFile('{"\\ud800":1}'), /unpaired high surrogate escape/],
    ['raw control character', rawFile('{"a\nb":1}'), /control character in string/],
    ['deep nesting', rawFile(`{"__metadata__":${'['.repeat(100_000)}${']'.repeat(100_000)}}`), /nested deeper than 64 levels/],
    ['metadata not an object', rawFile('{"__metadata__":["a"]}'), /__metadata__ must be an object of strings, got an array/],
    ['metadata value not a string', rawFile('{"__metadata__":{"epochs":3}}'), /__metadata__ "epochs" must be a string, got the number 3/],
    ['tensor entry not an object', rawFile('{"t":[1]}'), /tensor "t": expected an object with dtype, shape and data_offsets, got an array/],
    ['unknown field', rawFile('{"t":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"strides":[1]}}'), /tensor "t": unknown field "strides"/],
    ['unknown dtype', rawFile(T(undefined, undefined, '"F17"'), 8), /tensor "t": dtype is the string "F17", expected one of BOOL, /],
    ['dtype missing', rawFile('{"t":{"shape":[0],"data_offsets":[0,0]}}'), /dtype is missing/],
    ['shape not an array', rawFile(T(undefined, '2'), 8), /shape is the number 2, expected an array/],
    ['negative dimension', rawFile(T(undefined, '[-2]'), 8), /shape\[0\] is the number -2, expected a non-negative integer/],
    ['fractional dimension', rawFile(T(undefined, '[2.0]'), 8), /shape\[0\] is the number 2.0/],
    ['exponent dimension', rawFile(T(undefined, '[2e0]'), 8), /shape\[0\] is the number 2e0/],
    ['string dimension', rawFile(T(undefined, '["2"]'), 8), /shape\[0\] is the string "2"/],
    ['dimension ≥ 2^53', rawFile(T(undefined, '[9007199254740993]'), 8), /shape\[0\] is the number 9007199254740993/],
    ['element count overflow', rawFile(T(undefined, '[4294967296,4294967296,0]'), 8), /more than 2\^53 elements/],
    ['offsets not a pair', rawFile(T('[0,4,8]'), 8), /data_offsets must be \[begin, end\], got 3 numbers/],
    ['offsets reversed', rawFile(T('[8,0]'), 8), /data_offsets \[8, 0\] end before they begin/],
    ['negative offset', rawFile(T('[-8,0]'), 8), /data_offsets\[0\] is the number -8/],
    ['huge offset', rawFile(T('[0,1e400]'), 8), /data_offsets\[1\] is the number 1e400/],
    ['size ≠ shape × dtype', rawFile(T('[0,8]', '[3]'), 8), /tensor "t": data_offsets \[0, 8\] hold 8 bytes, but F32 shape \[3\] needs 12/],
    ['sub-byte dtype not filling bytes', rawFile(T('[0,1]', '[3]', '"F4"'), 1), /3 F4 elements are 12 bits, not a whole number of bytes/],
    ['data truncated', rawFile(T(), 4), /data_offsets \[0, 8\] run past the end of the data section \(4 bytes\)/],
    ['overlap', rawFile('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8), /tensor "b" \[4, 8\] overlaps tensor "a" \[0, 8\]/],
    ['gap', rawFile('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', 12), /bytes \[4, 8\) of the data section belong to no tensor/],
    ['gap at the start', rawFile(T('[4,12]'), 12), /bytes \[0, 4\) of the data section belong to no tensor/],
    ['trailing bytes', rawFile(T(), 9), /the tensors cover 8 bytes but the data section has 9/],
    ['data but no tensors', rawFile('{}', 4), /cover 0 bytes but the data section has 4/],
  ];
  for (const [name, bytes, message] of cases) {
    it(name, () => expectModelFileError(() => readSafetensors(bytes), message));
  }

  it('accepts what the format allows: whitespace padding of any JSON kind, spaced JSON, an empty tensor inside the order', () => {
    expect(readSafetensors(rawFile('{}\r\n\t ')).tensors.size).toBe(0);
    const spaced = '{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "e": {"dtype": "I32", "shape": [0], "data_offsets": [4, 4]}, "__metadata__": {"format": "pt"}}';
    const file = readSafetensors(rawFile(spaced, f32Bytes([5])));
    expect(file.f32('a')).toEqual(new Float32Array([5]));
    expect(file.i32('e').length).toBe(0);
    expect(file.metadata.format).toBe('pt');
  });

  it('refuses a non-Uint8Array input with a ModelFileError', () => {
    expectModelFileError(() => readSafetensors(new ArrayBuffer(16) as unknown as Uint8Array), /expected the file as a Uint8Array, got ArrayBuffer/);
  });
});

describe('writeSafetensors refuses what it cannot write faithfully', () => {
  const cases: [string, () => unknown, typeof ModelFileError | typeof ShapeError, RegExp][] = [
    ['reserved name', () => writeSafetensors({ __metadata__: { dtype: 'F32', shape: [0], data: [] } }), ModelFileError, /name __metadata__ is reserved/],
    ['unknown dtype', () => writeSafetensors({ t: { dtype: 'F17' as 'F32', shape: [0], data: [] } }), ModelFileError, /dtype "F17" is not one of/],
    ['bad shape', () => writeSafetensors({ t: { dtype: 'F32', shape: [-1], data: [] } }), ShapeError, /shape must be an array of non-negative integers/],
    ['too few values', () => writeSafetensors({ t: { dtype: 'F32', shape: [2, 2], data: new Float32Array(3) } }), ShapeError, /F32 shape needs 4 values, the Float32Array has 3/],
    ['wrong raw length', () => writeSafetensors({ t: { dtype: 'F32', shape: [2], data: new Uint8Array(7) } }), ShapeError, /needs 8 bytes, the raw data has 7/],
    ['wrong array type', () => writeSafetensors({ t: { dtype: 'F32', shape: [2], data: new Int32Array(2) } }), ShapeError, /F32 data must be a Float32Array or raw little-endian bytes in a Uint8Array, got Int32Array/],
    ['int out of range', () => writeSafetensors({ t: { dtype: 'I8', shape: [1], data: [128] } }), ShapeError, /value \[0\] is 128, expected an integer in \[-128, 127\] for I8/],
    ['fraction for an int', () => writeSafetensors({ t: { dtype: 'I32', shape: [1], data: [0.5] } }), ShapeError, /value \[0\] is 0.5/],
    ['bigint out of range', () => writeSafetensors({ t: { dtype: 'U64', shape: [1], data: [-1n] } }), ShapeError, /value \[0\] is -1/],
    ['numbers for F16', () => writeSafetensors({ t: { dtype: 'F16', shape: [1], data: [1] } }), ShapeError, /F16 values must be given as bits in a Uint16Array or raw bytes/],
    ['metadata not a string', () => writeSafetensors({}, { epochs: 3 as unknown as string }), ModelFileError, /metadata "epochs" must be a string, got number/],
    ['unpaired surrogate', () => writeSafetensors({ ['a\ud800']: { dtype: 'F32', shape: [0], data: [] } }), ModelFileError, /contains an unpaired surrogate/],
  ];
  for (const [name, run, type, message] of cases) {
    it(name, () => {
      expect(run).toThrow(type);
      expect(run).toThrow(message);
    });
  }
});
