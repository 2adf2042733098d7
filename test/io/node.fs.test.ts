// The ./node helpers: atomic save, load with errors that name the path.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeModelFile, ModelFileError } from '../../dist/index.js';
import { loadModelFile, saveModelFile } from '../../dist/node.js';

const dir = mkdtempSync(join(tmpdir(), 'seqwasm-modelfile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const model = (bias: number) =>
  encodeModelFile({ config: { kind: 'mlp' }, params: { b: { shape: [2], data: [bias, -bias] } }, vocab: ['a', 'b'], tokenizer: {} });

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ModelFileError);
  return error as Error;
}

describe('saveModelFile / loadModelFile', () => {
  it('round-trips, overwrites atomically, and leaves no temporary file', async () => {
    const path = join(dir, 'model.safetensors');
    await saveModelFile(path, model(1));
    await saveModelFile(path, model(2));
    expect(new Uint8Array(readFileSync(path))).toEqual(model(2));
    const loaded = await loadModelFile(path);
    expect(loaded.params.get('b')!.data).toEqual(new Float32Array([2, -2]));
    expect(readdirSync(dir)).toEqual(['model.safetensors']);
  });

  it('refuses to save bytes that are not a safetensors file, keeping the old file', async () => {
    const path = join(dir, 'keep.safetensors');
    await saveModelFile(path, model(3));
    await expect(saveModelFile(path, new Uint8Array([1, 2, 3]))).rejects.toThrow(/file is 3 bytes, too short/);
    expect(new Uint8Array(readFileSync(path))).toEqual(model(3));
  });

  it('reports a directory that does not exist, and cleans up', async () => {
    const error = await rejection(saveModelFile(join(dir, 'no', 'such', 'dir', 'm.safetensors'), model(1)));
    expect(error.message).toMatch(/cannot save model file .*m\.safetensors: ENOENT/);
  });

  it('load errors name the path', async () => {
    const missing = await rejection(loadModelFile(join(dir, 'missing.safetensors')));
    expect(missing.message).toMatch(/cannot read model file .*missing\.safetensors/);
    expect(missing.message).toMatch(/hint: check the path/);
    const broken = join(dir, 'broken.safetensors');
    const bytes = model(1);
    writeFileSync(broken, bytes.subarray(0, bytes.length - 1));
    const truncated = await rejection(loadModelFile(broken));
    expect(truncated.message).toMatch(/broken\.safetensors: safetensors: tensor "b": data_offsets \[0, 8\] run past the end/);
    expect(truncated.message).toMatch(/hint: the file is truncated$/);
  });
});
