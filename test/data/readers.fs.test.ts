import { gunzipSync, gzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { csvRows, DataError, readImdbCsv, readTable, readTabSeparatedPairs } from '../../dist/index.js';
import { readAclImdbFile, readImdbCsvFile, readTableFile } from '../../dist/node.js';
import { ACLIMDB_TAR, IMDB_CSV, IMDB_INDEX, sharedData } from '../helpers/shared.js';

// the index lists every CSV row: row, source (aclImdb/<split>/<pos|neg>/<id>_<rating>.txt), split, sentiment, rating
const index = gunzipSync(readFileSync(IMDB_INDEX)).toString('utf8').trim().split('\n').slice(1).map((line) => {
  const [row, source, split, sentiment, rating] = line.split('\t');
  return { row: Number(row), source: source!, split: split!, sentiment: sentiment!, rating: Number(rating) };
});

// Reading all 50,000 rows through csv-parse takes ~7 s on CI's shared cores; by default the test reads a
// prefix (every label checked against the index) and SEQWASM_FULL_DATA=1 reads the whole file.
const FULL = Boolean(process.env.SEQWASM_FULL_DATA);
const ROWS = FULL ? index.length : 4_000;

describe('IMDB CSV', () => {
  it(`reads ${FULL ? 'all 50,000' : 'the first 4,000'} reviews with the labels the index gives`, async () => {
    const set = await readImdbCsvFile(IMDB_CSV, FULL ? {} : { limit: ROWS });
    expect(set.examples.length).toBe(ROWS);
    expect(set.labels).toEqual(['negative', 'positive']);
    expect(set.skipped).toBe(0);
    const expected = index.slice(0, ROWS).map((r) => (r.sentiment === 'positive' ? 1 : 0));
    expect(set.examples.map((e) => e.label)).toEqual(expected);
    expect(set.examples.filter((e) => e.label === 1).length).toBe(expected.filter((l) => l === 1).length);
    expect(set.examples.some((e) => e.text.includes('<br />'))).toBe(true); // HTML kept inside quoted fields
    expect(set.examples.some((e) => e.text.includes('"'))).toBe(true); // "" unescaped
    expect(Object.keys(set.examples[0]!).sort()).toEqual(['label', 'text']);
  });

  it('agrees with the aclImdb tarball on the same reviews', async () => {
    const [csv, tar] = await Promise.all([readImdbCsvFile(IMDB_CSV, { limit: 300 }), readAclImdbFile(ACLIMDB_TAR)]);
    const byKey = new Map<string, string>();
    for (const split of ['train', 'test'] as const) {
      for (const e of tar[split].examples) byKey.set(`aclImdb/${split}/${e.label ? 'pos' : 'neg'}/${e.id}_${e.rating}.txt`, e.text);
    }
    for (let i = 0; i < 300; i++) expect(csv.examples[i]!.text).toBe(byKey.get(index[i]!.source));
    // ratings from the file names: 7–10 positive, 1–4 negative
    for (const e of tar.train.examples) expect(e.label ? e.rating! >= 7 : e.rating! <= 4).toBe(true);
    expect(tar.train.examples.length).toBe(25_000);
    expect(tar.test.examples.length).toBe(25_000);
    expect(tar.test.examples.filter((e) => e.label === 1).length).toBe(12_500);
    expect(tar.train.examples.every((e) => e.split === 'train')).toBe(true);
    expect(tar.test.examples.every((e) => e.split === 'test')).toBe(true);
    expect(Object.keys(tar.test.examples[0]!).sort()).toEqual(['id', 'label', 'rating', 'split', 'text']);
  });
});

// csv-parse's stream build runs in Node, Deno and Bun, its browser build in browsers and Workers (see
// src/data/csv.ts); hiding the global Buffer makes the reader take the browser build here, so both are tested
// (not in Deno, which cannot run the browser build: the reason the stream build exists there).
const builds = 'Deno' in globalThis ? (['stream'] as const) : (['stream', 'browser'] as const);
describe.each(builds)('CSV and tables through csv-parse\'s %s build', (build) => {
  beforeAll(() => {
    if (build === 'browser') vi.stubGlobal('Buffer', undefined);
  });
  afterAll(() => {
    vi.unstubAllGlobals();
  });

  it('reads the same first 300 IMDB rows as the index says', async () => {
    const set = await readImdbCsv(new Blob([readFileSync(IMDB_CSV)]), { limit: 300 });
    expect(set.examples.map((e) => e.label)).toEqual(index.slice(0, 300).map((r) => (r.sentiment === 'positive' ? 1 : 0)));
    expect(set.examples.filter((e) => e.text.includes('"')).length).toBeGreaterThan(10);
  });

  it('names file, line and field for a bad row, or skips and counts it', async () => {
    const text = 'review,sentiment\n"fine",positive\n"odd",maybe\n"short"\n"ok",negative\n';
    const err = await readImdbCsv(text, { file: 'mini.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe('mini.csv');
    expect((err as DataError).line).toBe(3);
    expect((err as DataError).field).toBe('sentiment');
    expect(String(err)).toMatch(/mini\.csv:3: field "sentiment": unknown label "maybe"/);
    const skipped = await readImdbCsv(text, { onBadRow: 'skip' });
    expect(skipped.examples.map((e) => e.text)).toEqual(['fine', 'ok']);
    expect(skipped.skipped).toBe(2);
    const reasons = skipped.skippedReasons.join(' / ');
    expect(reasons).toMatch(/line 3: field "sentiment": unknown label/);
    expect(reasons).toMatch(/line 4: field "sentiment": missing: the row has 1 of the header's 2 fields/);
  });

  it('names the missing field of a short row, the start line of a multi-line record, and too many fields', async () => {
    const text = 'review,sentiment\n"two\nlines",positive\n\n"three\n\nlines",negative\n"short"\n';
    const short = await readImdbCsv(text, { file: 's.csv' }).catch((e: unknown) => e);
    expect(short).toBeInstanceOf(DataError);
    expect([(short as DataError).line, (short as DataError).field]).toEqual([8, 'sentiment']);
    expect(String(short)).toMatch(/^DataError: s\.csv:8: field "sentiment": missing/);
    const bad = await readImdbCsv('review,sentiment\n"a\nb",positive\n"c\nd",good\n', { file: 'b.csv' }).catch((e: unknown) => e);
    expect([(bad as DataError).line, (bad as DataError).field]).toEqual([4, 'sentiment']); // where the record starts
    const wide = await readImdbCsv('review,sentiment\nx,positive\ny,negative,extra\n', { file: 'w.csv' }).catch((e: unknown) => e);
    expect(String(wide)).toMatch(/w\.csv:3: the row has 3 fields, the header 2/);
    const rows: number[] = [];
    await expect((async () => {
      for await (const row of csvRows('a,b\n1,2\n3\n4,5\n')) rows.push(row.line);
    })()).rejects.toThrow(/^3: field "b": missing/);
    expect(rows).toEqual([2]); // nothing after the bad row is delivered
  });

  it('reports an unterminated quote with its line', async () => {
    const err = await readImdbCsv('review,sentiment\n"good",positive\n"never closed,negative\n', { file: 'q.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/q\.csv:\d+/);
  });

  it('takes gzip or plain bytes alike', async () => {
    const text = 'review,sentiment\n"a, b",positive\nc,negative\n';
    const plain = await readImdbCsv(new TextEncoder().encode(text));
    const zipped = await readImdbCsv(gzipSync(text));
    expect(zipped.examples).toEqual(plain.examples);
    expect(plain.examples[0]!.text).toBe('a, b');
  });

  it('CSV, TSV and JSONL with three classes, labels in first-seen or given order', async () => {
    const csv = await readTable('t,y\nx1,b\nx2,a\nx3,c\nx4,a\n', { format: 'csv', textColumn: 't', labelColumn: 'y' });
    expect(csv.labels).toEqual(['b', 'a', 'c']);
    expect(csv.examples.map((e) => e.label)).toEqual([0, 1, 2, 1]);
    const tsv = await readTable('t\ty\nsay "hi\tc\nbye\ta\n', { format: 'tsv', textColumn: 't', labelColumn: 'y', labels: ['a', 'b', 'c'] });
    expect(tsv.examples).toEqual([{ text: 'say "hi', label: 2 }, { text: 'bye', label: 0 }]);
    const jsonl = await readTable('{"t":"x","y":2}\n\n{"t":"z","y":0}\nnot json\n', { format: 'jsonl', textColumn: 't', labelColumn: 'y', onBadRow: 'skip' });
    expect(jsonl.examples.length).toBe(2);
    expect(jsonl.skipped).toBe(1);
    const missing = await readTable('t,y\nx,\n', { format: 'csv', textColumn: 't', labelColumn: 'y', file: 'm.csv' }).catch((e: unknown) => e);
    expect(String(missing)).toMatch(/m\.csv:2: field "y": missing/);
    const noColumn = await readTable('a,b\nx,y\n', { format: 'csv', textColumn: 't', labelColumn: 'b' }).catch((e: unknown) => e);
    expect(String(noColumn)).toMatch(/no column "t"/);
  });

  it('three classes from real sentences: UCI by source, written as CSV, TSV and JSONL files and read back', async () => {
    const sources = ['amazon_cells', 'imdb', 'yelp'];
    const rows = sources.flatMap((source) => readFileSync(sharedData(`uci-sentiment-labelled-sentences/sentiment labelled sentences/${source}_labelled.txt`), 'utf8')
      .split('\n').filter((l) => l.trim()).map((l) => ({ text: l.slice(0, l.lastIndexOf('\t')).trim(), source })));
    expect(rows.length).toBe(3000);
    const dir = mkdtempSync(join(tmpdir(), 'seqwasm-tables-'));
    try {
      const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
      writeFileSync(join(dir, 'uci.csv'), `text,source\n${rows.map((r) => `${quote(r.text)},${r.source}`).join('\n')}\n`);
      writeFileSync(join(dir, 'uci.tsv.gz'), gzipSync(`text\tsource\n${rows.map((r) => `${r.text}\t${r.source}`).join('\n')}\n`));
      writeFileSync(join(dir, 'uci.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
      for (const [file, format] of [['uci.csv', 'csv'], ['uci.tsv.gz', 'tsv'], ['uci.jsonl', 'jsonl']] as const) {
        const set = await readTableFile(join(dir, file), { format, textColumn: 'text', labelColumn: 'source', labels: ['yelp', 'imdb', 'amazon_cells'] });
        expect(set.labels).toEqual(['yelp', 'imdb', 'amazon_cells']);
        expect(set.examples.map((e) => e.text)).toEqual(rows.map((r) => r.text));
        expect([0, 1, 2].map((c) => set.examples.filter((e) => e.label === c).length)).toEqual([1000, 1000, 1000]);
        expect(set.examples[0]!.label).toBe(2); // amazon first in the file
      }
      const firstSeen = await readTableFile(join(dir, 'uci.jsonl'), { format: 'jsonl', textColumn: 'text', labelColumn: 'source' });
      expect(firstSeen.labels).toEqual(sources);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads SST-2 (GLUE TSV), UCI (last-TAB split) and MR (Windows-1252)', async () => {
    const sst = await readTableFile(sharedData('sst2/SST-2/dev.tsv'), { format: 'tsv', textColumn: 'sentence', labelColumn: 'label', labels: ['0', '1'] });
    expect(sst.examples.length).toBe(872);
    expect(sst.examples.filter((e) => e.label === 1).length).toBe(444);
    const uci = await readTabSeparatedPairs(readFileSync(sharedData('uci-sentiment-labelled-sentences/sentiment labelled sentences/imdb_labelled.txt')));
    expect(uci.examples.length).toBe(1000);
    expect(uci.examples.filter((e) => e.label === 1).length).toBe(500);
    expect(uci.examples.some((e) => e.text.includes('"'))).toBe(true);
    const pos = await readTable(
      new Blob([readFileSync(sharedData('mr-polarity/rt-polaritydata/rt-polarity.pos'))]).stream(),
      { format: 'jsonl', textColumn: 't', labelColumn: 'y', onBadRow: 'skip', encoding: 'windows-1252' },
    );
    expect(pos.skipped).toBe(5331); // not JSON: every line is counted as a bad row, none crash the reader
  });
});
