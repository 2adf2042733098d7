// A Cloudflare Worker that classifies and explains text with a seqwasm model.
//   POST /predict  { "text": "…" }  →  { "label", "score", "words": [{ "word", "score" }] }
//   GET  /health   →  { "ok", "simd", "wasmBytes", "arenaHighWater" }: the kernels' memory, which a leak would grow
// Workers cannot compile WebAssembly at run time: the kernels and the model arrive as modules
// (wrangler.toml's rules; workerd's config.capnp for local runs and CI).
import wasm from 'seqwasm/kernels.wasm';
import { init, TextClassifier } from 'seqwasm';
import model from 'seqwasm/models/sentiment.safetensors';

const MAX_BODY_BYTES = 16 * 1024;
const MAX_TEXT_CHARS = 8000;

let classifier;
/** Loads the kernels and the model once per isolate, on the first request. */
function ready() {
  return (classifier ??= init(wasm).then(() => TextClassifier.load(new Uint8Array(model))));
}

const json = (body, status = 200, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

export default {
  async fetch(request) {
    const { pathname } = new URL(request.url);
    if (pathname === '/health' && request.method === 'GET') {
      const { model } = await ready();
      const { runtime } = model;
      return json({ ok: true, simd: runtime.simd, wasmBytes: runtime.memory.buffer.byteLength, arenaHighWater: runtime.arena.highWater });
    }
    if (pathname !== '/predict') return json({ error: 'not found: POST /predict with {"text": "…"}' }, 404);
    if (request.method !== 'POST') return json({ error: 'use POST' }, 405, { allow: 'POST' });
    if (Number(request.headers.get('content-length') ?? 0) > MAX_BODY_BYTES) {
      return json({ error: `the body is over ${MAX_BODY_BYTES} bytes` }, 413);
    }
    const body = await request.text();
    if (body.length > MAX_BODY_BYTES) return json({ error: `the body is over ${MAX_BODY_BYTES} bytes` }, 413);
    let input;
    try {
      input = JSON.parse(body);
    } catch {
      return json({ error: 'the body is not valid JSON; send {"text": "…"}' }, 400);
    }
    if (!input || typeof input !== 'object' || typeof input.text !== 'string') {
      return json({ error: 'expected a JSON object with a string field "text"' }, 400);
    }
    if (!input.text.trim()) return json({ error: '"text" is empty' }, 400);
    if (input.text.length > MAX_TEXT_CHARS) return json({ error: `"text" is over ${MAX_TEXT_CHARS} characters` }, 413);
    const explanation = (await ready()).explain(input.text);
    return json({
      label: explanation.label,
      score: explanation.score,
      words: explanation.words.map((w) => ({ word: w.word, score: w.score })),
    });
  },
};
