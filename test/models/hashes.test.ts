// The baseline build gives bit-identical numbers in every runtime: each lane (Node 20, Node 22, Deno,
// Bun, Chromium) hashes what the models compute on the PyTorch fixtures of test/golden/ — forward
// logits, loss, explanations, every gradient, dx and three Adam steps — and compares the hashes with
// one committed snapshot (__snapshots__/hashes.test.ts.snap, written by the Node lane with
// `vitest run -u test/models/hashes.test.ts`). A runtime that rounds one float differently fails here.
import { expect, it } from 'vitest';
import { createModel } from '../../dist/index.js';
import { batchOf, loadFixture, type Fixture } from '../helpers/fixture.js';
import { baseline } from '../helpers/runtime.js';

// Vite (which serves the tests in every lane) bundles the fixtures: no file system needed in a browser
const files = (import.meta as unknown as { glob(pattern: string, options: object): Record<string, Fixture> })
  .glob('../golden/*.json', { eager: true, import: 'default' });
const fixtures = Object.keys(files).sort().map((path) => files[path]!);

async function sha256(parts: ArrayLike<number>[]): Promise<string> {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Float32Array(total);
  let at = 0;
  for (const p of parts) { all.set(p, at); at += p.length; }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', all));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Everything the baseline build computes for one fixture, hashed: one hash per stage, to say which one moved. */
async function hashes(f: Fixture): Promise<Record<string, string>> {
  const batch = batchOf(f);
  const model = createModel(f.config, { runtime: baseline, optimizer: { kind: 'adam', lr: f.adam.lr } });
  try {
    loadFixture(model, f);
    const logits = Float32Array.from(model.forward(batch));
    const e = model.explain(batch);
    const explanation = [e.subScores, e.tokenWeights, e.attention].filter((a): a is Float32Array => a !== undefined).map((a) => Float32Array.from(a));
    const loss = model.lossAndGrad(batch, { inputGradient: true });
    const grads = Object.keys(f.grads).sort().map((name) => Float32Array.from(model.params.grad(name)));
    const dx = Float32Array.from(model.inputGradient(batch));
    const losses = [0, 1, 2].map(() => model.trainStep(batch));
    const trained = Object.keys(f.adam.params).sort().map((name) => Float32Array.from(model.params.param(name)));
    return {
      forward: await sha256([logits, ...explanation]),
      gradients: await sha256([[loss], ...grads, dx]),
      adam: await sha256([losses, ...trained]),
    };
  } finally {
    model.dispose();
  }
}

it('reads every PyTorch fixture', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(50);
});

it('the baseline build computes bit-identical forward passes, gradients and Adam steps in every runtime', async () => {
  const all: Record<string, Record<string, string>> = {};
  for (const f of fixtures) all[f.name] = await hashes(f);
  expect(all).toMatchSnapshot();
});
