// Adam as torch.optim.Adam computes it (single-tensor path, no weight decay, no amsgrad), operation for
// operation: see torch/optim/adam.py _single_tensor_adam.

import type { ParamSet } from './config.js';

export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-8. */
  eps?: number;
}

export interface AdamState {
  /** Steps taken so far. */
  step: number;
  /** First and second moments, shaped like the parameters. */
  m: ParamSet;
  v: ParamSet;
}

export function adamInit(params: Readonly<ParamSet>): AdamState {
  const zeros = () => Object.fromEntries(Object.entries(params).map(([name, p]) => [name, new Float64Array(p.length)]));
  return { step: 0, m: zeros(), v: zeros() };
}

/** One step: new parameters and state (the inputs are not modified). */
export function adamReference(params: Readonly<ParamSet>, grads: Readonly<ParamSet>, state: AdamState,
  options: AdamOptions = {}): { params: ParamSet; state: AdamState } {
  const { lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8 } = options;
  const step = state.step + 1;
  const biasCorrection1 = 1 - beta1 ** step;
  const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step);
  const stepSize = lr / biasCorrection1;
  const next: AdamState = { step, m: {}, v: {} };
  const out: ParamSet = {};
  for (const [name, p] of Object.entries(params)) {
    const g = grads[name];
    if (!g || g.length !== p.length) throw new Error(`adamReference: gradient of ${name} is missing or has the wrong length`);
    const m = (next.m[name] = Float64Array.from(state.m[name]));
    const v = (next.v[name] = Float64Array.from(state.v[name]));
    const q = (out[name] = Float64Array.from(p));
    for (let i = 0; i < q.length; i++) {
      m[i] = m[i] * beta1 + (1 - beta1) * g[i]; // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
      v[i] = v[i] * beta2 + (1 - beta2) * g[i] * g[i]; // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
      const denom = Math.sqrt(v[i]) / biasCorrection2Sqrt + eps;
      q[i] += -stepSize * (m[i] / denom); // param.addcdiv_(exp_avg, denom, value=-step_size)
    }
  }
  return { params: out, state: next };
}
