// A Tensor is a pointer and a shape in the kernel module's memory. Its typed-array view is made on
// demand and cached per ArrayBuffer: growing the memory detaches old views, and a cached view is
// rebuilt only then, so reading or writing a planned tensor in a training loop makes no garbage.

import { ShapeError } from '../errors.js';
import type { Arena } from './arena.js';

export type DType = 'f32' | 'i32';

type ViewOf<D extends DType> = D extends 'f32' ? Float32Array : Int32Array;

export class Tensor<D extends DType = 'f32'> {
  readonly arena: Arena;
  readonly ptr: number;
  readonly shape: readonly number[];
  readonly dtype: D;
  readonly size: number;
  private cachedView: ViewOf<D> | undefined;

  constructor(arena: Arena, ptr: number, shape: readonly number[], dtype: D) {
    this.arena = arena;
    this.ptr = ptr;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = shape.reduce((a, b) => a * b, 1);
  }

  /** Allocates a zero-filled tensor in `arena`. */
  static alloc(arena: Arena, shape: readonly number[]): Tensor<'f32'>;
  static alloc<D extends DType>(arena: Arena, shape: readonly number[], dtype: D): Tensor<D>;
  static alloc(arena: Arena, shape: readonly number[], dtype: DType = 'f32'): Tensor<DType> {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new ShapeError(`invalid tensor shape [${shape.join(', ')}]`);
    }
    const size = shape.reduce((a, b) => a * b, 1);
    return new Tensor(arena, arena.alloc(size), shape, dtype);
  }

  /** A live view of the memory; do not keep it across a call that may grow memory. */
  view(): ViewOf<D> {
    const buffer = this.arena.memory.buffer;
    const cached = this.cachedView;
    if (cached && cached.buffer === buffer) return cached;
    const view = (this.dtype === 'f32'
      ? new Float32Array(buffer, this.ptr, this.size)
      : new Int32Array(buffer, this.ptr, this.size)) as ViewOf<D>;
    this.cachedView = view;
    return view;
  }

  /** A copy of the contents, safe to keep. */
  toArray(): ViewOf<D> {
    return this.view().slice() as ViewOf<D>;
  }

  /** Copies `data` in; its length must equal the tensor's size. */
  set(data: ArrayLike<number>): this {
    if (data.length !== this.size) {
      throw new ShapeError(`cannot set a tensor of shape [${this.shape.join(', ')}] (${this.size} elements) from ${data.length} values`);
    }
    this.view().set(data);
    return this;
  }

  fill(value: number): this {
    this.view().fill(value);
    return this;
  }

  /** Frees the memory; the tensor must not be used afterwards. */
  dispose(): void {
    this.arena.release(this.ptr);
    this.cachedView = undefined;
  }
}
