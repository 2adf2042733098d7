import { describe, expect, it } from 'vitest';
import { Batcher, ConfigError, countTokens, createTokenizer, DataError, encodeExamples, epochOrder, SequenceBatches, splitFirst, stratifiedSplit, Vocabulary } from '../../dist/index.js';

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

  it('works a second sentence by hand in both presets', () => {
    const text = 'Https://Example.com/x I LOVED it!!! 2nd time... <br />A+ www.imdb.com/title';
    // exercise: links out → " I LOVED it!!! 2nd time... <br />A+ " → letters only → lowercase → "i" and "a" out
    expect(createTokenizer({ preset: 'exercise' }).tokenize(text)).toEqual(['loved', 'it', 'nd', 'time', 'br']);
    // default: the tag goes first, so no "br"; numbers and single letters stay
    expect(createTokenizer({ preset: 'default' }).tokenize(text)).toEqual(['i', 'loved', 'it', '!', '!', '!', '2nd', 'time', 'a']);
    expect(createTokenizer({ preset: 'default' }).tokenize("I don't know, no, never, NOT")).toEqual(['i', 'do', "n't", 'know', 'no', 'never', 'not']);
    expect(JSON.parse(JSON.stringify(createTokenizer({ preset: 'default' }).settings))).toEqual({ preset: 'default', maxTokens: 256, truncate: 'head+tail', headFraction: 0.5 });
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

  it('is deterministic: the same counts give the same ids, whatever the order of the texts', () => {
    const tok = createTokenizer({ preset: 'default' });
    const texts = ['the film was not good', 'a good film', 'the end, the END!', 'not bad at all', 'zebra apple mango'];
    const lists = texts.map((t) => tok.tokenize(t));
    const v = Vocabulary.build(lists);
    // counts: the 3; end, film, good, not 2; the rest 1 — ties in code-unit order of the token
    expect(v.tokens).toEqual(['<pad>', '<unk>', 'the', 'end', 'film', 'good', 'not', '!', 'a', 'all', 'apple', 'at', 'bad', 'mango', 'was', 'zebra']);
    expect(Vocabulary.build(lists, { minCount: 2, maxSize: 5 }).tokens).toEqual(['<pad>', '<unk>', 'the', 'end', 'film']);
    expect(Vocabulary.build([...lists].reverse()).tokens).toEqual(v.tokens);
    expect(Vocabulary.build(lists.map((l) => [...l].reverse())).tokens).toEqual(v.tokens);
    expect([v.size, v.id('<pad>'), v.id('<unk>'), v.id('never-seen'), v.token(2)]).toEqual([v.tokens.length, 0, 1, 1, 'the']);
    expect(() => v.token(v.size)).toThrow(DataError);
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

  const tok = createTokenizer({ preset: 'default' });
  const texts = ['good film', 'bad', 'not good at all', 'fine', 'a rather long and good film', 'ok'].map((text, i) => ({ text, label: i % 2 }));
  const vocab = Vocabulary.build(texts.map((e) => tok.tokenize(e.text)));
  const set = encodeExamples(texts, tok, vocab);

  it('encodes examples to ids and labels', () => {
    expect(set.ids.map((ids) => ids.length)).toEqual([2, 1, 4, 1, 6, 1]);
    expect(Array.from(set.ids[2]!)).toEqual(['not', 'good', 'at', 'all'].map((t) => vocab.id(t)));
    expect(Array.from(set.labels)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('pads on the right to the batch maximum, with a mask of the real tokens', () => {
    const batches = [...copies(new Batcher(set, { batchSize: 4, shuffle: false }).epoch(0))];
    expect(batches.map((b) => [b.B, b.T])).toEqual([[4, 4], [2, 6]]);
    const [first, second] = batches;
    expect(Array.from(first!.ids.subarray(4, 8))).toEqual([vocab.id('bad'), 0, 0, 0]);
    expect(Array.from(first!.mask.subarray(4, 8))).toEqual([1, 0, 0, 0]);
    expect(Array.from(first!.mask.subarray(8, 12))).toEqual([1, 1, 1, 1]);
    expect(Array.from(first!.labels)).toEqual([0, 1, 0, 1]);
    expect(Array.from(second!.mask)).toEqual([1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(second!.ids.subarray(6))).toEqual([vocab.id('ok'), 0, 0, 0, 0, 0]);
  });

  it('pads or cuts to a fixed T; maskPadding: false (the exercise) masks nothing, padding ids are tokens', () => {
    const fixed = [...copies(new Batcher(set, { batchSize: 6, length: 3, shuffle: false }).epoch(0))][0]!;
    expect([fixed.B, fixed.T]).toEqual([6, 3]);
    expect(Array.from(fixed.ids.subarray(12, 15))).toEqual(['a', 'rather', 'long'].map((t) => vocab.id(t))); // head kept
    expect(Array.from(fixed.mask.subarray(3, 6))).toEqual([1, 0, 0]);
    const exercise = [...copies(new Batcher(set, { batchSize: 6, length: 3, maskPadding: false, shuffle: false }).epoch(0))][0]!;
    expect(exercise.mask.every((m) => m === 1)).toBe(true);
    expect(Array.from(exercise.ids)).toEqual(Array.from(fixed.ids));
    expect(() => new Batcher(set, { maskPadding: false })).toThrow(/fixed length/);
    expect(() => new Batcher(set, { batchSize: 0 })).toThrow(ConfigError);
    expect(() => new Batcher({ ids: set.ids, labels: new Int32Array(2) })).toThrow(DataError);
  });

  it('shuffles each epoch by (seed, epoch), like train(), visiting every example once', () => {
    const batcher = new Batcher(set, { batchSize: 2, seed: 7 });
    const order = (batches: Parameters<typeof copies>[0]) =>
      [...copies(batches)].flatMap((b) => Array.from({ length: b.B }, (_, i) => Array.from(b.ids.subarray(i * b.T, (i + 1) * b.T)).filter((x) => x !== 0).join(' ')));
    const e0 = order(batcher.epoch(0));
    expect(order(batcher.epoch(0))).toEqual(e0);
    expect(order(new Batcher(set, { batchSize: 2, seed: 7 }).epoch(0))).toEqual(e0);
    expect(order(batcher.batches({ batchSize: 2, rng: epochOrder(7, 0) }))).toEqual(e0);
    expect([...new Set([0, 1, 2, 3, 4].map((e) => order(batcher.epoch(e)).join('|')))].length).toBeGreaterThan(1);
    const all = set.ids.map((ids) => Array.from(ids).join(' ')).sort();
    expect([...e0].sort()).toEqual(all);
    expect(order(new Batcher(set, { shuffle: false }).epoch(3))).toEqual(set.ids.map((ids) => Array.from(ids).join(' ')));
  });

  it('allocates its buffers once: one reused batch object, views of the same memory', () => {
    const batcher = new Batcher(set, { batchSize: 4, seed: 1 });
    expect(batcher.maxT).toBe(6);
    expect(batcher.capacity).toBe(4 * 6);
    let object: unknown;
    const buffers = new Set<ArrayBufferLike>();
    const shapes = new Set<string>();
    for (let e = 0; e < 5; e++) {
      for (const batch of batcher.epoch(e)) {
        object ??= batch;
        expect(batch).toBe(object);
        buffers.add(batch.ids!.buffer).add(batch.mask.buffer).add(batch.labels!.buffer);
        shapes.add(`${batch.B}x${batch.T}`);
        expect(batch.ids!.length).toBe(batch.B * batch.T);
      }
    }
    expect(shapes.size).toBeGreaterThan(1);
    expect(buffers.size).toBe(3); // ids, mask, labels: never reallocated
    expect(batcher.capacity).toBe(24);
    expect(SequenceBatches).toBe(Batcher); // the first name still works
  });

  it('keeps an epoch\'s order when another iteration runs in its middle (train() evaluates mid-epoch)', () => {
    const rows = (b: { B: number; T: number; ids?: Int32Array }) => Array.from({ length: b.B }, (_, i) => Array.from(b.ids!.subarray(i * b.T, (i + 1) * b.T)).join(' '));
    const batcher = new Batcher(set, { batchSize: 2, seed: 3 });
    const alone = [...copies(batcher.epoch(1))].flatMap(rows);
    const interrupted: string[] = [];
    let evaluated = 0;
    for (const batch of batcher.epoch(1)) {
      interrupted.push(...rows(batch));
      for (const other of batcher.batches({ batchSize: 4, shuffle: false })) evaluated += other.B;
    }
    expect(interrupted).toEqual(alone);
    expect(evaluated).toBe(3 * set.ids.length);
  });
});

/** Copies of each batch (a Batcher reuses one object). */
function* copies(batches: Iterable<{ B: number; T: number; ids?: Int32Array; mask: Float32Array; labels?: Int32Array | Float32Array }>) {
  for (const b of batches) yield { B: b.B, T: b.T, ids: b.ids!.slice(), mask: b.mask.slice(), labels: Int32Array.from(b.labels!) };
}
