// What the runtime a test runs in is and can do. Tests branch on these capability flags, never on
// user-agent strings of their own; whole files that need a capability a lane lacks are kept out of
// that lane by name instead (`*.fs.test.ts`, see ARCHITECTURE.md "Test lanes").

export type RuntimeName = 'node' | 'deno' | 'bun' | 'workerd' | 'browser' | 'unknown';

const g = globalThis as {
  Deno?: unknown;
  Bun?: unknown;
  document?: unknown;
  navigator?: { userAgent?: string };
  process?: {
    release?: { name?: string };
    getBuiltinModule?: (id: string) => { readFile(url: URL): Promise<Uint8Array> } | undefined;
  };
};

/** The runtime this code runs in. Deno and Bun come first: both also define a Node-like `process`. */
export const runtimeName: RuntimeName =
  g.Deno !== undefined ? 'deno'
  : g.Bun !== undefined ? 'bun'
  : g.navigator?.userAgent === 'Cloudflare-Workers' ? 'workerd'
  : g.document !== undefined ? 'browser'
  : g.process?.release?.name === 'node' ? 'node'
  : 'unknown';

/** A web page (vitest browser mode): no file system, wasm comes over HTTP. */
export const isBrowser = runtimeName === 'browser';

/** node:fs, node:os, child processes, sockets and ../shared/data are available (Node, Deno, Bun). */
export const hasFileSystem = runtimeName === 'node' || runtimeName === 'deno' || runtimeName === 'bun';

/**
 * The bytes of a file, read from disk where there is a file system and fetched from the dev server
 * otherwise. Build the URL at the call site with a literal path, `new URL('../dist/x', import.meta.url)`:
 * that is the form Vite rewrites to a served URL (a template literal would make it import a whole folder).
 */
export async function readBytes(url: URL): Promise<Uint8Array> {
  // getBuiltinModule rather than import('node:fs/promises'): nothing for the browser bundler to resolve
  const fs = url.protocol === 'file:' && hasFileSystem ? g.process?.getBuiltinModule?.('node:fs/promises') : undefined;
  if (fs) return new Uint8Array(await fs.readFile(url));
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url.href}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The runtimeName the lane's config expects its tests to run in (see test/lanes.ts). */
    expectedRuntime: RuntimeName;
    /** The lane of test/lanes.ts the config chose (two lanes are Node: 'node' and 'node22'). */
    expectedLane: string;
  }
}
