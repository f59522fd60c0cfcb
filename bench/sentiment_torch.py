"""The sentiment classifier of bench/sentiment_train.cpp in plain PyTorch: Embedding -> dropout
-> bidirectional GRU -> additive attention pooling with a learned query -> dropout -> Linear,
cross-entropy, AdamW; word dropout 0.1. Prints {"sentences_per_s": ...} for B sentences of T words.
Usage: sentiment_torch.py B T H THREADS"""
import json, sys, time
import torch

B, T, H, threads = (int(a) for a in sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(1)
V = 16000


class Model(torch.nn.Module):
    def __init__(self):
        super().__init__()
        D = 2 * H
        self.emb = torch.nn.Embedding(V, H)
        self.drop = torch.nn.Dropout(0.5)
        self.gru = torch.nn.GRU(H, H, batch_first=True, bidirectional=True)
        self.query = torch.nn.Parameter(torch.randn(1, 1, D) / D ** 0.5)
        self.wq = torch.nn.Linear(D, D, bias=False)
        self.wk = torch.nn.Linear(D, D)
        self.v = torch.nn.Linear(D, 1, bias=False)
        self.out = torch.nn.Linear(D, 2)

    def forward(self, ids):
        if self.training:  # word dropout: <unk> = 1
            ids = torch.where(torch.rand(ids.shape) < 0.1, torch.ones_like(ids), ids)
        h, _ = self.gru(self.drop(self.emb(ids)))                      # [B, T, D]
        e = self.v(torch.tanh(self.wq(self.query) + self.wk(h)))      # [B, T, 1]
        a = torch.softmax(e, dim=1)
        return self.out(self.drop((a * h).sum(1)))


model = Model()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0)
ids = torch.randint(4, V, (B, T))
labels = torch.randint(0, 2, (B,))
loss_fn = torch.nn.CrossEntropyLoss()


def step():
    opt.zero_grad()
    loss_fn(model(ids), labels).backward()
    opt.step()


for _ in range(5):
    step()
n, start = 0, time.perf_counter()
while time.perf_counter() - start < 3.0:
    step()
    n += 1
print(json.dumps({"sentences_per_s": n * B / (time.perf_counter() - start)}))
