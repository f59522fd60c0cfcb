#include "attnscope/io/zip.h"

#include <zlib.h>

#include <cstring>
#include <limits>
#include <set>

#include "attnscope/core/error.h"

namespace attnscope::io {

namespace {
uint16_t u16(std::string_view b, size_t at) {
  uint16_t v;
  std::memcpy(&v, b.data() + at, 2);
  return v;
}
uint32_t u32(std::string_view b, size_t at) {
  uint32_t v;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}
uint64_t u64(std::string_view b, size_t at) {
  uint64_t v;
  std::memcpy(&v, b.data() + at, 8);
  return v;
}
constexpr uint32_t kEocdSig = 0x06054b50, kEocd64Sig = 0x06064b50, kEocd64LocSig = 0x07064b50;
constexpr uint32_t kCentralSig = 0x02014b50, kLocalSig = 0x04034b50;
// Deflate cannot compress better than about 1032:1 (258-byte matches coded in 2 bits).
constexpr uint64_t kMaxDeflateRatio = 1032;
}  // namespace

void ZipReader::fail(const std::string& msg) const { throw FormatError("'" + what_ + "': " + msg); }

ZipReader::ZipReader(std::string_view bytes, std::string what) : b_(bytes), what_(std::move(what)) {
  const size_t size = b_.size();
  if (size < 22) fail("not a zip archive (too short)");
  // End of central directory: 22 bytes + a comment of up to 65535 bytes, found from the end.
  size_t eocd = std::string_view::npos;
  const size_t lowest = size >= 22 + 65535 ? size - 22 - 65535 : 0;
  for (size_t p = size - 22 + 1; p-- > lowest;) {
    if (u32(b_, p) == kEocdSig && p + 22 + u16(b_, p + 20) == size) {
      eocd = p;
      break;
    }
  }
  if (eocd == std::string_view::npos) fail("not a zip archive (no end-of-central-directory record)");
  uint64_t count = u16(b_, eocd + 10), cd_size = u32(b_, eocd + 12), cd_offset = u32(b_, eocd + 16);
  if (u16(b_, eocd + 4) != 0 || u16(b_, eocd + 6) != 0) fail("multi-disk archives are not supported");
  if ((count == 0xffff || cd_size == 0xffffffffu || cd_offset == 0xffffffffu) && eocd >= 20 &&
      u32(b_, eocd - 20) == kEocd64LocSig) {
    const uint64_t e64 = u64(b_, eocd - 20 + 8);
    if (size < 56 || e64 > size - 56 || u32(b_, e64) != kEocd64Sig) fail("bad ZIP64 end-of-central-directory record");
    count = u64(b_, e64 + 32);
    cd_size = u64(b_, e64 + 40);
    cd_offset = u64(b_, e64 + 48);
  }
  if (cd_offset > size || cd_size > size - cd_offset) fail("central directory lies outside the file (truncated?)");
  if (count > cd_size / 46) fail("central directory claims " + std::to_string(count) + " entries, too many for its size");

  std::set<std::string> names;
  uint64_t total_compressed = 0;
  size_t p = cd_offset;
  const size_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (p + 46 > cd_end || u32(b_, p) != kCentralSig) fail("corrupt central directory entry " + std::to_string(i));
    ZipEntry e;
    const uint16_t flags = u16(b_, p + 8);
    e.method = u16(b_, p + 10);
    e.crc32 = u32(b_, p + 16);
    e.compressed_size = u32(b_, p + 20);
    e.uncompressed_size = u32(b_, p + 24);
    const size_t name_len = u16(b_, p + 28), extra_len = u16(b_, p + 30), comment_len = u16(b_, p + 32);
    e.local_header_offset = u32(b_, p + 42);
    if (p + 46 + name_len + extra_len + comment_len > cd_end) fail("corrupt central directory entry " + std::to_string(i));
    e.name.assign(b_.data() + p + 46, name_len);
    if (flags & 1) fail("entry '" + e.name + "' is encrypted");
    // ZIP64 extended information: present fields replace those set to 0xffffffff, in order.
    size_t x = p + 46 + name_len;
    const size_t x_end = x + extra_len;
    while (x + 4 <= x_end) {
      const uint16_t id = u16(b_, x), len = u16(b_, x + 2);
      if (x + 4 + len > x_end) fail("corrupt extra field in entry '" + e.name + "'");
      if (id == 0x0001) {
        size_t q = x + 4;
        auto take = [&](uint64_t& field) {
          if (field != 0xffffffffu) return;
          if (q + 8 > x + 4 + len) fail("short ZIP64 field in entry '" + e.name + "'");
          field = u64(b_, q);
          q += 8;
        };
        take(e.uncompressed_size);
        take(e.compressed_size);
        take(e.local_header_offset);
      }
      x += 4 + len;
    }
    if (e.method != 0 && e.method != 8)
      fail("entry '" + e.name + "' uses compression method " + std::to_string(e.method) + " (only stored and deflate)");
    if (!names.insert(e.name).second) fail("entry '" + e.name + "' appears twice");
    // Entries hold disjoint bytes of the file, so their compressed sizes add up to at most the
    // file size; this also bounds the total inflated size to kMaxDeflateRatio x the file size
    // (entries pointing at the same bytes would otherwise multiply it).
    if (e.compressed_size > size - total_compressed)
      fail("entries claim more compressed bytes than the file holds (overlapping entries?)");
    total_compressed += e.compressed_size;
    entries_.push_back(std::move(e));
    p += 46 + name_len + extra_len + comment_len;
  }
}

std::string ZipReader::extract(const ZipEntry& e) const {
  const size_t size = b_.size();
  const uint64_t lh = e.local_header_offset;
  if (lh > size || size - lh < 30 || u32(b_, lh) != kLocalSig)
    fail("entry '" + e.name + "': bad local header offset (truncated?)");
  const uint64_t data = lh + 30 + u16(b_, lh + 26) + u16(b_, lh + 28);
  if (data > size || e.compressed_size > size - data) fail("entry '" + e.name + "' runs past the end of the file (truncated?)");
  const std::string_view src = b_.substr(data, e.compressed_size);
  const uint64_t max_out = e.method == 0 ? e.compressed_size : e.compressed_size * kMaxDeflateRatio + 64;
  if (e.uncompressed_size > max_out || e.uncompressed_size > std::numeric_limits<size_t>::max() / 2)
    fail("entry '" + e.name + "' claims an impossible size " + std::to_string(e.uncompressed_size));
  std::string out;
  if (e.method == 0) {
    if (e.compressed_size != e.uncompressed_size) fail("stored entry '" + e.name + "' has mismatched sizes");
    out.assign(src);
  } else {
    // The output grows with what the data really inflates to (geometrically, capped at the size the
    // directory claims), so a lying directory costs memory only for bytes that exist.
    const size_t want = static_cast<size_t>(e.uncompressed_size);
    out.resize(std::min(want, std::max<size_t>(size_t{1} << 20, 4 * static_cast<size_t>(e.compressed_size))));
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) fail("zlib initialisation failed");
    // zlib's avail_in/avail_out are 32-bit: feed in chunks.
    size_t in_pos = 0, out_pos = 0;
    int rc = Z_OK;
    while (rc == Z_OK) {
      if (out_pos == out.size() && out.size() < want) out.resize(std::min(want, 2 * out.size()));
      const uInt in_chunk = static_cast<uInt>(std::min<size_t>(src.size() - in_pos, 1u << 30));
      const uInt out_chunk = static_cast<uInt>(std::min<size_t>(out.size() - out_pos, 1u << 30));
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(src.data() + in_pos));
      zs.avail_in = in_chunk;
      zs.next_out = reinterpret_cast<Bytef*>(out.data() + out_pos);
      zs.avail_out = out_chunk;
      rc = inflate(&zs, Z_NO_FLUSH);
      in_pos += in_chunk - zs.avail_in;
      out_pos += out_chunk - zs.avail_out;
      if (rc == Z_OK && zs.avail_out == out_chunk && zs.avail_in == in_chunk) rc = Z_BUF_ERROR;  // no progress
    }
    inflateEnd(&zs);
    if (rc != Z_STREAM_END) fail("entry '" + e.name + "': corrupt deflate data");
    if (out_pos != want) fail("entry '" + e.name + "' inflates to " + std::to_string(out_pos) +
                              " bytes, directory says " + std::to_string(want));
  }
  uLong crc = crc32(0L, Z_NULL, 0);
  for (size_t off = 0; off < out.size(); off += 1u << 30) {
    const uInt n = static_cast<uInt>(std::min<size_t>(out.size() - off, 1u << 30));
    crc = crc32(crc, reinterpret_cast<const Bytef*>(out.data() + off), n);
  }
  if (crc != e.crc32) fail("entry '" + e.name + "' fails its CRC-32 check (corrupt)");
  return out;
}

}  // namespace attnscope::io
