// TypeScript owns the kernel module's linear memory. Models plan their buffers once for a batch
// shape and allocate them here; a training step then only passes pointers, so memory grows only
// between steps (when a larger batch shape arrives), never inside one.

import { ShapeError } from '../errors.js';

const PAGE = 65536;
/** Every block starts on a cache line, so SIMD loads of a block's first elements never straddle one. */
export const ALIGN = 64;

interface Block {
  ptr: number;
  bytes: number;
}

/**
 * A first-fit allocator over one WebAssembly.Memory, starting past the module's static data.
 * Allocation is rare (model creation, a new batch shape), so a sorted free list is all it needs.
 */
export class Arena {
  readonly memory: WebAssembly.Memory;
  readonly base: number;
  /** End of the highest block ever allocated: the memory actually needed. */
  private top: number;
  private highWaterMark: number;
  private readonly free: Block[] = []; // sorted by ptr, coalesced
  private readonly live = new Map<number, number>(); // ptr -> bytes
  private heapF32: Float32Array | undefined;

  constructor(memory: WebAssembly.Memory, base: number) {
    this.memory = memory;
    this.base = alignUp(base, ALIGN);
    this.top = this.base;
    this.highWaterMark = this.base;
  }

  /** Bytes currently allocated. */
  get used(): number {
    let n = 0;
    for (const bytes of this.live.values()) n += bytes;
    return n;
  }

  /** Highest address ever handed out: constant over training steps once a model is planned. */
  get highWater(): number {
    return this.highWaterMark;
  }

  /** Allocates `bytes` (rounded up to ALIGN), zero-filled; returns the byte address. */
  allocBytes(bytes: number): number {
    if (!Number.isInteger(bytes) || bytes < 0) throw new ShapeError(`cannot allocate ${bytes} bytes`);
    const size = Math.max(ALIGN, alignUp(bytes, ALIGN));
    let ptr = -1;
    for (let i = 0; i < this.free.length; i++) {
      const block = this.free[i]!;
      if (block.bytes < size) continue;
      ptr = block.ptr;
      if (block.bytes === size) this.free.splice(i, 1);
      else {
        block.ptr += size;
        block.bytes -= size;
      }
      break;
    }
    // memory above the high-water mark was never handed out, and wasm memory starts and grows zeroed:
    // only the part below it needs clearing (a model file's megabytes of fresh parameters need none)
    const pristine = this.highWaterMark;
    if (ptr < 0) {
      ptr = this.top;
      this.top += size;
      this.ensure(this.top);
      this.highWaterMark = Math.max(this.highWaterMark, this.top);
    }
    this.live.set(ptr, size);
    const dirtyEnd = Math.min(ptr + size, pristine);
    if (dirtyEnd > ptr) new Uint8Array(this.memory.buffer, ptr, dirtyEnd - ptr).fill(0);
    return ptr;
  }

  /** Allocates `count` 4-byte elements (f32 or i32). */
  alloc(count: number): number {
    return this.allocBytes(count * 4);
  }

  /** Returns a block to the free list; the memory itself is kept for the next allocation. */
  release(ptr: number): void {
    const bytes = this.live.get(ptr);
    if (bytes === undefined) throw new ShapeError(`release(${ptr}): not a live block of this arena`);
    this.live.delete(ptr);
    let i = 0;
    while (i < this.free.length && this.free[i]!.ptr < ptr) i++;
    this.free.splice(i, 0, { ptr, bytes });
    // coalesce with the next, then with the previous block
    const next = this.free[i + 1];
    if (next && ptr + bytes === next.ptr) {
      this.free[i]!.bytes += next.bytes;
      this.free.splice(i + 1, 1);
    }
    const prev = this.free[i - 1];
    if (prev && prev.ptr + prev.bytes === ptr) {
      prev.bytes += this.free[i]!.bytes;
      this.free.splice(i, 1);
    }
    // a free block at the top lowers the top, so the next large allocation can reuse it
    const last = this.free[this.free.length - 1];
    if (last && last.ptr + last.bytes === this.top) {
      this.top = last.ptr;
      this.free.pop();
    }
  }

  /** A view of the whole memory as f32, cached until the memory grows. */
  f32(): Float32Array {
    const buffer = this.memory.buffer;
    if (this.heapF32?.buffer !== buffer) this.heapF32 = new Float32Array(buffer);
    return this.heapF32;
  }

  /** Copies n f32 elements between byte addresses, making no view (safe inside a training step). */
  copy(dst: number, src: number, n: number): void {
    this.f32().copyWithin(dst >>> 2, src >>> 2, (src >>> 2) + n);
  }

  /** Grows the memory (between steps only) so that `end` bytes are addressable. */
  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    const pages = Math.ceil((end - have) / PAGE);
    try {
      this.memory.grow(pages);
    } catch (err) {
      throw new ShapeError(
        `out of WebAssembly memory: need ${((end / 2 ** 20) | 0)} MiB, have ${(have / 2 ** 20) | 0} MiB`,
        'use a smaller batch size, sequence length, hidden size or vocabulary',
      );
    }
  }
}

export function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
