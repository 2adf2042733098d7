// Embedding lookup and its gradient. table (V,D); ids (n) i32; out, dout (n,D).
// A negative id (no token, padding) gives a zero row and receives no gradient.

// @ts-ignore: decorator
@inline const F32: usize = 4;

/** out[i,:] = table[ids[i],:], or zeros when ids[i] < 0 */
export function embeddingForward(out: usize, table: usize, ids: usize, n: i32, D: i32): void {
  const row = <usize>D * F32;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + <usize>i * 4);
    const dst = out + <usize>i * row;
    if (id < 0) memory.fill(dst, 0, row);
    else memory.copy(dst, table + <usize>id * row, row);
  }
}

/** dtable[ids[i],:] += dout[i,:] (scatter-add: a repeated id accumulates every occurrence; ids < 0 skipped) */
export function embeddingBackward(dtable: usize, dout: usize, ids: usize, n: i32, D: i32): void {
  const row = <usize>D * F32;
  for (let i = 0; i < n; i++) {
    const id = load<i32>(ids + <usize>i * 4);
    if (id < 0) continue;
    const dst = dtable + <usize>id * row;
    const src = dout + <usize>i * row;
    let d = 0;
    for (; d + 4 <= D; d += 4) {
      const o = <usize>d * F32;
      v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
    }
    for (; d < D; d++) {
      const o = <usize>d * F32;
      store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
    }
  }
}

/** out[i,:] = unk[:] where ids[i] == UNK (1): a learned vector for unknown words over a frozen table. */
export function unknownForward(out: usize, unk: usize, ids: usize, n: i32, D: i32): void {
  const row = <usize>D * F32;
  for (let i = 0; i < n; i++) if (load<i32>(ids + <usize>i * 4) == 1) memory.copy(out + <usize>i * row, unk, row);
}

/** dunk[:] += Σ_{i: ids[i] == UNK} dout[i,:] */
export function unknownBackward(dunk: usize, dout: usize, ids: usize, n: i32, D: i32): void {
  const row = <usize>D * F32;
  for (let i = 0; i < n; i++) {
    if (load<i32>(ids + <usize>i * 4) != 1) continue;
    const src = dout + <usize>i * row;
    for (let d = 0; d < D; d++) {
      const o = <usize>d * F32;
      store<f32>(dunk + o, load<f32>(dunk + o) + load<f32>(src + o));
    }
  }
}
