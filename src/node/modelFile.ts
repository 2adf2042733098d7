/// <reference types="node" />
// Saving and loading model files on a file system (Node, Deno and Bun through node: modules).
//
// Saving is atomic: the bytes go to `<path>.tmp-<random>` in the same directory, are fsynced, and the
// temporary file is renamed over `path`, so a crash leaves either the old file or the new one, never
// a torn mix. The directory is then fsynced so the rename itself survives a power loss (best effort:
// some platforms, e.g. Windows, cannot open a directory for syncing).

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ModelFileError } from '../errors.js';
import { readSafetensorsHeader } from '../io/header.js';
import { decodeModelFile, type DecodeOptions, type ModelFile } from '../io/modelFile.js';

/** Writes model file bytes (from `encodeModelFile`) to `path` atomically. Refuses bytes that are not a valid safetensors file. */
export async function saveModelFile(path: string, bytes: Uint8Array): Promise<void> {
  readSafetensorsHeader(bytes); // never replace a good file with a broken one
  const tmp = `${path}.tmp-${randomBytes(6).toString('hex')}`;
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(tmp, 'wx', 0o644);
    await handle.writeFile(bytes);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (cause) {
    await handle?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw new ModelFileError(`cannot save model file ${path}: ${(cause as Error).message}`, undefined, { cause });
  }
  await syncDirectory(dirname(path));
}

async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // not supported here (EISDIR/EPERM on Windows): the rename is still atomic, only not yet durable
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Reads and decodes a model file; errors name the path. */
export async function loadModelFile<C extends object = object>(path: string, options: DecodeOptions<C> = {}): Promise<ModelFile<C>> {
  let bytes: Uint8Array;
  try {
    const buffer = await readFile(path);
    bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    throw new ModelFileError(`cannot read model file ${path}: ${(cause as Error).message}`, code === 'ENOENT' ? 'check the path' : undefined, { cause });
  }
  try {
    return decodeModelFile(bytes, options);
  } catch (cause) {
    if (!(cause instanceof ModelFileError)) throw cause;
    const message = cause.hint ? cause.message.slice(0, -`\n  hint: ${cause.hint}`.length) : cause.message;
    throw new ModelFileError(`${path}: ${message}`, cause.hint, { cause });
  }
}
