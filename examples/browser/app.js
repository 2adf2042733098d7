// The browser example: the shipped model explains what is typed, word by word, and fine-tunes on a few
// labelled sentences in the page. Plain ES modules: seqwasm's built dist/ is imported as it is.
import { init, TextClassifier } from '../../dist/index.js';
import { fineTune, maxAbsScore, wordColour } from './model.js';

const MODEL_URL = new URL('../../models/sentiment.safetensors', import.meta.url);
// the sentence the shipped model gets wrong (a negation) and its opposite, as a starting point
const STARTING_EXAMPLES = [
  { text: 'This movie was not bad at all.', label: 'positive' },
  { text: 'This movie was not good.', label: 'negative' },
];

const $ = (id) => document.getElementById(id);
const ui = {
  status: $('status'), text: $('text'), result: $('result'), label: $('label'), prob: $('prob'), words: $('words'),
  legend: $('legend'), examples: $('examples'), add: $('add'), epochs: $('epochs'), lr: $('lr'),
  finetune: $('finetune'), reset: $('reset'), loss: $('loss'), curve: $('curve'), row: $('example-row'),
};

let classifier;
let modelBytes;
let training; // the AbortController of a running fine-tune

function explainText() {
  const text = ui.text.value;
  ui.words.replaceChildren();
  if (!text.trim()) {
    ui.label.textContent = '';
    ui.prob.textContent = '';
    ui.legend.textContent = '';
  } else {
    const e = classifier.explain(text);
    ui.label.textContent = e.label;
    ui.prob.textContent = `${(100 * e.score).toFixed(1)} %`;
    const max = maxAbsScore(e.words);
    for (const w of e.words) {
      const span = document.createElement('span');
      span.className = 'word';
      span.textContent = w.word;
      span.style.backgroundColor = wordColour(w.score, max);
      span.dataset.score = String(w.score);
      span.title = `${w.word}: ${w.score >= 0 ? '+' : ''}${w.score.toFixed(3)}`;
      ui.words.append(span, ' ');
    }
    ui.legend.textContent = e.words.length
      ? `green pushes towards "${e.explained}", red away from it; the strongest word is fully coloured`
      : 'no words left after tokenizing';
    ui.result.dataset.label = e.label;
    ui.result.dataset.probs = JSON.stringify(e.probs);
  }
  // what was explained, so a reader (or a test) knows the output belongs to the current text
  ui.result.dataset.text = text;
}

let pending = 0;
function scheduleExplain() {
  // one explanation per burst of typing; a GRU pass over a sentence takes a few milliseconds
  clearTimeout(pending);
  pending = setTimeout(explainText, 60);
}

function addExample({ text = '', label = classifier.labels[0] } = {}) {
  const li = ui.row.content.firstElementChild.cloneNode(true);
  const select = li.querySelector('.label');
  classifier.labels.forEach((name, i) => select.append(new Option(name, String(i), false, name === label)));
  li.querySelector('.text').value = text;
  li.querySelector('.remove').addEventListener('click', () => li.remove());
  li.querySelector('.text').addEventListener('input', scheduleExampleProbs);
  select.addEventListener('change', showExampleProbs);
  ui.examples.append(li);
  return li;
}

/** The rows with text, as { text, label } training examples. */
function examples() {
  return [...ui.examples.querySelectorAll('.example')]
    .map((li) => ({ li, text: li.querySelector('.text').value.trim(), label: Number(li.querySelector('.label').value) }))
    .filter((e) => e.text);
}

/** Each example's probability of its label, shown in its row. */
function showExampleProbs() {
  for (const out of ui.examples.querySelectorAll('.p')) {
    out.textContent = '';
    delete out.dataset.p;
  }
  const rows = examples();
  if (!rows.length) return;
  const predictions = classifier.predict(rows.map((r) => r.text));
  rows.forEach((r, i) => {
    const p = predictions[i].probs[r.label];
    const out = r.li.querySelector('.p');
    out.textContent = `${(100 * p).toFixed(0)} %`;
    out.dataset.p = String(p);
  });
}

let pendingProbs = 0;
function scheduleExampleProbs() {
  clearTimeout(pendingProbs);
  pendingProbs = setTimeout(showExampleProbs, 150);
}

function drawCurve(losses) {
  const w = 300;
  const h = 80;
  const max = Math.max(...losses, 1e-9);
  const x = (i) => (losses.length > 1 ? (i * w) / (losses.length - 1) : 0);
  const points = losses.map((l, i) => `${x(i).toFixed(1)},${(h - 4 - ((h - 8) * l) / max).toFixed(1)}`).join(' ');
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points);
  ui.curve.replaceChildren(line);
  ui.curve.dataset.losses = JSON.stringify(losses);
}

async function runFineTune() {
  if (training) {
    training.abort();
    return;
  }
  const rows = examples();
  if (!rows.length) {
    ui.loss.textContent = 'add a sentence with a label first';
    return;
  }
  const epochs = Math.max(1, Math.min(200, Math.round(Number(ui.epochs.value) || 10)));
  const lr = Number(ui.lr.value) > 0 ? Number(ui.lr.value) : 1e-3;
  training = new AbortController();
  ui.finetune.textContent = 'stop';
  ui.reset.disabled = true;
  ui.loss.classList.remove('error');
  delete ui.loss.dataset.done;
  const losses = [];
  try {
    const result = await fineTune(classifier, rows.map(({ text, label }) => ({ text, label })), {
      epochs, lr, signal: training.signal,
      onProgress: ({ epoch, steps, loss }) => {
        losses.push(loss);
        ui.loss.textContent = `loss ${losses[0].toFixed(3)} → ${loss.toFixed(3)} · epoch ${epoch}/${epochs} · ${steps} Adam steps`;
        drawCurve(losses);
        showExampleProbs();
        explainText(); // the colours move as the model learns
      },
    });
    if (result.stopped !== 'completed') ui.loss.textContent += ` · ${result.stopped}`;
    ui.loss.dataset.done = result.stopped;
  } catch (err) {
    ui.loss.textContent = `fine-tuning failed: ${err.message}`;
    ui.loss.classList.add('error');
    ui.loss.dataset.done = 'failed';
    throw err;
  } finally {
    training = undefined;
    ui.finetune.textContent = 'fine-tune';
    ui.reset.disabled = false;
  }
}

function reset() {
  classifier.dispose();
  classifier = TextClassifier.load(modelBytes);
  ui.loss.textContent = 'the shipped model again';
  ui.curve.replaceChildren();
  delete ui.curve.dataset.losses;
  showExampleProbs();
  explainText();
}

async function main() {
  const started = performance.now();
  const [runtime, bytes] = await Promise.all([
    init(), // the kernels next to dist/index.js: relaxed SIMD where the browser has it
    fetch(MODEL_URL).then((res) => {
      if (!res.ok) throw new Error(`${MODEL_URL.pathname}: HTTP ${res.status}`);
      return res.arrayBuffer();
    }),
  ]);
  modelBytes = new Uint8Array(bytes);
  classifier = TextClassifier.load(modelBytes);
  const { kind, hidden } = classifier.model.config;
  ui.status.textContent = `${kind.toUpperCase()}-${hidden}, ${classifier.vocab.size.toLocaleString('en')} words · ` +
    `${runtime.simd} SIMD · ready in ${Math.round(performance.now() - started)} ms`;
  ui.status.dataset.simd = runtime.simd;
  ui.status.dataset.ready = 'true';

  for (const e of STARTING_EXAMPLES) addExample(e);
  ui.text.addEventListener('input', scheduleExplain);
  ui.add.addEventListener('click', () => addExample().querySelector('.text').focus());
  ui.finetune.addEventListener('click', () => runFineTune().catch((err) => console.error(err)));
  ui.reset.addEventListener('click', reset);
  for (const el of [ui.text, ui.add, ui.finetune, ui.reset]) el.disabled = false;
  showExampleProbs();
  explainText();
}

main().catch((err) => {
  ui.status.textContent = `could not start: ${err.message}`;
  ui.status.classList.add('error');
  console.error(err);
});
