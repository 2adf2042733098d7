// `npm run bench:compare`: seqwasm (baseline and relaxed builds), TF.js (cpu and wasm backends) and,
// where Debian's torch is installed, PyTorch, on the same models and shapes in one run; writes
// bench/results/compare.json and the "Models" section of BENCHMARKS.md.
//   node bench/compare.mjs [--rounds 15] [--quick]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arg } from './compare/shapes.mjs';
import { machineLine, table, writeSection } from './markdown.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const rounds = quick ? '3' : arg('--rounds', '15');
const models = quick ? 'gru,mlp' : 'rnn,gru,mlp,wmlp,atten2,atten5';
const python = process.env.TORCH_PYTHON ?? '/usr/bin/python3';
const openblas = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

function run(label, cmd, args, env = {}) {
  process.stderr.write(`bench:compare: ${label}…\n`);
  try {
    const out = execFileSync(cmd, args, { cwd: join(here, '..'), env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26 });
    return out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  } catch (err) {
    process.stderr.write(`bench:compare: ${label} failed: ${String(err.message).split('\n')[0]}\n`);
    return [];
  }
}

const rows = [
  ...run('seqwasm baseline', process.execPath, ['bench/compare/seqwasm.mjs', '--simd', 'baseline', '--rounds', rounds, '--models', models]),
  ...run('seqwasm relaxed', process.execPath, ['--experimental-wasm-relaxed-simd', 'bench/compare/seqwasm.mjs', '--simd', 'relaxed', '--rounds', rounds, '--models', models]),
  ...run('tfjs wasm', process.execPath, ['bench/compare/tfjs.cjs', 'wasm', '--rounds', quick ? '1' : '8', '--models', models]),
  ...run('tfjs cpu', process.execPath, ['bench/compare/tfjs.cjs', 'cpu', '--rounds', quick ? '1' : '3', '--models', models]),
];
const torchAvailable = (() => {
  try {
    execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (torchAvailable) {
  rows.push(...run('pytorch', python, ['bench/compare/torch_bench.py', '--rounds', rounds, '--models', `${models},rnn_builtin,gru_builtin`],
    existsSync(openblas) ? { LD_LIBRARY_PATH: openblas } : {}));
} else process.stderr.write(`bench:compare: no torch for ${python}; PyTorch columns left empty\n`);

mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'compare.json'), JSON.stringify(rows, null, 1));

const find = (framework, model, hidden) => rows.find((r) => r.framework === framework && r.model === model && r.hidden === hidden);
const fmt = (v, digits = 1) => (v === undefined || v === null || Number.isNaN(v) ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(digits));
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '–');
const body = [];
const logRatios = { baseline: [], relaxed: [] };
for (const model of models.split(',')) {
  for (const hidden of [64, 128]) {
    const base = find('seqwasm-baseline', model, hidden);
    const relaxed = find('seqwasm-relaxed', model, hidden);
    const torch = find('pytorch', model, hidden);
    const wasm = find('tfjs-wasm', model, hidden);
    const cpu = find('tfjs-cpu', model, hidden);
    if (base && torch) logRatios.baseline.push(Math.log(base.trainMs / torch.trainMs));
    if (relaxed && torch) logRatios.relaxed.push(Math.log(relaxed.trainMs / torch.trainMs));
    body.push([`${model}-${hidden}`, fmt(base?.trainMs), fmt(relaxed?.trainMs), fmt(torch?.trainMs), fmt(wasm?.trainMs), fmt(cpu?.trainMs),
      ratio(base?.trainMs, torch?.trainMs), ratio(wasm?.trainMs, base?.trainMs),
      fmt(base?.inferB1, 0), fmt(relaxed?.inferB1, 0), fmt(torch?.inferB1, 0), fmt(wasm?.inferB1, 0),
      fmt(base?.inferB32, 0), fmt(relaxed?.inferB32, 0), fmt(torch?.inferB32, 0), fmt(wasm?.inferB32, 0)]);
  }
}
for (const model of ['rnn_builtin', 'gru_builtin']) {
  for (const hidden of [64, 128]) {
    const torch = find('pytorch', model, hidden);
    if (torch) body.push([`torch nn.${model === 'gru_builtin' ? 'GRU' : 'RNN'}-${hidden}`, '', '', fmt(torch.trainMs), '', '', '', '', '', '', fmt(torch.inferB1, 0), '', '', '', fmt(torch.inferB32, 0), '']);
  }
}
const geo = (xs) => (xs.length ? Math.exp(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : '–');
const torchEnv = rows.find((r) => r.framework === 'pytorch')?.env;
writeSection('models', [
  '## Models: seqwasm vs PyTorch vs TF.js (`npm run bench:compare`)',
  '',
  machineLine(),
  `Batch 32 (train) · T = 100 tokens · D = 100 · every token real (the exercise's setting) · Adam · medians of ${rounds} interleaved rounds.`,
  `PyTorch: ${torchEnv ? `${torchEnv.torch}, ${torchEnv.blas.join(' ')}, ${torchEnv.threads} thread` : 'not available on this machine'}; its models are scripts/torch_models.py (input projection hoisted out of the time loop), plus nn.RNN/nn.GRU.`,
  'TF.js 4.22 (tf.layers recurrences, tf ops elsewhere), single-threaded.',
  '',
  table(['model', 'train ms baseline', 'train ms relaxed', 'train ms PyTorch', 'train ms TF.js wasm', 'train ms TF.js cpu',
    'baseline / PyTorch', 'TF.js wasm / baseline', 'b1 rev/s baseline', 'b1 relaxed', 'b1 PyTorch', 'b1 TF.js wasm',
    'b32 rev/s baseline', 'b32 relaxed', 'b32 PyTorch', 'b32 TF.js wasm'], body),
  '',
  `Geometric mean of seqwasm / PyTorch train-step time over all models and both sizes: baseline ${geo(logRatios.baseline)}, relaxed ${geo(logRatios.relaxed)}.`,
].join('\n'));
console.log(`wrote bench/results/compare.json and BENCHMARKS.md (${rows.length} rows)`);
