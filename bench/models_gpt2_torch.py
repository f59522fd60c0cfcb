#!/usr/bin/python3
"""Plain-PyTorch GPT-2 of the GPT-2-small shape (12 layers, 12 heads, d 768, vocab 50257, random
weights), forward at T = 128 and 1024 with 2 threads: prints one JSON object {T: tokens/s}.
The comparison partner of bench_models_gpt2 (bench/models_gpt2.sh). Exit 3 without torch."""
import json
import math
import sys
import time

try:
    import torch
except ImportError:
    sys.exit(3)

torch.set_num_threads(2)
torch.manual_seed(0)
C, L, NH, V, P = 768, 12, 12, 50257, 1024


class Block(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1, self.ln2 = torch.nn.LayerNorm(C), torch.nn.LayerNorm(C)
        self.attn, self.proj = torch.nn.Linear(C, 3 * C), torch.nn.Linear(C, C)
        self.fc, self.fc2 = torch.nn.Linear(C, 4 * C), torch.nn.Linear(4 * C, C)

    def forward(self, x):
        T = x.shape[0]
        q, k, v = self.attn(self.ln1(x)).split(C, dim=-1)
        q, k, v = (t.view(T, NH, C // NH).transpose(0, 1) for t in (q, k, v))
        s = (q @ k.transpose(-1, -2)) / math.sqrt(C // NH)
        s = s.masked_fill(torch.ones(T, T, dtype=torch.bool).triu(1), float("-inf"))
        o = (s.softmax(-1) @ v).transpose(0, 1).reshape(T, C)
        x = x + self.proj(o)
        return x + self.fc2(torch.nn.functional.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class Gpt2(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe = torch.nn.Embedding(V, C), torch.nn.Embedding(P, C)
        self.blocks = torch.nn.ModuleList(Block() for _ in range(L))
        self.lnf = torch.nn.LayerNorm(C)

    def forward(self, ids):
        x = self.wte(ids) + self.wpe(torch.arange(ids.shape[0]))
        for b in self.blocks:
            x = b(x)
        return self.lnf(x) @ self.wte.weight.T


model = Gpt2().eval()
out = {}
with torch.inference_mode():
    for T, iters in ((128, 5), (1024, 1)):
        ids = torch.randint(0, V, (T,))
        model(ids)  # warm-up
        t0 = time.perf_counter()
        for _ in range(iters):
            model(ids)
        out[T] = T * iters / (time.perf_counter() - t0)
print(json.dumps({"torch": torch.__version__, "tokens_per_s": out}))
