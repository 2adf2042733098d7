/// <reference types="node" />
// The seqwasm command line: train, eval, predict, explain, compare, sweep, data fetch, report, demo.
// Every command takes --json for scripts; errors print what went wrong and what to do, and exit with
// 1 (a run failed: data, files) or 2 (the command line or a config was wrong).

import { readFile, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Argument, Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Example } from '../data/datasets.js';
import { ConfigError, DataError, SeqwasmError } from '../errors.js';
import type { EvaluationReport } from '../metrics/evaluate.js';
import { TextClassifier, type TextExplanation } from '../pipeline/classifier.js';
import { runExperiment, trainingRecord, type ExperimentSpec, type ModelSpec, type TrainingRecord } from '../pipeline/experiment.js';
import { init } from '../runtime/wasm.js';
import { evaluate } from '../train/evaluate.js';
import { saveModelFile } from '../node/modelFile.js';
import { fetchDataset, type DatasetName } from '../node/fetch.js';
import { writeReport } from '../node/report.js';
import type { ReportModel } from '../report/html.js';
import { checksum, loadData, userFileError, vectorSource, type DataOptions } from './data.js';
import { explainLine, printTable, Progress, type Output } from './output.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The pretrained model shipped in the package (models/ beside dist/). */
export const SHIPPED_MODEL = join(here, '..', '..', 'models', 'sentiment.safetensors');
const VERSION = (JSON.parse(readFileSync(join(here, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;

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
  widths?: number[];
  head?: number[];
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

// Option parsers throw commander's InvalidArgumentError, so the message names the option and the
// value ("option '--limit <n>' argument 'abc' is invalid") and exits with 2 like any usage error.
const int = (v: string) => {
  const n = Number(v);
  if (!v.trim() || !Number.isInteger(n)) throw new InvalidArgumentError('Expected a whole number.');
  return n;
};
const num = (v: string) => {
  const n = Number(v);
  if (!v.trim() || !Number.isFinite(n)) throw new InvalidArgumentError('Expected a number.');
  return n;
};
/** --sha256: 64 hex digits, or none to skip the check. */
const sha256 = (v: string) => {
  if (v === 'none' || /^[0-9a-f]{64}$/i.test(v)) return v;
  throw new InvalidArgumentError('Expected 64 hexadecimal digits or none.');
};
const intList = (v: string) => v.split(',').map((s) => int(s.trim()));
const numList = (v: string) => v.split(',').map((s) => num(s.trim()));

function dataOptions(cmd: Command): Command {
  return cmd
    .option('--data <path>', 'aclImdb .tar.gz or folder, a .csv/.tsv/.jsonl file, or "imdb" (cache or download)', 'imdb')
    .option('--text-column <name>', 'text column of a CSV/TSV/JSONL file (default: review for the IMDB CSV, else text)')
    .option('--label-column <name>', 'label column (default: sentiment for the IMDB CSV, else label)')
    .option('--train-rows <n>', "the exercise's split: the first n rows train, the rest test", int)
    .option('--test-fraction <f>', 'otherwise a stratified random test split of this share', num, 0.2)
    .option('--limit <n>', 'use at most n training and n test examples (quick runs)', int)
    .option('--cache-dir <dir>', 'where downloads are kept (default $SEQWASM_CACHE or ~/.cache/seqwasm)')
    .option('--mirror <dir|url>', 'a directory or URL holding the archives (default $SEQWASM_MIRROR)')
    .option('--sha256 <hex|none>', 'with --data imdb: the archive\'s expected SHA-256, for a mirror of another version', sha256);
}

function modelOptions(cmd: Command, withKind = true): Command {
  if (withKind) cmd.addOption(new Option('--model <kind>', 'model kind').choices(KINDS).default('gru'));
  return cmd
    .option('--hidden <n>', 'hidden width (rnn, gru, attention)', int, 64)
    .option('--widths <list>', 'token MLP widths, e.g. 64 or 64,32 (mlp, weighted-mlp; attention head)', intList)
    .option('--head <list>', 'hidden FC widths after the last state (rnn, gru)', intList)
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
  const widths = o.widths;
  const head = o.head ?? [];
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

/** The first example sentences explained, for the heat maps of a report. */
const reportExplanations = (clf: TextClassifier) => DEMO_SENTENCES.slice(0, 4).map((s) => clf.explain(s));

/** A file the user named, read whole; a missing or unreadable one is a failed run (exit 1) naming it. */
async function readUserFile(file: string, option: string, hint: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (err) {
    throw userFileError(err, file, option, hint);
  }
}

async function readTexts(texts: string[], file: string | undefined): Promise<string[]> {
  if (texts.length) return texts;
  const content = file ? (await readUserFile(file, '--file', 'pass a text file with one text per line')).toString('utf8') : await readStdin();
  const lines = content.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  if (!lines.length) throw new ConfigError(file ? `--file ${file} holds no text` : 'no text given', 'pass texts as arguments, --file FILE (one per line), or pipe them on standard input');
  return lines;
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const decoder = new TextDecoder();
  let text = '';
  for await (const chunk of process.stdin) text += decoder.decode(chunk as Uint8Array, { stream: true });
  return text + decoder.decode();
}

async function loadClassifier(path: string | undefined, option = '--model'): Promise<{ clf: TextClassifier; training: TrainingRecord | undefined; path: string }> {
  const file = path ?? SHIPPED_MODEL;
  const bytes = await readUserFile(file, option, path ? 'pass a model file written by `seqwasm train --out`' : 'the shipped model is missing: reinstall seqwasm');
  const clf = TextClassifier.load(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return { clf, training: clf.training as TrainingRecord | undefined, path: file };
}

/**
 * Examples re-indexed into the model's label order: a table's labels are numbered in the order they
 * first appear, so the same names can carry other indices than the model was trained with.
 */
function toModelLabels(examples: readonly Example[], dataLabels: string[], modelLabels: string[]): Example[] {
  const index = dataLabels.map((name) => modelLabels.indexOf(name));
  const unknown = dataLabels.filter((_, i) => index[i]! < 0 && examples.some((e) => e.label === i));
  if (unknown.length) {
    throw new DataError(`the data has labels the model does not know: ${unknown.join(', ')} (the model's: ${modelLabels.join(', ')})`, { field: 'label' },
      'evaluate on data labelled like the training data, or name the label column with --label-column');
  }
  return examples.map((e) => ({ ...e, label: index[e.label]! }));
}

/** A model file's name in a report: the file name without .safetensors, or the path where two would look alike. */
function modelName(file: string, files: string[]): string {
  const short = (f: string) => basename(f).replace(/\.safetensors$/i, '');
  return files.filter((f) => short(f) === short(file)).length > 1 ? file : short(file);
}

/** Trains each kind on the same data; prints the comparison table and writes the report if asked. */
async function compareModels(kinds: string[], o: CommonOptions, out: Output): Promise<void> {
  const data = await loadData({ ...o, onProgress: out.download });
  const rows: ReturnType<typeof metricsRow>[] = [];
  const reportModels: ReportModel[] = [];
  for (const kind of kinds) {
    const { result, record } = await trainOne(kind, o, out, data);
    rows.push(metricsRow(kind, result.test, record));
    reportModels.push({ name: kind, record, labels: data.labels, explanations: reportExplanations(result.classifier) });
    result.classifier.dispose();
  }
  if (o.report) await writeReport(o.report, { title: 'seqwasm: model comparison', models: reportModels });
  out.result({ models: rows, report: o.report ?? null }, () => printTable(out, rows) + (o.report ? `\nreport ${o.report}` : ''));
}

/**
 * predict and explain: texts from the arguments, --file or standard input, each run through the model
 * (the shipped one unless --model names a file); one result per text, printed by `line`.
 */
function textCommand<R extends object>(program: Command, out: Output, name: string, description: string,
  run: (clf: TextClassifier, texts: string[]) => R[], line: (result: R, text: string) => string): void {
  program.command(name).description(description)
    .argument('[texts...]', `texts to ${name}`)
    .option('--model <file>', 'model file (default: the shipped model)')
    .option('--file <file>', 'read texts from this file, one per line')
    .option('--json', 'print the result as JSON')
    .action(async (texts: string[], o: { model?: string; file?: string }) => {
      const inputs = await readTexts(texts, o.file);
      const { clf } = await loadClassifier(o.model);
      const results = run(clf, inputs);
      out.result(results.map((r, i) => ({ text: inputs[i], ...r })), () => results.map((r, i) => line(r, inputs[i]!)).join('\n'));
      clf.dispose();
    });
}

export function buildProgram(out: Output): Command {
  const program = new Command('seqwasm')
    .description('Train, evaluate and explain small sequence models (RNN, GRU, token MLPs, attention) in WebAssembly.')
    .version(VERSION)
    .configureOutput({ writeOut: (s) => out.write(s), writeErr: (s) => out.error(s) })
    .exitOverride()
    // every command has --json; results go to stdout as JSON, progress and status lines are silenced
    .hook('preAction', (_, action) => {
      out.json = !!action.opts().json;
    });

  modelOptions(dataOptions(program.command('train').description('train a model on a labelled text set; save it with --out')))
    .option('--out <file>', 'write the model file here', 'model.safetensors')
    .option('--report <file>', 'also write the HTML report')
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions) => {
      const { result, record, data } = await trainOne(o.model!, o, out);
      await saveModelFile(o.out!, result.classifier.save(record));
      if (o.report) await writeReport(o.report, { title: `seqwasm: ${o.model}`, models: [{ name: o.model!, record, explanations: reportExplanations(result.classifier), labels: data.labels }] });
      out.result({ ...metricsRow(o.model!, result.test, record), file: o.out, report: o.report ?? null, vocabulary: result.vocabulary },
        () => printTable(out, [metricsRow(o.model!, result.test, record)]) + `\nsaved ${o.out}${o.report ? `, report ${o.report}` : ''}`);
      result.classifier.dispose();
    });

  dataOptions(program.command('eval').description('evaluate a model file on the test split of a data set'))
    .option('--model <file>', 'model file (default: the shipped model)')
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions) => {
      const { clf } = await loadClassifier(o.model);
      const data = await loadData({ ...o, onProgress: out.download });
      const report = evaluate(clf.model, clf.batches(toModelLabels(data.test, data.labels, clf.labels)));
      const name = o.model ?? 'shipped';
      out.result({ ...metricsRow(name, report), precision: report.precision, recall: report.recall, n: report.n, labels: clf.labels, confusion: report.confusion },
        () => printTable(out, [metricsRow(name, report)]));
      clf.dispose();
    });

  textCommand(program, out, 'predict', 'classify texts given as arguments, in --file (one per line) or on standard input',
    (clf, texts) => clf.predict(texts), (p, text) => `${p.label}\t${p.score.toFixed(3)}\t${text}`);
  textCommand(program, out, 'explain', 'show how each word moves the prediction (texts as arguments, --file or stdin)',
    (clf, texts) => texts.map((t) => clf.explain(t)), (e) => explainLine(out, e));

  modelOptions(dataOptions(program.command('compare').description("train several models on the same data and print the exercise's comparison table")), false)
    .option('--models <list>', 'model kinds, comma-separated', KINDS.join(','))
    .option('--report <file>', 'write the HTML report with every model')
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions & { models: string }) => {
      const kinds = o.models.split(',').map((k) => k.trim());
      for (const k of kinds) if (!(KINDS as readonly string[]).includes(k)) throw new ConfigError(`--models: unknown kind ${JSON.stringify(k)}`, `use ${KINDS.join(', ')}`);
      await compareModels(kinds, o, out);
    });

  modelOptions(dataOptions(program.command('sweep').description('grid or random search over hidden size, widths and learning rate; prints the ranking')))
    .addOption(new Option('--hiddens <list>', 'hidden sizes to try').argParser(intList).default([32, 64, 128], '32,64,128'))
    .addOption(new Option('--lrs <list>', 'learning rates to try').argParser(numList).default([0.001, 0.003], '0.001,0.003'))
    .option('--widths-grid <lists>', 'widths to try, separated by ";", e.g. "64;64,64"', (v: string) => v.split(';').map(intList))
    .option('--random <n>', 'try n random configurations of the grid instead of all', int)
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions & { hiddens: number[]; lrs: number[]; widthsGrid?: number[][]; random?: number }) => {
      const widthsGrid = o.widthsGrid ?? [undefined];
      let grid = o.hiddens.flatMap((hidden) => o.lrs.flatMap((lr) => widthsGrid.map((widths) => ({ hidden, lr, widths }))));
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
        rows.push({ hidden: point.hidden, lr: point.lr, ...(point.widths ? { widths: point.widths.join(',') } : {}),
          validationLoss: result.training.best?.value ?? null, ...metricsRow(o.model!, result.test) });
        result.classifier.dispose();
      }
      // ranked by validation loss: the test set never chooses
      rows.sort((a, b) => (a.validationLoss ?? Infinity) - (b.validationLoss ?? Infinity));
      out.result({ ranking: rows }, () => printTable(out, rows.map((r, i) => ({ rank: i + 1, hidden: r.hidden, lr: r.lr, widths: r.widths ?? '', validationLoss: r.validationLoss, accuracy: r.accuracy, f1: r.f1, rocAuc: r.rocAuc }))));
    });

  const data = program.command('data').description('data sets');
  data.command('fetch').description('download a data set archive into the cache (or copy it from a mirror)')
    .addArgument(new Argument('<name>', 'the data set').choices(['imdb', 'glove']))
    .option('--cache-dir <dir>', 'cache directory (default $SEQWASM_CACHE or ~/.cache/seqwasm)')
    .option('--mirror <dir|url>', 'a directory or URL holding the archive under its official name (default $SEQWASM_MIRROR)')
    .option('--sha256 <hex|none>', "the archive's expected SHA-256, for a mirror that holds another version (default: the official archive's); none skips the check", sha256)
    .option('--json', 'print the result as JSON')
    .action(async (name: DatasetName, o: { cacheDir?: string; mirror?: string; sha256?: string }) => {
      const path = await fetchDataset(name, { cacheDir: o.cacheDir, mirror: o.mirror, sha256: checksum(o.sha256), onProgress: out.download });
      const bytes = (await stat(path)).size;
      out.result({ name, path, bytes }, () => path);
    });

  program.command('report').description('write the HTML report of one or more trained model files')
    .argument('<models...>', 'model files written by `seqwasm train`')
    .option('--out <file>', 'report file', 'report.html')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], o: { out: string }) => {
      const models: ReportModel[] = [];
      for (const file of files) {
        const { clf, training } = await loadClassifier(file, 'a model file');
        if (!training) throw new DataError('the model file holds no training record', { file }, 'train it with `seqwasm train` to get curves and metrics');
        models.push({ name: modelName(file, files), record: training, labels: clf.labels, explanations: reportExplanations(clf) });
        clf.dispose();
      }
      await writeReport(o.out, { title: 'seqwasm report', models });
      out.result({ report: o.out, models: files }, () => `report ${o.out}`);
    });

  modelOptions(dataOptions(program.command('demo').description('explain example sentences with the shipped model (no download); --train runs the exercise study')), false)
    .option('--train', "train the exercise's five models on IMDB and print the comparison table (takes the train options)")
    .option('--report <file>', 'report file', 'seqwasm-demo.html')
    .option('--json', 'print the result as JSON')
    .action(async (o: CommonOptions & { train?: boolean }) => {
      if (o.train) return compareModels([...KINDS], o, out);
      const { clf, training } = await loadClassifier(undefined);
      const explanations: TextExplanation[] = DEMO_SENTENCES.map((s) => clf.explain(s));
      if (training) await writeReport(o.report!, { title: 'seqwasm demo: the shipped sentiment model', models: [{ name: 'shipped model', record: training, explanations, labels: clf.labels }] });
      out.result({ model: clf.model.config.kind, metrics: training?.test ?? null, explanations: explanations.map((e, i) => ({ text: DEMO_SENTENCES[i], ...e })), report: training ? o.report : null },
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

  // a usage error ends with what to do: the failing command's own --help
  const hint = (cmd: Command, path: string) => {
    cmd.showHelpAfterError(`(run \`${path} --help\` to see the options)`);
    for (const sub of cmd.commands) hint(sub, `${path} ${sub.name()}`);
  };
  hint(program, 'seqwasm');
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
