/// <reference types="node" />
// Downloading the public datasets into a cache directory: progress events, SHA-256 verification,
// resumption of an interrupted download (HTTP Range on a `.part` file), an atomic rename into place,
// and a mirror (a directory or a base URL) for machines without internet access.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DataError } from '../errors.js';

/** The official archives, their sizes and SHA-256 sums (as published by the datasets' users: TFDS, Keras, torchtext). */
export const DATASETS = {
  imdb: {
    file: 'aclImdb_v1.tar.gz',
    url: 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz',
    bytes: 84_125_825,
    sha256: 'c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe',
  },
  glove: {
    file: 'glove.6B.zip',
    url: 'https://nlp.stanford.edu/data/glove.6B.zip',
    bytes: 862_182_613,
    sha256: '617afb2fe6cbd085c235baf7a465b96f4112bd7f7ccb2b2cbd649fed9cbcf2fb',
  },
} as const;

export type DatasetName = keyof typeof DATASETS;

export interface Progress {
  /** Bytes of the file on disk so far (resumed bytes included). */
  bytes: number;
  /** Expected total, when known. */
  total: number | undefined;
  /** Bytes per second over this call. */
  rate: number;
  /** Where the bytes come from. */
  source: string;
}

export interface FetchOptions {
  /** Default: $SEQWASM_CACHE or ~/.cache/seqwasm. */
  cacheDir?: string;
  /** A directory or base URL holding the same file name; default $SEQWASM_MIRROR. */
  mirror?: string;
  /** Expected SHA-256 (hex); false skips the check. Default: the official archive's. */
  sha256?: string | false;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** Replaceable for tests and proxies. Default: globalThis.fetch. */
  fetch?: typeof fetch;
}

/** The cache directory: $SEQWASM_CACHE, else ~/.cache/seqwasm. */
export function defaultCacheDir(): string {
  return process.env.SEQWASM_CACHE || join(homedir(), '.cache', 'seqwasm');
}

/**
 * Makes sure `<cacheDir>/<archive>` exists and verifies; returns its path. A verified file already in
 * the cache is used as is; a `.part` left by an interrupted download is resumed.
 */
export async function fetchDataset(name: DatasetName, options: FetchOptions = {}): Promise<string> {
  const spec = DATASETS[name];
  if (!spec) throw new DataError(`unknown dataset ${JSON.stringify(name)}`, {}, `use one of ${Object.keys(DATASETS).join(', ')}`);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const target = join(cacheDir, spec.file);
  const expected = options.sha256 === undefined ? spec.sha256 : options.sha256;
  await mkdir(cacheDir, { recursive: true });
  if (await exists(target)) {
    if (expected === false || (await sha256File(target)) === expected) return target;
    await rm(target); // a corrupt cached file is fetched again
  }
  const mirror = options.mirror ?? process.env.SEQWASM_MIRROR;
  const part = `${target}.part`;
  if (mirror && !/^https?:\/\//.test(mirror)) {
    // a mirror directory: copy, verify, rename
    const from = join(mirror, spec.file);
    if (!(await exists(from))) throw new DataError(`the mirror has no ${spec.file}`, { file: from }, 'put the archive there, or unset SEQWASM_MIRROR');
    const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
    await copyFile(from, tmp);
    await verifyAndPlace(tmp, target, expected, from);
    options.onProgress?.({ bytes: (await stat(target)).size, total: (await stat(target)).size, rate: 0, source: from });
    return target;
  }
  const url = mirror ? `${mirror.replace(/\/$/, '')}/${spec.file}` : spec.url;
  await download(url, part, options, mirror ? undefined : spec.bytes);
  await verifyAndPlace(part, target, expected, url);
  return target;
}

/** Downloads url into `part`, resuming from its current size with an HTTP Range request. */
async function download(url: string, part: string, options: FetchOptions, knownTotal?: number): Promise<void> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const have = (await exists(part)) ? (await stat(part)).size : 0;
  let response: Response;
  try {
    response = await fetchFn(url, { headers: have ? { range: `bytes=${have}-` } : {}, signal: options.signal });
  } catch (err) {
    throw new DataError(`could not reach ${url}: ${(err as Error).message}`, { file: url },
      'check the network, or set SEQWASM_MIRROR to a directory or URL holding the archive', { cause: err });
  }
  if (response.status === 416 && have) {
    // the .part is already complete (or longer than the file): verification decides
    return;
  }
  if (!response.ok) throw new DataError(`HTTP ${response.status} ${response.statusText}`, { file: url }, 'try again later, or use a mirror');
  const resumed = response.status === 206 && have > 0;
  const length = Number(response.headers.get('content-length') ?? NaN);
  const total = Number.isFinite(length) ? length + (resumed ? have : 0) : knownTotal;
  const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' });
  let bytes = resumed ? have : 0;
  const started = performance.now();
  const sent = bytes;
  try {
    const reader = response.body!.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (!out.write(value)) await new Promise<void>((resolve) => out.once('drain', resolve));
      bytes += value.length;
      const seconds = (performance.now() - started) / 1000;
      options.onProgress?.({ bytes, total, rate: seconds > 0 ? (bytes - sent) / seconds : 0, source: url });
    }
  } catch (err) {
    throw new DataError(`the download of ${url} broke off after ${bytes} bytes: ${(err as Error).message}`, { file: url },
      'run it again: it resumes where it stopped', { cause: err });
  } finally {
    await new Promise<void>((resolve) => out.end(resolve));
  }
  if (total !== undefined && bytes < total) {
    throw new DataError(`the download of ${url} stopped at ${bytes} of ${total} bytes`, { file: url }, 'run it again: it resumes where it stopped');
  }
}

async function verifyAndPlace(tmp: string, target: string, expected: string | false, source: string): Promise<void> {
  if (expected !== false) {
    const actual = await sha256File(tmp);
    if (actual !== expected) {
      await rm(tmp, { force: true });
      throw new DataError(`SHA-256 mismatch: got ${actual}, expected ${expected}`, { file: source },
        'the file is corrupt or not the expected version; it was deleted, so the next call downloads it again');
    }
  }
  await rename(tmp, target);
}

/** SHA-256 of a file, hex. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Uint8Array);
  return hash.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
