// Pretrained word vectors in the GloVe / word2vec text format (`word v1 … vD` per line; word2vec files
// may start with a `count dim` line), from .txt, .gz or .zip, streamed line by line and pruned to a
// vocabulary, with a coverage report.

import type { Unzip as UnzipType } from 'fflate';
import { DataError } from '../errors.js';
import { decodedBytes, lines, type DataInput } from './input.js';
import { PAD, UNK, type Vocabulary } from './vocab.js';

export interface WordVectorOptions {
  /** Named in error messages. */
  file?: string;
  /** Keep only the rows of this vocabulary's tokens (in its id order); others are skipped unparsed. */
  vocab?: Vocabulary;
  /** A .zip's member to read; default: the first member whose name ends in .txt. */
  member?: string;
}

export interface WordVectors {
  /** D: the vector width, detected from the first vector line. */
  dim: number;
  /** Vectors (words) in the file, whether kept or not; a word2vec header line is not counted. */
  words: number;
  /** The same as `words` (its first name). */
  lines: number;
  /** With a vocab: (V, D) rows in vocabulary order; zeros for padding, unknown and words without a vector. */
  matrix?: Float32Array;
  /** With a vocab: 1 where the vocabulary token got a vector. */
  found?: Uint8Array;
  /** Without a vocab: every vector by word. */
  vectors?: Map<string, Float32Array>;
}

export async function readWordVectors(input: DataInput, options: WordVectorOptions = {}): Promise<WordVectors> {
  const file = options.file;
  const vocab = options.vocab;
  let dim = 0;
  let count = 0;
  let matrix: Float32Array | undefined;
  const found = vocab ? new Uint8Array(vocab.size) : undefined;
  const vectors = vocab ? undefined : new Map<string, Float32Array>();
  for await (const { text, line } of vectorLines(input, options)) {
    if (!text) continue;
    const firstSpace = text.indexOf(' ');
    if (firstSpace <= 0) throw new DataError('expected "word v1 … vD"', { file, line });
    if (dim === 0 && line === 1 && /^\d+ \d+\s*$/.test(text)) continue; // word2vec header "count dim"
    const fields = countFields(text);
    if (dim === 0) {
      dim = fields - 1;
      if (dim < 1) throw new DataError('a vector line needs at least one number', { file, line });
      if (vocab) matrix = new Float32Array(vocab.size * dim);
    } else if (fields - 1 !== dim) {
      throw new DataError(`has ${fields - 1} values, expected ${dim} like the first vector`, { file, line });
    }
    count++;
    const word = text.slice(0, firstSpace);
    let target: Float32Array;
    if (vocab) {
      if (!vocab.has(word)) continue;
      const id = vocab.id(word);
      if (id === PAD || id === UNK || found![id]) continue; // a repeated word keeps its first vector
      found![id] = 1;
      target = matrix!.subarray(id * dim, (id + 1) * dim);
    } else {
      if (vectors!.has(word)) continue;
      target = new Float32Array(dim);
      vectors!.set(word, target);
    }
    let at = firstSpace + 1;
    for (let d = 0; d < dim; d++) {
      let end = text.indexOf(' ', at);
      if (end < 0) end = text.length;
      const value = Number(text.slice(at, end));
      if (!Number.isFinite(value)) throw new DataError(`value ${d + 1} is not a number: ${JSON.stringify(text.slice(at, end))}`, { file, line, field: word });
      target[d] = value;
      at = end + 1;
    }
  }
  if (dim === 0) throw new DataError('no vectors in the file', { file });
  return { dim, words: count, lines: count, ...(vocab ? { matrix: matrix!, found: found! } : { vectors: vectors! }) };
}

function countFields(text: string): number {
  let n = 1;
  for (let i = text.indexOf(' '); i >= 0; i = text.indexOf(' ', i + 1)) if (i + 1 < text.length) n++;
  return n;
}

/** Lines of a text, .gz or .zip vector file. */
async function* vectorLines(input: DataInput, options: WordVectorOptions): AsyncGenerator<{ text: string; line: number }> {
  const stream = await decodedBytes(input, options.file);
  const reader = stream.getReader();
  const first = await reader.read();
  const head = first.done ? new Uint8Array(0) : first.value;
  const rest = new ReadableStream<Uint8Array>({
    start(c) {
      if (head.length) c.enqueue(head);
      if (first.done) c.close();
    },
    async pull(c) {
      const { done, value } = await reader.read();
      if (done) c.close();
      else c.enqueue(value);
    },
  });
  const isZip = head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04;
  // fflate is loaded only for zip files
  yield* lines(isZip ? unzipMember(rest, options, await import('fflate')) : rest, { file: options.file });
}

/** The bytes of one member of a zip stream, inflated as they are pulled (fflate's streaming Unzip). */
function unzipMember(zip: ReadableStream<Uint8Array>, options: WordVectorOptions,
  { Unzip, UnzipInflate }: typeof import('fflate')): ReadableStream<Uint8Array> {
  const reader = zip.getReader();
  const unzip: UnzipType = new Unzip();
  unzip.register(UnzipInflate);
  const ready: Uint8Array[] = [];
  let chosen = false;
  let finished = false;
  let failure: Error | undefined;
  unzip.onfile = (member) => {
    const wanted = options.member ? member.name === options.member : member.name.endsWith('.txt');
    if (chosen || !wanted) return;
    chosen = true;
    member.ondata = (err, data, final) => {
      if (err) failure = new DataError(`zip member ${member.name}: ${err.message}`, { file: options.file });
      else if (data.length) ready.push(data);
      if (final) finished = true;
    };
    member.start();
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      // feed compressed chunks until the member yields bytes (or ends)
      while (!ready.length && !finished && !failure) {
        const { done, value } = await reader.read();
        try {
          unzip.push(done ? new Uint8Array(0) : value, done);
        } catch (err) {
          failure = new DataError(`not a readable zip: ${(err as Error).message}`, { file: options.file });
        }
        if (done && !finished && !failure) {
          failure = new DataError(chosen ? 'the zip ends inside its member' : options.member ? `no member ${options.member} in the zip` : 'no .txt member in the zip', { file: options.file });
        }
      }
      if (failure) return controller.error(failure);
      while (ready.length) controller.enqueue(ready.shift()!);
      if (finished) {
        controller.close();
        await reader.cancel();
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
}

export interface Coverage {
  /** Share of vocabulary words (padding and unknown excluded) that have a vector. */
  types: number;
  /** Share of corpus tokens whose word has a vector (needs the token counts). */
  tokens?: number;
}

/** How much of a vocabulary (and, with counts, of a corpus) pretrained vectors cover. */
export function coverage(vocab: Vocabulary, found: Uint8Array, counts?: ReadonlyMap<string, number>): Coverage {
  let have = 0;
  for (let id = 2; id < vocab.size; id++) have += found[id]!;
  const result: Coverage = { types: vocab.size > 2 ? have / (vocab.size - 2) : 0 };
  if (counts) {
    let all = 0;
    let covered = 0;
    for (const [token, n] of counts) {
      all += n;
      if (vocab.has(token) && found[vocab.id(token)]) covered += n;
    }
    result.tokens = all ? covered / all : 0;
  }
  return result;
}
