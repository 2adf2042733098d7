/// <reference types="node" />
// A worker thread of parallel training (see parallel.ts): its own kernel instance and a replica of the
// model. Per job it takes the current parameters and its shard from the shared buffer, computes the
// shard's loss and gradients, and writes them back. It blocks in Atomics.wait between jobs, so a job
// starts within microseconds and the worker runs no event loop while training.

import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { createRuntime } from '../runtime/wasm.js';
import { createModel } from '../nn/models/index.js';
import type { Batch } from '../nn/batch.js';
import type { ResolvedConfig } from '../nn/config.js';
import {
  CMD, CMD_STOP, CORRECT, DONE, FULL_B, GEN, LOSS_BYTE, ROWS, SEQ, SHARD_B, SHARD_T,
  layout, traffic, type ErrorMessage, type Layout,
} from './parallelShared.js';

interface Setup {
  module: WebAssembly.Module;
  config: ResolvedConfig;
  control: SharedArrayBuffer;
  port: MessagePort;
}

const { module, config, control, port } = workerData as Setup;
const ctrl = new Int32Array(control);
const loss64 = new Float64Array(control, LOSS_BYTE, 1);

function report(err: unknown): void {
  const e = err instanceof Error ? err : new Error(String(err));
  const message: ErrorMessage = { type: 'error', name: e.name, message: e.message, stack: e.stack };
  parentPort!.postMessage(message);
}

let model: ReturnType<typeof createModel>;
try {
  const runtime = await createRuntime(module);
  // the replica never steps: SGD without momentum keeps no optimizer state (no m, v of the table's size)
  model = createModel(config, { runtime, initialize: false, optimizer: { kind: 'sgd', lr: 0 } });
} catch (err) {
  report(err);
  throw err;
}
const t = traffic(model.params);
const D = config.input;
const bce = config.loss === 'bce';

let gen = 0;
let f32: Float32Array = new Float32Array(0);
let i32: Int32Array = new Int32Array(0);
let lay: Layout | undefined;
let batch: Batch | undefined; // views into the data buffer, kept while the shard shape stays the same

function takeBuffer(): void {
  // the caller posts the buffer before bumping GEN and SEQ, so it is already queued on the port
  const msg = receiveMessageOnPort(port);
  if (!msg) throw new Error('parallel worker: no data buffer on the port after a new generation');
  const { data, tokens, B } = msg.message as { data: SharedArrayBuffer; tokens: number; B: number };
  f32 = new Float32Array(data);
  i32 = new Int32Array(data);
  lay = layout(t, D, tokens, B);
  batch = undefined;
}

function runJob(): void {
  while (gen !== Atomics.load(ctrl, GEN)) {
    takeBuffer();
    gen++;
  }
  const L = lay!;
  const B = ctrl[SHARD_B]!;
  const T = ctrl[SHARD_T]!;
  const rows = ctrl[ROWS]!;
  // parameters: the dense runs, then the embedding rows this shard reads
  const p = model.params.params.view();
  let at = L.params;
  for (const [a, b] of t.params) {
    p.set(f32.subarray(at, at + b - a), a);
    at += b - a;
  }
  const e = t.embedding;
  if (e) {
    for (let r = 0; r < rows; r++) {
      const base = e.offset + i32[L.rowIds + r]! * e.D;
      for (let d = 0; d < e.D; d++) p[base + d] = f32[at + d]!;
      at += e.D;
    }
  }
  model.parametersChanged();
  if (!batch || batch.B !== B || batch.T !== T) {
    const n = B * T;
    batch = {
      B, T,
      mask: f32.subarray(L.mask, L.mask + n),
      labels: bce ? f32.subarray(L.labels, L.labels + B) : i32.subarray(L.labels, L.labels + B),
      ...(e ? { ids: i32.subarray(L.input, L.input + n) } : { x: f32.subarray(L.input, L.input + n * D) }),
    };
  }
  const loss = model.lossAndGrad(batch, { batchSize: ctrl[FULL_B]! });
  ctrl[CORRECT] = model.correctInLastBatch(batch);
  loss64[0] = loss;
  // gradients: the dense runs, then the rows this shard touched
  const g = model.params.grads.view();
  at = L.grads;
  for (const [a, b] of t.grads) {
    f32.set(g.subarray(a, b), at);
    at += b - a;
  }
  if (e?.trainable) {
    for (let r = 0; r < rows; r++) {
      const base = e.offset + i32[L.rowIds + r]! * e.D;
      for (let d = 0; d < e.D; d++) f32[at + d] = g[base + d]!;
      at += e.D;
    }
  }
}

parentPort!.postMessage({ type: 'ready' });
let seq = 0;
for (;;) {
  Atomics.wait(ctrl, SEQ, seq);
  seq = Atomics.load(ctrl, SEQ);
  if (Atomics.load(ctrl, CMD) === CMD_STOP) break;
  try {
    runJob();
  } catch (err) {
    // the replica's state is unknown after a failure: report it and end; the caller fails the trainer
    report(err);
    break;
  }
  Atomics.store(ctrl, DONE, seq);
  Atomics.notify(ctrl, DONE);
}
port.close();
