/// <reference types="node" />
// Data-parallel training on worker threads. Each worker owns a kernel instance and a replica of the
// model; a batch is cut into row shards, the calling thread computes the first and the workers the
// others, each dividing by the whole batch's size, so the shards' gradients simply add up to the
// batch's (equal to single-threaded training up to summation order). Parameters go out and
// gradients come back through one SharedArrayBuffer per worker; the embedding table travels only by
// the rows a shard uses. Clipping and the optimizer step stay with the caller's model, exactly as in
// `trainStep`, so checkpoints, evaluation and early stopping of `train()` are unchanged.

import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { ConfigError, ShapeError, ThreadError } from '../errors.js';
import { checkBatch, type Batch, type BatchRequirements } from '../nn/batch.js';
import type { SequenceModel } from '../nn/model.js';
import { Tensor } from '../runtime/tensor.js';
import type { TrainStepper } from '../train/train.js';
import {
  CMD, CMD_STEP, CMD_STOP, CONTROL_BYTES, CORRECT, DONE, FULL_B, GEN, LOSS_BYTE, ROWS, SEQ, SHARD_B, SHARD_T,
  layout, traffic, type ErrorMessage, type Layout, type Traffic,
} from './parallelShared.js';

export interface ParallelOptions {
  /** Threads in all, the calling one included. Default: `os.availableParallelism()`. 1 trains on this thread only. */
  threads?: number;
}

type WaitAsync = (arr: Int32Array, index: number, value: number) => { async: boolean; value: Promise<string> | string };
const waitAsync = (Atomics as unknown as { waitAsync?: WaitAsync }).waitAsync;

interface Lane {
  worker: Worker;
  ctrl: Int32Array;
  loss: Float64Array;
  port: MessagePort;
  f32: Float32Array;
  i32: Int32Array;
  lay: Layout | undefined;
  seq: number;
  /** Rows of this step's shard (0: idle this step). */
  size: number;
}

/**
 * Starts the worker threads for `model` and resolves when they are ready. Use the result as
 * `train(model, data, { stepper })`, or call its `trainStep` / `lossAndGrad` directly; `dispose()` it
 * when done (idle workers do not keep the process alive).
 */
export async function createParallelTrainer(model: SequenceModel, options: ParallelOptions = {}): Promise<ParallelTrainer> {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new ConfigError(`threads must be a positive integer, got ${String(threads)}`);
  // without Atomics.waitAsync the calling thread could not await a worker: train on this thread alone
  const trainer = new ParallelTrainer(model, waitAsync ? threads : 1);
  await trainer.start();
  return trainer;
}

export class ParallelTrainer implements TrainStepper {
  readonly model: SequenceModel;
  /** Threads in use, the calling one included. */
  readonly threads: number;
  private readonly lanes: Lane[] = [];
  private readonly traffic: Traffic;
  private readonly requirements: BatchRequirements;
  /** Marks which embedding rows a shard already listed: stamp[id] === current stamp. */
  private readonly stamp: Int32Array;
  private stampNow = 0;
  private failure: ThreadError | undefined;
  private failWith: (err: ThreadError) => void = () => {};
  private readonly failed: Promise<never>;
  private busy = false;
  private disposed = false;
  /** Room in the model's memory for one worker's gradients, added there by the SIMD axpy kernel. */
  private scratch: Tensor | undefined;
  private mainShard: Batch | undefined;
  private mainCorrect = -1;
  private workerCorrect = 0;

  /** @internal use createParallelTrainer */
  constructor(model: SequenceModel, threads: number) {
    this.model = model;
    this.threads = threads;
    this.traffic = traffic(model.params);
    const c = model.config;
    this.requirements = { D: c.input, embedding: !!c.embedding, classes: c.outputs, bce: c.loss === 'bce', needLabels: true };
    this.stamp = new Int32Array(this.traffic.embedding && threads > 1 ? this.traffic.embedding.V : 0);
    this.failed = new Promise<never>((_, reject) => (this.failWith = reject));
    this.failed.catch(() => {}); // observed through each step's race; never an unhandled rejection
  }

  /** The worker threads (threads − 1 of them), e.g. to watch their resources. */
  get workers(): readonly Worker[] {
    return this.lanes.map((l) => l.worker);
  }

  /** @internal */
  async start(): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let i = 1; i < this.threads; i++) {
      const control = new SharedArrayBuffer(CONTROL_BYTES);
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(new URL('./parallelWorker.js', import.meta.url), {
        workerData: { module: this.model.runtime.module, config: this.model.config, control, port: port2 },
        transferList: [port2],
      });
      const lane: Lane = {
        worker, ctrl: new Int32Array(control), loss: new Float64Array(control, LOSS_BYTE, 1), port: port1,
        f32: new Float32Array(0), i32: new Int32Array(0), lay: undefined, seq: 0, size: 0,
      };
      this.lanes.push(lane);
      ready.push(new Promise<void>((resolve, reject) => {
        this.failed.catch(reject);
        worker.on('message', (m: ErrorMessage | { type: 'ready' }) => {
          if (m.type === 'ready') return resolve();
          const cause = Object.assign(new Error(m.message), { name: m.name, stack: m.stack });
          this.fail(new ThreadError(`worker thread ${i} failed: ${m.name}: ${m.message}`, i,
            'the trainer cannot continue: dispose() it (the model keeps its last parameters)', { cause }));
        });
        worker.on('error', (err) => this.fail(new ThreadError(`worker thread ${i} failed: ${err.message}`, i,
          'the trainer cannot continue: dispose() it', { cause: err })));
        worker.on('exit', (code) => {
          if (!this.disposed) this.fail(new ThreadError(`worker thread ${i} exited (code ${code})`, i, 'the trainer cannot continue: dispose() it'));
        });
      }));
    }
    try {
      await Promise.all(ready);
    } catch (err) {
      await this.dispose();
      throw err;
    }
    for (const lane of this.lanes) lane.worker.unref();
  }

  /**
   * The batch's mean loss; leaves the gradients of that mean in `model.params.grads`, as
   * `model.lossAndGrad(batch)` does. A batch of one row runs on this thread.
   */
  async lossAndGrad(batch: Batch): Promise<number> {
    if (this.failure) throw this.failure;
    if (this.disposed) throw new ThreadError('this parallel trainer was disposed');
    if (this.busy) throw new ConfigError('a parallel step is already running', 'await each lossAndGrad / trainStep before the next');
    const model = this.model;
    const B = batch.B;
    const n = Math.min(this.threads, Number.isInteger(B) && B > 0 ? B : 1);
    this.mainCorrect = -1;
    this.workerCorrect = 0;
    if (n === 1) {
      this.mainShard = batch;
      return model.lossAndGrad(batch);
    }
    // checked whole here, so an error names the row in the caller's batch, not in a shard
    checkBatch(batch, this.requirements);
    this.checkIds(batch);
    const T = batch.T;
    const base = Math.floor(B / n);
    const extra = B % n;
    const mainRows = base + (extra > 0 ? 1 : 0);
    for (const lane of this.lanes) lane.size = 0; // a lane counts as busy only once its job is posted
    this.busy = true;
    let mainLoss = 0;
    let error: unknown;
    try {
      let start = mainRows;
      for (let w = 1; w < n; w++) {
        const lane = this.lanes[w - 1]!;
        const size = base + (w < extra ? 1 : 0);
        this.post(lane, batch, start, size, B, T);
        lane.worker.ref(); // a step in flight keeps the process alive
        start += size;
      }
      this.mainShard = shard(batch, 0, mainRows, this.model.config.input);
      mainLoss = model.lossAndGrad(this.mainShard, { batchSize: B });
    } catch (err) {
      error = err;
    }
    try {
      // even after an error: posted workers must finish before their buffers are written again
      await this.waitForLanes();
      if (this.failure) throw this.failure; // a trainer that failed meanwhile reports no step as done
      if (error) throw error;
      return this.reduce(mainLoss * mainRows) / B;
    } finally {
      this.busy = false;
      for (const lane of this.lanes) lane.worker.unref();
    }
  }

  /** One optimizer step, as `model.trainStep(batch)`: gradients, clipping, update. Returns the loss. */
  async trainStep(batch: Batch): Promise<number> {
    const loss = await this.lossAndGrad(batch);
    const model = this.model;
    if (model.clipNorm !== undefined) model.optimizer.clipGradNorm(model.clipNorm);
    model.optimizer.step();
    model.parametersChanged();
    return loss;
  }

  /** Correct predictions in the last `lossAndGrad` batch (the one it was given), over every shard. */
  correctInLastBatch(_batch: Batch): number {
    if (this.mainShard === undefined) return 0;
    if (this.mainCorrect < 0) this.mainCorrect = this.model.correctInLastBatch(this.mainShard);
    return this.mainCorrect + this.workerCorrect;
  }

  /** Stops and terminates the workers; the model stays usable. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.fail(new ThreadError('this parallel trainer was disposed'));
    this.scratch?.dispose();
    this.scratch = undefined;
    for (const lane of this.lanes) {
      Atomics.store(lane.ctrl, CMD, CMD_STOP);
      Atomics.add(lane.ctrl, SEQ, 1);
      Atomics.notify(lane.ctrl, SEQ);
      lane.port.close();
    }
    await Promise.all(this.lanes.map((l) => l.worker.terminate()));
  }

  // ---- internals ----

  private fail(err: ThreadError): void {
    if (this.failure) return;
    this.failure = err;
    this.failWith(err);
  }

  private checkIds(batch: Batch): void {
    const e = this.traffic.embedding;
    if (!e) return;
    const ids = batch.ids!;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < e.V)) {
        throw new ShapeError(`batch.ids[${i}] = ${id} is outside the vocabulary [0, ${e.V - 1}]`);
      }
    }
  }

  /** Writes a worker's shard and the current parameters into its buffer, then posts the job. */
  private post(lane: Lane, batch: Batch, first: number, rows: number, B: number, T: number): void {
    const t = this.traffic;
    const D = this.model.config.input;
    const tokens = rows * T;
    if (!lane.lay || tokens > lane.lay.tokens || rows > lane.lay.B) {
      // grow to cover the old and the new shape, as a model re-plans, so alternating shapes allocate once
      const lay = layout(t, D, Math.max(tokens, lane.lay?.tokens ?? 0), Math.max(rows, lane.lay?.B ?? 0));
      const data = new SharedArrayBuffer(lay.bytes);
      lane.port.postMessage({ data, tokens: lay.tokens, B: lay.B });
      lane.f32 = new Float32Array(data);
      lane.i32 = new Int32Array(data);
      lane.lay = lay;
      Atomics.add(lane.ctrl, GEN, 1);
      const gradFloats = lay.bytes / 4 - lay.grads;
      if (gradFloats > (this.scratch?.size ?? 0)) {
        this.scratch?.dispose();
        this.scratch = Tensor.alloc(this.model.runtime.arena, [gradFloats]);
      }
    }
    const L = lane.lay;
    const { f32, i32 } = lane;
    const from = first * T;
    const e = t.embedding;
    if (e) i32.set(batch.ids!.subarray(from, from + tokens), L.input);
    else f32.set(batch.x!.subarray(from * D, (from + tokens) * D), L.input);
    f32.set(batch.mask.subarray(from, from + tokens), L.mask);
    const labels = batch.labels!;
    const dst = this.model.config.loss === 'bce' ? f32 : i32;
    for (let b = 0; b < rows; b++) dst[L.labels + b] = labels[first + b]!;
    // parameters: the dense runs, then each embedding row the shard's ids read, once
    const p = this.model.params.params.view();
    let at = L.params;
    for (const [a, b] of t.params) {
      f32.set(p.subarray(a, b), at);
      at += b - a;
    }
    let count = 0;
    if (e) {
      const ids = batch.ids!;
      if (this.stampNow === 0x7fffffff) {
        this.stamp.fill(0); // marks are Int32: start over rather than wrap
        this.stampNow = 0;
      }
      const mark = ++this.stampNow;
      for (let i = from; i < from + tokens; i++) {
        const id = ids[i]!;
        if (this.stamp[id] === mark) continue;
        this.stamp[id] = mark;
        i32[L.rowIds + count++] = id;
        const src = e.offset + id * e.D;
        for (let d = 0; d < e.D; d++) f32[at + d] = p[src + d]!;
        at += e.D;
      }
    }
    const c = lane.ctrl;
    c[SHARD_B] = rows;
    c[SHARD_T] = T;
    c[FULL_B] = B;
    c[ROWS] = count;
    c[CMD] = CMD_STEP;
    lane.seq = Atomics.add(c, SEQ, 1) + 1; // the seq-cst add publishes every write above
    lane.size = rows;
    Atomics.notify(c, SEQ);
  }

  private async waitForLanes(): Promise<void> {
    for (const lane of this.lanes) {
      if (lane.size === 0) continue;
      for (;;) {
        const done = Atomics.load(lane.ctrl, DONE);
        if (done === lane.seq) break;
        const r = waitAsync!(lane.ctrl, DONE, done);
        if (r.async) await Promise.race([r.value, this.failed]);
        if (this.failure) throw this.failure;
      }
    }
  }

  /** Adds the workers' gradients into the model's, in shard order; returns Σ shard loss × shard rows. */
  private reduce(weighted: number): number {
    const t = this.traffic;
    const e = t.embedding;
    const k = this.model.runtime.kernels;
    const grads = this.model.params.grads.ptr;
    const scratch = this.scratch!;
    for (const lane of this.lanes) {
      if (lane.size === 0) continue;
      const { f32, i32 } = lane;
      const L = lane.lay!;
      const rows = e?.trainable ? lane.ctrl[ROWS]! : 0;
      const n = t.denseGrads + rows * (e?.D ?? 0);
      scratch.view().set(f32.subarray(L.grads, L.grads + n));
      // y += 1·x is exactly y + x (one rounding, fused or not): the same sums as adding in float32
      let at = scratch.ptr;
      for (const [a, b] of t.grads) {
        k.axpy(grads + a * 4, at, 1, b - a);
        at += (b - a) * 4;
      }
      for (let r = 0; r < rows; r++) {
        k.axpy(grads + (e!.offset + i32[L.rowIds + r]! * e!.D) * 4, at, 1, e!.D);
        at += e!.D * 4;
      }
      weighted += lane.loss[0]! * lane.size;
      this.workerCorrect += lane.ctrl[CORRECT]!;
    }
    return weighted;
  }
}

/** Rows [start, start + rows) of a batch, as views (no copy). */
function shard(batch: Batch, start: number, rows: number, D: number): Batch {
  if (start === 0 && rows === batch.B) return batch;
  const T = batch.T;
  const a = start * T;
  const b = (start + rows) * T;
  return {
    B: rows, T,
    mask: batch.mask.subarray(a, b),
    labels: batch.labels!.subarray(start, start + rows),
    ...(batch.ids ? { ids: batch.ids.subarray(a, b) } : {}),
    ...(batch.x ? { x: batch.x.subarray(a * D, b * D) } : {}),
  };
}
