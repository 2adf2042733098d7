// Labelled text collections from the formats sentiment data comes in: the Kaggle IMDB CSV, the aclImdb
// tarball, and generic CSV/TSV/JSONL tables with any number of classes.

import { DataError } from '../errors.js';
import { csvRows, SkipCounter, type BadRowPolicy } from './csv.js';
import { chunks, concat, decodedBytes, lines, type DataInput } from './input.js';

export interface Example {
  text: string;
  /** Class index into the set's `labels`. */
  label: number;
  /** aclImdb: the star rating from the file name (1–4 negative, 7–10 positive). */
  rating?: number;
  /** aclImdb: the review id from the file name. */
  id?: number;
  /** aclImdb: the folder the review came from. */
  split?: 'train' | 'test';
}

export interface LabeledSet {
  examples: Example[];
  /** Class names; `examples[i].label` indexes this. */
  labels: string[];
  /** Rows skipped with `onBadRow: 'skip'`, and the first reasons. */
  skipped: number;
  skippedReasons: string[];
}

export interface DataReadOptions extends BadRowPolicy {
  /** Named in error messages. */
  file?: string;
  /** Stop after this many examples. */
  limit?: number;
}

/** The IMDB labels: 0 negative, 1 positive. */
export const SENTIMENT_LABELS = ['negative', 'positive'];

/** The Kaggle-style IMDB CSV: header `review,sentiment`, values `positive`/`negative`. */
export async function readImdbCsv(input: DataInput, options: DataReadOptions = {}): Promise<LabeledSet> {
  return readTable(input, { ...options, format: 'csv', textColumn: 'review', labelColumn: 'sentiment', labels: SENTIMENT_LABELS });
}

export interface TableOptions extends DataReadOptions {
  format: 'csv' | 'tsv' | 'jsonl';
  textColumn: string;
  labelColumn: string;
  /** Class names in index order; unknown values are bad rows. Default: in order of first appearance. */
  labels?: string[];
  /** TSV only: read quotes as text (default true for tsv: GLUE-style files are not quoted). */
  quoteless?: boolean;
  encoding?: string;
}

/** A table with one text column and one label column, any number of classes. */
export async function readTable(input: DataInput, options: TableOptions): Promise<LabeledSet> {
  const { file, textColumn, labelColumn } = options;
  const skipped = new SkipCounter();
  const labels = options.labels ? [...options.labels] : [];
  const known = new Map(labels.map((l, i) => [l, i]));
  const fixed = options.labels !== undefined;
  const examples: Example[] = [];
  const bad = (message: string, line: number, field?: string) => {
    if (options.onBadRow === 'skip') skipped.add(`line ${line}: ${field ? `field "${field}": ` : ''}${message}`);
    else throw new DataError(message, { file, line, field }, "fix the row, or pass { onBadRow: 'skip' } to skip and count bad rows");
  };
  const add = (record: Record<string, unknown>, line: number) => {
    const text = record[textColumn];
    const label = record[labelColumn];
    if (typeof text !== 'string') return bad(text === undefined ? 'missing' : 'not text', line, textColumn);
    if (label === undefined || label === null || label === '') return bad('missing', line, labelColumn);
    const name = String(label).trim();
    let index = known.get(name);
    if (index === undefined) {
      if (fixed) return bad(`unknown label ${JSON.stringify(name)} (expected ${labels.join(', ')})`, line, labelColumn);
      index = labels.length;
      labels.push(name);
      known.set(name, index);
    }
    examples.push({ text, label: index });
  };
  if (options.format === 'jsonl') {
    for await (const { text, line } of lines(input, { file, encoding: options.encoding })) {
      if (!text.trim()) continue;
      let record: unknown;
      try {
        record = JSON.parse(text);
      } catch (err) {
        bad(`not valid JSON: ${(err as Error).message}`, line);
        continue;
      }
      if (!record || typeof record !== 'object' || Array.isArray(record)) {
        bad('a line must hold one JSON object', line);
        continue;
      }
      add(record as Record<string, unknown>, line);
      if (options.limit !== undefined && examples.length >= options.limit) break;
    }
  } else {
    const tsv = options.format === 'tsv';
    const rows = csvRows(input, {
      file, onBadRow: options.onBadRow, encoding: options.encoding,
      delimiter: tsv ? '\t' : ',', quote: tsv && (options.quoteless ?? true) ? false : '"',
    }, skipped);
    for await (const { fields, line } of rows) {
      if (!(textColumn in fields)) throw new DataError(`no column "${textColumn}"`, { file, line: 1, field: textColumn }, `columns: ${Object.keys(fields).join(', ')}`);
      if (!(labelColumn in fields)) throw new DataError(`no column "${labelColumn}"`, { file, line: 1, field: labelColumn }, `columns: ${Object.keys(fields).join(', ')}`);
      add(fields, line);
      if (options.limit !== undefined && examples.length >= options.limit) break;
    }
  }
  return { examples, labels, skipped: skipped.count, skippedReasons: skipped.reasons };
}

/**
 * The aclImdb tarball (or its .tar.gz): `aclImdb/{train,test}/{pos,neg}/<id>_<rating>.txt`; the
 * unlabelled `unsup` reviews and every other file are ignored. Streams the archive entry by entry.
 * Every example is `{ text, label, rating, id, split }` (label 1 = pos); each set is ordered by
 * (label, id), whatever the order inside the archive.
 */
export async function readAclImdb(input: DataInput, options: DataReadOptions = {}): Promise<{ train: LabeledSet; test: LabeledSet }> {
  const sets = { train: emptySet(), test: emptySet() };
  const { createTarDecoder } = await import('modern-tar'); // loaded on first use
  const decoder = createTarDecoder();
  const entries = (await decodedBytes(input, options.file)).pipeThrough(decoder);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for await (const entry of chunks(entries)) {
    const match = /(?:^|\/)(train|test)\/(pos|neg)\/(\d+)_(\d+)\.txt$/.exec(entry.header.name);
    if (!match || entry.header.type === 'directory') {
      await entry.body.cancel();
      continue;
    }
    const parts: Uint8Array[] = [];
    for await (const part of chunks(entry.body)) parts.push(part);
    let text: string;
    try {
      text = utf8.decode(concat(parts));
    } catch {
      throw new DataError('not valid UTF-8', { file: options.file, field: entry.header.name });
    }
    const split = match[1] as 'train' | 'test';
    const set = sets[split];
    if (options.limit !== undefined && set.examples.length >= options.limit) continue;
    set.examples.push({ text, label: match[2] === 'pos' ? 1 : 0, rating: Number(match[4]), id: Number(match[3]), split });
  }
  // archive order is by name; sort by (label, id) so the order does not depend on how it was packed
  for (const set of [sets.train, sets.test]) set.examples.sort((a, b) => a.label - b.label || a.id! - b.id!);
  return sets;
}

function emptySet(): LabeledSet {
  return { examples: [], labels: [...SENTIMENT_LABELS], skipped: 0, skippedReasons: [] };
}

/** UCI Sentiment Labelled Sentences: `sentence<TAB>score`, split at the LAST tab (sentences hold quotes). */
export async function readTabSeparatedPairs(input: DataInput, options: DataReadOptions = {}): Promise<LabeledSet> {
  const examples: Example[] = [];
  const skipped = new SkipCounter();
  for await (const { text, line } of lines(input, { file: options.file })) {
    if (!text.trim()) continue;
    const tab = text.lastIndexOf('\t');
    const label = tab < 0 ? NaN : Number(text.slice(tab + 1).trim());
    if (tab < 0 || !(label === 0 || label === 1)) {
      const message = tab < 0 ? 'no TAB before the label' : `label must be 0 or 1, got ${JSON.stringify(text.slice(tab + 1))}`;
      if (options.onBadRow === 'skip') skipped.add(`line ${line}: ${message}`);
      else throw new DataError(message, { file: options.file, line, field: 'label' });
      continue;
    }
    examples.push({ text: text.slice(0, tab).trim(), label });
    if (options.limit !== undefined && examples.length >= options.limit) break;
  }
  return { examples, labels: [...SENTIMENT_LABELS], skipped: skipped.count, skippedReasons: skipped.reasons };
}
