"""The exercise's five models, as the exercise's models.py has them (batch-first, full sequences, no mask).

scripts/golden_independent.py checks that seqwasm's spec with a full mask is these models: it copies
each fixture's parameters into the matching class here and compares logits, dx and gradients. The
classes are copied unchanged apart from this header and dropped docstrings;
`golden_independent.py --exercise-models PATH` runs the same checks against another copy of models.py
(e.g. the exercise's own file).
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

SEQ_LEN = 100
EMB = 100
N_CLASSES = 2


class ExRNN(nn.Module):
    def __init__(self, input_size=EMB, output_size=N_CLASSES, hidden_size=64, act="sigmoid"):
        super().__init__()
        self.hidden_size = hidden_size
        self.act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[act]
        self.in2hidden = nn.Linear(input_size + hidden_size, hidden_size)
        self.hidden2out = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        h = x.new_zeros(x.shape[0], self.hidden_size)
        for t in range(x.shape[1]):
            h = self.act(self.in2hidden(torch.cat((x[:, t], h), 1)))
        return self.hidden2out(h)


class ExGRU(nn.Module):
    def __init__(self, input_size=EMB, output_size=N_CLASSES, hidden_size=64):
        super().__init__()
        self.hidden_size = hidden_size
        self.W_z = nn.Linear(hidden_size + input_size, hidden_size)
        self.W_r = nn.Linear(hidden_size + input_size, hidden_size)
        self.W = nn.Linear(hidden_size + input_size, hidden_size)
        self.hidden2out = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        h = x.new_zeros(x.shape[0], self.hidden_size)
        for t in range(x.shape[1]):
            xt = x[:, t]
            hx = torch.cat((h, xt), 1)
            z = torch.sigmoid(self.W_z(hx))
            r = torch.sigmoid(self.W_r(hx))
            h_tilde = torch.tanh(self.W(torch.cat((r * h, xt), 1)))
            h = (1 - z) * h + z * h_tilde
        return self.hidden2out(h)


class BuiltinGRU(nn.Module):
    def __init__(self, input_size=EMB, output_size=N_CLASSES, hidden_size=64):
        super().__init__()
        self.gru = nn.GRU(input_size, hidden_size, batch_first=True)
        self.hidden2out = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        _, h = self.gru(x)
        return self.hidden2out(h[-1])


class ExMLP(nn.Module):
    def __init__(self, input_size=EMB, output_size=N_CLASSES, hidden_size=64):
        super().__init__()
        self.layer1 = nn.Linear(input_size, hidden_size)
        self.layer2 = nn.Linear(hidden_size, hidden_size)
        self.layer3 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        x = F.relu(self.layer1(x))
        x = F.relu(self.layer2(x))
        return self.layer3(x).mean(1)


class ExWeightedMLP(nn.Module):
    def __init__(self, input_size=EMB, output_size=N_CLASSES, hidden_size=64):
        super().__init__()
        self.layer1 = nn.Linear(input_size, hidden_size)
        self.layer2 = nn.Linear(hidden_size, hidden_size)
        self.layer3 = nn.Linear(hidden_size, output_size + 1)
        self.output_size = output_size

    def forward(self, x):
        x = F.relu(self.layer1(x))
        x = F.relu(self.layer2(x))
        o = self.layer3(x)
        scores, w = o[..., : self.output_size], o[..., self.output_size]
        w = torch.softmax(w, dim=1)  # over tokens
        return (scores * w.unsqueeze(-1)).sum(1)


def sinusoidal_pe(T, D):
    pos = torch.arange(T, dtype=torch.float32).unsqueeze(1)
    div = torch.exp(torch.arange(0, D, 2, dtype=torch.float32) * (-math.log(10000.0) / D))
    pe = torch.zeros(T, D)
    pe[:, 0::2] = torch.sin(pos * div)
    pe[:, 1::2] = torch.cos(pos * div)
    return pe


class ExRestSelfAtten(nn.Module):
    def __init__(self, input_size=EMB, output_size=N_CLASSES, hidden_size=64, atten_size=5, impl="window"):
        super().__init__()
        self.atten_size = atten_size
        self.impl = impl
        i = torch.arange(SEQ_LEN).unsqueeze(1)
        j = torch.arange(SEQ_LEN + 2 * atten_size).unsqueeze(0) - atten_size  # padded key positions
        self.register_buffer("band_mask", (j - i).abs() > atten_size)
        self.scale = 1.0 / math.sqrt(hidden_size)
        self.register_buffer("pe", sinusoidal_pe(SEQ_LEN, input_size))
        self.layer1 = nn.Linear(input_size, hidden_size)
        self.W_q = nn.Linear(hidden_size, hidden_size, bias=False)
        self.W_k = nn.Linear(hidden_size, hidden_size, bias=False)
        self.W_v = nn.Linear(hidden_size, hidden_size, bias=False)
        self.layer2 = nn.Linear(hidden_size, hidden_size)
        self.layer3 = nn.Linear(hidden_size, output_size)

    def forward(self, x):
        a, T = self.atten_size, x.shape[1]
        x = x + self.pe[:T]
        x = F.relu(self.layer1(x))  # [B,T,H]
        q = self.W_q(x)
        kp = F.pad(self.W_k(x), (0, 0, a, a))  # [B,T+2a,H], zero rows at both ends
        vp = F.pad(self.W_v(x), (0, 0, a, a))
        if self.impl == "band":
            s = torch.matmul(q, kp.transpose(1, 2)) * self.scale
            s = s.masked_fill(self.band_mask[:T, : T + 2 * a], float("-inf"))
            x = torch.matmul(torch.softmax(s, dim=-1), vp)
        else:
            W = 2 * a + 1
            s = torch.stack([(q * kp[:, o : o + T]).sum(-1) for o in range(W)], -1) * self.scale  # [B,T,W]
            p = torch.softmax(s, dim=-1)
            x = p[..., 0:1] * vp[:, 0:T]
            for o in range(1, W):
                x = x + p[..., o : o + 1] * vp[:, o : o + T]
        x = F.relu(self.layer2(x))
        return self.layer3(x).mean(1)
