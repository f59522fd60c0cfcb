// Builds small zip archives in tests (stored or raw-deflated entries) so the npz reader can be
// tested without Python, and broken on purpose.
#pragma once
#include <zlib.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace attnscope::io::testing {

inline void put16(std::string& s, uint16_t v) { s.append(reinterpret_cast<const char*>(&v), 2); }
inline void put32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }

inline std::string deflate_raw(const std::string& in) {
  z_stream zs{};
  deflateInit2(&zs, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, in.size()), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::string make_zip(const std::vector<std::pair<std::string, std::string>>& files, bool compress) {
  std::string out, cd;
  for (const auto& [name, data] : files) {
    const uint32_t crc = static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()),
                                                     static_cast<uInt>(data.size())));
    const std::string body = compress ? deflate_raw(data) : data;
    const uint32_t offset = static_cast<uint32_t>(out.size());
    put32(out, 0x04034b50); put16(out, 20); put16(out, 0); put16(out, compress ? 8 : 0);
    put16(out, 0); put16(out, 0); put32(out, crc);
    put32(out, static_cast<uint32_t>(body.size())); put32(out, static_cast<uint32_t>(data.size()));
    put16(out, static_cast<uint16_t>(name.size())); put16(out, 0);
    out += name + body;
    put32(cd, 0x02014b50); put16(cd, 20); put16(cd, 20); put16(cd, 0); put16(cd, compress ? 8 : 0);
    put16(cd, 0); put16(cd, 0); put32(cd, crc);
    put32(cd, static_cast<uint32_t>(body.size())); put32(cd, static_cast<uint32_t>(data.size()));
    put16(cd, static_cast<uint16_t>(name.size())); put16(cd, 0); put16(cd, 0); put16(cd, 0); put16(cd, 0);
    put32(cd, 0); put32(cd, offset);
    cd += name;
  }
  const uint32_t cd_offset = static_cast<uint32_t>(out.size());
  out += cd;
  put32(out, 0x06054b50); put16(out, 0); put16(out, 0);
  put16(out, static_cast<uint16_t>(files.size())); put16(out, static_cast<uint16_t>(files.size()));
  put32(out, static_cast<uint32_t>(cd.size())); put32(out, cd_offset); put16(out, 0);
  return out;
}

}  // namespace attnscope::io::testing
