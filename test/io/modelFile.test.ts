import { describe, expect, it } from 'vitest';
import {
  Arena, ConfigError, CurveRecorder, decodeModelFile, encodeModelFile, loadParams, MODEL_KEYS, ModelFileError, ParamTable,
  readSafetensors, Rng, writeSafetensors, type ExpectShapes,
} from '../../dist/index.js';
import { expectModelFileError } from './helpers.js';

interface TinyConfig {
  kind: 'mlp';
  dim: number;
  hidden: number;
}

// what the models code will supply: the parameter shapes a config implies (the embedding has one row per token)
const tinyShapes: ExpectShapes<TinyConfig> = (config, { vocab }) => {
  if (config.kind !== 'mlp') throw new ConfigError(`unknown model kind "${String(config.kind)}"`);
  return {
    'embedding.weight': [vocab.length, config.dim],
    'mlp.0.weight': [config.hidden, config.dim],
    'mlp.0.bias': [config.hidden],
  };
};

const vocab = ['<pad>', '<unk>', 'good', 'bad', 'ünïcode \u{1F600}'];
const config: TinyConfig = { kind: 'mlp', dim: 3, hidden: 2 };
const tokenizer = { lowercase: true, maxLen: 200 };

function table(seed = 1): ParamTable {
  const arena = new Arena(new WebAssembly.Memory({ initial: 1 }), 0);
  return new ParamTable(arena, [
    { name: 'mlp.0.weight', shape: [2, 3], init: { uniform: 1 } },
    { name: 'mlp.0.bias', shape: [2], init: { normal: 1 } },
    { name: 'embedding.weight', shape: [vocab.length, 3], init: { normal: 1 }, trainable: false },
  ], new Rng(seed));
}

describe('model file round trip', () => {
  it('from a ParamTable: values bit-exact, metadata intact, shapes checked against the config', () => {
    const params = table();
    const curves = new CurveRecorder();
    curves.record(10, 0, 'test', { loss: 0.5, accuracy: 0.75, f1: 0.7, rocAuc: null });
    const bytes = encodeModelFile({ config, params, vocab, tokenizer, training: { curves }, extra: { author: 'tests' } });
    const model = decodeModelFile(bytes, { expectShapes: tinyShapes });
    expect(model.format).toBe(1);
    expect(model.config).toEqual(config);
    expect(model.vocab).toEqual(vocab);
    expect(model.tokenizer).toEqual(tokenizer);
    expect(CurveRecorder.fromJSON((model.training as { curves: unknown }).curves).points).toEqual(curves.points);
    expect({ ...model.extra }).toEqual({ author: 'tests' });
    for (const e of params.entries) {
      expect(model.params.get(e.name)!.shape).toEqual([...e.shape]);
      expect(model.params.get(e.name)!.data).toEqual(params.param(e.name));
    }
    // plain safetensors underneath: metadata under the documented keys, parameters as F32 tensors
    const raw = readSafetensors(bytes);
    expect(raw.metadata[MODEL_KEYS.format]).toBe('1');
    expect(JSON.parse(raw.metadata[MODEL_KEYS.vocab]!)).toEqual(vocab);
    expect(raw.tensor('embedding.weight').dtype).toBe('F32');
  });

  it('from values by name, into a ParamTable (loadParams)', () => {
    const source = table(1);
    const values = Object.fromEntries(source.entries.map((e) => [e.name, { shape: e.shape, data: Array.from(source.param(e.name)) }]));
    const model = decodeModelFile<TinyConfig>(encodeModelFile({ config, params: values, vocab, tokenizer }), { expectShapes: tinyShapes });
    const target = table(2);
    loadParams(target, model.params);
    for (const e of source.entries) expect(target.param(e.name)).toEqual(source.param(e.name));
    expect(model.training).toBeUndefined();
  });

  it('is deterministic', () => {
    expect(encodeModelFile({ config, params: table(), vocab, tokenizer })).toEqual(encodeModelFile({ config, params: table(), vocab, tokenizer }));
  });
});

describe('decodeModelFile refuses files that do not match their config', () => {
  const encode = (params: Record<string, { shape: number[]; data: number[] }>, c: object = config) => encodeModelFile({ config: c, params, vocab, tokenizer });
  const good = {
    'embedding.weight': { shape: [5, 3], data: new Array(15).fill(0.5) },
    'mlp.0.weight': { shape: [2, 3], data: [1, 2, 3, 4, 5, 6] },
    'mlp.0.bias': { shape: [2], data: [0, 0] },
  };

  it('names the tensor, the implied shape and the actual one', () => {
    const bytes = encode({ ...good, 'mlp.0.weight': { shape: [3, 2], data: [1, 2, 3, 4, 5, 6] } });
    expectModelFileError(() => decodeModelFile(bytes, { expectShapes: tinyShapes }), /tensor "mlp.0.weight" has shape \[3, 2\] but the config implies \[2, 3\]/);
  });

  it('lists missing and unexpected tensors', () => {
    const { 'mlp.0.bias': _, ...rest } = good;
    const bytes = encode({ ...rest, 'mlp.1.weight': { shape: [1], data: [1] } });
    expectModelFileError(() => decodeModelFile(bytes, { expectShapes: tinyShapes }), /missing tensors "mlp.0.bias"; unexpected tensors "mlp.1.weight"/);
  });

  it('checks the embedding rows against the vocabulary through the hook', () => {
    const bytes = encode({ ...good, 'embedding.weight': { shape: [4, 3], data: new Array(12).fill(0) } });
    expectModelFileError(() => decodeModelFile(bytes, { expectShapes: tinyShapes }), /"embedding.weight" has shape \[4, 3\] but the config implies \[5, 3\]/);
  });

  it('turns a config the model code refuses into a ModelFileError that keeps the cause', () => {
    const bytes = encode(good, { kind: 'lstm', dim: 3, hidden: 2 });
    let error: unknown;
    try {
      decodeModelFile(bytes, { expectShapes: tinyShapes });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelFileError);
    expect((error as Error).message).toMatch(/config does not describe a model this code can build: unknown model kind "lstm"/);
    expect((error as Error).cause).toBeInstanceOf(ConfigError);
  });

  it('without expectShapes, reads any F32 tensors', () => {
    expect(decodeModelFile(encode(good)).params.size).toBe(3);
  });

  it('loadParams checks every name and shape before writing anything', () => {
    const target = table(3);
    const before = target.param('mlp.0.weight').slice();
    const model = decodeModelFile(encode({ ...good, 'mlp.0.bias': { shape: [3], data: [1, 2, 3] } }));
    expectModelFileError(() => loadParams(target, model.params), /"mlp.0.bias" has shape \[3\] but the config implies \[2\]/);
    expect(target.param('mlp.0.weight')).toEqual(before);
  });
});

describe('decodeModelFile refuses bad metadata', () => {
  const meta = (overrides: Record<string, string | undefined>) => {
    const m: Record<string, string> = { [MODEL_KEYS.format]: '1', [MODEL_KEYS.config]: '{"kind":"mlp"}', [MODEL_KEYS.vocab]: '["a"]', [MODEL_KEYS.tokenizer]: '{}' };
    for (const [k, v] of Object.entries(overrides)) {
      if (v === undefined) delete m[k];
      else m[k] = v;
    }
    return writeSafetensors({ w: { dtype: 'F32', shape: [1], data: [1] } }, m);
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ['plain safetensors', writeSafetensors({}), /no seqwasm.format in the metadata, so this is not a seqwasm model file/],
    ['newer format', meta({ [MODEL_KEYS.format]: '2' }), /format version 2 is newer than this seqwasm reads \(1\)/],
    ['format not a number', meta({ [MODEL_KEYS.format]: 'v1' }), /seqwasm.format is "v1", expected a version number/],
    ['config missing', meta({ [MODEL_KEYS.config]: undefined }), /seqwasm.config is missing/],
    ['config not JSON', meta({ [MODEL_KEYS.config]: '{kind:mlp}' }), /seqwasm.config is not valid JSON/],
    ['config not an object', meta({ [MODEL_KEYS.config]: '[1]' }), /seqwasm.config must be a JSON object, got an array/],
    ['vocab not an array', meta({ [MODEL_KEYS.vocab]: '{"a":0}' }), /seqwasm.vocab must be a JSON array of strings/],
    ['vocab entry not a string', meta({ [MODEL_KEYS.vocab]: '["a",1]' }), /vocab\[1\] is number/],
    ['vocab duplicate', meta({ [MODEL_KEYS.vocab]: '["a","b","a"]' }), /token "a" twice \(ids 0 and 2\)/],
    ['tokenizer null', meta({ [MODEL_KEYS.tokenizer]: 'null' }), /seqwasm.tokenizer must be a JSON object, got null/],
    ['training not JSON', meta({ [MODEL_KEYS.training]: '{' }), /seqwasm.training is not valid JSON/],
    ['I32 parameter', writeSafetensors({ ids: { dtype: 'I32', shape: [1], data: [1] } }, { [MODEL_KEYS.format]: '1', [MODEL_KEYS.config]: '{}', [MODEL_KEYS.vocab]: '[]', [MODEL_KEYS.tokenizer]: '{}' }), /tensor "ids" is I32; seqwasm parameters are F32/],
  ];
  for (const [name, bytes, message] of cases) it(name, () => expectModelFileError(() => decodeModelFile(bytes), message));
});

describe('encodeModelFile refuses what JSON would silently change', () => {
  const params = { w: { shape: [1], data: [1] } };
  const cases: [string, () => unknown, RegExp][] = [
    ['NaN in config', () => encodeModelFile({ config: { lr: NaN }, params, vocab, tokenizer }), /config.lr is NaN, which JSON cannot represent/],
    ['Infinity in training', () => encodeModelFile({ config, params, vocab, tokenizer, training: { best: [1, Infinity] } }), /training.best\[1\] is Infinity/],
    ['class instance', () => encodeModelFile({ config: { map: new Map() }, params, vocab, tokenizer }), /config.map is a Map/],
    ['typed array', () => encodeModelFile({ config: { w: new Float32Array(2) }, params, vocab, tokenizer }), /config.w is a Float32Array/],
    ['bigint', () => encodeModelFile({ config: { n: 1n }, params, vocab, tokenizer }), /config.n is a bigint/],
    ['cycle', () => { const c: Record<string, unknown> = {}; c.self = c; return encodeModelFile({ config: c, params, vocab, tokenizer }); }, /config.self refers back to itself/],
    ['config not an object', () => encodeModelFile({ config: [1] as unknown as object, params, vocab, tokenizer }), /config must be a plain object/],
    ['duplicate token', () => encodeModelFile({ config, params, vocab: ['a', 'a'], tokenizer }), /token "a" twice/],
    ['reserved extra key', () => encodeModelFile({ config, params, vocab, tokenizer, extra: { 'seqwasm.format': '9' } }), /"seqwasm.format" is reserved/],
    ['empty parameter name', () => encodeModelFile({ config, params: { '': { shape: [0], data: [] } }, vocab, tokenizer }), /parameter name is empty/],
  ];
  for (const [name, run, message] of cases) it(name, () => expectModelFileError(run, message));
});
