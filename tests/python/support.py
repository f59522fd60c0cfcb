"""Shared helpers of the Python tests: the CLI binary, temporary directories, optional modules."""
import importlib.util
import os
import shutil
import subprocess
import tempfile
import unittest

HAVE_NUMPY = importlib.util.find_spec("numpy") is not None
HAVE_TORCH = importlib.util.find_spec("torch") is not None
needs_numpy = unittest.skipUnless(HAVE_NUMPY, "NumPy is not installed (Debian: python3-numpy)")
needs_torch = unittest.skipUnless(HAVE_TORCH and HAVE_NUMPY, "PyTorch is not installed (Debian: python3-torch)")

BIN = os.environ.get("ATTNSCOPE_BIN", "attnscope")
SOURCE_DIR = os.environ.get("ATTNSCOPE_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def cli(*args):
    """Runs the attnscope binary; fails the test with its stderr when it fails."""
    r = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    if r.returncode != 0:
        raise AssertionError(f"attnscope {' '.join(map(str, args))} exited {r.returncode}: {r.stderr.strip()}")
    return r


class TempDirTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix=f"attnscope-py-{self.id().rsplit('.', 1)[-1]}-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name):
        return os.path.join(self.dir, name)


def softmax_attention(layers, heads, queries, keys, seed=0, causal=False):
    """Random attention weights [layers, heads, queries, keys], rows summing to 1, float32."""
    import numpy as np
    rng = np.random.default_rng(seed)
    s = rng.normal(scale=2.0, size=(layers, heads, queries, keys))
    if causal:
        s = np.where(np.tril(np.ones((queries, keys), bool)), s, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)
