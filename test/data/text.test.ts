import { describe, expect, it } from 'vitest';
import { ConfigError, countTokens, createTokenizer, DataError, encodeExamples, Rng, SequenceBatches, splitFirst, stratifiedSplit, Vocabulary } from '../../dist/index.js';

describe('tokenizers', () => {
  const review = "I didn't like it. It <br /><br />can't be 10/10! See http://x.co/a?b=c & www.y.org, A+ acting.";

  it('exercise preset: links out, non-letters to spaces, lowercase, single letters out, first 100 tokens', () => {
    const tok = createTokenizer({ preset: 'exercise' });
    expect(tok.tokenize(review)).toEqual(['didn', 'like', 'it', 'it', 'br', 'br', 'can', 'be', 'see', 'acting']);
    expect(tok.settings).toEqual({ preset: 'exercise', maxTokens: 100, truncate: 'head', headFraction: 0.5 });
    const long = Array.from({ length: 150 }, (_, i) => `w${'x'.repeat(i % 3)}${String.fromCharCode(97 + (i % 26))}`).join(' ');
    expect(tok.tokenize(long).length).toBe(100);
    expect(tok.tokenize(long)[0]).toBe(tok.tokenizeAll(long)[0]);
  });

  it('default preset keeps negations (GloVe-style contractions), numbers and !/?', () => {
    const tok = createTokenizer({ preset: 'default' });
    expect(tok.tokenize(review)).toEqual(['i', 'did', "n't", 'like', 'it', 'it', 'ca', "n't", 'be', '10', '10', '!', 'see', 'a', 'acting']);
    expect(tok.tokenize("Won't lie, it's NOT bad; we're fine’")).toEqual(['wo', "n't", 'lie', 'it', "'s", 'not', 'bad', 'we', "'re", 'fine']);
    // words that are also Object.prototype's property names are ordinary words
    expect(tok.tokenize('constructor toString __proto__ hasOwnProperty')).toEqual(['constructor', 'tostring', 'proto', 'hasownproperty']);
  });

  it('truncates head, tail or head+tail', () => {
    const text = Array.from({ length: 10 }, (_, i) => `t${i}`).join(' ');
    const head = createTokenizer({ preset: 'default', maxTokens: 4, truncate: 'head' }).tokenize(text);
    const tail = createTokenizer({ preset: 'default', maxTokens: 4, truncate: 'tail' }).tokenize(text);
    const both = createTokenizer({ preset: 'default', maxTokens: 4, truncate: 'head+tail' }).tokenize(text);
    expect(head).toEqual(['t0', 't1', 't2', 't3']);
    expect(tail).toEqual(['t6', 't7', 't8', 't9']);
    expect(both).toEqual(['t0', 't1', 't8', 't9']);
    expect(() => createTokenizer({ preset: 'nope' as 'default' })).toThrow(ConfigError);
    expect(() => createTokenizer({ preset: 'default', maxTokens: 0 })).toThrow(/maxTokens/);
  });
});

describe('Vocabulary', () => {
  const lists = [['b', 'a', 'c'], ['a', 'b'], ['a', 'd']];

  it('orders by count then token, reserves pad and unk, honours minCount and maxSize', () => {
    const v = Vocabulary.build(lists);
    expect(v.tokens).toEqual(['<pad>', '<unk>', 'a', 'b', 'c', 'd']);
    expect(Array.from(v.encode(['a', 'zzz', 'd']))).toEqual([2, 1, 5]);
    expect(Vocabulary.build(lists, { minCount: 2 }).tokens).toEqual(['<pad>', '<unk>', 'a', 'b']);
    expect(Vocabulary.build(lists, { maxSize: 3 }).tokens).toEqual(['<pad>', '<unk>', 'a']);
    expect(Vocabulary.build(countTokens(lists), { keep: (t) => t !== 'a' }).tokens).toEqual(['<pad>', '<unk>', 'b', 'c', 'd']);
  });

  it('round-trips through JSON and rejects a malformed one', () => {
    const v = Vocabulary.build(lists);
    const back = Vocabulary.fromJSON(JSON.parse(JSON.stringify(v)));
    expect(back.tokens).toEqual(v.tokens);
    expect(() => Vocabulary.fromJSON({ tokens: ['a'] })).toThrow(DataError);
    expect(() => Vocabulary.fromJSON({ tokens: ['<pad>', '<unk>', 'x', 'x'] })).toThrow(/twice/);
  });
});

describe('splits and batches', () => {
  const examples = Array.from({ length: 100 }, (_, i) => ({ text: `t${i}`, label: i % 10 < 3 ? 1 : 0 }));

  it('splitFirst is the exercise split; stratifiedSplit keeps class shares, is seeded and disjoint', () => {
    const { train, test } = splitFirst(examples, 60);
    expect(train.length).toBe(60);
    expect(test[0]!.text).toBe('t60');
    const a = stratifiedSplit(examples, { validation: 0.2, test: 0.1, seed: 3 });
    const b = stratifiedSplit(examples, { validation: 0.2, test: 0.1, seed: 3 });
    const c = stratifiedSplit(examples, { validation: 0.2, test: 0.1, seed: 4 });
    expect(a).toEqual(b);
    expect(a.validation).not.toEqual(c.validation);
    expect(a.validation.length).toBe(20);
    expect(a.validation.filter((e) => e.label === 1).length).toBe(6); // 30 % of 20
    expect(a.test.filter((e) => e.label === 1).length).toBe(3);
    const seen = new Set([...a.train, ...a.validation, ...a.test].map((e) => e.text));
    expect(seen.size).toBe(100);
    expect(() => stratifiedSplit(examples, { validation: 0.6, test: 0.5 })).toThrow(ConfigError);
  });

  it('pads on the right with a mask, shuffles by seed, and reuses its buffers', () => {
    const tok = createTokenizer({ preset: 'default' });
    const texts = ['good film', 'bad', 'not good at all', 'fine'].map((text, label) => ({ text, label: label % 2 }));
    const vocab = Vocabulary.build(texts.map((e) => tok.tokenize(e.text)));
    const set = encodeExamples(texts, tok, vocab);
    const batches = new SequenceBatches(set);
    const seen: string[] = [];
    let first: unknown;
    for (const batch of batches.batches({ batchSize: 4, shuffle: false })) {
      expect([batch.B, batch.T]).toEqual([4, 4]);
      expect(Array.from(batch.mask.subarray(4, 8))).toEqual([1, 0, 0, 0]);
      expect(Array.from(batch.ids!.subarray(4, 8))).toEqual([vocab.id('bad'), 0, 0, 0]);
      first = batch;
      seen.push('x');
    }
    for (const batch of batches.batches({ batchSize: 4, shuffle: false })) expect(batch).toBe(first); // reused
    const orderA = [...new SequenceBatches(set, { length: 6 }).batches({ batchSize: 1, rng: new Rng(1) })].map((b) => b.labels![0]);
    const orderB = [...new SequenceBatches(set, { length: 6 }).batches({ batchSize: 1, rng: new Rng(1) })].map((b) => b.labels![0]);
    expect(orderA).toEqual(orderB);
    const exercise = new SequenceBatches(set, { length: 6, maskPadding: false });
    for (const batch of exercise.batches({ batchSize: 2, shuffle: false })) expect(batch.mask.every((m) => m === 1)).toBe(true);
    expect(() => new SequenceBatches(set, { maskPadding: false })).toThrow(/fixed length/);
  });
});
