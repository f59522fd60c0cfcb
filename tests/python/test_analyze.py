"""analyze from Python equals `attnscope analyze TRACE -o report.json` (the same JSON document),
with and without rollout / flow, for a path and for an in-memory trace."""
import json
import unittest

import attnscope
from support import TempDirTest, cli, needs_numpy, softmax_attention

TOKENS = ["<s>", "the", "cat", "sat", "on", "the", "mat", "."]


@needs_numpy
class AnalyzeTest(TempDirTest):
    def setUp(self):
        super().setUp()
        self.trace_path = self.path("lm.attn.safetensors")
        self.trace = attnscope.write_trace(self.trace_path, softmax_attention(3, 4, 8, 8, seed=3, causal=True), TOKENS,
                                           mechanism="scaled_dot", meta={"model": "numpy"}, f16=False)

    def cli_report(self, *flags):
        out = self.path("report.json")
        cli("analyze", self.trace_path, *flags, "-o", out, "-q")
        with open(out) as f:
            return json.load(f)

    def test_equals_the_cli_report(self):
        cases = [((), {}),
                 (("--rollout", "--flow"), dict(rollout=True, flow=True)),
                 (("--flow", "--query", "5", "--fusion", "max"), dict(flow=True, query=5, fusion="max"))]
        for flags, kw in cases:
            with self.subTest(flags=flags):
                expected = self.cli_report(*flags)
                self.assertIn("layers", expected)
                self.assertEqual(attnscope.analyze(self.trace_path, **kw), expected)
                # In memory (read back from the file, so the weights are the file's).
                t = attnscope.read_trace(self.trace_path)
                self.assertEqual(attnscope.analyze(t, source="lm.attn.safetensors", **kw), expected)
        self.assertEqual(len(attnscope.analyze(self.trace, rollout=True)["sequences"][0]["rollout"]), 8)

    def test_bad_requests_are_one_line_errors(self):
        for kw, part in [(dict(flow=True, query=8), "out of range"), (dict(query=1), "flow"),
                         (dict(flow=True, fusion="median"), "median"), (dict(flow=True, query=-3), "negative")]:
            with self.subTest(kw=kw):
                with self.assertRaises(attnscope.ConfigError) as cm:
                    attnscope.analyze(self.trace, **kw)
                self.assertIn(part, str(cm.exception))
                self.assertNotIn("\n", str(cm.exception))
        with self.assertRaises(OSError):
            attnscope.analyze(self.path("missing.attn.safetensors"))
        with self.assertRaises(TypeError):
            attnscope.analyze(42)


if __name__ == "__main__":
    unittest.main()
