// Bun: train a small model and predict.   bun examples/bun/train.ts
import { trainSmallModel } from '../small-model.js';

console.log(JSON.stringify({ runtime: `Bun ${Bun.version}`, ...(await trainSmallModel()) }));
