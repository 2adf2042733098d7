// Trains a small weighted token MLP on the sentences in sentences.js and classifies two new ones: the
// whole library path (tokenizer, vocabulary, classifier, train, predict) in a second or two, for the
// runtime examples (examples/deno, examples/bun).
import { countTokens, createTokenizer, init, TextClassifier, train, Vocabulary } from '../dist/index.js';
import { SENTENCES } from './sentences.js';

export async function trainSmallModel() {
  const runtime = await init();
  const tokenizer = { preset: 'default', maxTokens: 32 };
  const tok = createTokenizer(tokenizer);
  const vocab = Vocabulary.build(countTokens(SENTENCES.map((s) => tok.tokenize(s.text))));
  const clf = TextClassifier.create({
    model: { kind: 'weighted-mlp', input: 16, widths: [16], embedding: { vocabSize: vocab.size } },
    tokenizer, vocab, labels: ['negative', 'positive'],
  }, { seed: 1, optimizer: { kind: 'adam', lr: 0.02 } });
  const result = await train(clf.model, clf.batches(SENTENCES), { epochs: 40, batchSize: 8 });
  const predictions = clf.predict(['a delightful film', 'a dull waste of time']).map((p) => p.label);
  return { simd: runtime.simd, trainAccuracy: result.final.train.accuracy, predictions };
}
