// The vocabulary: token ↔ id, with 0 reserved for padding and 1 for unknown words. Built
// deterministically (count descending, then token), and saved inside model files.

import { DataError } from '../errors.js';

export const PAD = 0;
export const UNK = 1;
const SPECIALS = ['<pad>', '<unk>'];

export interface VocabularyOptions {
  /** Keep tokens seen at least this often. Default 1. */
  minCount?: number;
  /** Keep at most this many rows in all (the two reserved ids included). */
  maxSize?: number;
  /** Only tokens for which this returns true (e.g. words that have a pretrained vector). */
  keep?: (token: string) => boolean;
}

export class Vocabulary {
  /** Tokens by id; ids 0 and 1 are `<pad>` and `<unk>`. */
  readonly tokens: readonly string[];
  private readonly ids: Map<string, number>;

  constructor(tokens: readonly string[]) {
    if (tokens[0] !== SPECIALS[0] || tokens[1] !== SPECIALS[1]) {
      throw new DataError('a vocabulary starts with "<pad>" and "<unk>"', { field: 'tokens' });
    }
    this.tokens = tokens;
    this.ids = new Map();
    tokens.forEach((t, i) => {
      if (this.ids.has(t)) throw new DataError(`token ${JSON.stringify(t)} appears twice`, { field: 'tokens' });
      this.ids.set(t, i);
    });
  }

  /** From token lists (or a ready count map): every token counted, then ordered and cut. */
  static build(source: Iterable<readonly string[]> | ReadonlyMap<string, number>, options: VocabularyOptions = {}): Vocabulary {
    const counts = source instanceof Map ? (source as ReadonlyMap<string, number>) : countTokens(source as Iterable<readonly string[]>);
    const minCount = options.minCount ?? 1;
    const ordered = [...counts.entries()]
      .filter(([t, c]) => c >= minCount && !SPECIALS.includes(t) && (!options.keep || options.keep(t)))
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .map(([t]) => t);
    const max = options.maxSize === undefined ? Infinity : Math.max(0, options.maxSize - SPECIALS.length);
    return new Vocabulary([...SPECIALS, ...ordered.slice(0, max)]);
  }

  get size(): number {
    return this.tokens.length;
  }

  /** The id of a token (UNK when it is not in the vocabulary). */
  id(token: string): number {
    return this.ids.get(token) ?? UNK;
  }

  has(token: string): boolean {
    return this.ids.has(token);
  }

  token(id: number): string {
    const t = this.tokens[id];
    if (t === undefined) throw new DataError(`no token with id ${id} (vocabulary size ${this.size})`);
    return t;
  }

  encode(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) out[i] = this.id(tokens[i]!);
    return out;
  }

  toJSON(): { tokens: readonly string[] } {
    return { tokens: this.tokens };
  }

  static fromJSON(json: unknown): Vocabulary {
    const tokens = (json as { tokens?: unknown })?.tokens;
    if (!Array.isArray(tokens) || tokens.some((t) => typeof t !== 'string')) {
      throw new DataError('a saved vocabulary is { tokens: string[] }', { field: 'tokens' });
    }
    return new Vocabulary(tokens as string[]);
  }
}

/** Occurrences of each token. */
export function countTokens(lists: Iterable<readonly string[]>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const list of lists) for (const t of list) counts.set(t, (counts.get(t) ?? 0) + 1);
  return counts;
}
