// Which test files each vitest lane of .ci/run runs; the vitest configs read this table and nothing
// else names test files. To widen a lane, change its line (ARCHITECTURE.md "Test lanes").
// workerd is not here: it runs test/workerd/smoke.worker.js, since it cannot host vitest.
import type { RuntimeName } from './helpers/env.js';

/** Every test file. */
export const ALL = 'test/**/*.test.ts';
/**
 * Files that need the host: node:fs/os/http/child_process, ../shared/data, the CLI. They run where
 * `hasFileSystem` holds (Node, Deno, Bun) and are never loaded in a browser.
 */
export const NEEDS_HOST = 'test/**/*.fs.test.ts';
/**
 * Files that drive other programs — the CLI binary, workerd serving the Worker example, Chromium for
 * the report, the Deno/Bun examples — so they run once, in the Node lane.
 */
export const NODE_ONLY = 'test/**/*.node.test.ts';
/** The checks every runtime must pass before anything else means something. */
export const SMOKE = 'test/smoke.test.ts';

export type Lane = 'node' | 'node22' | 'deno' | 'bun' | 'chromium';

export interface LaneFiles {
  include: string[];
  exclude: string[];
  /** What test/helpers/env.ts must report inside the lane's tests (smoke checks it). */
  runtime: RuntimeName;
}

export const LANES: Record<Lane, LaneFiles> = {
  node: { include: [ALL], exclude: [], runtime: 'node' },
  // the second Node (the `node` npm package, Node 22: relaxed SIMD on by default); the programs the
  // NODE_ONLY files drive are the same whichever Node starts them, so they run once, in the first lane
  node22: { include: [ALL], exclude: [NODE_ONLY], runtime: 'node' },
  deno: { include: [ALL], exclude: [NODE_ONLY], runtime: 'deno' },
  bun: { include: [ALL], exclude: [NODE_ONLY], runtime: 'bun' },
  chromium: { include: [ALL], exclude: [NEEDS_HOST, NODE_ONLY], runtime: 'browser' },
};
