// A model's activation buffers for one batch capacity (B, T): allocated together when a larger batch
// shape arrives, released together, never touched by the allocator inside a training step.

import type { Arena } from '../runtime/arena.js';
import { Tensor } from '../runtime/tensor.js';

export class BufferPlan {
  private readonly arena: Arena;
  private readonly owned: Tensor<'f32' | 'i32'>[] = [];
  private readonly grads: Tensor<'f32'>[] = [];

  constructor(arena: Arena) {
    this.arena = arena;
  }

  /** A buffer the forward writes (activations, caches). */
  f32(shape: readonly number[]): Tensor<'f32'> {
    const t = Tensor.alloc(this.arena, shape, 'f32');
    this.owned.push(t);
    return t;
  }

  i32(shape: readonly number[]): Tensor<'i32'> {
    const t = Tensor.alloc(this.arena, shape, 'i32');
    this.owned.push(t);
    return t;
  }

  /** A gradient buffer that backward kernels accumulate into: zeroed by `zeroGrads()` before each backward. */
  grad(shape: readonly number[]): Tensor<'f32'> {
    const t = this.f32(shape);
    this.grads.push(t);
    return t;
  }

  zeroGrads(): void {
    for (let i = 0; i < this.grads.length; i++) this.grads[i]!.view().fill(0);
  }

  dispose(): void {
    // release in reverse so the arena's top block comes back first and the free list stays short
    for (let i = this.owned.length - 1; i >= 0; i--) this.owned[i]!.dispose();
    this.owned.length = 0;
    this.grads.length = 0;
  }
}

/** Zeroes the first n elements (TypedArray.fill with a range: no view is made). */
export function zero(t: Tensor<'f32'>, n: number = t.size): void {
  t.view().fill(0, 0, n);
}
