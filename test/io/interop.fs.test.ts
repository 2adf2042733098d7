// Interop with PyTorch through scripts/safetensors_interop.py, a minimal spec-following reader and
// writer (json + struct + torch.frombuffer). The `safetensors` Python package itself is not used.
//
// This is the one conditional test file: it runs only where some python3 can `import torch`
// (SEQWASM_PYTHON, else python3 on PATH, else Debian's /usr/bin/python3). CI machines without torch
// report these tests as skipped, with the reason in their names; .ci/run sets SEQWASM_REQUIRE_TORCH=1.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors, type Dtype } from '../../dist/index.js';

const script = fileURLToPath(new URL('../../scripts/safetensors_interop.py', import.meta.url));

function findTorchPython(): string | undefined {
  const candidates = [process.env.SEQWASM_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c);
  return candidates.find((python) => spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 }).status === 0);
}

const python = findTorchPython();
// .ci/run installs Debian's python3-torch and sets this, so CI can never pass by skipping these tests
if (!python && process.env.SEQWASM_REQUIRE_TORCH === '1') throw new Error('SEQWASM_REQUIRE_TORCH=1 but no python3 here can `import torch`: apt-get install python3-torch');
const dir = mkdtempSync(join(tmpdir(), 'seqwasm-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function runPython(...args: string[]): { ok: boolean; error?: string; metadata?: Record<string, string>; tensors?: Record<string, Described> } {
  const result = spawnSync(python!, [script, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (result.status === null) throw new Error(`python did not finish: ${result.error?.message ?? result.signal}`);
  const last = result.stdout.trim().split('\n').at(-1);
  if (!last) throw new Error(`python printed nothing (exit ${result.status}): ${result.stderr}`);
  return JSON.parse(last);
}

interface Described {
  dtype: Dtype;
  shape: number[];
  /** Each element's exact bits as a signed integer of the element's width, in decimal. */
  bits: string[];
}

/** Each element's bits as signed integers of the element's width, as the script reports them. */
function bitsOf(dtype: Dtype, bytes: Uint8Array): (number | bigint)[] {
  const own = bytes.slice();
  const view = { F32: Int32Array, I32: Int32Array, F64: BigInt64Array, I64: BigInt64Array, U8: Uint8Array }[dtype as 'F32'];
  return Array.from(new view(own.buffer, 0, own.byteLength / view.BYTES_PER_ELEMENT));
}

describe.runIf(python)('PyTorch interop (runs only where a python3 with torch is found; set SEQWASM_PYTHON to choose one)', () => {
  it('a minimal torch reader reads a seqwasm-written file bit for bit', () => {
    const f32 = new Float32Array(new Uint32Array([0x7fc00000, 0x7f800000, 0x80000000, 0x00000001, 0x3f800000, 0xc0490fdb]).buffer);
    const tensors = {
      'mlp.0.weight': { dtype: 'F32' as const, shape: [2, 3], data: f32 },
      'embedding.weight': { dtype: 'F32' as const, shape: [3, 1], data: [0.5, -0.25, 3] },
      token_ids: { dtype: 'I32' as const, shape: [3], data: [-2147483648, 0, 7] },
      steps: { dtype: 'I64' as const, shape: [1], data: [-(2n ** 40n)] },
      mask: { dtype: 'U8' as const, shape: [3], data: [1, 0, 255] },
      pi: { dtype: 'F64' as const, shape: [], data: [Math.PI] },
      empty: { dtype: 'F32' as const, shape: [0, 4], data: [] },
    };
    const metadata = { 'seqwasm.format': '1', note: 'ünïcode ✓ "quoted"\n' };
    const bytes = writeSafetensors(tensors, metadata);
    const file = join(dir, 'from-seqwasm.safetensors');
    writeFileSync(file, bytes);
    const parsed = readSafetensors(bytes);
    const expected = {
      metadata,
      tensors: Object.fromEntries([...parsed.tensors.values()].map((t) => [t.name, { dtype: t.dtype, shape: t.shape, bits: bitsOf(t.dtype, t.bytes) }])),
    };
    // bigints written as plain JSON integers, which Python reads exactly
    const json = JSON.stringify(expected, (_, v) => (typeof v === 'bigint' ? `#big#${v}` : v)).replace(/"#big#(-?\d+)"/g, '$1');
    writeFileSync(join(dir, 'expected.json'), json);
    expect(runPython('read', file, join(dir, 'expected.json'))).toEqual({ ok: true, tensors: 7 });
  });

  it('seqwasm reads a file a minimal torch writer made from a state_dict', () => {
    const file = join(dir, 'from-torch.safetensors');
    const described = runPython('write', file);
    expect(described.ok).toBe(true);
    const model = readSafetensors(new Uint8Array(readFileSync(file)));
    expect({ ...model.metadata }).toEqual(described.metadata);
    expect([...model.tensors.keys()].sort()).toEqual(Object.keys(described.tensors!).sort());
    // the names of a GRU classifier's state_dict, as seqwasm model files use them
    expect([...model.tensors.keys()]).toContain('gru.weight_hh_l0');
    for (const [name, want] of Object.entries(described.tensors!)) {
      const t = model.tensor(name);
      expect(t.dtype, name).toBe(want.dtype);
      expect(t.shape, name).toEqual(want.shape);
      expect(bitsOf(t.dtype, t.bytes).map(String), name).toEqual(want.bits);
    }
    expect(model.f32('special')[0]).toBeNaN();
    expect(Object.is(model.f32('special')[2], -0)).toBe(true);
    expect(model.f32('scale')).toEqual(new Float32Array([0.125]));
    expect(model.tensor('steps').data).toEqual(new BigInt64Array([2n ** 40n + 1n, -3n]));
    expect(model.tensor('pi').data).toEqual(new Float64Array([Math.PI]));
  });
});
