// Turning whatever a user has — text, bytes, a stream, a fetch Response, a Blob — into a byte stream,
// with gzip undone transparently (recognised by its magic bytes), then into text or lines.
// Only Web APIs: this runs in Node, Deno, Bun, browsers and Workers alike.

import { DataError } from '../errors.js';

export type DataInput = string | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | Response | Blob;

/** A byte stream of the input, undecompressed. */
export function byteStream(input: DataInput, file?: string): ReadableStream<Uint8Array> {
  if (typeof input === 'string') return streamOf(new TextEncoder().encode(input));
  if (input instanceof Uint8Array) return streamOf(input);
  if (input instanceof ArrayBuffer) return streamOf(new Uint8Array(input));
  if (typeof Response !== 'undefined' && input instanceof Response) {
    if (!input.ok) throw new DataError(`HTTP ${input.status} ${input.statusText}`, { file: file ?? input.url });
    if (!input.body) return streamOf(new Uint8Array(0));
    return input.body;
  }
  if (typeof Blob !== 'undefined' && input instanceof Blob) return input.stream() as ReadableStream<Uint8Array>;
  if (input && typeof (input as ReadableStream).getReader === 'function') return input as ReadableStream<Uint8Array>;
  throw new DataError('unsupported input: pass a string, Uint8Array, ArrayBuffer, ReadableStream, Response or Blob', { file });
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      if (bytes.length) controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * Chunks of a stream, for `for await` (ReadableStream's own async iterator is missing in some engines).
 * Leaving the loop early cancels the stream, so a file or a connection behind it is released.
 */
export async function* chunks<T>(stream: ReadableStream<T>): AsyncGenerator<T> {
  const reader = stream.getReader();
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** The bytes, gunzipped when they start with the gzip magic number (1f 8b). */
export async function decodedBytes(input: DataInput, file?: string): Promise<ReadableStream<Uint8Array>> {
  const reader = byteStream(input, file).getReader();
  // read until there are two bytes to look at (a chunk may hold a single byte)
  const head: Uint8Array[] = [];
  let have = 0;
  while (have < 2) {
    const { done, value } = await reader.read();
    if (done) break;
    head.push(value);
    have += value.length;
  }
  const first = concat(head);
  let restController!: ReadableStreamDefaultController<Uint8Array>;
  let stopped = false;
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      restController = controller;
      if (first.length) controller.enqueue(first);
    },
    async pull(controller) {
      if (stopped) return;
      const { done, value } = await reader.read();
      if (stopped) return;
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  if (first[0] !== 0x1f || first[1] !== 0x8b) return rest;
  const gunzipped = rest.pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>).getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await gunzipped.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    async cancel() {
      // Cancelling Node's DecompressionStream while zlib still has output makes Node throw an uncaught
      // "Controller is already closed" from inside its stream adapter. So a reader that stops early
      // ends the compressed input instead, and what zlib still holds is read and dropped.
      stopped = true;
      await reader.cancel().catch(() => undefined);
      try {
        restController.close();
      } catch {
        // already closed: the input had ended
      }
      void (async () => {
        try {
          while (!(await gunzipped.read()).done);
        } catch {
          // input cut short: the gzip stream ends with an error nobody is waiting for
        }
      })();
    },
  });
}

/** One Uint8Array of several. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Every byte of the (gunzipped) input. */
export async function readBytes(input: DataInput, file?: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of chunks(await decodedBytes(input, file))) parts.push(chunk);
  return concat(parts);
}

/** The (gunzipped) input as text chunks, decoded as UTF-8 or the given encoding. */
export async function* textChunks(input: DataInput, options: { file?: string; encoding?: string } = {}): AsyncGenerator<string> {
  const decoder = new TextDecoder(options.encoding ?? 'utf-8');
  for await (const bytes of chunks(await decodedBytes(input, options.file))) {
    const text = decoder.decode(bytes, { stream: true });
    if (text) yield text;
  }
  const tail = decoder.decode();
  if (tail) yield tail;
}

/** The (gunzipped) input line by line (LF or CRLF), with 1-based line numbers. */
export async function* lines(input: DataInput, options: { file?: string; encoding?: string } = {}): AsyncGenerator<{ text: string; line: number }> {
  let pending = '';
  let line = 0;
  for await (const text of textChunks(input, options)) {
    pending += text;
    let start = 0;
    for (;;) {
      const end = pending.indexOf('\n', start);
      if (end < 0) break;
      line++;
      yield { text: stripCr(pending.slice(start, end)), line };
      start = end + 1;
    }
    pending = pending.slice(start);
  }
  if (pending) yield { text: stripCr(pending), line: line + 1 };
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}
