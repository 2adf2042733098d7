/// <reference types="node" />
// File-system front ends of the data readers: paths in, the same results as the core readers.

import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DataError } from '../errors.js';
import {
  readAclImdb, readImdbCsv, readTable, SENTIMENT_LABELS, type Example, type LabeledSet, type DataReadOptions, type TableOptions,
} from '../data/datasets.js';
import { readWordVectors, type WordVectorOptions, type WordVectors } from '../data/vectors.js';

/** A file as a web byte stream (the core readers' input). */
export function fileStream(path: string): ReadableStream<Uint8Array> {
  return Readable.toWeb(createReadStream(path)) as unknown as ReadableStream<Uint8Array>;
}

async function checkFile(path: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw new DataError('not a file', { file: path });
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`cannot read: ${(err as Error).message}`, { file: path }, 'check the path', { cause: err });
  }
}

export async function readImdbCsvFile(path: string, options: DataReadOptions = {}): Promise<LabeledSet> {
  await checkFile(path);
  return readImdbCsv(fileStream(path), { file: path, ...options });
}

export async function readTableFile(path: string, options: TableOptions): Promise<LabeledSet> {
  await checkFile(path);
  return readTable(fileStream(path), { file: path, ...options });
}

export async function readWordVectorsFile(path: string, options: WordVectorOptions = {}): Promise<WordVectors> {
  await checkFile(path);
  return readWordVectors(fileStream(path), { file: path, ...options });
}

/** The aclImdb layout from its .tar(.gz) or from an unpacked `aclImdb` folder (see `readAclImdb`). */
export async function readAclImdbFile(path: string, options: DataReadOptions = {}): Promise<{ train: LabeledSet; test: LabeledSet }> {
  return readAclImdbPath(path, options);
}

/** The same as `readAclImdbFile` (its first name). */
export async function readAclImdbPath(path: string, options: DataReadOptions = {}): Promise<{ train: LabeledSet; test: LabeledSet }> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new DataError(`cannot read: ${(err as Error).message}`, { file: path }, 'pass the aclImdb folder or its .tar.gz', { cause: err });
  }
  if (info.isFile()) return readAclImdb(fileStream(path), { file: path, ...options });
  const root = (await readdir(path)).includes('train') ? path : join(path, 'aclImdb');
  const result = { train: emptySet(), test: emptySet() };
  for (const split of ['train', 'test'] as const) {
    for (const [folder, label] of [['neg', 0], ['pos', 1]] as const) {
      const dir = join(root, split, folder);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        throw new DataError(`missing folder ${split}/${folder}`, { file: root }, 'pass the aclImdb folder (with train/ and test/) or its .tar.gz');
      }
      const files = names.flatMap((name) => {
        const m = /^(\d+)_(\d+)\.txt$/.exec(name);
        return m ? [{ name, id: Number(m[1]), rating: Number(m[2]) }] : [];
      }).sort((a, b) => a.id - b.id);
      for (const f of files) {
        if (options.limit !== undefined && result[split].examples.length >= options.limit) break;
        const example: Example = { text: await readFile(join(dir, f.name), 'utf8'), label, rating: f.rating, id: f.id, split };
        result[split].examples.push(example);
      }
    }
  }
  return result;
}

function emptySet(): LabeledSet {
  return { examples: [], labels: [...SENTIMENT_LABELS], skipped: 0, skippedReasons: [] };
}
