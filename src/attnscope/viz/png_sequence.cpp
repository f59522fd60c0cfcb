#include "attnscope/viz/png_sequence.h"

#include <cairo.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"

namespace attnscope::viz {

PngSequenceWriter::PngSequenceWriter(const std::string& dir) : dir_(dir) {
  while (dir_.size() > 1 && dir_.back() == '/') dir_.pop_back();
  std::error_code ec;
  created_ = !std::filesystem::exists(dir_);
  std::filesystem::create_directories(dir_, ec);
  if (created_) dir_guard_ = RemoveOnInterrupt(dir_);
  ATTNSCOPE_CHECK(std::filesystem::is_directory(dir_), IoError,
                  "cannot create frame directory '" + dir_ + "'" + (ec ? ": " + ec.message() : ""));
}

void PngSequenceWriter::add(const Frame& frame, double seconds) {
  ATTNSCOPE_CHECK(!finished_, Error, "frame added after finish");
  char name[32];
  std::snprintf(name, sizeof name, "frame_%05zu.png", files_.size());
  const std::string path = dir_ + "/" + name;
  // Registered before it exists: a signal right after the rename (during the directory fsync)
  // must still find the frame, or the directory stays behind non-empty.
  pending_.emplace_back(path);
  write_atomic_with(path, [&](const std::string& tmp) {
    cairo_surface_t* s = cairo_image_surface_create_for_data(
        reinterpret_cast<unsigned char*>(const_cast<uint32_t*>(frame.px.data())), CAIRO_FORMAT_RGB24, frame.width,
        frame.height, frame.width * 4);
    const cairo_status_t st = cairo_surface_write_to_png(s, tmp.c_str());
    cairo_surface_destroy(s);
    if (st != CAIRO_STATUS_SUCCESS) throw IoError("cannot write '" + path + "': " + cairo_status_to_string(st));
  });
  files_.push_back(name);
  seconds_.push_back(seconds);
}

PngSequenceWriter::~PngSequenceWriter() {
  if (finished_) return;
  for (const auto& f : files_) std::remove((dir_ + "/" + f).c_str());
  if (created_) ::rmdir(dir_.c_str());  // only if empty: nothing else is touched
}

void PngSequenceWriter::finish() {
  if (finished_) return;
  std::string json = "{\"frames\": [\n";
  char buf[96];
  for (size_t i = 0; i < files_.size(); ++i) {
    std::snprintf(buf, sizeof buf, "  {\"file\": \"%s\", \"duration_ms\": %lld}%s\n", files_[i].c_str(),
                  static_cast<long long>(std::llround(seconds_[i] * 1000)), i + 1 < files_.size() ? "," : "");
    json += buf;
  }
  json += "]}\n";
  write_file_atomic(dir_ + "/frames.json", json);
  finished_ = true;
  pending_.clear();  // complete: the frames stay
  dir_guard_.release();
}

}  // namespace attnscope::viz
