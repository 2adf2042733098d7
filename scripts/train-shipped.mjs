// Trains the sentiment model shipped in models/sentiment.safetensors (what `npx seqwasm demo` loads):
// the IMDB training split of ../shared/data (25,000 reviews; 10 % held out for early stopping), GloVe
// 100-d initial vectors where they exist, evaluated on the full 25,000-review test split and on the
// challenge set of negations and contrasts. The file must stay under 3 MB.
//
//   node --experimental-wasm-relaxed-simd scripts/train-shipped.mjs [--out models/sentiment.safetensors]

import { mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { challengeAccuracy, init, runExperiment, trainingRecord } from '../dist/index.js';
import { readAclImdbPath, readWordVectorsFile } from '../dist/node.js';

const here = dirname(fileURLToPath(import.meta.url));
const data = join(here, '..', '..', 'shared', 'data');
const out = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : join(here, '..', 'models', 'sentiment.safetensors');
const MAX_BYTES = 3 * 2 ** 20;

/** The shipped model's recipe: every choice is here, so the README's command reproduces it. */
export const SHIPPED = {
  model: { kind: 'gru', hidden: 96 },
  // negations kept as tokens ("n't", "not"), both ends of long reviews
  tokenizer: { preset: 'default', maxTokens: 256, truncate: 'head+tail' },
  // 5,000 words × 100 dims is most of the 3 MB budget
  vocabSize: 5000,
  minCount: 5,
  embedding: { trainable: true, unknown: 'learned' },
  optimizer: { kind: 'adam', lr: 2e-3 },
  clipNorm: 5,
  epochs: 8,
  patience: 2,
  validation: 0.1,
  curves: true,
  seed: 7,
};

await init();
const { train, test } = await readAclImdbPath(join(data, 'imdb', 'aclImdb_v1_labeled.tar.gz'));
const glove = join(data, 'glove', 'glove.6B.100d.top2717.txt');
const started = performance.now();
const result = await runExperiment(SHIPPED, { train: train.examples, test: test.examples, labels: train.labels }, {
  vectors: (vocab) => readWordVectorsFile(glove, { vocab }),
  callbacks: { onEpoch: (e) => console.log(`epoch ${e.epoch + 1}: loss ${e.loss.toFixed(4)} acc ${e.accuracy.toFixed(3)} (${e.seconds.toFixed(0)} s)`) },
});
const clf = result.classifier;
const challenge = challengeAccuracy((texts) => clf.predict(texts).map((p) => p.probs[1]));
const record = { ...trainingRecord(SHIPPED, result), challenge, trainingSeconds: (performance.now() - started) / 1000 };
const bytes = clf.save(record);
if (bytes.length > MAX_BYTES) throw new Error(`the model file is ${bytes.length} bytes, over the ${MAX_BYTES}-byte budget`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(`${out}.tmp`, bytes);
renameSync(`${out}.tmp`, out);
console.log(JSON.stringify({ file: out, bytes: statSync(out).size, test: result.test, challenge, epochs: result.training.epochs, seconds: record.trainingSeconds }, null, 1));
