"""attnscope.torch: attention of PyTorch modules recorded into traces. A trace written from
nn.MultiheadAttention through the module equals, byte for byte, the one `attnscope trace import`
writes from the same weights saved as .npy; callers of a recorded module see what they asked for."""
import json
import os
import unittest

import attnscope
from support import HAVE_TORCH, TempDirTest, cli, needs_torch

if HAVE_TORCH:
    import numpy as np
    import torch
    from torch import nn

    from attnscope.torch import AttentionRecorder

    class TwoLayers(nn.Module):
        """Two self-attention layers, as a transformer stacks them (residuals, no MLP)."""

        def __init__(self, dim=16, heads=4, batch_first=True):
            super().__init__()
            self.a = nn.MultiheadAttention(dim, heads, batch_first=batch_first)
            self.b = nn.MultiheadAttention(dim, heads, batch_first=batch_first)

        def forward(self, x):
            x = x + self.a(x, x, x, need_weights=False)[0]
            return x + self.b(x, x, x)[0]

TOKENS = ["The", "cat", "sat", "on", "the", "mat", "."]


@needs_torch
class TorchTest(TempDirTest):
    def setUp(self):
        super().setUp()
        torch.manual_seed(0)
        self.model = TwoLayers().eval()
        self.x = torch.randn(2, len(TOKENS), 16)

    def reference_weights(self, batch=0):
        """Per-head weights of both layers computed without the recorder: [2, heads, T, T]."""
        with torch.no_grad():
            h = self.x + self.model.a(self.x, self.x, self.x)[0]
            wa = self.model.a(self.x, self.x, self.x, average_attn_weights=False)[1]
            wb = self.model.b(h, h, h, average_attn_weights=False)[1]
        return torch.stack([wa[batch], wb[batch]]).numpy()

    def test_trace_equals_trace_import_of_the_same_weights(self):
        with AttentionRecorder(self.model) as rec:
            self.model(self.x)
        self.assertEqual(len(rec.records), 2)
        w = rec.weights(batch=1)
        np.testing.assert_allclose(w, self.reference_weights(batch=1), rtol=1e-6, atol=1e-7)
        npy, tok = self.path("w.npy"), self.path("tokens.json")
        np.save(npy, w)
        with open(tok, "w") as f:
            json.dump(TOKENS, f)
        meta = {"model": "two-mha", "source": "attnscope trace import"}  # what `trace import` records
        for f32 in (False, True):
            with self.subTest(f32=f32):
                flags = ["--f32"] if f32 else []
                cli_path, py_path = self.path(f"cli{f32}.attn.safetensors"), self.path(f"py{f32}.attn.safetensors")
                cli("trace", "import", npy, "--tokens", tok, "--mechanism", "scaled_dot", "--model", "two-mha",
                    "-o", cli_path, *flags)
                rec.trace(TOKENS, batch=1, meta=meta).write(py_path, f16=not f32)
                with open(cli_path, "rb") as a, open(py_path, "rb") as b:
                    self.assertEqual(a.read(), b.read())
                t = attnscope.read_trace(cli_path)
                self.assertEqual([l.name for l in t.layers], ["layer.0", "layer.1"])
                self.assertEqual(t.layers[0].weights.shape, (4, 7, 7))

    def test_callers_get_what_they_asked_for(self):
        mha = self.model.a
        with torch.no_grad():
            plain_out, plain_avg = mha(self.x, self.x, self.x)
            with AttentionRecorder(mha) as rec:
                out, avg = mha(self.x, self.x, self.x)
                out2, none = mha(self.x, self.x, self.x, None, False)  # need_weights=False, positional
                _, per_head = mha(self.x, self.x, self.x, average_attn_weights=False)
        self.assertEqual(len(rec.records), 3)
        torch.testing.assert_close(out, plain_out)
        torch.testing.assert_close(out2, plain_out)
        torch.testing.assert_close(avg, plain_avg)
        self.assertIsNone(none)
        self.assertEqual(tuple(per_head.shape), (2, 4, 7, 7))
        self.assertEqual(tuple(rec.records[0].shape), (2, 4, 7, 7))
        self.assertNotIn("forward", mha.__dict__)  # the class's forward again after the block
        mha(self.x, self.x, self.x)
        self.assertEqual(len(rec.records), 3)

    def test_transformer_encoder_layers_and_unbatched_input(self):
        torch.manual_seed(1)
        enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, dim_feedforward=32, dropout=0.0), 3).eval()
        x = torch.randn(len(TOKENS), 1, 16)  # [T, batch, dim]
        expected = enc(x)
        with AttentionRecorder(enc) as rec:
            got = enc(x)
        torch.testing.assert_close(got, expected)
        t = rec.trace(TOKENS, meta={"model": "encoder"})
        self.assertEqual([(l.heads, l.queries, l.keys) for l in t.layers], [(4, 7, 7)] * 3)
        np.testing.assert_allclose(t.layers[2].weights.sum(-1), 1.0, rtol=1e-5)
        mha = nn.MultiheadAttention(8, 2)
        with AttentionRecorder(mha) as rec:
            mha(torch.randn(5, 8), torch.randn(5, 8), torch.randn(5, 8))  # unbatched [T, dim]
        self.assertEqual(rec.weights().shape, (1, 2, 5, 5))

    def test_any_module_returning_weights(self):
        class Toy(nn.Module):
            def forward(self, x):
                w = torch.softmax(x @ x.transpose(-1, -2), dim=-1).unsqueeze(1)  # [B, 1, T, T]
                return w @ x.unsqueeze(1), w

        class HfLike:
            def __init__(self, attentions):
                self.attentions = attentions

        class Hf(nn.Module):
            def forward(self, x):
                return HfLike(tuple(Toy()(x)[1] for _ in range(2)))

        x = torch.randn(1, 4, 3)
        for module, layers in [(Toy(), 1), (Hf(), 2)]:
            with AttentionRecorder(module) as rec:
                module(x)
            self.assertEqual(rec.weights().shape, (layers, 1, 4, 4))
        pick = AttentionRecorder(Toy(), extract=lambda out: out[1][:, :, :2])
        with pick:
            pick.modules[0](x)
        self.assertEqual(pick.weights().shape, (1, 1, 2, 4))
        lin = nn.Linear(3, 3)
        with self.assertRaises(ValueError) as cm, AttentionRecorder(lin):
            lin(x)
        self.assertIn("no attention weights", str(cm.exception))

    def test_bad_recordings_are_one_line_errors(self):
        rec = AttentionRecorder(self.model)
        with self.assertRaises(ValueError) as cm:
            rec.trace(TOKENS)
        self.assertIn("nothing recorded", str(cm.exception))
        mask = torch.zeros(2, len(TOKENS), dtype=torch.bool)
        mask[0, :] = True  # every key of item 0 masked: softmax over nothing is NaN
        with rec:
            self.model.a(self.x, self.x, self.x, key_padding_mask=mask)
        with self.assertRaises(attnscope.BadValueError) as cm:
            rec.trace(TOKENS, batch=0)
        self.assertIn("NaN", str(cm.exception))
        self.assertNotIn("\n", str(cm.exception))
        self.assertEqual(len(rec.trace(TOKENS, batch=1).layers), 1)
        with self.assertRaises(IndexError):
            rec.trace(TOKENS, batch=2)
        with self.assertRaises(attnscope.ShapeError):
            rec.trace(TOKENS[:3], batch=1)
        with self.assertRaises(TypeError):
            AttentionRecorder([])


if __name__ == "__main__":
    unittest.main()
