#include "attnscope/io/npy.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/io/npz.h"
#include "test_util.h"
#include "zip_builder.h"

using namespace attnscope;
using namespace attnscope::io;

namespace {
std::string npy_f32(std::vector<int64_t> shape, const std::vector<float>& v) {
  return serialize_npy(DType::F32, shape, {reinterpret_cast<const unsigned char*>(v.data()), v.size() * 4});
}
std::string npy_error(const std::string& bytes) {
  try {
    parse_npy(bytes, "a.npy");
  } catch (const FormatError& e) {
    return e.what();
  }
  return "";
}
std::string with_header(const std::string& dict, const std::string& data) {
  std::string h = dict;
  while ((10 + h.size() + 1) % 64) h += ' ';
  h += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  const uint16_t n = static_cast<uint16_t>(h.size());
  out.append(reinterpret_cast<const char*>(&n), 2);
  return out + h + data;
}
}  // namespace

TEST(Npy, RoundTrip) {
  const std::vector<float> v{1, 2, 3, 4, 5, 6};
  const std::string bytes = npy_f32({2, 3}, v);
  EXPECT_EQ(bytes.find("'shape': (2, 3)"), 10u + std::string("{'descr': '<f4', 'fortran_order': False, ").size());
  const NpyArray a = parse_npy(bytes, "x");
  EXPECT_EQ(a.dtype, DType::F32);
  EXPECT_EQ(a.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(a.to_f32(), v);
  EXPECT_EQ(parse_npy(npy_f32({6}, v), "x").shape, (std::vector<int64_t>{6}));
  EXPECT_NE(npy_f32({6}, v).find("(6,)"), std::string::npos);
  const NpyArray scalar = parse_npy(npy_f32({}, {7.0f}), "x");
  EXPECT_TRUE(scalar.shape.empty());
  EXPECT_EQ(scalar.to_f32(), std::vector<float>{7.0f});
}

TEST(Npy, FortranOrderAndBigEndian) {
  // [[1,2,3],[4,5,6]] stored column-major: 1 4 2 5 3 6.
  std::vector<float> f{1, 4, 2, 5, 3, 6};
  std::string data(reinterpret_cast<const char*>(f.data()), 24);
  const NpyArray a = parse_npy(with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", data), "x");
  EXPECT_EQ(a.to_f32(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  // Big-endian int32 [1, 256].
  const std::string be("\x00\x00\x00\x01\x00\x00\x01\x00", 8);
  const NpyArray b = parse_npy(with_header("{'descr': '>i4', 'fortran_order': False, 'shape': (2,), }", be), "x");
  EXPECT_EQ(b.to_i64(), (std::vector<int64_t>{1, 256}));
  // Python-2 era "2L" and double quotes.
  const NpyArray c = parse_npy(with_header("{\"descr\": \"|u1\", \"fortran_order\": False, \"shape\": (2L,)}", "\x05\x07"), "x");
  EXPECT_EQ(c.to_i64(), (std::vector<int64_t>{5, 7}));
}

TEST(Npy, MalformedInputsGiveOneLineErrors) {
  const std::string good = npy_f32({2, 2}, {1, 2, 3, 4});
  EXPECT_NE(npy_error("").find("not a .npy"), std::string::npos);
  EXPECT_NE(npy_error("PK\x03\x04 hello world").find("not a .npy"), std::string::npos);
  EXPECT_NE(npy_error(good.substr(0, good.size() - 3)).find("truncated"), std::string::npos);
  EXPECT_NE(npy_error(good + "xx").find("file has 18"), std::string::npos);
  EXPECT_NE(npy_error(good.substr(0, 40)).find("runs past the end"), std::string::npos);
  auto bad = [&](const std::string& dict) { return npy_error(with_header(dict, std::string(16, '\0'))); };
  EXPECT_NE(bad("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }").find("not supported"), std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }").find("non-negative"), std::string::npos);
  EXPECT_NE(bad("{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }").find("not supported"), std::string::npos);
  EXPECT_NE(bad("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }").find("structured"), std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'shape': (4,), }").find("fortran_order"), std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': 1, 'shape': (4,), }").find("unexpected value"), std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'shape': (4,)}").find("repeats"), std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999999), }")
                .find("too large"),
            std::string::npos);
  EXPECT_NE(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), } junk").find("trailing"), std::string::npos);
  EXPECT_EQ(bad("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }"), "");
}

TEST(Npz, StoredAndDeflated) {
  const std::string a = npy_f32({3}, {1, 2, 3});
  const std::string b = npy_f32({1, 2}, {-1, 0.5f});
  for (bool compress : {false, true}) {
    const auto arrays = parse_npz(attnscope::io::testing::make_zip({{"attn.npy", a}, {"arr_1.npy", b}}, compress), "x.npz");
    ASSERT_EQ(arrays.size(), 2u);
    EXPECT_EQ(arrays[0].first, "attn");
    EXPECT_EQ(arrays[0].second.to_f32(), (std::vector<float>{1, 2, 3}));
    EXPECT_EQ(arrays[1].first, "arr_1");
    EXPECT_EQ(arrays[1].second.shape, (std::vector<int64_t>{1, 2}));
  }
}

TEST(Npz, CorruptArchives) {
  const std::string a = npy_f32({64}, std::vector<float>(64, 0.25f));
  auto err = [](const std::string& bytes) -> std::string {
    try {
      parse_npz(bytes, "x.npz");
    } catch (const FormatError& e) {
      return e.what();
    }
    return "";
  };
  const std::string zs = attnscope::io::testing::make_zip({{"a.npy", a}}, false);
  const std::string zd = attnscope::io::testing::make_zip({{"a.npy", a}}, true);
  EXPECT_NE(err("PK").find("not a zip"), std::string::npos);
  EXPECT_NE(err(zs.substr(0, zs.size() - 1)).find("no end-of-central-directory"), std::string::npos);
  EXPECT_NE(err(zs.substr(40)).find("x.npz"), std::string::npos);  // offsets now wrong
  std::string flipped = zs;
  flipped[30 + 5 + 100] ^= 0x10;  // a data byte: CRC must catch it
  EXPECT_NE(err(flipped).find("CRC-32"), std::string::npos);
  std::string bad_deflate = zd;
  bad_deflate[30 + 5] = static_cast<char>(0xff);  // invalid block type
  EXPECT_FALSE(err(bad_deflate).empty());
  EXPECT_NE(err(attnscope::io::testing::make_zip({{"a.txt", "hi"}}, false)).find("not a .npy"), std::string::npos);
  EXPECT_NE(err(attnscope::io::testing::make_zip({{"a.npy", "hi"}}, false)).find("x.npz:a.npy"), std::string::npos);
}

// Interoperability with NumPy itself (savez, savez_compressed, every dtype we map, Fortran
// order, big-endian) when /usr/bin/python3 has numpy.
TEST(Npy, ReadsWhatNumPyWrites) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with numpy not available: NumPy interop test skipped";
  const std::string dir = attnscope::io::testing::scratch_dir("npy_numpy");
  const std::string script = dir + "/make.py";
  write_file_atomic(script, R"(import numpy as np, sys
d = sys.argv[1]
a = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7
np.save(d + '/f32.npy', a)
np.save(d + '/f16.npy', a.astype(np.float16))
np.save(d + '/f64_fortran.npy', np.asfortranarray(a.astype(np.float64)))
np.save(d + '/i64_be.npy', np.arange(5, dtype='>i8') - 2)
np.save(d + '/bool.npy', np.array([True, False, True]))
np.save(d + '/empty.npy', np.zeros((0, 3), dtype=np.float32))
np.savez(d + '/plain.npz', a, tokens=np.arange(3, dtype=np.int32))
np.savez_compressed(d + '/comp.npz', attn=a)
)");
  ASSERT_EQ(std::system(("/usr/bin/python3 " + script + " " + dir).c_str()), 0);
  std::vector<float> expect(24);
  for (int i = 0; i < 24; ++i) expect[i] = static_cast<float>(i) / 7.0f;
  const NpyArray f32 = read_npy(dir + "/f32.npy");
  EXPECT_EQ(f32.shape, (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(f32.to_f32(), expect);
  const auto f16 = read_npy(dir + "/f16.npy").to_f32();
  const auto f64 = read_npy(dir + "/f64_fortran.npy").to_f32();
  for (int i = 0; i < 24; ++i) {
    EXPECT_NEAR(f16[i], expect[i], 2e-3f);
    EXPECT_FLOAT_EQ(f64[i], expect[i]);
  }
  EXPECT_EQ(read_npy(dir + "/i64_be.npy").to_i64(), (std::vector<int64_t>{-2, -1, 0, 1, 2}));
  EXPECT_EQ(read_npy(dir + "/bool.npy").to_f32(), (std::vector<float>{1, 0, 1}));
  EXPECT_EQ(read_npy(dir + "/empty.npy").numel(), 0);
  const auto plain = read_npz(dir + "/plain.npz");
  ASSERT_EQ(plain.size(), 2u);  // NumPy puts keyword arrays first, then arr_0...
  for (const auto& [name, arr] : plain) {
    if (name == "arr_0") EXPECT_EQ(arr.to_f32(), expect);
    else if (name == "tokens") EXPECT_EQ(arr.to_i64(), (std::vector<int64_t>{0, 1, 2}));
    else ADD_FAILURE() << "unexpected member " << name;
  }
  const auto comp = read_npz(dir + "/comp.npz");
  ASSERT_EQ(comp.size(), 1u);
  EXPECT_EQ(comp[0].first, "attn");
  EXPECT_EQ(comp[0].second.to_f32(), expect);
}

// Many directory entries pointing at the same compressed bytes would multiply the inflated size
// (a zip bomb without recursion): the reader refuses entries that claim more than the file holds.
TEST(Npz, OverlappingEntriesAreRefused) {
  const std::string a = npy_f32({1024}, std::vector<float>(1024, 0.5f));
  std::string z = attnscope::io::testing::make_zip({{"a.npy", a}}, true);
  uint32_t cd_offset, cd_size;
  std::memcpy(&cd_offset, z.data() + z.size() - 22 + 16, 4);
  std::memcpy(&cd_size, z.data() + z.size() - 22 + 12, 4);
  const std::string entry = z.substr(cd_offset, cd_size);
  std::string cd;
  const int copies = 200;
  for (int i = 0; i < copies; ++i) {
    std::string e = entry;
    e[46] = static_cast<char>('A' + i % 26);  // distinct names of the same length
    e[47] = static_cast<char>('a' + i / 26);
    cd += e;
  }
  std::string eocd = z.substr(z.size() - 22);
  const uint16_t n = copies;
  const uint32_t size = static_cast<uint32_t>(cd.size());
  std::memcpy(eocd.data() + 8, &n, 2);
  std::memcpy(eocd.data() + 10, &n, 2);
  std::memcpy(eocd.data() + 12, &size, 4);
  const std::string bomb = z.substr(0, cd_offset) + cd + eocd;
  try {
    parse_npz(bomb, "bomb.npz");
    FAIL() << "accepted overlapping entries";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("overlapping"), std::string::npos) << e.what();
  }
}

// Issue 17 item 4: a 718 KB npz whose directory claims 719 MB allocated all of it before the
// inflated size was checked. The output now grows with what really inflates.
#include <sys/resource.h>

namespace attnscope::io {
namespace {

long peak_rss_kb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

TEST(Npz, LyingUncompressedSizeAllocatesOnlyWhatInflates) {
  std::string data(700000, '\0');
  uint32_t x = 12345;
  for (char& c : data) c = static_cast<char>((x = x * 1103515245u + 12345u) >> 24);  // incompressible
  std::string zip = testing::make_zip({{"a.npy", data}}, true);
  uint32_t cd_offset = 0;
  std::memcpy(&cd_offset, zip.data() + zip.size() - 22 + 16, 4);
  const uint32_t claimed = 600u << 20;  // 600 MB, within deflate's 1032:1 ratio of ~700 KB
  std::memcpy(zip.data() + cd_offset + 24, &claimed, 4);
  const long before = peak_rss_kb();
  try {
    parse_npz(zip, "lying.npz");
    ADD_FAILURE() << "no error";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("inflates to"), std::string::npos) << e.what();
  }
  EXPECT_LT(peak_rss_kb() - before, 200 * 1024) << "KB of peak memory for a 700 KB file";
}

}  // namespace
}  // namespace attnscope::io
