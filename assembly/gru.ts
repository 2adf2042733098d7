// GRU sequence kernels: only the sequential part of the recurrence. The input projection of all T
// steps (gates = x·W_ihᵀ + b, one GEMM) is computed before the forward, and every weight gradient is
// one GEMM over all steps after the backward; here each step does its small recurrent GEMMs
// (h·W_hhᵀ, B rows) on pre-packed weights, and the gate arithmetic.
//
// Shapes: gates (B,T,3H) in gate order [r; z; n]; hprev (B,T,H) holds h_{t−1} of every step;
// hlast (B,H) is h_T; aux (B,T,H) is r∘h_{t−1} (exercise form) or W_hn·h_{t−1} + b_hn (PyTorch form);
// mask (B,T) 1/0. A masked step keeps h: h_t = m·h' + (1−m)·h_{t−1}.
// packed / packedT: W_hh packed by recurrentPack (forward and backward forms); work: recurrentWorkspace.
// see: https://pytorch.org/docs/stable/generated/torch.nn.GRU.html for the PyTorch form

import { gemmPacked } from './gemm';
import { nextStateRow, secondBlockOffset, zeroFirstState } from './recurrent';
import { sigmoid1, sigmoid4, tanh1, tanh4 } from './simd';

// @ts-ignore: decorator
@inline const F32: usize = 4;

// ---------------------------------------------------------------- exercise form
// r = σ(W_ir x + W_hr h + b_r), z = σ(W_iz x + W_hz h + b_z), n = tanh(W_in x + W_hn (r∘h) + b_n),
// h' = (1−z)∘h + z∘n

/** Forward of the exercise's GRU. On entry gates holds x·W_ihᵀ + b; on exit the activated r, z, n. */
export function gruForward(hprev: usize, hlast: usize, gates: usize, aux: usize, packed: usize, mask: usize,
  B: i32, T: i32, H: i32, work: usize): void {
  const G = 3 * H;
  const packedN = packed + secondBlockOffset(H, false);
  zeroFirstState(hprev, B, T, H);
  for (let t = 0; t < T; t++) {
    const gt = gates + <usize>(t * G) * F32; // row b of step t is gt + b·T·G
    const ht = hprev + <usize>(t * H) * F32;
    const at = aux + <usize>(t * H) * F32;
    // [r; z] pre-activations += h_{t−1}·W_hh[0:2H]ᵀ
    gemmPacked(gt, T * G, ht, T * H, packed, B, H, 2 * H, true, work);
    for (let b = 0; b < B; b++) {
      const g = gt + <usize>(b * T * G) * F32;
      const h = ht + <usize>(b * T * H) * F32;
      const rh = at + <usize>(b * T * H) * F32;
      let j = 0;
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j * F32;
        const r = sigmoid4(v128.load(g + o));
        v128.store(g + o, r);
        v128.store(g + o + <usize>H * F32, sigmoid4(v128.load(g + o + <usize>H * F32)));
        v128.store(rh + o, f32x4.mul(r, v128.load(h + o)));
      }
      for (; j < H; j++) {
        const o = <usize>j * F32;
        const r = sigmoid1(load<f32>(g + o));
        store<f32>(g + o, r);
        store<f32>(g + o + <usize>H * F32, sigmoid1(load<f32>(g + o + <usize>H * F32)));
        store<f32>(rh + o, r * load<f32>(h + o));
      }
    }
    // n pre-activation += (r∘h_{t−1})·W_hnᵀ
    gemmPacked(gt + <usize>(2 * H) * F32, T * G, at, T * H, packedN, B, H, H, true, work);
    for (let b = 0; b < B; b++) {
      const g = gt + <usize>(b * T * G) * F32;
      const h = ht + <usize>(b * T * H) * F32;
      const out = nextStateRow(hprev, hlast, b, t, T, H);
      const m = load<f32>(mask + <usize>(b * T + t) * F32);
      const mv = f32x4.splat(m);
      const keep = f32x4.splat(1 - m);
      const zp = g + <usize>H * F32;
      const np = g + <usize>(2 * H) * F32;
      let j = 0;
      for (; j + 4 <= H; j += 4) {
        const o = <usize>j * F32;
        const n = tanh4(v128.load(np + o));
        v128.store(np + o, n);
        const z = v128.load(zp + o);
        const hv = v128.load(h + o);
        // h' = h + z∘(n − h), then the mask
        const hn = f32x4.add(hv, f32x4.mul(z, f32x4.sub(n, hv)));
        v128.store(out + o, f32x4.add(f32x4.mul(mv, hn), f32x4.mul(keep, hv)));
      }
      for (; j < H; j++) {
        const o = <usize>j * F32;
        const n = tanh1(load<f32>(np + o));
        store<f32>(np + o, n);
        const z = load<f32>(zp + o);
        const hv = load<f32>(h + o);
        store<f32>(out + o, m * (hv + z * (n - hv)) + (1 - m) * hv);
      }
    }
  }
}

/**
 * Backward through time of the exercise's GRU. dhlast (B,H) holds dL/dh_T on entry and is used as the
 * running dL/dh (it ends as dL/dh_0). Writes dgates (B,T,3H) = dL/d(pre-activations) [r; z; n];
 * the caller then forms dW_ih, db, dW_hh (from hprev and aux) and dx with GEMMs over all steps.
 */
export function gruBackward(dgates: usize, dhlast: usize, gates: usize, hprev: usize, aux: usize, packedT: usize,
  mask: usize, B: i32, T: i32, H: i32, work: usize): void {
  const G = 3 * H;
  const packedNT = packedT + secondBlockOffset(H, true);
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + <usize>(t * G) * F32;
    const dgt = dgates + <usize>(t * G) * F32;
    const ht = hprev + <usize>(t * H) * F32;
    for (let b = 0; b < B; b++) {
      const g = gt + <usize>(b * T * G) * F32;
      const dg = dgt + <usize>(b * T * G) * F32;
      const h = ht + <usize>(b * T * H) * F32;
      const dh = dhlast + <usize>(b * H) * F32;
      const m = load<f32>(mask + <usize>(b * T + t) * F32);
      for (let j = 0; j < H; j++) {
        const o = <usize>j * F32;
        const z = load<f32>(g + o + <usize>H * F32);
        const n = load<f32>(g + o + <usize>(2 * H) * F32);
        const hv = load<f32>(h + o);
        const dcarry = load<f32>(dh + o);
        const dnew = m * dcarry; // h_t = m·h' + (1−m)·h_{t−1}
        // h' = (1−z)∘h + z∘n
        const dz = dnew * (n - hv);
        const dn = dnew * z;
        store<f32>(dh + o, (1 - m) * dcarry + dnew * (1 - z));
        // n = tanh(a_n), z = σ(a_z)
        store<f32>(dg + o + <usize>(2 * H) * F32, dn * (1 - n * n));
        store<f32>(dg + o + <usize>H * F32, dz * z * (1 - z));
      }
    }
    // a_n = … + W_hn (r∘h): d(r∘h) = da_n·W_hn, written into the r slot, then turned into da_r below
    gemmPacked(dgt, T * G, dgt + <usize>(2 * H) * F32, T * G, packedNT, B, H, H, false, work);
    for (let b = 0; b < B; b++) {
      const g = gt + <usize>(b * T * G) * F32;
      const dg = dgt + <usize>(b * T * G) * F32;
      const h = ht + <usize>(b * T * H) * F32;
      const dh = dhlast + <usize>(b * H) * F32;
      for (let j = 0; j < H; j++) {
        const o = <usize>j * F32;
        const r = load<f32>(g + o);
        const drh = load<f32>(dg + o);
        store<f32>(dh + o, load<f32>(dh + o) + drh * r);
        store<f32>(dg + o, drh * load<f32>(h + o) * r * (1 - r)); // r = σ(a_r)
      }
    }
    // a_r, a_z = … + W_h[r;z] h: dh_{t−1} += [da_r, da_z]·W_hh[0:2H]
    gemmPacked(dhlast, H, dgt, T * G, packedT, B, 2 * H, H, true, work);
  }
}

// ---------------------------------------------------------------- PyTorch nn.GRU form
// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(…), n = tanh(W_in x + b_in + r∘(W_hn h + b_hn)),
// h' = (1−z)∘n + z∘h

/** Forward of nn.GRU's form; aux receives W_hn·h_{t−1} + b_hn for the backward. */
export function gruTorchForward(hprev: usize, hlast: usize, gates: usize, aux: usize, packed: usize, biasHh: usize,
  mask: usize, B: i32, T: i32, H: i32, work: usize): void {
  const G = 3 * H;
  const packedN = packed + secondBlockOffset(H, false);
  zeroFirstState(hprev, B, T, H);
  for (let t = 0; t < T; t++) {
    const gt = gates + <usize>(t * G) * F32;
    const ht = hprev + <usize>(t * H) * F32;
    const at = aux + <usize>(t * H) * F32;
    gemmPacked(gt, T * G, ht, T * H, packed, B, H, 2 * H, true, work);
    gemmPacked(at, T * H, ht, T * H, packedN, B, H, H, false, work);
    for (let b = 0; b < B; b++) {
      const g = gt + <usize>(b * T * G) * F32;
      const h = ht + <usize>(b * T * H) * F32;
      const hn = at + <usize>(b * T * H) * F32;
      const out = nextStateRow(hprev, hlast, b, t, T, H);
      const m = load<f32>(mask + <usize>(b * T + t) * F32);
      for (let j = 0; j < H; j++) {
        const o = <usize>j * F32;
        const r = sigmoid1(load<f32>(g + o) + load<f32>(biasHh + o));
        const z = sigmoid1(load<f32>(g + o + <usize>H * F32) + load<f32>(biasHh + o + <usize>H * F32));
        const hnv = load<f32>(hn + o) + load<f32>(biasHh + o + <usize>(2 * H) * F32);
        const n = tanh1(load<f32>(g + o + <usize>(2 * H) * F32) + r * hnv);
        store<f32>(g + o, r);
        store<f32>(g + o + <usize>H * F32, z);
        store<f32>(g + o + <usize>(2 * H) * F32, n);
        store<f32>(hn + o, hnv);
        const hv = load<f32>(h + o);
        store<f32>(out + o, m * (n + z * (hv - n)) + (1 - m) * hv);
      }
    }
  }
}

/**
 * Backward through time of nn.GRU's form. Writes dgates (B,T,3H) = dL/d(x-side pre-activations) and
 * daux (B,T,H) = dL/d(W_hn h + b_hn); the recurrent [r; z] gradient equals the gates' own.
 */
export function gruTorchBackward(dgates: usize, daux: usize, dhlast: usize, gates: usize, hprev: usize, aux: usize,
  packedT: usize, mask: usize, B: i32, T: i32, H: i32, work: usize): void {
  const G = 3 * H;
  const packedNT = packedT + secondBlockOffset(H, true);
  for (let t = T - 1; t >= 0; t--) {
    const gt = gates + <usize>(t * G) * F32;
    const dgt = dgates + <usize>(t * G) * F32;
    const ht = hprev + <usize>(t * H) * F32;
    const at = aux + <usize>(t * H) * F32;
    const dat = daux + <usize>(t * H) * F32;
    for (let b = 0; b < B; b++) {
      const g = gt + <usize>(b * T * G) * F32;
      const dg = dgt + <usize>(b * T * G) * F32;
      const h = ht + <usize>(b * T * H) * F32;
      const hn = at + <usize>(b * T * H) * F32;
      const dhn = dat + <usize>(b * T * H) * F32;
      const dh = dhlast + <usize>(b * H) * F32;
      const m = load<f32>(mask + <usize>(b * T + t) * F32);
      for (let j = 0; j < H; j++) {
        const o = <usize>j * F32;
        const r = load<f32>(g + o);
        const z = load<f32>(g + o + <usize>H * F32);
        const n = load<f32>(g + o + <usize>(2 * H) * F32);
        const hv = load<f32>(h + o);
        const dcarry = load<f32>(dh + o);
        const dnew = m * dcarry;
        // h' = (1−z)∘n + z∘h
        const dn = dnew * (1 - z);
        const dz = dnew * (hv - n);
        store<f32>(dh + o, (1 - m) * dcarry + dnew * z);
        // n = tanh(a_in + r∘hn)
        const dan = dn * (1 - n * n);
        store<f32>(dg + o + <usize>(2 * H) * F32, dan);
        store<f32>(dhn + o, dan * r);
        store<f32>(dg + o, dan * load<f32>(hn + o) * r * (1 - r));
        store<f32>(dg + o + <usize>H * F32, dz * z * (1 - z));
      }
    }
    // dh_{t−1} += [da_r, da_z]·W_hh[0:2H] + d(hn)·W_hn
    gemmPacked(dhlast, H, dgt, T * G, packedT, B, 2 * H, H, true, work);
    gemmPacked(dhlast, H, dat, T * H, packedNT, B, H, H, true, work);
  }
}
