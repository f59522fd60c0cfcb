"""Traces from Python: NumPy views without copies, writing from NumPy, the file format round
trip, and bad input as one-line Python exceptions."""
import json
import os
import unittest

import attnscope
from support import TempDirTest, needs_numpy, softmax_attention

TOKENS = ["The", "cat", "sat", "on", "the", "mat"]


@needs_numpy
class TraceTest(TempDirTest):
    def test_weights_are_read_only_views_that_keep_the_trace_alive(self):
        import numpy as np
        a = softmax_attention(2, 3, 6, 6)
        t = attnscope.Trace.from_attention(a, TOKENS)
        w1, w2 = t.layers[1].weights, t.layers[1].weights
        self.assertEqual(w1.shape, (3, 6, 6))
        self.assertEqual(w1.dtype, np.float32)
        self.assertEqual(w1.ctypes.data, w2.ctypes.data)  # the same C++ storage, not copies
        self.assertFalse(w1.flags.owndata)
        self.assertFalse(w1.flags.writeable)
        with self.assertRaises(ValueError):
            w1[0, 0, 0] = 1.0
        np.testing.assert_array_equal(w1, a[1])
        layer = t.layers[0]
        del t  # the views and the layer keep the trace alive
        np.testing.assert_array_equal(w2, a[1])
        np.testing.assert_array_equal(layer.weights, a[0])

    def test_float32_input_is_not_converted_and_other_dtypes_are(self):
        import numpy as np
        a = softmax_attention(1, 2, 6, 6)
        t32 = attnscope.Trace.from_attention(a, TOKENS)
        t64 = attnscope.Trace.from_attention(a.astype(np.float64), TOKENS)
        np.testing.assert_array_equal(t32.layers[0].weights, t64.layers[0].weights)
        # A non-contiguous view is accepted too (copied once into C order).
        big = softmax_attention(1, 4, 6, 6)
        t = attnscope.Trace.from_attention(big[:, ::2], TOKENS)
        np.testing.assert_array_equal(t.layers[0].weights, big[0, ::2])

    def test_write_read_round_trip(self):
        import numpy as np
        a = softmax_attention(2, 4, 6, 6, causal=True)
        p32, p16 = self.path("f32.attn.safetensors"), self.path("f16.attn.safetensors")
        attnscope.write_trace(p32, a, TOKENS, mechanism="scaled_dot", meta={"model": "numpy"}, f16=False)
        attnscope.write_trace(p16, a, TOKENS)
        t = attnscope.read_trace(p32)
        self.assertEqual(t.sequences, {"tokens": TOKENS})
        self.assertEqual(t.meta, {"model": "numpy"})
        self.assertEqual([(l.name, l.heads, l.queries, l.keys, l.keep, l.mechanism) for l in t.layers],
                         [(f"layer.{i}", 4, 6, 6, "dense", "scaled_dot") for i in range(2)])
        for i in range(2):
            np.testing.assert_array_equal(t.layers[i].weights, a[i])  # float32: exact
            np.testing.assert_allclose(attnscope.read_trace(p16).layers[i].weights, a[i], rtol=2 ** -10, atol=1e-7)
        with open(p32, "rb") as f:
            self.assertEqual(f.read(), t.to_bytes(f16=False))
        self.assertEqual(attnscope.Trace.from_bytes(t.to_bytes()).to_bytes(), t.to_bytes())

    def test_cross_attention_tokens(self):
        a = softmax_attention(1, 2, 3, 5)
        t = attnscope.Trace.from_attention(a, {"queries": ["a", "b", "c"], "keys": list("vwxyz"),
                                               "query_name": "target", "key_name": "source"})
        self.assertEqual(t.sequences, {"target": ["a", "b", "c"], "source": list("vwxyz")})
        self.assertEqual((t.layers[0].query_seq, t.layers[0].key_seq), ("target", "source"))

    def assertOneLine(self, cm, *parts):
        msg = str(cm.exception)
        self.assertNotIn("\n", msg)
        for p in parts:
            self.assertIn(p, msg)

    def test_bad_input_is_a_python_exception(self):
        import numpy as np
        a = softmax_attention(2, 3, 6, 6)
        with self.assertRaises(attnscope.ShapeError) as cm:
            attnscope.Trace.from_attention(a, TOKENS[:4])
        self.assertOneLine(cm, "[2, 3, 6, 6]", "4 tokens")
        self.assertIsInstance(cm.exception, ValueError)
        with self.assertRaises(attnscope.ShapeError) as cm:
            attnscope.Trace.from_attention(np.ones((1, 1, 1, 6, 6), np.float32), TOKENS)
        self.assertOneLine(cm, "[1, 1, 1, 6, 6]")
        with self.assertRaises(attnscope.ShapeError):
            attnscope.Trace.from_attention(np.ones(6, np.float32), TOKENS)
        nan = a.copy()
        nan[1, 2, 3, 4] = np.nan
        with self.assertRaises(attnscope.BadValueError) as cm:
            attnscope.Trace.from_attention(nan, TOKENS)
        self.assertOneLine(cm, "NaN")
        with self.assertRaises(attnscope.BadValueError) as cm:
            attnscope.Trace.from_attention(-a, TOKENS)
        self.assertOneLine(cm, ">= 0")
        with self.assertRaises(attnscope.FormatError) as cm:
            attnscope.Trace.from_attention(a, [1, 2, 3, 4, 5, 6])
        self.assertOneLine(cm, "list of strings")
        with self.assertRaises(TypeError):
            attnscope.Trace.from_attention(a, object())  # not JSON
        with self.assertRaises((TypeError, ValueError)):
            attnscope.Trace.from_attention([["x"]], ["a"])

    def test_bad_files_are_python_exceptions(self):
        missing = self.path("missing.attn.safetensors")
        with self.assertRaises(attnscope.IoError) as cm:
            attnscope.read_trace(missing)
        self.assertIsInstance(cm.exception, OSError)
        self.assertOneLine(cm, "missing.attn.safetensors")
        bad = self.path("bad.attn.safetensors")
        with open(bad, "wb") as f:
            f.write(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}")
        with self.assertRaises(attnscope.FormatError) as cm:
            attnscope.read_trace(bad)
        self.assertOneLine(cm, "bad.attn.safetensors")
        with self.assertRaises(attnscope.Error):
            attnscope.Trace.from_bytes(b"\x00" * 3)
        t = attnscope.Trace.from_attention(softmax_attention(1, 1, 6, 6), TOKENS)
        with self.assertRaises(attnscope.IoError):
            t.write(os.path.join(self.dir, "no", "such", "dir", "x.attn.safetensors"))


if __name__ == "__main__":
    unittest.main()
