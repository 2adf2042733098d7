import { describe, expect, it } from 'vitest';
import {
  createModel, epochOrder, evaluate, learningRate, Rng, train, type BatchSource, type Checkpoint, type ModelConfig,
} from '../../dist/index.js';
import { baseline } from '../helpers/runtime.js';
import { randomBatch } from '../models/helpers.js';

const D = 4;

/** A learnable toy task: the label is whether the mean of feature 0 over the real tokens is positive. */
function toySource(n: number, seed: number): BatchSource {
  const rng = new Rng(seed);
  const items = Array.from({ length: n }, () => {
    const len = 2 + rng.int(6);
    const batch = randomBatch(rng, 1, 8, D, [len]);
    let s = 0;
    for (let t = 0; t < len; t++) s += batch.x![t * D]!;
    return { x: batch.x!, mask: batch.mask, label: s > 0 ? 1 : 0 };
  });
  return {
    size: n,
    *batches({ batchSize, rng: order, shuffle = true }) {
      const idx = Array.from({ length: n }, (_, i) => i);
      if (shuffle && order) order.shuffle(idx);
      for (let s = 0; s < n; s += batchSize) {
        const part = idx.slice(s, s + batchSize);
        const B = part.length;
        const x = new Float32Array(B * 8 * D);
        const mask = new Float32Array(B * 8);
        const labels = new Int32Array(B);
        part.forEach((i, b) => {
          x.set(items[i]!.x, b * 8 * D);
          mask.set(items[i]!.mask, b * 8);
          labels[b] = items[i]!.label;
        });
        yield { B, T: 8, x, mask, labels };
      }
    },
  };
}

const config: ModelConfig = { kind: 'mlp', input: D, widths: [8] };

describe('train', () => {
  it('learns, records train/validation/test curves at each evaluation, and calls back', async () => {
    const model = createModel(config, { runtime: baseline, seed: 1, optimizer: { kind: 'adam', lr: 1e-2 } });
    const steps: number[] = [];
    const evals: number[] = [];
    const epochs: number[] = [];
    const result = await train(model, toySource(256, 1), {
      epochs: 4, batchSize: 32, evalEvery: 4, validation: toySource(64, 2), test: toySource(64, 3),
      onStep: (s) => steps.push(s.step), onEval: (e) => evals.push(e.step), onEpoch: (e) => epochs.push(e.epoch),
    });
    expect(result.stopped).toBe('completed');
    expect(result.steps).toBe(32);
    expect(steps).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(evals).toEqual([4, 8, 12, 16, 20, 24, 28, 32]);
    expect(epochs).toEqual([0, 1, 2, 3]);
    expect(result.curves.filter((p) => p.split === 'test').length).toBe(8);
    expect(result.final.test!.accuracy).toBeGreaterThan(0.8); // chance is about 0.5
    const report = evaluate(model, toySource(64, 3));
    expect(report.accuracy).toBe(result.final.test!.accuracy);
    model.dispose();
  });

  it('stops early when validation stops improving, and keeps the best weights', async () => {
    const model = createModel(config, { runtime: baseline, seed: 1, optimizer: { kind: 'adam', lr: 5e-2 } });
    const validation = toySource(32, 9);
    const result = await train(model, toySource(64, 8), { epochs: 200, batchSize: 16, validation, earlyStopping: { patience: 3, metric: 'loss' } });
    expect(result.stopped).toBe('early-stopping');
    expect(result.epochs).toBeLessThan(200);
    const best = result.best!;
    const validationPoints = result.curves.filter((p) => p.split === 'validation');
    expect(best.value).toBe(Math.min(...validationPoints.map((p) => p.loss)));
    expect(evaluate(model, validation).loss).toBeCloseTo(best.value, 6);
    model.dispose();
  });

  it('cancels through an AbortSignal', async () => {
    const model = createModel(config, { runtime: baseline, seed: 1 });
    const controller = new AbortController();
    const result = await train(model, toySource(128, 1), { epochs: 5, signal: controller.signal, onStep: (s) => s.step === 3 && controller.abort() });
    expect(result.stopped).toBe('cancelled');
    expect(result.steps).toBe(3);
    model.dispose();
  });

  it('stops on a non-finite loss with the last good state restored', async () => {
    const model = createModel(config, { runtime: baseline, seed: 1, optimizer: { kind: 'sgd', lr: 1e30 } });
    const before = model.params.params.toArray();
    const result = await train(model, toySource(128, 1), { epochs: 3, batchSize: 16, evalTrain: false });
    expect(result.stopped).toBe('diverged');
    expect(result.divergence).toMatch(/not finite|NaN|Infinity/);
    const after = model.params.params.toArray();
    expect(after.every(Number.isFinite)).toBe(true);
    // nothing evaluated finite before it diverged, so the state is the initial one
    expect(Array.from(after)).toEqual(Array.from(before));
    model.dispose();
  });

  it('resumes from a checkpoint exactly as if it had never stopped', async () => {
    const data = toySource(96, 4);
    const run = (m: ReturnType<typeof createModel>, options: Parameters<typeof train>[2]) => train(m, data, { batchSize: 16, evalTrain: false, ...options });
    const whole = createModel(config, { runtime: baseline, seed: 2 });
    await run(whole, { epochs: 3 });
    const checkpoints: Checkpoint[] = [];
    const first = createModel(config, { runtime: baseline, seed: 2 });
    const controller = new AbortController();
    await run(first, { epochs: 3, checkpoint: { every: 4, save: (c) => void checkpoints.push(c) }, signal: controller.signal,
      onStep: (s) => s.step === 9 && controller.abort() });
    const mid = checkpoints.find((c) => c.step === 8)!; // mid-epoch: epoch 1, batch 2
    expect([mid.epoch, mid.batch]).toEqual([1, 2]);
    const resumed = createModel(config, { runtime: baseline, seed: 99 }); // other init: the checkpoint decides
    const result = await run(resumed, { epochs: 3, resume: mid });
    expect(result.steps).toBe(18);
    expect(Array.from(resumed.params.params.view())).toEqual(Array.from(whole.params.params.view()));
    for (const m of [whole, first, resumed]) m.dispose();
  });

  it('gives each epoch a seeded batch order, and schedules learning rates', () => {
    expect(epochOrder(1, 0).state()).toEqual(epochOrder(1, 0).state());
    expect(epochOrder(1, 0).state()).not.toEqual(epochOrder(1, 1).state());
    expect(learningRate({ kind: 'constant', warmup: 4 }, 1, 1, 10)).toBe(0.5);
    expect(learningRate({ kind: 'linear' }, 1, 5, 10)).toBeCloseTo(0.5);
    expect(learningRate({ kind: 'cosine', final: 0.1 }, 1, 10, 10)).toBeCloseTo(0.1);
    expect(learningRate({ kind: 'step', every: 3, factor: 0.5 }, 1, 7, 10)).toBe(0.25);
  });
});
