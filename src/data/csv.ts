// CSV/TSV rows, streamed through csv-parse. Malformed rows become DataErrors naming file, line and
// field, or are skipped and counted.
//
// Which csv-parse build: no single one runs everywhere.
//   - `csv-parse/stream` is a WHATWG TransformStream, but it imports `node:stream/web` and uses the
//     global Buffer: Node, Deno and Bun have both (and it is ~2.5× faster there), browsers do not.
//   - `csv-parse/browser/esm` carries its own stream and Buffer polyfills, so it needs no Node module
//     and runs in browsers and Workers; but its Buffer polyfill sets `__proto__`, which Deno lacks
//     ("that.write is not a function").
// So runtimes with Node's globals load the stream build lazily, by a name bundlers do not follow (a
// browser bundle never sees a node: import), and fall back to the browser build if it cannot load;
// everywhere else the browser build runs. Both are the same parser core with the same options.

import type { CsvError } from 'csv-parse/browser/esm';
import { DataError } from '../errors.js';
import { chunks, decodedBytes, textChunks, type DataInput } from './input.js';

export interface BadRowPolicy {
  /** 'throw' (default): the first bad row ends the read with a DataError. 'skip': bad rows are counted. */
  onBadRow?: 'throw' | 'skip';
}

export interface CsvOptions extends BadRowPolicy {
  /** Named in error messages. */
  file?: string;
  /** Default ','. */
  delimiter?: string;
  /** Default '"'; false reads quote characters as text (e.g. TSV files with stray quotes). */
  quote?: string | false;
  /** Default 'utf-8'. */
  encoding?: string;
}

export interface CsvRow {
  fields: Record<string, string>;
  /** 1-based line where the record starts (a quoted field may hold line breaks). */
  line: number;
  /** 1-based line where the record ends. */
  endLine: number;
}

/** Where skipped rows are counted, with the first few reasons kept for a report. */
export class SkipCounter {
  count = 0;
  readonly reasons: string[] = [];

  add(reason: string): void {
    this.count++;
    if (this.reasons.length < 10) this.reasons.push(reason);
  }
}

/** Rows of a CSV with a header line, as objects keyed by column name. */
export async function* csvRows(input: DataInput, options: CsvOptions = {}, skipped = new SkipCounter()): AsyncGenerator<CsvRow> {
  const file = options.file;
  const skip = options.onBadRow === 'skip';
  const parserOptions = {
    columns: true,
    info: true,
    bom: true,
    delimiter: options.delimiter ?? ',',
    quote: options.quote === false ? null : (options.quote ?? '"'),
    skip_empty_lines: true,
    // rows with too few or too many fields come through with info.error: reported below with the field name
    relax_column_count: true,
    skip_records_with_error: skip,
    on_skip: (err: CsvError | undefined) => {
      const column = (err as { column?: unknown } | undefined)?.column;
      skipped.add(err ? `line ${lineOf(err)}: ${typeof column === 'string' ? `field "${column}": ` : ''}${err.message}` : 'unreadable row');
      return undefined;
    },
  };
  const streamBuild = await loadStreamBuild();
  const records = streamBuild ? streamRecords(streamBuild, input, parserOptions, options) : eventRecords(input, parserOptions, options);
  // csv-parse reports the line where a record ends; it starts after the previous record and any
  // empty lines skipped since (the header is line 1)
  let previousEnd = 1;
  let previousEmpty = 0;
  try {
    for await (const { record, info } of records) {
      const line = previousEnd + 1 + (info.empty_lines - previousEmpty);
      previousEnd = info.lines;
      previousEmpty = info.empty_lines;
      const inconsistent = info.error;
      if (inconsistent) {
        const expected = info.columns.length;
        const got = inconsistent.record?.length ?? 0;
        const missing = typeof inconsistent.column === 'string' && got < expected;
        const message = missing
          ? `missing: the row has ${got} of the header's ${expected} fields`
          : `the row has ${got} fields, the header ${expected}`;
        const field = missing ? (inconsistent.column as string) : undefined;
        if (!skip) throw new DataError(message, { file, line, field }, BAD_ROW_HINT);
        skipped.add(`line ${line}: ${field ? `field "${field}": ` : ''}${message}`);
        continue;
      }
      yield { fields: record, line, endLine: info.lines };
    }
  } catch (err) {
    throw toDataError(err, file);
  }
}

interface ParsedRecord {
  record: Record<string, string>;
  info: RecordInfo;
}

type StreamBuild = { parse: (options: object) => TransformStream<Uint8Array, ParsedRecord> };

// a name bundlers do not resolve (see the top of the file)
const CSV_STREAM_BUILD = 'csv-parse/stream';
let streamBuild: Promise<StreamBuild | undefined> | undefined;

/** csv-parse's WHATWG build where the runtime has Node's globals (Node, Deno, Bun), else undefined. */
function loadStreamBuild(): Promise<StreamBuild | undefined> {
  const g = globalThis as { process?: { versions?: { node?: unknown } }; Buffer?: unknown; navigator?: { userAgent?: unknown } };
  const nodeLike = typeof g.process?.versions?.node === 'string' && typeof g.Buffer === 'function' && g.navigator?.userAgent !== 'Cloudflare-Workers';
  if (!nodeLike) return Promise.resolve(undefined);
  streamBuild ??= import(/* @vite-ignore */ CSV_STREAM_BUILD).then((m: StreamBuild) => m, () => undefined);
  return streamBuild;
}

/** Records from csv-parse's browser build (event emitter): queued, with the feeder paused while many wait. */
async function* eventRecords(input: DataInput, parserOptions: object, options: CsvOptions): AsyncGenerator<ParsedRecord> {
  // loaded on first use, so code that never reads a CSV (an edge function predicting) never loads it
  const { parse } = await import('csv-parse/browser/esm');
  const parser = parse(parserOptions);
  const queue: ParsedRecord[] = [];
  let head = 0;
  let failure: unknown;
  let ended = false;
  let stopped = false; // the consumer left early: stop feeding
  let wake: (() => void) | undefined;
  let resumeFeeder: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  parser.on('data', (r: ParsedRecord) => {
    queue.push(r);
    notify();
  });
  parser.on('error', (err: unknown) => {
    failure ??= err;
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });
  const feeding = (async () => {
    try {
      for await (const text of textChunks(input, { file: options.file, encoding: options.encoding })) {
        while (queue.length - head > MAX_QUEUED && !failure && !stopped) await new Promise<void>((resolve) => (resumeFeeder = resolve));
        if (failure || stopped) return;
        if (!parser.write(text)) await new Promise<void>((resolve) => parser.once('drain', resolve));
      }
      parser.end();
    } catch (err) {
      failure ??= err;
      notify();
    }
  })();
  try {
    for (;;) {
      if (head < queue.length) {
        const row = queue[head++]!;
        if (head > 4096) {
          queue.splice(0, head);
          head = 0;
        }
        if (resumeFeeder && queue.length - head <= MAX_QUEUED / 2) {
          resumeFeeder();
          resumeFeeder = undefined;
        }
        yield row;
      } else if (failure) {
        throw failure;
      } else if (ended) {
        return;
      } else {
        await new Promise<void>((resolve) => (wake = resolve));
      }
    }
  } finally {
    stopped = true;
    resumeFeeder?.();
    await feeding;
  }
}

/** Records from csv-parse's WHATWG build: UTF-8 bytes in, records out, with the stream's own backpressure. */
async function* streamRecords(build: StreamBuild, input: DataInput, parserOptions: object, options: CsvOptions): AsyncGenerator<ParsedRecord> {
  const encoding = (options.encoding ?? 'utf-8').toLowerCase();
  let bytes: ReadableStream<Uint8Array>;
  if (encoding === 'utf-8' || encoding === 'utf8') {
    bytes = await decodedBytes(input, options.file);
  } else {
    // csv-parse decodes UTF-8 (and Node's few encodings): other encodings are decoded here and re-encoded
    const text = textChunks(input, { file: options.file, encoding });
    const encoder = new TextEncoder();
    bytes = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await text.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      async cancel() {
        await text.return(undefined);
      },
    });
  }
  yield* chunks(bytes.pipeThrough(build.parse(parserOptions)));
}

/** Rows parsed ahead of the consumer before the feeder pauses. */
const MAX_QUEUED = 8192;

const BAD_ROW_HINT = "fix the row, or pass { onBadRow: 'skip' } to skip and count bad rows";

/** What csv-parse's `info: true` gives with each record (the fields used here). */
interface RecordInfo {
  lines: number;
  empty_lines: number;
  columns: { name: string }[];
  /** With relax_column_count: the inconsistent-columns error of this record. */
  error?: { code: string; column?: string | null; record?: string[] };
}

function lineOf(err: CsvError): number | undefined {
  return (err as unknown as { lines?: number }).lines;
}

function toDataError(err: unknown, file?: string): Error {
  if (err instanceof DataError) return err;
  const csv = err as CsvError & { lines?: number; code?: string };
  if (csv && typeof csv.code === 'string' && csv.code.startsWith('CSV_')) {
    const field = typeof (csv as { column?: unknown }).column === 'string' ? (csv as unknown as { column: string }).column : undefined;
    return new DataError(csv.message, { file, line: csv.lines, field }, BAD_ROW_HINT, { cause: err });
  }
  return err instanceof Error ? err : new DataError(String(err), { file });
}
