// Sums vitest JSON reports (and workerd test logs) in a folder into one plain "N passed, N failed" line.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.ci-out';
let passed = 0;
let failed = 0;
for (const name of readdirSync(dir).sort()) {
  const text = readFileSync(join(dir, name), 'utf8');
  if (name.endsWith('.json')) {
    const report = JSON.parse(text);
    // a suite that ran no test at all counts as a failure: something did not load
    const empty = report.numTotalTests === 0 ? 1 : 0;
    console.log(`${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed${empty ? ' (no tests ran)' : ''}`);
    passed += report.numPassedTests;
    failed += report.numFailedTests + empty + (report.numFailedTestSuites ?? 0);
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
