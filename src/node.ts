/// <reference types="node" />
// seqwasm/node: file-system helpers for Node, Deno and Bun. The core package stays free of node: imports.
export { loadModelFile, saveModelFile } from './node/modelFile.js';
export { fileStream, readImdbCsvFile, readTableFile, readWordVectorsFile, readAclImdbFile, readAclImdbPath } from './node/data.js';
export { fetchDataset, defaultCacheDir, fileSink, sha256File, DATASETS } from './node/fetch.js';
export type { DatasetName, FetchOptions, Progress } from './node/fetch.js';
export { writeReport, chartJsSource } from './node/report.js';
export { writeFileAtomic } from './node/files.js';
export { createParallelTrainer, ParallelTrainer } from './node/parallel.js';
export type { ParallelOptions } from './node/parallel.js';
export { ThreadError } from './errors.js';
