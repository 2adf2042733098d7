// What the RNN and GRU sequence kernels share: the packed layout of W_hh and the state rows.
//
// W_hh (G·H, H) with gate blocks [r; z; n] (G = 3) or one block (G = 1) is packed once per optimizer
// step, per block: forward packs multiply by Wᵀ (h·W_blockᵀ), backward packs by W (dg·W_block).
// Blocks: G = 1 → [0, H); G = 3 → [0, 2H) ([r; z] share one GEMM) and [2H, 3H) (n).

import { gemmPackedWorkspace, packedWeightSize, packedWeightTransposedSize, packWeight, packWeightTransposed } from './gemm';

// @ts-ignore: decorator
@inline const F32: usize = 4;

/** Rows of W_hh in the first packed block. */
// @ts-ignore: decorator
@inline export function firstBlockRows(H: i32, G: i32): i32 {
  return G == 1 ? H : 2 * H;
}

/** Byte offset of the second block (G = 3) inside a forward or backward pack. */
// @ts-ignore: decorator
@inline export function secondBlockOffset(H: i32, backward: bool): usize {
  return <usize>(backward ? packedWeightTransposedSize(2 * H, H) : packedWeightSize(2 * H, H)) * F32;
}

/** Floats of the forward (backward = 0) or backward (1) pack of W_hh. */
export function recurrentPackSize(H: i32, G: i32, backward: i32): i32 {
  const rows = firstBlockRows(H, G);
  let size = backward ? packedWeightTransposedSize(rows, H) : packedWeightSize(rows, H);
  if (G == 3) size += backward ? packedWeightTransposedSize(H, H) : packedWeightSize(H, H);
  return size;
}

/** Packs W_hh (G·H, H) into its forward and backward forms. */
export function recurrentPack(forward: usize, backward: usize, whh: usize, H: i32, G: i32): void {
  const rows = firstBlockRows(H, G);
  packWeight(forward, whh, rows, H);
  packWeightTransposed(backward, whh, rows, H);
  if (G == 3) {
    const n = whh + <usize>(2 * H * H) * F32;
    packWeight(forward + secondBlockOffset(H, false), n, H, H);
    packWeightTransposed(backward + secondBlockOffset(H, true), n, H, H);
  }
}

/** Floats of `work` the sequence kernels need. */
export function recurrentWorkspace(H: i32, G: i32): i32 {
  const rows = firstBlockRows(H, G);
  return gemmPackedWorkspace(rows, rows);
}

/** h_0 = 0: zeroes hprev[:, 0, :] (B,T,H). */
// @ts-ignore: decorator
@inline export function zeroFirstState(hprev: usize, B: i32, T: i32, H: i32): void {
  for (let b = 0; b < B; b++) memory.fill(hprev + <usize>(b * T * H) * F32, 0, <usize>H * F32);
}

/** Where h_t goes: the next step's h_{t−1} slot, or hlast (B,H) after the last step. */
// @ts-ignore: decorator
@inline export function nextStateRow(hprev: usize, hlast: usize, b: i32, t: i32, T: i32, H: i32): usize {
  return t + 1 < T ? hprev + <usize>((b * T + t + 1) * H) * F32 : hlast + <usize>(b * H) * F32;
}
