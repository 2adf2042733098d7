// Losses on logits, with the softmax or sigmoid fused in for stability.
//   cross-entropy: logits (B,C), targets (B) i32 class ids in [0, C), probs (B,C), losses (B)
//   binary cross-entropy with logits: logits (n), targets (n) f32 in [0, 1], losses (n)
// Forwards write per-row losses and return the mean; backwards accumulate scale·∂loss_i/∂logits
// (scale = 1/B for the mean).

import { exp1, sigmoid1 } from './simd';

// @ts-ignore: decorator
@inline const F32: usize = 4;

/** loss_b = log Σ_c e^{x_bc − max} + max − x_b,target; probs = softmax(x). Finite for any finite logits. */
export function crossEntropyForward(losses: usize, probs: usize, logits: usize, targets: usize, B: i32, C: i32): f32 {
  const row = <usize>C * F32;
  let total: f64 = 0;
  for (let b = 0; b < B; b++) {
    const x = logits + <usize>b * row;
    const p = probs + <usize>b * row;
    let m: f32 = -Infinity;
    for (let c = 0; c < C; c++) m = max<f32>(m, load<f32>(x + <usize>c * F32));
    let sum: f32 = 0;
    for (let c = 0; c < C; c++) {
      const e = exp1(load<f32>(x + <usize>c * F32) - m);
      store<f32>(p + <usize>c * F32, e);
      sum += e;
    }
    const inv: f32 = <f32>1 / sum;
    for (let c = 0; c < C; c++) store<f32>(p + <usize>c * F32, load<f32>(p + <usize>c * F32) * inv);
    const target = load<i32>(targets + <usize>b * 4);
    const loss: f32 = Mathf.log(sum) + (m - load<f32>(x + <usize>target * F32));
    store<f32>(losses + <usize>b * F32, loss);
    total += <f64>loss;
  }
  return <f32>(total / <f64>B);
}

/** dlogits += scale·(probs − onehot(target)): the fused softmax + cross-entropy gradient. */
export function crossEntropyBackward(dlogits: usize, probs: usize, targets: usize, B: i32, C: i32, scale: f32): void {
  for (let b = 0; b < B; b++) {
    const target = load<i32>(targets + <usize>b * 4);
    for (let c = 0; c < C; c++) {
      const o = <usize>(b * C + c) * F32;
      const g: f32 = load<f32>(probs + o) - (c == target ? <f32>1 : <f32>0);
      store<f32>(dlogits + o, load<f32>(dlogits + o) + scale * g);
    }
  }
}

/** loss_i = max(x, 0) − x·y + log1p(e^{−|x|}): never overflows, whatever the logit. */
export function bceForward(losses: usize, logits: usize, targets: usize, n: i32): f32 {
  let total: f64 = 0;
  for (let i = 0; i < n; i++) {
    const o = <usize>i * F32;
    const x = load<f32>(logits + o);
    const y = load<f32>(targets + o);
    const loss: f32 = max<f32>(x, 0) - x * y + Mathf.log1p(exp1(-abs<f32>(x)));
    store<f32>(losses + o, loss);
    total += <f64>loss;
  }
  return <f32>(total / <f64>n);
}

/** dlogits += scale·(σ(x) − y) */
export function bceBackward(dlogits: usize, logits: usize, targets: usize, n: i32, scale: f32): void {
  for (let i = 0; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(dlogits + o, load<f32>(dlogits + o) + scale * (sigmoid1(load<f32>(logits + o)) - load<f32>(targets + o)));
  }
}
