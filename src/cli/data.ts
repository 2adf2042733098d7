/// <reference types="node" />
// How the CLI finds its data: a path (aclImdb .tar.gz or folder, CSV/TSV/JSONL) or a dataset name
// fetched into the cache; and pretrained vectors from a file or the GloVe archive.

import { stat } from 'node:fs/promises';
import { stratifiedSplit, splitFirst } from '../data/batch.js';
import type { Example, LabeledSet } from '../data/datasets.js';
import { Vocabulary } from '../data/vocab.js';
import { DataError } from '../errors.js';
import type { ExperimentData, VectorSource } from '../pipeline/experiment.js';
import { readAclImdbPath, readTableFile, readWordVectorsFile } from '../node/data.js';
import { fetchDataset, type FetchOptions } from '../node/fetch.js';

export interface DataOptions {
  data?: string;
  textColumn?: string;
  labelColumn?: string;
  trainRows?: number;
  testFraction?: number;
  limit?: number;
  seed?: number;
  cacheDir?: string;
  mirror?: string;
  /** The IMDB archive's expected SHA-256 (--data imdb), or 'none'; default: the official one's. */
  sha256?: string;
  onProgress?: FetchOptions['onProgress'];
}

/** Train and test examples from --data (default: the IMDB archive, from the cache or downloaded). */
export async function loadData(options: DataOptions): Promise<ExperimentData> {
  const source = options.data ?? 'imdb';
  const fetchOptions = { cacheDir: options.cacheDir, mirror: options.mirror, onProgress: options.onProgress };
  // the same checksum as `data fetch --sha256`: otherwise a repacked archive in the cache would count as corrupt
  const path = source === 'imdb' ? await fetchDataset('imdb', { ...fetchOptions, sha256: checksum(options.sha256) }) : source;
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw userFileError(err, path, '--data', 'pass an aclImdb .tar.gz or folder, a .csv/.tsv/.jsonl file, or "imdb"', 'no such file or folder');
  }
  const limit = (set: Example[]) => (options.limit ? set.slice(0, options.limit) : set);
  if (info.isDirectory() || /\.(tar\.gz|tgz|tar)$/i.test(path)) {
    const { train, test } = await readAclImdbPath(path);
    // aclImdb lists negatives before positives: shuffle-free subsets must take both
    const pick = (set: LabeledSet) => (options.limit ? interleave(set.examples).slice(0, options.limit) : set.examples);
    return { train: pick(train), test: pick(test), labels: train.labels };
  }
  const format = /\.jsonl(\.gz)?$/i.test(path) ? 'jsonl' : /\.tsv(\.gz)?$/i.test(path) ? 'tsv' : 'csv';
  const imdbLayout = format === 'csv' && !options.textColumn && !options.labelColumn;
  const set = await readTableFile(path, {
    format, textColumn: options.textColumn ?? (imdbLayout ? 'review' : 'text'), labelColumn: options.labelColumn ?? (imdbLayout ? 'sentiment' : 'label'),
    labels: imdbLayout ? ['negative', 'positive'] : undefined,
  });
  if (options.trainRows !== undefined) {
    const { train, test } = splitFirst(set.examples, Math.min(options.trainRows, set.examples.length));
    return { train: limit(train), test: limit(test), labels: set.labels };
  }
  const { train, test } = stratifiedSplit(set.examples, { test: options.testFraction ?? 0.2, seed: options.seed ?? 1 });
  return { train: limit(train), test: limit(test), labels: set.labels };
}

/**
 * A file or folder the user named could not be read: a failed run (exit 1) naming it and the option it
 * came from, like every other unreadable input.
 */
export function userFileError(err: unknown, file: string, option: string, hint: string, missing = 'no such file'): DataError {
  const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? missing : (err as Error).message;
  return new DataError(`${reason} (given as ${option})`, { file }, hint, { cause: err });
}

/** --sha256 as fetchDataset takes it: 'none' skips the check, nothing means the official archive's. */
export function checksum(option: string | undefined): string | false | undefined {
  return option === 'none' ? false : option;
}

/** Alternates the classes of a class-sorted list, so any prefix is balanced. */
function interleave(examples: Example[]): Example[] {
  const byLabel = new Map<number, Example[]>();
  for (const e of examples) (byLabel.get(e.label) ?? byLabel.set(e.label, []).get(e.label)!).push(e);
  const lists = [...byLabel.values()];
  const out: Example[] = [];
  for (let i = 0; out.length < examples.length; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}

/** --vectors: a GloVe/word2vec text file (.txt, .gz, .zip), "glove" (the 6B archive's 100-d vectors), or none. */
export function vectorSource(spec: string | undefined, options: Pick<DataOptions, 'cacheDir' | 'mirror' | 'onProgress'>): VectorSource | undefined {
  if (!spec || spec === 'none') return undefined;
  let path: Promise<string> | undefined;
  const resolve = () => (path ??= spec === 'glove' ? fetchDataset('glove', options) : Promise.resolve(spec));
  const member = spec === 'glove' ? 'glove.6B.100d.txt' : undefined;
  return async (vocab?: Vocabulary) => readWordVectorsFile(await resolve(), { vocab, member });
}
