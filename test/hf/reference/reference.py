#!/usr/bin/python3
"""Independent PyTorch reference for the tiny Qwen2 / Llama / OLMo2 checkpoints of test/hf.

Written from the published semantics of transformers' modeling_{qwen2,llama,olmo2}.py and
modeling_rope_utils.py (no code shared with them or with our TypeScript), in float64:
  * RMSNorm: x * rsqrt(mean(x^2) + eps) * weight
  * RoPE, "rotate half" layout: x*cos + [-x2, x1]*sin, inv_freq = theta^(-2i/d), scaled per rope_scaling
    (linear: /factor; dynamic: unchanged up to max_position_embeddings; llama3: by wavelength bands)
  * attention: GQA (kv head j serves query heads j*G..j*G+G-1), scale head_dim^-0.5, causal + key padding
  * qwen2: q/k/v biases; llama: attention_bias / mlp_bias; olmo2: q_norm/k_norm over the whole
    projection, no input norm, post_attention / post_feedforward norms on the sublayer outputs
  * SwiGLU MLP: down(silu(gate(x)) * up(x)); tied or untied LM head
Position ids count real tokens (left padding does not shift them), as the runtime's sampler does.

Usage: /usr/bin/python3 test/hf/reference/reference.py DIR [DIR ...] > out.json
Each DIR is a checkpoint written by test/hf/reference/write-checkpoints.ts (it holds
reference-inputs.json). Needs only torch (any 1.x/2.x) and the standard library.
"""
import json
import math
import os
import struct
import sys

import torch

torch.set_grad_enabled(True)
DT = torch.float64


# ------------------------------------------------------------------ safetensors (own reader)

def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
        base = 8 + n
        out = {}
        for name, info in header.items():
            if name == "__metadata__":
                continue
            b, e = info["data_offsets"]
            f.seek(base + b)
            raw = bytearray(f.read(e - b))
            dtype = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[info["dtype"]]
            t = torch.frombuffer(raw, dtype=dtype) if len(raw) else torch.zeros(0, dtype=dtype)
            out[name] = t.reshape(info["shape"]).to(DT)
        return out


def read_checkpoint(d):
    index = os.path.join(d, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    w = {}
    for fn in files:
        w.update(read_safetensors(os.path.join(d, fn)))
    return w


# ------------------------------------------------------------------ model

def inv_freq(cfg, head_dim):
    theta = float(cfg.get("rope_theta", 10000.0))
    inv = [1.0 / theta ** (2 * i / head_dim) for i in range(head_dim // 2)]
    rs = cfg.get("rope_scaling") or {}
    kind = rs.get("rope_type", rs.get("type", "default"))
    if kind == "linear":
        inv = [f / rs["factor"] for f in inv]
    elif kind == "llama3":
        factor, lo, hi = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        res = []
        for f in inv:
            wl = 2 * math.pi / f
            if wl < old / hi:
                res.append(f)
            elif wl > old / lo:
                res.append(f / factor)
            else:
                s = (old / wl - lo) / (hi - lo)
                res.append((1 - s) * f / factor + s * f)
        inv = res
    elif kind not in ("default", "dynamic"):
        raise SystemExit("unsupported rope type " + kind)
    return torch.tensor(inv, dtype=DT)


def rms(x, w, eps):
    return x * torch.rsqrt((x * x).mean(-1, keepdim=True) + eps) * w


def rope(x, cos, sin):
    # x [B, heads, T, hd]; cos/sin [B, 1, T, hd]
    h = x.shape[-1] // 2
    rot = torch.cat([-x[..., h:], x[..., :h]], dim=-1)
    return x * cos + rot * sin


def forward(cfg, W, ids, mask):
    """Logits [B, T, V] for ids [B, T] (long) and mask [B, T] (0/1)."""
    mt = cfg["model_type"]
    D = cfg["hidden_size"]
    H = cfg["num_attention_heads"]
    Hkv = cfg.get("num_key_value_heads", H)
    hd = cfg.get("head_dim") or D // H
    eps = cfg.get("rms_norm_eps", 1e-6)
    B, T = ids.shape
    tied = cfg.get("tie_word_embeddings", False)

    def lin(x, name, bias):
        y = x @ W[name + ".weight"].T
        return y + W[name + ".bias"] if bias else y

    qkv_bias = mt == "qwen2" or cfg.get("attention_bias", False)
    o_bias = mt != "qwen2" and cfg.get("attention_bias", False)
    mlp_bias = mt == "llama" and cfg.get("mlp_bias", False)

    pos = (torch.cumsum(mask, dim=1) - mask).to(DT)  # real tokens before each position
    ang = pos[:, :, None] * inv_freq(cfg, hd)[None, None, :]
    emb = torch.cat([ang, ang], dim=-1)
    cos, sin = emb.cos()[:, None], emb.sin()[:, None]
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    allowed = causal[None, :, :] & (mask[:, None, :] > 0)  # [B, Tq, Tk]
    bias = torch.zeros(B, 1, T, T, dtype=DT).masked_fill(~allowed[:, None], float("-inf"))
    # rows with no allowed key (left padding) are never compared; keep them finite
    bias = torch.where(allowed[:, None].any(-1, keepdim=True), bias, torch.zeros_like(bias))

    x = W["model.embed_tokens.weight"][ids]
    for i in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % i
        h = x if mt == "olmo2" else rms(x, W[p + "input_layernorm.weight"], eps)
        q = lin(h, p + "self_attn.q_proj", qkv_bias)
        k = lin(h, p + "self_attn.k_proj", qkv_bias)
        v = lin(h, p + "self_attn.v_proj", qkv_bias)
        if mt == "olmo2":
            q = rms(q, W[p + "self_attn.q_norm.weight"], eps)
            k = rms(k, W[p + "self_attn.k_norm.weight"], eps)
        q = q.view(B, T, H, hd).transpose(1, 2)
        k = k.view(B, T, Hkv, hd).transpose(1, 2)
        v = v.view(B, T, Hkv, hd).transpose(1, 2)
        q, k = rope(q, cos, sin), rope(k, cos, sin)
        k = k.repeat_interleave(H // Hkv, dim=1)
        v = v.repeat_interleave(H // Hkv, dim=1)
        att = torch.softmax(q @ k.transpose(2, 3) / math.sqrt(hd) + bias, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, H * hd)
        a = lin(y, p + "self_attn.o_proj", o_bias)
        if mt == "olmo2":
            x = x + rms(a, W[p + "post_attention_layernorm.weight"], eps)
            h2 = x
        else:
            x = x + a
            h2 = rms(x, W[p + "post_attention_layernorm.weight"], eps)
        g = lin(h2, p + "mlp.gate_proj", mlp_bias)
        u = lin(h2, p + "mlp.up_proj", mlp_bias)
        m = lin(torch.nn.functional.silu(g) * u, p + "mlp.down_proj", mlp_bias)
        if mt == "olmo2":
            m = rms(m, W[p + "post_feedforward_layernorm.weight"], eps)
        x = x + m
    x = rms(x, W["model.norm.weight"], eps)
    head = W["model.embed_tokens.weight"] if tied else W["lm_head.weight"]
    return x @ head.T


def grad_indices(numel):
    return [((k + 1) * 2654435761) % numel for k in range(8)]


def run(d):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(d, "reference-inputs.json")) as f:
        inp = json.load(f)
    W = {k: v.requires_grad_(True) for k, v in read_checkpoint(d).items()}
    ids = torch.tensor(inp["ids"], dtype=torch.long)
    mask = torch.tensor(inp["mask"], dtype=torch.long)
    logits = forward(cfg, W, ids, mask)

    # Cross-entropy of each real next token, mean over pairs (grads compared with the runtime's).
    lp = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:, None])[..., 0]
    pair = (mask[:, :-1] * mask[:, 1:]).to(DT)
    loss = -(lp * pair).sum() / pair.sum()
    loss.backward()
    grads = {}
    for name, w in sorted(W.items()):
        g = w.grad.reshape(-1)
        idx = grad_indices(g.numel())
        grads[name] = {"norm": g.norm().item(), "maxabs": g.abs().max().item(), "idx": idx, "vals": [g[i].item() for i in idx]}

    with torch.no_grad():
        seq = list(inp["greedyPrompt"])
        for _ in range(inp["greedySteps"]):
            t = torch.tensor([seq], dtype=torch.long)
            seq.append(int(forward(cfg, W, t, torch.ones_like(t))[0, -1].argmax()))
        # the margin between the two best logits at each step says how safely greedy can be compared
        margins = []
        t = torch.tensor([seq[:-1]], dtype=torch.long)
        lg = forward(cfg, W, t, torch.ones_like(t))[0]
        for j in range(len(inp["greedyPrompt"]) - 1, len(seq) - 1):
            top = torch.topk(lg[j], 2).values
            margins.append((top[0] - top[1]).item())

    L = logits.detach()
    real = [[float("%.9g" % v) for v in L[b, t].tolist()] if inp["mask"][b][t] else None for b in range(L.shape[0]) for t in range(L.shape[1])]
    return {
        "loss": loss.item(),
        "logits": real,
        "greedy": seq[len(inp["greedyPrompt"]):],
        "greedyMargins": margins,
        "grads": grads,
    }


def main():
    out = {"torch": torch.__version__, "models": {}}
    for d in sys.argv[1:]:
        out["models"][os.path.basename(os.path.normpath(d))] = run(d)
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
