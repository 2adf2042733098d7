// Optimizer steps over one flat block of parameters, gradients and state (the ParamTable layout), with
// PyTorch's semantics and the order of operations of its single-tensor (for-loop) implementations.
// Hyperparameters arrive as f64, like Python floats: derived scalars (1 − β, bias corrections, the step
// size) are computed in double and rounded to f32 once, as when a Python scalar meets a float tensor.
// Every operation is element-wise IEEE arithmetic, so the SIMD bodies and scalar tails agree bit for bit
// and both builds give identical results.
// see: https://pytorch.org/docs/stable/generated/torch.optim.Adam.html (and AdamW, SGD)

// @ts-ignore: decorator
@inline const F32: usize = 4;

/**
 * Adam (L2 weight decay folded into the gradient), step = 1, 2, …:
 *   g' = g + wd·p;  m = β1·m + (1−β1)·g';  v = β2·v + (1−β2)·g'²
 *   p = p − (lr/(1−β1^step))·m / (√v/√(1−β2^step) + eps)
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
  weightDecay: f64, step: i32): void {
  const b1 = <f32>beta1, b2 = <f32>beta2, c1 = <f32>(1 - beta1), c2 = <f32>(1 - beta2);
  const wd = <f32>weightDecay, e = <f32>eps;
  const bc2Sqrt = <f32>Math.sqrt(1 - Math.pow(beta2, <f64>step));
  const negStep = <f32>(-lr / (1 - Math.pow(beta1, <f64>step)));
  const b1v = f32x4.splat(b1), b2v = f32x4.splat(b2), c1v = f32x4.splat(c1), c2v = f32x4.splat(c2);
  const wdv = f32x4.splat(wd), ev = f32x4.splat(e), bcv = f32x4.splat(bc2Sqrt), sv = f32x4.splat(negStep);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    const param = v128.load(p + o);
    let grad = v128.load(g + o);
    if (wd != 0) grad = f32x4.add(grad, f32x4.mul(wdv, param));
    const mi = f32x4.add(f32x4.mul(b1v, v128.load(m + o)), f32x4.mul(c1v, grad));
    const vi = f32x4.add(f32x4.mul(b2v, v128.load(v + o)), f32x4.mul(f32x4.mul(c2v, grad), grad));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vi), bcv), ev);
    v128.store(p + o, f32x4.add(param, f32x4.div(f32x4.mul(sv, mi), denom)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    const param = load<f32>(p + o);
    let grad = load<f32>(g + o);
    if (wd != 0) grad = grad + wd * param;
    const mi = b1 * load<f32>(m + o) + c1 * grad;
    const vi = b2 * load<f32>(v + o) + c2 * grad * grad;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    const denom = sqrt<f32>(vi) / bc2Sqrt + e;
    store<f32>(p + o, param + (negStep * mi) / denom);
  }
}

/** AdamW: decoupled weight decay, p = p·(1 − lr·wd) first, then the Adam update with no decay in g. */
export function adamwStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
  weightDecay: f64, step: i32): void {
  if (weightDecay != 0) scale(p, n, <f32>(1 - lr * weightDecay));
  adamStep(p, g, m, v, n, lr, beta1, beta2, eps, 0, step);
}

/**
 * SGD (PyTorch): g' = g + wd·p; with momentum μ ≠ 0: buf = g' on the first step, else
 * μ·buf + (1−dampening)·g'; the update is g' + μ·buf with nesterov, else buf; p = p − lr·update.
 * momentum = 0: plain SGD, buf unused (may be 0). nesterov and first are 0/1.
 */
export function sgdStep(p: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, dampening: f64,
  weightDecay: f64, nesterov: i32, first: i32): void {
  const mu = <f32>momentum, keep = <f32>(1 - dampening), wd = <f32>weightDecay, negLr = <f32>(-lr);
  const muv = f32x4.splat(mu), keepv = f32x4.splat(keep), wdv = f32x4.splat(wd), lrv = f32x4.splat(negLr);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    const param = v128.load(p + o);
    let grad = v128.load(g + o);
    if (wd != 0) grad = f32x4.add(grad, f32x4.mul(wdv, param));
    if (mu != 0) {
      const b = first ? grad : f32x4.add(f32x4.mul(muv, v128.load(buf + o)), f32x4.mul(keepv, grad));
      v128.store(buf + o, b);
      grad = nesterov ? f32x4.add(grad, f32x4.mul(muv, b)) : b;
    }
    v128.store(p + o, f32x4.add(param, f32x4.mul(lrv, grad)));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    const param = load<f32>(p + o);
    let grad = load<f32>(g + o);
    if (wd != 0) grad = grad + wd * param;
    if (mu != 0) {
      const b: f32 = first ? grad : mu * load<f32>(buf + o) + keep * grad;
      store<f32>(buf + o, b);
      grad = nesterov ? grad + mu * b : b;
    }
    store<f32>(p + o, param + negLr * grad);
  }
}

/** Σ x², accumulated in f64: the squared global norm for gradient clipping. */
export function sumSquares(x: usize, n: i32): f64 {
  let s: f64 = 0;
  for (let i = 0; i < n; i++) {
    const v = <f64>load<f32>(x + <usize>i * F32);
    s += v * v;
  }
  return s;
}

/** x = s·x */
export function scale(x: usize, n: i32, s: f32): void {
  const sv = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i * F32;
    v128.store(x + o, f32x4.mul(v128.load(x + o), sv));
  }
  for (; i < n; i++) {
    const o = <usize>i * F32;
    store<f32>(x + o, load<f32>(x + o) * s);
  }
}
