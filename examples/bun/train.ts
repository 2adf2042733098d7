// Bun: train a small model on in-memory sentences and predict.   bun examples/bun/train.ts
import { countTokens, createTokenizer, init, TextClassifier, train, Vocabulary } from '../../dist/index.js';
import { SENTENCES } from '../sentences.js';

const runtime = await init();
const tokenizer = { preset: 'default' as const, maxTokens: 32 };
const tok = createTokenizer(tokenizer);
const vocab = Vocabulary.build(countTokens(SENTENCES.map((s) => tok.tokenize(s.text))));
const clf = TextClassifier.create({
  model: { kind: 'weighted-mlp', input: 16, widths: [16], embedding: { vocabSize: vocab.size } },
  tokenizer, vocab, labels: ['negative', 'positive'],
}, { seed: 1, optimizer: { kind: 'adam', lr: 0.02 } });
const result = await train(clf.model, clf.batches(SENTENCES), { epochs: 40, batchSize: 8, evalTrain: true });
const [a, b] = clf.predict(['a delightful film', 'a dull waste of time']);
console.log(JSON.stringify({ runtime: `Bun ${Bun.version}`, simd: runtime.simd, trainAccuracy: result.final.train.accuracy, predictions: [a.label, b.label] }));
