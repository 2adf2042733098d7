// Deno: train a small model and predict.   deno run --allow-read examples/deno/train.ts
import { trainSmallModel } from '../small-model.js';

console.log(JSON.stringify({ runtime: `Deno ${Deno.version.deno}`, ...(await trainSmallModel()) }));
