// Kernel runtimes for tests: the baseline build always, the relaxed build where the engine has it.
import { createRuntime, hasRelaxedSimd, type Runtime } from '../../dist/index.js';

export const baseline: Runtime = await createRuntime(undefined, { simd: 'baseline' });
export const relaxed: Runtime | undefined = hasRelaxedSimd() ? await createRuntime(undefined, { simd: 'relaxed' }) : undefined;
