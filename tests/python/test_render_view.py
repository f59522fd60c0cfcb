"""render returns the bytes `attnscope render` writes; view serves a trace from a background
thread and stops on close() / leaving the with block."""
import json
import urllib.error
import urllib.request
import unittest

import attnscope
from support import TempDirTest, cli, needs_numpy, softmax_attention

TOKENS = ["The", "cat", "sat", "on", "the", "mat"]


@needs_numpy
class RenderTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.trace_path = self.path("t.attn.safetensors")
        self.trace = attnscope.write_trace(self.trace_path, softmax_attention(2, 3, 6, 6, seed=1), TOKENS,
                                           meta={"model": "numpy"})

    def test_bytes_equal_the_cli_picture(self):
        for view, head, ext in [("heatmap", 1, "png"), ("heatmap", "all", "png"), ("head", None, "svg"),
                                ("model", None, "png")]:
            with self.subTest(view=view, head=head, ext=ext):
                out = self.path(f"cli.{ext}")
                layer = None if view == "model" else -1  # the model view draws every layer: it takes none
                flags = ["--view", view] + (["--layer", str(layer)] if layer is not None else []) + \
                    (["--head", str(head)] if head is not None else [])
                cli("render", self.trace_path, *flags, "-o", out)
                with open(out, "rb") as f:
                    expected = f.read()
                # The file's weights (float16), not the float32 ones it was written from.
                got = attnscope.render(attnscope.read_trace(self.trace_path), view=view, layer=layer, head=head,
                                       format=ext)
                self.assertTrue(got.startswith(b"\x89PNG" if ext == "png" else b"<?xml"))
                if ext == "png":  # SVG embeds surface ids that differ between runs
                    self.assertEqual(got, expected)
        p = self.path("py.png")
        self.assertIsNone(attnscope.render(self.trace_path, path=p))
        with open(p, "rb") as f:
            self.assertTrue(f.read().startswith(b"\x89PNG"))

    def test_bad_requests_are_one_line_errors(self):
        for kw, part in [(dict(view="pie"), "pie"), (dict(layer=7), "layer"), (dict(head=9), "head"),
                         (dict(cmap="rainbow"), "rainbow"), (dict(format="bmp"), "bmp"),
                         (dict(view="overlay", head="all"), "overlay"), (dict(scale="log"), "log")]:
            with self.subTest(kw=kw):
                with self.assertRaises(attnscope.ConfigError) as cm:
                    attnscope.render(self.trace, **kw)
                self.assertNotIn("\n", str(cm.exception))
                self.assertIn(part, str(cm.exception))
        with self.assertRaises(TypeError):
            attnscope.render(self.trace, layer=1.5)


@needs_numpy
class ViewTest(TempDirTest):
    def test_serves_from_a_thread_until_closed(self):
        t = attnscope.Trace.from_attention(softmax_attention(2, 3, 6, 6), TOKENS, meta={"model": "numpy"})
        with attnscope.view(t) as v:
            self.assertTrue(v.url.startswith("http://127.0.0.1:"))
            self.assertTrue(v.running)
            with urllib.request.urlopen(v.url.rstrip("/") + "/api/meta", timeout=10) as r:
                meta = json.load(r)
            self.assertEqual([l["name"] for l in meta["layers"]], ["layer.0", "layer.1"])
            with urllib.request.urlopen(v.url, timeout=10) as r:
                self.assertIn(b"<html", r.read().lower())
        self.assertFalse(v.running)
        with self.assertRaises(urllib.error.URLError):
            urllib.request.urlopen(v.url, timeout=5)
        v.close()  # idempotent

    def test_two_viewers_and_a_taken_port(self):
        t = attnscope.Trace.from_attention(softmax_attention(1, 1, 6, 6), TOKENS)
        a = attnscope.view(t)
        try:
            port = int(a.url.rstrip("/").rsplit(":", 1)[1])
            with self.assertRaises(attnscope.IoError) as cm:
                attnscope.view(t, port=port)
            self.assertNotIn("\n", str(cm.exception))
            with attnscope.view(t) as b:
                self.assertNotEqual(a.url, b.url)
        finally:
            a.close()


if __name__ == "__main__":
    unittest.main()
