// A minimal, validating ZIP reader: enough for .npz (NumPy's savez / savez_compressed) — stored
// and deflated entries, ZIP64 sizes and offsets, CRC-32 checked. No encryption, no multi-disk.
// The central directory is the source of truth; inflated sizes are bounded by deflate's maximum
// ratio, so a hostile archive cannot make the reader allocate more than ~1032x its own size.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope::io {

struct ZipEntry {
  std::string name;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0, uncompressed_size = 0;
  uint64_t local_header_offset = 0;
};

class ZipReader {
 public:
  // Parses the central directory of `bytes` (which must outlive the reader). FormatError
  // "'what': ..." when malformed.
  ZipReader(std::string_view bytes, std::string what);
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // Decompresses one entry and checks its size and CRC.
  std::string extract(const ZipEntry& e) const;

 private:
  [[noreturn]] void fail(const std::string& msg) const;
  std::string_view b_;
  std::string what_;
  std::vector<ZipEntry> entries_;
};

}  // namespace attnscope::io
