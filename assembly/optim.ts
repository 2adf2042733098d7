// Optimizer steps over one flat block of parameters, gradients and state (the ParamTable layout), with
// PyTorch's semantics and order of operations, so a few steps match torch.optim to float rounding.
// Hyperparameters arrive as f64, like Python floats: derived scalars (1 − β, bias corrections) are
// computed in double and rounded to f32 once, as torch does when a Python scalar meets a float tensor.
// see: https://pytorch.org/docs/stable/generated/torch.optim.Adam.html (and AdamW, SGD)

// @ts-ignore: decorator
@inline const F32: usize = 4;

/**
 * Adam (L2 weight decay added to the gradient):
 *   g ← g + wd·p;  m ← β1·m + (1−β1)·g;  v ← β2·v + (1−β2)·g²
 *   p ← p − (lr / (1−β1^t)) · m / (√v / √(1−β2^t) + eps)
 */
export function adamStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
  weightDecay: f64, step: i32): void {
  const b1 = <f32>beta1, b2 = <f32>beta2, oneMinusB1 = <f32>(1 - beta1), oneMinusB2 = <f32>(1 - beta2);
  const wd = <f32>weightDecay, epsF = <f32>eps;
  const bc2Sqrt = <f32>Math.sqrt(1 - Math.pow(beta2, <f64>step));
  const stepSize = <f32>(lr / (1 - Math.pow(beta1, <f64>step)));
  for (let i = 0; i < n; i++) {
    const o = <usize>i * F32;
    let grad = load<f32>(g + o);
    const param = load<f32>(p + o);
    if (wd != 0) grad += wd * param;
    const mi = b1 * load<f32>(m + o) + oneMinusB1 * grad;
    const vi = b2 * load<f32>(v + o) + oneMinusB2 * grad * grad;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    store<f32>(p + o, param - stepSize * (mi / (Mathf.sqrt(vi) / bc2Sqrt + epsF)));
  }
}

/** AdamW: decoupled weight decay, p ← p·(1 − lr·wd) before the Adam update (with no decay term in g). */
export function adamwStep(p: usize, g: usize, m: usize, v: usize, n: i32, lr: f64, beta1: f64, beta2: f64, eps: f64,
  weightDecay: f64, step: i32): void {
  if (weightDecay != 0) {
    const keep = <f32>(1 - lr * weightDecay);
    for (let i = 0; i < n; i++) store<f32>(p + <usize>i * F32, load<f32>(p + <usize>i * F32) * keep);
  }
  adamStep(p, g, m, v, n, lr, beta1, beta2, eps, 0, step);
}

/**
 * SGD with momentum (PyTorch): g ← g + wd·p; buf ← g on the first step, else μ·buf + (1−dampening)·g;
 * the update is g + μ·buf with nesterov, else buf; p ← p − lr·update. momentum = 0: plain SGD.
 */
export function sgdStep(p: usize, g: usize, buf: usize, n: i32, lr: f64, momentum: f64, dampening: f64,
  weightDecay: f64, nesterov: i32, first: i32): void {
  const mu = <f32>momentum, keep = <f32>(1 - dampening), wd = <f32>weightDecay, rate = <f32>lr;
  for (let i = 0; i < n; i++) {
    const o = <usize>i * F32;
    const param = load<f32>(p + o);
    let grad = load<f32>(g + o);
    if (wd != 0) grad += wd * param;
    if (mu != 0) {
      const b: f32 = first ? grad : mu * load<f32>(buf + o) + keep * grad;
      store<f32>(buf + o, b);
      grad = nesterov ? grad + mu * b : b;
    }
    store<f32>(p + o, param - rate * grad);
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

/** x ← s·x */
export function scale(x: usize, n: i32, s: f32): void {
  const sv = f32x4.splat(s);
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(x + <usize>i * F32, f32x4.mul(v128.load(x + <usize>i * F32), sv));
  for (; i < n; i++) store<f32>(x + <usize>i * F32, load<f32>(x + <usize>i * F32) * s);
}
