import { describe, expect, it } from 'vitest';
import { Batcher, countTokens, coverage, createTokenizer, encodeExamples, stratifiedSplit, Vocabulary } from '../../dist/index.js';
import { readAclImdbFile, readWordVectorsFile } from '../../dist/node.js';
import { ACLIMDB_TAR, GLOVE_TOP } from '../helpers/shared.js';

// The README's Data example on the real files (../shared/data instead of the download cache, 2,000
// reviews per split, the 2,717-word GloVe prefix instead of the full file).
describe('README: Data', () => {
  it('runs end to end on the real files', async () => {
    const { train, test } = await readAclImdbFile(ACLIMDB_TAR, { limit: 2_000 });
    expect([train.examples.length, test.examples.length]).toEqual([2_000, 2_000]);
    const tok = createTokenizer({ preset: 'default' });
    const counts = countTokens(train.examples.map((e) => tok.tokenize(e.text)));
    const vocab = Vocabulary.build(counts, { minCount: 2, maxSize: 20_000 });
    expect(vocab.size).toBeGreaterThan(5_000);
    const glove = await readWordVectorsFile(GLOVE_TOP, { vocab });
    expect(glove.matrix!.length).toBe(vocab.size * 100);
    const c = coverage(vocab, glove.found!, counts);
    expect(c.tokens).toBeGreaterThan(0.7); // frequent words are in the top 2,717
    expect(c.types).toBeLessThan(c.tokens!);
    const split = stratifiedSplit(train.examples, { validation: 0.1, seed: 1 });
    expect(split.validation.length).toBe(200);
    const batcher = new Batcher(encodeExamples(split.train, tok, vocab), { batchSize: 32, seed: 1 });
    let rows = 0;
    for (const batch of batcher.epoch(0)) {
      expect(batch.T).toBeLessThanOrEqual(256);
      rows += batch.B;
    }
    expect(rows).toBe(split.train.length);
  });
});
