// Element-wise activations and their derivatives. Codes: 0 identity, 1 sigmoid, 2 tanh, 3 ReLU.
// The backward takes the forward's OUTPUT y (what every layer keeps): σ' = y(1−y), tanh' = 1−y²,
// ReLU' = [y > 0]. Shapes: x, y, dx, dy all (n).

import { exp1, exp4, sigmoid1, sigmoid4, tanh1, tanh4 } from './simd';

// @ts-ignore: decorator
@inline const F32: usize = 4;

// @ts-ignore: decorator
@inline function value4(x: v128, act: i32): v128 {
  if (act == 1) return sigmoid4(x);
  if (act == 2) return tanh4(x);
  if (act == 3) return f32x4.max(x, f32x4.splat(0));
  return x;
}

// @ts-ignore: decorator
@inline function slope4(y: v128, act: i32): v128 {
  if (act == 1) return f32x4.mul(y, f32x4.sub(f32x4.splat(1), y));
  if (act == 2) return f32x4.sub(f32x4.splat(1), f32x4.mul(y, y));
  if (act == 3) return v128.and(f32x4.gt(y, f32x4.splat(0)), f32x4.splat(1));
  return f32x4.splat(1);
}

/** act(x) for one value (the scalar twin of the vector path); other kernels use it in element loops. */
// @ts-ignore: decorator
@inline export function activationValue(x: f32, act: i32): f32 {
  if (act == 1) return sigmoid1(x);
  if (act == 2) return tanh1(x);
  if (act == 3) return max<f32>(x, 0);
  return x;
}

/** act'(x) computed from the output y = act(x). */
// @ts-ignore: decorator
@inline export function activationSlope(y: f32, act: i32): f32 {
  if (act == 1) return y * (<f32>1 - y);
  if (act == 2) return <f32>1 - y * y;
  if (act == 3) return y > 0 ? <f32>1 : <f32>0;
  return 1;
}

/** y = act(x); y may be x (in place). */
export function activationForward(y: usize, x: usize, n: i32, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(y + o, value4(v128.load(x + o), act));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(y + o, activationValue(load<f32>(x + o), act));
  }
}

/** dx += dy∘act'(x), with act' taken from the forward's output y = act(x). */
export function activationBackward(dx: usize, dy: usize, y: usize, n: i32, act: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(dx + o, f32x4.add(v128.load(dx + o), f32x4.mul(v128.load(dy + o), slope4(v128.load(y + o), act))));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(dx + o, load<f32>(dx + o) + load<f32>(dy + o) * activationSlope(load<f32>(y + o), act));
  }
}

/** y = e^x element-wise (exp4 on the SIMD body, exp1 on the tail); y may be x. Exposes the helper to tests. */
export function expForward(y: usize, x: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(y + o, exp4(v128.load(x + o)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(y + o, exp1(load<f32>(x + o)));
  }
}
