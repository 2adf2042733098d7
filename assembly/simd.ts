// Vector helpers every kernel family shares: exp, sigmoid and tanh on f32x4 and their scalar twins,
// the multiply-add switch between the two builds, a horizontal sum, and dot/axpy loops.
//
// The scalar twins perform the same IEEE operations in the same order as the vector code, so a SIMD
// body and its scalar tail give bit-identical results for the same input (tested through act.ts).
// exp/sigmoid/tanh use plain mul + add (never the FMA switch): activations are identical in both builds.

// @ts-ignore: decorator
@inline const F32: usize = 4;

// Cephes expf constants. see: Cephes Math Library (Stephen Moshier), https://www.netlib.org/cephes/
// @ts-ignore: decorator
@inline const EXP_HI: f32 = 88.7;
// @ts-ignore: decorator
@inline const EXP_LO: f32 = -87.3;
// @ts-ignore: decorator
@inline const LOG2E: f32 = 1.44269504088896341;
// ln 2 = C1 + C2, C1 with few mantissa bits so n·C1 is exact for |n| ≤ 128
// @ts-ignore: decorator
@inline const LN2_HI: f32 = 0.693359375;
// @ts-ignore: decorator
@inline const LN2_LO: f32 = -2.12194440e-4;
// @ts-ignore: decorator
@inline const P0: f32 = 1.9875691500e-4;
// @ts-ignore: decorator
@inline const P1: f32 = 1.3981999507e-3;
// @ts-ignore: decorator
@inline const P2: f32 = 8.3334519073e-3;
// @ts-ignore: decorator
@inline const P3: f32 = 4.1665795894e-2;
// @ts-ignore: decorator
@inline const P4: f32 = 1.6666665459e-1;
// @ts-ignore: decorator
@inline const P5: f32 = 5.0000001201e-1;

// Cephes tanhf: tanh(x) ≈ x + x·z·P(z), z = x², for |x| < 0.625
// @ts-ignore: decorator
@inline const TANH_SMALL: f32 = 0.625;
// @ts-ignore: decorator
@inline const T0: f32 = -5.70498872745e-3;
// @ts-ignore: decorator
@inline const T1: f32 = 2.06390887954e-2;
// @ts-ignore: decorator
@inline const T2: f32 = -5.37397155531e-2;
// @ts-ignore: decorator
@inline const T3: f32 = 1.33314422036e-1;
// @ts-ignore: decorator
@inline const T4: f32 = -3.33332819422e-1;

/** acc + a·b: fused (relaxed_madd) in the relaxed build, mul + add (bit-identical on every engine) in the baseline. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, acc: v128): v128 {
  return ASC_FEATURE_RELAXED_SIMD ? f32x4.relaxed_madd(a, b, acc) : f32x4.add(acc, f32x4.mul(a, b));
}

/**
 * e^x lane-wise, relative error ≤ ~2e-7. x is clamped to [−87.3, 88.7] (so no input gives NaN,
 * Infinity or a subnormal); x = n·ln2 + r with n = round(x·log2e) and |r| ≤ ln2/2 (ln2 split in two
 * constants so n·ln2 loses nothing); e^r = 1 + r + r²·P(r); 2^n is built from exponent bits in two
 * halves, 2^⌊n/2⌋·2^(n−⌊n/2⌋), because n reaches 128 near the top of the range.
 */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  x = f32x4.max(f32x4.min(x, f32x4.splat(EXP_HI)), f32x4.splat(EXP_LO));
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(P0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(P5));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), f32x4.splat(1));
  const ni = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(ni, 1);
  const s1 = i32x4.shl(i32x4.add(half, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ni, half), i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/** The scalar twin of exp4: the same operations, the same result bits. */
// @ts-ignore: decorator
@inline export function exp1(x: f32): f32 {
  x = max<f32>(min<f32>(x, EXP_HI), EXP_LO);
  const n = nearest<f32>(x * LOG2E);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let p = P0;
  p = p * r + P1;
  p = p * r + P2;
  p = p * r + P3;
  p = p * r + P4;
  p = p * r + P5;
  p = p * r * r + r + 1;
  const ni = <i32>n;
  const half = ni >> 1;
  const s1 = reinterpret<f32>((half + 127) << 23);
  const s2 = reinterpret<f32>((ni - half + 127) << 23);
  return p * s1 * s2;
}

/** 1 / (1 + e^−x): in [0, 1] and never NaN for finite x (exp4 is clamped, so the sum is finite). */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), exp4(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline export function sigmoid1(x: f32): f32 {
  return <f32>1 / (<f32>1 + exp1(-x));
}

/**
 * tanh: an odd polynomial for |x| < 0.625, where 1 − 2/(e^{2x} + 1) would cancel, and
 * sign(x)·(1 − 2/(e^{2|x|} + 1)) elsewhere (±1 exactly for large |x|). see: Cephes tanhf
 */
// @ts-ignore: decorator
@inline export function tanh4(x: v128): v128 {
  const ax = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(T0);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T3));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(T4));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = exp4(f32x4.add(ax, ax));
  const large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  // large ≥ 0 gets the sign bit of x; small already has it, except for −0 (the sum of signed zeros is +0)
  const magnitude = v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(TANH_SMALL)));
  return v128.or(magnitude, v128.and(x, f32x4.splat(-0.0)));
}

// @ts-ignore: decorator
@inline export function tanh1(x: f32): f32 {
  const ax = abs<f32>(x);
  if (ax < TANH_SMALL) {
    const z = x * x;
    let p = T0;
    p = p * z + T1;
    p = p * z + T2;
    p = p * z + T3;
    p = p * z + T4;
    return copysign<f32>(p * z * x + x, x);
  }
  const large = <f32>1 - <f32>2 / (exp1(ax + ax) + 1);
  return copysign<f32>(large, x);
}

/** Sum of the four lanes, as (l0 + l1) + (l2 + l3). */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Σ a[i]·b[i] over n floats: four lanes of partial sums, then the scalar tail. */
// @ts-ignore: decorator
@inline export function dot(a: usize, b: usize, n: i32): f32 {
  let acc = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    acc = madd(v128.load(a + o), v128.load(b + o), acc);
  }
  let s = hsum(acc);
  for (; i < n; i++) {
    const o = <usize>i * F32;
    s += load<f32>(a + o) * load<f32>(b + o);
  }
  return s;
}

/** y[0:n] += a·x[0:n] */
// @ts-ignore: decorator
@inline export function axpy(y: usize, x: usize, a: f32, n: i32): void {
  const av = f32x4.splat(a);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(y + o, madd(av, v128.load(x + o), v128.load(y + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(y + o, load<f32>(y + o) + a * load<f32>(x + o));
  }
}
