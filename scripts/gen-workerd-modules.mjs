// Writes test/workerd/modules.capnp: the workerd smoke worker followed by every module it reaches
// through static imports (dist/index.js, its siblings, the packages they use, the .wasm files).
//
// Why generated: workerd loads only the modules its config lists, and dist/index.js imports dozens of
// sibling files that change with every feature. Listing them by hand would drift; a bundle would need
// a bundler we do not depend on and would test something other than the files users install.
// Module names are repository paths, so relative imports resolve in workerd as they do on disk.
//
// workerd resolves even a bare specifier relative to the importing module ('fflate' imported by
// dist/data/vectors.js is looked up as "dist/data/fflate"), so each package import gets a one-line
// re-export module of that name, pointing at the file the package's `exports` give for Workers.
//
// The walk also guards the main entry: a `node:` import reachable from dist/index.js would break
// browsers and Workers, so it is an error here.
//
// Import forms the worker may use:
//   '../../dist/x.js'            an ES module
//   '../../dist/x.wasm'          a WebAssembly.Module (workerd's `wasm` module type)
//   '../../dist/x.wasm.bin'      the same file as an ArrayBuffer (`data` module type), to test bytes
//   './model.safetensors'        a model file as an ArrayBuffer (`data`)
//   'seqwasm', 'seqwasm/…'       this package by name, through its own `exports`
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// the export conditions wrangler resolves for Workers, then the generic ones
const CONDITIONS = ['workerd', 'worker', 'browser', 'import', 'default'];

// static imports and re-exports, as tsc and package builds emit them (also minified: `export{a}from"x"`),
// and dynamic `import('x')` with a literal specifier: the data readers load their parsers on first use,
// and workerd can load a dynamic import only if the module is listed
const IMPORT = /(?:^|[;}\s])(?:import|export)\s*(?:[\w*{$][^'"`;]*?\bfrom\s*)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

const read = (name) => readFileSync(join(root, name), 'utf8');
const relativeSpec = (fromName, toName) => {
  const r = posix.relative(posix.dirname(fromName), toName);
  return r.startsWith('.') ? r : `./${r}`;
};
const quote = (s) => JSON.stringify(s);

const self = JSON.parse(read('package.json')).name;

/** The repository path of the file a bare specifier means for Workers, per the package's `exports`. */
function resolvePackage(spec, importer) {
  const parts = spec.split('/');
  const pkgName = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  const subpath = `.${spec.slice(pkgName.length)}`;
  for (let dir = posix.dirname(importer); ; dir = posix.dirname(dir)) {
    // the package may import itself by name (as the examples do), like Node's self-reference
    const pkgDir = pkgName === self && dir === '.' ? '' : posix.join(dir === '.' ? '' : dir, 'node_modules', pkgName);
    if (existsSync(join(root, pkgDir, 'package.json')) && (pkgDir !== '' || pkgName === self)) {
      const pkg = JSON.parse(read(`${pkgDir}/package.json`));
      let target = pkg.exports === undefined ? undefined
        : typeof pkg.exports === 'string' || !Object.keys(pkg.exports)[0]?.startsWith('.') ? (subpath === '.' ? pkg.exports : undefined)
        : pkg.exports[subpath];
      while (target && typeof target === 'object') target = target[CONDITIONS.find((c) => c in target)];
      if (pkg.exports === undefined) target = subpath === '.' ? (pkg.module ?? pkg.main ?? 'index.js') : subpath;
      if (typeof target !== 'string') throw new Error(`${importer}: '${spec}' has no export for ${CONDITIONS.join('/')}`);
      return posix.join(pkgDir, target);
    }
    if (dir === '.' || dir === '') throw new Error(`${importer}: package '${pkgName}' not found in node_modules`);
  }
}

/**
 * Every module `worker` reaches, in discovery order (the worker first: workerd's main module):
 * name (a repository path, or a re-export alias) → { line: its capnp entry, file: the file it embeds
 * (absent for aliases), lazy: reached only through dynamic imports, so loaded on first use, not at start }.
 */
export function reachableModules(worker) {
  const modules = new Map();
  const embed = (name) => quote(relative(dirname(join(root, worker)), join(root, name)).split('\\').join('/'));
  const pending = [worker];
  while (pending.length) {
    const name = pending.shift();
    if (modules.has(name)) continue;
    const file = name.replace(/\.bin$/, '');
    if (!existsSync(join(root, file))) throw new Error(`${file} is missing (reached from ${worker}): run \`npm run build\``);
    const imports = []; // { name, dynamic }
    if (name.endsWith('.wasm.bin') || name.endsWith('.safetensors')) { modules.set(name, { line: `(name = ${quote(name)}, data = embed ${embed(file)})`, file, imports }); continue; }
    if (name.endsWith('.wasm')) { modules.set(name, { line: `(name = ${quote(name)}, wasm = embed ${embed(file)})`, file, imports }); continue; }
    modules.set(name, { line: `(name = ${quote(name)}, esModule = embed ${embed(file)})`, file, imports });
    for (const [, staticSpec, dynamicSpec] of read(file).matchAll(IMPORT)) {
      const spec = staticSpec ?? dynamicSpec;
      const dynamic = dynamicSpec !== undefined;
      if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(name), spec));
        imports.push({ name: target, dynamic });
        pending.push(target);
        continue;
      }
      if (spec.startsWith('node:') || !/^[@\w]/.test(spec)) {
        throw new Error(`${file} imports '${spec}': code reachable from dist/index.js must not use node: modules ` +
          '(they break browsers and Workers); move it behind the ./node entry');
      }
      const target = resolvePackage(spec, file);
      const alias = posix.join(posix.dirname(name), spec);
      if (!modules.has(alias)) {
        // a .wasm or data module has only a default export, which `export *` does not pass on
        const reexport = /\.(wasm|safetensors)$/.test(target) ? 'export { default } from' : 'export * from';
        const line = `(name = ${quote(alias)}, esModule = ${quote(`${reexport} ${quote(relativeSpec(alias, target))};`)})`;
        modules.set(alias, { line, imports: [{ name: target, dynamic: false }] });
      }
      imports.push({ name: alias, dynamic });
      pending.push(target);
    }
  }
  // what loads at start: the worker's closure through static imports only
  const eager = new Set();
  const visit = (name) => {
    if (eager.has(name)) return;
    eager.add(name);
    for (const i of modules.get(name).imports) if (!i.dynamic) visit(i.name);
  };
  visit(worker);
  for (const [name, m] of modules) m.lazy = !eager.has(name);
  return modules;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const worker = process.argv[2] ?? 'test/workerd/smoke.worker.js';
  const outFile = join(dirname(join(root, worker)), 'modules.capnp');
  const modules = reachableModules(worker);
  writeFileSync(outFile, `# GENERATED by scripts/gen-workerd-modules.mjs from the imports of ${worker}: do not edit.
@0xc5a1f0d2b3e49687;
using Workerd = import "/workerd/workerd.capnp";
const modules :List(Workerd.Worker.Module) = [
${[...modules.values()].map(({ line }) => `  ${line},`).join('\n')}
];
`);
  console.log(`${relative(root, outFile)}: ${modules.size} modules reached from ${worker}`);
}
