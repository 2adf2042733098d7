// The models and shapes every side of bench:compare measures (H = hidden width, D = 100).
export const MODELS = {
  rnn: (H, D) => ({ kind: 'rnn', input: D, hidden: H }),
  gru: (H, D) => ({ kind: 'gru', input: D, hidden: H }),
  mlp: (H, D) => ({ kind: 'mlp', input: D, widths: [H, H] }),
  wmlp: (H, D) => ({ kind: 'weighted-mlp', input: D, widths: [H, H] }),
  atten2: (H, D) => ({ kind: 'attention', input: D, hidden: H, radius: 2 }),
  atten5: (H, D) => ({ kind: 'attention', input: D, hidden: H, radius: 5 }),
};

export function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
