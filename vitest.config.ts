import { defineConfig } from 'vitest/config';
import { LANES, type Lane } from './test/lanes.js';

const g = globalThis as { Deno?: unknown; Bun?: unknown; process?: { versions?: { node?: string }; env?: Record<string, string | undefined> } };
const nodeMajor = Number(g.process?.versions?.node?.split('.')[0] ?? 0);
// The lane is the runtime vitest itself was started in: `npm test` is Node, .ci/run starts the Deno and
// Bun lanes with this same config (vitest's workers then run in that runtime too, which smoke checks).
// The second Node lane is named by `npm run test:node22` (SEQWASM_LANE), since both lanes are Node.
const lane: Lane = g.Deno ? 'deno' : g.Bun ? 'bun' : g.process?.env?.SEQWASM_LANE === 'node22' ? 'node22' : 'node';
// Node 20 validates relaxed SIMD only behind a V8 flag (refused in NODE_OPTIONS, accepted as execArgv of
// vitest's forked workers); with it the relaxed build is tested here too. Deno, Bun and Node ≥ 22 have it on.
const isPlainNode20 = lane === 'node' && nodeMajor === 20;

export default defineConfig({
  cacheDir: '.cache/vite',
  test: {
    include: LANES[lane].include,
    exclude: ['**/node_modules/**', ...LANES[lane].exclude],
    provide: { expectedRuntime: LANES[lane].runtime, expectedLane: lane },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    ...(isPlainNode20 ? { execArgv: ['--experimental-wasm-relaxed-simd'] } : {}),
  },
});
