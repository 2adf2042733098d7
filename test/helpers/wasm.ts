// Moving test data in and out of a runtime's memory: every buffer a test allocates is released by free().
import type { Runtime } from '../../dist/index.js';

export class Buffers {
  private readonly runtime: Runtime;
  private readonly blocks: number[] = [];

  constructor(runtime: Runtime) {
    this.runtime = runtime;
  }

  /** Copies float32 values in; returns the byte address. */
  f32(values: ArrayLike<number>): number {
    const ptr = this.zeros(values.length);
    new Float32Array(this.runtime.memory.buffer, ptr, values.length).set(values);
    return ptr;
  }

  i32(values: ArrayLike<number>): number {
    const ptr = this.zeros(values.length);
    new Int32Array(this.runtime.memory.buffer, ptr, values.length).set(values);
    return ptr;
  }

  /** n zeroed 4-byte elements. */
  zeros(n: number): number {
    const ptr = this.runtime.arena.alloc(Math.max(1, n));
    this.blocks.push(ptr);
    return ptr;
  }

  /** A copy of n float32 values at ptr. */
  read(ptr: number, n: number): Float32Array {
    return new Float32Array(this.runtime.memory.buffer, ptr, n).slice();
  }

  free(): void {
    for (const ptr of this.blocks.reverse()) this.runtime.arena.release(ptr);
    this.blocks.length = 0;
  }
}
