// Obtaining, compiling and instantiating the kernel module in every JavaScript runtime.
//
// Two builds come from one AssemblyScript source: kernels.wasm (SIMD128: bit-identical results on
// every engine) and kernels.relaxed.wasm (relaxed SIMD: fused multiply-add where the host has it).
// The module has no imports, so instantiation needs nothing from the host.

import { InitError } from '../errors.js';
import { Arena } from './arena.js';
import type { KernelExports } from './kernels.generated.js';

/** Anything a kernel module can be obtained from. */
export type WasmSource =
  | WebAssembly.Module
  | ArrayBuffer
  | ArrayBufferView
  | URL
  | string
  | Response
  | PromiseLike<Response>;

/** Which build: `auto` takes relaxed SIMD when the engine validates it, baseline otherwise. */
export type SimdLevel = 'baseline' | 'relaxed';

export interface InitOptions {
  /** Default `auto`. Ask for `baseline` when results must be bit-identical across engines. */
  simd?: SimdLevel | 'auto';
}

const g = globalThis as {
  navigator?: { userAgent?: string };
  process?: { getBuiltinModule?: (id: string) => { readFile(url: URL): Promise<Uint8Array> } | undefined };
};

/** True on Cloudflare Workers (workerd), where compiling WebAssembly from bytes is forbidden. */
export const isWorkerd = (): boolean => g.navigator?.userAgent === 'Cloudflare-Workers';

// (module (func (result v128) i32.const 1 i8x16.splat i32.const 2 i8x16.splat i8x16.relaxed_swizzle))
// the same 35-byte probe as wasm-feature-detect's relaxedSimd
const RELAXED_SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 15, 1, 13, 0, 65, 1, 253, 15, 65, 2, 253,
  15, 253, 128, 2, 11,
]);
// (module (func (result v128) i32.const 0 i8x16.splat))
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11]);

/** Whether this engine validates relaxed-SIMD code (Node ≥ 22, Deno, Bun, Chromium, workerd; not Node 20). */
export function hasRelaxedSimd(): boolean {
  return WebAssembly.validate(RELAXED_SIMD_PROBE);
}

/** Each runtime's kernels, by its arena: code that holds only a ParamTable or Tensor finds its kernels here. */
const KERNELS_OF = new WeakMap<Arena, KernelExports>();

/** The kernel exports of the runtime that owns `arena`, or undefined for an arena made outside a Runtime. */
export function kernelsOf(arena: Arena): KernelExports | undefined {
  return KERNELS_OF.get(arena);
}

/** A ready kernel module: its exports, its memory and the arena TypeScript allocates in. */
export class Runtime {
  readonly kernels: KernelExports;
  /** The compiled module: pass it to createRuntime() for another instance (a worker, a test) without recompiling. */
  readonly module: WebAssembly.Module;
  readonly memory: WebAssembly.Memory;
  readonly arena: Arena;
  /** The build actually running (read from the module, not assumed from the request). */
  readonly simd: SimdLevel;

  constructor(module: WebAssembly.Module, instance: WebAssembly.Instance) {
    this.module = module;
    this.kernels = instance.exports as unknown as KernelExports;
    this.memory = this.kernels.memory;
    this.arena = new Arena(this.memory, this.kernels.heapBase());
    this.simd = this.kernels.relaxedSimd() ? 'relaxed' : 'baseline';
    KERNELS_OF.set(this.arena, this.kernels);
  }
}

/**
 * Compiles and instantiates a kernel module into a new, independent Runtime (its own memory).
 * `init()` keeps one of these as the default; call this directly for extra instances.
 */
export async function createRuntime(source?: WasmSource, options: InitOptions = {}): Promise<Runtime> {
  if (!WebAssembly.validate(SIMD_PROBE)) {
    throw new InitError('NO_SIMD', 'this engine does not support WebAssembly SIMD128',
      'seqwasm needs fixed-width SIMD: Node ≥ 16.4, Deno, Bun, Chrome/Edge ≥ 91, Firefox ≥ 89, Safari ≥ 16.4');
  }
  const level = chooseLevel(options.simd ?? 'auto', source);
  const module = await compileKernels(source, level);
  let instance: WebAssembly.Instance;
  try {
    instance = await WebAssembly.instantiate(module, {});
  } catch (err) {
    throw new InitError('INSTANTIATE', `the kernel module did not instantiate: ${String(err)}`,
      'pass the kernels.wasm (or kernels.relaxed.wasm) of the same seqwasm version', { cause: err });
  }
  if (typeof (instance.exports as Partial<KernelExports>).relaxedSimd !== 'function') {
    throw new InitError('NOT_KERNELS', 'the module given to init() is not a seqwasm kernel module',
      "pass seqwasm's own kernels.wasm (import it from 'seqwasm/kernels.wasm')");
  }
  return new Runtime(module, instance);
}

function chooseLevel(requested: SimdLevel | 'auto', source: WasmSource | undefined): SimdLevel {
  const relaxedOk = hasRelaxedSimd();
  if (requested === 'relaxed' && !relaxedOk) {
    throw new InitError('NO_RELAXED_SIMD', 'relaxed SIMD was requested but this engine does not validate it',
      "use { simd: 'baseline' } or 'auto'; Node 20 needs --experimental-wasm-relaxed-simd, Node ≥ 22 has it");
  }
  // a caller-supplied module or bytes is whichever build it is; `auto` only picks the default file
  if (requested === 'auto') return source === undefined && relaxedOk ? 'relaxed' : 'baseline';
  return requested;
}

async function compileKernels(source: WasmSource | undefined, level: SimdLevel): Promise<WebAssembly.Module> {
  if (source instanceof WebAssembly.Module) return source;
  if (isWorkerd()) {
    throw new InitError('WORKERD_NEEDS_MODULE', 'Cloudflare Workers cannot compile WebAssembly at run time',
      "import the module and pass it: `import wasm from 'seqwasm/kernels.wasm'; await init(wasm)`");
  }
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return compileBytes(source as BufferSource, 'the bytes given to init()');
  let response: Response;
  if (source === undefined || typeof source === 'string' || source instanceof URL) {
    // resolved lazily: import.meta.url is undefined in workerd, which never reaches this line. One literal
    // URL per build: that is the form bundlers rewrite to the emitted asset; a template literal makes Vite
    // import every file of dist/ as a module instead (source maps included), which breaks its dev server.
    const url = source !== undefined ? new URL(source, import.meta.url)
      : level === 'relaxed' ? new URL('../kernels.relaxed.wasm', import.meta.url)
      : new URL('../kernels.wasm', import.meta.url);
    if (url.protocol === 'file:') {
      // Node ≥ 20.16, Deno and Bun; no static node: import, so bundlers for the web have nothing to trip on
      const fs = g.process?.getBuiltinModule?.('node:fs/promises');
      if (fs) {
        let bytes: Uint8Array;
        try {
          bytes = await fs.readFile(url);
        } catch (err) {
          throw new InitError('READ', `could not read ${url.href}: ${String(err)}`,
            'is the package built (`npm run build`)? or pass the module bytes to init()', { cause: err });
        }
        return compileBytes(bytes as BufferSource, url.href);
      }
    }
    try {
      response = await fetch(url);
    } catch (err) {
      throw new InitError('FETCH', `could not fetch ${url.href}: ${String(err)}`,
        'serve kernels.wasm next to the script, or pass a URL, bytes or a WebAssembly.Module to init()', { cause: err });
    }
  } else {
    response = await source;
  }
  if (!response.ok) {
    throw new InitError('FETCH', `fetching ${response.url || 'the kernel module'} failed: HTTP ${response.status}`,
      'check the URL the wasm file is served from');
  }
  const type = response.headers.get('content-type')?.split(';')[0];
  if (typeof WebAssembly.compileStreaming === 'function' && type === 'application/wasm') {
    try {
      return await WebAssembly.compileStreaming(response);
    } catch (err) {
      throw new InitError('COMPILE', `${response.url} is not a valid WebAssembly module: ${String(err)}`, undefined, { cause: err });
    }
  }
  return compileBytes(await response.arrayBuffer(), response.url || 'the fetched kernel module');
}

async function compileBytes(bytes: BufferSource, what: string): Promise<WebAssembly.Module> {
  try {
    return await WebAssembly.compile(bytes);
  } catch (err) {
    throw new InitError('COMPILE', `${what} is not a valid WebAssembly module: ${String(err)}`,
      'pass the kernels.wasm shipped in the seqwasm package', { cause: err });
  }
}

// ---- the default runtime: a small state machine so that each misuse has its own message ----

interface DefaultRuntime {
  promise: Promise<Runtime>;
  runtime?: Runtime;
  simd: SimdLevel | 'auto';
}
let current: DefaultRuntime | undefined;

/**
 * Loads the kernels once for the whole program. With no argument it finds kernels.wasm next to the
 * package (Node, Deno, Bun, browsers); on Cloudflare Workers pass the imported WebAssembly.Module.
 * Calling it again returns the same Runtime; calling it after a failure tries again.
 */
export function init(source?: WasmSource, options: InitOptions = {}): Promise<Runtime> {
  const simd = options.simd ?? 'auto';
  if (current) {
    if (source !== undefined || simd !== current.simd) {
      return Promise.reject(new InitError('ALREADY_INITIALIZED',
        'init() was already called with other arguments',
        'call init() once; use createRuntime() for a second, independent instance'));
    }
    return current.promise;
  }
  const entry: DefaultRuntime = { simd, promise: createRuntime(source, options) };
  current = entry;
  entry.promise.then(
    (runtime) => (entry.runtime = runtime),
    () => {
      if (current === entry) current = undefined; // a failed init may be retried
    },
  );
  return entry.promise;
}

/** The Runtime made by `init()`; throws if init() has not finished. */
export function runtime(): Runtime {
  if (current?.runtime) return current.runtime;
  throw new InitError('NOT_INITIALIZED',
    current ? 'seqwasm is still initializing' : 'seqwasm is not initialized',
    'await init() before creating models or calling kernels');
}
