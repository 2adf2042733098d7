// Train a token-wise MLP on IMDB reviews with frozen GloVe vectors, evaluate it and explain a review.
//   node examples/node/imdb.mjs [path to an IMDB CSV, aclImdb .tar.gz or folder]   (default: ../shared/data)
import { fileURLToPath } from 'node:url';
import { countTokens, createTokenizer, evaluate, init, stratifiedSplit, TextClassifier, train, Vocabulary } from 'seqwasm';
import { readAclImdbPath, readWordVectorsFile } from 'seqwasm/node';

const data = process.argv[2] ?? fileURLToPath(new URL('../../../shared/data/imdb/aclImdb_v1_labeled.tar.gz', import.meta.url));
const gloveFile = fileURLToPath(new URL('../../../shared/data/glove/glove.6B.100d.top2717.txt', import.meta.url));

await init();
const { train: trainSet, test } = await readAclImdbPath(data);
const { train: fit, validation } = stratifiedSplit(trainSet.examples, { validation: 0.1, seed: 1 });
const tokenizer = { preset: 'exercise' };                       // the exercise: first 100 tokens, letters only
const tok = createTokenizer(tokenizer);
const vocab = Vocabulary.build(countTokens(fit.map((e) => tok.tokenize(e.text))), { minCount: 2 });
const glove = await readWordVectorsFile(gloveFile, { vocab });

const clf = TextClassifier.create({
  model: { kind: 'mlp', input: glove.dim, widths: [64, 64], embedding: { vocabSize: vocab.size, trainable: false, unknown: 'zero' } },
  tokenizer, vocab, labels: trainSet.labels, vectors: glove.matrix,
});
await train(clf.model, clf.batches(fit), {
  epochs: 3, batchSize: 32, validation: clf.batches(validation), evalTrain: false,
  onEpoch: ({ epoch, loss, accuracy, seconds }) => console.log(`epoch ${epoch + 1}: loss ${loss.toFixed(3)}, accuracy ${accuracy.toFixed(3)} (${seconds.toFixed(0)} s)`),
});
const { accuracy, f1, rocAuc } = evaluate(clf.model, clf.batches(test.examples));
console.log({ accuracy, f1, rocAuc });
const { label, score, words } = clf.explain('A quietly brilliant film, not boring at all.');
console.log(label, score.toFixed(3), words.map((w) => `${w.word} ${w.score >= 0 ? '+' : ''}${w.score.toFixed(3)}`).join(', '));
