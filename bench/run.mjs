// `npm run bench`: the quick benchmarks (about a minute or two), each writing its section of BENCHMARKS.md.
// The slow ones have their own scripts: `npm run bench:compare` (whole models against PyTorch and
// TF.js) and `npm run bench:quality` (training to convergence).
//   node bench/run.mjs [--quick] [--rounds N] [--time ms]   (arguments are passed to each benchmark)
const BENCHES = ['./gemm.bench.mjs'];

for (const file of BENCHES) {
  process.stderr.write(`bench: ${file}\n`);
  const { main } = await import(file);
  await main(process.argv.slice(2));
}
process.stderr.write('bench: done; the slow benchmarks are `npm run bench:compare` and `npm run bench:quality`\n');
