#include "attnscope/io/safetensors.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/half.h"
#include "test_util.h"
#include "shared_data.h"

using namespace attnscope;
using namespace attnscope::io;
using attnscope::io::testing::raw_safetensors;

namespace {
std::string error_of(const std::string& bytes) {
  try {
    SafetensorsFile::from_bytes(bytes, "t.safetensors");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}
std::string f32_bytes(std::initializer_list<float> v) {
  std::string s(v.size() * 4, '\0');
  std::memcpy(s.data(), std::data(v), s.size());
  return s;
}
}  // namespace

TEST(Safetensors, WriterRoundTripsEveryTypedAdd) {
  SafetensorsWriter w;
  const std::vector<float> a{1.5f, -2.0f, 0.25f, 3.0f, 4.0f, 5.0f};
  const std::vector<int32_t> idx{3, -1, 7};
  const std::vector<int64_t> big{int64_t{1} << 40, -5};
  const std::vector<uint8_t> px{0, 128, 255, 7};
  w.add_f32("a", {2, 3}, a);
  w.add_f16("a16", {6}, a);
  w.add_bf16("abf", {3, 2}, a);
  w.add_i32("idx", {3}, idx);
  w.add_i64("big", {2}, big);
  w.add_u8("px", {2, 2, 1}, px);
  w.add_f32("empty", {0, 4}, {});
  w.set_metadata("step", "12");
  w.set_metadata("config", R"({"dim": 64})");
  const std::string bytes = w.serialize();
  ASSERT_EQ(bytes.size() % 1, 0u);

  const auto f = SafetensorsFile::from_bytes(bytes);
  EXPECT_EQ(f.tensors().size(), 7u);
  EXPECT_EQ(f.metadata().at("step"), "12");
  EXPECT_EQ(f.metadata().at("config"), R"({"dim": 64})");
  EXPECT_EQ(f.info("a").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(f.info("a16").dtype, DType::F16);
  EXPECT_EQ(f.read_f32("a"), a);
  EXPECT_EQ(f.read_f32("a16"), a);  // all exactly representable in f16 and bf16
  EXPECT_EQ(f.read_f32("abf"), a);
  EXPECT_EQ(f.read_i64("idx"), (std::vector<int64_t>{3, -1, 7}));
  EXPECT_EQ(f.read_i64("big"), big);
  EXPECT_EQ(f.read_f32("px"), (std::vector<float>{0, 128, 255, 7}));
  EXPECT_EQ(f.info("empty").numel(), 0);
  EXPECT_TRUE(f.read_f32("empty").empty());
  // Data start 8-byte aligned and each tensor is aligned to its element size.
  EXPECT_EQ((8 + f.header_bytes()) % 8, 0u);
  for (const auto& t : f.tensors()) EXPECT_EQ(t.begin % dtype_size(t.dtype), 0u) << t.name;
  // Contiguous, no gaps: the reference implementation rejects gaps.
  uint64_t end = 0;
  for (const auto& t : f.tensors()) {
    EXPECT_EQ(t.begin, end) << t.name;
    end = t.end;
  }
  EXPECT_EQ(8 + f.header_bytes() + end, bytes.size());
}

TEST(Safetensors, WriteIsAtomicAndReadable) {
  const std::string dir = attnscope::io::testing::scratch_dir("safetensors_write");
  const std::string path = dir + "/x.safetensors";
  SafetensorsWriter w;
  const std::vector<float> v{1, 2, 3};
  w.add_f32("v", {3}, v);
  w.write(path);
  EXPECT_EQ(read_file(path), w.serialize());
  const auto f = SafetensorsFile::open(path);
  EXPECT_EQ(f.read_f32("v"), v);
  for (const auto& e : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(e.path().filename(), "x.safetensors");  // no temp file left behind
}

TEST(Safetensors, WriterRejectsBadInput) {
  SafetensorsWriter w;
  const std::vector<float> v{1, 2, 3};
  EXPECT_THROW(w.add_f32("v", {2, 2}, v), ShapeError);
  EXPECT_THROW(w.add_f32("", {3}, v), ValueError);
  EXPECT_THROW(w.add_f32("__metadata__", {3}, v), ValueError);
  w.add_f32("v", {3}, v);
  EXPECT_THROW(w.add_f16("v", {3}, v), ValueError);
  EXPECT_THROW(w.add_f32("neg", {-1}, {}), ShapeError);
}

TEST(Safetensors, ReadsF16Bf16F64IntoF32) {
  std::string data;
  const uint16_t h[2] = {f32_to_f16(0.5f), f32_to_f16(-3.0f)};
  const uint16_t b[2] = {f32_to_bf16(2.0f), f32_to_bf16(-0.125f)};
  const double d[2] = {1e-3, 42.0};
  data.append(reinterpret_cast<const char*>(d), 16);
  data.append(reinterpret_cast<const char*>(h), 4);
  data.append(reinterpret_cast<const char*>(b), 4);
  const std::string header = R"({"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},)"
                             R"("h":{"dtype":"F16","shape":[1,2],"data_offsets":[16,20]},)"
                             R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[20,24]}})";
  const auto f = SafetensorsFile::from_bytes(raw_safetensors(header, data));
  EXPECT_EQ(f.read_f32("h"), (std::vector<float>{0.5f, -3.0f}));
  EXPECT_EQ(f.read_f32("b"), (std::vector<float>{2.0f, -0.125f}));
  EXPECT_EQ(f.read_f32("d"), (std::vector<float>{1e-3f, 42.0f}));
  std::vector<float> buf(3);
  EXPECT_THROW(f.read_f32("d", buf), ShapeError);
  EXPECT_THROW(f.read_i64("d"), FormatError);
  EXPECT_THROW(f.read_f32("missing"), FormatError);
  EXPECT_TRUE(f.metadata().empty());
}

TEST(Safetensors, TruncatedFile) {
  EXPECT_NE(error_of("").find("truncated"), std::string::npos);
  EXPECT_NE(error_of("abc").find("truncated"), std::string::npos);
  // A valid file cut inside its data section.
  SafetensorsWriter w;
  const std::vector<float> v(16, 1.0f);
  w.add_f32("v", {16}, v);
  const std::string full = w.serialize();
  const std::string msg = error_of(full.substr(0, full.size() - 5));
  EXPECT_NE(msg.find("past the end of the data section"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'v'"), std::string::npos) << msg;
}

TEST(Safetensors, HeaderLengthPastEnd) {
  std::string bytes = raw_safetensors("{}", "");
  bytes[0] = 100;  // claims 100 header bytes, only 2 present
  const std::string msg = error_of(bytes);
  EXPECT_NE(msg.find("header length 100 runs past the end"), std::string::npos) << msg;
  bytes[7] = 0x7f;  // absurd length
  EXPECT_NE(error_of(bytes).find("exceeds"), std::string::npos);
}

TEST(Safetensors, NonJsonHeader) {
  EXPECT_NE(error_of(raw_safetensors("{not json", "")).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(raw_safetensors("", "")).find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(raw_safetensors("[1,2]", "")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(error_of(raw_safetensors(std::string("{}\0\0", 4), "")).find("not valid JSON"), std::string::npos);
  // Messages are one line.
  EXPECT_EQ(error_of(raw_safetensors("{\n\n", "")).find('\n'), std::string::npos);
}

TEST(Safetensors, OverlappingRanges) {
  const std::string data = f32_bytes({1, 2, 3, 4});
  const std::string msg = error_of(raw_safetensors(
      R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
      data));
  EXPECT_NE(msg.find("overlap"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'a'"), std::string::npos);
  // A zero-byte tensor inside another tensor's bytes also overlaps.
  EXPECT_NE(error_of(raw_safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                     R"("z":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})",
                                     data))
                .find("overlap"),
            std::string::npos);
  // Same range twice.
  EXPECT_NE(error_of(raw_safetensors(R"({"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},)"
                                     R"("b":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})",
                                     data))
                .find("overlap"),
            std::string::npos);
}

TEST(Safetensors, EntryValidation) {
  const std::string data = f32_bytes({1, 2, 3, 4});
  auto err = [&](const std::string& entry) {
    return error_of(raw_safetensors(R"({"t":)" + entry + "}", data));
  };
  EXPECT_NE(err(R"({"dtype":"F99","shape":[4],"data_offsets":[0,16]})").find("unknown dtype 'F99'"), std::string::npos);
  EXPECT_NE(err(R"({"dtype":"F32","shape":[-4],"data_offsets":[0,16]})").find("non-negative"), std::string::npos);
  EXPECT_NE(err(R"({"dtype":"F32","shape":[2.5],"data_offsets":[0,16]})").find("non-negative"), std::string::npos);
  EXPECT_NE(err(R"({"dtype":"F32","shape":[3],"data_offsets":[0,16]})").find("= 12 bytes but data_offsets span 16"),
            std::string::npos);
  EXPECT_NE(err(R"({"dtype":"F32","shape":[4],"data_offsets":[16,0]})").find("end < begin"), std::string::npos);
  EXPECT_NE(err(R"({"dtype":"F32","shape":[4],"data_offsets":[4,20]})").find("past the end"), std::string::npos);
  EXPECT_NE(err(R"({"dtype":"F32","shape":[4]})").find("data_offsets"), std::string::npos);
  EXPECT_NE(err(R"({"shape":[4],"data_offsets":[0,16]})").find("dtype"), std::string::npos);
  EXPECT_NE(err(R"({"dtype":"F32","data_offsets":[0,16]})").find("shape"), std::string::npos);
  EXPECT_NE(err(R"(7)").find("not a JSON object"), std::string::npos);
  EXPECT_NE(err(R"({"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,16]})")
                .find("too large"),
            std::string::npos);
  EXPECT_EQ(err(R"({"dtype":"F32","shape":[2,2],"data_offsets":[0,16]})"), "");
}

TEST(Safetensors, MetadataAndDuplicateKeys) {
  EXPECT_NE(error_of(raw_safetensors(R"({"__metadata__":{"a":1}})", "")).find("'a' is not a string"),
            std::string::npos);
  EXPECT_NE(error_of(raw_safetensors(R"({"__metadata__":[1]})", "")).find("__metadata__ is not"), std::string::npos);
  EXPECT_NE(error_of(raw_safetensors(R"({"__metadata__":{},"__metadata__":{}})", "")).find("twice"),
            std::string::npos);
  const std::string e = R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
  EXPECT_NE(error_of(raw_safetensors(R"({"x":)" + e + R"(,"x":)" + e + "}", f32_bytes({1}))).find("'x' twice"),
            std::string::npos);
  const auto f = SafetensorsFile::from_bytes(raw_safetensors(R"({"__metadata__":{"format":"pt"}}  )", ""));
  EXPECT_EQ(f.metadata().at("format"), "pt");
  EXPECT_TRUE(f.tensors().empty());
}

TEST(Safetensors, OpenErrorsNameThePath) {
  try {
    SafetensorsFile::open("/nonexistent/x.safetensors");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/x.safetensors"), std::string::npos);
  }
  EXPECT_THROW(SafetensorsFile::open(ATTNSCOPE_BINARY_DIR), IoError);  // a directory
}

// A real checkpoint written by Python: stories260K (derived by the data curator with the
// reference safetensors writer). Its embedding must equal the floats of the llama2.c .bin.
TEST(Safetensors, ReadsRealStories260K) {
  const std::string dir = attnscope::testing::stories_dir();
  if (!std::filesystem::exists(dir + "/stories260K.safetensors"))
    GTEST_SKIP() << "../shared/data absent: real-checkpoint test skipped";
  const auto f = SafetensorsFile::open(dir + "/stories260K.safetensors");
  int64_t params = 0;
  for (const auto& t : f.tensors()) params += t.numel();
  EXPECT_EQ(params, 260032);
  EXPECT_EQ(f.metadata().at("format"), "pt");
  const auto& emb = f.info("tok_embeddings.weight");
  EXPECT_EQ(emb.shape, (std::vector<int64_t>{512, 64}));
  const std::vector<float> e = f.read_f32("tok_embeddings.weight");
  const std::string bin = read_file(dir + "/stories260K.bin");
  ASSERT_GE(bin.size(), 28 + e.size() * 4);
  std::vector<float> ref(e.size());
  std::memcpy(ref.data(), bin.data() + 28, ref.size() * 4);  // after llama2.c's 7-int header
  EXPECT_EQ(e, ref);
}

// Readers are stored in vectors (one per checkpoint shard): copies and moves must keep working.
TEST(Safetensors, CopiesAndMovesStayValid) {
  SafetensorsWriter w;
  const std::vector<float> v{1, 2, 3};
  w.add_f32("a_rather_long_tensor_name_beyond_small_string_optimisation", {3}, v);
  std::vector<SafetensorsFile> files;
  for (int i = 0; i < 9; ++i) files.push_back(SafetensorsFile::from_bytes(w.serialize()));
  std::optional<SafetensorsFile> copy;
  {
    const SafetensorsFile original = SafetensorsFile::from_bytes(w.serialize());
    copy.emplace(original);
  }
  EXPECT_EQ(copy->read_f32("a_rather_long_tensor_name_beyond_small_string_optimisation"), v);
  for (const auto& f : files) EXPECT_TRUE(f.contains("a_rather_long_tensor_name_beyond_small_string_optimisation"));
}
