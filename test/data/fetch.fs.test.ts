import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../../dist/index.js';
import { DATASETS, fetchDataset, sha256File, type Progress } from '../../dist/node.js';
import { ACLIMDB_TAR } from '../helpers/shared.js';

// a mirror served on 127.0.0.1 from ../shared/data: the labelled aclImdb tarball under the official
// archive's name (its checksum differs from the official one, so tests pass it explicitly)
const archive = readFileSync(ACLIMDB_TAR);
const SHA256 = 'f36ec176e3e39d904adf557e938cc5f7709dc0d2ad2053ff062966d30d98459e'; // ../shared/data/README.md
const name = DATASETS.imdb.file;
let server: Server;
let base = '';
let cutNextAt: number | undefined; // serve only this many bytes of the next full response, then drop it
const requests: (string | undefined)[] = [];
const dir = mkdtempSync(join(tmpdir(), 'seqwasm-fetch-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.headers.range);
    if (req.url !== `/${name}`) return void res.writeHead(404).end();
    const range = /bytes=(\d+)-/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const body = archive.subarray(start);
    res.writeHead(range ? 206 : 200, { 'content-length': body.length, ...(range ? { 'content-range': `bytes ${start}-${archive.length - 1}/${archive.length}` } : {}) });
    if (cutNextAt !== undefined) {
      const cut = cutNextAt;
      cutNextAt = undefined;
      res.write(body.subarray(0, cut), () => res.destroy());
    } else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => {
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fetchDataset', () => {
  it('downloads from a URL mirror with monotone progress, verifies and caches', async () => {
    const cacheDir = join(dir, 'a');
    const progress: Progress[] = [];
    const path = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256, onProgress: (p) => progress.push(p) });
    expect(path).toBe(join(cacheDir, name));
    expect(await sha256File(path)).toBe(SHA256);
    expect(progress.length).toBeGreaterThan(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytes).toBeGreaterThanOrEqual(progress[i - 1]!.bytes);
    expect(progress.at(-1)!.bytes).toBe(archive.length);
    const before = requests.length;
    await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256 });
    expect(requests.length).toBe(before); // a verified cached file is not fetched again
  });

  it('resumes an interrupted download with an HTTP Range request', async () => {
    const cacheDir = join(dir, 'b');
    cutNextAt = 1_000_000;
    const err = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/resumes where it stopped/);
    const part = join(cacheDir, `${name}.part`);
    const kept = statSync(part).size; // what arrived before the connection dropped
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(1_000_000);
    expect(existsSync(join(cacheDir, name))).toBe(false);
    const path = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256 });
    expect(requests.at(-1)).toBe(`bytes=${kept}-`);
    expect(await sha256File(path)).toBe(SHA256);
    expect(existsSync(part)).toBe(false);
  });

  it('refuses a file whose checksum differs, leaving nothing under the final name', async () => {
    const cacheDir = join(dir, 'c');
    const err = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/SHA-256 mismatch/);
    expect(existsSync(join(cacheDir, name))).toBe(false);
    expect(existsSync(join(cacheDir, `${name}.part`))).toBe(false);
  });

  it('copies from a mirror directory, and says what is missing', async () => {
    const mirrorDir = join(dir, 'mirror');
    const cacheDir = join(dir, 'd');
    await expect(fetchDataset('imdb', { cacheDir, mirror: mirrorDir, sha256: SHA256 })).rejects.toThrow(/the mirror has no aclImdb_v1\.tar\.gz/);
    rmSync(mirrorDir, { recursive: true, force: true });
    mkdirSync(mirrorDir);
    writeFileSync(join(mirrorDir, name), archive);
    const path = await fetchDataset('imdb', { cacheDir, mirror: mirrorDir, sha256: SHA256 });
    expect(statSync(path).size).toBe(archive.length);
  });

  it('reports an unreachable host with a hint about mirrors', async () => {
    const err = await fetchDataset('glove', { cacheDir: join(dir, 'e'), mirror: 'http://127.0.0.1:9' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/could not reach .*SEQWASM_MIRROR/s);
  });
});
