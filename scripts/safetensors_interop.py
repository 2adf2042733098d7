#!/usr/bin/env python3
"""Safetensors interop between seqwasm and PyTorch, without the `safetensors` package.

A minimal reader and writer that follow the format description of huggingface/safetensors, using only
json, struct and torch (torch.frombuffer). test/io/interop.fs.test.ts runs it where a python3 with torch
exists.

  safetensors_interop.py read FILE EXPECTED.json   check a seqwasm-written FILE: layout rules, metadata,
                                                   and every tensor's exact bits against EXPECTED
  safetensors_interop.py write FILE                write FILE from a seeded torch state_dict; print what
                                                   it holds (dtype, shape, exact bits) as JSON on stdout
"""
import json
import struct
import sys

import torch

MAX_HEADER = 100_000_000
# (torch dtype, bytes per element, torch dtype with the same width whose values are the exact bits)
DTYPES = {
    "BOOL": (torch.bool, 1, torch.uint8),
    "U8": (torch.uint8, 1, torch.uint8),
    "I8": (torch.int8, 1, torch.int8),
    "I16": (torch.int16, 2, torch.int16),
    "F16": (torch.float16, 2, torch.int16),
    "BF16": (torch.bfloat16, 2, torch.int16),
    "I32": (torch.int32, 4, torch.int32),
    "F32": (torch.float32, 4, torch.int32),
    "F64": (torch.float64, 8, torch.int64),
    "I64": (torch.int64, 8, torch.int64),
}
# the reference writer's order: larger alignment first (its Dtype enum order, reversed), then by name
ALIGNMENT_RANK = ["BOOL", "U8", "I8", "I16", "F16", "BF16", "I32", "F32", "F64", "I64"]
TORCH_TO_NAME = {v[0]: k for k, v in DTYPES.items()}


def fail(message):
    print(json.dumps({"ok": False, "error": message}))
    sys.exit(1)


def read(path):
    """Parses FILE strictly; returns (header dict, metadata, {name: tensor})."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    if len(data) < 8:
        fail("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER or 8 + n > len(data):
        fail(f"bad header length {n}")
    raw = bytes(data[8 : 8 + n])
    if not raw.startswith(b"{"):
        fail("header does not start with '{'")

    def no_duplicates(pairs):
        keys = [k for k, _ in pairs]
        if len(keys) != len(set(keys)):
            fail(f"duplicate keys in {keys}")
        return dict(pairs)

    header = json.loads(raw.decode("utf-8"), object_pairs_hook=no_duplicates)
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(v, str) for v in metadata.values()):
        fail("metadata values must be strings")
    start = 8 + n
    tensors = {}
    end_of_last = 0
    for name, info in sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        begin, end = info["data_offsets"]
        if begin != end_of_last:
            fail(f"{name}: gap or overlap at {begin} (expected {end_of_last})")
        end_of_last = end
        dtype, size, _ = DTYPES[info["dtype"]]
        count = 1
        for d in info["shape"]:
            count *= d
        if end - begin != count * size:
            fail(f"{name}: {end - begin} bytes for {count} elements of {info['dtype']}")
        if count == 0:
            tensors[name] = torch.empty(info["shape"], dtype=dtype)
        else:
            flat = torch.frombuffer(data, dtype=dtype, count=count, offset=start + begin)
            tensors[name] = flat.reshape(info["shape"]).clone()
    if start + end_of_last != len(data):
        fail(f"data section has {len(data) - start} bytes, tensors cover {end_of_last}")
    return raw, metadata, header, tensors


def bits(tensor, name):
    """The exact bits of every element, as Python ints (signed, width of the dtype)."""
    _, _, same_width = DTYPES[name]
    return tensor.reshape(-1).view(same_width).tolist() if tensor.numel() else []


def check(path, expected_path):
    raw, metadata, header, tensors = read(path)
    with open(expected_path, encoding="utf-8") as f:
        expected = json.load(f)
    # what the reference writer does and seqwasm promises: compact JSON, space padding to 8 bytes
    if len(raw) % 8 != 0 or raw.rstrip(b" ") != raw.rstrip(b" \t\r\n") or not raw.rstrip(b" ").endswith(b"}"):
        fail("header is not compact JSON padded with spaces to a multiple of 8")
    for name, info in header.items():
        if (8 + len(raw) + info["data_offsets"][0]) % DTYPES[info["dtype"]][1] != 0:
            fail(f"{name}: data not aligned to its element size in the file")
    order = sorted(header, key=lambda k: (-ALIGNMENT_RANK.index(header[k]["dtype"]), k.encode("utf-8")))
    if order != sorted(header, key=lambda k: header[k]["data_offsets"]):
        fail(f"tensors are not laid out by alignment then name: {order}")
    if metadata != expected["metadata"]:
        fail(f"metadata {metadata} != {expected['metadata']}")
    if set(tensors) != set(expected["tensors"]):
        fail(f"tensor names {sorted(tensors)} != {sorted(expected['tensors'])}")
    for name, want in expected["tensors"].items():
        t = tensors[name]
        if TORCH_TO_NAME[t.dtype] != want["dtype"] or list(t.shape) != want["shape"]:
            fail(f"{name}: {t.dtype} {list(t.shape)} != {want['dtype']} {want['shape']}")
        if bits(t, want["dtype"]) != want["bits"]:
            fail(f"{name}: values differ")
    print(json.dumps({"ok": True, "tensors": len(tensors)}))


class Tiny(torch.nn.Module):
    """State_dict names as a seqwasm GRU classifier would have them."""

    def __init__(self):
        super().__init__()
        self.embedding = torch.nn.Embedding(5, 3)
        self.gru = torch.nn.GRU(3, 4, batch_first=True)
        self.head = torch.nn.Linear(4, 2)


def write(path):
    torch.manual_seed(0)
    tensors = dict(Tiny().state_dict())
    tensors["token_ids"] = torch.tensor([3, -1, 2147483647], dtype=torch.int32)
    tensors["empty"] = torch.zeros((0, 3))
    tensors["scale"] = torch.tensor(0.125)  # shape []
    tensors["special"] = torch.tensor([float("nan"), float("inf"), -0.0, 1e-45])
    tensors["steps"] = torch.tensor([2**40 + 1, -3], dtype=torch.int64)
    tensors["pi"] = torch.tensor([3.141592653589793], dtype=torch.float64)
    metadata = {"format": "pt", "note": "\u00fcn\u00efcode \u2713"}

    names = sorted(tensors, key=lambda k: (-ALIGNMENT_RANK.index(TORCH_TO_NAME[tensors[k].dtype]), k.encode("utf-8")))
    header = {"__metadata__": metadata}
    offset = 0
    chunks = []
    for name in names:
        t = tensors[name].detach().contiguous()
        chunk = t.reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        header[name] = {"dtype": TORCH_TO_NAME[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(chunk)]}
        offset += len(chunk)
        chunks.append(chunk)
    # json.dumps escapes non-ASCII (\u00fc): valid JSON that a reader must decode
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
    # 64-bit patterns as strings: a JSON number in JavaScript holds only 53 bits exactly
    described = {
        name: {"dtype": TORCH_TO_NAME[t.dtype], "shape": list(t.shape), "bits": [str(b) for b in bits(t, TORCH_TO_NAME[t.dtype])]}
        for name, t in tensors.items()
    }
    print(json.dumps({"ok": True, "metadata": metadata, "tensors": described}))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "read":
        check(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "write":
        write(sys.argv[2])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
