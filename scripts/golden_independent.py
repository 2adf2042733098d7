"""A second, independently written set of golden fixtures for seqwasm's five model kinds:
writes test/golden/independent-<name>.json, in the format of scripts/golden.py's fixtures (so every test
that reads test/golden/*.json checks these too), one key or tensor row per line.

Run: python3 scripts/golden_independent.py [--exercise-models PATH/models.py] [--check]
(needs torch; CI does not run it: the tests read only the committed JSON).

Each fixture: a config, seeded float32 inputs and parameters (an f32 model sees exactly these numbers),
and everything computed from them in float64, so expected values are exact to ~1e-12: logits, loss,
explanation outputs, the gradient of every parameter and of x, and the parameters and losses of three
torch.optim.Adam steps on the same batch. Beyond scripts/golden.py's set: a window wider than T, an odd
D for the position encoding, two-layer heads, three classes, and draws in which no gradient entry is 0.

The models are the spec (README "Models: semantics") in golden_independent_spec.py, written plainly
with autograd doing the backward. Before anything is written, every fixture is checked
(golden_independent_checks.py) against independent implementations:
  - the exercise's classes (golden_exercise.py, a copy of the exercise's models.py) with converted
    weights, for the full-mask fixtures;
  - torch.nn.GRU / torch.nn.RNN run on each review at its own length (gate 'pytorch', rnn tanh);
  - scripts/torch_models.py (the PyTorch models of the benchmarks);
  - the same batch padded further with random values: identical results, zero dx on padding.
--check runs the checks and compares with the committed files instead of writing them.
"""
import argparse
import importlib.util
import json
import math
import sys
import zlib
from pathlib import Path

import torch

SCRIPTS = Path(__file__).resolve().parent
OUT_DIR = SCRIPTS.parent / "test" / "golden"
sys.path.insert(0, str(SCRIPTS))

import golden_exercise  # noqa: E402
from golden_independent_checks import SAME, check_builtin, check_exercise, check_padding, check_torch_models  # noqa: E402
from golden_independent_spec import F64, adam_steps, draw_float32, evaluate, param_shapes  # noqa: E402

ADAM = {"lr": 1e-3, "betas": [0.9, 0.999], "eps": 1e-8, "steps": 3}
PREFIX = "independent-"  # beside scripts/golden.py's fixtures in test/golden

# ---------------------------------------------------------------------------------------------------
# fixtures

B, T, H = 3, 6, 4
FULL, LENGTHS = [6, 6, 6], [6, 4, 1]


def rnn(activation, head, C=2, loss="cross-entropy"):
    return {"kind": "rnn", "input": 5, "hidden": H, "activation": activation, "head": head, "outputs": C, "loss": loss}


def gru(gate, head, C=2, loss="cross-entropy"):
    return {"kind": "gru", "input": 5, "hidden": H, "gate": gate, "head": head, "outputs": C, "loss": loss}


def mlp(kind, widths, C=2, loss="cross-entropy"):
    return {"kind": kind, "input": 5, "widths": widths, "outputs": C, "loss": loss}


def attn(ends, pooling, radius, widths=(H,), D=6, C=2, loss="cross-entropy"):
    # D = 6: the exercise's sinusoidal_pe needs an even width
    return {"kind": "attention", "input": D, "hidden": H, "radius": radius, "ends": ends, "pooling": pooling,
            "widths": list(widths), "outputs": C, "loss": loss}


FIXTURES = [
    # name, config, lengths; the full-mask fixtures of exercise shapes are checked against the exercise
    ("rnn-sigmoid-full", rnn("sigmoid", []), FULL),
    ("rnn-sigmoid-lengths", rnn("sigmoid", [3]), LENGTHS),
    ("rnn-tanh-full", rnn("tanh", []), FULL),
    ("rnn-tanh-lengths", rnn("tanh", [3], C=3), LENGTHS),
    ("rnn-relu-full", rnn("relu", []), FULL),
    ("rnn-relu-lengths", rnn("relu", [3, 2]), LENGTHS),
    ("gru-exercise-full", gru("exercise", []), FULL),
    ("gru-exercise-lengths", gru("exercise", [3]), LENGTHS),
    ("gru-exercise-bce-lengths", gru("exercise", [3], C=1, loss="bce"), LENGTHS),
    ("gru-pytorch-full", gru("pytorch", []), FULL),
    ("gru-pytorch-lengths", gru("pytorch", [3], C=3), LENGTHS),
    ("mlp-full", mlp("mlp", [H, H]), FULL),
    ("mlp-lengths", mlp("mlp", [4, 3], C=3), LENGTHS),
    ("weighted-mlp-full", mlp("weighted-mlp", [H, H]), FULL),
    ("weighted-mlp-lengths", mlp("weighted-mlp", [3], C=3), LENGTHS),
    ("weighted-mlp-bce-lengths", mlp("weighted-mlp", [4, 3], C=1, loss="bce"), LENGTHS),
    ("attention-zero-mean-k1-full", attn("zero", "mean", 1), FULL),
    ("attention-zero-mean-k2-full", attn("zero", "mean", 2), FULL),
    ("attention-zero-mean-k2-lengths", attn("zero", "mean", 2), LENGTHS),
    ("attention-zero-mean-k7-lengths", attn("zero", "mean", 7, widths=[3]), LENGTHS),  # window wider than T
    ("attention-zero-weighted-k1-full", attn("zero", "weighted", 1), FULL),
    ("attention-zero-weighted-k1-lengths", attn("zero", "weighted", 1, C=3), LENGTHS),
    ("attention-exclude-mean-k1-full", attn("exclude", "mean", 1), FULL),
    ("attention-exclude-mean-k1-lengths", attn("exclude", "mean", 1, widths=[]), LENGTHS),
    ("attention-exclude-weighted-k2-full", attn("exclude", "weighted", 2), FULL),
    ("attention-exclude-weighted-k2-lengths", attn("exclude", "weighted", 2, widths=[3, 2]), LENGTHS),
    ("attention-exclude-weighted-k2-odd-d-lengths", attn("exclude", "weighted", 2, D=5), LENGTHS),
]


def draw_inputs(cfg, lengths, T, seed):
    gen = torch.Generator().manual_seed(seed)
    B, D = len(lengths), cfg["input"]
    # padding positions hold random values too: an implementation that reads them shows up
    x = draw_float32(gen, (B, T, D), 1.0)
    mask = (torch.arange(T).unsqueeze(0) < torch.tensor(lengths).unsqueeze(1)).to(F64)
    if cfg["loss"] == "bce":
        targets = torch.randint(0, 2, (B,), generator=gen).to(F64)
    else:
        targets = torch.randint(0, cfg["outputs"], (B,), generator=gen).to(F64)
    params = {}
    for name, shape in param_shapes(cfg):
        fan_in = shape[1] if len(shape) == 2 else None
        # weights U(±2/√in): large enough for peaked softmaxes and saturating gates; biases U(±0.5)
        params[name] = draw_float32(gen, shape, 2 / math.sqrt(fan_in) if fan_in else 0.5)
    return x, mask, targets, params


def is_exercise_shape(cfg):
    kind = cfg["kind"]
    if kind in ("rnn", "gru"):
        return cfg["head"] == [] and cfg["outputs"] >= 2
    if kind in ("mlp", "weighted-mlp"):
        return len(cfg["widths"]) == 2 and cfg["widths"][0] == cfg["widths"][1]
    return cfg["ends"] == "zero" and cfg["pooling"] == "mean" and cfg["widths"] == [cfg["hidden"]] and cfg["input"] % 2 == 0


def all_alive(cfg, grads):
    """No gradient entry is exactly 0. The weight logit's bias (row C of out.bias under weighted pooling) is
    exempt: a softmax ignores a shift, so its gradient is 0 up to rounding."""
    weighted = cfg["kind"] == "weighted-mlp" or cfg["kind"] == "attention" and cfg["pooling"] == "weighted"
    return all(bool((g[: cfg["outputs"]] if weighted and n == "out.bias" else g).ne(0).all()) for n, g in grads.items())


def make_fixture(name, cfg, lengths, models):
    # seeds are stable per name (adding a fixture changes no other); a draw in which some gradient entry is
    # exactly 0 (a ReLU unit dead on every token) is redrawn, so every entry of every gradient is exercised
    for attempt in range(1000):
        seed = zlib.crc32(name.encode()) + attempt
        x, mask, targets, params = draw_inputs(cfg, lengths, T, seed)
        result = evaluate(cfg, params, x, mask, targets)
        if all_alive(cfg, result["grads"]):
            break
    else:
        raise AssertionError(f"{name}: no draw without dead units")
    for what, v in [("logits", result["logits"]), ("dx", result["dx"]), *result["grads"].items()]:
        assert torch.isfinite(v).all(), f"{name}: {what} is not finite"
    checks = []
    if lengths == FULL and is_exercise_shape(cfg):
        checks.append("models.py " + check_exercise(cfg, params, x, targets, result, models) + ", full mask: logits, dx, grads")
    if cfg["kind"] == "gru" and cfg["gate"] == "pytorch" or cfg["kind"] == "rnn" and cfg["activation"] == "tanh":
        checks.append(check_builtin(cfg, params, x, mask, result))
    checks.append(check_torch_models(cfg, params, x, mask, result))
    checks.append(check_padding(cfg, params, x, mask, targets, result, 5, seed))
    losses, adam_params = adam_steps(cfg, params, x, mask, targets, **ADAM)
    assert abs(losses[0] - result["loss"]) <= SAME
    print(f"{name}: seed {seed} (draw {attempt + 1}), {len(checks)} checks passed", file=sys.stderr)
    return {
        "name": PREFIX + name,
        "config": cfg,
        "seed": seed,
        "B": len(lengths),
        "T": T,
        "lengths": lengths,
        "checks": checks,
        "x": rows(x),
        "mask": rows(mask),
        "targets": rows(targets if cfg["loss"] == "bce" else targets.long()),
        "params": {n: {"shape": list(p.shape), "data": rows(p)} for n, p in params.items()},
        "outputs": {"logits": rows(result["logits"]), "loss": result["loss"], **{n: rows(v) for n, v in result["extras"].items()}},
        "grads": {n: rows(g) for n, g in result["grads"].items()},
        "dx": rows(result["dx"]),
        "adam": {**ADAM, "losses": losses, "params": {n: rows(p) for n, p in adam_params.items()}},
    }


# ---------------------------------------------------------------------------------------------------
# JSON: flat row-major arrays as scripts/golden.py writes them, but one key and one tensor row (last
# dimension) per line, so a diff shows what changed; numbers in shortest round-trip repr


class Rows:
    """A tensor written as a flat array, `width` numbers a line."""

    def __init__(self, data, width):
        self.data, self.width = data, max(width, 1)


def rows(t):
    return Rows(t.flatten().tolist(), t.shape[-1] if t.dim() else 1)


def number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"not a number: {v!r}")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError(f"not finite: {v}")
    return repr(v)


def emit(value, indent=0):
    pad, inner = " " * indent, " " * (indent + 1)
    if isinstance(value, Rows):
        data, width = value.data, value.width
        if len(data) <= width:
            return "[" + ", ".join(map(number, data)) + "]"
        lines = [", ".join(map(number, data[i : i + width])) for i in range(0, len(data), width)]
        return "[\n" + ",\n".join(inner + line for line in lines) + f"\n{pad}]"
    if isinstance(value, dict):
        items = [f"{inner}{json.dumps(k)}: {emit(v, indent + 1)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{pad}}}"
    if isinstance(value, list) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
        return "[" + ", ".join(map(number, value)) + "]"
    if isinstance(value, list):
        return "[\n" + ",\n".join(inner + emit(v, indent + 1) for v in value) + f"\n{pad}]"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    return json.dumps(value, ensure_ascii=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--exercise-models", help="a copy of the exercise's models.py to check against (default: golden_exercise.py)")
    parser.add_argument("--check", action="store_true", help="compare with the committed fixtures instead of writing")
    args = parser.parse_args()
    models = golden_exercise
    if args.exercise_models:
        spec = importlib.util.spec_from_file_location("exercise_models", args.exercise_models)
        models = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(models)
    torch.set_num_threads(1)  # one summation order, so a re-run writes the same bytes
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    stale = []
    for name, cfg, lengths in FIXTURES:
        text = emit(make_fixture(name, cfg, lengths, models)) + "\n"
        assert len(text) < 50_000, f"{name}: {len(text)} bytes"
        path = OUT_DIR / f"{PREFIX}{name}.json"
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(PREFIX + name)
        else:
            path.write_text(text)
    if args.check and stale:
        sys.exit(f"differ from the committed fixtures: {', '.join(stale)}")


if __name__ == "__main__":
    main()
