// The data side of the pipeline: readers, tokenizers, vocabulary, word vectors, splits and batches.
export { byteStream, readBytes, textChunks, lines } from './input.js';
export type { DataInput } from './input.js';
export { csvRows, SkipCounter } from './csv.js';
export type { CsvOptions, CsvRow, BadRowPolicy } from './csv.js';
export { readImdbCsv, readAclImdb, readTable, readTabSeparatedPairs, SENTIMENT_LABELS } from './datasets.js';
export type { Example, LabeledSet, DataReadOptions, TableOptions } from './datasets.js';
export { createTokenizer } from './tokenize.js';
export type { Tokenizer, TokenizerSettings } from './tokenize.js';
export { Vocabulary, countTokens, PAD, UNK } from './vocab.js';
export type { VocabularyOptions } from './vocab.js';
export { readWordVectors, coverage } from './vectors.js';
export type { WordVectors, WordVectorOptions, Coverage } from './vectors.js';
export { encodeExamples, splitFirst, stratifiedSplit, Batcher, SequenceBatches } from './batch.js';
export type { EncodedSet, StratifiedOptions, BatchingOptions } from './batch.js';
export { DATASETS, download, fetchDatasetBytes, memorySink, sha256Hex, datasetSpec, mirrorUrl } from './fetch.js';
export type { DatasetName, DownloadSink, DownloadOptions, FetchBytesOptions, Progress } from './fetch.js';
