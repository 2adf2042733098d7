/// <reference types="node" />
// Downloading the public datasets into a cache directory (Node, Deno, Bun). The transfer itself —
// Range resumption, retries, progress, verification — is the core's `download`; this file adds the
// cache, the `<name>.part` file it resumes from, mirror folders, and the atomic rename into place.

import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat, truncate } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DATASETS, datasetSpec, download, mirrorUrl, type DatasetName, type DownloadOptions, type DownloadSink, type Progress } from '../data/fetch.js';
import { DataError } from '../errors.js';

export { DATASETS };
export type { DatasetName, Progress };

export interface FetchOptions extends Omit<DownloadOptions, 'total' | 'sha256'> {
  /** Default: $SEQWASM_CACHE, else ~/.cache/seqwasm. */
  cacheDir?: string;
  /** A directory or base URL holding the same file name; default $SEQWASM_MIRROR. */
  mirror?: string;
  /** Expected SHA-256 (hex); false skips the check. Default: the official archive's. */
  sha256?: string | false;
}

/** The cache directory: $SEQWASM_CACHE, else ~/.cache/seqwasm. */
export function defaultCacheDir(): string {
  return process.env.SEQWASM_CACHE || join(homedir(), '.cache', 'seqwasm');
}

/**
 * Makes sure `<cacheDir>/<archive>` exists and is verified; returns its path. A verified file already in
 * the cache is used as is (a corrupt one is fetched again); a `<archive>.part` left by an interrupted
 * call is resumed with an HTTP Range request; the verified file is renamed into place, so the final name
 * never holds a partial or unverified file.
 */
export async function fetchDataset(name: DatasetName, options: FetchOptions = {}): Promise<string> {
  const spec = datasetSpec(name);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const target = join(cacheDir, spec.file);
  const expected = options.sha256 === undefined ? spec.sha256 : options.sha256;
  await mkdir(cacheDir, { recursive: true });
  if (await exists(target)) {
    if (expected === false || (await sha256File(target)) === expected.toLowerCase()) return target;
    await rm(target); // a corrupt cached file is fetched again
  }
  const mirror = options.mirror ?? (process.env.SEQWASM_MIRROR || undefined);
  if (mirror && !/^https?:\/\//i.test(mirror)) {
    await copyFromFolder(join(mirror, spec.file), target, expected, options);
    return target;
  }
  const part = `${target}.part`;
  const url = mirror ? mirrorUrl(mirror, spec.file) : spec.url;
  try {
    await download(url, fileSink(part), { ...options, sha256: expected, total: mirror ? undefined : spec.bytes });
  } catch (err) {
    if (err instanceof DataError && err.field === 'sha256') await rm(part, { force: true }); // nothing unverified stays behind
    throw err;
  }
  await rename(part, target);
  return target;
}

/** A mirror folder: copy to a temporary name, verify, rename. */
async function copyFromFolder(from: string, target: string, expected: string | false, options: FetchOptions): Promise<void> {
  if (!(await exists(from))) throw new DataError(`the mirror has no ${from.split(/[\\/]/).pop()}`, { file: from }, 'put the archive there, or unset SEQWASM_MIRROR');
  const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
  try {
    await copyFile(from, tmp);
    if (expected !== false) {
      const actual = await sha256File(tmp);
      if (actual !== expected.toLowerCase()) {
        throw new DataError(`SHA-256 mismatch: got ${actual}, expected ${expected}`, { file: from, field: 'sha256' }, 'the mirror holds another version of the file');
      }
    }
    await rename(tmp, target);
  } finally {
    await rm(tmp, { force: true });
  }
  const size = (await stat(target)).size;
  options.onProgress?.({ bytes: size, total: size, rate: 0, source: from });
}

/**
 * A download sink on a file: appends through one handle, reports the file's size (to resume), and
 * hashes it with node:crypto as a stream, so even the 862 MB GloVe archive is never held in memory
 * (the core's memory sink uses crypto.subtle, which needs the whole buffer).
 */
export function fileSink(path: string): DownloadSink {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  const close = async () => {
    const h = handle;
    handle = undefined;
    await h?.close();
  };
  return {
    size: async () => ((await exists(path)) ? (await stat(path)).size : 0),
    write: async (chunk) => {
      handle ??= await open(path, 'a');
      await handle.write(chunk);
    },
    truncate: async () => {
      await close();
      if (await exists(path)) await truncate(path, 0);
    },
    sha256: async () => {
      await close();
      return sha256File(path);
    },
    close,
  };
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
