/// <reference types="node" />
// The seqwasm command line: train, eval, predict, explain, compare, sweep, data fetch, report, demo.
// Every command takes --json for scripts; errors print what went wrong and what to do, and exit with
// 1 (a run failed: data, files) or 2 (the command line or a config was wrong).

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, SeqwasmError } from '../errors.js';
import type { EvaluationReport } from '../metrics/evaluate.js';
import { TextClassifier, type TextExplanation } from '../pipeline/classifier.js';
import { runExperiment, trainingRecord, type ExperimentSpec, type ModelSpec, type TrainingRecord } from '../pipeline/experiment.js';
import { init } from '../runtime/wasm.js';
import { evaluate } from '../train/evaluate.js';
import { saveModelFile } from '../node/modelFile.js';
import { fetchDataset, type DatasetName } from '../node/fetch.js';
import { writeReport } from '../node/report.js';
import type { ReportModel } from '../report/html.js';
import { loadData, vectorSource, type DataOptions } from './data.js';
import { explainLine, printTable, Progress, type Output } from './output.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The pretrained model shipped in the package (models/ beside dist/). */
export const SHIPPED_MODEL = join(here, '..', '..', 'models', 'sentiment.safetensors');

export const DEMO_SENTENCES = [
  'A wonderful film: moving, funny and beautifully acted.',
  'This movie was not good at all.',
  "I didn't expect much, but it turned out to be brilliant.",
  'The acting was great, but the plot was boring and predictable.',
  'Not bad at all, actually quite enjoyable.',
  'The first half drags, yet the finale is superb.',
  'Beautiful photography cannot save a terrible script.',
  'Worst film I have ever seen.',
];

const KINDS = ['rnn', 'gru', 'mlp', 'weighted-mlp', 'attention'] as const;

interface CommonOptions extends DataOptions {
  json?: boolean;
  model?: string;
  hidden?: number;
  widths?: string;
  head?: string;
  radius?: number;
  pooling?: 'mean' | 'weighted';
  gate?: 'exercise' | 'pytorch';
  activation?: 'sigmoid' | 'tanh' | 'relu';
  tokenizer?: 'exercise' | 'default';
  maxTokens?: number;
  truncate?: 'head' | 'tail' | 'head+tail';
  vocabSize?: number;
  minCount?: number;
  vectors?: string;
  freeze?: boolean;
  unknown?: 'zero' | 'learned';
  epochs?: number;
  batchSize?: number;
  lr?: number;
  optimizer?: 'adam' | 'adamw' | 'sgd';
  clipNorm?: number;
  validation?: number;
  patience?: number;
  evalEvery?: number;
  out?: string;
  report?: string;
}

const int = (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`expected a whole number, got ${JSON.stringify(v)}`);
  return n;
};
const num = (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`expected a number, got ${JSON.stringify(v)}`);
  return n;
};
const list = (v: string) => v.split(',').map((s) => int(s.trim()));

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--data <path>', 'aclImdb .tar.gz or folder, a .csv/.tsv/.jsonl file, or "imdb" (cache or download)', 'imdb')
    .option('--text-column <name>', 'text column of a CSV/TSV/JSONL file (default: review for the IMDB CSV, else text)')
    .option('--label-column <name>', 'label column (default: sentiment for the IMDB CSV, else label)')
    .option('--train-rows <n>', "the exercise's split: the first n rows train, the rest test", int)
    .option('--test-fraction <f>', 'otherwise a stratified random test split of this share', num, 0.2)
    .option('--limit <n>', 'use at most n training and n test examples (quick runs)', int)
    .option('--cache-dir <dir>', 'where downloads are kept (default $SEQWASM_CACHE or ~/.cache/seqwasm)')
    .option('--mirror <dir|url>', 'a directory or URL holding the archives (default $SEQWASM_MIRROR)');
}

function modelOptions(cmd: Command, withKind = true): Command {
  if (withKind) cmd.addOption(new Option('--model <kind>', 'model kind').choices(KINDS).default('gru'));
  return cmd
    .option('--hidden <n>', 'hidden width (rnn, gru, attention)', int, 64)
    .option('--widths <list>', 'token MLP widths, e.g. 64 or 64,32 (mlp, weighted-mlp; attention head)')
    .option('--head <list>', 'hidden FC widths after the last state (rnn, gru)')
    .option('--radius <k>', 'attention window: ±k tokens', int, 5)
    .addOption(new Option('--pooling <how>', 'attention head pooling').choices(['mean', 'weighted']).default('mean'))
    .addOption(new Option('--gate <form>', 'GRU gate form').choices(['exercise', 'pytorch']).default('exercise'))
    .addOption(new Option('--activation <fn>', 'Elman RNN activation (relu trains as an IRNN)').choices(['sigmoid', 'tanh', 'relu']).default('relu'))
    .addOption(new Option('--tokenizer <preset>', 'tokenizer preset').choices(['exercise', 'default']).default('default'))
    .option('--max-tokens <n>', 'tokens kept per text (default 100 exercise, 256 default)', int)
    .addOption(new Option('--truncate <how>', 'which tokens a long text keeps').choices(['head', 'tail', 'head+tail']))
    .option('--vocab-size <n>', 'vocabulary rows', int, 20_000)
    .option('--min-count <n>', 'keep words seen at least n times', int, 2)
    .option('--vectors <path|glove|none>', 'pretrained word vectors (GloVe/word2vec text, .gz or .zip)', 'none')
    .option('--freeze', 'keep the embeddings frozen (the exercise); default: fine-tune')
    .addOption(new Option('--unknown <how>', 'unknown words').choices(['zero', 'learned']).default('learned'))
    .option('--epochs <n>', 'epochs', int, 5)
    .option('--batch-size <n>', 'batch size', int, 32)
    .option('--lr <rate>', 'learning rate (default 1e-3; 1e-4 for rnn)', num)
    .addOption(new Option('--optimizer <kind>', 'optimizer').choices(['adam', 'adamw', 'sgd']).default('adam'))
    .option('--clip-norm <n>', 'clip the global gradient norm', num)
    .option('--validation <f>', 'share of training data held out for early stopping', num, 0.1)
    .option('--patience <n>', 'early-stopping patience in evaluations (0: off)', int, 2)
    .option('--eval-every <n>', 'evaluate every n steps (default: each epoch)', int)
    .option('--seed <n>', 'seed of initialisation, splits and batch order', int, 1);
}

function modelSpec(kind: string, o: CommonOptions): ModelSpec {
  const widths = o.widths ? list(o.widths) : undefined;
  const head = o.head ? list(o.head) : [];
  switch (kind) {
    case 'rnn':
      return { kind: 'rnn', hidden: o.hidden!, activation: o.activation, head };
    case 'gru':
      return { kind: 'gru', hidden: o.hidden!, gate: o.gate, head };
    case 'mlp':
    case 'weighted-mlp':
      return { kind, widths: widths ?? [o.hidden!, o.hidden!] };
    case 'attention':
      return { kind: 'attention', hidden: o.hidden!, radius: o.radius!, pooling: o.pooling, widths: widths ?? [o.hidden!] };
    default:
      throw new ConfigError(`unknown model kind ${JSON.stringify(kind)}`, `use one of ${KINDS.join(', ')}`);
  }
}

function experimentSpec(kind: string, o: CommonOptions): ExperimentSpec {
  return {
    model: modelSpec(kind, o),
    tokenizer: { preset: o.tokenizer ?? 'default', ...(o.maxTokens ? { maxTokens: o.maxTokens } : {}), ...(o.truncate ? { truncate: o.truncate } : {}) },
    vocabSize: o.vocabSize, minCount: o.minCount,
    embedding: { trainable: !o.freeze, unknown: o.unknown },
    optimizer: { kind: o.optimizer ?? 'adam', lr: o.lr ?? (kind === 'rnn' ? 1e-4 : 1e-3) },
    clipNorm: o.clipNorm ?? (kind === 'rnn' ? 1 : undefined),
    epochs: o.epochs ?? 5, batchSize: o.batchSize, validation: o.validation, patience: o.patience, evalEvery: o.evalEvery,
    seed: o.seed,
  };
}

/** Trains one model with progress output; returns the classifier and its record. */
async function trainOne(kind: string, o: CommonOptions, out: Output, data?: Awaited<ReturnType<typeof loadData>>) {
  const d = data ?? (await loadData({ ...o, onProgress: out.download }));
  const spec = experimentSpec(kind, o);
  const progress = new Progress(out, kind);
  const result = await runExperiment(spec, d, {
    vectors: vectorSource(o.vectors, { ...o, onProgress: out.download }),
    callbacks: { onStep: (s) => progress.step(s), onEval: (e) => progress.evaluation(e), onEpoch: (e) => progress.epoch(e) },
  });
  progress.stop();
  return { result, record: trainingRecord(spec, result), data: d };
}

function metricsRow(name: string, t: EvaluationReport, record?: TrainingRecord) {
  return { model: name, accuracy: t.accuracy, f1: t.f1, rocAuc: t.rocAuc, loss: t.loss, ...(record ? { epochs: record.epochs, secondsPerEpoch: record.secondsPerEpoch } : {}) };
}

async function readTexts(texts: string[], file: string | undefined): Promise<string[]> {
  if (texts.length) return texts;
  const content = file ? await readFile(file, 'utf8') : await readStdin();
  const lines = content.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) throw new ConfigError('no text given', 'pass texts as arguments, --file FILE (one per line), or pipe them on standard input');
  return lines;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of process.stdin) text += decoder.decode(chunk as Uint8Array, { stream: true });
  return text + decoder.decode();
}

async function loadClassifier(path: string | undefined): Promise<{ clf: TextClassifier; training: TrainingRecord | undefined; path: string }> {
  const file = path ?? SHIPPED_MODEL;
  const bytes = await readFile(file).catch((err: Error) => {
    throw new ConfigError(`--model ${file}: ${err.message}`, path ? 'pass a model file written by `seqwasm train --out`' : 'the shipped model is missing: reinstall seqwasm');
  });
  const clf = TextClassifier.load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { clf, training: clf.training as TrainingRecord | undefined, path: file };
}

export function buildProgram(out: Output): Command {
  const program = new Command('seqwasm')
    .description('Train, evaluate and explain small sequence models (RNN, GRU, token MLPs, attention) in WebAssembly.')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => out.error(s) })
    .exitOverride();

  modelOptions(dataOptions(program.command('train').description('train a model on a labelled text set; save it with --out')))
    .option('--out <file>', 'write the model file here (default model.safetensors)', 'model.safetensors')
    .option('--report <file>', 'also write the HTML report')
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions) => {
      out.json = !!o.json;
      const { result, record, data } = await trainOne(o.model!, o, out);
      const explanations = DEMO_SENTENCES.slice(0, 4).map((s) => result.classifier.explain(s));
      await saveModelFile(o.out!, result.classifier.save(record));
      if (o.report) await writeReport(o.report, { title: `seqwasm: ${o.model}`, models: [{ name: o.model!, record, explanations, labels: data.labels }] });
      out.result({ ...metricsRow(o.model!, result.test, record), model: o.model, file: o.out, report: o.report ?? null, vocabulary: result.vocabulary },
        () => printTable(out, [metricsRow(o.model!, result.test, record)]) + `\nsaved ${o.out}${o.report ? `, report ${o.report}` : ''}`);
      result.classifier.dispose();
    });

  dataOptions(program.command('eval').description('evaluate a model file on the test split of a data set'))
    .option('--model <file>', 'model file (default: the shipped model)')
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions) => {
      out.json = !!o.json;
      const { clf } = await loadClassifier(o.model);
      const data = await loadData({ ...o, onProgress: out.download });
      const report = evaluate(clf.model, clf.batches([...data.test]));
      out.result({ ...metricsRow(o.model ?? 'shipped', report), n: report.n, confusion: report.confusion },
        () => printTable(out, [metricsRow(o.model ?? 'shipped', report)]));
      clf.dispose();
    });

  program.command('predict').description('classify texts given as arguments, in --file (one per line) or on standard input')
    .argument('[texts...]', 'texts to classify')
    .option('--model <file>', 'model file (default: the shipped model)')
    .option('--file <file>', 'read texts from this file, one per line')
    .option('--json', 'print the result as JSON')
    .action(async (texts: string[], o: { model?: string; file?: string; json?: boolean }) => {
      out.json = !!o.json;
      const { clf } = await loadClassifier(o.model);
      const inputs = await readTexts(texts, o.file);
      const predictions = clf.predict(inputs);
      out.result(predictions.map((p, i) => ({ text: inputs[i], ...p })),
        () => predictions.map((p, i) => `${p.label}\t${p.score.toFixed(3)}\t${inputs[i]}`).join('\n'));
      clf.dispose();
    });

  program.command('explain').description('show how each word moves the prediction (texts as arguments, --file or stdin)')
    .argument('[texts...]', 'texts to explain')
    .option('--model <file>', 'model file (default: the shipped model)')
    .option('--file <file>', 'read texts from this file, one per line')
    .option('--json', 'print the result as JSON')
    .action(async (texts: string[], o: { model?: string; file?: string; json?: boolean }) => {
      out.json = !!o.json;
      const { clf } = await loadClassifier(o.model);
      const inputs = await readTexts(texts, o.file);
      const explanations = inputs.map((t) => clf.explain(t));
      out.result(explanations.map((e, i) => ({ text: inputs[i], ...e })), () => explanations.map((e) => explainLine(out, e)).join('\n'));
      clf.dispose();
    });

  modelOptions(dataOptions(program.command('compare').description("train several models on the same data and print the exercise's comparison table")), false)
    .option('--models <list>', 'model kinds, comma-separated', KINDS.join(','))
    .option('--report <file>', 'write the HTML report with every model')
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions & { models: string }) => {
      out.json = !!o.json;
      const kinds = o.models.split(',').map((k) => k.trim());
      for (const k of kinds) if (!(KINDS as readonly string[]).includes(k)) throw new ConfigError(`--models: unknown kind ${JSON.stringify(k)}`, `use ${KINDS.join(', ')}`);
      const data = await loadData({ ...o, onProgress: out.download });
      const rows: ReturnType<typeof metricsRow>[] = [];
      const reportModels: ReportModel[] = [];
      for (const kind of kinds) {
        const { result, record } = await trainOne(kind, o, out, data);
        rows.push(metricsRow(kind, result.test, record));
        reportModels.push({ name: kind, record, labels: data.labels, explanations: DEMO_SENTENCES.slice(0, 4).map((s) => result.classifier.explain(s)) });
        result.classifier.dispose();
      }
      if (o.report) await writeReport(o.report, { title: 'seqwasm: model comparison', models: reportModels });
      out.result({ models: rows, report: o.report ?? null }, () => printTable(out, rows) + (o.report ? `\nreport ${o.report}` : ''));
    });

  modelOptions(dataOptions(program.command('sweep').description('grid or random search over hidden size, widths and learning rate; prints the ranking')))
    .option('--hiddens <list>', 'hidden sizes to try', '32,64,128')
    .option('--lrs <list>', 'learning rates to try', '0.001,0.003')
    .option('--widths-grid <lists>', 'widths to try, separated by ";", e.g. "64;64,64"')
    .option('--random <n>', 'try n random configurations of the grid instead of all', int)
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions & { hiddens: string; lrs: string; widthsGrid?: string; random?: number }) => {
      out.json = !!o.json;
      const hiddens = list(o.hiddens);
      const lrs = o.lrs.split(',').map((s) => num(s.trim()));
      const widthsGrid = o.widthsGrid ? o.widthsGrid.split(';').map((w) => w.trim()) : [undefined];
      let grid = hiddens.flatMap((hidden) => lrs.flatMap((lr) => widthsGrid.map((widths) => ({ hidden, lr, widths }))));
      if (o.random !== undefined) {
        const { Rng } = await import('../rng.js');
        const rng = new Rng(o.seed ?? 1);
        rng.shuffle(grid);
        grid = grid.slice(0, o.random);
      }
      const data = await loadData({ ...o, onProgress: out.download });
      const rows: (ReturnType<typeof metricsRow> & { hidden: number; lr: number; widths?: string; validationLoss: number | null })[] = [];
      for (const point of grid) {
        const { result } = await trainOne(o.model!, { ...o, hidden: point.hidden, lr: point.lr, widths: point.widths ?? o.widths }, out, data);
        rows.push({ ...point, validationLoss: result.training.best?.value ?? null, ...metricsRow(o.model!, result.test) });
        result.classifier.dispose();
      }
      // ranked by validation loss: the test set never chooses
      rows.sort((a, b) => (a.validationLoss ?? Infinity) - (b.validationLoss ?? Infinity));
      out.result({ ranking: rows }, () => printTable(out, rows.map((r, i) => ({ rank: i + 1, hidden: r.hidden, lr: r.lr, widths: r.widths ?? '', validationLoss: r.validationLoss, accuracy: r.accuracy, f1: r.f1, rocAuc: r.rocAuc }))));
    });

  const data = program.command('data').description('data sets');
  data.command('fetch').description('download a data set archive into the cache (or copy it from a mirror)')
    .argument('<name>', 'imdb or glove')
    .option('--cache-dir <dir>', 'cache directory')
    .option('--mirror <dir|url>', 'a directory or URL holding the archive')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { cacheDir?: string; mirror?: string; json?: boolean }) => {
      out.json = !!o.json;
      if (name !== 'imdb' && name !== 'glove') throw new ConfigError(`unknown data set ${JSON.stringify(name)}`, 'use imdb or glove');
      const path = await fetchDataset(name as DatasetName, { cacheDir: o.cacheDir, mirror: o.mirror, onProgress: out.download });
      out.result({ name, path }, () => path);
    });

  program.command('report').description('write the HTML report of one or more trained model files')
    .argument('<models...>', 'model files written by `seqwasm train`')
    .option('--out <file>', 'report file', 'report.html')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], o: { out: string; json?: boolean }) => {
      out.json = !!o.json;
      const models: ReportModel[] = [];
      for (const file of files) {
        const { clf, training } = await loadClassifier(file);
        if (!training) throw new ConfigError(`${file} holds no training record`, 'train it with `seqwasm train` to get curves and metrics');
        models.push({ name: file, record: training, labels: clf.labels, explanations: DEMO_SENTENCES.slice(0, 4).map((s) => clf.explain(s)) });
        clf.dispose();
      }
      await writeReport(o.out, { title: 'seqwasm report', models });
      out.result({ report: o.out, models: files }, () => `report ${o.out}`);
    });

  modelOptions(dataOptions(program.command('demo').description('explain example sentences with the shipped model (no download); --train runs the exercise study')), false)
    .option('--train', "train the exercise's five models on IMDB and print the comparison table")
    .option('--report <file>', 'report file', 'seqwasm-demo.html')
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions & { train?: boolean }) => {
      out.json = !!o.json;
      if (o.train) {
        const sub = ['compare', '--models', KINDS.join(','), '--report', o.report!, ...(o.data ? ['--data', o.data] : []),
          ...(o.limit ? ['--limit', String(o.limit)] : []), ...(o.epochs ? ['--epochs', String(o.epochs)] : []),
          ...(o.vectors ? ['--vectors', o.vectors] : []), ...(o.json ? ['--json'] : [])];
        await buildProgram(out).parseAsync(sub, { from: 'user' });
        return;
      }
      const { clf, training } = await loadClassifier(undefined);
      const explanations: TextExplanation[] = DEMO_SENTENCES.map((s) => clf.explain(s));
      if (training) await writeReport(o.report!, { title: 'seqwasm demo: the shipped sentiment model', models: [{ name: 'shipped model', record: training, explanations, labels: clf.labels }] });
      out.result({ metrics: training?.test ?? null, explanations: explanations.map((e, i) => ({ text: DEMO_SENTENCES[i], ...e })), report: training ? o.report : null },
        () => [
          `the shipped model (${clf.model.config.kind}), trained on the IMDB training split:`,
          training ? `  test accuracy ${training.test.accuracy.toFixed(3)}, F1 ${training.test.f1.toFixed(3)}, ROC AUC ${training.test.rocAuc?.toFixed(3)}` : '',
          '',
          ...explanations.map((e) => explainLine(out, e)),
          '',
          training ? `report: ${o.report}` : '',
        ].join('\n'));
      clf.dispose();
    });
  return program;
}

/** Runs the CLI with the given arguments (without node and script); returns the exit code. */
export async function main(argv: string[], out: Output): Promise<number> {
  try {
    await init();
    await buildProgram(out).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here too, with exit code 0
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof SeqwasmError) {
      out.error(`error: ${err.message}\n`);
      return err instanceof ConfigError ? 2 : 1;
    }
    out.error(`error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    return 1;
  }
}
