// The smoke checks of test/smoke.test.ts, inside workerd (Cloudflare Workers' runtime).
// `workerd test` calls test() on every export and prints [ PASS ] or [ FAIL ] with its name.
// Plain JavaScript: workerd runs no TypeScript, and this file is loaded as is (see tests.capnp).
//
// workerd forbids compiling WebAssembly at run time, so the kernels arrive as imported
// WebAssembly.Modules; the .bin imports are the same files as bytes, which init() must refuse.
import {
  createRuntime, hasRelaxedSimd, init, InitError, isWorkerd, runtime,
  createTokenizer, DataError, download, memorySink, readImdbCsv, readTable, readWordVectors, sha256Hex, Vocabulary,
} from '../../dist/index.js';
import baselineModule from '../../dist/kernels.wasm';
import relaxedModule from '../../dist/kernels.relaxed.wasm';
import baselineBytes from '../../dist/kernels.wasm.bin';

function check(ok, message) {
  if (!ok) throw new Error(message);
}

async function rejection(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection, got a value');
}

function expectNeedsModule(err, what) {
  check(err instanceof InitError, `${what}: expected an InitError, got ${err}`);
  check(err.code === 'WORKERD_NEEDS_MODULE', `${what}: code ${err.code}, expected WORKERD_NEEDS_MODULE`);
  check(/kernels\.wasm/.test(err.message), `${what}: the message should say to import kernels.wasm: ${err.message}`);
}

// a copy of linearForward in test/reference/linear.ts (float64), which workerd cannot load as TypeScript
function referenceLinear(x, w, b, M, K, N) {
  const y = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      let s = b[n];
      for (let k = 0; k < K; k++) s += x[i * K + k] * w[n * K + k];
      y[i * N + n] = s;
    }
  }
  return y;
}

// seeded, so a failure reproduces; values are exact float32s so the reference sees what the kernel sees
function values(n, seed) {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 4 - 2;
  });
}

function checkLinear(rt) {
  const [M, K, N] = [3, 17, 5]; // odd sizes: every SIMD tail runs
  const x = values(M * K, 1), w = values(N * K, 2), b = values(N, 3);
  const { arena, kernels: k } = rt;
  const ptrs = [M * N, M * K, N * K, N, k.linearWorkspace(M, K, N)].map((n) => arena.alloc(n));
  const [py, px, pw, pb, work] = ptrs;
  const f32 = (ptr, n) => new Float32Array(rt.memory.buffer, ptr, n); // made after every alloc: growth detaches views
  f32(px, M * K).set(x);
  f32(pw, N * K).set(w);
  f32(pb, N).set(b);
  f32(py, M * N).fill(Number.NaN); // the kernel must overwrite every element
  k.linearForward(py, px, pw, pb, M, K, N, work);
  const got = f32(py, M * N).slice();
  for (const p of ptrs) arena.release(p);
  const want = referenceLinear(x, w, b, M, K, N);
  const atol = 1e-5 * Math.sqrt(K), rtol = 1e-4; // as test/kernels/gemm.test.ts: error grows like √K
  for (let i = 0; i < want.length; i++) {
    check(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]),
      `${rt.simd} linearForward y[${i}] = ${got[i]}, reference ${want[i]}`);
  }
}

export const runsInWorkerd = {
  async test() {
    check(isWorkerd(), `isWorkerd() is false; navigator.userAgent = ${globalThis.navigator?.userAgent}`);
  },
};

// one test, in order: init() keeps program-wide state, and only a failed init may be retried
export const initNeedsTheImportedModule = {
  async test() {
    expectNeedsModule(await rejection(init()), 'init()');
    expectNeedsModule(await rejection(init(baselineBytes)), 'init(bytes)');
    check(baselineBytes instanceof ArrayBuffer && WebAssembly.validate(baselineBytes), 'the bytes are valid wasm');
    const rt = await init(baselineModule);
    check(rt.simd === 'baseline', `init(kernels.wasm) loaded ${rt.simd}`);
    check(runtime() === rt, 'runtime() returns the initialized runtime');
  },
};

export const baselineBuild = {
  async test() {
    const rt = await createRuntime(baselineModule, { simd: 'baseline' });
    check(rt.simd === 'baseline', `loaded ${rt.simd}`);
    check(rt.memory instanceof WebAssembly.Memory, 'exports its memory');
    checkLinear(rt);
  },
};

export const relaxedBuild = {
  async test() {
    check(hasRelaxedSimd(), 'workerd validates relaxed SIMD');
    const rt = await createRuntime(relaxedModule);
    check(rt.simd === 'relaxed', `loaded ${rt.simd}`);
    checkLinear(rt);
  },
};

// the data core in Workers: csv-parse's browser build (loaded on first use), gzip through
// DecompressionStream, word vectors, a tokenizer, and a resumed download checked with crypto.subtle
export const dataReaders = {
  async test() {
    const csv = await readImdbCsv('review,sentiment\n"a, ""b""",positive\nc,negative\n', { file: 'x.csv' });
    check(JSON.stringify(csv.examples) === '[{"text":"a, \\"b\\"","label":1},{"text":"c","label":0}]', `csv: ${JSON.stringify(csv.examples)}`);
    const bad = await rejection(readImdbCsv('review,sentiment\n"short"\n', { file: 'bad.csv' }));
    check(bad instanceof DataError && bad.line === 2 && bad.field === 'sentiment', `bad row: ${bad}`);
    const gz = new Response(new Blob(['t\ty\nhello "x\ta\nbye\tb\n']).stream().pipeThrough(new CompressionStream('gzip')));
    const tsv = await readTable(gz, { format: 'tsv', textColumn: 't', labelColumn: 'y' });
    check(JSON.stringify([tsv.labels, tsv.examples.map((e) => e.text)]) === '[["a","b"],["hello \\"x","bye"]]', `tsv: ${JSON.stringify(tsv)}`);
    const vocab = new Vocabulary(['<pad>', '<unk>', 'foo']);
    const v = await readWordVectors('2 2\nfoo 1 2\nbar 3 4\n', { vocab });
    check(v.dim === 2 && v.words === 2 && v.matrix.join() === '0,0,0,0,1,2', `vectors: ${v.dim} ${v.words} ${v.matrix}`);
    check(createTokenizer({ preset: 'exercise' }).tokenize('I <br />loved it').join(' ') === 'br loved it', 'exercise tokenizer');
    const file = new TextEncoder().encode('x'.repeat(100_000));
    const sha = await sha256Hex(file);
    let cut = true;
    const fakeFetch = async (_url, init) => {
      const start = Number(/bytes=(\d+)-/.exec(init?.headers?.range ?? '')?.[1] ?? 0);
      const body = file.subarray(start, cut ? start + 30_000 : file.length); // the first answer stops early
      cut = false;
      return new Response(body, {
        status: start ? 206 : 200,
        headers: { 'content-length': String(file.length - start), ...(start ? { 'content-range': `bytes ${start}-${file.length - 1}/${file.length}` } : {}) },
      });
    };
    const sink = memorySink();
    await download('https://example.invalid/x', sink, { fetch: fakeFetch, sha256: sha });
    check(sink.bytes().length === file.length, `download: ${sink.bytes().length} bytes`);
  },
};
