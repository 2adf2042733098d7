// TF.js side of `npm run bench:compare` (the `cpu` or `wasm` backend): the exercise's models written
// with tf.layers (simpleRNN with sigmoid, GRU with reset-before) and tf ops, trained by optimizer.minimize.
// Adapted from ../shared/anchors/perf/tfjs. Usage: node bench/compare/tfjs.cjs <cpu|wasm> [--rounds N]
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');

const T = 100, D = 100, C = 2, B = 32;
const args = process.argv.slice(2);
const opt = (k, d) => (args.includes(k) ? args[args.indexOf(k) + 1] : d);
const backend = args[0] || 'wasm';

function glorot(shape) {
  const lim = Math.sqrt(6 / (shape[0] + shape[1]));
  return tf.variable(tf.randomUniform(shape, -lim, lim));
}
const zeros = (n) => tf.variable(tf.zeros([n]));

function layersModel(cell) {
  const model = tf.sequential({ layers: [cell, tf.layers.dense({ units: C })] });
  model.build([null, T, D]);
  return { vars: model.trainableWeights.map((w) => w.read()), forward: (x, training) => model.apply(x, { training }) };
}
const rnn = (H) => layersModel(tf.layers.simpleRNN({ units: H, activation: 'sigmoid', inputShape: [T, D] }));
const gru = (H) => layersModel(tf.layers.gru({ units: H, activation: 'tanh', recurrentActivation: 'sigmoid', resetAfter: false, inputShape: [T, D] }));

function mlpVars(H, out, inDim = D) {
  return { W1: glorot([inDim, H]), b1: zeros(H), W2: glorot([H, H]), b2: zeros(H), W3: glorot([H, out]), b3: zeros(out) };
}
function mlpBody(x2, p, skipFirst = false) {
  let h = skipFirst ? x2 : tf.fused.matMul({ a: x2, b: p.W1, bias: p.b1, activation: 'relu' });
  h = tf.fused.matMul({ a: h, b: p.W2, bias: p.b2, activation: 'relu' });
  return tf.fused.matMul({ a: h, b: p.W3, bias: p.b3 });
}
function mlp(H) {
  const p = mlpVars(H, C);
  return { vars: Object.values(p), forward: (x) => tf.mean(tf.reshape(mlpBody(tf.reshape(x, [x.shape[0] * T, D]), p), [x.shape[0], T, C]), 1) };
}
function wmlp(H) {
  const p = mlpVars(H, C + 1);
  return {
    vars: Object.values(p),
    forward: (x) => {
      const n = x.shape[0];
      const o = tf.reshape(mlpBody(tf.reshape(x, [n * T, D]), p), [n, T, C + 1]);
      const w = tf.softmax(tf.reshape(tf.slice(o, [0, 0, C], [n, T, 1]), [n, T]));
      return tf.sum(tf.mul(tf.slice(o, [0, 0, 0], [n, T, C]), tf.expandDims(w, 2)), 1);
    },
  };
}
function atten(H, a) {
  const p = { L1: glorot([D, H]), c1: zeros(H), Wq: glorot([H, H]), Wk: glorot([H, H]), Wv: glorot([H, H]), W2: glorot([H, H]), b2: zeros(H), W3: glorot([H, C]), b3: zeros(C) };
  const peData = new Float32Array(T * D);
  for (let t = 0; t < T; t++) for (let i = 0; i < D; i += 2) {
    const div = Math.exp(i * (-Math.log(10000) / D));
    peData[t * D + i] = Math.sin(t * div);
    if (i + 1 < D) peData[t * D + i + 1] = Math.cos(t * div);
  }
  const pe = tf.keep(tf.tensor2d(peData, [T, D]));
  const W = 2 * a + 1;
  return {
    vars: Object.values(p),
    forward: (x) => {
      const n = x.shape[0];
      const h = tf.fused.matMul({ a: tf.reshape(tf.add(x, pe), [n * T, D]), b: p.L1, bias: p.c1, activation: 'relu' });
      const q = tf.reshape(tf.matMul(h, p.Wq), [n, T, H]);
      const kp = tf.pad(tf.reshape(tf.matMul(h, p.Wk), [n, T, H]), [[0, 0], [a, a], [0, 0]]);
      const vp = tf.pad(tf.reshape(tf.matMul(h, p.Wv), [n, T, H]), [[0, 0], [a, a], [0, 0]]);
      const s = [];
      for (let o = 0; o < W; o++) s.push(tf.sum(tf.mul(q, tf.slice(kp, [0, o, 0], [n, T, H])), 2));
      const att = tf.softmax(tf.mul(tf.stack(s, 2), 1 / Math.sqrt(H)));
      let out = null;
      for (let o = 0; o < W; o++) {
        const term = tf.mul(tf.slice(att, [0, 0, o], [n, T, 1]), tf.slice(vp, [0, o, 0], [n, T, H]));
        out = out ? tf.add(out, term) : term;
      }
      return tf.mean(tf.reshape(mlpBody(tf.reshape(out, [n * T, H]), p, true), [n, T, C]), 1);
    },
  };
}
const MODELS = { rnn, gru, mlp, wmlp, atten2: (H) => atten(H, 2), atten5: (H) => atten(H, 5) };

(async () => {
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend ${backend} did not initialise`);
  await tf.ready();
  const rounds = Number(opt('--rounds', backend === 'cpu' ? 3 : 10));
  const names = opt('--models', Object.keys(MODELS).join(',')).split(',');
  const hiddens = opt('--hidden', '64,128').split(',').map(Number);
  const x32 = tf.keep(tf.randomNormal([B, T, D]));
  const x1 = tf.keep(tf.slice(x32, [0, 0, 0], [1, T, D]));
  const y32 = tf.keep(tf.oneHot(tf.tensor1d(Array.from({ length: B }, (_, i) => i % 2), 'int32'), C));
  const cases = [];
  for (const name of names) for (const H of hiddens) cases.push({ name, H, m: MODELS[name](H), opt: tf.train.adam(1e-3), train: [], inf1: [], inf32: [] });
  const step = (c) => c.opt.minimize(() => tf.losses.softmaxCrossEntropy(y32, c.m.forward(x32, true)), false, c.m.vars);
  const infer = (c, x) => { const y = tf.tidy(() => c.m.forward(x, false)); y.dataSync(); y.dispose(); };
  const timed = (fn) => { const t = performance.now(); fn(); return performance.now() - t; };
  for (const c of cases) { step(c); infer(c, x1); infer(c, x32); }
  for (let r = 0; r < rounds; r++) for (const c of cases) {
    c.train.push(timed(() => step(c)));
    c.inf1.push(timed(() => infer(c, x1)));
    c.inf32.push(timed(() => infer(c, x32)));
  }
  const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
  for (const c of cases) {
    console.log(JSON.stringify({ framework: `tfjs-${backend}`, model: c.name, hidden: c.H, trainMs: median(c.train),
      inferB1: 1000 / median(c.inf1), inferB32: (B * 1000) / median(c.inf32), n: rounds, env: { tfjs: tf.version.tfjs } }));
  }
})().catch((e) => { console.error(e); process.exit(1); });
