"""The soft-attention captioner of bench/caption_train.cpp in plain PyTorch: conv3x3(3->C/2) relu,
conv3x3(C/2->C/2) relu maxpool2, conv3x3(C/2->C) relu maxpool2, conv3x3(C->C) relu -> cells
[B, K, C] + learned positions -> LayerNorm; an LSTMCell(E + 2 -> H) from a zero state fed the
previous word and where the previous step looked (alpha-weighted cell centre); additive attention
v . tanh(Wq h + Wk cells); context gated by sigmoid(W h); logits = Linear(dropout([h; z])).
Cross-entropy over B x (T + 1) words, AdamW. Prints {"images_per_s": ...}.
Usage: caption_torch.py B S THREADS"""
import json, sys, time
import torch

B, S, threads = (int(a) for a in sys.argv[1:4])
torch.set_num_threads(threads)
torch.manual_seed(1)
V, T, C, E, H, A = 2000, 12, 64, 64, 128, 64
g = S // 4
K = g * g


class Captioner(torch.nn.Module):
    def __init__(self):
        super().__init__()
        conv = lambda i, o: torch.nn.Conv2d(i, o, 3, padding=1)
        self.c1, self.c2, self.c3, self.c4 = conv(3, C // 2), conv(C // 2, C // 2), conv(C // 2, C), conv(C, C)
        self.pos = torch.nn.Parameter(0.1 * torch.randn(1, K, C))
        self.norm = torch.nn.LayerNorm(C)
        self.emb = torch.nn.Embedding(V, E)
        self.lstm = torch.nn.LSTMCell(E + 2, H)
        self.wq = torch.nn.Linear(H, A, bias=False)
        self.wk = torch.nn.Linear(C, A)
        self.v = torch.nn.Linear(A, 1, bias=False)
        self.gate = torch.nn.Linear(H, C)
        self.out = torch.nn.Linear(H + C, V)
        self.drop = torch.nn.Dropout(0.1)
        xs = [(2 * (k % g + 0.5) / g - 1, 2 * (k // g + 0.5) / g - 1) for k in range(K)]
        self.register_buffer("coords", torch.tensor(xs))

    def forward(self, images, inputs):
        relu, pool = torch.relu, torch.nn.functional.max_pool2d
        x = relu(self.c1(images))
        x = pool(relu(self.c2(x)), 2)
        x = pool(relu(self.c3(x)), 2)
        x = relu(self.c4(x))                                        # [B, C, g, g]
        cells = self.norm(x.flatten(2).transpose(1, 2) + self.pos)  # [B, K, C]
        keys = self.wk(cells)                                       # [B, K, A]
        h = torch.zeros(images.shape[0], H)
        c = torch.zeros_like(h)
        where = torch.zeros(images.shape[0], 2)
        logits = []
        for t in range(inputs.shape[1]):
            h, c = self.lstm(torch.cat([self.emb(inputs[:, t]), where], 1), (h, c))
            alpha = torch.softmax(self.v(torch.tanh(self.wq(h)[:, None] + keys)).squeeze(2), 1)  # [B, K]
            z = torch.sigmoid(self.gate(h)) * torch.bmm(alpha[:, None], cells).squeeze(1)
            where = alpha @ self.coords
            logits.append(self.out(self.drop(torch.cat([h, z], 1))))
        return torch.stack(logits, 1)                               # [B, T + 1, V]


model = Captioner()
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0)
pixels = torch.randint(0, 256, (B, 3, S, S), dtype=torch.uint8)
words = torch.randint(4, V, (B, T))
inputs = torch.cat([torch.full((B, 1), 2), words], 1)               # <bos> w1..wT
targets = torch.cat([words, torch.full((B, 1), 3)], 1)              # w1..wT <eos>
loss_fn = torch.nn.CrossEntropyLoss()


def step():
    images = (pixels.float() / 255 - 0.5) / 0.25                   # normalised inside the step, as ours
    opt.zero_grad()
    loss_fn(model(images, inputs).reshape(-1, V), targets.reshape(-1)).backward()
    opt.step()


for _ in range(3):
    step()
n, start = 0, time.perf_counter()
while time.perf_counter() - start < 5.0:
    step()
    n += 1
print(json.dumps({"images_per_s": n * B / (time.perf_counter() - start)}))
