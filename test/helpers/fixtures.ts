// The PyTorch fixtures of scripts/golden.py and scripts/golden_independent.py (test/golden/*.json).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Fixture } from './fixture.js';

export type { Fixture };

const goldenDir = fileURLToPath(new URL('../golden/', import.meta.url));

/** Every fixture, sorted by file name. */
export const fixtures: Fixture[] = readdirSync(goldenDir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(goldenDir + f, 'utf8')) as Fixture);
