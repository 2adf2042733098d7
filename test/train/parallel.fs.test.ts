// Data-parallel training on worker threads (seqwasm/node createParallelTrainer): the summed shard
// gradients equal single-threaded lossAndGrad up to float32 summation order for every model kind,
// with and without embeddings and padding; training stays with single-threaded training over Adam
// steps and inside train(); odd batches split as documented; failures and dispose behave.
import { once } from 'node:events';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError, createModel, Rng, ShapeError, train, type Batch, type BatchSource, type ModelConfig, type SequenceModel,
} from '../../dist/index.js';
import { createParallelTrainer, ThreadError, type ParallelTrainer } from '../../dist/node.js';
import { CMD, CMD_STEP, CONTROL_BYTES, GEN, SEQ } from '../../dist/node/parallelShared.js';
import { expectClose, expectIdentical, type Tolerance } from '../helpers/close.js';
import { baseline } from '../helpers/runtime.js';
import { randomBatch, smallConfigs } from '../models/helpers.js';

const D = 5;
const T = 7;
const V = 23;
/** Float32 sums in another order. */
const SUMMATION: Tolerance = { atol: 1e-6, rtol: 1e-5 };
/** After Adam steps, whose first updates are ±lr whatever the gradient's size. */
const AFTER_STEPS: Tolerance = { atol: 2e-5, rtol: 1e-4 };

const trainers: ParallelTrainer[] = [];
afterAll(async () => {
  for (const t of trainers) await t.dispose();
});
async function parallel(model: SequenceModel, threads = 2): Promise<ParallelTrainer> {
  const t = await createParallelTrainer(model, { threads });
  trainers.push(t);
  return t;
}

const embedded: Record<string, ModelConfig> = {
  'gru-embedding': { kind: 'gru', input: D, hidden: 8, embedding: { vocabSize: V } },
  'mlp-frozen-embedding-learned-unk': { kind: 'mlp', input: D, widths: [8], embedding: { vocabSize: V, trainable: false } },
  'attention-embedding-zero-unk': { kind: 'attention', input: D, hidden: 8, radius: 1, embedding: { vocabSize: V, unknown: 'zero' } },
};

/** A batch of sequences of varied lengths (padded), with ids instead of vectors for embedding models. */
function batchFor(config: ModelConfig, rng: Rng, B: number): Batch {
  const lengths = Array.from({ length: B }, (_, b) => (b === 0 ? T : 1 + rng.int(T)));
  const batch = randomBatch(rng, B, T, D, lengths, config.loss === 'bce');
  if (!config.embedding) return batch;
  // ids 0 (padding) and 1 (unknown) appear among real tokens too, and rows repeat across the batch
  const ids = new Int32Array(B * T);
  for (let i = 0; i < B * T; i++) ids[i] = batch.mask[i] ? rng.int(V) : 0;
  return { B, T, ids, mask: batch.mask, labels: batch.labels };
}

const allConfigs = { ...smallConfigs(D), ...embedded };

describe('parallel gradients equal single-threaded ones', () => {
  for (const [name, config] of Object.entries(allConfigs)) {
    it(`${name}: loss and gradients of a 2-thread step, then 6 Adam steps`, async () => {
      const options = { runtime: baseline, seed: 3, optimizer: { kind: 'adam' as const, lr: 1e-3 }, clipNorm: 1 };
      const single = createModel(config, options);
      const model = createModel(config, options);
      const par = await parallel(model);
      expect(par.threads).toBe(2);
      const rng = new Rng(11);
      const batch = batchFor(config, rng, 6);

      const want = single.lossAndGrad(batch);
      const got = await par.lossAndGrad(batch);
      expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-6 * Math.abs(want) + 1e-7);
      const expected = single.params.grads.toArray();
      // the gradients must say something, or equality would prove nothing
      expect(expected.some((g) => Math.abs(g) > 1e-3)).toBe(true);
      expectClose(`${name} grads`, model.params.grads.toArray(), expected, SUMMATION);
      expect(par.correctInLastBatch(batch)).toBe(single.correctInLastBatch(batch));

      for (let s = 0; s < 6; s++) {
        const b = batchFor(config, rng, 6);
        const l1 = single.trainStep(b);
        const l2 = await par.trainStep(b);
        expect(Math.abs(l2 - l1)).toBeLessThanOrEqual(1e-5 * Math.abs(l1) + 1e-6);
      }
      const p1 = single.params.params.toArray();
      const p2 = model.params.params.toArray();
      if (config.kind === 'weighted-mlp' || (config.kind === 'attention' && config.pooling === 'weighted')) {
        // the weight logit's bias has a zero gradient up to rounding (softmax ignores a shift), and Adam
        // turns rounding noise into steps of up to lr (docs/models.md): compare everything else
        const e = model.params.entry('out.bias');
        const last = e.offset + e.size - 1;
        p1[last] = p2[last] = 0;
      }
      expectClose(`${name} params after Adam steps`, p2, p1, AFTER_STEPS);
      single.dispose();
      model.dispose();
    });
  }
});

describe('sharding', () => {
  const config = allConfigs['gru-exercise']!;

  /** What a 2-thread step must compute: shard gradients over the whole batch size, added in shard order. */
  function bySplit(batch: Batch, sizes: number[]): { loss: number; grads: Float32Array } {
    const m = createModel(config, { runtime: baseline, seed: 5 });
    let start = 0;
    let weighted = 0;
    let grads: Float32Array | undefined;
    for (const rows of sizes) {
      const part: Batch = {
        B: rows, T, x: batch.x!.slice(start * T * D, (start + rows) * T * D),
        mask: batch.mask.slice(start * T, (start + rows) * T), labels: batch.labels!.slice(start, start + rows),
      };
      weighted += m.lossAndGrad(part, { batchSize: batch.B }) * rows;
      const g = m.params.grads.toArray();
      if (!grads) grads = g;
      else for (let i = 0; i < g.length; i++) grads[i] = Math.fround(grads[i]! + g[i]!);
      start += rows;
    }
    m.dispose();
    return { loss: weighted / batch.B, grads: grads! };
  }

  it('B = 5 on 2 threads is rows 0–2 here and 3–4 on the worker, bit for bit', async () => {
    const model = createModel(config, { runtime: baseline, seed: 5 });
    const par = await parallel(model);
    const batch = batchFor(config, new Rng(2), 5);
    const want = bySplit(batch, [3, 2]);
    expect(await par.lossAndGrad(batch)).toBe(want.loss);
    expectIdentical('B=5 grads', model.params.grads.toArray(), want.grads);
    expect(() => model.lossAndGrad(batch, { batchSize: 4 })).toThrow(ConfigError); // a shard cannot outsize its batch
    // and it is not what another split gives (the check can tell splits apart)
    expect(Array.from(bySplit(batch, [2, 3]).grads)).not.toEqual(Array.from(want.grads));
    model.dispose();
  });

  it('B = 5 on 3 threads splits 2/2/1, B = 2 leaves a thread idle', async () => {
    const model = createModel(config, { runtime: baseline, seed: 5 });
    const par = await parallel(model, 3);
    expect(par.workers.length).toBe(2);
    const batch = batchFor(config, new Rng(4), 5);
    const want = bySplit(batch, [2, 2, 1]);
    expect(await par.lossAndGrad(batch)).toBe(want.loss);
    expectIdentical('3 threads grads', model.params.grads.toArray(), want.grads);
    // fewer rows than threads: one row each, the third thread idle
    const two = batchFor(config, new Rng(5), 2);
    const wantTwo = bySplit(two, [1, 1]);
    expect(await par.lossAndGrad(two)).toBe(wantTwo.loss);
    expectIdentical('B=2 on 3 threads grads', model.params.grads.toArray(), wantTwo.grads);
    model.dispose();
  });

  it('B = 1 runs as one shard on this thread: exactly single-threaded lossAndGrad', async () => {
    const single = createModel(config, { runtime: baseline, seed: 5 });
    const model = createModel(config, { runtime: baseline, seed: 5 });
    const par = await parallel(model);
    const batch = batchFor(config, new Rng(6), 1);
    expect(await par.lossAndGrad(batch)).toBe(single.lossAndGrad(batch));
    expectIdentical('B=1 grads', model.params.grads.toArray(), single.params.grads.toArray());
    expect(par.correctInLastBatch(batch)).toBe(single.correctInLastBatch(batch));
    single.dispose();
    model.dispose();
  });

  it('threads: 1 starts no worker and trains exactly as trainStep', async () => {
    const single = createModel(config, { runtime: baseline, seed: 5 });
    const model = createModel(config, { runtime: baseline, seed: 5 });
    const par = await parallel(model, 1);
    expect(par.workers.length).toBe(0);
    const rng = new Rng(8);
    for (let s = 0; s < 3; s++) {
      const batch = batchFor(config, rng, 4);
      expect(await par.trainStep(batch)).toBe(single.trainStep(batch));
    }
    expectIdentical('threads 1 params', model.params.params.toArray(), single.params.params.toArray());
    single.dispose();
    model.dispose();
  });

  it('follows batch shapes that grow and shrink (new shared buffers), and parameters changed from outside', async () => {
    const single = createModel(config, { runtime: baseline, seed: 5 });
    const model = createModel(config, { runtime: baseline, seed: 5 });
    const par = await parallel(model);
    const rng = new Rng(9);
    for (const [B, len] of [[4, 3], [9, 7], [2, 7], [7, 7]] as const) {
      const batch = randomBatch(rng, B, len, D, Array.from({ length: B }, () => 1 + rng.int(len)));
      const want = single.lossAndGrad(batch);
      expect(Math.abs((await par.lossAndGrad(batch)) - want)).toBeLessThan(1e-6);
      expectClose(`B=${B} T=${len} grads`, model.params.grads.toArray(), single.params.grads.toArray(), SUMMATION);
      // a restored or loaded state reaches the workers at the next step
      const p = Float32Array.from(single.params.params.view(), () => rng.uniform(-0.5, 0.5));
      single.params.params.view().set(p);
      single.parametersChanged();
      model.params.params.view().set(p);
      model.parametersChanged();
    }
    single.dispose();
    model.dispose();
  });
});

describe('train() with a parallel stepper', () => {
  const config: ModelConfig = { kind: 'gru', input: D, hidden: 8 };
  const source = (n: number, seed: number): BatchSource => {
    const rng = new Rng(seed);
    const items = Array.from({ length: n }, () => randomBatch(rng, 1, T, D, [1 + rng.int(T)]));
    for (const it of items) it.labels![0] = it.x![0]! > 0 ? 1 : 0;
    return {
      size: n,
      *batches({ batchSize, rng: order, shuffle = true }) {
        const idx = items.map((_, i) => i);
        if (shuffle && order) order.shuffle(idx);
        for (let s = 0; s < n; s += batchSize) {
          const part = idx.slice(s, s + batchSize).map((i) => items[i]!);
          const B = part.length;
          const x = new Float32Array(B * T * D);
          const mask = new Float32Array(B * T);
          const labels = new Int32Array(B);
          part.forEach((p, b) => {
            x.set(p.x!, b * T * D);
            mask.set(p.mask, b * T);
            labels[b] = p.labels![0]!;
          });
          yield { B, T, x, mask, labels };
        }
      },
    };
  };

  it('gives the single-threaded run: curves, running accuracy, early stopping and the kept best weights', async () => {
    const options = { runtime: baseline, seed: 1, optimizer: { kind: 'adam' as const, lr: 1e-2 }, clipNorm: 5 };
    const data = source(45, 1); // 45 = batches of 8 and a last one of 5
    const validation = source(16, 2);
    const run = async (model: SequenceModel, stepper?: ParallelTrainer) => {
      const accuracies: number[] = [];
      const result = await train(model, data, {
        epochs: 4, batchSize: 8, evalEvery: 3, validation, earlyStopping: { patience: 50 },
        onStep: (s) => accuracies.push(s.epochAccuracy), ...(stepper ? { stepper } : {}),
      });
      return { result, accuracies };
    };
    const single = createModel(config, options);
    const model = createModel(config, options);
    const a = await run(single);
    const b = await run(model, await parallel(model));
    expect(b.result.stopped).toBe('completed');
    expect(b.result.steps).toBe(a.result.steps);
    expect(b.accuracies).toEqual(a.accuracies);
    expect(b.result.curves.length).toBe(a.result.curves.length);
    for (let i = 0; i < a.result.curves.length; i++) {
      expect(Math.abs(b.result.curves[i]!.loss! - a.result.curves[i]!.loss!)).toBeLessThan(1e-4);
    }
    expect(b.result.best!.step).toBe(a.result.best!.step);
    expectClose('params after train()', model.params.params.toArray(), single.params.params.toArray(), { atol: 1e-4, rtol: 1e-3 });
    single.dispose();
    model.dispose();
  });

  it("refuses another model's stepper", async () => {
    const one = createModel(config, { runtime: baseline });
    const other = createModel(config, { runtime: baseline });
    const stepper = await parallel(other);
    await expect(train(one, source(8, 1), { epochs: 1, stepper })).rejects.toThrow(ConfigError);
    one.dispose();
    other.dispose();
  });
});

describe('failures and dispose', () => {
  const config: ModelConfig = { kind: 'mlp', input: D, widths: [8], embedding: { vocabSize: V } };

  it('a bad batch fails on this thread, naming the row of the whole batch; the trainer goes on', async () => {
    const model = createModel(config, { runtime: baseline });
    const par = await parallel(model);
    const batch = batchFor(config, new Rng(1), 6);
    const badLabel = { ...batch, labels: Int32Array.from(batch.labels!, (y, i) => (i === 4 ? 7 : y)) };
    await expect(par.lossAndGrad(badLabel)).rejects.toThrow(/labels\[4\] = 7/);
    const badId = { ...batch, ids: Int32Array.from(batch.ids!, (id, i) => (i === 5 * T + 1 ? V : id)) };
    await expect(par.lossAndGrad(badId)).rejects.toThrow(ShapeError);
    const single = createModel(config, { runtime: baseline });
    expect(Math.abs((await par.lossAndGrad(batch)) - single.lossAndGrad(batch))).toBeLessThan(1e-6);
    single.dispose();
    model.dispose();
  });

  it('a worker that dies surfaces as a ThreadError, and the trainer stays failed', async () => {
    const model = createModel(config, { runtime: baseline });
    const par = await parallel(model);
    const batch = batchFor(config, new Rng(1), 6);
    await par.lossAndGrad(batch);
    await par.workers[0]!.terminate();
    const err = await par.lossAndGrad(batch).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ThreadError);
    expect((err as ThreadError).thread).toBe(1);
    expect((err as ThreadError).message).toMatch(/worker thread 1 exited/);
    await expect(par.trainStep(batch)).rejects.toBe(err);
    await par.dispose();
    model.dispose();
  });

  it('a worker whose job throws reports the error and ends', async () => {
    // the worker script on its own, given a job it cannot do: a new buffer generation with no buffer sent
    const model = createModel(config, { runtime: baseline });
    const control = new SharedArrayBuffer(CONTROL_BYTES);
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('../../dist/node/parallelWorker.js', import.meta.url), {
      workerData: { module: baseline.module, config: model.config, control, port: port2 }, transferList: [port2],
    });
    const messages: { type: string; name?: string; message?: string }[] = [];
    worker.on('message', (m) => messages.push(m));
    const exited = once(worker, 'exit');
    while (!messages.some((m) => m.type === 'ready')) await new Promise((r) => setTimeout(r, 10));
    const ctrl = new Int32Array(control);
    Atomics.add(ctrl, GEN, 1);
    Atomics.store(ctrl, CMD, CMD_STEP);
    Atomics.add(ctrl, SEQ, 1);
    Atomics.notify(ctrl, SEQ);
    await exited;
    expect(messages.find((m) => m.type === 'error')).toMatchObject({ name: 'Error', message: expect.stringMatching(/no data buffer/) });
    port1.close();
    model.dispose();
  });

  it("a worker's error message fails the step in flight with a ThreadError naming it", async () => {
    const model = createModel(config, { runtime: baseline });
    const par = await parallel(model);
    const batch = batchFor(config, new Rng(1), 6);
    const step = par.lossAndGrad(batch); // this thread's shard is done; the worker's may still run
    par.workers[0]!.emit('message', { type: 'error', name: 'RangeError', message: 'out of bounds', stack: undefined });
    const err = await step.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ThreadError);
    expect((err as ThreadError).message).toMatch(/worker thread 1 failed: RangeError: out of bounds/);
    expect(((err as ThreadError).cause as Error).name).toBe('RangeError');
    await par.dispose();
    model.dispose();
  });

  it('dispose ends every worker; the trainer refuses work after it and the model still trains', async () => {
    const model = createModel(config, { runtime: baseline });
    const par = await createParallelTrainer(model, { threads: 3 });
    const batch = batchFor(config, new Rng(1), 6);
    await par.trainStep(batch);
    const exits = par.workers.map((w) => once(w, 'exit'));
    await par.dispose();
    await Promise.all(exits); // resolves only once each thread has really ended
    await expect(par.lossAndGrad(batch)).rejects.toThrow(ThreadError);
    await par.dispose(); // twice is fine
    expect(Number.isFinite(model.trainStep(batch))).toBe(true);
    model.dispose();
  });

  it('rejects a bad thread count', async () => {
    const model = createModel(config, { runtime: baseline });
    await expect(createParallelTrainer(model, { threads: 0 })).rejects.toThrow(ConfigError);
    await expect(createParallelTrainer(model, { threads: 1.5 })).rejects.toThrow(ConfigError);
    model.dispose();
  });
});
