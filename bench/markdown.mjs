// BENCHMARKS.md is assembled from sections that the benchmark scripts (re)write between markers
// `<!-- section:NAME -->` … `<!-- /section:NAME -->`; the rest of the file is left as it is.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BENCHMARKS = join(dirname(fileURLToPath(import.meta.url)), '..', 'BENCHMARKS.md');

export function writeSection(name, markdown) {
  const start = `<!-- section:${name} -->`;
  const end = `<!-- /section:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  let text = existsSync(BENCHMARKS) ? readFileSync(BENCHMARKS, 'utf8') : '# seqwasm benchmarks\n';
  const at = text.indexOf(start);
  const to = text.indexOf(end);
  text = at >= 0 && to > at ? text.slice(0, at) + block + text.slice(to + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(`${BENCHMARKS}.tmp`, text);
  renameSync(`${BENCHMARKS}.tmp`, BENCHMARKS);
}

/** One line naming the machine and runtime, for the top of each section. */
export function machineLine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu} (${cpus().length} cores), Node ${process.version}, one thread.`;
}

export function table(header, rows) {
  const line = (cells) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map((h, i) => (i === 0 ? '---' : '---:'))), ...rows.map(line)].join('\n');
}
