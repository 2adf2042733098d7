import { describe, expect, it } from 'vitest';
import { Arena, createRuntime, init, InitError, ParamTable, Rng, runtime, ShapeError, Tensor } from '../dist/index.js';
import { baseline, relaxed } from './helpers/runtime.js';

describe('init', () => {
  it('loads the baseline build and reports it', () => {
    expect(baseline.simd).toBe('baseline');
    expect(baseline.memory).toBeInstanceOf(WebAssembly.Memory);
  });

  it('loads the relaxed build where the engine validates relaxed SIMD', () => {
    // vitest.config.ts turns relaxed SIMD on for Node 20; every other engine here has it by default
    expect(relaxed?.simd).toBe('relaxed');
  });

  it('runtime() before init() throws a typed error that says what to do', () => {
    expect(() => runtime()).toThrow(/await init\(\)/);
  });

  it('init() returns one runtime for the program, and refuses other arguments later', async () => {
    const a = await init();
    const b = await init();
    expect(a).toBe(b);
    expect(runtime()).toBe(a);
    await expect(init(undefined, { simd: 'baseline' === a.simd ? 'relaxed' : 'baseline' })).rejects.toThrow(/already called/);
  });

  it('rejects bytes that are not WebAssembly with a COMPILE error', async () => {
    const err = await createRuntime(new Uint8Array([1, 2, 3, 4])).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InitError);
    expect((err as InitError).code).toBe('COMPILE');
  });

  it('rejects a valid module that is not the kernel module', async () => {
    const empty = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    const err = await createRuntime(empty).catch((e: unknown) => e);
    expect((err as InitError).code).toBe('NOT_KERNELS');
  });

  it('rejects a failed HTTP response with the status', async () => {
    const err = await createRuntime(new Response('nope', { status: 404 })).catch((e: unknown) => e);
    expect((err as InitError).code).toBe('FETCH');
    expect(String(err)).toMatch(/404/);
  });

  it('accepts a compiled WebAssembly.Module (the Cloudflare Workers path) as a new, independent instance', async () => {
    const other = await createRuntime(baseline.module);
    expect(other.simd).toBe('baseline');
    expect(other.memory).not.toBe(baseline.memory);
  });
});

describe('Arena', () => {
  it('hands out aligned, zeroed, non-overlapping blocks and reuses freed ones', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 100);
    const a = arena.alloc(10);
    const b = arena.alloc(1000);
    expect(a % 64).toBe(0);
    expect(b).toBeGreaterThanOrEqual(a + 40);
    new Float32Array(arena.memory.buffer, b, 1000).fill(7);
    arena.release(b);
    const c = arena.alloc(500);
    expect(c).toBe(b);
    expect(new Float32Array(arena.memory.buffer, c, 500).every((x) => x === 0)).toBe(true);
  });

  it('zeroes a block that reuses written memory and extends into memory never handed out', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    const a = arena.alloc(1000);
    new Float32Array(arena.memory.buffer, a, 1000).fill(3);
    arena.release(a);
    const b = arena.alloc(50_000); // starts where a was, runs past the high-water mark, grows the memory
    expect(b).toBe(a);
    expect(new Float32Array(arena.memory.buffer, b, 50_000).every((x) => x === 0)).toBe(true);
  });

  it('grows memory when needed and keeps its high-water mark', () => {
    const memory = new WebAssembly.Memory({ initial: 1 });
    const arena = new Arena(memory, 0);
    const p = arena.alloc(100_000);
    expect(memory.buffer.byteLength).toBeGreaterThanOrEqual(p + 400_000);
    const hw = arena.highWater;
    arena.release(p);
    arena.alloc(100_000);
    expect(arena.highWater).toBe(hw);
  });

  it('refuses to release a pointer it did not hand out', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    expect(() => arena.release(12345)).toThrow(ShapeError);
  });
});

describe('Tensor', () => {
  it('rebuilds its view after memory grows (old views detach)', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    const t = Tensor.alloc(arena, [2, 3]).set([1, 2, 3, 4, 5, 6]);
    const before = t.view();
    expect(t.view()).toBe(before); // cached while the buffer is the same
    arena.alloc(1 << 20);
    expect(before.length).toBe(0); // detached
    expect(Array.from(t.view())).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('checks sizes on set', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    expect(() => Tensor.alloc(arena, [2, 2]).set([1, 2, 3])).toThrow(/4 elements/);
  });
});

describe('ParamTable', () => {
  it('lays out trainable parameters first, aligned, with a gradient block of the same layout', () => {
    const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
    const table = new ParamTable(arena, [
      { name: 'emb', shape: [5, 3], init: { normal: 1 }, trainable: false },
      { name: 'w', shape: [3, 2], init: { uniform: 0.5 } },
      { name: 'b', shape: [2], init: 'ones' },
    ], new Rng(1));
    expect(table.entry('w').offset).toBe(0);
    expect(table.entry('b').offset).toBe(16);
    expect(table.trainableSize).toBe(32);
    expect(table.entry('emb').offset).toBe(32);
    expect(Array.from(table.param('b'))).toEqual([1, 1]);
    expect(table.param('w').every((x) => Math.abs(x) <= 0.5)).toBe(true);
    expect(() => table.grad('emb')).toThrow(/frozen/);
    table.grad('b').set([3, 4]);
    expect(table.grads.view()[16]).toBe(3);
    expect(() => table.setParam('w', [1, 2])).toThrow(/shape \[3, 2\]/);
  });
});
