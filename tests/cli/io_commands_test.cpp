// Runs build/attnscope on good and bad files (inspect, trace import) and checks the contract:
// bad input -> exactly one line on stderr starting "attnscope: error:", exit 1 (2 for usage),
// never a crash, never a half-written output file.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "cli_fixture.h"
#include "shared_data.h"

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
std::string npy(const std::vector<int64_t>& shape, float value = 0) {
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
  const float v = value != 0 ? value : 1.0f / static_cast<float>(shape.back());  // default: uniform rows
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
  EXPECT_EQ(run("trace import attn.npy --tokens bad.json -o o.attn.safetensors").err.find("json.exception"), std::string::npos);
  // Weights past float16's range would be stored as infinity (every reader then refuses the
  // trace): refused at import, and --f32 keeps them.
  spit(dir_ / "big.npy", npy({1, 1, 4, 4}, 3e38f));
  spit(dir_ / "four.json", R"(["a", "b", "c", "d"])");
  expect_error("trace import big.npy --tokens four.json -o o.attn.safetensors", 1, "weight 3e+38 is beyond float16's range");
  EXPECT_FALSE(fs::exists(dir_ / "o.attn.safetensors"));
  EXPECT_EQ(run("trace import big.npy --tokens four.json --f32 -o big.attn.safetensors").code, 0);
  spit(dir_ / "nums.json", R"([1, 2, 3, 4])");
  expect_error("trace import attn.npy --tokens nums.json -o o.attn.safetensors", 1, "list of strings");
  spit(dir_ / "four.json", R"(["a", "b", "c", "d"])");
  spit(dir_ / "broken.npy", npy({1, 2, 4, 4}).substr(0, 100));
  expect_error("trace import broken.npy --tokens four.json -o o.attn.safetensors", 1, "truncated");
  spit(dir_ / "flat.npy", npy({16}));
  expect_error("trace import flat.npy --tokens four.json -o o.attn.safetensors", 1, "[layers, heads, queries, keys]");
  expect_error("trace import attn.npy --tokens four.json -o o.attn.safetensors --capture topk:x", 2, "usage");
  expect_error("trace import attn.npy -o o.attn.safetensors", 2, "--tokens");
  // Issue 16: ,qk and ,next:K were accepted and silently dropped (the summary even printed them).
  // Refused before any file is read: the broken array is never opened.
  for (const char* capture : {"dense,qk", "topk:2,next:3", "stats,qk,next:5"})
    expect_error(std::string("trace import broken.npy --tokens four.json -o o.attn.safetensors --capture ") + capture, 2,
                 std::string("--capture ") + capture + ": ,qk and ,next:K come from running a model");
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
  const std::string model = attnscope::testing::stories_dir();
  if (!fs::exists(model)) GTEST_SKIP() << "../shared/data is absent (real-model test)";
  const CmdResult r = run("trace '" + model + "' 'Once upon a time' --capture topk:8 -o t.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("note: topk:8 asks for more weights per row than there are keys; kept 5"), std::string::npos) << r.err;
  const CmdResult i = run("inspect t.attn.safetensors");
  EXPECT_NE(i.out.find("topk:5"), std::string::npos) << i.out;
}

// Issue 16: `trace import` expressed only one sequence pair; a description naming arrays brings
// several sequences, an image grid, generation steps and training snapshots to every view.
TEST_F(IoCommands, TraceImportDescribedTraceReachesEveryView) {
  spit(dir_ / "attn.npy", npy({3, 1, 4, 4}));
  const std::string layers = R"([{"name": "self", "index": 0, "query_seq": "words", "key_seq": "words"},
                                  {"name": "look", "index": 1, "query_seq": "words", "key_seq": "image"}])";
  spit(dir_ / "trace.json", R"({"meta": {"task": "caption"},
    "sequences": [{"name": "words", "tokens": ["a", "cat", "on", "grass"]}, {"name": "image", "grid": [2, 2]}],
    "layers": )" + layers + R"(, "steps": [1, 2, 3],
    "snapshots": [{"label": "early", "step": 5, "layers": )" + layers + R"(},
                  {"label": "late", "step": 50, "layers": [{"name": "self", "index": 2, "query_seq": "words", "key_seq": "words"},
                                                           {"name": "look", "index": 2, "query_seq": "words", "key_seq": "image"}]}]})");
  CmdResult r = run("trace import attn.npy --describe trace.json -o t.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("2 layers x 1 head, 4 queries x 4 keys (dense), 2 sequences, 3 generation steps, 2 snapshots"),
            std::string::npos) << r.out;
  r = run("inspect t.attn.safetensors");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("words -> image"), std::string::npos) << r.out;
  EXPECT_EQ(run("render t.attn.safetensors --layer look -o look.png").code, 0);
  EXPECT_EQ(run("animate t.attn.safetensors --layer self -q -o steps.gif").code, 0);
  EXPECT_EQ(run("animate t.attn.safetensors --training --layer look -q -o training.gif").code, 0);
  EXPECT_EQ(run("show t.attn.safetensors --layer self").code, 0);
  // top-k reaches the snapshots too.
  ASSERT_EQ(run("trace import attn.npy --describe trace.json --capture topk:2 -o k.attn.safetensors").code, 0);
  EXPECT_NE(run("inspect k.attn.safetensors").out.find("topk:2"), std::string::npos);

  spit(dir_ / "bad.json", R"({"sequences": [{"name": "w", "tokens": ["a", "b", "c", "d"]}],
    "layers": [{"array": "other", "query_seq": "w", "key_seq": "w"}]})");
  expect_error("trace import attn.npy --describe bad.json -o o.attn.safetensors", 1, "'bad.json': layer 'layer.0': no array 'other' (there are: attn)");
  spit(dir_ / "tokens.json", R"(["a", "b", "c", "d"])");
  expect_error("trace import attn.npy --describe trace.json --tokens tokens.json -o o.attn.safetensors", 2, "excludes");
  expect_error("trace import attn.npy -o o.attn.safetensors", 2, "--describe");
  expect_error("trace import attn.npy --describe trace.json --capture dense,next:2 -o o.attn.safetensors", 2,
               ",qk and ,next:K come from running a model");
  EXPECT_FALSE(fs::exists(dir_ / "o.attn.safetensors"));
}

// Issue 16: export wrote only HTML; notebook users get the weights and statistics as tables.
TEST_F(IoCommands, ExportTablesAsCsvAndJson) {
  spit(dir_ / "attn.npy", npy({2, 3, 4, 4}));
  spit(dir_ / "tokens.json", R"(["The", "cat", "sat", "."])");
  ASSERT_EQ(run("trace import attn.npy --tokens tokens.json -o t.attn.safetensors").code, 0);
  CmdResult r = run("export t.attn.safetensors --csv -o w.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("weights, 96 rows"), std::string::npos) << r.out;  // 2 layers x 3 heads x 16
  const std::string csv = slurp(dir_ / "w.csv");
  EXPECT_EQ(csv.rfind("layer,head,query,key,query_token,key_token,weight\r\nlayer.0,0,0,0,The,The,0.25\r\n", 0), 0u) << csv;
  r = run("export t.attn.safetensors --csv --table rows --layer 1 --head mean -o rows.csv");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(slurp(dir_ / "rows.csv").find("layer.1,mean,3,.,"), std::string::npos);
  r = run("export t.attn.safetensors --json -o all.json");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("weights 96 rows, rows 24 rows, heads 6 rows"), std::string::npos) << r.out;
  const std::string json = slurp(dir_ / "all.json");
  EXPECT_NE(json.find(R"("heads":{"layer":["layer.0")"), std::string::npos) << json.substr(0, 300);

  expect_error("export t.attn.safetensors --csv -o w.json", 2, "should end in .csv");
  expect_error("export t.attn.safetensors --csv --json -o w.json", 2, "excludes");
  expect_error("export t.attn.safetensors -o w.csv", 2, "--html, --csv or --json");
  expect_error("export t.attn.safetensors --csv --table heads --head mean -o h.csv", 2, "not the mean");
  expect_error("export t.attn.safetensors --csv --layer 7 -o h.csv", 2, "out of range");
  expect_error("export t.attn.safetensors --html --layer 1 -o v.html", 2, "whole trace");
  expect_error("export t.attn.safetensors --csv --table bogus -o h.csv", 2, "bogus");
  EXPECT_FALSE(fs::exists(dir_ / "w.json"));
  EXPECT_FALSE(fs::exists(dir_ / "h.csv"));
  EXPECT_FALSE(fs::exists(dir_ / "v.html"));
}

// Issue 16: no way to check a tokenizer on a text. The model's SentencePiece tokenizer: BOS,
// then pieces whose byte offsets cover the text.
TEST_F(IoCommands, TokenizeShowsPiecesIdsAndOffsets) {
  const std::string model = attnscope::testing::stories_dir();
  if (!fs::exists(model)) GTEST_SKIP() << "../shared/data is absent (real-model test)";
  CmdResult r = run("tokenize '" + model + "' 'Once upon a time' --json");
  ASSERT_EQ(r.code, 0) << r.err;
  const nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["tokenizer"], "sentencepiece");
  EXPECT_EQ(j["vocab_size"], 512);
  ASSERT_GE(j["tokens"].size(), 5u);
  EXPECT_NE(j["tokens"][0]["piece"].get<std::string>().find("<s>"), std::string::npos);  // llama2.c stores "\n<s>\n"
  EXPECT_TRUE(j["tokens"][0]["special"].get<bool>());
  EXPECT_TRUE(j["tokens"][0]["begin"].is_null());
  EXPECT_EQ(j["tokens"][1]["begin"], 0);
  EXPECT_EQ(j["tokens"].back()["end"], 16);  // the last piece ends the text
  // The tokenizer file itself gives the same tokens; the table form prints a header line.
  const CmdResult t = run("tokenize '" + model + "/tok512.bin' 'Once upon a time'");
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_EQ(t.out.rfind("sentencepiece (vocabulary 512): ", 0), 0u) << t.out;
  expect_error("tokenize '" + model + "' hi --side target", 2, "only a translator");
  expect_error("tokenize /nonexistent hi", 2, "/nonexistent");
}
