// The strict header JSON parser against JSON.parse: same values on valid JSON, and refusals where
// JSON.parse is lenient (duplicate keys) or would misbehave (deep nesting).
import { describe, expect, it } from 'vitest';
import { ModelFileError, Rng } from '../../dist/index.js';
import { JsonNumber, parseJson, type JsonValue } from '../../dist/io/json.js';

function plain(v: JsonValue): unknown {
  if (v instanceof JsonNumber) return v.value;
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

function randomValue(rng: Rng, depth: number): unknown {
  const strings = ['', 'a', 'é', '\u{1F600}', '"\\/\b\f\n\r\t', '\u0001\u001f', '\u2028', 'k'.repeat(rng.int(20))];
  switch (depth > 4 ? rng.int(4) : rng.int(6)) {
    case 0: return [null, true, false][rng.int(3)];
    case 1: return [0, -0, 1, -1, 0.5, 1e21, 1e-7, 123456789012, -2.5e-300, 2 ** 53 + 2][rng.int(10)];
    case 2:
    case 3: return strings[rng.int(strings.length)];
    case 4: return Array.from({ length: rng.int(4) }, () => randomValue(rng, depth + 1));
    default: return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [`${strings[rng.int(strings.length)]}${i}`, randomValue(rng, depth + 1)]));
  }
}

describe('parseJson', () => {
  it('agrees with JSON.parse on 2,000 random valid documents, compact and indented', () => {
    const rng = new Rng(5);
    for (let i = 0; i < 2000; i++) {
      const value = randomValue(rng, 0);
      for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2)]) {
        expect(plain(parseJson(text))).toEqual(JSON.parse(text));
      }
    }
  });

  it('keeps each number\'s text, so integers are checked exactly', () => {
    const n = (text: string) => (parseJson(text) as JsonNumber).safeUint;
    expect(n('9007199254740991')).toBe(2 ** 53 - 1);
    expect(n('9007199254740992')).toBeUndefined();
    expect(n('18446744073709551616')).toBeUndefined();
    expect(n('1.0')).toBeUndefined();
    expect(n('1e3')).toBeUndefined();
    expect(n('-0')).toBeUndefined();
    expect(n('0')).toBe(0);
  });

  it('decodes escapes, surrogate pairs included', () => {
    expect(parseJson('"\\ud83d\\ude00 \\u00e9\\n\\/"')).toBe('\u{1F600} é\n/');
  });

  const refusals: [string, RegExp][] = [
    ['{"a":1,"a":2}', /duplicate key "a" at character 7/],
    ['[1,]', /unexpected "]"/],
    ['01', /leading zero/],
    ['1.', /no digits after the decimal point/],
    ['1e+', /no digits in the exponent/],
    ['"\\x"', /invalid escape "\\\\x"/],
    ['"\\ude00"', /unpaired low surrogate escape/],
    ['"\\ud83d x"', /unpaired high surrogate escape/],
    ['"\\u12"', /invalid \\u escape/],
    ['"abc', /unterminated string at character 0/],
    ['{"a" 1}', /expected ':' after key "a"/],
    ['[1 2]', /expected ',' or '\]'/],
    ['tru', /unexpected "t"/],
    ['{} {}', /after the JSON value/],
    ['', /unexpected end of text at character 0/],
    ['['.repeat(65) + ']'.repeat(65), /nested deeper than 64 levels at character 64/],
    ['['.repeat(1_000_000), /nested deeper than 64 levels/],
  ];
  for (const [text, message] of refusals) {
    it(`refuses ${JSON.stringify(text.length > 20 ? text.slice(0, 20) + '…' : text)}`, () => {
      expect(() => parseJson(text)).toThrow(ModelFileError);
      expect(() => parseJson(text)).toThrow(message);
    });
  }

  it('accepts nesting up to the limit', () => {
    expect(plain(parseJson('['.repeat(64) + ']'.repeat(64)))).toBeDefined();
  });
});
