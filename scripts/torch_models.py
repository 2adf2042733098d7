"""seqwasm's five model kinds in PyTorch, parameter for parameter (names and layouts as in
src/nn/config.ts paramSpecs), with the same masking rules. With a full mask they are the exercise's
models: ExRNN / ExGRU / ExMLP / ExWeightedMLP / ExRestSelfAtten.

Used by scripts/golden.py (fixtures) and bench/compare/torch_bench.py (speed). Inputs are batch-first:
x (B, T, D), mask (B, T) of 1.0 for real tokens and 0.0 for padding.
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def head_stack(inp, widths, prefix):
    layers = nn.ModuleDict()
    for i, w in enumerate(widths):
        layers[str(i)] = nn.Linear(inp, w)
        inp = w
    return layers, inp


class Recurrent(nn.Module):
    """rnn: h_t = m·act(W_ih x_t + W_hh h + b) + (1−m)·h. gru 'exercise': reset before the matmul; 'pytorch': nn.GRU's form."""

    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        D, H = cfg["input"], cfg["hidden"]
        G = 3 if cfg["kind"] == "gru" else 1
        self.kind = cfg["kind"]
        self.gate = cfg.get("gate", "exercise")
        cell = nn.Module()
        cell.weight_ih = nn.Parameter(torch.empty(G * H, D))
        cell.weight_hh = nn.Parameter(torch.empty(G * H, H))
        if self.kind == "gru" and self.gate == "pytorch":
            cell.bias_ih = nn.Parameter(torch.empty(G * H))
            cell.bias_hh = nn.Parameter(torch.empty(G * H))
        else:
            cell.bias = nn.Parameter(torch.empty(G * H))
        setattr(self, self.kind, cell)
        self.head, last = head_stack(H, cfg.get("head", []), "head")
        self.out = nn.Linear(last, cfg.get("outputs", 2))
        for p in cell.parameters():
            nn.init.uniform_(p, -1 / math.sqrt(D + H), 1 / math.sqrt(D + H))
        self.act = ACT[cfg.get("activation", "sigmoid")]

    def forward(self, x, mask):
        cell = getattr(self, self.kind)
        B, T, _ = x.shape
        H = self.cfg["hidden"]
        h = x.new_zeros(B, H)
        bias = cell.bias_ih if hasattr(cell, "bias_ih") else cell.bias
        pre = x @ cell.weight_ih.T + bias  # the input projection of all steps at once
        whh = cell.weight_hh.T
        w_rz, w_n = whh[:, : 2 * H], whh[:, 2 * H :]
        for t in range(T):
            m = mask[:, t : t + 1]
            p = pre[:, t]
            if self.kind == "rnn":
                new = self.act(p + h @ whh)
            elif self.gate == "exercise":
                rz = torch.sigmoid(p[:, : 2 * H] + h @ w_rz)
                r, z = rz[:, :H], rz[:, H:]
                n = torch.tanh(p[:, 2 * H :] + (r * h) @ w_n)
                new = (1 - z) * h + z * n
            else:
                g = h @ whh + cell.bias_hh
                r = torch.sigmoid(p[:, :H] + g[:, :H])
                z = torch.sigmoid(p[:, H : 2 * H] + g[:, H : 2 * H])
                n = torch.tanh(p[:, 2 * H :] + r * g[:, 2 * H :])
                new = (1 - z) * n + z * h
            h = m * new + (1 - m) * h
        for layer in self.head.values():
            h = F.relu(layer(h))
        return self.out(h), {}


def sinusoidal_pe(T, D, dtype=torch.float32):
    pos = torch.arange(T, dtype=torch.float64).unsqueeze(1)
    div = torch.exp(torch.arange(0, D, 2, dtype=torch.float64) * (-math.log(10000.0) / D))
    pe = torch.zeros(T, D, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div[: D // 2])
    return pe.to(dtype)


class TokenHead(nn.Module):
    """mlp.{i} (ReLU) on every token, `out` → sub-scores; pooled by masked mean or softmaxed weights."""

    def __init__(self, inp, widths, C, pooling):
        super().__init__()
        self.mlp, last = head_stack(inp, widths, "mlp")
        self.C = C
        self.pooling = pooling
        self.out = nn.Linear(last, C + (1 if pooling == "weighted" else 0))

    def forward(self, u, mask):
        for layer in self.mlp.values():
            u = F.relu(layer(u))
        o = self.out(u)
        s = o[..., : self.C]
        if self.pooling == "mean":
            n = mask.sum(1, keepdim=True).clamp(min=1)
            return (s * mask.unsqueeze(-1)).sum(1) / n, {"subScores": s}
        a = o[..., self.C].masked_fill(mask == 0, float("-inf"))
        w = torch.softmax(a, dim=1).nan_to_num(0.0)
        return (s * w.unsqueeze(-1)).sum(1), {"subScores": s, "tokenWeights": w}


class TokenMlp(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        pooling = "weighted" if cfg["kind"] == "weighted-mlp" else "mean"
        self.head = TokenHead(cfg["input"], cfg["widths"], cfg.get("outputs", 2), pooling)

    def forward(self, x, mask):
        return self.head(x, mask)


class Attention(nn.Module):
    """x + PE → proj+ReLU → q, k, v per token → windows of ±k (ends 'zero' or 'exclude') → token head."""

    def __init__(self, cfg):
        super().__init__()
        D, H = cfg["input"], cfg["hidden"]
        self.k = cfg["radius"]
        self.ends = cfg.get("ends", "zero")
        self.proj = nn.Linear(D, H)
        self.attn = nn.Module()
        self.attn.query = nn.Linear(H, H, bias=False)
        self.attn.key = nn.Linear(H, H, bias=False)
        self.attn.value = nn.Linear(H, H, bias=False)
        self.head = TokenHead(H, cfg.get("widths", [H]), cfg.get("outputs", 2), cfg.get("pooling", "mean"))
        self.scale = 1 / math.sqrt(H)

    def forward(self, x, mask):
        B, T, D = x.shape
        k = self.k
        u = F.relu(self.proj(x + sinusoidal_pe(T, D, x.dtype)))
        q, kk, v = self.attn.query(u), self.attn.key(u), self.attn.value(u)
        kp = F.pad(kk, (0, 0, k, k))
        vp = F.pad(v, (0, 0, k, k))
        mp = F.pad(mask, (k, k))  # 0 beyond the ends: outside, like padding
        W = 2 * k + 1
        s = torch.stack([(q * kp[:, o : o + T]).sum(-1) for o in range(W)], -1) * self.scale  # (B,T,W)
        inside = torch.stack([mp[:, o : o + T] for o in range(W)], -1)
        if self.ends == "zero":
            s = s * inside  # an outside slot is a zero key: score 0, and its value is zero
        else:
            s = s.masked_fill(inside == 0, float("-inf"))
        # padding queries: zero weights, zero output (with 'exclude' a padding query may have no inside slot: NaN → 0)
        p = torch.softmax(s, -1).nan_to_num(0.0) * mask.unsqueeze(-1)
        vin = [vp[:, o : o + T] * inside[..., o : o + 1] for o in range(W)]
        out = sum(p[..., o : o + 1] * vin[o] for o in range(W))
        logits, extra = self.head(out, mask)
        extra["attention"] = p
        return logits, extra


def build(cfg):
    kind = cfg["kind"]
    if kind in ("rnn", "gru"):
        return Recurrent(cfg)
    if kind in ("mlp", "weighted-mlp"):
        return TokenMlp(cfg)
    return Attention(cfg)


def state(model):
    """Parameters by seqwasm name (the token MLP's head is flattened: mlp.*, out.*)."""
    named = dict(model.named_parameters())
    if isinstance(model, (TokenMlp, Attention)):
        return {k.replace("head.", "", 1): v for k, v in named.items()}
    return named
