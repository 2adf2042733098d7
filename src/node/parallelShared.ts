// What the calling thread and a worker of parallel training agree on: the control words, the layout
// of the shared data buffer, and which parts of the parameter block travel densely.

import type { ParamTable } from '../runtime/params.js';

// Int32 slots of the control buffer. The caller bumps SEQ to post a job; the worker stores the job's
// SEQ into DONE when its results are written. Both are accessed with Atomics, which orders the plain
// reads and writes of the data buffer around them.
export const SEQ = 0;
export const DONE = 1;
export const CMD = 2;
/** Generation of the data buffer: a new one is waiting on the worker's port when this changes. */
export const GEN = 3;
export const SHARD_B = 4;
export const SHARD_T = 5;
/** The whole batch's size, which the shard's gradients are divided by. */
export const FULL_B = 6;
export const ROWS = 7;
export const CORRECT = 8;
export const CMD_STEP = 1;
export const CMD_STOP = 2;
/** The shard's mean loss, a float64 at this byte offset. */
export const LOSS_BYTE = 64;
export const CONTROL_BYTES = 72;

/** A contiguous run [start, end) of f32 elements. */
export type Range = readonly [number, number];

/**
 * The embedding table travels by rows (only those a shard's ids read or update); everything else
 * travels whole. Both sides build this from the same config, so the offsets agree.
 */
export interface Traffic {
  /** Runs of the parameter block sent whole each step (trainable and frozen). */
  params: Range[];
  /** Runs of the gradient block sent back whole. */
  grads: Range[];
  denseParams: number;
  denseGrads: number;
  embedding: { offset: number; V: number; D: number; trainable: boolean } | undefined;
}

export function traffic(table: ParamTable): Traffic {
  const e = table.entries.find((x) => x.name === 'embedding.weight');
  const cut = (end: number, skip: boolean): Range[] => {
    if (!e || !skip) return end > 0 ? [[0, end]] : [];
    const runs: Range[] = [];
    if (e.offset > 0) runs.push([0, e.offset]);
    if (e.offset + e.size < end) runs.push([e.offset + e.size, end]);
    return runs;
  };
  const params = cut(table.size, true);
  const grads = cut(table.trainableSize, !!e?.trainable);
  const total = (runs: Range[]) => runs.reduce((n, [a, b]) => n + b - a, 0);
  return {
    params, grads, denseParams: total(params), denseGrads: total(grads),
    embedding: e && { offset: e.offset, V: e.shape[0]!, D: e.shape[1]!, trainable: e.trainable },
  };
}

/** Element offsets (4-byte units) of one data buffer sized for `tokens` = B·T and `B` rows. */
export interface Layout {
  tokens: number;
  B: number;
  rows: number;
  /** x (tokens·D f32) or ids (tokens i32). */
  input: number;
  mask: number;
  labels: number;
  rowIds: number;
  params: number;
  grads: number;
  /** Total bytes. */
  bytes: number;
}

export function layout(t: Traffic, D: number, tokens: number, B: number): Layout {
  const rows = t.embedding ? Math.min(t.embedding.V, tokens) : 0;
  const input = 0;
  const mask = input + (t.embedding ? tokens : tokens * D);
  const labels = mask + tokens;
  const rowIds = labels + B;
  const params = rowIds + rows;
  const grads = params + t.denseParams + rows * (t.embedding?.D ?? 0);
  const end = grads + t.denseGrads + (t.embedding?.trainable ? rows * t.embedding.D : 0);
  return { tokens, B, rows, input, mask, labels, rowIds, params, grads, bytes: end * 4 };
}

/** An error as plain data, to cross a thread. */
export interface ErrorMessage {
  type: 'error';
  name: string;
  message: string;
  stack: string | undefined;
}
