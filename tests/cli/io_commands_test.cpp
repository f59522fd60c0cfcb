// Runs build/attnscope on good and bad files (inspect, trace import) and checks the contract:
// bad input -> exactly one line on stderr starting "attnscope: error:", exit 1 (2 for usage),
// never a crash, never a half-written output file.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "cli_fixture.h"

namespace {

using namespace cli_test;

void spit(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary) << bytes;
}

class IoCommands : public CliTest {
 protected:
  void SetUp() override { make_dir("cli_"); }
};

std::string u64le(uint64_t n) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((n >> (8 * i)) & 0xff);
  return s;
}
std::string safetensors(const std::string& header, const std::string& data) { return u64le(header.size()) + header + data; }

const std::string kHeader =
    R"({"__metadata__":{"format":"pt","step":"42"},)"
    R"("embed.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},)"
    R"("norm.bias":{"dtype":"F16","shape":[4],"data_offsets":[24,32]}})";
std::string good_file() { return safetensors(kHeader, std::string(32, '\0')); }

// A float32 .npy of the given shape, all values 1/keys.
std::string npy(const std::vector<int64_t>& shape) {
  std::string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  int64_t n = 1;
  for (int64_t d : shape) dict += std::to_string(d) + ", ", n *= d;
  dict += "), }";
  while ((10 + dict.size() + 1) % 64) dict += ' ';
  dict += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out += static_cast<char>(dict.size() & 0xff);
  out += static_cast<char>(dict.size() >> 8);
  out += dict;
  const float v = 1.0f / static_cast<float>(shape.back());
  for (int64_t i = 0; i < n; ++i) out.append(reinterpret_cast<const char*>(&v), 4);
  return out;
}

}  // namespace

TEST_F(IoCommands, InspectListsTensorsAndMetadata) {
  spit(dir_ / "m.safetensors", good_file());
  const CmdResult r = run("inspect m.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_NE(r.out.find("2 tensors"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("embed.weight  F32    [2, 3]  24"), std::string::npos) << r.out;  // aligned columns
  EXPECT_NE(r.out.find("norm.bias     F16    [4]     8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("step    42"), std::string::npos) << r.out;
}

TEST_F(IoCommands, InspectTruncatedFile) {
  const std::string f = good_file();
  spit(dir_ / "t.safetensors", f.substr(0, f.size() - 7));
  expect_error("inspect t.safetensors", 1, "past the end of the data section");
  spit(dir_ / "tiny.safetensors", "abc");
  expect_error("inspect tiny.safetensors", 1, "truncated");
  spit(dir_ / "empty.safetensors", "");
  expect_error("inspect empty.safetensors", 1, "truncated");
}

TEST_F(IoCommands, InspectHeaderLengthPastEnd) {
  spit(dir_ / "h.safetensors", u64le(1000000) + "{}");
  expect_error("inspect h.safetensors", 1, "header length 1000000 runs past the end of the file");
  spit(dir_ / "huge.safetensors", u64le(~uint64_t{0}) + "{}");
  expect_error("inspect huge.safetensors", 1, "exceeds");
}

TEST_F(IoCommands, InspectOverlappingRange) {
  spit(dir_ / "o.safetensors",
       safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                   std::string(16, '\0')));
  expect_error("inspect o.safetensors", 1, "overlap");
}

TEST_F(IoCommands, InspectNonJsonHeader) {
  spit(dir_ / "j.safetensors", safetensors("this is not json", ""));
  expect_error("inspect j.safetensors", 1, "header: not valid JSON");
  spit(dir_ / "arr.safetensors", safetensors("[1, 2]", ""));
  expect_error("inspect arr.safetensors", 1, "not a JSON object");
}

TEST_F(IoCommands, InspectUsageAndMissingFile) {
  expect_error("inspect does-not-exist.safetensors", 1, "cannot open");
  expect_error("inspect", 2, "usage");
  expect_error("inspect --bogus x", 2, "usage");
  expect_error("inspect .", 1, "directory");
}

TEST_F(IoCommands, TraceImportThenInspect) {
  spit(dir_ / "attn.npy", npy({2, 3, 4, 4}));
  spit(dir_ / "tokens.json", R"(["The", "cat", "sat", "."])");
  CmdResult r = run("trace import attn.npy --tokens tokens.json -o out.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 layers x 3 heads, 4 queries x 4 keys"), std::string::npos) << r.out;
  r = run("inspect out.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("attention trace"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("The cat sat ."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("layer.1"), std::string::npos) << r.out;

  spit(dir_ / "cross.npy", npy({1, 2, 3, 5}));
  spit(dir_ / "cross.json", R"({"queries": ["a", "b", "c"], "keys": ["1", "2", "3", "4", "5"]})");
  r = run("trace import cross.npy --tokens cross.json -o cross.attn.safetensors --capture topk:2 --f32");
  ASSERT_EQ(r.code, 0) << r.err;
  r = run("inspect cross.attn.safetensors");
  EXPECT_NE(r.out.find("queries -> keys"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("topk:2"), std::string::npos) << r.out;
}

TEST_F(IoCommands, TraceImportBadInput) {
  spit(dir_ / "attn.npy", npy({1, 2, 4, 4}));
  spit(dir_ / "five.json", R"(["a", "b", "c", "d", "e"])");
  expect_error("trace import attn.npy --tokens five.json -o o.attn.safetensors", 1,
               "has 4 queries x 4 keys but the token list has 5 tokens");
  EXPECT_FALSE(fs::exists(dir_ / "o.attn.safetensors"));  // nothing half-written
  spit(dir_ / "cross.json", R"({"queries": ["a", "b", "c", "d"], "keys": ["x"]})");
  expect_error("trace import attn.npy --tokens cross.json -o o.attn.safetensors", 1, "4 queries and 1 keys");
  spit(dir_ / "bad.json", R"(["a", "b", )");
  expect_error("trace import attn.npy --tokens bad.json -o o.attn.safetensors", 1, "not valid JSON");
  spit(dir_ / "nums.json", R"([1, 2, 3, 4])");
  expect_error("trace import attn.npy --tokens nums.json -o o.attn.safetensors", 1, "list of strings");
  spit(dir_ / "four.json", R"(["a", "b", "c", "d"])");
  spit(dir_ / "broken.npy", npy({1, 2, 4, 4}).substr(0, 100));
  expect_error("trace import broken.npy --tokens four.json -o o.attn.safetensors", 1, "truncated");
  spit(dir_ / "flat.npy", npy({16}));
  expect_error("trace import flat.npy --tokens four.json -o o.attn.safetensors", 1, "[layers, heads, queries, keys]");
  expect_error("trace import attn.npy --tokens four.json -o o.attn.safetensors --capture topk:x", 2, "usage");
  expect_error("trace import attn.npy -o o.attn.safetensors", 2, "--tokens");
  expect_error("trace import missing.npy --tokens four.json -o o.attn.safetensors", 2, "missing.npy");
  expect_error("trace", 2, "subcommand");
  EXPECT_FALSE(fs::exists(dir_ / "o.attn.safetensors"));
}

// A trace whose tokens disagree with its weights, and a truncated trace: every command reading
// traces goes through io::read_trace; `inspect` shows the error contract.
TEST_F(IoCommands, InspectBrokenTraces) {
  spit(dir_ / "attn.npy", npy({2, 3, 4, 4}));
  spit(dir_ / "tokens.json", R"(["The", "cat", "sat", "."])");
  ASSERT_EQ(run("trace import attn.npy --tokens tokens.json -o good.attn.safetensors").code, 0);
  const std::string good = slurp(dir_ / "good.attn.safetensors");
  // Drop the last token inside the JSON description, keeping the byte length (offsets stay valid).
  const std::string from = R"(\"sat\",\".\"])", to = R"(\"sat\"]      )";
  ASSERT_EQ(from.size(), to.size());
  std::string bad = good;
  const size_t at = bad.find(from);
  ASSERT_NE(at, std::string::npos);
  bad.replace(at, from.size(), to);
  spit(dir_ / "short.attn.safetensors", bad);
  expect_error("inspect short.attn.safetensors", 1, "4 queries but sequence 'tokens' has 3 tokens");
  spit(dir_ / "cut.attn.safetensors", good.substr(0, good.size() - 10));
  expect_error("inspect cut.attn.safetensors", 1, "truncated");
}

// Issue 16.4: topk:8 on a 5-token text used to fail after running the model ("top-k k = 8 must be
// in [1, keys = 5]"); the one rule is to clamp k to the keys and say so.
TEST_F(IoCommands, TraceTopkLargerThanTheTextIsClampedWithANote) {
  const std::string model = std::string(ATTNSCOPE_SOURCE_DIR) + "/../shared/data/model_stories260K_llama";
  if (!fs::exists(model)) GTEST_SKIP() << "../shared/data is absent (real-model test)";
  const CmdResult r = run("trace '" + model + "' 'Once upon a time' --capture topk:8 -o t.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("note: topk:8 asks for more weights per row than there are keys; kept 5"), std::string::npos) << r.err;
  const CmdResult i = run("inspect t.attn.safetensors");
  EXPECT_NE(i.out.find("topk:5"), std::string::npos) << i.out;
}
