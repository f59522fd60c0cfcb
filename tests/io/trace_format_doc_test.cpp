// docs/TRACE_FORMAT.md's Python example is part of the specification: run it exactly as
// written (extracted between its markers) and read the file back with our reader.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "attnscope/core/fs.h"
#include "attnscope/io/npy.h"
#include "attnscope/io/trace_io.h"
#include "test_util.h"

using namespace attnscope;

TEST(TraceFormatDoc, PythonExampleWritesAReadableTrace) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with numpy not available: the documented Python example was not run";
  const std::string doc = read_file(std::string(ATTNSCOPE_SOURCE_DIR) + "/docs/TRACE_FORMAT.md");
  const size_t b = doc.find("<!-- trace-example-begin -->"), e = doc.find("<!-- trace-example-end -->");
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  std::string block = doc.substr(b, e - b);
  const size_t code = block.find("```python\n") + 10;
  block = block.substr(code, block.rfind("```") - code);
  const int lines = static_cast<int>(std::count(block.begin(), block.end(), '\n'));
  EXPECT_LE(lines, 32) << "the example should stay short";

  const std::string dir = io::testing::scratch_dir("trace_doc");
  // Run the example verbatim, then save the float32 reference next to it.
  write_file_atomic(dir + "/example.py", block + "\nnp.save('ref.npy', attn.astype(np.float32))\n");
  ASSERT_EQ(std::system(("cd '" + dir + "' && /usr/bin/python3 example.py").c_str()), 0);

  const io::Trace t = io::read_trace(dir + "/example.attn.safetensors");
  ASSERT_EQ(t.layers.size(), 2u);
  EXPECT_EQ(t.sequences.at(0).tokens, (std::vector<std::string>{"The", "cat", "sat", "down", "."}));
  EXPECT_EQ(t.meta.at("model"), "numpy");
  const std::vector<float> ref = io::read_npy(dir + "/ref.npy").to_f32();  // [2, 4, 5, 5]
  ASSERT_EQ(ref.size(), 200u);
  for (size_t l = 0; l < 2; ++l) {
    EXPECT_EQ(t.layers[l].heads, 4);
    for (size_t i = 0; i < 100; ++i)
      // NumPy rounds float64 -> f16 directly: within half an f16 ulp of the reference.
      ASSERT_NEAR(t.layers[l].weights[i], ref[l * 100 + i], std::fabs(ref[l * 100 + i]) * 0x1p-11f + 1e-7f);
  }
}
