"""PyTorch reference of one whole GRPO step, for bench/grpo-vs-torch.ts: the same GPT as torch_reference.py
(pre-norm, learned positions, tanh-GELU MLP, untied head), the same step as src/runtime/grpo/trainer.ts:

  1. sample `group` completions per prompt with a KV cache at temperature 1 (rows stop at EOS; the batch runs
     until every row stopped or max_new tokens), keeping each token's log-probability: the old log-probs;
  2. rewards (a fixed function of the tokens: the bench measures speed, not learning), group advantages
     (r - mean) / (std + 1e-9) with the unbiased std;
  3. one shuffled pass over the rollouts in minibatches: forward, log-probs of the response tokens and their
     entropies (stats, as ours), the clipped surrogate (eps 0.2) aggregated seq_mean_token_mean, backward,
     global grad-norm clip 1.0, Adam (betas 0.9/0.95, lr 3e-5: paper-mini's optimizer).

Serves one request per stdin line ('step' -> its seconds; 'rss' -> peak RSS in KiB), so the caller can
interleave its own steps. Threads as torch_reference.py: OpenBLAS N threads, intra-op 1 (set before torch
loads). Run with Debian's /usr/bin/python3."""
import argparse
import json
import os
import resource
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2")

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_reference import GPT, blas_in_use  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--vocab", type=int, required=True)
    p.add_argument("--ctx", type=int, required=True)
    p.add_argument("--d", type=int, default=128)
    p.add_argument("--layers", type=int, default=3)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--prompts", type=int, required=True, help="prompts per step")
    p.add_argument("--group", type=int, default=8)
    p.add_argument("--minibatch", type=int, default=32)
    p.add_argument("--prompt-len", type=int, required=True, help="prompt tokens, BOS included")
    p.add_argument("--max-new", type=int, required=True)
    p.add_argument("--eos", type=int, required=True)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = GPT(a.vocab, a.ctx, a.d, a.layers, a.heads)
    with torch.no_grad():  # GPT-2 init, as ours: N(0, 0.02) weights, zero biases, unit LayerNorm gains
        for name, w in model.named_parameters():
            if name.endswith("bias"):
                w.zero_()
            elif "ln" in name:
                w.fill_(1.0)
            else:
                w.normal_(0.0, 0.02)
    opt = torch.optim.Adam(model.parameters(), lr=3e-5, betas=(0.9, 0.95), eps=1e-8)
    N = a.prompts * a.group
    P = a.prompt_len

    @torch.inference_mode()
    def rollout(prompts):
        logits, past = model(prompts)
        tokens, logps = [], []
        done = torch.zeros(N, dtype=torch.bool)
        for i in range(a.max_new):
            logp_all = logits[:, -1].log_softmax(-1)
            nxt = torch.multinomial(logp_all.exp(), 1)
            tokens.append(torch.where(done[:, None], torch.full_like(nxt, a.eos), nxt))
            logps.append(logp_all.gather(1, nxt))
            done = done | (nxt[:, 0] == a.eos)
            if bool(done.all()) or i == a.max_new - 1:
                break
            logits, past = model(tokens[-1], past, start=P + i)
        toks = torch.cat(tokens, 1)
        # mask: tokens up to and including the row's first EOS
        is_eos = (toks == a.eos).int()
        mask = ((is_eos.cumsum(1) - is_eos) == 0).float()
        return toks, torch.cat(logps, 1) * mask, mask

    def step():
        prompts = torch.randint(3, a.vocab, (a.prompts, P)).repeat_interleave(a.group, 0)
        t0 = time.perf_counter()
        toks, old_logp, mask = rollout(prompts)
        sampled = time.perf_counter() - t0
        W = toks.shape[1]
        rewards = (toks * mask).sum(1).remainder(2).float()  # any function of the tokens
        g = rewards.view(a.prompts, a.group)
        adv = ((g - g.mean(1, keepdim=True)) / (g.std(1, keepdim=True) + 1e-9)).view(N, 1)
        ids = torch.cat([prompts, toks[:, :-1]], 1)
        for rows in torch.randperm(N).split(a.minibatch):
            logits, _ = model(ids[rows])
            logsm = logits[:, P - 1 : P - 1 + W].log_softmax(-1)
            logp = logsm.gather(2, toks[rows].unsqueeze(-1)).squeeze(-1)
            m = mask[rows]
            with torch.no_grad():
                entropy = -(logsm.exp() * logsm).sum(-1)
                _ = ((entropy * m).sum() / m.sum()).item()
            ratio = (logp - old_logp[rows]).exp()
            A = adv[rows]
            surrogate = -torch.min(ratio * A, ratio.clamp(0.8, 1.2) * A)
            loss = ((surrogate * m).sum(1) / m.sum(1).clamp(min=1)).mean()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            _ = loss.item()
        return W, sampled

    print(json.dumps({"torch_version": torch.__version__, "blas": blas_in_use(), "blas_threads": int(os.environ["OPENBLAS_NUM_THREADS"]), "intra_op_threads": torch.get_num_threads(), "params": sum(t.numel() for t in model.parameters())}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "step":
            t = time.perf_counter()
            W, sampled = step()
            print(json.dumps({"seconds": time.perf_counter() - t, "sample_seconds": sampled, "width": W}), flush=True)
        elif cmd == "rss":
            print(json.dumps(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss), flush=True)
        else:
            break


if __name__ == "__main__":
    main()
