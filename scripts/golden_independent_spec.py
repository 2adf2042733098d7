"""seqwasm's five model kinds in float64 PyTorch: the spec of README "Models: semantics", written plainly,
with autograd doing the backward. scripts/golden_independent.py draws inputs, runs these and writes the fixtures.

Parameters are a dict {seqwasm name: tensor} in PyTorch's layout (Linear weights (out, in), gate rows
[r; z; n]); x is (B, T, D), mask (B, T) of 1.0 for real tokens and 0.0 for padding.
"""
import math

import torch
import torch.nn.functional as F

F64 = torch.float64

# ---------------------------------------------------------------------------------------------------
# parameters: names and shapes in declaration order (src/nn/config.ts paramSpecs has the same order)


def output_rows(cfg):
    weighted = cfg["kind"] == "weighted-mlp" or (cfg["kind"] == "attention" and cfg["pooling"] == "weighted")
    return cfg["outputs"] + (1 if weighted else 0)


def param_shapes(cfg):
    shapes = []

    def linear(name, out, inp, bias=True):
        shapes.append((f"{name}.weight", [out, inp]))
        if bias:
            shapes.append((f"{name}.bias", [out]))

    def stack(prefix, inp, widths):
        for i, w in enumerate(widths):
            linear(f"{prefix}.{i}", w, inp)
            inp = w
        return inp

    kind, D = cfg["kind"], cfg["input"]
    if kind in ("rnn", "gru"):
        H, G = cfg["hidden"], (3 if kind == "gru" else 1)
        shapes.append((f"{kind}.weight_ih", [G * H, D]))
        shapes.append((f"{kind}.weight_hh", [G * H, H]))
        if kind == "gru" and cfg["gate"] == "pytorch":
            shapes += [("gru.bias_ih", [G * H]), ("gru.bias_hh", [G * H])]
        else:
            shapes.append((f"{kind}.bias", [G * H]))
        linear("out", cfg["outputs"], stack("head", H, cfg["head"]))
    elif kind in ("mlp", "weighted-mlp"):
        linear("out", output_rows(cfg), stack("mlp", D, cfg["widths"]))
    else:
        H = cfg["hidden"]
        linear("proj", H, D)
        for part in ("query", "key", "value"):
            linear(f"attn.{part}", H, H, bias=False)
        linear("out", output_rows(cfg), stack("mlp", H, cfg["widths"]))
    return shapes


# ---------------------------------------------------------------------------------------------------
# the spec: forward of the five kinds on x (B,T,D) and mask (B,T) of 1.0 / 0.0


def linear(P, name, x):
    y = x @ P[f"{name}.weight"].T
    bias = P.get(f"{name}.bias")
    return y if bias is None else y + bias


ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}


def recurrent(cfg, P, x, mask):
    """h_t = m_t·cell(x_t, h_{t−1}) + (1−m_t)·h_{t−1} from h_0 = 0; head on h_T."""
    kind, H = cfg["kind"], cfg["hidden"]
    W_ih, W_hh = P[f"{kind}.weight_ih"], P[f"{kind}.weight_hh"]
    h = x.new_zeros(x.shape[0], H)
    for t in range(x.shape[1]):
        xt, m = x[:, t], mask[:, t : t + 1]
        if kind == "rnn":
            new = ACT[cfg["activation"]](xt @ W_ih.T + h @ W_hh.T + P["rnn.bias"])
        elif cfg["gate"] == "exercise":
            (Wi_r, Wi_z, Wi_n), (Wh_r, Wh_z, Wh_n) = W_ih.split(H), W_hh.split(H)
            b_r, b_z, b_n = P["gru.bias"].split(H)
            r = torch.sigmoid(xt @ Wi_r.T + h @ Wh_r.T + b_r)
            z = torch.sigmoid(xt @ Wi_z.T + h @ Wh_z.T + b_z)
            n = torch.tanh(xt @ Wi_n.T + (r * h) @ Wh_n.T + b_n)
            new = (1 - z) * h + z * n
        else:
            gi_r, gi_z, gi_n = (xt @ W_ih.T + P["gru.bias_ih"]).split(H, 1)
            gh_r, gh_z, gh_n = (h @ W_hh.T + P["gru.bias_hh"]).split(H, 1)
            r = torch.sigmoid(gi_r + gh_r)
            z = torch.sigmoid(gi_z + gh_z)
            n = torch.tanh(gi_n + r * gh_n)
            new = (1 - z) * n + z * h
        h = m * new + (1 - m) * h
    for i in range(len(cfg["head"])):
        h = F.relu(linear(P, f"head.{i}", h))
    return linear(P, "out", h), {}


def token_head(cfg, P, u, mask, pooling):
    """mlp.{i} + ReLU on every token, `out` → sub-scores (and weight logits), pooled over real tokens."""
    for i in range(len(cfg["widths"])):
        u = F.relu(linear(P, f"mlp.{i}", u))
    o = linear(P, "out", u)
    C, m = cfg["outputs"], mask.unsqueeze(-1)
    s = o[..., :C]
    extras = {"subScores": s}  # every position's, padding too (pooling ignores those)
    if pooling == "mean":
        return (s * m).sum(1) / mask.sum(1, keepdim=True), extras
    w = torch.softmax(o[..., C].masked_fill(mask == 0, -math.inf), dim=1)  # padding: weight exactly 0
    extras["tokenWeights"] = w
    return (s * w.unsqueeze(-1)).sum(1), extras


def sinusoidal_pe(T, D):
    """The exercise's sinusoidal_pe in float64; for odd D the last (even) column has a sine and no cosine."""
    pos = torch.arange(T, dtype=F64).unsqueeze(1)
    div = torch.exp(torch.arange(0, D, 2, dtype=F64) * (-math.log(10000.0) / D))
    pe = torch.zeros(T, D, dtype=F64)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div[: D // 2])
    return pe


def attention(cfg, P, x, mask):
    B, T, D = x.shape
    H, k = cfg["hidden"], cfg["radius"]
    u = F.relu(linear(P, "proj", x + sinusoidal_pe(T, D)))
    q, key, value = (linear(P, f"attn.{part}", u) for part in ("query", "key", "value"))
    # slot o of token t is position j = t − k + o; padding the ends by k makes slot o a shift by o
    key_p, value_p = F.pad(key, (0, 0, k, k)), F.pad(value, (0, 0, k, k))
    real_p = F.pad(mask, (k, k)) > 0
    slots = range(2 * k + 1)
    scores = torch.stack([(q * key_p[:, o : o + T]).sum(-1) / math.sqrt(H) for o in slots], -1)  # (B,T,2k+1)
    inside = torch.stack([real_p[:, o : o + T] for o in slots], -1)
    if cfg["ends"] == "zero":
        scores = torch.where(inside, scores, torch.zeros_like(scores))  # a zero key: score 0, still softmaxed
    else:
        scores = scores.masked_fill(~inside, -math.inf)
    # padding queries: any finite row (so no NaN), then zero weights
    query = mask.unsqueeze(-1)
    scores = scores.masked_fill(query == 0, 0.0)
    p = torch.softmax(scores, -1) * query
    y = sum(p[..., o : o + 1] * value_p[:, o : o + T] * inside[..., o : o + 1] for o in slots)
    logits, extras = token_head(cfg, P, y, mask, cfg["pooling"])
    extras["attention"] = p
    return logits, extras


def forward(cfg, P, x, mask):
    if cfg["kind"] in ("rnn", "gru"):
        return recurrent(cfg, P, x, mask)
    if cfg["kind"] == "mlp":
        return token_head(cfg, P, x, mask, "mean")
    if cfg["kind"] == "weighted-mlp":
        return token_head(cfg, P, x, mask, "weighted")
    return attention(cfg, P, x, mask)


def loss_of(cfg, logits, targets):
    """Mean over the batch: cross-entropy on integer targets, or BCE with logits (C = 1) on float targets."""
    if cfg["loss"] == "bce":
        return F.binary_cross_entropy_with_logits(logits[:, 0], targets)
    return F.cross_entropy(logits, targets.long())


# ---------------------------------------------------------------------------------------------------
# evaluation


def draw_float32(gen, shape, bound):
    """U(−bound, bound) drawn and rounded in float32, then widened: exactly representable in f32."""
    return ((torch.rand(shape, generator=gen, dtype=torch.float32) * 2 - 1) * bound).to(F64)


def leaf(params):
    return {n: p.clone().requires_grad_(True) for n, p in params.items()}


def evaluate(cfg, params, x, mask, targets):
    """Forward and backward of the spec: outputs, parameter gradients and dx."""
    P = leaf(params)
    xg = x.clone().requires_grad_(True)
    logits, extras = forward(cfg, P, xg, mask)
    loss = loss_of(cfg, logits, targets)
    loss.backward()
    return {
        "logits": logits.detach(), "loss": loss.item(), "extras": {n: v.detach() for n, v in extras.items()},
        "grads": {n: p.grad for n, p in P.items()}, "dx": xg.grad,
    }


def adam_steps(cfg, params, x, mask, targets, lr, betas, eps, steps):
    """torch.optim.Adam, the same batch each step: the losses each step saw and the final parameters."""
    P = leaf(params)
    opt = torch.optim.Adam(P.values(), lr=lr, betas=tuple(betas), eps=eps)
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_of(cfg, forward(cfg, P, x, mask)[0], targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, {n: p.detach() for n, p in P.items()}
