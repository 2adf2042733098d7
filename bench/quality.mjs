// The quality benchmark: the exercise's five models on the full aclImdb split (25k train, 25k test)
// from ../shared/data, in the settings of the PyTorch reference figures, reporting test accuracy, F1,
// ROC AUC and seconds per epoch. 10 % of the training reviews (stratified) are held out for early
// stopping and the best checkpoint; the test set is only ever evaluated, never used to choose.
//
//   node bench/quality.mjs                 every setting (about an hour on 2 cores)
//   node bench/quality.mjs frozen-gru …    only the named rows
// Results go to bench/results/quality.json; `node bench/quality.mjs --table` prints the README table.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  countTokens, createRuntime, createTokenizer, evaluate, stratifiedSplit, TextClassifier, train, Vocabulary,
} from '../dist/index.js';
import { readAclImdbPath, readWordVectorsFile } from '../dist/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', '..', 'shared', 'data');
const resultsFile = join(here, 'results', 'quality.json');

const frozen = { trainable: false, unknown: 'zero' };
const tuned = { trainable: true, unknown: 'learned' };
const exercise = { preset: 'exercise' };
const head256 = { preset: 'default', maxTokens: 256, truncate: 'head+tail' };

/** Every row: tokenizer, vocabulary, embedding and model of one setting. */
export const SETTINGS = {
  // frozen GloVe (its 2,717 available words), first 100 tokens of the exercise's cleaning
  // the Elman RNN trains as an IRNN: ReLU, identity recurrence, clipped gradients, a small learning rate
  'frozen-rnn': { tokenizer: exercise, vocab: 'glove', embedding: frozen, model: { kind: 'rnn', hidden: 128, activation: 'relu' }, clipNorm: 1, lr: 1e-4, epochs: 20 },
  // frozen vectors overfit slowly and the validation loss is noisy: more patience
  'frozen-gru': { tokenizer: exercise, vocab: 'glove', embedding: frozen, model: { kind: 'gru', hidden: 128 }, clipNorm: 5, lr: 1e-3, epochs: 15, patience: 10 },
  'frozen-mlp': { tokenizer: exercise, vocab: 'glove', embedding: frozen, model: { kind: 'mlp', widths: [128, 128] }, lr: 1e-3, epochs: 12 },
  'frozen-weighted-mlp': { tokenizer: exercise, vocab: 'glove', embedding: frozen, model: { kind: 'weighted-mlp', widths: [128, 128] }, lr: 1e-3, epochs: 12 },
  'frozen-attention': { tokenizer: exercise, vocab: 'glove', embedding: frozen, model: { kind: 'attention', hidden: 128, radius: 5 }, lr: 1e-3, epochs: 10 },
  // fine-tuned embeddings over the 20k most frequent words (GloVe rows where it has them)
  'tuned-gru': { tokenizer: exercise, vocab: 20000, embedding: tuned, model: { kind: 'gru', hidden: 128 }, clipNorm: 5, lr: 2e-3, epochs: 6 },
  'tuned-mlp': { tokenizer: exercise, vocab: 20000, embedding: tuned, model: { kind: 'mlp', widths: [128, 128] }, lr: 1e-3, epochs: 6 },
  'tuned-weighted-mlp': { tokenizer: exercise, vocab: 20000, embedding: tuned, model: { kind: 'weighted-mlp', widths: [128, 128] }, lr: 1e-3, epochs: 6 },
  'tuned-attention': { tokenizer: exercise, vocab: 20000, embedding: tuned, model: { kind: 'attention', hidden: 128, radius: 5 }, lr: 1e-3, epochs: 6 },
  'tuned-rnn': { tokenizer: exercise, vocab: 20000, embedding: tuned, model: { kind: 'rnn', hidden: 128, activation: 'relu' }, clipNorm: 1, lr: 1e-4, epochs: 12 },
  // 256 tokens, head + tail, the negation-keeping tokenizer, fine-tuned 20k embeddings
  'long-gru': { tokenizer: head256, vocab: 20000, embedding: tuned, model: { kind: 'gru', hidden: 128 }, clipNorm: 5, lr: 2e-3, epochs: 6 },
};

export async function runSetting(name, setting, runtime, log = console.log) {
  const { train: trainSet, test: testSet } = await readAclImdbPath(join(data, 'imdb', 'aclImdb_v1_labeled.tar.gz'));
  const split = stratifiedSplit(trainSet.examples, { validation: 0.1, seed: 1 });
  const tokenizer = createTokenizer(setting.tokenizer);
  const counts = countTokens(split.train.map((e) => tokenizer.tokenize(e.text)));
  const glovePath = join(data, 'glove', 'glove.6B.100d.top2717.txt');
  let vocab;
  if (setting.vocab === 'glove') {
    // only words that have a vector: everything else is unknown, a zero vector, as in the exercise
    const all = await readWordVectorsFile(glovePath);
    vocab = Vocabulary.build(counts, { keep: (t) => all.vectors.has(t) });
  } else {
    vocab = Vocabulary.build(counts, { maxSize: setting.vocab });
  }
  const vectors = await readWordVectorsFile(glovePath, { vocab });
  const clf = TextClassifier.create({
    model: { ...setting.model, input: 100, embedding: { vocabSize: vocab.size, ...setting.embedding } },
    tokenizer: setting.tokenizer, vocab, labels: trainSet.labels, vectors: vectors.matrix,
  }, { runtime, seed: 1, optimizer: { kind: 'adam', lr: setting.lr }, clipNorm: setting.clipNorm });
  const trainBatches = clf.batches(split.train);
  const validation = clf.batches(split.validation);
  const epochTimes = [];
  const result = await train(clf.model, trainBatches, {
    // evaluating a few times per epoch catches the best point of models that overfit within an epoch
    epochs: setting.epochs, batchSize: 32, validation, evalTrain: false, seed: 1, evalEvery: 200,
    earlyStopping: { patience: setting.patience ?? 4, metric: 'loss' },
    onEpoch: (e) => {
      epochTimes.push(e.seconds);
      log(`${name}: epoch ${e.epoch} loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(4)} ${e.seconds.toFixed(1)} s`);
    },
  });
  const test = evaluate(clf.model, clf.batches(testSet.examples));
  const row = {
    name, setting, vocabulary: vocab.size, epochs: result.epochs, stopped: result.stopped, bestStep: result.best?.step,
    // what chose the checkpoint (and may choose between settings): never the test split
    validationLoss: result.best?.value,
    secondsPerEpoch: epochTimes.reduce((a, b) => a + b, 0) / epochTimes.length,
    test: { accuracy: test.accuracy, f1: test.f1, rocAuc: test.rocAuc, loss: test.loss },
    simd: runtime.simd,
  };
  clf.dispose();
  return row;
}

function table(rows) {
  const out = ['| setting | model | accuracy | F1 | ROC AUC | s/epoch | epochs |', '|---|---|---:|---:|---:|---:|---:|'];
  for (const r of rows) {
    const m = r.setting.model;
    const what = m.kind === 'attention' ? `attention k=${m.radius}, H=${m.hidden}` : m.hidden ? `${m.kind} H=${m.hidden}` : `${m.kind} ${m.widths.join('-')}`;
    out.push(`| ${r.name} | ${what} | ${r.test.accuracy.toFixed(3)} | ${r.test.f1.toFixed(3)} | ${r.test.rocAuc.toFixed(3)} | ${r.secondsPerEpoch.toFixed(0)} | ${r.epochs} |`);
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
  if (args.includes('--table')) {
    console.log(table(Object.keys(SETTINGS).filter((n) => previous[n]).map((n) => previous[n])));
  } else {
    const names = args.length ? args : Object.keys(SETTINGS);
    const runtime = await createRuntime();
    mkdirSync(dirname(resultsFile), { recursive: true });
    for (const name of names) {
      if (!SETTINGS[name]) throw new Error(`unknown setting ${name}; known: ${Object.keys(SETTINGS).join(', ')}`);
      const row = await runSetting(name, SETTINGS[name], runtime);
      console.log(JSON.stringify(row));
      previous[name] = row;
      writeFileSync(resultsFile + '.tmp', JSON.stringify(previous, null, 1));
      renameSync(resultsFile + '.tmp', resultsFile); // a crash mid-run never leaves a half-written file
    }
  }
}
