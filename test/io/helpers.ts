// Building safetensors files by hand, for tests that need exact bytes or deliberately broken files.
import { expect } from 'vitest';
import { ModelFileError } from '../../dist/index.js';

/** 8-byte little-endian length (default: the header's own length), the header text as UTF-8, the data. */
export function rawFile(header: string | Uint8Array, data: Uint8Array | number = 0, length?: bigint | number): Uint8Array {
  const h = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const d = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + h.length + d.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(length ?? h.length), true);
  out.set(h, 8);
  out.set(d, 8 + h.length);
  return out;
}

/** Little-endian bytes of float32 values. */
export function f32Bytes(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

/** Asserts that `run` throws a ModelFileError whose message matches. */
export function expectModelFileError(run: () => unknown, message: RegExp): void {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a ModelFileError').toBeInstanceOf(ModelFileError);
  expect((error as Error).message).toMatch(message);
}

/** Bitwise equality of two typed arrays' bytes (NaN payloads and -0 included). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}
