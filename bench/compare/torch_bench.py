"""PyTorch side of `npm run bench:compare`: train step (fwd + bwd + Adam, batch 32) and inference
throughput (batch 1 and 32) of the same models on the same shapes as seqwasm, one thread.

Models come from scripts/torch_models.py (seqwasm's kinds, input projection hoisted out of the time
loop), plus torch's built-in nn.RNN / nn.GRU. Prints one JSON line per configuration. Run with Debian's
torch: /usr/bin/python3 bench/compare/torch_bench.py --rounds 15 (choose the BLAS with LD_LIBRARY_PATH).
"""
import argparse
import json
import os
import statistics
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
from torch_models import build  # noqa: E402

B, T, D = 32, 100, 100


class Builtin(nn.Module):
    def __init__(self, kind, H):
        super().__init__()
        self.rnn = (nn.GRU if kind == "gru" else nn.RNN)(D, H, batch_first=True)
        self.out = nn.Linear(H, 2)

    def forward(self, x, mask):
        _, h = self.rnn(x)
        return self.out(h[-1]), {}


def config(name, H):
    return {
        "rnn": {"kind": "rnn", "input": D, "hidden": H},
        "gru": {"kind": "gru", "input": D, "hidden": H},
        "mlp": {"kind": "mlp", "input": D, "widths": [H, H]},
        "wmlp": {"kind": "weighted-mlp", "input": D, "widths": [H, H]},
        "atten2": {"kind": "attention", "input": D, "hidden": H, "radius": 2},
        "atten5": {"kind": "attention", "input": D, "hidden": H, "radius": 5},
    }[name]


def blas():
    try:
        with open("/proc/self/maps") as f:
            return sorted({os.path.basename(l.split()[-1]) for l in f if "blas" in l.lower()})
    except OSError:
        return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--models", default="rnn,gru,mlp,wmlp,atten2,atten5,rnn_builtin,gru_builtin")
    ap.add_argument("--hidden", default="64,128")
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    x32 = torch.randn(B, T, D)
    mask32 = torch.ones(B, T)
    y32 = torch.randint(0, 2, (B,))
    x1, mask1 = x32[:1].clone(), mask32[:1].clone()
    loss_fn = nn.CrossEntropyLoss()
    cfgs = []
    for name in args.models.split(","):
        for H in map(int, args.hidden.split(",")):
            m = Builtin(name.split("_")[0], H) if name.endswith("_builtin") else build(config(name, H))
            cfgs.append(dict(model=name, hidden=H, m=m, opt=torch.optim.Adam(m.parameters(), lr=1e-3), train=[], inf1=[], inf32=[]))

    def step(c):
        c["opt"].zero_grad(set_to_none=True)
        loss_fn(c["m"](x32, mask32)[0], y32).backward()
        c["opt"].step()

    def infer(c, x, mask):
        with torch.inference_mode():
            c["m"](x, mask)

    def timed(fn):
        t = time.perf_counter()
        fn()
        return time.perf_counter() - t

    for c in cfgs:
        for _ in range(args.warmup):
            step(c)
            infer(c, x1, mask1)
            infer(c, x32, mask32)
    for _ in range(args.rounds):  # interleaved: machine noise hits every configuration alike
        for c in cfgs:
            c["train"].append(timed(lambda: step(c)))
            c["inf1"].append(timed(lambda: infer(c, x1, mask1)))
            c["inf32"].append(timed(lambda: infer(c, x32, mask32)))
    env = {"torch": torch.__version__, "blas": blas(), "threads": torch.get_num_threads()}
    for c in cfgs:
        print(json.dumps({
            "framework": "pytorch", "model": c["model"], "hidden": c["hidden"],
            "trainMs": statistics.median(c["train"]) * 1e3,
            "inferB1": 1 / statistics.median(c["inf1"]), "inferB32": B / statistics.median(c["inf32"]),
            "n": len(c["train"]), "env": env,
        }), flush=True)


if __name__ == "__main__":
    main()
