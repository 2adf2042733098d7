// The browser example's logic without the DOM: word colours and fine-tuning. The page uses it, and
// test/examples/browser.node.test.ts runs the same code in Node to check what the page shows.
import { Batcher, evaluate, train } from '../../dist/index.js';

const WHITE = [255, 255, 255];
const GREEN = [46, 160, 67]; // the report's colours (src/report/html.ts), so both heat maps read alike
const RED = [207, 34, 46];

/**
 * A word's background: white for 0, fully green for the text's most positive score and fully red for its
 * most negative, scaled by the largest |score| in the text (scores are shares of one margin, so their
 * size means something only within a text). Opaque `rgb()`, exactly what getComputedStyle reports back.
 */
export function wordColour(score, maxAbs) {
  const t = maxAbs > 0 ? Math.max(-1, Math.min(1, score / maxAbs)) : 0;
  const to = t >= 0 ? GREEN : RED;
  const a = Math.abs(t);
  const [r, g, b] = WHITE.map((w, i) => Math.round(w + (to[i] - w) * a));
  return `rgb(${r}, ${g}, ${b})`;
}

/** The largest |score| of an explanation's words (0 for none). */
export function maxAbsScore(words) {
  return words.reduce((m, w) => Math.max(m, Math.abs(w.score)), 0);
}

/** A pause that lets the page paint and handle input: a macrotask, not a microtask. */
const nextTask = () => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Fine-tunes a TextClassifier on a few labelled examples ({ text, label: class index }) with the
 * library's train(): one epoch per call, with a pause in between, so a page stays responsive and can
 * show the loss after each epoch. Adam's state lives in the model and carries over to the next call.
 * onProgress gets { epoch, epochs, steps, loss } first for the loss before training (epoch 0), then
 * after every epoch: the mean cross-entropy on the examples. Returns { losses, steps, stopped }.
 */
export async function fineTune(classifier, examples, { epochs = 10, lr = 1e-3, batchSize = 8, signal, onProgress, pause = nextTask } = {}) {
  // padded to each batch's longest sentence, not the tokenizer's 256 tokens: a few short sentences train fast
  const data = new Batcher(classifier.encode(examples), { batchSize });
  const model = classifier.model;
  model.optimizer.lr = lr;
  const losses = [evaluate(model, data).loss];
  let steps = 0;
  let stopped = 'completed';
  onProgress?.({ epoch: 0, epochs, steps, loss: losses[0] });
  for (let epoch = 1; epoch <= epochs; epoch++) {
    await pause();
    if (signal?.aborted) {
      stopped = 'cancelled';
      break;
    }
    // a new seed per call: each call is epoch 0 of its own run, and the batch order should still vary
    const result = await train(model, data, { epochs: 1, batchSize, seed: epoch, signal });
    steps += result.steps;
    if (result.stopped !== 'completed') {
      stopped = result.stopped;
      break;
    }
    losses.push(result.final.train.loss);
    onProgress?.({ epoch, epochs, steps, loss: result.final.train.loss });
  }
  return { losses, steps, stopped };
}
