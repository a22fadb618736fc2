"""PyTorch reference for bench/runtime-vs-torch.ts: the same GPT (pre-norm, learned positions, tanh-GELU MLP,
untied head), Adam, the same batch and sampling sizes, on N CPU threads (--threads, default 2). Prints one
JSON object.

Run with Debian's interpreter (/usr/bin/python3, which has python3-torch; libopenblas0-pthread must be
installed or torch falls back to a ~15x slower reference BLAS).

Threads: N threads means OpenBLAS with N threads and PyTorch's intra-op pool at 1 (--torch-threads), PyTorch's
fastest use of N cores here. Measured on the 2-core machine, training step: BLAS 2 / intra-op 1 0.146 s,
BLAS 1 / intra-op 2 0.183 s, BLAS 2 / intra-op 2 0.328 s (4 threads on 2 cores, each pool spinning against the
other); with one thread, BLAS 1 / intra-op 1 0.201 s. OpenBLAS reads its thread count when it loads, so it is
set before torch is imported."""
import argparse
import json
import math
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2")

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def attend(self, x, past=None):
        B, T, D = x.shape
        hd = D // self.h
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = (t.view(B, T, self.h, hd).transpose(1, 2) for t in (q, k, v))
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        att = (q @ k.transpose(-2, -1)) / math.sqrt(hd)
        Tk = k.shape[2]
        mask = torch.ones(T, Tk, dtype=torch.bool).tril(diagonal=Tk - T)
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, D)
        return self.proj(y), (k, v)

    def forward(self, x, past=None):
        a, cache = self.attend(x, past)
        x = x + a
        x = x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))
        return x, cache


class GPT(nn.Module):
    def __init__(self, vocab, ctx, d, layers, heads):
        super().__init__()
        self.wte = nn.Embedding(vocab, d)
        self.wpe = nn.Embedding(ctx, d)
        self.blocks = nn.ModuleList([Block(d, heads) for _ in range(layers)])
        self.lnf = nn.LayerNorm(d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, idx, past=None, start=0):
        T = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(start, start + T))
        caches = []
        for i, b in enumerate(self.blocks):
            x, c = b(x, None if past is None else past[i])
            caches.append(c)
        return self.head(self.lnf(x)), caches


def blas_in_use():
    """The BLAS library actually mapped into this process (Debian's torch links the generic libblas.so.3)."""
    torch.ones(64, 64) @ torch.ones(64, 64)
    with open("/proc/self/maps") as f:
        maps = f.read()
    for name in ("openblas", "mkl", "blis", "atlas"):
        if name in maps:
            return name
    return "reference"


def median_time(fn, warmup, reps):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab", type=int, default=32)
    p.add_argument("--ctx", type=int, default=64)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--samples", type=int, default=32)
    p.add_argument("--prompt", type=int, default=16)
    p.add_argument("--new", type=int, default=48)
    p.add_argument("--threads", type=int, default=2, help="OpenBLAS threads (set before torch loads)")
    p.add_argument("--torch-threads", type=int, default=1, help="PyTorch intra-op threads")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--serve", action="store_true", help="answer 'train' / 'sample_naive' / 'sample_kv' lines on stdin with one timing each, so a caller can interleave measurements")
    a = p.parse_args()

    torch.set_num_threads(a.torch_threads)
    torch.manual_seed(0)
    model = GPT(a.vocab, a.ctx, a.d, a.layers, a.heads)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    data = torch.randint(3, a.vocab, (a.batch, a.ctx + 1))

    def train_step():
        logits, _ = model(data[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, a.vocab), data[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()

    prompts = torch.randint(3, a.vocab, (a.samples, a.prompt))

    @torch.inference_mode()
    def sample_naive():
        seq = prompts
        for _ in range(a.new):
            logits, _ = model(seq)
            nxt = torch.multinomial(logits[:, -1].softmax(-1), 1)
            seq = torch.cat([seq, nxt], dim=1)
        return seq

    @torch.inference_mode()
    def sample_kv():
        logits, past = model(prompts)
        seq = prompts
        for i in range(a.new):
            nxt = torch.multinomial(logits[:, -1].softmax(-1), 1)
            seq = torch.cat([seq, nxt], dim=1)
            if i < a.new - 1:
                logits, past = model(nxt, past, start=seq.shape[1] - 1)
        return seq

    meta = {
        "torch_version": torch.__version__,
        "threads": a.threads,
        "blas_threads": int(os.environ["OPENBLAS_NUM_THREADS"]),
        "intra_op_threads": torch.get_num_threads(),
        "blas": blas_in_use(),
        "params": sum(t.numel() for t in model.parameters()),
    }
    if a.serve:
        jobs = {"train": train_step, "sample_naive": sample_naive, "sample_kv": sample_kv}
        print(json.dumps(meta), flush=True)
        for line in sys.stdin:
            job = jobs.get(line.strip())
            if job is None:
                break
            t = time.perf_counter()
            job()
            print(json.dumps(time.perf_counter() - t), flush=True)
        return

    out = {
        **meta,
        "train_step_s": median_time(train_step, 2, a.reps),
        "sample_naive_s": median_time(sample_naive, 1, a.reps),
        "sample_kv_s": median_time(sample_kv, 1, a.reps),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
