// Float64 reference twin of assembly/gemm.ts: the spec of the three linear-layer products.
// w is (N, K), PyTorch's (out, in) layout.

/** y[M,N] = x[M,K]·w[N,K]ᵀ + b[N] */
export function linearForward(x: ArrayLike<number>, w: ArrayLike<number>, b: ArrayLike<number> | undefined,
  M: number, K: number, N: number): Float64Array {
  const y = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      let s = b ? b[n]! : 0;
      for (let k = 0; k < K; k++) s += x[i * K + k]! * w[n * K + k]!;
      y[i * N + n] = s;
    }
  }
  return y;
}

/** Gradients of L = Σ y∘dy: dx = dy·w, dw = dyᵀ·x, db = Σ_rows dy. */
export function linearBackward(x: ArrayLike<number>, w: ArrayLike<number>, dy: ArrayLike<number>,
  M: number, K: number, N: number): { dx: Float64Array; dw: Float64Array; db: Float64Array } {
  const dx = new Float64Array(M * K);
  const dw = new Float64Array(N * K);
  const db = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    for (let n = 0; n < N; n++) {
      const g = dy[i * N + n]!;
      db[n]! += g;
      for (let k = 0; k < K; k++) {
        dx[i * K + k]! += g * w[n * K + k]!;
        dw[n * K + k]! += g * x[i * K + k]!;
      }
    }
  }
  return { dx, dw, db };
}
