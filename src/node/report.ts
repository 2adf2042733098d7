/// <reference types="node" />
// Writing the HTML report: Chart.js's UMD build is read from the installed package and inlined.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { renderReport, type ReportInput } from '../report/html.js';
import { writeFileAtomic } from './files.js';

let chartSource: string | undefined;

/** Chart.js's browser build, as text. */
export function chartJsSource(): string {
  if (chartSource === undefined) {
    const main = createRequire(import.meta.url).resolve('chart.js');
    chartSource = readFileSync(join(dirname(main), 'chart.umd.min.js'), 'utf8');
  }
  return chartSource;
}

/** Renders the report and writes it atomically to `path`. */
export async function writeReport(path: string, input: Omit<ReportInput, 'chartJs'>): Promise<void> {
  await writeFileAtomic(path, renderReport({ ...input, chartJs: chartJsSource() }));
}
