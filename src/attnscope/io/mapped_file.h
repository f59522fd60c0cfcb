// Read-only bytes of a file, memory-mapped (so opening a multi-GB checkpoint or trace touches
// only the pages read), or owned bytes for in-memory data (tests, fuzzing, zip entries).
// Shared by the readers that hand out views into it (SafetensorsFile, npz entries).
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace attnscope::io {

class MappedFile {
 public:
  // Maps `path` read-only; throws IoError naming the path when it cannot be opened or mapped.
  static std::shared_ptr<const MappedFile> open(const std::string& path);
  // Wraps owned bytes (no file).
  static std::shared_ptr<const MappedFile> from_bytes(std::string bytes);

  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  const unsigned char* data() const { return data_; }
  size_t size() const { return size_; }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_), size_}; }

 private:
  MappedFile() = default;
  const unsigned char* data_ = nullptr;
  size_t size_ = 0;
  void* map_ = nullptr;  // non-null when mmap'ed
  std::string owned_;
};

}  // namespace attnscope::io
