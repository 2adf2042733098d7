// Sums vitest JSON reports (and workerd test logs) in a folder into one plain "N passed, N failed" line.
// Usage: ci-summary.mjs <dir> [report names that must exist]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir = '.ci-out', ...expected] = process.argv.slice(2);
let passed = 0;
let failed = 0;
// a lane that crashed before writing its report (a config that did not load, a runtime that did not start)
// would otherwise just be absent from the count
for (const name of expected) {
  if (!existsSync(join(dir, name))) {
    console.log(`${name}: missing: that lane wrote no report`);
    failed += 1;
  }
}
for (const name of readdirSync(dir).sort()) {
  const text = readFileSync(join(dir, name), 'utf8');
  if (name.endsWith('.json')) {
    const report = JSON.parse(text);
    // a suite that ran no test at all counts as a failure: something did not load
    const empty = report.numTotalTests === 0 ? 1 : 0;
    // a file that failed with no failed test of its own did not load (or its hooks threw): one failure each;
    // a file whose tests failed is already counted by them
    const broken = (report.testResults ?? []).filter((file) =>
      file.status === 'failed' && !file.assertionResults?.some((test) => test.status === 'failed')).length;
    // vitest also fails a run for errors outside any test (an unhandled rejection or exception), which its
    // JSON report does not show (success stays true): the lane's exit code, saved by .ci/run, does; count it once
    const rcFile = join(dir, name.replace(/\.json$/, '.rc'));
    const exitedBadly = existsSync(rcFile) && readFileSync(rcFile, 'utf8').trim() !== '0';
    const other = (report.success === false || exitedBadly) && !report.numFailedTests && !broken && !empty ? 1 : 0;
    const lost = broken + other + empty;
    const note = [empty && 'no tests ran', broken && `${broken} file(s) failed to run`, other && 'errors outside tests'].filter(Boolean);
    console.log(`${name}: ${report.numPassedTests} passed, ${report.numFailedTests + lost} failed${note.length ? ` (${note.join('; ')})` : ''}`);
    passed += report.numPassedTests;
    failed += report.numFailedTests + lost;
  } else if (name.endsWith('.log')) {
    const p = (text.match(/\[ PASS \]/g) ?? []).length;
    const f = (text.match(/\[ FAIL \]/g) ?? []).length + (p === 0 ? 1 : 0);
    console.log(`${name}: ${p} passed, ${f} failed`);
    passed += p;
    failed += f;
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
