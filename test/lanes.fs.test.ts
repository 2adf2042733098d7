// Keeps the lane convention true as tests are added (ARCHITECTURE.md "Test lanes"): a test file not
// named *.fs.test.ts must load in a browser, so nothing it reaches through relative imports may be a
// Node built-in, the ./node entry (dist/node.js, dist/node/) or the data beside the repository.
// Checked here, in the Node lane, so a misnamed file fails on every run, not only once the browser
// lane is widened to it.
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { NEEDS_HOST } from './lanes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const IMPORT = /(?:^|[;\s])(?:import|export)\s*(?:[\w*{$][^'"`;]*?\bfrom\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]/g;
const NODE_BUILTINS = new Set(builtinModules);

function testFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? testFiles(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []);
}

/** What in `file`'s relative-import closure (test sources only; dist is checked by its own entry) needs the host. */
function hostNeeds(file: string, seen = new Set<string>()): string[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const found: string[] = [];
  const code = readFileSync(join(root, file), 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, ''); // prose may name modules
  for (const m of code.matchAll(IMPORT)) {
    const spec = (m[1] ?? m[2])!;
    const target = relative(root, resolve(root, dirname(file), spec));
    if (spec.startsWith('node:') || NODE_BUILTINS.has(spec.split('/')[0]!)) found.push(`${file} imports '${spec}'`);
    else if (/^dist\/node(\.js$|\/)/.test(target)) found.push(`${file} imports the ./node entry (${spec})`);
    else if (target === 'test/helpers/shared.ts' || target === 'test/helpers/shared.js') found.push(`${file} reads ../shared/data`);
    else if (spec.startsWith('.') && target.startsWith('test/')) found.push(...hostNeeds(target.replace(/\.js$/, '.ts'), seen));
  }
  return found;
}

it('test files that need Node built-ins, the ./node entry or ../shared/data are named *.fs.test.ts (or *.node.test.ts)', () => {
  const browserSafe = testFiles('test').filter((f) => !f.endsWith('.fs.test.ts') && !f.endsWith('.node.test.ts'));
  expect(browserSafe.length).toBeGreaterThan(0);
  expect(browserSafe.flatMap((f) => hostNeeds(f)), `rename these files to *.fs.test.ts (${NEEDS_HOST})`).toEqual([]);
});
