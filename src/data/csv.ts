// CSV/TSV rows, streamed, through csv-parse (its browser build: no Node streams needed, so it runs in
// every runtime). Malformed rows become DataErrors naming file and line, or are skipped and counted.

import type { CsvError } from 'csv-parse/browser/esm';
import { DataError } from '../errors.js';
import { textChunks, type DataInput } from './input.js';

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
  // loaded on first use, so code that never reads a CSV (an edge function predicting) never loads it
  const { parse } = await import('csv-parse/browser/esm');
  const parser = parse({
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
  });
  // csv-parse delivers records as events: queue them, and let the feeder wait while the queue is long
  const queue: CsvRow[] = [];
  let resumeFeeder: (() => void) | undefined;
  let head = 0;
  let failure: unknown;
  let ended = false;
  let stopped = false; // the consumer left early: stop feeding
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // csv-parse reports the line where a record ends; it starts after the previous record and any
  // empty lines skipped since (the header is line 1)
  let previousEnd = 1;
  let previousEmpty = 0;
  parser.on('data', (r: { record: Record<string, string>; info: RecordInfo }) => {
    if (failure) return; // throw mode: nothing after the first bad row is delivered
    const { info } = r;
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
      if (skip) skipped.add(`line ${line}: ${field ? `field "${field}": ` : ''}${message}`);
      else if (!failure) failure = new DataError(message, { file, line, field }, BAD_ROW_HINT);
      notify();
      return;
    }
    queue.push({ fields: r.record, line, endLine: info.lines });
    notify();
  });
  parser.on('error', (err: unknown) => {
    failure = err;
    notify();
  });
  parser.on('end', () => {
    ended = true;
    notify();
  });
  const feeding = (async () => {
    try {
      for await (const text of textChunks(input, { file, encoding: options.encoding })) {
        while (queue.length - head > MAX_QUEUED && !failure && !stopped) await new Promise<void>((resolve) => (resumeFeeder = resolve));
        if (failure || stopped) return;
        if (!parser.write(text)) await new Promise<void>((resolve) => parser.once('drain', resolve));
      }
      parser.end();
    } catch (err) {
      failure = err;
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
        throw toDataError(failure, file);
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
