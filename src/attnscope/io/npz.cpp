#include "attnscope/io/npz.h"

#include "attnscope/core/error.h"
#include "attnscope/io/mapped_file.h"
#include "attnscope/io/zip.h"

namespace attnscope::io {

NpzArrays parse_npz(std::string_view bytes, const std::string& what) {
  const ZipReader zip(bytes, what);
  NpzArrays out;
  for (const ZipEntry& e : zip.entries()) {
    if (!e.name.empty() && e.name.back() == '/') continue;  // a directory entry
    std::string name = e.name;
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".npy") == 0) name.resize(name.size() - 4);
    else throw FormatError("'" + what + "': member '" + e.name + "' is not a .npy file");
    out.emplace_back(name, parse_npy(zip.extract(e), what + ":" + e.name));
  }
  return out;
}

NpzArrays read_npz(const std::string& path) {
  const auto f = MappedFile::open(path);
  return parse_npz(f->view(), path);
}

}  // namespace attnscope::io
