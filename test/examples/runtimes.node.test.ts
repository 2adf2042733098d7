// The Deno and Bun examples run in their runtimes and do what they say.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => `${root}node_modules/.bin/${name}`;

describe('runtime examples', () => {
  it.each([
    ['Deno', bin('deno'), ['run', '--allow-read', 'examples/deno/train.ts']],
    ['Bun', bin('bun'), ['examples/bun/train.ts']],
  ])('%s trains a small model and classifies new sentences', (name, cmd, args) => {
    const out = execFileSync(cmd as string, args as string[], { cwd: root, encoding: 'utf8', timeout: 120_000,
      env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } });
    const result = JSON.parse(out.trim().split('\n').at(-1)!);
    expect(result.runtime).toMatch(new RegExp(`^${name} `));
    expect(result.trainAccuracy).toBe(1);
    expect(result.predictions).toEqual(['positive', 'negative']);
    expect(['baseline', 'relaxed']).toContain(result.simd);
  });
});
