// The Cloudflare Worker example, end to end: workerd serves examples/cloudflare-worker on 127.0.0.1,
// real HTTP requests get the answers Node computes with the same model and build, bad requests get
// clear 4xx errors, and a bounded loopback load test shows no error and flat memory.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime, TextClassifier } from '../../dist/index.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const modelFile = `${root}models/sentiment.safetensors`;
let workerd: ChildProcess;
let base = '';
let output = '';

async function waitForServer(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`workerd did not answer on ${url}:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

beforeAll(async () => {
  execFileSync(process.execPath, ['scripts/gen-workerd-modules.mjs', 'examples/cloudflare-worker/worker.js'], { cwd: root });
  const port = 20_000 + Math.floor(Math.random() * 30_000);
  base = `http://127.0.0.1:${port}`;
  workerd = spawn(`${root}node_modules/.bin/workerd`, ['serve', 'examples/cloudflare-worker/config.capnp', '--socket-addr', `http=127.0.0.1:${port}`], { cwd: root });
  workerd.stdout!.on('data', (d) => (output += d));
  workerd.stderr!.on('data', (d) => (output += d));
  await waitForServer(`${base}/`, Date.now() + 20_000);
}, 30_000);

afterAll(() => {
  workerd?.kill();
});

const post = (body: string, path = '/predict', method = 'POST') =>
  fetch(`${base}${path}`, { method, body: method === 'GET' ? undefined : body, headers: { 'content-type': 'application/json' } });

function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
}

describe('the Cloudflare Worker example under workerd', () => {
  it('answers exactly what Node computes with the same model and build', async () => {
    const runtime = await createRuntime(undefined, { simd: 'baseline' });
    const node = TextClassifier.load(new Uint8Array(readFileSync(modelFile)), { runtime });
    for (const text of ['A wonderful, moving film.', 'Not good at all, sadly.', 'The acting was great, but the plot was dull.']) {
      const res = await post(JSON.stringify({ text }));
      expect(res.status).toBe(200);
      const got = await res.json();
      const want = node.explain(text);
      expect(got).toEqual({ label: want.label, score: want.score, words: want.words.map((w) => ({ word: w.word, score: w.score })) });
    }
    node.dispose();
  });

  it('refuses bad requests with a clear status and message', async () => {
    const cases: [Promise<Response>, number, RegExp][] = [
      [post('{not json'), 400, /not valid JSON/],
      [post(JSON.stringify({ txt: 'x' })), 400, /string field "text"/],
      [post(JSON.stringify({ text: '   ' })), 400, /empty/],
      [post(JSON.stringify({ text: 'x'.repeat(9000) })), 413, /over 8000 characters/],
      [post('x'.repeat(20_000)), 413, /over 16384 bytes/],
      [post('', '/predict', 'GET'), 405, /use POST/],
      [post('{}', '/elsewhere'), 404, /POST \/predict/],
    ];
    for (const [response, status, message] of cases) {
      const res = await response;
      expect(res.status).toBe(status);
      expect((await res.json()).error).toMatch(message);
    }
  });

  it('serves 20,000 requests, 16 at a time, without an error and with flat memory', async () => {
    const health = async () => (await (await fetch(`${base}/health`)).json()) as { wasmBytes: number; arenaHighWater: number };
    const texts = ['great film', 'terrible, boring plot', 'not bad at all', 'I loved the music but the story was weak'];
    const total = 20_000;
    const concurrency = 16;
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const warm = async (n: number) => {
      for (let i = 0; i < n; i++) await (await post(JSON.stringify({ text: texts[i % texts.length] }))).arrayBuffer();
    };
    await warm(500);
    const before = rssKiB(workerd.pid!);
    const kernelsBefore = await health();
    const rss: number[] = [];
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t = performance.now();
        const res = await post(JSON.stringify({ text: texts[i % texts.length] }));
        await res.arrayBuffer();
        latencies.push(performance.now() - t);
        if (res.status !== 200) errors++;
        if (i % 2000 === 0) rss.push(rssKiB(workerd.pid!));
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const after = rssKiB(workerd.pid!);
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.floor(q * (latencies.length - 1))]!;
    console.log(`workerd load test: ${total} requests in ${seconds.toFixed(1)} s, p50 ${p(0.5).toFixed(2)} ms, p99 ${p(0.99).toFixed(2)} ms ` +
      `(client-side, ${concurrency} concurrent); RSS every 2,000 requests (MiB): ${[before, ...rss, after].map((k) => (k / 1024).toFixed(0)).join(' ')}`);
    expect(errors).toBe(0);
    expect(latencies.length).toBe(total);
    // the kernels' memory (which never shrinks, so any leak there would stay) does not move at all
    expect(await health()).toEqual(kernelsBefore);
    // the JS heap grows until V8 collects it (it levels off near 280 MiB after ~20,000 requests, then
    // stays there over 60,000): bounded, not per-request growth
    expect(after).toBeLessThan(512 * 1024);
  }, 180_000);
});
