#!/usr/bin/env python3
"""PyTorch fixtures for seqwasm's five model kinds: test/golden/<name>.json.

Run with a Python that has torch (CI does not need it: the fixtures are committed):

    /usr/bin/python3 scripts/golden.py [--out test/golden] [--check-only]

Each fixture holds a small batch (B=3, T=6, D=5), a config, the parameters under the names and shapes of
src/nn/config.ts `paramSpecs`, and what PyTorch computes in float64 from them: logits, loss, per-token
sub-scores / weights / attention weights, every parameter gradient, dx, and three torch.optim.Adam steps.
Inputs and parameters are drawn in float32 (so a float32 kernel sees exactly the same values) and the
model runs in float64.

`SpecModel` below is the spec written in torch (masked, every option). Before a fixture is written it is
checked against independent implementations:
  - the exercise's classes in ../shared/anchors/perf/torch/models.py (ExRNN, ExGRU, ExMLP,
    ExWeightedMLP, ExRestSelfAtten) with converted weights: on the full batch, and on each review cut to
    its length (which is what masking must mean);
  - torch.nn.GRU itself for gate 'pytorch' (pack_padded_sequence for the masked batch);
  - a dense (T×T, band-masked) formulation of the windowed attention for both `ends`;
  - scripts/torch_models.py (the bench's PyTorch models), when present.
"""
import argparse
import importlib.util
import json
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# the exercise's models live in ../shared beside the repository
EXERCISE = os.environ.get('SEQWASM_EXERCISE_MODELS', os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'shared', 'anchors', 'perf', 'torch', 'models.py'))

B, T, D, H = 3, 6, 5, 4
LENGTHS = [6, 4, 1]
LR = 1e-3
ADAM_STEPS = 3
f64 = torch.float64


# ----------------------------------------------------------------------------------------------------
# parameter names and shapes (a copy of src/nn/config.ts paramSpecs, for configs without an embedding)

def outputs_of(cfg):
    return cfg.get('outputs', 1 if cfg.get('loss') == 'bce' else 2)


def weighted(cfg):
    return cfg['kind'] == 'weighted-mlp' or (cfg['kind'] == 'attention' and cfg.get('pooling', 'mean') == 'weighted')


def param_specs(cfg):
    """[(name, shape, fan_in)] in declaration order."""
    specs = []
    C = outputs_of(cfg)
    rows = C + (1 if weighted(cfg) else 0)

    def linear(name, out, inp, bias=True):
        specs.append((f'{name}.weight', (out, inp), inp))
        if bias:
            specs.append((f'{name}.bias', (out,), inp))

    def stack(prefix, inp, widths):
        for i, w in enumerate(widths):
            linear(f'{prefix}.{i}', w, inp)
            inp = w
        return inp

    Din = cfg['input']
    kind = cfg['kind']
    if kind in ('rnn', 'gru'):
        Hc = cfg['hidden']
        g = 3 if kind == 'gru' else 1
        specs.append((f'{kind}.weight_ih', (g * Hc, Din), Din + Hc))
        specs.append((f'{kind}.weight_hh', (g * Hc, Hc), Din + Hc))
        if kind == 'gru' and cfg.get('gate', 'exercise') == 'pytorch':
            specs.append(('gru.bias_ih', (g * Hc,), Hc))
            specs.append(('gru.bias_hh', (g * Hc,), Hc))
        else:
            specs.append((f'{kind}.bias', (g * Hc,), Din + Hc))
        linear('out', C, stack('head', Hc, cfg.get('head', [])))
    elif kind in ('mlp', 'weighted-mlp'):
        linear('out', rows, stack('mlp', Din, cfg['widths']))
    elif kind == 'attention':
        Hc = cfg['hidden']
        linear('proj', Hc, Din)
        for part in ('query', 'key', 'value'):
            linear(f'attn.{part}', Hc, Hc, bias=False)
        linear('out', rows, stack('mlp', Hc, cfg.get('widths', [Hc])))
    else:
        raise ValueError(kind)
    return specs


# ----------------------------------------------------------------------------------------------------
# the spec, in torch (float64, autograd)

def sinusoidal_pe64(T_, D_):
    """models.py sinusoidal_pe, computed in float64: pe[t, 2i] = sin(t·ω_i), pe[t, 2i+1] = cos(t·ω_i)."""
    pos = torch.arange(T_, dtype=f64).unsqueeze(1)
    div = torch.exp(torch.arange(0, D_, 2, dtype=f64) * (-math.log(10000.0) / D_))
    pe = torch.zeros(T_, D_, dtype=f64)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)[:, : D_ // 2]
    return pe


ACT = {'sigmoid': torch.sigmoid, 'tanh': torch.tanh, 'relu': torch.relu}


def linear(p, name, x, bias=True):
    y = x @ p[f'{name}.weight'].T
    return y + p[f'{name}.bias'] if bias else y


def relu_stack(p, prefix, x, n):
    for i in range(n):
        x = torch.relu(linear(p, f'{prefix}.{i}', x))
    return x


def spec_forward(cfg, p, x, mask):
    """Returns dict(logits, subScores?, tokenWeights?, attention?)."""
    kind = cfg['kind']
    Bx, Tx, _ = x.shape
    out = {}
    if kind in ('rnn', 'gru'):
        Hc = cfg['hidden']
        h = x.new_zeros(Bx, Hc)
        for t in range(Tx):
            m = mask[:, t : t + 1]
            xt = x[:, t]
            if kind == 'rnn':
                act = ACT[cfg.get('activation', 'sigmoid')]
                hn = act(xt @ p['rnn.weight_ih'].T + h @ p['rnn.weight_hh'].T + p['rnn.bias'])
            elif cfg.get('gate', 'exercise') == 'exercise':
                Wi, Wh, b = p['gru.weight_ih'], p['gru.weight_hh'], p['gru.bias']
                gi = xt @ Wi.T + b
                r = torch.sigmoid(gi[:, :Hc] + h @ Wh[:Hc].T)
                z = torch.sigmoid(gi[:, Hc : 2 * Hc] + h @ Wh[Hc : 2 * Hc].T)
                n = torch.tanh(gi[:, 2 * Hc :] + (r * h) @ Wh[2 * Hc :].T)
                hn = (1 - z) * h + z * n
            else:
                gi = xt @ p['gru.weight_ih'].T + p['gru.bias_ih']
                gh = h @ p['gru.weight_hh'].T + p['gru.bias_hh']
                r = torch.sigmoid(gi[:, :Hc] + gh[:, :Hc])
                z = torch.sigmoid(gi[:, Hc : 2 * Hc] + gh[:, Hc : 2 * Hc])
                n = torch.tanh(gi[:, 2 * Hc :] + r * gh[:, 2 * Hc :])
                hn = (1 - z) * n + z * h
            h = m * hn + (1 - m) * h
        f = relu_stack(p, 'head', h, len(cfg.get('head', [])))
        out['logits'] = linear(p, 'out', f)
        return out

    if kind == 'attention':
        Hc, k = cfg['hidden'], cfg['radius']
        W = 2 * k + 1
        u = torch.relu(linear(p, 'proj', x + sinusoidal_pe64(Tx, x.shape[2])))
        q = u @ p['attn.query.weight'].T
        kk = u @ p['attn.key.weight'].T
        v = u @ p['attn.value.weight'].T
        zeros = x.new_zeros(Bx, k, Hc)
        kp = torch.cat([zeros, kk, zeros], 1)  # (B, T+2k, H): slot s of token t is row t+s
        vp = torch.cat([zeros, v, zeros], 1)
        mp = torch.cat([mask.new_zeros(Bx, k), mask, mask.new_zeros(Bx, k)], 1)
        inside = torch.stack([mp[:, s : s + Tx] for s in range(W)], -1) > 0  # (B,T,W)
        scores = torch.stack([(q * kp[:, s : s + Tx]).sum(-1) for s in range(W)], -1) / math.sqrt(Hc)
        if cfg.get('ends', 'zero') == 'zero':
            scores = torch.where(inside, scores, torch.zeros_like(scores))
        else:
            scores = torch.where(inside, scores, torch.full_like(scores, -math.inf))
            # a padding query may see no real token: give it finite scores, its weights are zeroed below
            scores = torch.where(inside.any(-1, keepdim=True), scores, torch.zeros_like(scores))
        att = torch.softmax(scores, -1) * mask.unsqueeze(-1)
        ins = inside.to(f64)
        y = sum(att[..., s : s + 1] * ins[..., s : s + 1] * vp[:, s : s + Tx] for s in range(W))
        out['attention'] = att
        feats = relu_stack(p, 'mlp', y, len(cfg.get('widths', [Hc])))
        pooling = cfg.get('pooling', 'mean')
    else:
        feats = relu_stack(p, 'mlp', x, len(cfg['widths']))
        pooling = 'weighted' if kind == 'weighted-mlp' else 'mean'

    o = linear(p, 'out', feats)
    C = outputs_of(cfg)
    s = o[..., :C]
    out['subScores'] = s
    if pooling == 'mean':
        w = mask / mask.sum(1, keepdim=True)
    else:
        a = torch.where(mask > 0, o[..., C], torch.full_like(mask, -math.inf))
        w = torch.softmax(a, 1)
        out['tokenWeights'] = w
    out['logits'] = (w.unsqueeze(-1) * s).sum(1)
    return out


def loss_of(cfg, logits, targets):
    if cfg.get('loss') == 'bce':
        return F.binary_cross_entropy_with_logits(logits[:, 0], targets)
    return F.cross_entropy(logits, targets)


# ----------------------------------------------------------------------------------------------------
# independent implementations the spec is checked against

def load_exercise():
    spec = importlib.util.spec_from_file_location('exercise_models', EXERCISE)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def load_torch_models():
    """scripts/torch_models.py, when present (it is the bench's torch version of the five kinds)."""
    path = os.path.join(ROOT, 'scripts', 'torch_models.py')
    if not os.path.exists(path):
        return None
    spec = importlib.util.spec_from_file_location('seqwasm_torch_models', path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def head_module(cfg, p, n_head, prefix, last):
    """nn.Sequential of the head Linear+ReLU layers and `out`, loaded from p."""
    layers = []
    for i in range(n_head):
        w = p[f'{prefix}.{i}.weight']
        lin = nn.Linear(w.shape[1], w.shape[0]).double()
        lin.weight.data.copy_(w)
        lin.bias.data.copy_(p[f'{prefix}.{i}.bias'])
        layers += [lin, nn.ReLU()]
    w = p[f'{last}.weight']
    lin = nn.Linear(w.shape[1], w.shape[0]).double()
    lin.weight.data.copy_(w)
    lin.bias.data.copy_(p[f'{last}.bias'])
    layers.append(lin)
    return nn.Sequential(*layers)


def set_linear(lin, w, b=None):
    lin.weight.data.copy_(w)
    if b is not None:
        lin.bias.data.copy_(b)


def exercise_model(ex, cfg, p):
    """The exercise's class (or nn.GRU) holding the same weights, or None where no class matches."""
    kind, Din, C = cfg['kind'], cfg['input'], outputs_of(cfg)
    if kind == 'rnn':
        Hc = cfg['hidden']
        m = ex.ExRNN(Din, C, Hc, act=cfg.get('activation', 'sigmoid')).double()
        set_linear(m.in2hidden, torch.cat([p['rnn.weight_ih'], p['rnn.weight_hh']], 1), p['rnn.bias'])
        m.hidden2out = head_module(cfg, p, len(cfg.get('head', [])), 'head', 'out')
        return m
    if kind == 'gru' and cfg.get('gate', 'exercise') == 'exercise':
        Hc = cfg['hidden']
        m = ex.ExGRU(Din, C, Hc).double()
        Wi, Wh, b = p['gru.weight_ih'], p['gru.weight_hh'], p['gru.bias']
        rows = {'r': slice(0, Hc), 'z': slice(Hc, 2 * Hc), 'n': slice(2 * Hc, 3 * Hc)}
        # ExGRU's Linears read cat(h, x) (W_z, W_r) and cat(r∘h, x) (W)
        for lin, g in ((m.W_r, 'r'), (m.W_z, 'z'), (m.W, 'n')):
            set_linear(lin, torch.cat([Wh[rows[g]], Wi[rows[g]]], 1), b[rows[g]])
        m.hidden2out = head_module(cfg, p, len(cfg.get('head', [])), 'head', 'out')
        return m
    if kind == 'gru':
        Hc = cfg['hidden']
        m = ex.BuiltinGRU(Din, C, Hc).double()
        g = m.gru
        g.weight_ih_l0.data.copy_(p['gru.weight_ih'])
        g.weight_hh_l0.data.copy_(p['gru.weight_hh'])
        g.bias_ih_l0.data.copy_(p['gru.bias_ih'])
        g.bias_hh_l0.data.copy_(p['gru.bias_hh'])
        m.hidden2out = head_module(cfg, p, len(cfg.get('head', [])), 'head', 'out')
        return m
    if kind in ('mlp', 'weighted-mlp'):
        widths = cfg['widths']
        if len(widths) != 2 or widths[0] != widths[1]:
            return None
        cls = ex.ExMLP if kind == 'mlp' else ex.ExWeightedMLP
        m = cls(Din, C, widths[0]).double()
        set_linear(m.layer1, p['mlp.0.weight'], p['mlp.0.bias'])
        set_linear(m.layer2, p['mlp.1.weight'], p['mlp.1.bias'])
        set_linear(m.layer3, p['out.weight'], p['out.bias'])
        return m
    if kind == 'attention':
        Hc = cfg['hidden']
        if cfg.get('ends', 'zero') != 'zero' or cfg.get('pooling', 'mean') != 'mean' or cfg.get('widths', [Hc]) != [Hc]:
            return None
        # models.py's sinusoidal_pe fails for an odd D (D//2 cosine columns, ⌈D/2⌉ frequencies); the spec
        # drops the last cosine. Its buffer is float32, the spec's float64: same formula (checked in main)
        original = ex.sinusoidal_pe
        ex.sinusoidal_pe = lambda T_, D_: sinusoidal_pe64(T_, D_).float()
        try:
            m = ex.ExRestSelfAtten(Din, C, Hc, atten_size=cfg['radius']).double()
        finally:
            ex.sinusoidal_pe = original
        m.pe = sinusoidal_pe64(ex.SEQ_LEN, Din)
        set_linear(m.layer1, p['proj.weight'], p['proj.bias'])
        set_linear(m.W_q, p['attn.query.weight'])
        set_linear(m.W_k, p['attn.key.weight'])
        set_linear(m.W_v, p['attn.value.weight'])
        set_linear(m.layer2, p['mlp.0.weight'], p['mlp.0.bias'])
        set_linear(m.layer3, p['out.weight'], p['out.bias'])
        return m
    raise ValueError(kind)


def dense_attention(cfg, p, x, mask):
    """Windowed attention written as dense (T×T) band-masked scores: the spec's `attention` output."""
    Hc, k = cfg['hidden'], cfg['radius']
    Tx = x.shape[1]
    u = torch.relu(linear(p, 'proj', x + sinusoidal_pe64(Tx, x.shape[2])))
    q, kk = u @ p['attn.query.weight'].T, u @ p['attn.key.weight'].T
    s = q @ kk.transpose(1, 2) / math.sqrt(Hc)  # (B,T,T)
    i = torch.arange(Tx).unsqueeze(1)
    j = torch.arange(Tx).unsqueeze(0)
    inside = ((j - i).abs() <= k).unsqueeze(0) & (mask.unsqueeze(1) > 0)  # (B,T,T)
    e = torch.where(inside, torch.exp(s), torch.zeros_like(s))
    denom = e.sum(-1, keepdim=True)
    if cfg.get('ends', 'zero') == 'zero':
        denom = denom + (2 * k + 1 - inside.sum(-1, keepdim=True))  # each outside slot adds exp(0)
    P = e / denom * mask.unsqueeze(-1)
    # back to slots: att[b, t, s] = P[b, t, t-k+s] inside; an outside slot of 'zero' weighs exp(0)/denom
    zero = cfg.get('ends', 'zero') == 'zero'
    att = torch.zeros(x.shape[0], Tx, 2 * k + 1, dtype=f64)
    for t in range(Tx):
        for s_ in range(2 * k + 1):
            jj = t - k + s_
            real = mask[:, jj] > 0 if 0 <= jj < Tx else torch.zeros(x.shape[0], dtype=torch.bool)
            outside = (1 / denom[:, t, 0] if zero else torch.zeros(x.shape[0], dtype=f64)) * mask[:, t]
            att[:, t, s_] = torch.where(real, P[:, t, jj] if 0 <= jj < Tx else outside, outside)
    return att, P


def dense_attention_logits(cfg, p, x, mask, P):
    """The whole attention model from the dense weights P, each review cut to its length for the pooling."""
    Hc, C = cfg['hidden'], outputs_of(cfg)
    u = torch.relu(linear(p, 'proj', x + sinusoidal_pe64(x.shape[1], x.shape[2])))
    y = P @ (u @ p['attn.value.weight'].T)
    o = linear(p, 'out', relu_stack(p, 'mlp', y, len(cfg.get('widths', [Hc]))))
    rows = []
    for b, n in enumerate(mask.sum(1).long().tolist()):
        ob = o[b, :n]
        if cfg.get('pooling', 'mean') == 'mean':
            rows.append(ob[:, :C].mean(0))
        else:
            rows.append((torch.softmax(ob[:, C], 0).unsqueeze(1) * ob[:, :C]).sum(0))
    return torch.stack(rows)


def check_against_independent(ex, cfg, p, x, mask, out, targets):
    """Raises if the spec disagrees with an independent implementation; returns what was checked."""
    checked = []

    def close(what, a, e, tol=1e-12):
        err = (a - e).abs().max().item()
        if not err <= tol * (1 + e.abs().max().item()):
            raise AssertionError(f'{what}: spec and independent implementation differ by {err}')
        checked.append(what)

    m = exercise_model(ex, cfg, p)
    if m is not None:
        lengths = mask.sum(1).long().tolist()
        if cfg['kind'] == 'gru' and cfg.get('gate') == 'pytorch':
            packed = nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
            _, h = m.gru(packed)
            close('nn.GRU (packed)', m.hidden2out(h[-1]), out['logits'])
        if all(n == x.shape[1] for n in lengths):
            close(f'{type(m).__name__} (full batch)', m(x), out['logits'])
        for b, n in enumerate(lengths):
            close(f'{type(m).__name__} (review {b} cut to {n})', m(x[b : b + 1, :n]), out['logits'][b : b + 1])
    tm = load_torch_models()
    if tm is not None:
        # scripts/torch_models.py (the bench's PyTorch models) must compute the same
        model = tm.build(cfg).double()
        named = tm.state(model)
        for k, v in p.items():
            named[k].data.copy_(v)
        logits, extra = model(x, mask)
        if cfg['kind'] == 'attention' and cfg.get('ends') == 'exclude' and logits.isnan().any():
            # known: torch_models.py softmaxes an all −inf window row (a padding query with no real
            # token around it) to NaN, and NaN·0 reaches the pooled logits
            print(f'  warning: scripts/torch_models.py gives NaN logits for {cfg}', file=sys.stderr)
        else:
            close('scripts/torch_models.py logits', logits, out['logits'])
            for key, value in extra.items():
                close(f'scripts/torch_models.py {key}', value, out[key])
    if cfg['kind'] == 'attention':
        att, P = dense_attention(cfg, p, x, mask)
        close('dense band-masked attention weights', att, out['attention'])
        close('dense band-masked attention logits', dense_attention_logits(cfg, p, x, mask, P), out['logits'])
    return checked


# ----------------------------------------------------------------------------------------------------
# fixtures

def fixture_configs():
    """name → config; every config is written with a full mask and with lengths [6, 4, 1]."""
    return {
        'rnn-sigmoid': {'kind': 'rnn', 'input': D, 'hidden': H, 'activation': 'sigmoid', 'head': [], 'outputs': 2, 'loss': 'cross-entropy'},
        'rnn-tanh': {'kind': 'rnn', 'input': D, 'hidden': H, 'activation': 'tanh', 'head': [3], 'outputs': 2, 'loss': 'cross-entropy'},
        'rnn-relu': {'kind': 'rnn', 'input': D, 'hidden': H, 'activation': 'relu', 'head': [3], 'outputs': 3, 'loss': 'cross-entropy'},
        'gru-exercise': {'kind': 'gru', 'input': D, 'hidden': H, 'gate': 'exercise', 'head': [], 'outputs': 2, 'loss': 'cross-entropy'},
        'gru-pytorch': {'kind': 'gru', 'input': D, 'hidden': H, 'gate': 'pytorch', 'head': [3], 'outputs': 2, 'loss': 'cross-entropy'},
        'mlp': {'kind': 'mlp', 'input': D, 'widths': [H, H], 'outputs': 2, 'loss': 'cross-entropy'},
        'weighted-mlp': {'kind': 'weighted-mlp', 'input': D, 'widths': [H, H], 'outputs': 2, 'loss': 'cross-entropy'},
        'attention-zero-mean': {'kind': 'attention', 'input': D, 'hidden': H, 'radius': 2, 'ends': 'zero', 'pooling': 'mean', 'widths': [H], 'outputs': 2, 'loss': 'cross-entropy'},
        'attention-zero-weighted': {'kind': 'attention', 'input': D, 'hidden': H, 'radius': 1, 'ends': 'zero', 'pooling': 'weighted', 'widths': [3], 'outputs': 3, 'loss': 'cross-entropy'},
        'attention-exclude-mean': {'kind': 'attention', 'input': D, 'hidden': H, 'radius': 2, 'ends': 'exclude', 'pooling': 'mean', 'widths': [3], 'outputs': 2, 'loss': 'cross-entropy'},
        'attention-exclude-weighted': {'kind': 'attention', 'input': D, 'hidden': H, 'radius': 1, 'ends': 'exclude', 'pooling': 'weighted', 'widths': [H], 'outputs': 2, 'loss': 'cross-entropy'},
        'gru-exercise-bce': {'kind': 'gru', 'input': D, 'hidden': H, 'gate': 'exercise', 'head': [3], 'outputs': 1, 'loss': 'bce'},
        'weighted-mlp-bce': {'kind': 'weighted-mlp', 'input': D, 'widths': [3, 3], 'outputs': 1, 'loss': 'bce'},
    }


def uniform32(g, shape, bound):
    """U(−bound, bound) drawn in float32 (so the value is exactly representable), returned as float64."""
    return ((torch.rand(shape, generator=g, dtype=torch.float32) * 2 - 1) * bound).to(torch.float32).to(f64)


def make_fixture(ex, name, cfg, seed, lengths):
    g = torch.Generator().manual_seed(seed)
    params = {}
    for pname, shape, fan_in in param_specs(cfg):
        params[pname] = uniform32(g, shape, 1.5 / math.sqrt(fan_in))
    # padding positions hold garbage too: a model must ignore them
    x = uniform32(g, (B, T, D), 1.0)
    mask = torch.zeros(B, T, dtype=f64)
    for b, n in enumerate(lengths):
        mask[b, :n] = 1
    if cfg.get('loss') == 'bce':
        targets = (torch.randint(0, 5, (B,), generator=g) / 4).to(f64)  # soft targets in {0, .25, …, 1}
    else:
        targets = torch.randint(0, outputs_of(cfg), (B,), generator=g)

    p = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    xg = x.clone().requires_grad_(True)
    out = spec_forward(cfg, p, xg, mask)
    loss = loss_of(cfg, out['logits'], targets)
    loss.backward()
    with torch.no_grad():
        checked = check_against_independent(ex, cfg, {k: v.detach() for k, v in p.items()}, x, mask,
                                            {k: v.detach() for k, v in out.items()}, targets)

    # three Adam steps on the same batch, from the same parameters
    q = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    opt = torch.optim.Adam(list(q.values()), lr=LR)
    losses = []
    for _ in range(ADAM_STEPS):
        opt.zero_grad()
        l = loss_of(cfg, spec_forward(cfg, q, x, mask)['logits'], targets)
        l.backward()
        opt.step()
        losses.append(l.item())

    flat = lambda t: [float(v) for v in t.detach().reshape(-1).tolist()]
    outputs = {'logits': flat(out['logits']), 'loss': loss.item()}
    for key in ('subScores', 'tokenWeights', 'attention'):
        if key in out:
            outputs[key] = flat(out[key])
    fixture = {
        'name': name,
        'config': cfg,
        'seed': seed,
        'B': B,
        'T': T,
        'x': flat(x),
        'mask': flat(mask),
        'targets': flat(targets) if cfg.get('loss') == 'bce' else [int(t) for t in targets.tolist()],
        'params': {k: {'shape': list(v.shape), 'data': flat(v)} for k, v in params.items()},
        'outputs': outputs,
        'grads': {k: flat(v.grad) for k, v in p.items()},
        'dx': flat(xg.grad),
        'adam': {'lr': LR, 'losses': losses, 'params': {k: flat(v) for k, v in q.items()}},
    }
    return fixture, checked


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--out', default=os.path.join(ROOT, 'test', 'golden'))
    ap.add_argument('--check-only', action='store_true', help='check the spec, write nothing')
    args = ap.parse_args()
    torch.set_default_dtype(f64)
    ex = load_exercise()
    for d in (4, 6, 100):  # the float64 positions are the exercise's formula (float32 sin/cos of up to 99 rad)
        err = (ex.sinusoidal_pe(ex.SEQ_LEN, d).to(f64) - sinusoidal_pe64(ex.SEQ_LEN, d)).abs().max().item()
        assert err < 2e-5, f'sinusoidal_pe64 differs from models.py sinusoidal_pe by {err} (D={d})'
    os.makedirs(args.out, exist_ok=True)
    seed = 1000
    for base, cfg in fixture_configs().items():
        for suffix, lengths in (('full', [T] * B), ('lengths', LENGTHS)):
            name = f'{base}-{suffix}'
            seed += 1
            fixture, checked = make_fixture(ex, name, cfg, seed, lengths)
            text = json.dumps(fixture, separators=(',', ':')) + '\n'
            if len(text) >= 50_000:
                raise AssertionError(f'{name}: {len(text)} bytes, keep fixtures under 50 KB')
            if not args.check_only:
                with open(os.path.join(args.out, f'{name}.json'), 'w') as f:
                    f.write(text)
            print(f'{name:36s} {len(text):6d} B  checked: {"; ".join(checked) or "-"}')


if __name__ == '__main__':
    sys.exit(main())
