// The browser example, end to end: examples/browser/serve.mjs serves the repository on 127.0.0.1,
// Debian's Chromium (driven by Playwright, no browser download) opens the page, and what the page shows
// — labels, per-word scores and colours, the fine-tuning loss, the re-explained text — is checked
// against the library run in Node on the same model, build and sentences.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, TextClassifier, type Runtime, type SimdLevel } from '../../dist/index.js';
import { fineTune, maxAbsScore, wordColour } from '../../examples/browser/model.js';
import { serve } from '../../examples/browser/serve.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelBytes = new Uint8Array(readFileSync(`${root}models/sentiment.safetensors`));

let server: Awaited<ReturnType<typeof serve>>;
let browser: Browser;
let page: Page;
let runtime: Runtime;
let node: TextClassifier;
const problems: string[] = [];
const requested: string[] = [];
const headersOf = new Map<string, Record<string, string>>();

const close = (a: number, e: number, atol = 1e-4, rtol = 1e-3) => Math.abs(a - e) <= atol + rtol * Math.abs(e);
const rgb = (css: string) => css.match(/\d+/g)!.map(Number);

beforeAll(async () => {
  server = await serve({ host: '127.0.0.1', port: 0 });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    // no sandbox: CI runs as root; the rest keeps Chromium from calling Google's services
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1000, height: 900 } });
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
    headersOf.set(new URL(r.url()).pathname, r.headers());
  });
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto(`${server.url}examples/browser/`);
  await page.waitForSelector('#status[data-ready]', { timeout: 20_000 });
  // Node computes with the build the page reports, so only engine differences can separate them
  const simd = (await page.getAttribute('#status', 'data-simd')) as SimdLevel;
  runtime = await createRuntime(undefined, { simd });
  node = TextClassifier.load(modelBytes, { runtime });
}, 40_000);

afterAll(async () => {
  node?.dispose();
  await browser?.close();
  await server?.close();
});

interface Shown {
  label: string;
  probs: number[];
  words: { word: string; score: number; colour: string }[];
}

/** Types `text` into the page and reads back the explanation it shows. */
async function explainInPage(text: string): Promise<Shown> {
  await page.fill('#text', text);
  return readExplanation(text);
}

async function readExplanation(text: string): Promise<Shown> {
  await page.waitForFunction((t) => document.getElementById('result')!.dataset.text === t, text);
  return page.evaluate(() => {
    const result = document.getElementById('result')!;
    return {
      label: result.dataset.label!,
      probs: JSON.parse(result.dataset.probs!) as number[],
      words: [...document.querySelectorAll<HTMLElement>('#words .word')].map((el) => ({
        word: el.textContent!, score: Number(el.dataset.score), colour: getComputedStyle(el).backgroundColor,
      })),
    };
  });
}

/** The page shows what the library computes in Node for the same text: label, probabilities, words, colours. */
function expectSameAsNode(shown: Shown, want: ReturnType<TextClassifier['explain']>): void {
  expect(shown.label).toBe(want.label);
  shown.probs.forEach((p, i) => expect(close(p, want.probs[i]!), `P(${i}) ${p} vs ${want.probs[i]}`).toBe(true));
  expect(shown.words.map((w) => w.word)).toEqual(want.words.map((w) => w.word));
  const shownMax = maxAbsScore(shown.words);
  const nodeMax = maxAbsScore(want.words);
  shown.words.forEach((w, i) => {
    const n = want.words[i]!;
    expect(close(w.score, n.score), `${w.word}: ${w.score} vs ${n.score}`).toBe(true);
    // the colour is the page's score run through wordColour, and within a shade of Node's score's colour
    expect(w.colour).toBe(wordColour(w.score, shownMax));
    rgb(w.colour).forEach((c, k) => expect(Math.abs(c - rgb(wordColour(n.score, nodeMax))[k]!)).toBeLessThanOrEqual(1));
  });
}

function expectNoProblems(): void {
  expect(problems).toEqual([]);
}

describe('the browser example in Chromium', () => {
  it('loads the kernels and the model over HTTP, cross-origin isolated, without loading any parser', async () => {
    const { kind, hidden } = node.model.config as { kind: string; hidden: number };
    const model = `${kind.toUpperCase()}-${hidden}, ${node.vocab.size.toLocaleString('en')} words`;
    expect(await page.textContent('#status')).toMatch(new RegExp(`^${model} · ${runtime.simd} SIMD · ready in \\d+ ms$`));
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
    expect(requested).toContain('/models/sentiment.safetensors');
    const kernels = runtime.simd === 'relaxed' ? '/dist/kernels.relaxed.wasm' : '/dist/kernels.wasm';
    expect(requested).toContain(kernels);
    // dist/index.js imports its parsers lazily: the page never needs the import map's packages
    expect(requested.filter((p) => p.startsWith('/node_modules/'))).toEqual([]);
    expect(headersOf.get(kernels)!['content-type']).toBe('application/wasm');
    expect(headersOf.get('/models/sentiment.safetensors')!['content-type']).toBe('application/octet-stream');
    expect(headersOf.get('/dist/index.js')!['content-type']).toMatch(/^text\/javascript/);
    const doc = headersOf.get('/examples/browser/')!;
    expect([doc['cross-origin-opener-policy'], doc['cross-origin-embedder-policy']]).toEqual(['same-origin', 'require-corp']);
    expectNoProblems();
  });

  it('labels a clearly positive and a clearly negative sentence, with one coloured element per word as Node explains it', async () => {
    const cases: [string, string][] = [
      ['A wonderful, moving film with brilliant acting.', 'positive'],
      ['A boring, awful waste of time.', 'negative'],
    ];
    for (const [text, label] of cases) {
      const shown = await explainInPage(text);
      const want = node.explain(text);
      expect(shown.label).toBe(label);
      expectSameAsNode(shown, want);
      // the word that pushes hardest towards the label is the strongest green (or red)
      const strongest = shown.words.reduce((a, b) => (Math.abs(b.score) > Math.abs(a.score) ? b : a));
      const [r, g] = rgb(strongest.colour);
      expect(label === 'positive' ? g! > r! : r! > g!).toBe(true);
    }
    expectNoProblems();
  });

  it('fine-tunes on the labelled sentences in small chunks: the loss falls, the trained sentence moves to its label', async () => {
    const rows = await page.$$eval('.example', (els) => els.map((li) => ({
      text: (li.querySelector('.text') as HTMLInputElement).value.trim(),
      label: Number((li.querySelector('.label') as HTMLSelectElement).value),
      p: Number((li.querySelector('.p') as HTMLElement).dataset.p),
    })));
    expect(rows.length).toBeGreaterThanOrEqual(2);
    const trained = rows[0]!;
    const before = await explainInPage(trained.text);
    expectSameAsNode(before, node.explain(trained.text));
    expect(close(trained.p, node.predict(trained.text)[0]!.probs[trained.label]!)).toBe(true);

    // a message-channel heartbeat counts the other tasks the page runs; its count at every progress update
    // shows whether the event loop got a turn between training chunks (a blocked page would show none)
    await page.evaluate(() => {
      const w = window as unknown as { beats: number; beatsAtUpdate: number[]; stopBeat: () => void };
      w.beats = 0;
      w.beatsAtUpdate = [];
      const channel = new MessageChannel();
      let running = true;
      channel.port1.onmessage = () => { w.beats++; if (running) channel.port2.postMessage(0); };
      channel.port2.postMessage(0);
      w.stopBeat = () => { running = false; };
      new MutationObserver(() => w.beatsAtUpdate.push(w.beats))
        .observe(document.getElementById('loss')!, { childList: true, characterData: true, subtree: true });
    });
    const epochs = Number(await page.inputValue('#epochs'));
    const lr = Number(await page.inputValue('#lr'));
    await page.click('#finetune');
    await page.waitForSelector('#loss[data-done]', { timeout: 30_000 });
    const beatsAtUpdate = await page.evaluate(() => {
      const w = window as unknown as { beatsAtUpdate: number[]; stopBeat: () => void };
      w.stopBeat();
      return w.beatsAtUpdate;
    });
    expect(await page.getAttribute('#loss', 'data-done')).toBe('completed');

    // the loss shown: first and last value fall, each value as the curve holds it
    const lossText = (await page.textContent('#loss'))!;
    const [, first, last] = /^loss (\d+\.\d+) → (\d+\.\d+) · epoch (\d+)\/(\d+)/.exec(lossText)!;
    expect(lossText).toContain(`epoch ${epochs}/${epochs}`);
    expect(Number(last)).toBeLessThan(Number(first));
    const losses = JSON.parse((await page.getAttribute('#curve', 'data-losses'))!) as number[];
    expect(losses).toHaveLength(epochs + 1);
    expect(losses[0]!.toFixed(3)).toBe(first);
    expect(losses.at(-1)!.toFixed(3)).toBe(last);

    // one update before training and one per epoch, each after the page served other tasks
    expect(beatsAtUpdate).toHaveLength(epochs + 1);
    for (let i = 1; i < beatsAtUpdate.length; i++) expect(beatsAtUpdate[i]!).toBeGreaterThan(beatsAtUpdate[i - 1]!);

    // Node, fine-tuning its copy of the model on the same rows with the same code, sees the same losses
    const nodeRun = await fineTune(node, rows.map(({ text, label }) => ({ text, label })), { epochs, lr, pause: async () => {} });
    losses.forEach((l, i) => expect(close(l, nodeRun.losses[i]!), `epoch ${i}: ${l} vs ${nodeRun.losses[i]}`).toBe(true));

    // re-explained after training: the trained sentence moved towards its label, as Node's fine-tuned copy says
    const after = await readExplanation(trained.text);
    expectSameAsNode(after, node.explain(trained.text));
    expect(after.probs[trained.label]!).toBeGreaterThan(before.probs[trained.label]!);
    const pAfter = Number(await page.getAttribute('.example .p', 'data-p'));
    expect(pAfter).toBeGreaterThan(trained.p);
    expect(close(pAfter, node.predict(trained.text)[0]!.probs[trained.label]!)).toBe(true);

    const dir = existsSync(`${root}.ci-out`) ? `${root}.ci-out` : mkdtempSync(join(tmpdir(), 'seqwasm-browser-'));
    const shot = join(dir, 'browser-example.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`browser example: loss ${first} → ${last} in ${epochs} epochs; screenshot ${shot}`);
    expect(readFileSync(shot).subarray(1, 4).toString()).toBe('PNG');
    expectNoProblems();
  });

  it('resets to the shipped model', async () => {
    await page.click('#reset');
    await page.waitForFunction(() => document.getElementById('loss')!.textContent === 'the shipped model again');
    const fresh = TextClassifier.load(modelBytes, { runtime });
    const text = 'This movie was not bad at all.';
    expectSameAsNode(await explainInPage(text), fresh.explain(text));
    fresh.dispose();
    expectNoProblems();
  });

  it('the import map resolves the parsers that dist/index.js loads on first use', async () => {
    // a string, not a function: vitest rewrites dynamic import() in this file, and the page must run it as written
    const got = await page.evaluate(`(async () => {
      const seqwasm = await import('/dist/index.js');
      const table = await seqwasm.readTable('text,label\\nfine film,pos\\ndull film,neg\\n', { format: 'csv', textColumn: 'text', labelColumn: 'label' });
      const fflate = await import('fflate');
      const tar = await import('modern-tar');
      return { rows: table.examples.length, labels: table.labels, unzip: typeof fflate.Unzip, tar: typeof tar.createTarDecoder };
    })()`);
    expect(got).toEqual({ rows: 2, labels: ['pos', 'neg'], unzip: 'function', tar: 'function' });
    expectNoProblems();
  });

  it('the server refuses paths outside the repository and dot-files', async () => {
    const status = (path: string) => new Promise<number>((resolve, reject) => {
      const { hostname, port } = new URL(server.url);
      get({ hostname, port, path }, (res) => { res.resume(); resolve(res.statusCode!); }).on('error', reject);
    });
    // raw paths: fetch and URL strings would normalise the dots away before sending
    expect(await status('/examples/..%2f..%2f..%2fetc/hostname')).toBe(404);
    expect(await status('/%2e%2e/%2e%2e/package.json')).toBe(200); // the URL parser resolves these dots: /package.json
    expect(await status('/.git/HEAD')).toBe(404);
    expect(await status('/package.json')).toBe(200);
    expect(await status('/examples/browser')).toBe(301);
  });
});
