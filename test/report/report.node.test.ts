// The HTML report in a real browser: `seqwasm report` writes a page for a freshly trained model and
// the shipped one (named gru and sentiment by their files), headless Chromium opens it offline, and the charts, tables and heat maps must hold
// the data of the model files' training records. A screenshot is kept for people to look at.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init, TextClassifier, type TextExplanation } from '../../dist/index.js';
import { DEMO_SENTENCES } from '../../dist/cli/main.js';
import type { TrainingRecord } from '../../dist/pipeline/experiment.js';
import { ROOT, runCli } from '../helpers/cli.js';
import { IMDB_CSV } from '../helpers/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'seqwasm-report-'));
const trainedFile = join(dir, 'gru.safetensors');
const shippedFile = join(ROOT, 'models', 'sentiment.safetensors');
const reportFile = join(dir, 'report.html');
const reportUrl = pathToFileURL(reportFile).href;

interface Expected {
  name: string;
  record: TrainingRecord;
  labels: string[];
  explanations: TextExplanation[];
}
let expected: Expected[];
let browser: Browser;
let page: Page;
const problems: string[] = [];
const requests: string[] = [];

/** What a chart holds, as read through Chart.js's own registry. */
interface ChartData {
  type: string;
  datasets: { label: string; data: { x: number; y: number }[]; drawn: number }[];
  painted: number;
}

beforeAll(async () => {
  // a GRU evaluated every 5 steps, so its curves have several points per split
  const train = await runCli(['train', '--data', IMDB_CSV, '--limit', '300', '--model', 'gru', '--hidden', '8', '--max-tokens', '50',
    '--vocab-size', '1000', '--epochs', '2', '--eval-every', '5', '--patience', '0', '--out', trainedFile], { cwd: dir });
  expect(train.code, train.stderr).toBe(0);
  const report = await runCli(['report', trainedFile, shippedFile, '--out', reportFile], { cwd: dir });
  expect(report.code, report.stderr).toBe(0);

  // the expected values, from the model files the report was made of
  await init();
  expected = [trainedFile, shippedFile].map((file) => {
    const clf = TextClassifier.load(new Uint8Array(readFileSync(file)));
    const e = { name: basename(file, '.safetensors'), record: clf.training as TrainingRecord, labels: clf.labels, explanations: DEMO_SENTENCES.slice(0, 4).map((s) => clf.explain(s)) };
    clf.dispose();
    return e;
  });

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.setOffline(true); // the page must need nothing but itself
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(reportUrl, { waitUntil: 'load' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Chart.getChart on a canvas: its type, datasets (and how many points were laid out) and how much of the canvas is painted. */
function chart(id: string): Promise<ChartData | null> {
  return page.evaluate((canvasId) => {
    const canvas = document.getElementById(canvasId) as HTMLCanvasElement | null;
    // the part of Chart.js's API read here: the page's global, inlined by the report
    type ChartJs = { config: { type: string }; data: { datasets: { label: string; data: { x: number; y: number }[] }[] }; getDatasetMeta(i: number): { data: unknown[] } };
    const { Chart } = window as unknown as { Chart: { getChart(c: HTMLCanvasElement): ChartJs | undefined } };
    const c = canvas && Chart.getChart(canvas);
    if (!c) return null;
    const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i]! > 0) painted++;
    return {
      type: c.config.type,
      datasets: c.data.datasets.map((d, i) => ({ label: d.label, data: d.data.map((p) => ({ x: p.x, y: p.y })), drawn: c.getDatasetMeta(i).data.length })),
      painted: painted / (pixels.length / 4),
    };
  }, id);
}

const fixed = (v: number | null | undefined, d = 3) => (v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(d));

describe('the report in Chromium', () => {
  it('loads offline with no errors and no request but the file itself', () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([reportUrl]);
  });

  it('has the comparison table with one row per model', async () => {
    const rows = await page.$$eval('#comparison tr', (trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent!.trim())));
    expect(rows[0]).toEqual(['model', 'accuracy', 'F1', 'ROC AUC', 'loss', 'epochs', 's/epoch']);
    expect(rows.slice(1)).toEqual(expected.map(({ name, record: r }) =>
      [name, fixed(r.test.accuracy), fixed(r.test.f1), fixed(r.test.rocAuc), fixed(r.test.loss), String(r.epochs), fixed(r.secondsPerEpoch, 1)]));
  });

  it('draws loss and accuracy curves of every split the record has (train vs test)', async () => {
    for (const [i, { record }] of expected.entries()) {
      const splits = ['train', 'validation', 'test'].filter((s) => record.curves.some((p) => p.split === s));
      expect(splits).toContain('train');
      expect(splits).toContain('test');
      for (const metric of ['loss', 'accuracy'] as const) {
        const c = await chart(`${metric}-${i}`);
        expect(c, `${metric}-${i}`).not.toBeNull();
        expect(c!.type).toBe('line');
        expect(c!.datasets.map((d) => d.label)).toEqual(splits);
        for (const d of c!.datasets) {
          const points = record.curves.filter((p) => p.split === d.label).map((p) => ({ x: p.step, y: p[metric] }));
          expect(d.data, `${metric}-${i} ${d.label}`).toEqual(points);
          expect(d.drawn).toBe(points.length);
        }
        expect(c!.painted, `${metric}-${i} is drawn`).toBeGreaterThan(0.01);
      }
    }
    // the trained model was evaluated every 5 steps: its curves are curves, not single points
    expect(expected[0]!.record.curves.filter((p) => p.split === 'test').length).toBeGreaterThan(2);
  });

  it('draws the ROC curve with the chance line', async () => {
    for (const [i, { record }] of expected.entries()) {
      const c = await chart(`roc-${i}`);
      expect(c).not.toBeNull();
      const [roc, chance] = c!.datasets;
      expect(roc!.label).toBe('ROC (test)');
      expect(roc!.data).toEqual(record.roc!.map((p) => ({ x: p.fpr, y: p.tpr })));
      expect(roc!.data.length).toBeGreaterThan(10);
      expect(roc!.data[0]).toEqual({ x: 0, y: 0 });
      expect(roc!.data.at(-1)).toEqual({ x: 1, y: 1 });
      expect(chance!.data).toEqual([{ x: 0, y: 0 }, { x: 1, y: 1 }]);
      expect(c!.painted).toBeGreaterThan(0.01);
    }
  });

  it('shows each confusion matrix with the class names', async () => {
    const tables = await page.$$eval('table.confusion', (ts) => ts.map((t) => [...t.querySelectorAll('tr')].map((tr) => [...tr.children].map((c) => c.textContent!.trim()))));
    expect(tables).toHaveLength(expected.length);
    tables.forEach((rows, i) => {
      const { record, labels } = expected[i]!;
      expect(rows[0]).toEqual(['true \\ predicted', ...labels]);
      expect(rows.slice(1)).toEqual(record.test.confusion.map((row, t) => [labels[t], ...row.map(String)]));
      expect(record.test.confusion.flat().reduce((a, b) => a + b)).toBe(record.test.n);
    });
  });

  it("shows per-word heat maps of the model's explanations", async () => {
    const sections = await page.$$eval('section', (ss) => ss.map((s) => [...s.querySelectorAll('.sentence')].map((sentence) => ({
      pred: sentence.querySelector('.pred')!.textContent!,
      words: [...sentence.querySelectorAll('.w')].map((w) => ({ text: w.textContent!, title: w.getAttribute('title')!, color: getComputedStyle(w).backgroundColor })),
    }))));
    expect(sections).toHaveLength(expected.length);
    sections.forEach((sentences, i) => {
      const { explanations } = expected[i]!;
      expect(sentences).toHaveLength(explanations.length);
      sentences.forEach((s, j) => {
        const e = explanations[j]!;
        expect(s.pred).toBe(`${e.label} ${(e.score * 100).toFixed(0)}%`);
        expect(s.words.map((w) => w.text)).toEqual(e.words.map((w) => w.word));
        s.words.forEach((w, k) => {
          const { word, score } = e.words[k]!;
          const [title, shown] = w.title.split(': ');
          expect(title).toBe(word);
          // the CLI may have run another SIMD build than this process (fused multiply-add or not)
          expect(Math.abs(Number(shown) - score)).toBeLessThan(1e-3 + 1e-2 * Math.abs(score));
          const [r, g] = w.color.match(/[\d.]+/g)!.map(Number);
          if (Math.abs(score) > 1e-3) expect(score > 0 ? g! > r! : r! > g!, `${word} ${score} ${w.color}`).toBe(true);
        });
      });
    });
    // the shipped model reads the first sentence as praise, and "wonderful" carries it
    const wonderful = sections[1]![0]!.words.find((w) => w.text === 'wonderful')!;
    expect(Number(wonderful.title.split(': ')[1])).toBeGreaterThan(0.5);
  });

  it('is captured as a screenshot', async () => {
    const ciOut = join(ROOT, '.ci-out');
    const path = join(existsSync(ciOut) ? ciOut : dir, 'report.png');
    const png = await page.screenshot({ path, fullPage: true });
    expect([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
    expect(png.length).toBeGreaterThan(50_000);
  });
});
