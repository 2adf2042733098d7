// Downloading the public datasets, in any runtime: HTTP Range resumption of an interrupted download,
// retries of a connection that broke off, progress events, SHA-256 verification (crypto.subtle) and a
// mirror. Where the bytes go is a DownloadSink: `memorySink()` here, a `<name>.part` file in
// seqwasm/node (whose fetchDataset adds the cache directory, mirror folders and the atomic rename).

import { DataError } from '../errors.js';

/**
 * The official archives with their sizes and SHA-256 sums. The sums are the ones the datasets' users
 * publish (TensorFlow Datasets, Keras, torchtext, …); no download was possible where this was written,
 * so pass `sha256` to check another file (a repacked or partial copy) against its own sum.
 */
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
  /** Bytes held so far, resumed bytes included. Never decreases within one call, except when a server ignores a Range request and the download starts over. */
  bytes: number;
  /** Expected total, when known. */
  total: number | undefined;
  /** Bytes per second received in this call. */
  rate: number;
  /** Where the bytes come from. */
  source: string;
}

/** Where a download's bytes go: a `.part` file (seqwasm/node), memory (`memorySink()`), OPFS, … */
export interface DownloadSink {
  /** Bytes kept from an earlier, interrupted attempt: the download asks for the rest with a Range request. */
  size(): Promise<number>;
  /** Appends bytes (called in order, one call at a time). */
  write(chunk: Uint8Array): Promise<void>;
  /** Drops every byte kept (the server ignored the Range request and sends the whole file). */
  truncate(): Promise<void>;
  /** SHA-256 (lowercase hex) of the bytes kept. */
  sha256(): Promise<string>;
  /** Releases what writing needed (a file handle); called once the transfer ends, successfully or not. */
  close?(): Promise<void>;
}

export interface DownloadOptions {
  /** Expected SHA-256 (hex); false skips the check. */
  sha256?: string | false;
  /** Expected size, used for progress until the server says. */
  total?: number;
  onProgress?: (progress: Progress) => void;
  signal?: AbortSignal;
  /** How often a connection that broke off (or a 5xx answer) is retried, resuming where it stopped. Default 3. */
  retries?: number;
  /** Replaceable for tests and proxies. Default: globalThis.fetch. */
  fetch?: typeof fetch;
}

const RESUME_HINT = 'run it again: it resumes where it stopped';

/**
 * Downloads `url` into `sink`: resumes after the bytes the sink already holds (HTTP Range), retries a
 * broken connection up to `retries` times (each retry resumes), then verifies the SHA-256 of the whole.
 * On a checksum mismatch the sink is truncated and a DataError with field "sha256" is thrown; on any
 * other failure the bytes received so far stay in the sink for the next call to resume.
 */
export async function download(url: string, sink: DownloadSink, options: DownloadOptions = {}): Promise<void> {
  const retries = options.retries ?? 3;
  if (!(Number.isInteger(retries) && retries >= 0)) throw new DataError(`retries must be a whole number ≥ 0, got ${retries}`, { field: 'retries' });
  const started = performance.now();
  const state: TransferState = { received: 0, bytes: 0, total: options.total };
  const report = () => {
    const seconds = (performance.now() - started) / 1000;
    options.onProgress?.({ bytes: state.bytes, total: state.total, rate: seconds > 0 ? state.received / seconds : 0, source: url });
  };
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await transfer(url, sink, options, state, report);
        break;
      } catch (err) {
        if (options.signal?.aborted || !(err instanceof RetryableError) || attempt >= retries) {
          throw err instanceof RetryableError ? err.error : err;
        }
      }
    }
  } finally {
    await sink.close?.();
  }
  if (options.sha256 === false || options.sha256 === undefined) return;
  const actual = await sink.sha256();
  if (actual !== options.sha256.toLowerCase()) {
    await sink.truncate();
    throw new DataError(`SHA-256 mismatch: got ${actual}, expected ${options.sha256}`, { file: url, field: 'sha256' },
      'the file is corrupt or not the expected version; its bytes were dropped, so the next call downloads it again');
  }
}

interface TransferState {
  /** Bytes received in this call. */
  received: number;
  /** Bytes the sink holds. */
  bytes: number;
  total: number | undefined;
}

/** A failure worth another attempt (the connection broke, the server had a hiccup); `error` is what the user sees if it persists. */
class RetryableError extends Error {
  constructor(readonly error: DataError) {
    super(error.message);
  }
}

/** One request: asks for the bytes after what the sink holds and appends them. */
async function transfer(url: string, sink: DownloadSink, options: DownloadOptions, state: TransferState, report: () => void): Promise<void> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  let have = await sink.size();
  state.bytes = have;
  report();
  let response: Response;
  try {
    response = await fetchFn(url, { headers: have ? { range: `bytes=${have}-` } : {}, signal: options.signal });
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    throw new DataError(`could not reach ${url}: ${(err as Error).message}`, { file: url },
      'check the network, or use a mirror (option mirror, or SEQWASM_MIRROR in seqwasm/node) holding the same file name', { cause: err });
  }
  if (response.status === 416 && have) {
    // the range starts at or after the end: the kept bytes are the whole file (or too many: verification decides)
    await response.body?.cancel();
    return;
  }
  if (!response.ok) {
    await response.body?.cancel();
    const error = new DataError(`HTTP ${response.status} ${response.statusText}`, { file: url }, 'try again later, or use a mirror');
    if (response.status >= 500) throw new RetryableError(error);
    throw error;
  }
  const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(response.headers.get('content-range') ?? '');
  const resumed = response.status === 206 && range !== null && Number(range[1]) === have;
  if (have && !resumed) {
    // the server sent the whole file (it ignores Range), or a range we did not ask for: start over
    await sink.truncate();
    have = 0;
    if (response.status === 206) {
      await response.body?.cancel();
      throw new RetryableError(new DataError(`the server answered a Range request with ${response.headers.get('content-range')}`, { file: url }, RESUME_HINT));
    }
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const whole = range && range[2] !== '*' ? Number(range[2]) : Number.isFinite(length) ? have + length : undefined;
  state.total = whole ?? state.total;
  state.bytes = have;
  report();
  if (!response.body) throw new DataError('the response has no body', { file: url });
  const reader = response.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      await sink.write(value);
      state.bytes += value.length;
      state.received += value.length;
      report();
    }
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason ?? err;
    throw new RetryableError(new DataError(`the download of ${url} broke off after ${state.bytes} bytes: ${(err as Error).message}`, { file: url }, RESUME_HINT, { cause: err }));
  } finally {
    reader.releaseLock();
  }
  if (whole !== undefined && state.bytes < whole) {
    throw new RetryableError(new DataError(`the download of ${url} stopped at ${state.bytes} of ${whole} bytes`, { file: url }, RESUME_HINT));
  }
}

/** A sink that keeps the bytes in memory (browsers, Workers, tests); `bytes()` joins them. */
export function memorySink(): DownloadSink & { bytes(): Uint8Array } {
  let parts: Uint8Array[] = [];
  let size = 0;
  const bytes = () => {
    if (parts.length !== 1) {
      const all = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      parts = [all];
    }
    return parts[0] ?? new Uint8Array(0);
  };
  return {
    size: async () => size,
    write: async (chunk) => {
      parts.push(chunk.slice()); // a fetch body may reuse its chunk's memory
      size += chunk.length;
    },
    truncate: async () => {
      parts = [];
      size = 0;
    },
    sha256: async () => sha256Hex(bytes()),
    bytes,
  };
}

/** SHA-256 of bytes, lowercase hex (crypto.subtle: every runtime has it). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

export interface FetchBytesOptions extends Omit<DownloadOptions, 'total'> {
  /** A base URL holding the same file name (`<mirror>/aclImdb_v1.tar.gz`), for machines that cannot reach the official host. */
  mirror?: string;
  /** Keeps the bytes of an earlier, interrupted call (pass the same sink again to resume). Default: a new memory sink. */
  sink?: DownloadSink & { bytes(): Uint8Array };
}

/**
 * One dataset archive, downloaded into memory and verified (the official SHA-256 unless `sha256` says
 * otherwise). For browsers and Workers; on a file system use seqwasm/node's `fetchDataset`, which
 * caches. The result feeds the readers directly: `readAclImdb(await fetchDatasetBytes('imdb'))`.
 */
export async function fetchDatasetBytes(name: DatasetName, options: FetchBytesOptions = {}): Promise<Uint8Array> {
  const spec = datasetSpec(name);
  const sink = options.sink ?? memorySink();
  const url = options.mirror ? mirrorUrl(options.mirror, spec.file) : spec.url;
  await download(url, sink, { ...options, sha256: options.sha256 === undefined ? spec.sha256 : options.sha256, total: options.mirror ? undefined : spec.bytes });
  return sink.bytes();
}

/** The table entry of a dataset, or a DataError listing the known names. */
export function datasetSpec(name: DatasetName): (typeof DATASETS)[DatasetName] {
  const spec = Object.hasOwn(DATASETS, name) ? DATASETS[name] : undefined;
  if (!spec) throw new DataError(`unknown dataset ${JSON.stringify(name)}`, { field: 'name' }, `use one of ${Object.keys(DATASETS).join(', ')}`);
  return spec;
}

/** `<base>/<file>` for a mirror base URL. */
export function mirrorUrl(base: string, file: string): string {
  return `${base.replace(/\/+$/, '')}/${encodeURIComponent(file)}`;
}
