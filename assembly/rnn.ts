// Elman RNN sequence kernels: h_t = act(W_ih x_t + W_hh h_{t−1} + b), masked (h_t = h_{t−1} where m = 0).
// As in gru.ts, the input projection of all steps and the weight gradients are GEMMs outside; these
// kernels run the sequential part on a pre-packed W_hh.
//
// Shapes: gates (B,T,H): x·W_ihᵀ + b on entry, act(·) on exit; hprev (B,T,H) = h_{t−1} per step;
// hlast (B,H) = h_T; mask (B,T). act: 1 sigmoid, 2 tanh, 3 ReLU (act.ts codes).

import { activationSlope, activationValue } from './act';
import { gemmPacked } from './gemm';
import { zeroFirstState } from './recurrent';

// @ts-ignore: decorator
@inline const F32: usize = 4;

export function rnnForward(hprev: usize, hlast: usize, gates: usize, packed: usize, mask: usize,
  B: i32, T: i32, H: i32, act: i32, work: usize): void {
  zeroFirstState(hprev, B, T, H);
  for (let t = 0; t < T; t++) {
    const gt = gates + <usize>(t * H) * F32;
    const ht = hprev + <usize>(t * H) * F32;
    gemmPacked(gt, T * H, ht, T * H, packed, B, H, H, true, work); // a_t += h_{t−1}·W_hhᵀ
    for (let b = 0; b < B; b++) {
      const g = gt + <usize>(b * T * H) * F32;
      const h = ht + <usize>(b * T * H) * F32;
      const out = t + 1 < T ? h + <usize>H * F32 : hlast + <usize>(b * H) * F32;
      const m = load<f32>(mask + <usize>(b * T + t) * F32);
      for (let j = 0; j < H; j++) {
        const o = <usize>j * F32;
        const y = activationValue(load<f32>(g + o), act);
        store<f32>(g + o, y);
        store<f32>(out + o, m * y + (1 - m) * load<f32>(h + o));
      }
    }
  }
}

/** Gradients smaller than this are dropped in the recurrence (their products with W_hh stay normal floats). */
const TINY: f32 = 1e-30;

/**
 * dhlast (B,H): dL/dh_T on entry, the running dL/dh (dL/dh_0 at the end). Writes dgates (B,T,H) =
 * dL/da_t; the caller forms dW_ih, db, dW_hh (with hprev) and dx by GEMMs over all steps.
 * packedT is W_hh packed for multiplying by W (not Wᵀ).
 */
export function rnnBackward(dgates: usize, dhlast: usize, gates: usize, packedT: usize, mask: usize,
  B: i32, T: i32, H: i32, act: i32, work: usize): void {
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + <usize>(t * H) * F32;
    const dgt = dgates + <usize>(t * H) * F32;
    for (let b = 0; b < B; b++) {
      const g = gt + <usize>(b * T * H) * F32;
      const dg = dgt + <usize>(b * T * H) * F32;
      const dh = dhlast + <usize>(b * H) * F32;
      const m = load<f32>(mask + <usize>(b * T + t) * F32);
      for (let j = 0; j < H; j++) {
        const o = <usize>j * F32;
        const dcarry = load<f32>(dh + o);
        // h_t = m·act(a_t) + (1−m)·h_{t−1}
        const da = m * dcarry * activationSlope(load<f32>(g + o), act);
        // a sigmoid recurrence shrinks gradients ×≤0.25 per step; below TINY they would soon be subnormal,
        // where x86 arithmetic is ~100× slower (wasm cannot set flush-to-zero): a 10× slower training step
        store<f32>(dg + o, select<f32>(0, da, abs(da) < TINY));
        store<f32>(dh + o, (1 - m) * dcarry);
      }
    }
    gemmPacked(dhlast, H, dgt, T * H, packedT, B, H, H, true, work); // dh_{t−1} += da_t·W_hh
  }
}
