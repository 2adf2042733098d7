// A strict JSON (RFC 8259) parser for safetensors headers, which come from untrusted files.
//
// JSON.parse would do for valid input, but it silently keeps the last of duplicate keys (the spec
// forbids duplicates), turns 2^64 into an inexact double, and builds plain objects where a key named
// "__proto__" is special. This parser keeps objects as Maps, refuses duplicate keys, keeps each
// number's text so integers can be checked exactly, and bounds nesting so a hostile header can
// neither overflow the stack nor make it work harder than linear time.

import { ModelFileError } from '../errors.js';

export type JsonValue = null | boolean | string | JsonNumber | JsonValue[] | JsonObject;
export type JsonObject = Map<string, JsonValue>;

/** A number as written in the text; `value` is the nearest double. */
export class JsonNumber {
  constructor(readonly text: string) {}
  get value(): number {
    return Number(this.text);
  }
  /** The exact value when the text is a plain non-negative integer (no sign, fraction or exponent) ≤ 2^53 − 1. */
  get safeUint(): number | undefined {
    if (!/^(0|[1-9][0-9]{0,15})$/.test(this.text)) return undefined;
    const v = Number(this.text);
    return Number.isSafeInteger(v) ? v : undefined;
  }
}

/** A valid safetensors header nests 3 levels (root, tensor entry, shape); anything far deeper is hostile. */
export const MAX_JSON_DEPTH = 64;

const C = {
  Tab: 0x09,
  Lf: 0x0a,
  Cr: 0x0d,
  Space: 0x20,
  Quote: 0x22,
  Plus: 0x2b,
  Comma: 0x2c,
  Minus: 0x2d,
  Dot: 0x2e,
  Zero: 0x30,
  Nine: 0x39,
  Colon: 0x3a,
  OpenBracket: 0x5b,
  Backslash: 0x5c,
  CloseBracket: 0x5d,
  OpenBrace: 0x7b,
  CloseBrace: 0x7d,
} as const;

const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** A whole JSON string of plain characters and escapes other than surrogate escapes. */
const STRING = /"(?:[^"\\\u0000-\u001f\ud800-\udfff]|\\["\\/bfnrt]|\\u(?![dD][89abcdefABCDEF])[0-9a-fA-F]{4})*"/y;

/**
 * Parses `text` as exactly one JSON value followed only by JSON whitespace (the safetensors header's
 * padding). Throws ModelFileError naming `what` and the character offset of the first problem.
 */
export function parseJson(text: string, what = 'JSON'): JsonValue {
  let i = 0;
  const n = text.length;

  const fail = (problem: string, at = i): never => {
    throw new ModelFileError(`${what}: ${problem} at character ${at}`);
  };
  const skipSpace = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== C.Space && c !== C.Lf && c !== C.Cr && c !== C.Tab) break;
    }
  };
  const describe = (at: number) => (at >= n ? 'end of text' : JSON.stringify(text[at]));

  const parseString = (): string => {
    // a string the strict rules below would accept anyway (no raw control characters or surrogates,
    // no surrogate escapes) is matched and decoded in native code: a cold isolate would otherwise
    // interpret this loop over a model file's tens of kilobytes of vocabulary
    STRING.lastIndex = i;
    if (STRING.test(text)) {
      const end = STRING.lastIndex;
      const value = JSON.parse(text.slice(i, end)) as string;
      i = end;
      return value;
    }
    const start = i; // at the opening quote
    i++;
    let out = '';
    let run = i; // start of the current run of plain characters
    for (;;) {
      if (i >= n) fail('unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === C.Quote) {
        out += text.slice(run, i);
        i++;
        return out;
      }
      if (c < 0x20) fail('control character in string (must be escaped)');
      if (c >= 0xd800 && c <= 0xdfff) {
        // text came from fatal UTF-8 decoding, so raw surrogates are always paired; checked anyway
        const pair = c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
        if (!pair) fail('unpaired surrogate in string');
        i += 2;
        continue;
      }
      if (c !== C.Backslash) {
        i++;
        continue;
      }
      out += text.slice(run, i);
      const e = text[i + 1];
      if (e === 'u') {
        const unit = hex4(i + 2);
        i += 6;
        if (unit >= 0xdc00 && unit <= 0xdfff) fail('unpaired low surrogate escape', i - 6);
        if (unit >= 0xd800 && unit <= 0xdbff) {
          // a high surrogate must be followed by an escaped low surrogate: lone ones are not text
          const low = text[i] === '\\' && text[i + 1] === 'u' ? hex4(i + 2) : -1;
          if (low < 0xdc00 || low > 0xdfff) fail('unpaired high surrogate escape', i - 6);
          out += String.fromCharCode(unit, low);
          i += 6;
        } else {
          out += String.fromCharCode(unit);
        }
      } else if (e !== undefined && Object.hasOwn(ESCAPES, e)) {
        out += ESCAPES[e];
        i += 2;
      } else {
        fail(`invalid escape ${e === undefined ? 'at end of text' : JSON.stringify('\\' + e)}`);
      }
      run = i;
    }
  };

  const hex4 = (at: number): number => {
    const digits = text.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) fail('invalid \\u escape', at - 2);
    return parseInt(digits, 16);
  };

  const parseNumber = (): JsonNumber => {
    const start = i;
    if (text.charCodeAt(i) === C.Minus) i++;
    const digits = () => {
      const from = i;
      while (i < n && text.charCodeAt(i) >= C.Zero && text.charCodeAt(i) <= C.Nine) i++;
      return i - from;
    };
    const intStart = i;
    const intDigits = digits();
    if (intDigits === 0) fail('invalid number', start);
    if (intDigits > 1 && text.charCodeAt(intStart) === C.Zero) fail('number with a leading zero', start);
    if (text.charCodeAt(i) === C.Dot) {
      i++;
      if (digits() === 0) fail('invalid number: no digits after the decimal point', start);
    }
    const e = text.charCodeAt(i);
    if (e === 0x65 || e === 0x45) {
      i++;
      const sign = text.charCodeAt(i);
      if (sign === C.Plus || sign === C.Minus) i++;
      if (digits() === 0) fail('invalid number: no digits in the exponent', start);
    }
    return new JsonNumber(text.slice(start, i));
  };

  const parseLiteral = (word: string, value: JsonValue): JsonValue => {
    if (text.startsWith(word, i)) {
      i += word.length;
      return value;
    }
    return fail(`unexpected ${describe(i)}`);
  };

  // Iterative over containers would be more code; recursion is bounded by MAX_JSON_DEPTH instead.
  const parseValue = (depth: number): JsonValue => {
    skipSpace();
    const c = text.charCodeAt(i);
    if (c === C.OpenBrace || c === C.OpenBracket) {
      if (depth >= MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
      return c === C.OpenBrace ? parseObject(depth + 1) : parseArray(depth + 1);
    }
    if (c === C.Quote) return parseString();
    if (c === C.Minus || (c >= C.Zero && c <= C.Nine)) return parseNumber();
    if (c === 0x74) return parseLiteral('true', true);
    if (c === 0x66) return parseLiteral('false', false);
    if (c === 0x6e) return parseLiteral('null', null);
    return fail(`unexpected ${describe(i)}`);
  };

  const parseObject = (depth: number): JsonObject => {
    const object: JsonObject = new Map();
    i++; // {
    skipSpace();
    if (text.charCodeAt(i) === C.CloseBrace) {
      i++;
      return object;
    }
    for (;;) {
      skipSpace();
      if (text.charCodeAt(i) !== C.Quote) fail(`expected a key string, found ${describe(i)}`);
      const keyAt = i;
      const key = parseString();
      if (object.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
      skipSpace();
      if (text.charCodeAt(i) !== C.Colon) fail(`expected ':' after key ${JSON.stringify(key)}, found ${describe(i)}`);
      i++;
      object.set(key, parseValue(depth));
      skipSpace();
      const next = text.charCodeAt(i);
      i++;
      if (next === C.CloseBrace) return object;
      if (next !== C.Comma) fail(`expected ',' or '}', found ${describe(i - 1)}`, i - 1);
    }
  };

  const parseArray = (depth: number): JsonValue[] => {
    const array: JsonValue[] = [];
    i++; // [
    skipSpace();
    if (text.charCodeAt(i) === C.CloseBracket) {
      i++;
      return array;
    }
    for (;;) {
      array.push(parseValue(depth));
      skipSpace();
      const next = text.charCodeAt(i);
      i++;
      if (next === C.CloseBracket) return array;
      if (next !== C.Comma) fail(`expected ',' or ']', found ${describe(i - 1)}`, i - 1);
    }
  };

  const value = parseValue(0);
  skipSpace();
  if (i < n) fail(`unexpected ${describe(i)} after the JSON value`);
  return value;
}

/** Short description of a JSON value's kind, for error messages. */
export function jsonKind(value: JsonValue | undefined): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  if (value instanceof Map) return 'an object';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof JsonNumber) return `the number ${value.text.length > 40 ? value.text.slice(0, 40) + '…' : value.text}`;
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return String(value);
}
