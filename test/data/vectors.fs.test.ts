import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { countTokens, coverage, createTokenizer, DataError, readWordVectors, Vocabulary } from '../../dist/index.js';
import { readImdbCsvFile, readWordVectorsFile } from '../../dist/node.js';
import { GLOVE_TOP, IMDB_CSV } from '../helpers/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'seqwasm-vectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('word vectors', () => {
  const glove = readFileSync(GLOVE_TOP);

  it('reads GloVe: 2,717 words of dimension 100, the first one "the"', async () => {
    const all = await readWordVectorsFile(GLOVE_TOP);
    expect(all.dim).toBe(100);
    expect(all.words).toBe(2717);
    expect(all.lines).toBe(2717);
    expect(all.vectors!.size).toBe(2717);
    expect(Array.from(all.vectors!.get('the')!.subarray(0, 4))).toEqual([-0.038194, -0.24487, 0.72812, -0.39961].map(Math.fround));
  });

  it('prunes to a vocabulary, in vocabulary order, zero rows where no vector exists', async () => {
    const vocab = new Vocabulary(['<pad>', '<unk>', 'movie', 'qqqxq', 'the']);
    const v = await readWordVectors(glove, { vocab });
    expect(Array.from(v.found!)).toEqual([0, 0, 1, 0, 1]);
    expect(v.matrix!.length).toBe(5 * 100);
    expect(v.matrix!.subarray(300, 400).every((x) => x === 0)).toBe(true);
    expect(v.matrix![400]).toBe(Math.fround(-0.038194));
    expect(coverage(vocab, v.found!)).toEqual({ types: 2 / 3 });
  });

  it('covers about 77 % of the exercise tokens of IMDB reviews (first 100 tokens of 2,000 reviews)', async () => {
    const { examples } = await readImdbCsvFile(IMDB_CSV, { limit: 2000 });
    const tok = createTokenizer({ preset: 'exercise' });
    const counts = countTokens(examples.map((e) => tok.tokenize(e.text)));
    const vocab = Vocabulary.build(counts);
    const v = await readWordVectorsFile(GLOVE_TOP, { vocab });
    const c = coverage(vocab, v.found!, counts);
    expect(c.tokens).toBeGreaterThan(0.72);
    expect(c.tokens).toBeLessThan(0.82);
    expect(c.types).toBeLessThan(0.3); // the long tail of rare words is mostly missing
  });

  it('reads .gz and .zip files (built in a temp dir) and a word2vec header line', async () => {
    const gzPath = join(dir, 'glove.6B.100d.top2717.txt.gz');
    const zipPath = join(dir, 'glove.6B.zip');
    writeFileSync(gzPath, gzipSync(glove));
    writeFileSync(zipPath, zipSync({ 'readme.md': new TextEncoder().encode('hi'), 'glove.6B.50d.txt': new TextEncoder().encode('x 1\n'), 'glove.6B.100d.txt': glove }));
    const vocab = new Vocabulary(['<pad>', '<unk>', 'shut', 'the', 'nonexistentword', ',']);
    const plain = await readWordVectorsFile(GLOVE_TOP, { vocab });
    const gz = await readWordVectorsFile(gzPath, { vocab });
    const zip = await readWordVectorsFile(zipPath, { vocab, member: 'glove.6B.100d.txt' });
    for (const v of [gz, zip]) {
      expect([v.dim, v.words]).toEqual([100, 2717]);
      expect(v.matrix).toEqual(plain.matrix);
      expect(Array.from(v.found!)).toEqual([0, 0, 1, 1, 0, 1]);
    }
    const first = await readWordVectorsFile(zipPath); // the first .txt member
    expect([first.dim, first.words]).toEqual([1, 1]);
    const w2v = await readWordVectors(`2 3\nfoo 1 2 3\nbar 4 5 6\n`);
    expect(w2v.dim).toBe(3);
    expect(w2v.words).toBe(2); // the header line is not a word
    expect(Array.from(w2v.vectors!.get('bar')!)).toEqual([4, 5, 6]);
  });

  it('rejects a line of another dimension with its line number, and empty files', async () => {
    const err = await readWordVectors('a 1 2 3\nb 1 2\n', { file: 'v.txt' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/v\.txt:2: has 2 values, expected 3/);
    await expect(readWordVectors('a 1 x\n')).rejects.toThrow(/not a number/);
    await expect(readWordVectors('')).rejects.toThrow(/no vectors/);
    await expect(readWordVectors(zipSync({ 'a.bin': new Uint8Array([1]) }))).rejects.toThrow(/no \.txt member/);
  });
});
