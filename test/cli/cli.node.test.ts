// The seqwasm binary as a user runs it: every command spawned as `node dist/cli/bin.js …`, its text and
// --json output, the files it writes, and its exit codes (0 done, 1 a run failed, 2 a usage error).
// Training runs use small slices of the real IMDB CSV (--limit) so the whole file stays quick.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT as root, runCli, type CliOptions } from '../helpers/cli.js';
import { ACLIMDB_TAR, IMDB_CSV } from '../helpers/shared.js';

const dir = mkdtempSync(join(tmpdir(), 'seqwasm-cli-'));
const VERSION = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;

/** The binary in this file's temp dir. */
const seqwasm = (args: string[], options: Partial<CliOptions> = {}) => runCli(args, { cwd: dir, ...options });

/** Runs, expects exit 0, and parses stdout as JSON. */
async function json<T = Record<string, unknown>>(args: string[], options?: Parameters<typeof seqwasm>[1]): Promise<T> {
  const r = await seqwasm([...args, '--json'], options);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
}

const inUnit = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;

const POSITIVE = 'A wonderful, moving film. Beautifully acted and superb from start to finish.';
const NEGATIVE = 'Terrible, boring and awful. The worst film I have ever seen.';

/** The real IMDB reviews, a small slice: quick runs of the training commands. */
const IMDB = ['--data', IMDB_CSV];
/** Tiny models: a few seconds each on a loaded 2-core machine. */
const TINY = ['--epochs', '1', '--hidden', '8', '--widths', '8', '--max-tokens', '50', '--vocab-size', '1000'];

afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Prediction {
  text: string;
  label: string;
  score: number;
  probs: number[];
}
interface Explanation extends Prediction {
  explained: string;
  words: { word: string; score: number }[];
}

describe('--help and --version', () => {
  const commands: [string[], string[]][] = [
    [['train'], ['--data <path>', '--limit <n>', '--model <kind>', '--epochs <n>', '--out <file>', '--report <file>', '--json']],
    [['eval'], ['--model <file>', '--data <path>', '--train-rows <n>', '--sha256 <hex|none>', '--json']],
    [['predict'], ['[texts...]', '--file <file>', '--model <file>', '--json']],
    [['explain'], ['[texts...]', '--file <file>', '--model <file>', '--json']],
    [['compare'], ['--models <list>', '--report <file>', '--limit <n>', '--json']],
    [['sweep'], ['--hiddens <list>', '--lrs <list>', '--widths-grid <lists>', '--random <n>', '--json']],
    [['data', 'fetch'], ['<name>', '--cache-dir <dir>', '--mirror <dir|url>', '--sha256 <hex|none>', '--json']],
    [['report'], ['<models...>', '--out <file>', '--json']],
    [['demo'], ['--train', '--report <file>', '--json']],
  ];

  it('every command describes its options on stdout and exits 0', async () => {
    const runs = await Promise.all(commands.map(([cmd]) => seqwasm([...cmd, '--help'])));
    runs.forEach((r, i) => {
      const [cmd, options] = commands[i]!;
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^Usage: seqwasm ${cmd.join(' ')} `));
      for (const option of options) expect(r.stdout, `${cmd.join(' ')} --help`).toContain(option);
    });
  });

  it('the program lists every command; --version prints the package version', async () => {
    const [help, version] = await Promise.all([seqwasm(['--help']), seqwasm(['--version'])]);
    expect(help.code).toBe(0);
    for (const cmd of ['train', 'eval', 'predict', 'explain', 'compare', 'sweep', 'data', 'report', 'demo']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${cmd} `, 'm'));
    }
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(VERSION);
  });
});

describe('demo', () => {
  it('explains the example sentences with the shipped model and writes its report, offline', async () => {
    const cwd = join(dir, 'demo');
    mkdirSync(cwd);
    const result = await json<{ model: string; metrics: { accuracy: number; f1: number; rocAuc: number }; explanations: Explanation[]; report: string }>(['demo'], { cwd });
    expect(result.model).toBe('gru');
    expect(result.metrics.accuracy).toBeGreaterThan(0.85); // the shipped model's recorded test accuracy
    expect(inUnit(result.metrics.f1) && inUnit(result.metrics.rocAuc)).toBe(true);
    expect(result.explanations).toHaveLength(8);
    const [first] = result.explanations;
    const last = result.explanations.at(-1)!;
    expect(first!.text).toMatch(/^A wonderful film/);
    expect(first!.label).toBe('positive');
    expect(last.text).toBe('Worst film I have ever seen.');
    expect(last.label).toBe('negative');
    expect(first!.words.find((w) => w.word === 'wonderful')!.score).toBeGreaterThan(0);
    expect(last.words.find((w) => w.word === 'worst')!.score).toBeLessThan(0);
    // the default report name, in the working directory
    expect(result.report).toBe('seqwasm-demo.html');
    const html = readFileSync(join(cwd, 'seqwasm-demo.html'), 'utf8');
    expect(html).toContain('<canvas id="roc-0">');
    expect(html).toMatch(/title="worst: -\d\.\d{4}"/); // the heat map of the last sentence
  });

  it('prints the metrics and the coloured words as text, and takes --report', async () => {
    const report = join(dir, 'demo-text.html');
    const r = await seqwasm(['demo', '--report', report]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test accuracy 0\.\d{3}, F1 0\.\d{3}, ROC AUC 0\.\d{3}/);
    expect(r.stdout).toMatch(/^positive +\d+% +a\([+-]\d\.\d\d\) wonderful\(\+\d\.\d\d\)/m);
    expect(r.stdout).toMatch(/^negative +\d+% +worst\(-\d\.\d\d\)/m);
    expect(r.stdout).not.toContain('\x1b['); // no colour codes off a terminal
    expect(r.stdout.trim().endsWith(`report: ${report}`)).toBe(true);
    expect(statSync(report).size).toBeGreaterThan(100_000); // Chart.js is inlined
  });
});

describe('predict', () => {
  it('classifies texts given as arguments with the shipped model', async () => {
    const results = await json<Prediction[]>(['predict', POSITIVE, NEGATIVE]);
    expect(results.map((p) => [p.text, p.label])).toEqual([[POSITIVE, 'positive'], [NEGATIVE, 'negative']]);
    for (const p of results) {
      expect(p.score).toBeGreaterThan(0.8);
      expect(p.score).toBeLessThanOrEqual(1);
      expect(p.probs[0]! + p.probs[1]!).toBeCloseTo(1, 5);
      expect(Math.max(...p.probs)).toBeCloseTo(p.score, 6);
    }
  });

  it('reads a file (one text a line) and standard input, with the same answers as arguments', async () => {
    const file = join(dir, 'texts.txt');
    writeFileSync(file, `${POSITIVE}\n\n${NEGATIVE}\r\n`);
    const [args, fromFile, fromStdin] = await Promise.all([
      json<Prediction[]>(['predict', POSITIVE, NEGATIVE]),
      json<Prediction[]>(['predict', '--file', file]),
      json<Prediction[]>(['predict'], { input: `${POSITIVE}\n${NEGATIVE}\n` }),
    ]);
    expect(fromFile).toEqual(args);
    expect(fromStdin).toEqual(args);
  });

  it('prints label, score and text separated by tabs', async () => {
    const r = await seqwasm(['predict'], { input: `${POSITIVE}\n${NEGATIVE}\n` });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => l.split('\t'));
    expect(lines.map(([label, , text]) => [label, text])).toEqual([['positive', POSITIVE], ['negative', NEGATIVE]]);
    for (const [, score] of lines) expect(Number(score)).toBeGreaterThan(0.8);
  });
});

describe('explain', () => {
  it('scores every word; the prediction is the same as predict', async () => {
    const text = 'The plot was boring, but the acting was superb.';
    const [[e], [p]] = await Promise.all([json<Explanation[]>(['explain', text]), json<Prediction[]>(['predict', text])]);
    expect(e!.text).toBe(text);
    expect(e!.label).toBe(p!.label);
    expect(e!.score).toBeCloseTo(p!.score, 6);
    expect(e!.explained).toBe('positive'); // two classes: scores are towards class 1
    expect(e!.words.map((w) => w.word)).toEqual(['the', 'plot', 'was', 'boring', 'but', 'the', 'acting', 'was', 'superb']);
    const score = (word: string) => e!.words.find((w) => w.word === word)!.score;
    expect(score('superb')).toBeGreaterThan(0);
    expect(score('boring')).toBeLessThan(0);
  });

  it('prints each word with its score, from a file', async () => {
    const file = join(dir, 'explain.txt');
    writeFileSync(file, 'A superb film.\nAn awful film.\n');
    const r = await seqwasm(['explain', '--file', file]);
    expect(r.code, r.stderr).toBe(0);
    const [first, second] = r.stdout.trim().split('\n');
    expect(first).toMatch(/^positive +\d+% +a\([+-]\d\.\d\d\) superb\(\+\d\.\d\d\) film\([+-]\d\.\d\d\)$/);
    expect(second).toMatch(/^negative +\d+% +an\([+-]\d\.\d\d\) awful\(-\d\.\d\d\) film\([+-]\d\.\d\d\)$/);
  });
});

describe('train, eval, predict and report on a slice of IMDB', () => {
  const model = join(dir, 'mlp.safetensors');
  const report = join(dir, 'mlp.html');
  const DATA = [...IMDB, '--limit', '2000'];
  type Metrics = { model: string; accuracy: number; f1: number; rocAuc: number; loss: number };
  let trained: Metrics & { epochs: number; secondsPerEpoch: number; file: string; report: string; vocabulary: number };

  beforeAll(async () => {
    // a token MLP learns in seconds: 1,800 reviews, 3 epochs
    trained = await json(['train', ...DATA, '--model', 'mlp', '--widths', '32', '--max-tokens', '100', '--vocab-size', '3000',
      '--epochs', '3', '--lr', '0.01', '--out', model, '--report', report]);
  }, 120_000);

  it('trains a model that learned, saves it and writes the report', () => {
    expect(trained).toMatchObject({ model: 'mlp', epochs: 3, file: model, report, vocabulary: 3000 });
    expect(trained.accuracy).toBeGreaterThan(0.65); // chance is 0.5
    expect(trained.accuracy).toBeLessThanOrEqual(1);
    expect(inUnit(trained.f1) && inUnit(trained.rocAuc)).toBe(true);
    expect(trained.rocAuc).toBeGreaterThan(0.7);
    expect(trained.loss).toBeGreaterThan(0);
    expect(trained.secondsPerEpoch).toBeGreaterThan(0);
    expect(statSync(model).size).toBeGreaterThan(3000 * 100 * 4); // at least the embedding
    expect(readFileSync(report, 'utf8')).toContain('<h2>mlp</h2>');
  });

  it('eval of the saved model on the same split gives the metrics train reported', async () => {
    const evaluated = await json<Metrics & { n: number; confusion: number[][]; precision: number; recall: number }>(['eval', ...DATA, '--model', model]);
    expect(evaluated.model).toBe(model);
    expect(evaluated.n).toBe(2000);
    expect(evaluated.confusion.flat().reduce((a, b) => a + b)).toBe(2000);
    expect(evaluated.accuracy).toBeCloseTo(trained.accuracy, 6);
    expect(evaluated.rocAuc).toBeCloseTo(trained.rocAuc, 6);
    expect(inUnit(evaluated.precision) && inUnit(evaluated.recall)).toBe(true);
  });

  it('predict takes the trained model with --model', async () => {
    const results = await json<Prediction[]>(['predict', '--model', model, POSITIVE, NEGATIVE]);
    expect(results).toHaveLength(2);
    for (const p of results) expect(['negative', 'positive']).toContain(p.label);
  });

  it('report writes one page for several model files', async () => {
    const out = join(dir, 'report.html');
    const shipped = join(root, 'models', 'sentiment.safetensors');
    const result = await json(['report', model, shipped, '--out', out]);
    expect(result).toEqual({ report: out, models: [model, shipped] });
    const html = readFileSync(out, 'utf8');
    expect(html.match(/<canvas id="loss-\d">/g)).toHaveLength(2);
    expect(html).toContain(`<td>${trained.accuracy.toFixed(3)}</td>`);
  });

  it('text output is a table, with progress lines on stderr', async () => {
    const out = join(dir, 'tiny.safetensors');
    const r = await seqwasm(['train', ...IMDB, '--limit', '100', ...TINY, '--model', 'gru', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^model +accuracy +f1 +rocAuc +loss +epochs +secondsPerEpoch\n[- ]+\ngru +0\.\d{3} /);
    expect(r.stdout.trim().endsWith(`saved ${out}`)).toBe(true);
    expect(r.stderr).toMatch(/^gru epoch 1: loss \d\.\d{4} acc \d\.\d{3}/m);
    expect(existsSync(out)).toBe(true);
  });
});

describe('eval', () => {
  it('evaluates the shipped model on the IMDB test reviews', async () => {
    // rows 25,000 onwards of the CSV are aclImdb's test split; the shipped model never saw them
    const result = await json<{ model: string; accuracy: number; f1: number; rocAuc: number; n: number; labels: string[] }>(
      ['eval', ...IMDB, '--train-rows', '25000', '--limit', '400']);
    expect(result).toMatchObject({ model: 'shipped', n: 400, labels: ['negative', 'positive'] });
    expect(result.accuracy).toBeGreaterThan(0.8);
    expect(result.rocAuc).toBeGreaterThan(0.85);
    expect(result.f1).toBeLessThanOrEqual(1);
  });

  it('--data imdb (the default) fetches the aclImdb archive from a mirror into the cache and evaluates on its test split', async () => {
    // the labelled tarball beside the repository, linked under the official name; it is a repacked
    // version, so its own checksum is passed
    const folder = join(dir, 'imdb-mirror');
    mkdirSync(folder);
    symlinkSync(ACLIMDB_TAR, join(folder, 'aclImdb_v1.tar.gz'));
    const sha256 = createHash('sha256').update(readFileSync(ACLIMDB_TAR)).digest('hex');
    const cacheDir = join(dir, 'imdb-cache');
    const result = await json<{ accuracy: number; n: number; confusion: number[][] }>(
      ['eval', '--mirror', folder, '--cache-dir', cacheDir, '--sha256', sha256, '--limit', '300']);
    expect(result.n).toBe(300);
    expect(result.confusion.map((row) => row[0]! + row[1]!)).toEqual([150, 150]); // --limit keeps both classes
    expect(result.accuracy).toBeGreaterThan(0.8);
    expect(statSync(join(cacheDir, 'aclImdb_v1.tar.gz')).size).toBe(statSync(ACLIMDB_TAR).size);
  });

  it("matches a table's labels to the model's by name, whatever order they appear in", async () => {
    // the first row is positive, so the table numbers "positive" 0: the model's 1
    const rows = [[POSITIVE, 'positive'], [NEGATIVE, 'negative'], ['Brilliant and funny, I loved every minute.', 'positive'],
      ['A dull, stupid waste of time.', 'negative'], ['One of the best films of the year.', 'positive'], ['Awful acting and a terrible script.', 'negative']];
    const file = join(dir, 'clear.csv');
    writeFileSync(file, `text,label\n${rows.map(([t, l]) => `"${t}",${l}`).join('\n')}\n`);
    const result = await json<{ accuracy: number; confusion: number[][]; n: number }>(['eval', '--data', file, '--text-column', 'text', '--train-rows', '0']);
    expect(result.n).toBe(6);
    expect(result.confusion).toEqual([[3, 0], [0, 3]]);
    expect(result.accuracy).toBe(1);
  });
});

describe('compare and sweep', () => {
  it('compare trains each kind on the same data, prints the table and writes one report', async () => {
    const report = join(dir, 'compare.html');
    const result = await json<{ models: { model: string; accuracy: number; f1: number; rocAuc: number; loss: number; epochs: number }[]; report: string }>(
      ['compare', ...IMDB, '--limit', '200', ...TINY, '--models', 'gru,mlp', '--report', report]);
    expect(result.models.map((m) => m.model)).toEqual(['gru', 'mlp']);
    for (const m of result.models) {
      expect([m.accuracy, m.f1, m.rocAuc].every(inUnit)).toBe(true);
      expect(m.loss).toBeGreaterThan(0);
      expect(m.epochs).toBe(1);
    }
    expect(result.report).toBe(report);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<h2>gru</h2>');
    expect(html).toContain('<h2>mlp</h2>');
  });

  it('demo --train trains the exercise\'s five models on the given data and prints the comparison', async () => {
    const report = join(dir, 'demo-train.html');
    const result = await json<{ models: { model: string; accuracy: number; rocAuc: number; epochs: number }[]; report: string }>(
      ['demo', '--train', ...IMDB, '--limit', '200', ...TINY, '--report', report]);
    expect(result.models.map((m) => m.model)).toEqual(['rnn', 'gru', 'mlp', 'weighted-mlp', 'attention']);
    for (const m of result.models) expect(inUnit(m.accuracy) && inUnit(m.rocAuc) && m.epochs === 1).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('<h2>attention</h2>');
  });

  it('sweep tries random points of the grid and ranks them by validation loss', async () => {
    const result = await json<{ ranking: { hidden: number; lr: number; validationLoss: number; accuracy: number; model: string }[] }>(
      ['sweep', ...IMDB, '--limit', '200', ...TINY, '--model', 'mlp', '--hiddens', '4,8', '--lrs', '0.01,0.003', '--random', '3']);
    const { ranking } = result;
    expect(ranking).toHaveLength(3);
    const points = new Set(ranking.map((r) => `${r.hidden}/${r.lr}`));
    expect(points.size).toBe(3);
    for (const p of points) expect(['4/0.01', '4/0.003', '8/0.01', '8/0.003']).toContain(p);
    for (let i = 1; i < ranking.length; i++) expect(ranking[i]!.validationLoss).toBeGreaterThanOrEqual(ranking[i - 1]!.validationLoss);
    for (const r of ranking) {
      expect(r.model).toBe('mlp');
      expect(r.validationLoss).toBeGreaterThan(0);
      expect(inUnit(r.accuracy)).toBe(true);
    }
  });
});

describe('data fetch', () => {
  // a stand-in archive served under the official name from 127.0.0.1: its checksum is not the
  // official one, so runs that should succeed pass it with --sha256
  const archive = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
  const sha256 = createHash('sha256').update(archive).digest('hex');
  const requests: string[] = [];
  let server: Server;
  let mirror = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      if (req.url !== '/aclImdb_v1.tar.gz') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-length': archive.length }).end(archive);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    mirror = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('downloads from a URL mirror into the cache, verifies it, and uses the cached file next time', async () => {
    const cacheDir = join(dir, 'fetch-a');
    const args = ['data', 'fetch', 'imdb', '--mirror', mirror, '--cache-dir', cacheDir, '--sha256', sha256];
    const result = await json(args);
    expect(result).toEqual({ name: 'imdb', path: join(cacheDir, 'aclImdb_v1.tar.gz'), bytes: archive.length });
    expect(readFileSync(join(cacheDir, 'aclImdb_v1.tar.gz')).equals(archive)).toBe(true);
    expect(requests).toEqual(['/aclImdb_v1.tar.gz']);
    const again = await seqwasm(args);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe(join(cacheDir, 'aclImdb_v1.tar.gz'));
    expect(requests).toHaveLength(1); // verified in the cache: not fetched again
  });

  it('refuses a file whose checksum is not the expected one and leaves nothing behind', async () => {
    const cacheDir = join(dir, 'fetch-b');
    // without --sha256 the official archive's checksum is expected
    const r = await seqwasm(['data', 'fetch', 'imdb', '--mirror', mirror, '--cache-dir', cacheDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*aclImdb_v1\.tar\.gz: field "sha256": SHA-256 mismatch: got [0-9a-f]{64}, expected c40f74a1/);
    expect(existsSync(join(cacheDir, 'aclImdb_v1.tar.gz'))).toBe(false);
    expect(existsSync(join(cacheDir, 'aclImdb_v1.tar.gz.part'))).toBe(false);
  });

  it('copies from a mirror folder; a mirror without the archive is an error naming it', async () => {
    const folder = join(dir, 'mirror');
    mkdirSync(folder);
    writeFileSync(join(folder, 'aclImdb_v1.tar.gz'), archive);
    const cacheDir = join(dir, 'fetch-c');
    const result = await json(['data', 'fetch', 'imdb', '--mirror', folder, '--cache-dir', cacheDir, '--sha256', sha256]);
    expect(result).toEqual({ name: 'imdb', path: join(cacheDir, 'aclImdb_v1.tar.gz'), bytes: archive.length });
    const missing = await seqwasm(['data', 'fetch', 'glove', '--mirror', folder, '--cache-dir', cacheDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('the mirror has no glove.6B.zip');
    const notFound = await seqwasm(['data', 'fetch', 'glove', '--mirror', mirror, '--cache-dir', cacheDir, '--sha256', 'none']);
    expect(notFound.code).toBe(1);
    expect(notFound.stderr).toContain(`${mirror}glove.6B.zip`);
    expect(notFound.stderr).toContain('HTTP 404');
  });
});

describe('bad input', () => {
  it('an unknown option or a bad value exits 2 and says which --help to read', async () => {
    const [unknown, number, kind, dataset, command] = await Promise.all([
      seqwasm(['predict', '--bogus', 'text']),
      seqwasm(['train', '--limit', 'many']),
      seqwasm(['train', '--model', 'lstm']),
      seqwasm(['data', 'fetch', 'mnist']),
      seqwasm(['fly']),
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("error: unknown option '--bogus'\n(run `seqwasm predict --help` to see the options)\n");
    expect(number.code).toBe(2);
    expect(number.stderr).toContain("option '--limit <n>' argument 'many' is invalid. Expected a whole number.");
    expect(number.stderr).toContain('seqwasm train --help');
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain('Allowed choices are rnn, gru, mlp, weighted-mlp, attention.');
    expect(dataset.code).toBe(2);
    expect(dataset.stderr).toContain('Allowed choices are imdb, glove.');
    expect(dataset.stderr).toContain('seqwasm data fetch --help');
    expect(command.code).toBe(2);
    expect(command.stderr).toContain("unknown command 'fly'");
    for (const r of [unknown, number, kind, dataset, command]) expect(r.stdout).toBe('');
  });

  it('no text at all exits 2 and says how to give some', async () => {
    const r = await seqwasm(['predict'], { input: '\n  \n' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: no text given');
    expect(r.stderr).toContain('pipe them on standard input');
  });

  it('a missing file exits 1 and names the file', async () => {
    const missing = join(dir, 'no-such-file');
    const runs = await Promise.all([
      seqwasm(['predict', '--file', missing]),
      seqwasm(['explain', '--model', missing, 'text']),
      seqwasm(['eval', '--data', missing]),
      seqwasm(['report', missing]),
      seqwasm(['train', '--data', missing]),
    ]);
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`^error: ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no such file`));
      expect(r.stderr).toContain('hint: ');
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    }
  });

  it('a file that is not a model file exits 1', async () => {
    const file = join(dir, 'not-a-model.safetensors');
    writeFileSync(file, 'hello');
    const r = await seqwasm(['predict', '--model', file, 'text']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
