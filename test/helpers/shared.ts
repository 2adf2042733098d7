// Paths of the real data sets in ../shared/data (beside the repository; never copied into it).
import { fileURLToPath } from 'node:url';

/** Absolute path of a file under ../shared/data, resolved from this file's location. */
export function sharedData(relative: string): string {
  return fileURLToPath(new URL(`../../../shared/data/${relative}`, import.meta.url));
}

export const IMDB_CSV = sharedData('imdb/imdb_50k_from_aclImdb.csv.gz');
export const IMDB_INDEX = sharedData('imdb/imdb_50k_from_aclImdb.index.tsv.gz');
export const ACLIMDB_TAR = sharedData('imdb/aclImdb_v1_labeled.tar.gz');
export const GLOVE_TOP = sharedData('glove/glove.6B.100d.top2717.txt');
