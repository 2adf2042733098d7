// The kernel module's ABI: every export takes byte addresses (usize) into this module's memory and
// element counts (i32), never allocates, and keeps no state. One file per op family; this file only
// re-exports them.

// the scalar helpers only: v128 values cannot cross the JavaScript boundary
export { exp1, sigmoid1, tanh1, dot, axpy } from './simd';
export * from './gemm';
export * from './act';
export * from './softmax';
export * from './loss';
export * from './pool';
export * from './embed';
export * from './optim';
export * from './recurrent';
export * from './rnn';
export * from './gru';
export * from './attention';

/** First byte past the module's static data: where TypeScript's arena starts. */
export function heapBase(): usize {
  return __heap_base;
}

/** 1 in the relaxed-SIMD build, 0 in the baseline build: the runtime reports what it really loaded. */
export function relaxedSimd(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0;
}
