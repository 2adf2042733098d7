"""Independent checks of the spec (golden_independent_spec.py), run by scripts/golden_independent.py before a fixture is written:
the exercise's classes with converted weights (full mask), torch.nn.GRU / nn.RNN per review, the
benchmarks' models (torch_models.py), and padding invariance. Each raises AssertionError on a mismatch
and returns a line for the fixture's `checks`.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

import golden_exercise
import torch_models
from golden_independent_spec import F64, draw_float32, evaluate, linear, loss_of, sinusoidal_pe

# float64 evaluations of one function in two ways agree to rounding; anything above this is a bug
SAME = 1e-12

# ---------------------------------------------------------------------------------------------------
# independent checks


def max_diff(a, b):
    return (a - b).abs().max().item() if a.numel() else 0.0


def expect_same(what, a, b, tol=SAME):
    diff = max_diff(a, b)
    if not diff <= tol:
        raise AssertionError(f"{what}: max |diff| {diff} > {tol}")


def check_exercise(cfg, params, x, targets, result, models):
    """Full mask: the spec is the exercise's model with the same weights; returns a description."""
    kind, D, C = cfg["kind"], cfg["input"], cfg["outputs"]
    p = params

    def load(model, mapping):
        model = model.double()
        with torch.no_grad():
            for ex_name, value in mapping.items():
                model.get_parameter(ex_name).copy_(value)
        return model

    if kind == "rnn":
        H = cfg["hidden"]
        assert cfg["head"] == [], "ExRNN has no head"
        model = load(models.ExRNN(D, C, H, cfg["activation"]), {
            "in2hidden.weight": torch.cat([p["rnn.weight_ih"], p["rnn.weight_hh"]], 1), "in2hidden.bias": p["rnn.bias"],
            "hidden2out.weight": p["out.weight"], "hidden2out.bias": p["out.bias"]})
        # ExRNN's one Linear on cat(x_t, h): weight_ih is its first D columns, weight_hh the rest
        to_spec = {"rnn.weight_ih": lambda g: g["in2hidden.weight"][:, :D], "rnn.weight_hh": lambda g: g["in2hidden.weight"][:, D:],
                   "rnn.bias": lambda g: g["in2hidden.bias"]}
        label = f"ExRNN(act='{cfg['activation']}')"
    elif kind == "gru" and cfg["gate"] == "exercise":
        H = cfg["hidden"]
        assert cfg["head"] == [], "ExGRU has no head"
        (Wi_r, Wi_z, Wi_n), (Wh_r, Wh_z, Wh_n) = p["gru.weight_ih"].split(H), p["gru.weight_hh"].split(H)
        b_r, b_z, b_n = p["gru.bias"].split(H)
        # ExGRU's Linears act on cat(h, x) (W_z, W_r) and cat(r∘h, x) (W): the first H columns are the h part
        model = load(models.ExGRU(D, C, H), {
            "W_r.weight": torch.cat([Wh_r, Wi_r], 1), "W_r.bias": b_r, "W_z.weight": torch.cat([Wh_z, Wi_z], 1), "W_z.bias": b_z,
            "W.weight": torch.cat([Wh_n, Wi_n], 1), "W.bias": b_n, "hidden2out.weight": p["out.weight"], "hidden2out.bias": p["out.bias"]})
        gates = ("W_r", "W_z", "W")
        to_spec = {"gru.weight_ih": lambda g: torch.cat([g[f"{n}.weight"][:, H:] for n in gates]),
                   "gru.weight_hh": lambda g: torch.cat([g[f"{n}.weight"][:, :H] for n in gates]),
                   "gru.bias": lambda g: torch.cat([g[f"{n}.bias"] for n in gates])}
        label = "ExGRU"
    elif kind == "gru":
        H = cfg["hidden"]
        assert cfg["head"] == [], "BuiltinGRU has no head"
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        model = load(models.BuiltinGRU(D, C, H), {
            **{f"gru.{n}_l0": p[f"gru.{n}"] for n in names}, "hidden2out.weight": p["out.weight"], "hidden2out.bias": p["out.bias"]})
        to_spec = {f"gru.{n}": (lambda g, n=n: g[f"gru.{n}_l0"]) for n in names}
        label = "BuiltinGRU (torch.nn.GRU)"
    elif kind in ("mlp", "weighted-mlp"):
        H = cfg["widths"][0]
        assert cfg["widths"] == [H, H], "the exercise's token MLPs have widths [H, H]"
        cls = models.ExMLP if kind == "mlp" else models.ExWeightedMLP
        layers = {"layer1": "mlp.0", "layer2": "mlp.1", "layer3": "out"}
        model = load(cls(D, C, H), {f"{e}.{t}": p[f"{s}.{t}"] for e, s in layers.items() for t in ("weight", "bias")})
        to_spec = {f"{s}.{t}": (lambda g, e=e, t=t: g[f"{e}.{t}"]) for e, s in layers.items() for t in ("weight", "bias")}
        label = cls.__name__
    else:
        H = cfg["hidden"]
        assert cfg["ends"] == "zero" and cfg["pooling"] == "mean" and cfg["widths"] == [H], "ExRestSelfAtten: zero ends, mean, widths [H]"
        layers = {"layer1": "proj", "W_q": "attn.query", "W_k": "attn.key", "W_v": "attn.value", "layer2": "mlp.0", "layer3": "out"}
        mapping = {f"{e}.{t}": p[f"{s}.{t}"] for e, s in layers.items() for t in ("weight", "bias") if f"{s}.{t}" in p}
        to_spec = {f"{s}.{t}": (lambda g, e=e, t=t: g[f"{e}.{t}"]) for e, s in layers.items() for t in ("weight", "bias") if f"{s}.{t}" in p}
        for impl in ("window", "band"):
            model = load(models.ExRestSelfAtten(D, C, H, cfg["radius"], impl), mapping)
            # the exercise's PE buffer is float32; the spec evaluates the same formula in float64
            T = x.shape[1]
            expect_same("exercise PE (float32) vs spec PE", model.pe[:T], sinusoidal_pe(T, D), 1e-6)
            model.pe = sinusoidal_pe(golden_exercise.SEQ_LEN, D)
            compare_exercise(f"ExRestSelfAtten(impl='{impl}')", cfg, model, to_spec, x, targets, result)
        return f"ExRestSelfAtten(atten_size={cfg['radius']}), impl 'window' and 'band'"
    compare_exercise(label, cfg, model, to_spec, x, targets, result)
    return label


def compare_exercise(label, cfg, model, to_spec, x, targets, result):
    xg = x.clone().requires_grad_(True)
    logits = model(xg)
    loss_of(cfg, logits, targets).backward()
    expect_same(f"{label} logits", logits, result["logits"])
    expect_same(f"{label} dx", xg.grad, result["dx"])
    grads = {n: q.grad for n, q in model.named_parameters()}
    # the recurrent classes' output layer is hidden2out
    to_spec = {"out.weight": lambda g: g["hidden2out.weight"], "out.bias": lambda g: g["hidden2out.bias"], **to_spec}
    for name, grad in result["grads"].items():
        expect_same(f"{label} d {name}", to_spec[name](grads), grad)


def check_builtin(cfg, params, x, mask, result):
    """Gate 'pytorch' / rnn tanh: torch.nn.GRU / nn.RNN on each review cut to its length gives h_T."""
    kind, D, H = cfg["kind"], cfg["input"], cfg["hidden"]
    cell = (nn.GRU if kind == "gru" else nn.RNN)(D, H, batch_first=True).double()
    with torch.no_grad():
        cell.weight_ih_l0.copy_(params[f"{kind}.weight_ih"])
        cell.weight_hh_l0.copy_(params[f"{kind}.weight_hh"])
        cell.bias_ih_l0.copy_(params["gru.bias_ih"] if kind == "gru" else params["rnn.bias"])
        cell.bias_hh_l0.copy_(params["gru.bias_hh"] if kind == "gru" else torch.zeros(H, dtype=F64))
    P = dict(params)
    lengths = mask.sum(1).long().tolist()
    h = torch.stack([cell(x[b : b + 1, :n])[1][0, 0] for b, n in enumerate(lengths)])
    for i in range(len(cfg["head"])):
        h = F.relu(linear(P, f"head.{i}", h))
    expect_same(f"torch.nn.{type(cell).__name__} logits", linear(P, "out", h), result["logits"])
    return f"torch.nn.{type(cell).__name__} on each review at its own length"


def check_torch_models(cfg, params, x, mask, result):
    """The benchmarks' PyTorch models (scripts/torch_models.py) compute the same outputs."""
    model = torch_models.build(cfg).double()
    with torch.no_grad():
        for name, p in torch_models.state(model).items():
            p.copy_(params[name])
    logits, extras = model(x, mask)
    expect_same("torch_models.py logits", logits, result["logits"])
    for name, value in result["extras"].items():
        expect_same(f"torch_models.py {name}", extras[name], value)
    return "scripts/torch_models.py"


def check_padding(cfg, params, x, mask, targets, result, extra, seed):
    """The same reviews padded with `extra` more random tokens: the same logits, loss, gradients; dx 0 on padding."""
    B, T, D = x.shape
    gen = torch.Generator().manual_seed(seed + 1)
    x_long = torch.cat([x, draw_float32(gen, (B, extra, D), 1.0)], 1)
    mask_long = torch.cat([mask, torch.zeros(B, extra, dtype=F64)], 1)
    long = evaluate(cfg, params, x_long, mask_long, targets)
    expect_same("padded logits", long["logits"], result["logits"])
    expect_same("padded loss", torch.tensor(long["loss"]), torch.tensor(result["loss"]))
    for name, grad in result["grads"].items():
        expect_same(f"padded d {name}", long["grads"][name], grad)
    expect_same("padded dx", long["dx"][:, :T], result["dx"])
    for dx in (long["dx"] * (1 - mask_long).unsqueeze(-1), result["dx"] * (1 - mask).unsqueeze(-1)):
        assert bool((dx == 0).all()), "dx of padding tokens must be exactly 0"
    return f"padded to T={T + extra} with random tokens"
