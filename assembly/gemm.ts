// GEMM: the three products a linear layer needs, on register-blocked SIMD micro-kernels.
//
//   linearForward:        y[M,N]  = x[M,K]·w[N,K]ᵀ + b[N]       (w in PyTorch's (out, in) layout)
//   linearBackwardInput:  dx[M,K] += dy[M,N]·w[N,K]
//   linearBackwardWeight: dw[N,K] += dy[M,N]ᵀ·x[M,K],  db[N] += Σ_m dy[m,:]
//
// All three are C (+)= A·B with B packed into column panels of NR floats (k-major, zero-padded past the
// edge) and A packed per block of MR rows (k-major), so the micro-kernel addresses both with one
// pointer and immediate offsets: per k, NR/4 vector loads of B, MR broadcasts of A, MR·NR/4 madds,
// all accumulators in registers. The inner dimension is cut into blocks of KC so a B block stays in L2.
// The recurrent kernels (rnn.ts, gru.ts) reuse the micro-kernel through gemmPacked on a weight packed
// once per optimizer step.
// see: Goto & van de Geijn, "Anatomy of high-performance matrix multiplication", ACM TOMS 2008

import { microKernel, singleRowKernel, singleRowPanels, tileColumns, tileRows } from './gemmKernel';

// @ts-ignore: decorator
@inline const F32: usize = 4;
const MR: i32 = tileRows();
const NR: i32 = tileColumns();
const PANELS: i32 = singleRowPanels();
/** Inner-dimension block: KC·NR floats of a B panel (16 KiB) stay in L1, KC·N of a B block in L2. */
// @ts-ignore: decorator
@inline const KC: i32 = 512;

// @ts-ignore: decorator
@inline function roundUp(n: i32, to: i32): i32 {
  return (n + to - 1) / to * to;
}

// ---------------------------------------------------------------- packing

/**
 * Packs B (K×N, element (k,n) at b + (k·rowStride + n·colStride)·4) into panels: panel p holds
 * columns [p·NR, p·NR+NR) as K rows of NR floats; columns past N are zero.
 */
function packB(bp: usize, b: usize, rowStride: i32, colStride: i32, K: i32, N: i32): void {
  for (let j = 0; j < N; j += NR) {
    const w = min(NR, N - j);
    let k = 0;
    if (rowStride == 1 && w == NR && NR % 4 == 0) {
      // B = wᵀ of a row-major w (the forward): 4×4 transposes, four k at a time, instead of scalar gathers
      const cs = <usize>colStride * F32;
      for (; k + 4 <= K; k += 4) {
        for (let c = 0; c < NR; c += 4) transpose4(bp + <usize>c * F32, <usize>NR * F32, b + (<usize>k + <usize>(j + c) * colStride) * F32, cs);
        bp += <usize>(4 * NR) * F32;
      }
    }
    for (; k < K; k++) {
      const src = b + (<usize>k * rowStride + <usize>j * colStride) * F32;
      if (colStride == 1 && w == NR) {
        for (let c = 0; c < NR; c += 4) v128.store(bp + <usize>c * F32, v128.load(src + <usize>c * F32));
      } else {
        let c = 0;
        for (; c < w; c++) store<f32>(bp + <usize>c * F32, load<f32>(src + <usize>c * colStride * F32));
        for (; c < NR; c++) store<f32>(bp + <usize>c * F32, 0);
      }
      bp += <usize>NR * F32;
    }
  }
}

/** dst[i·dstStride + q] = src[q·srcStride + i] for a 4×4 block of floats (strides in bytes). */
// @ts-ignore: decorator
@inline function transpose4(dst: usize, dstStride: usize, src: usize, srcStride: usize): void {
  const x0 = v128.load(src), x1 = v128.load(src + srcStride), x2 = v128.load(src + 2 * srcStride), x3 = v128.load(src + 3 * srcStride);
  const t0 = i32x4.shuffle(x0, x1, 0, 4, 1, 5), t1 = i32x4.shuffle(x0, x1, 2, 6, 3, 7);
  const t2 = i32x4.shuffle(x2, x3, 0, 4, 1, 5), t3 = i32x4.shuffle(x2, x3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t2, 0, 1, 4, 5));
  v128.store(dst + dstStride, i32x4.shuffle(t0, t2, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, i32x4.shuffle(t1, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, i32x4.shuffle(t1, t3, 2, 3, 6, 7));
}

/** Four rows of A (row-major, rows rs bytes apart) into the k-major packed block at ap (rows MR floats apart per k). */
// @ts-ignore: decorator
@inline function packRows4(ap: usize, a: usize, rs: usize, K: i32): void {
  let k = 0;
  for (; k + 4 <= K; k += 4) transpose4(ap + <usize>k * MR * F32, <usize>MR * F32, a + <usize>k * F32, rs);
  for (; k < K; k++) {
    for (let r = 0; r < 4; r++) store<f32>(ap + <usize>(k * MR + r) * F32, load<f32>(a + <usize>r * rs + <usize>k * F32));
  }
}

/** Packs an MR-row block of A (element (i,k) at a + (i·rowStride + k·colStride)·4) k-major; rows past mr are zero. */
// @ts-ignore: decorator
@inline function packA(ap: usize, a: usize, rowStride: i32, colStride: i32, mr: i32, K: i32): void {
  if (colStride == 1) {
    let r0 = 0;
    // four rows at a time by 4×4 transposes: packing element by element cost ~10% of a forward
    for (; r0 + 4 <= mr; r0 += 4) packRows4(ap + <usize>r0 * F32, a + <usize>r0 * rowStride * F32, <usize>rowStride * F32, K);
    for (let r = r0; r < mr; r++) {
      let src = a + <usize>r * rowStride * F32;
      let dst = ap + <usize>r * F32;
      for (let k = 0; k < K; k++) {
        store<f32>(dst, load<f32>(src));
        src += F32;
        dst += <usize>MR * F32;
      }
    }
  } else if (mr == MR && rowStride == 1) {
    // A is the transpose of a row-major matrix: its MR rows at one k are MR consecutive floats. Vector
    // copies, not memory.copy: V8 makes that a call into the runtime, as slow as the k-step it feeds.
    let src = a;
    let dst = ap;
    const step = <usize>colStride * F32;
    for (let k = 0; k < K; k++) {
      let r = 0;
      for (; r + 4 <= MR; r += 4) v128.store(dst + <usize>r * F32, v128.load(src + <usize>r * F32));
      for (; r < MR; r++) store<f32>(dst + <usize>r * F32, load<f32>(src + <usize>r * F32));
      src += step;
      dst += <usize>MR * F32;
    }
    return;
  } else {
    for (let r = 0; r < mr; r++) {
      for (let k = 0; k < K; k++) {
        store<f32>(ap + <usize>(k * MR + r) * F32, load<f32>(a + (<usize>r * rowStride + <usize>k * colStride) * F32));
      }
    }
  }
  for (let r = mr; r < MR; r++) for (let k = 0; k < K; k++) store<f32>(ap + <usize>(k * MR + r) * F32, 0);
}

// ---------------------------------------------------------------- driver

/**
 * C[M×N] (+)= A[M×K]·B[K×N]. A and B are given by base address and strides in elements, so each
 * can be a transpose; C is row-major with row stride ldc elements. bias (N floats, or 0) is added
 * when not accumulating. work: gemmWorkspace(K, N) floats.
 */
function gemm(c: usize, ldc: i32, a: usize, aRow: i32, aCol: i32, b: usize, bRow: i32, bCol: i32,
  M: i32, N: i32, K: i32, accumulate: bool, bias: usize, work: usize): void {
  const kcMax = min(K, KC);
  const bpack = work;
  const rest = bpack + <usize>kcMax * roundUp(N, NR) * F32;
  if (K == 0) emptyProduct(c, ldc, M, N, accumulate, bias);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    packB(bpack, b + <usize>k0 * bRow * F32, bRow, bCol, kc, N);
    multiplyBlock(c, ldc, a + <usize>k0 * aCol * F32, aRow, aCol, bpack, <usize>kc * NR * F32, M, N, kc,
      accumulate || k0 > 0, k0 == 0 ? bias : 0, rest);
  }
}

/**
 * C (+)= A·B where B is already packed over all K (packWeight): the k-block [k0, k0+kc) of each panel
 * starts k0·NR floats into it, panels K·NR floats apart. work: packedWorkspace(K, N) floats.
 */
function gemmPrepacked(c: usize, ldc: i32, a: usize, aRow: i32, aCol: i32, packed: usize,
  M: i32, N: i32, K: i32, accumulate: bool, bias: usize, work: usize): void {
  if (K == 0) emptyProduct(c, ldc, M, N, accumulate, bias);
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    multiplyBlock(c, ldc, a + <usize>k0 * aCol * F32, aRow, aCol, packed + <usize>k0 * NR * F32, <usize>K * NR * F32,
      M, N, kc, accumulate || k0 > 0, k0 == 0 ? bias : 0, work);
  }
}

/**
 * One k-block: C (+)= A[:, block]·Bp[block, :], the first block adding the bias. work holds a packed A
 * row block (kc·MR floats) and the zero-padded bias (N rounded up to NR).
 */
function multiplyBlock(c: usize, ldc: i32, a: usize, aRow: i32, aCol: i32, bp: usize, panelStride: usize,
  M: i32, N: i32, kc: i32, accumulate: bool, bias: usize, work: usize): void {
  const apack = work;
  let biasPad: usize = 0;
  if (bias) {
    biasPad = apack + <usize>kc * MR * F32;
    memory.copy(biasPad, bias, <usize>N * F32);
    memory.fill(biasPad + <usize>N * F32, 0, <usize>(roundUp(N, NR) - N) * F32);
  }
  const ldcBytes = <usize>ldc * F32;
  for (let i = 0; i < M; i += MR) {
    const mr = min(MR, M - i);
    packA(apack, a + <usize>i * aRow * F32, aRow, aCol, mr, kc);
    rowBlock(apack, bp, panelStride, kc, c + <usize>i * ldcBytes, ldcBytes, mr, N, accumulate, biasPad);
  }
}

/** C = bias rows (or 0) for an empty inner dimension; nothing to add when accumulating. */
function emptyProduct(c: usize, ldc: i32, M: i32, N: i32, accumulate: bool, bias: usize): void {
  if (accumulate) return;
  for (let i = 0; i < M; i++) {
    const row = c + <usize>i * ldc * F32;
    if (bias) memory.copy(row, bias, <usize>N * F32);
    else memory.fill(row, 0, <usize>N * F32);
  }
}

/** One packed block of mr ≤ MR rows times every panel of B: C[mr×N] (+)= Ap·Bp. */
// @ts-ignore: decorator
@inline function rowBlock(ap: usize, bp: usize, panelStride: usize, K: i32, c: usize, ldc: usize, mr: i32, N: i32,
  accumulate: bool, bias: usize): void {
  let j = 0;
  if (mr == 1) {
    // a single row: several full panels per pass
    for (; j + PANELS * NR <= N; j += PANELS * NR) {
      singleRowKernel(ap, bp, panelStride, K, c + <usize>j * F32, accumulate, bias ? bias + <usize>j * F32 : 0);
      bp += <usize>PANELS * panelStride;
    }
  }
  for (; j < N; j += NR) {
    microKernel(ap, bp, K, c + <usize>j * F32, ldc, mr, min(NR, N - j), accumulate, bias ? bias + <usize>j * F32 : 0);
    bp += panelStride;
  }
}

/** Floats of scratch gemm needs for an inner dimension K and N output columns. */
// @ts-ignore: decorator
@inline function gemmWorkspace(K: i32, N: i32): i32 {
  return min(K, KC) * roundUp(N, NR) + packedWorkspace(K, N);
}

/** Floats of scratch gemmPrepacked needs: a packed A row block and the padded bias. */
// @ts-ignore: decorator
@inline function packedWorkspace(K: i32, N: i32): i32 {
  return min(K, KC) * MR + roundUp(N, NR);
}

// ---------------------------------------------------------------- the linear layer's three forms

/** y[M,N] = x[M,K]·w[N,K]ᵀ + b[N] (b = 0: no bias). Overwrites y. */
export function linearForward(y: usize, x: usize, w: usize, b: usize, M: i32, K: i32, N: i32, work: usize): void {
  // B = wᵀ: element (k, n) is w[n·K + k]
  gemm(y, N, x, K, 1, w, 1, K, M, N, K, false, b, work);
}

/** dx[M,K] += dy[M,N]·w[N,K]. The forward was y = x·wᵀ + b. */
export function linearBackwardInput(dx: usize, dy: usize, w: usize, M: i32, K: i32, N: i32, work: usize): void {
  gemm(dx, K, dy, N, 1, w, K, 1, M, K, N, true, 0, work);
}

/** dw[N,K] += dy[M,N]ᵀ·x[M,K]; db[N] += Σ_m dy[m,:] (db = 0: no bias). The forward was y = x·wᵀ + b. */
export function linearBackwardWeight(dw: usize, db: usize, x: usize, dy: usize, M: i32, K: i32, N: i32, work: usize): void {
  linearBackwardWeightStrided(dw, db, x, K, dy, N, M, K, N, work);
}

/**
 * linearBackwardWeight on row-strided operands: x rows ldx elements apart, dy rows ldy apart (a slice
 * of columns of a wider buffer, e.g. one gate block of (B,T,3H) gate gradients).
 */
export function linearBackwardWeightStrided(dw: usize, db: usize, x: usize, ldx: i32, dy: usize, ldy: i32,
  M: i32, K: i32, N: i32, work: usize): void {
  // A = dyᵀ: element (n, m) is dy[m·ldy + n]; B = x: element (m, k) is x[m·ldx + k]
  gemm(dw, K, dy, 1, ldy, x, ldx, 1, N, K, M, true, 0, work);
  if (db) columnSums(db, dy, ldy, M, N);
}

/** Floats of `work` any of the three forms needs for these dimensions. */
export function linearWorkspace(M: i32, K: i32, N: i32): i32 {
  return max(gemmWorkspace(K, N), max(gemmWorkspace(N, K), gemmWorkspace(M, K)));
}

/** db[N] += Σ_m dy[m·ld + n] */
function columnSums(db: usize, dy: usize, ld: i32, M: i32, N: i32): void {
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    let s = f32x4.splat(0);
    let p = dy + <usize>n * F32;
    for (let m = 0; m < M; m++) {
      s = f32x4.add(s, v128.load(p));
      p += <usize>ld * F32;
    }
    v128.store(db + <usize>n * F32, f32x4.add(v128.load(db + <usize>n * F32), s));
  }
  for (; n < N; n++) {
    let s: f32 = 0;
    for (let m = 0; m < M; m++) s += load<f32>(dy + (<usize>m * ld + n) * F32);
    store<f32>(db + <usize>n * F32, load<f32>(db + <usize>n * F32) + s);
  }
}

// ---------------------------------------------------------------- pre-packed weights (recurrent kernels)

/** Floats of a weight w (N,K) packed by packWeight: B = wᵀ as K rows of panels. */
export function packedWeightSize(N: i32, K: i32): i32 {
  return K * roundUp(N, NR);
}

/** Packs wᵀ (w: N×K) for gemmPacked: y = x·wᵀ. */
export function packWeight(packed: usize, w: usize, N: i32, K: i32): void {
  packB(packed, w, 1, K, K, N);
}

/** Floats of a weight w (N,K) packed by packWeightTransposed: B = w as N rows of panels. */
export function packedWeightTransposedSize(N: i32, K: i32): i32 {
  return N * roundUp(K, NR);
}

/** Packs w itself (N×K) for gemmPacked: y = x·w (the backward of y = x·wᵀ). */
export function packWeightTransposed(packed: usize, w: usize, N: i32, K: i32): void {
  packB(packed, w, K, 1, N, K);
}

/**
 * y[M,N] (+)= x[M,K]·B[K,N] with B pre-packed (packWeight or packWeightTransposed) and row strides
 * ldy, ldx in elements. work: gemmPackedWorkspace(K, N) floats. No bias.
 */
export function gemmPacked(y: usize, ldy: i32, x: usize, ldx: i32, packed: usize, M: i32, K: i32, N: i32,
  accumulate: bool, work: usize): void {
  gemmPrepacked(y, ldy, x, ldx, 1, packed, M, N, K, accumulate, 0, work);
}

/** Floats of scratch gemmPacked needs. */
export function gemmPackedWorkspace(K: i32, N: i32): i32 {
  return packedWorkspace(K, N);
}

/** linearForward with w already packed by packWeight (inference, or a weight used several times per step). */
export function linearForwardPacked(y: usize, x: usize, packed: usize, b: usize, M: i32, K: i32, N: i32, work: usize): void {
  gemmPrepacked(y, N, x, K, 1, packed, M, N, K, false, b, work);
}
