import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DataError, download, fetchDatasetBytes, memorySink, sha256Hex } from '../../dist/index.js';
import { DATASETS, fetchDataset, sha256File, type Progress } from '../../dist/node.js';
import { ACLIMDB_TAR } from '../helpers/shared.js';

// A mirror served on 127.0.0.1 from ../shared/data: the labelled aclImdb tarball under the official
// archive's name. Its checksum is not the official one, so every call passes it explicitly.
const archive = readFileSync(ACLIMDB_TAR);
const SHA256 = 'f36ec176e3e39d904adf557e938cc5f7709dc0d2ad2053ff062966d30d98459e'; // ../shared/data/README.md
const name = DATASETS.imdb.file;

/** How the server answers the next requests, one entry each: cut after n bytes, ignore Range, or fail. */
type Plan = { cutAt?: number; ignoreRange?: boolean; status?: number };
let plans: Plan[] = [];
let requests: { url: string | undefined; range: string | undefined }[] = [];
let server: Server;
let base = '';
const dir = mkdtempSync(join(tmpdir(), 'seqwasm-fetch-'));

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url, range: req.headers.range });
    const plan = plans.shift() ?? {};
    if (req.url !== `/${name}`) return void res.writeHead(404).end();
    if (plan.status) return void res.writeHead(plan.status).end();
    const range = plan.ignoreRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start >= archive.length) return void res.writeHead(416, { 'content-range': `bytes */${archive.length}` }).end();
    const body = archive.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': body.length,
      ...(range ? { 'content-range': `bytes ${start}-${archive.length - 1}/${archive.length}` } : {}),
    });
    if (plan.cutAt !== undefined) res.write(body.subarray(0, plan.cutAt), () => res.destroy());
    else res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  plans = [];
  requests = [];
});

/** Progress events, checked to be monotone. */
function recorder() {
  const events: Progress[] = [];
  return {
    events,
    onProgress: (p: Progress) => events.push({ ...p }),
    expectMonotone(from = 0) {
      expect(events.length).toBeGreaterThan(1);
      expect(events[0]!.bytes).toBe(from);
      for (let i = 1; i < events.length; i++) expect(events[i]!.bytes).toBeGreaterThanOrEqual(events[i - 1]!.bytes);
      expect(events.at(-1)!.bytes).toBe(archive.length);
      expect(events.at(-1)!.total).toBe(archive.length);
    },
  };
}

describe('fetchDataset (seqwasm/node)', () => {
  it('downloads from a URL mirror with monotone progress, verifies, renames into place and caches', async () => {
    const cacheDir = join(dir, 'a');
    const progress = recorder();
    const path = await fetchDataset('imdb', { cacheDir, mirror: `${base}/`, sha256: SHA256, onProgress: progress.onProgress });
    expect(path).toBe(join(cacheDir, name));
    expect(await sha256File(path)).toBe(SHA256);
    expect(existsSync(`${path}.part`)).toBe(false);
    progress.expectMonotone();
    expect(requests).toEqual([{ url: `/${name}`, range: undefined }]);
    await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256 });
    expect(requests.length).toBe(1); // a verified cached file is not fetched again
  });

  it('keeps the .part when the connection drops, and the next call resumes it with a Range request', async () => {
    const cacheDir = join(dir, 'b');
    plans = [{ cutAt: 1_000_000 }];
    const err = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256, retries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/broke off|stopped at/);
    expect(String(err)).toMatch(/resumes where it stopped/);
    const part = join(cacheDir, `${name}.part`);
    const kept = statSync(part).size; // what arrived before the connection dropped
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(1_000_000);
    expect(existsSync(join(cacheDir, name))).toBe(false);
    const progress = recorder();
    const path = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256, onProgress: progress.onProgress });
    expect(requests.at(-1)!.range).toBe(`bytes=${kept}-`);
    progress.expectMonotone(kept);
    expect(await sha256File(path)).toBe(SHA256);
    expect(existsSync(part)).toBe(false);
  });

  it('retries a dropped connection within one call, resuming each time; progress stays monotone', async () => {
    const cacheDir = join(dir, 'c');
    plans = [{ cutAt: 500_000 }, { cutAt: 2_000_000 }];
    const progress = recorder();
    const path = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256, onProgress: progress.onProgress });
    expect(requests.length).toBe(3);
    expect(requests[0]!.range).toBeUndefined();
    const [second, third] = [requests[1]!.range, requests[2]!.range].map((r) => Number(/^bytes=(\d+)-$/.exec(r!)![1]));
    expect(second).toBeGreaterThan(0);
    expect(second).toBeLessThanOrEqual(500_000);
    expect(third! - second!).toBeLessThanOrEqual(2_000_000);
    expect(third).toBeGreaterThan(second!);
    progress.expectMonotone();
    expect(await sha256File(path)).toBe(SHA256);
  });

  it('starts over when the server ignores the Range request, and retries a 503', async () => {
    const cacheDir = join(dir, 'd');
    mkdirSync(cacheDir);
    writeFileSync(join(cacheDir, `${name}.part`), archive.subarray(0, 12345));
    plans = [{ status: 503 }, { ignoreRange: true }];
    const path = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256 });
    expect(requests.map((r) => r.range)).toEqual(['bytes=12345-', 'bytes=12345-']);
    expect(await sha256File(path)).toBe(SHA256);
  });

  it('refuses a file whose checksum differs: a typed error, nothing under the final name, no .part', async () => {
    const cacheDir = join(dir, 'e');
    const err = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: '0'.repeat(64) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).field).toBe('sha256');
    expect(String(err)).toMatch(new RegExp(`SHA-256 mismatch: got ${SHA256}`));
    expect(existsSync(join(cacheDir, name))).toBe(false);
    expect(existsSync(join(cacheDir, `${name}.part`))).toBe(false);
    // a corrupt file in the cache is not trusted: it is fetched again
    writeFileSync(join(cacheDir, name), 'not the archive');
    const path = await fetchDataset('imdb', { cacheDir, mirror: base, sha256: SHA256 });
    expect(await sha256File(path)).toBe(SHA256);
  });

  it('copies from a mirror directory (option or SEQWASM_MIRROR), and says what is missing', async () => {
    const mirrorDir = join(dir, 'mirror');
    await expect(fetchDataset('imdb', { cacheDir: join(dir, 'f'), mirror: mirrorDir, sha256: SHA256 })).rejects.toThrow(/the mirror has no aclImdb_v1\.tar\.gz/);
    mkdirSync(mirrorDir, { recursive: true });
    writeFileSync(join(mirrorDir, name), archive);
    const bad = await fetchDataset('imdb', { cacheDir: join(dir, 'f'), mirror: mirrorDir }).catch((e: unknown) => e); // the official sum
    expect((bad as DataError).field).toBe('sha256');
    expect(existsSync(join(dir, 'f', name))).toBe(false);
    const saved = process.env.SEQWASM_MIRROR;
    process.env.SEQWASM_MIRROR = mirrorDir;
    try {
      const progress = recorder();
      const path = await fetchDataset('imdb', { cacheDir: join(dir, 'g'), sha256: SHA256, onProgress: progress.onProgress });
      expect(statSync(path).size).toBe(archive.length);
      expect(progress.events.at(-1)!.bytes).toBe(archive.length);
    } finally {
      if (saved === undefined) delete process.env.SEQWASM_MIRROR;
      else process.env.SEQWASM_MIRROR = saved;
    }
    expect(requests.length).toBe(0);
  });

  it('stops on abort, keeping the .part to resume', async () => {
    const cacheDir = join(dir, 'h');
    const controller = new AbortController();
    const err = await fetchDataset('imdb', {
      cacheDir, mirror: base, sha256: SHA256, signal: controller.signal,
      onProgress: (p) => {
        if (p.bytes > 3_000_000) controller.abort();
      },
    }).catch((e: unknown) => e);
    expect((err as Error).name).toBe('AbortError');
    expect(requests.length).toBe(1); // not retried
    expect(statSync(join(cacheDir, `${name}.part`)).size).toBeGreaterThan(3_000_000);
    expect(existsSync(join(cacheDir, name))).toBe(false);
  });

  it('reports an unreachable host with a hint about mirrors, and HTTP errors without retrying', async () => {
    const err = await fetchDataset('glove', { cacheDir: join(dir, 'i'), mirror: 'http://127.0.0.1:9', retries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(String(err)).toMatch(/could not reach .*SEQWASM_MIRROR/s);
    const missing = await fetchDataset('glove', { cacheDir: join(dir, 'i'), mirror: base }).catch((e: unknown) => e);
    expect(String(missing)).toMatch(/HTTP 404/);
    expect(requests.length).toBe(1);
    await expect(fetchDataset('nope' as 'imdb', { cacheDir: join(dir, 'i') })).rejects.toThrow(/unknown dataset "nope".*imdb, glove/s);
  });
});

describe('download and fetchDatasetBytes (core, any runtime)', () => {
  it('sha256Hex is SHA-256', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(await sha256Hex(archive)).toBe(createHash('sha256').update(archive).digest('hex'));
  });

  it('downloads into memory and resumes with the same sink', async () => {
    plans = [{ cutAt: 700_000 }];
    const sink = memorySink();
    const err = await fetchDatasetBytes('imdb', { mirror: base, sha256: SHA256, sink, retries: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    const kept = await sink.size();
    expect(kept).toBeGreaterThan(0);
    const progress = recorder();
    const bytes = await fetchDatasetBytes('imdb', { mirror: base, sha256: SHA256, sink, onProgress: progress.onProgress });
    expect(requests.at(-1)!.range).toBe(`bytes=${kept}-`);
    progress.expectMonotone(kept);
    expect(bytes.length).toBe(archive.length);
    expect(await sha256Hex(bytes)).toBe(SHA256);
    expect(Buffer.from(bytes).equals(archive)).toBe(true);
  });

  it('a checksum mismatch empties the sink and names the field', async () => {
    const sink = memorySink();
    const err = await download(`${base}/${name}`, sink, { sha256: 'f'.repeat(64) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).field).toBe('sha256');
    expect(await sink.size()).toBe(0);
  });

  it('a complete kept download is only verified (416 for the range after the end)', async () => {
    const sink = memorySink();
    await sink.write(archive);
    await download(`${base}/${name}`, sink, { sha256: SHA256 });
    expect(requests.map((r) => r.range)).toEqual([`bytes=${archive.length}-`]);
  });
});
