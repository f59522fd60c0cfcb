"""The soft-attention captioner of bench/caption_train.cpp in plain PyTorch, with each data's
defaults: conv3x3(3->C/2) relu, conv3x3(C/2->C/2) relu maxpool2, conv3x3(C/2->C) relu maxpool2,
conv3x3(C->C) relu -> cells [B, K, C] + learned positions -> LayerNorm; an LSTMCell fed the previous
word and where the previous step looked (alpha-weighted cell centre); additive attention
v . tanh(Wq h + Wk keys); context gated by sigmoid(W h); logits = Linear(dropout([h; z])).
32 px (the scenes' defaults): the keys are a 1x1 convolution (3->C/2) relu averaged over each 4x4
cell, Linear(C/2->C) + positions -> LayerNorm, and the score adds a location term
w . tanh(L [alpha_prev, alpha_sum]) per cell; zero start. 64 px (photos' defaults): the keys are
the cells; the LSTM starts from tanh(W mean(cells)) and also reads the previous context z.
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
    def __init__(self, scenes):
        super().__init__()
        self.scenes = scenes
        conv = lambda i, o: torch.nn.Conv2d(i, o, 3, padding=1)
        self.c1, self.c2, self.c3, self.c4 = conv(3, C // 2), conv(C // 2, C // 2), conv(C // 2, C), conv(C, C)
        self.pos = torch.nn.Parameter(0.1 * torch.randn(1, K, C))
        self.norm = torch.nn.LayerNorm(C)
        if scenes:  # pixel keys and location features
            self.pix = torch.nn.Conv2d(3, C // 2, 1)
            self.pix_proj = torch.nn.Linear(C // 2, C)
            self.pix_pos = torch.nn.Parameter(0.1 * torch.randn(1, K, C))
            self.pix_norm = torch.nn.LayerNorm(C)
            self.loc_in = torch.nn.Linear(2, 16)
            self.loc_out = torch.nn.Linear(16, 1, bias=False)
        else:  # start from the image, feed the context back
            self.init_h, self.init_c = torch.nn.Linear(C, H), torch.nn.Linear(C, H)
        self.emb = torch.nn.Embedding(V, E)
        self.lstm = torch.nn.LSTMCell(E + 2 + (0 if scenes else C), H)
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
        n = images.shape[0]
        if self.scenes:
            own = torch.nn.functional.avg_pool2d(relu(self.pix(images)), 4).flatten(2).transpose(1, 2)  # [B, K, C/2]
            keys = self.wk(self.pix_norm(self.pix_proj(own) + self.pix_pos))                           # [B, K, A]
            h, c = torch.zeros(n, H), torch.zeros(n, H)
            last, covered = torch.zeros(n, K), torch.zeros(n, K)
        else:
            keys = self.wk(cells)
            mean = cells.mean(1)
            h, c = torch.tanh(self.init_h(mean)), torch.tanh(self.init_c(mean))
            z = torch.zeros(n, C)
        where = torch.zeros(n, 2)
        logits = []
        for t in range(inputs.shape[1]):
            x_t = [self.emb(inputs[:, t]), where] + ([] if self.scenes else [z])
            h, c = self.lstm(torch.cat(x_t, 1), (h, c))
            e = self.v(torch.tanh(self.wq(h)[:, None] + keys)).squeeze(2)                    # [B, K]
            if self.scenes:
                e = e + self.loc_out(torch.tanh(self.loc_in(torch.stack([last, covered], 2)))).squeeze(2)
            alpha = torch.softmax(e, 1)
            z = torch.sigmoid(self.gate(h)) * torch.bmm(alpha[:, None], cells).squeeze(1)
            where = alpha @ self.coords
            if self.scenes:
                last, covered = alpha, covered + alpha
            logits.append(self.out(self.drop(torch.cat([h, z], 1))))
        return torch.stack(logits, 1)                               # [B, T + 1, V]


model = Captioner(scenes=S == 32)
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
