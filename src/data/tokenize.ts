// Tokenizers. Their settings are plain JSON, saved inside model files, so a loaded model tokenizes
// exactly as it was trained.

import { ConfigError } from '../errors.js';

export interface TokenizerSettings {
  /**
   * 'exercise': the university exercise's cleaning, reproduced exactly. 'default': HTML stripped,
   * negations and numbers kept, contractions split as GloVe's vocabulary expects ("don't" → do n't).
   */
  preset: 'exercise' | 'default';
  /** Tokens kept per text. Default 100 (exercise) or 256 (default). */
  maxTokens?: number;
  /** Which tokens a long text keeps: its head (default for 'exercise'), tail, or both ends (default). */
  truncate?: 'head' | 'tail' | 'head+tail';
  /** With 'head+tail', the share of maxTokens taken from the head. Default 0.5. */
  headFraction?: number;
}

export interface Tokenizer {
  readonly settings: Required<TokenizerSettings>;
  /** Tokens of one text, truncated to maxTokens. */
  tokenize(text: string): string[];
  /** Tokens of one text, not truncated (for building vocabularies and counting coverage). */
  tokenizeAll(text: string): string[];
}

const LINK = /https?:\/\/\S+|www\.\S+/gi;
const ENTITIES = new Map([['amp', '&'], ['quot', '"'], ['#39', "'"], ['apos', "'"], ['lt', '<'], ['gt', '>']]);

/**
 * The exercise's cleaning, step by step:
 *   1. links (http://…, https://…, www.…) removed
 *   2. every character that is not a letter replaced by a space (so "<br />" leaves the token "br")
 *   3. lowercase
 *   4. single-letter words removed
 *   5. runs of spaces collapsed; split on spaces
 */
function exerciseTokens(text: string): string[] {
  const cleaned = text
    .replace(LINK, ' ')
    .replace(/[^a-zA-Z]+/g, ' ')
    .toLowerCase()
    .replace(/(?<![a-z])[a-z](?![a-z])/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
  return cleaned ? cleaned.split(' ') : [];
}

// contractions split the way GloVe's (Stanford/PTB) tokenizer did: can't → ca n't, won't → wo n't,
// don't → do n't, it's → it 's, we're → we 're, …
const CONTRACTION = /^(.+?)(n't|'s|'re|'ve|'m|'ll|'d)$/;
// a Map, not an object literal: a text may contain "constructor" or "__proto__"
const SPECIAL_NEGATIONS = new Map<string, [string, string]>([["can't", ['ca', "n't"]], ["won't", ['wo', "n't"]], ['cannot', ['can', 'not']]]);

/** HTML stripped, entities and curly apostrophes normalised, lowercase, words/numbers/!/? as tokens. */
function defaultTokens(text: string): string[] {
  const cleaned = text
    .replace(/<[^>]*>/g, ' ')
    .replace(/&(amp|quot|#39|apos|lt|gt);/g, (_, e: string) => ENTITIES.get(e)!)
    .replace(LINK, ' ')
    .replace(/[\u2018\u2019`´]/g, "'")
    .toLowerCase();
  const out: string[] = [];
  for (const raw of cleaned.match(/[a-z0-9]+(?:'[a-z]+)?|[!?]/g) ?? []) {
    const special = SPECIAL_NEGATIONS.get(raw);
    if (special) {
      out.push(...special);
      continue;
    }
    const m = CONTRACTION.exec(raw);
    if (m) out.push(m[1]!, m[2]!);
    else out.push(raw.replace(/'$/, ''));
  }
  return out;
}

/** Builds a tokenizer from its settings (as saved in a model file). */
export function createTokenizer(settings: TokenizerSettings = { preset: 'default' }): Tokenizer {
  const preset = settings.preset;
  if (preset !== 'exercise' && preset !== 'default') {
    throw new ConfigError(`tokenizer preset: unknown ${JSON.stringify(preset)}`, "use 'exercise' or 'default'");
  }
  const full: Required<TokenizerSettings> = {
    preset,
    maxTokens: settings.maxTokens ?? (preset === 'exercise' ? 100 : 256),
    truncate: settings.truncate ?? (preset === 'exercise' ? 'head' : 'head+tail'),
    headFraction: settings.headFraction ?? 0.5,
  };
  if (!Number.isInteger(full.maxTokens) || full.maxTokens < 1) throw new ConfigError(`tokenizer maxTokens must be a positive integer, got ${full.maxTokens}`);
  if (!['head', 'tail', 'head+tail'].includes(full.truncate)) throw new ConfigError(`tokenizer truncate: unknown ${JSON.stringify(full.truncate)}`);
  if (!(full.headFraction >= 0 && full.headFraction <= 1)) throw new ConfigError(`tokenizer headFraction must be in [0, 1], got ${full.headFraction}`);
  const split = preset === 'exercise' ? exerciseTokens : defaultTokens;
  return {
    settings: full,
    tokenizeAll: split,
    tokenize: (text) => truncate(split(text), full),
  };
}

function truncate(tokens: string[], s: Required<TokenizerSettings>): string[] {
  const n = s.maxTokens;
  if (tokens.length <= n) return tokens;
  if (s.truncate === 'head') return tokens.slice(0, n);
  if (s.truncate === 'tail') return tokens.slice(tokens.length - n);
  const head = Math.round(n * s.headFraction);
  return [...tokens.slice(0, head), ...tokens.slice(tokens.length - (n - head))];
}
