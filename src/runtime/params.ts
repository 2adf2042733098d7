// The parameter table declares each parameter once: name, shape, initialiser, trainable. Every offset
// comes from it. Parameters, gradients and optimizer state are flat blocks with the same layout, so
// zeroing the gradients or an optimizer step is one loop over the trainable prefix of the block.

import { ConfigError, ShapeError } from '../errors.js';
import type { Rng } from '../rng.js';
import type { Arena } from './arena.js';
import { Tensor } from './tensor.js';

/** How a parameter starts: a constant, U(-bound, bound), N(0, std²), or given values. */
export type Init =
  | 'zeros'
  | 'ones'
  | { uniform: number }
  | { normal: number }
  /** `blocks` stacked square orthogonal matrices (recurrent weights: one block per gate). */
  | { orthogonal: number }
  | { values: ArrayLike<number> };

export interface ParamSpec {
  name: string;
  shape: readonly number[];
  init: Init;
  /** Default true. Frozen parameters (e.g. pretrained embeddings) get no gradient and no optimizer state. */
  trainable?: boolean;
}

export interface ParamEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  /** Element offset in the parameter block (and, when trainable, in the gradient block). */
  readonly offset: number;
  readonly trainable: boolean;
}

/** Each parameter starts on a 16-float (64-byte) boundary so SIMD loops over it start aligned. */
const PARAM_ALIGN = 16;

export class ParamTable {
  readonly arena: Arena;
  readonly entries: readonly ParamEntry[];
  /** Elements in the trainable prefix (gradients and optimizer state have exactly this many). */
  readonly trainableSize: number;
  /** Elements in the whole parameter block. */
  readonly size: number;
  /** The parameter block: trainable parameters first, then frozen ones. */
  readonly params: Tensor;
  /** The gradient block, same layout as the trainable prefix of `params`. */
  readonly grads: Tensor;
  private readonly byName: Map<string, ParamEntry>;

  /** `rng` undefined: every parameter stays at zero (the arena's blocks are zeroed), for a caller that sets them all next (a loaded file). */
  constructor(arena: Arena, specs: readonly ParamSpec[], rng: Rng | undefined) {
    this.arena = arena;
    const ordered = [...specs.filter((s) => s.trainable !== false), ...specs.filter((s) => s.trainable === false)];
    const entries: ParamEntry[] = [];
    const byName = new Map<string, ParamEntry>();
    let offset = 0;
    let trainableSize = 0;
    for (const spec of ordered) {
      if (byName.has(spec.name)) throw new ConfigError(`parameter "${spec.name}" is declared twice`);
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const entry: ParamEntry = { name: spec.name, shape: spec.shape, size, offset, trainable: spec.trainable !== false };
      entries.push(entry);
      byName.set(spec.name, entry);
      offset += Math.ceil(size / PARAM_ALIGN) * PARAM_ALIGN;
      if (entry.trainable) trainableSize = offset;
    }
    this.entries = entries;
    this.byName = byName;
    this.size = offset;
    this.trainableSize = trainableSize;
    this.params = Tensor.alloc(arena, [this.size]);
    this.grads = Tensor.alloc(arena, [this.trainableSize]);
    // initialise in declaration order, so adding a frozen parameter never changes the others' values
    if (rng) for (const spec of specs) this.initialize(spec, rng);
  }

  entry(name: string): ParamEntry {
    const entry = this.byName.get(name);
    if (!entry) throw new ConfigError(`no parameter named "${name}"`, `known: ${[...this.byName.keys()].join(', ')}`);
    return entry;
  }

  /** Byte address of a parameter. */
  paramPtr(name: string): number {
    return this.params.ptr + this.entry(name).offset * 4;
  }

  /** Byte address of a parameter's gradient (trainable parameters only). */
  gradPtr(name: string): number {
    const entry = this.entry(name);
    if (!entry.trainable) throw new ConfigError(`parameter "${name}" is frozen and has no gradient`);
    return this.grads.ptr + entry.offset * 4;
  }

  /** A live view of one parameter's values. */
  param(name: string): Float32Array {
    const entry = this.entry(name);
    return this.params.view().subarray(entry.offset, entry.offset + entry.size);
  }

  /** A live view of one parameter's gradient. */
  grad(name: string): Float32Array {
    const entry = this.entry(name);
    if (!entry.trainable) throw new ConfigError(`parameter "${name}" is frozen and has no gradient`);
    return this.grads.view().subarray(entry.offset, entry.offset + entry.size);
  }

  /** Replaces one parameter's values, checking the length. */
  setParam(name: string, values: ArrayLike<number>): void {
    const entry = this.entry(name);
    if (values.length !== entry.size) {
      throw new ShapeError(`parameter "${name}" has shape [${entry.shape.join(', ')}] (${entry.size} values), got ${values.length}`);
    }
    this.param(name).set(values);
  }

  zeroGrads(): void {
    this.grads.view().fill(0);
  }

  dispose(): void {
    this.params.dispose();
    this.grads.dispose();
  }

  private initialize(spec: ParamSpec, rng: Rng): void {
    const values = this.param(spec.name);
    const init = spec.init;
    if (init === 'zeros') values.fill(0);
    else if (init === 'ones') values.fill(1);
    else if ('uniform' in init) for (let i = 0; i < values.length; i++) values[i] = rng.uniform(-init.uniform, init.uniform);
    else if ('normal' in init) for (let i = 0; i < values.length; i++) values[i] = rng.normal() * init.normal;
    else if ('orthogonal' in init) orthogonalBlocks(values, init.orthogonal, rng);
    else this.setParam(spec.name, init.values);
  }
}

/** Orthogonal init of `blocks` stacked square blocks (H×H each), by Gram–Schmidt on Gaussian rows. */
export function orthogonalBlocks(values: Float32Array, blocks: number, rng: Rng): void {
  const H = Math.round(Math.sqrt(values.length / blocks));
  const row = new Float64Array(H);
  for (let b = 0; b < blocks; b++) {
    const base = b * H * H;
    for (let i = 0; i < H; i++) {
      for (;;) {
        for (let j = 0; j < H; j++) row[j] = rng.normal();
        for (let p = 0; p < i; p++) {
          let dot = 0;
          for (let j = 0; j < H; j++) dot += row[j]! * values[base + p * H + j]!;
          for (let j = 0; j < H; j++) row[j]! -= dot * values[base + p * H + j]!;
        }
        let norm = 0;
        for (let j = 0; j < H; j++) norm += row[j]! * row[j]!;
        norm = Math.sqrt(norm);
        if (norm < 1e-6) continue; // a nearly dependent draw: draw again
        for (let j = 0; j < H; j++) values[base + i * H + j] = row[j]! / norm;
        break;
      }
    }
  }
}
