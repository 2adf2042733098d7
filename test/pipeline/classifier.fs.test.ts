import { describe, expect, it } from 'vitest';
import {
  countTokens, createTokenizer, evaluate, ModelFileError, readSafetensors, stratifiedSplit, TextClassifier, train, Vocabulary,
  writeSafetensors, type ModelConfig,
} from '../../dist/index.js';
import { readImdbCsvFile, readWordVectorsFile } from '../../dist/node.js';
import { baseline } from '../helpers/runtime.js';
import { GLOVE_TOP, IMDB_CSV } from '../helpers/shared.js';

const { examples } = await readImdbCsvFile(IMDB_CSV, { limit: 1600 });
const split = stratifiedSplit(examples, { test: 0.25, seed: 1 });
const tokenizerSettings = { preset: 'default' as const, maxTokens: 64 };
const tokenizer = createTokenizer(tokenizerSettings);
const vocab = Vocabulary.build(countTokens(split.train.map((e) => tokenizer.tokenize(e.text))), { minCount: 2 });
const vectors = await readWordVectorsFile(GLOVE_TOP, { vocab });

function classifier(model: ModelConfig): TextClassifier {
  return TextClassifier.create({ model, tokenizer: tokenizerSettings, vocab, labels: ['negative', 'positive'], vectors: vectors.matrix! },
    { runtime: baseline, seed: 3, optimizer: { kind: 'adam', lr: 3e-3 } });
}

describe('TextClassifier on IMDB reviews', () => {
  const kinds: Record<string, ModelConfig> = {
    mlp: { kind: 'mlp', input: 100, widths: [32], embedding: { vocabSize: 0, trainable: false } },
    gru: { kind: 'gru', input: 100, hidden: 16, embedding: { vocabSize: 0, trainable: false } },
    weighted: { kind: 'weighted-mlp', input: 100, widths: [32], embedding: { vocabSize: 0, trainable: false, unknown: 'zero' } },
    attention: { kind: 'attention', input: 100, hidden: 16, radius: 2, embedding: { vocabSize: 0, trainable: true } },
  };

  it.each(Object.entries(kinds))('%s: trains above chance, explains every word, and round-trips through a model file', async (_, model) => {
    const clf = classifier(model);
    const trainSet = clf.batches(split.train);
    const testSet = clf.batches(split.test);
    // the recurrent model needs more passes over 1,200 short reviews than the token-wise ones
    await train(clf.model, trainSet, { epochs: model.kind === 'gru' ? 8 : 4, batchSize: 32, evalTrain: false });
    const report = evaluate(clf.model, testSet);
    expect(report.accuracy).toBeGreaterThan(0.6);
    expect(report.rocAuc).toBeGreaterThan(0.62); // chance: 0.5 (1,200 short training reviews, 4 epochs)

    const text = 'A wonderful, moving film. The acting was superb!';
    const e = clf.explain(text);
    expect(e.words.map((w) => w.word)).toEqual(tokenizer.tokenize(text));
    expect(e.probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(e.words.every((w) => Number.isFinite(w.score))).toBe(true);
    if (model.kind === 'weighted-mlp') expect(e.words.reduce((s, w) => s + w.weight!, 0)).toBeCloseTo(1, 5);
    if (model.kind === 'attention') expect(e.words[0]!.attention!.length).toBe(5);

    const bytes = clf.save({ accuracy: report.accuracy });
    const loaded = TextClassifier.load(bytes, { runtime: baseline });
    const texts = split.test.slice(0, 20).map((x) => x.text);
    expect(loaded.predict(texts)).toEqual(clf.predict(texts));
    expect(loaded.explain(text)).toEqual(e);
    expect(loaded.tokenizer.settings).toEqual(clf.tokenizer.settings);
    clf.dispose();
    loaded.dispose();
  });

  it('refuses a model file whose tensors do not match its config', () => {
    const clf = classifier(kinds.mlp!);
    const file = readSafetensors(clf.save());
    const tensors = Object.fromEntries([...file.tensors].map(([name, t]) => [name, { dtype: t.dtype, shape: t.shape, data: t.data }]));
    const wrongShape = { ...tensors, 'out.weight': { dtype: 'F32' as const, shape: [3, 32], data: new Float32Array(96) } };
    expect(() => TextClassifier.load(writeSafetensors(wrongShape, file.metadata), { runtime: baseline })).toThrow(ModelFileError);
    const { ['mlp.0.bias']: _, ...missing } = tensors;
    expect(() => TextClassifier.load(writeSafetensors(missing, file.metadata), { runtime: baseline })).toThrow(/mlp\.0\.bias/);
    const bad = { ...file.metadata, 'seqwasm.config': JSON.stringify({ model: { kind: 'nope' }, labels: [] }) };
    expect(() => TextClassifier.load(writeSafetensors(tensors, bad), { runtime: baseline })).toThrow(ModelFileError);
    expect(() => TextClassifier.load(new Uint8Array([1, 2, 3]), { runtime: baseline })).toThrow(ModelFileError);
    clf.dispose();
  });
});
