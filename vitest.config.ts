import { defineConfig } from 'vitest/config';

const g = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: string } } };
const nodeMajor = Number(g.process?.versions?.node?.split('.')[0] ?? 0);
// Node 20 validates relaxed SIMD only behind a V8 flag (refused in NODE_OPTIONS, accepted as execArgv of
// vitest's forked workers); with it the relaxed build is tested here too. Deno, Bun and Node ≥ 22 have it on.
const isPlainNode20 = !g.Deno && !g.Bun && nodeMajor === 20;

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    ...(isPlainNode20 ? { execArgv: ['--experimental-wasm-relaxed-simd'] } : {}),
  },
});
