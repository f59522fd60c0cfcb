"""python/examples/*.py run as docs/PYTHON.md shows them, and write what they say."""
import json
import os
import subprocess
import sys
import unittest

import attnscope
from support import SOURCE_DIR, TempDirTest, needs_torch


@needs_torch
class ExamplesTest(TempDirTest):
    def test_transformer_attention(self):
        script = os.path.join(SOURCE_DIR, "python", "examples", "transformer_attention.py")
        r = subprocess.run([sys.executable, script, self.dir], capture_output=True, text=True, timeout=240)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("attnscope viewer: http://127.0.0.1:", r.stdout)
        self.assertIn("viewer closed", r.stdout)
        t = attnscope.read_trace(self.path("sentence.attn.safetensors"))
        self.assertEqual([(l.heads, l.queries) for l in t.layers], [(4, 11)] * 3)
        with open(self.path("report.json")) as f:
            report = json.load(f)
        # Analyzed in memory (float32), so close to but not the report of the float16 file.
        self.assertEqual(report["source"], "sentence.attn.safetensors")
        self.assertEqual([len(l["heads"]) for l in report["layers"]], [4, 4, 4])
        self.assertTrue(all(isinstance(h["role"], str) for l in report["layers"] for h in l["heads"]))
        self.assertEqual(len(report["sequences"][0]["rollout"]), 11)
        with open(self.path("model_view.png"), "rb") as f:
            self.assertTrue(f.read().startswith(b"\x89PNG"))
        with open(self.path("head_view.svg"), "rb") as f:
            self.assertIn(b"<svg", f.read(400))


if __name__ == "__main__":
    unittest.main()
