// Seeded fuzzing of the safetensors reader and the model-file decoder: thousands of mutations of a
// valid file must each either parse to a self-consistent result or throw a ModelFileError — never
// another exception type, an out-of-bounds read, or a hang.
import { describe, expect, it } from 'vitest';
import { decodeModelFile, DTYPES, encodeModelFile, ModelFileError, readSafetensors, Rng, writeSafetensors, type SafetensorsFile } from '../../dist/index.js';

const BITS: Record<string, number> = { BOOL: 8, F4: 4, F6_E2M3: 6, F6_E3M2: 6, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32, C64: 64, F64: 64, I64: 64, U64: 64 };

const base = writeSafetensors(
  {
    'mlp.0.weight': { dtype: 'F32', shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
    ids: { dtype: 'I32', shape: [4], data: [1, -2, 3, -4] },
    bytes: { dtype: 'U8', shape: [3], data: [7, 8, 9] },
    big: { dtype: 'F64', shape: [1], data: [Math.E] },
    empty: { dtype: 'F32', shape: [0, 2], data: [] },
    half: { dtype: 'BF16', shape: [2], data: new Uint16Array([0x3f80, 0x4000]) },
    long: { dtype: 'I64', shape: [1], data: [-5n] },
  },
  { format: 'pt', note: 'fuzz base' },
);

const modelBase = encodeModelFile({
  config: { kind: 'mlp', dim: 2, hidden: 3 },
  params: {
    'embedding.weight': { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] },
    'mlp.0.weight': { shape: [3, 2], data: [0, 1, 0, 1, 0, 1] },
    'mlp.0.bias': { shape: [3], data: [0, 0, 0] },
  },
  vocab: ['<pad>', 'a', 'b'],
  tokenizer: { lowercase: true },
  training: { curves: [{ step: 1, epoch: 0, split: 'test', loss: 0.5, accuracy: 1, f1: 1, rocAuc: null }] },
});

/** A hook as the models code might write it: it trusts the config's fields, so mutated configs make it throw TypeErrors. */
const expectShapes = (config: object, { vocab }: { vocab: readonly string[] }) => {
  const c = config as { dim: number; hidden: number; kind: { length: number } };
  if (c.kind.length === 0) throw new Error('empty kind');
  return { 'embedding.weight': [vocab.length, c.dim], 'mlp.0.weight': [c.hidden, c.dim], 'mlp.0.bias': [c.hidden] };
};

// ---------------------------------------------------------------------------------------------
// mutations

const headerLength = (b: Uint8Array) => (b.length >= 8 ? Number(new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true)) : 0);

function withHeader(original: Uint8Array, text: string, rng: Rng): Uint8Array {
  const n = headerLength(original);
  const data = original.subarray(Math.min(8 + n, original.length));
  const pad = [0, 0, 0, 1, 2][rng.int(5)]!; // mostly none; sometimes pad to 8 with spaces, or with NULs (invalid)
  let h = new TextEncoder().encode(text);
  if (pad) {
    const padded = new Uint8Array(Math.ceil(h.length / 8) * 8).fill(pad === 1 ? 0x20 : 0);
    padded.set(h);
    h = padded;
  }
  const out = new Uint8Array(8 + h.length + data.length);
  // mostly the true length, sometimes a stale or nearby one
  const length = rng.next() < 0.85 ? h.length : Math.max(0, h.length + rng.int(17) - 8);
  new DataView(out.buffer).setBigUint64(0, BigInt(length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

const SHAPE_VALUES: unknown[] = [0, 1, 2, 3, 7, 2 ** 31, 2 ** 32, 2 ** 53, 1e300, -1, -0.5, 1.5, '3', null, true, [], {}];
const OFFSET_VALUES: unknown[] = [0, 1, 4, 8, 24, 1000, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 1e20, -8, 0.5, '8', null];
const DTYPE_VALUES: unknown[] = [...DTYPES, 'F17', 'f32', '', 'FLOAT', 3, null, ['F32']];

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)]!;
}

function jsonEdit(bytes: Uint8Array, rng: Rng): Uint8Array {
  const n = headerLength(bytes);
  let header: Record<string, any>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  } catch {
    return bytes; // an earlier mutation broke it; leave it
  }
  if (typeof header !== 'object' || header === null) return bytes;
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const name = names.length ? pick(rng, names) : undefined;
  const t = name !== undefined && typeof header[name] === 'object' && header[name] !== null ? header[name] : undefined;
  switch (rng.int(12)) {
    case 0: // shift offsets
      if (t && Array.isArray(t.data_offsets)) t.data_offsets = t.data_offsets.map((o: number) => (typeof o === 'number' ? o + rng.int(33) - 16 : o));
      break;
    case 1: // copy another tensor's offsets: overlap
      if (t && names.length > 1) t.data_offsets = header[pick(rng, names)]?.data_offsets;
      break;
    case 2: // reshape
      if (t) t.shape = Array.from({ length: rng.int(4) }, () => (rng.next() < 0.7 ? rng.int(9) : pick(rng, SHAPE_VALUES)));
      break;
    case 3:
      if (t) t.dtype = pick(rng, DTYPE_VALUES);
      break;
    case 4: // odd offsets
      if (t) t.data_offsets = Array.from({ length: rng.next() < 0.8 ? 2 : rng.int(4) }, () => pick(rng, OFFSET_VALUES));
      break;
    case 5: // drop or add a field
      if (t && rng.next() < 0.5) delete t[pick(rng, ['dtype', 'shape', 'data_offsets'])];
      else if (t) t[pick(rng, ['strides', 'offsets', 'DTYPE'])] = [1];
      break;
    case 6: // metadata of the wrong kind
      header.__metadata__ = pick(rng, [{ a: 1 }, { a: null }, { a: { b: 'c' } }, ['x'], 'text', null, {}, { '': '' }]);
      break;
    case 7: // remove a tensor (leaves a gap or trailing bytes)
      if (name !== undefined) delete header[name];
      break;
    case 8: // add a tensor
      header[`extra${rng.int(3)}`] = { dtype: pick(rng, ['F32', 'U8', 'I64']), shape: [rng.int(4)], data_offsets: [rng.int(64), rng.int(64)] };
      break;
    case 9: // swap two tensors' offsets (sometimes still valid)
      if (t && names.length > 1) {
        const other = header[pick(rng, names)];
        if (other && typeof other === 'object') [t.data_offsets, other.data_offsets] = [other.data_offsets, t.data_offsets];
      }
      break;
    case 10: // the entry itself of the wrong kind
      if (name !== undefined) header[name] = pick(rng, [null, 1, 'F32', [0, 4], { dtype: 'F32' }]);
      break;
    default: // a valid edit: rename a tensor
      if (name !== undefined && t) {
        delete header[name];
        header[name + pick(rng, ['_', 'é', '\u{1F600}', '.1'])] = t;
      }
  }
  return withHeader(bytes, JSON.stringify(header), rng);
}

function textEdit(bytes: Uint8Array, rng: Rng): Uint8Array {
  const n = headerLength(bytes);
  let text = new TextDecoder().decode(bytes.subarray(8, Math.min(8 + n, bytes.length)));
  const at = rng.int(text.length + 1);
  switch (rng.int(6)) {
    case 0: { // replace a number with an awkward one
      const numbers = [...text.matchAll(/\d+/g)];
      if (numbers.length) {
        const m = pick(rng, numbers);
        const replacement = pick(rng, ['1e400', '-0', '18446744073709551616', '9007199254740993', '0.5', '-1', '01', '1E2', '4.0', '-', '1e', '']);
        text = text.slice(0, m.index) + replacement + text.slice(m.index! + m[0].length);
      }
      break;
    }
    case 1: { // deep nesting somewhere a value goes
      const depth = 1 + rng.int(5000);
      const open = rng.next() < 0.5 ? '[' : '{"k":';
      const close = open === '[' ? ']' : '}';
      text = text.replace(/:(\[|\{|")/, `:${open.repeat(depth)}${rng.next() < 0.8 ? '0' : ''}${close.repeat(depth - rng.int(2))}$1`);
      break;
    }
    case 2: { // duplicate the first entry (duplicate key)
      const m = /^\{("[^"]*":\{[^}]*\}),/.exec(text);
      if (m) text = `{${m[1]},${text.slice(1)}`;
      break;
    }
    case 3: // insert a random character
      text = text.slice(0, at) + pick(rng, ['"', '\\', ',', '}', ']', '{', '[', ':', ' ', '\u0000', '\\u', '\\ud800', 'é', 'null', 'x']) + text.slice(at);
      break;
    case 4: // delete a span
      text = text.slice(0, at) + text.slice(at + 1 + rng.int(8));
      break;
    default: // leading whitespace (invalid) or trailing (valid padding)
      text = rng.next() < 0.5 ? ' ' + text : text + pick(rng, [' ', '\n', '\t\r ', '\u0000']);
  }
  return withHeader(bytes, text, rng);
}

function mutate(source: Uint8Array, rng: Rng): Uint8Array {
  let bytes = source.slice();
  const steps = 1 + rng.int(3);
  for (let s = 0; s < steps; s++) {
    const n = headerLength(bytes);
    switch (rng.int(9)) {
      case 8: { // byte flips in the data section only: the file stays valid, the values change
        for (let k = 1 + rng.int(8); k > 0 && bytes.length > 8 + n; k--) bytes[8 + n + rng.int(bytes.length - 8 - n)]! ^= 1 + rng.int(255);
        break;
      }
      case 0: // byte flips anywhere
      case 1: { // byte flips in the header
        const inHeader = s % 2 === 1 && n > 0;
        for (let k = 1 + rng.int(8); k > 0 && bytes.length; k--) {
          const at = inHeader ? 8 + rng.int(Math.min(n, bytes.length - 8) || 1) : rng.int(bytes.length);
          // header flips stay within ASCII, so most reach the JSON parser instead of the UTF-8 check
          if (at < bytes.length) bytes[at]! ^= 1 + rng.int(inHeader ? 127 : 255);
        }
        break;
      }
      case 2: // truncate
        bytes = bytes.slice(0, rng.int(bytes.length + 1));
        break;
      case 3: { // extend
        const tail = Uint8Array.from({ length: 1 + rng.int(16) }, () => rng.int(256));
        const out = new Uint8Array(bytes.length + tail.length);
        out.set(bytes);
        out.set(tail, bytes.length);
        bytes = out;
        break;
      }
      case 4: { // header length field
        if (bytes.length < 8) break;
        const choices = [0n, 1n, 7n, BigInt(n) - 1n, BigInt(n) + 1n, BigInt(n) + 8n, BigInt(bytes.length - 8), BigInt(bytes.length), 2n ** 32n, 2n ** 53n, 2n ** 64n - 1n, 100_000_000n, 100_000_001n, BigInt(rng.nextU32())];
        const v = pick(rng, choices);
        new DataView(bytes.buffer).setBigUint64(0, v < 0n ? 0n : v, true);
        break;
      }
      case 5:
      case 6:
        bytes = jsonEdit(bytes, rng);
        break;
      case 7:
        bytes = textEdit(bytes, rng);
    }
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// what an accepted file must satisfy

function checkConsistent(file: SafetensorsFile, bytes: Uint8Array): void {
  const h = file.header;
  expect(h.dataStart).toBe(8 + h.headerLength);
  expect(h.dataStart + h.dataLength).toBe(bytes.length);
  let covered = 0;
  for (const info of h.tensors) {
    expect(info.dataOffsets[0]).toBe(covered);
    covered = info.dataOffsets[1];
    const t = file.tensor(info.name);
    const count = t.shape.reduce((a, b) => a * b, 1);
    expect(t.bytes.length).toBe((count * BITS[t.dtype]!) / 8);
    expect(t.bytes.byteOffset).toBe(bytes.byteOffset + h.dataStart + info.dataOffsets[0]);
    expect(t.data.byteLength).toBe(t.bytes.length);
    let touched = 0;
    for (let i = 0; i < t.data.length; i++) touched += t.data[i] === undefined ? 1 : 0; // reads every element
    expect(touched).toBe(0);
  }
  expect(covered).toBe(h.dataLength);
  expect(file.tensors.size).toBe(h.tensors.length);
  for (const v of Object.values(file.metadata)) expect(typeof v).toBe('string');
}

function run(label: string, source: Uint8Array, iterations: number, seed: number, parse: (b: Uint8Array) => void) {
  const rng = new Rng(seed);
  let accepted = 0;
  let slowest = 0;
  for (let i = 0; i < iterations; i++) {
    const bytes = mutate(source, rng);
    const start = performance.now();
    try {
      parse(bytes);
      accepted++;
    } catch (error) {
      if (!(error instanceof ModelFileError)) {
        throw new Error(`${label} iteration ${i} (seed ${seed}) threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`, { cause: error });
      }
    }
    slowest = Math.max(slowest, performance.now() - start);
  }
  return { accepted, rejected: iterations - accepted, slowest };
}

describe('fuzz', () => {
  it('readSafetensors: 5,000 mutated files parse consistently or throw ModelFileError', () => {
    const r = run('readSafetensors', base, 5000, 1, (bytes) => checkConsistent(readSafetensors(bytes), bytes));
    // both outcomes must occur, or the mutations are not exercising the parser
    expect(r.accepted).toBeGreaterThan(100);
    expect(r.rejected).toBeGreaterThan(2500);
    expect(r.slowest).toBeLessThan(250); // no input is pathologically slow
  });

  it('readSafetensors on unaligned copies and with copy: true', () => {
    run('unaligned', base, 500, 2, (bytes) => {
      const shifted = new Uint8Array(bytes.length + 3).subarray(3);
      shifted.set(bytes);
      checkConsistent(readSafetensors(shifted), shifted);
      checkConsistent(readSafetensors(bytes, { copy: true }), bytes);
    });
  });

  it('decodeModelFile: 1,500 mutated model files decode or throw ModelFileError', () => {
    const r = run('decodeModelFile', modelBase, 1500, 3, (bytes) => {
      const model = decodeModelFile(bytes, { expectShapes });
      for (const p of model.params.values()) expect(p.data.length).toBe(p.shape.reduce((a, b) => a * b, 1));
    });
    expect(r.accepted).toBeGreaterThan(20);
  });
});
