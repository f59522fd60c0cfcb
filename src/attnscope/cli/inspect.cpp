// `attnscope inspect FILE`: what a file holds — safetensors tensors (name, dtype, shape, bytes)
// and metadata, plus a summary of an attention trace; .npy / .npz arrays. Every read is
// validated by io/ first, so a malformed file gives a one-line error and exit 1.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/core/printable.h"
#include "attnscope/io/mapped_file.h"
#include "attnscope/io/npy.h"
#include "attnscope/io/npz.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/io/trace_io.h"

namespace attnscope::cli {
namespace {

// "1,044,800"
std::string grouped(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

// One display line: control characters escaped, long values cut unless `full`.
std::string printable(const std::string& v, bool full, size_t limit = 100) {
  std::string out = escape_controls(v);
  if (!full && out.size() > limit) {
    size_t cut = limit;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) --cut;  // keep UTF-8 whole
    out = out.substr(0, cut) + "... (" + grouped(v.size()) + " bytes; --full shows all)";
  }
  return out;
}

// Prints rows as left-aligned columns (the last column unpadded).
void print_table(const std::vector<std::vector<std::string>>& rows, const char* indent = "  ") {
  std::vector<size_t> width;
  for (const auto& r : rows)
    for (size_t c = 0; c < r.size(); ++c) {
      if (width.size() <= c) width.push_back(0);
      width[c] = std::max(width[c], r[c].size());
    }
  for (const auto& r : rows) {
    std::string line = indent;
    for (size_t c = 0; c < r.size(); ++c) {
      line += r[c];
      if (c + 1 < r.size()) line += std::string(width[c] - r[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
}

std::string tokens_preview(const std::vector<std::string>& tokens) {
  std::string s;
  size_t i = 0;
  for (; i < tokens.size() && s.size() < 60; ++i) s += (i ? " " : "") + printable(tokens[i], false, 30);
  return i < tokens.size() ? s + " ..." : s;
}

void print_trace(const io::Trace& t) {
  std::printf("\nattention trace:\n");
  std::vector<std::vector<std::string>> rows{{"sequence", "tokens", "preview"}};
  for (const auto& s : t.sequences) {
    std::string n = std::to_string(s.tokens.size());
    if (s.grid_h > 0) n += " (grid " + std::to_string(s.grid_h) + "x" + std::to_string(s.grid_w) + ")";
    rows.push_back({printable(s.name, false), n, tokens_preview(s.tokens)});
  }
  print_table(rows);
  std::printf("\n");
  auto layer_rows = [](const std::vector<io::TraceLayer>& layers) {
    std::vector<std::vector<std::string>> r{{"layer", "queries -> keys", "heads", "size", "keep", "mechanism"}};
    for (const auto& l : layers) {
      std::string keep = l.keep == io::TraceKeep::dense ? "dense" : l.keep == io::TraceKeep::topk ? "topk:" + std::to_string(l.k) : "stats";
      if (!l.extras.empty()) {
        keep += " +";
        for (const auto& [name, e] : l.extras) keep += " " + printable(name, false, 30);
      }
      r.push_back({printable(l.name, false), printable(l.query_seq + " -> " + l.key_seq, false), std::to_string(l.heads),
                   std::to_string(l.queries) + "x" + std::to_string(l.keys), keep, printable(l.mechanism, false)});
    }
    return r;
  };
  print_table(layer_rows(t.layers));
  if (!t.steps.empty()) std::printf("\n  generation steps: %zu\n", t.steps.size());
  if (!t.image_path.empty()) std::printf("  image: %s\n", printable(t.image_path, false).c_str());
  if (!t.image.empty())
    std::printf("  embedded image: %lldx%lld, %lld channels\n", static_cast<long long>(t.image.width),
                static_cast<long long>(t.image.height), static_cast<long long>(t.image.channels));
  if (!t.snapshots.empty()) {
    std::printf("  training snapshots: %zu (", t.snapshots.size());
    for (size_t s = 0; s < t.snapshots.size() && s < 6; ++s)
      std::printf("%s%s", s ? ", " : "", printable(t.snapshots[s].label.empty() ? "step " + std::to_string(t.snapshots[s].step)
                                                                                   : t.snapshots[s].label, true).c_str());
    std::printf("%s)\n", t.snapshots.size() > 6 ? ", ..." : "");
  }
  for (const auto& [k, v] : t.meta) std::printf("  %s: %s\n", printable(k, false).c_str(), printable(v, false).c_str());
}

void inspect_safetensors(const std::string& path, bool full) {
  const auto f = io::SafetensorsFile::open(path);
  uint64_t params = 0;
  for (const auto& t : f.tensors()) params += static_cast<uint64_t>(t.numel());
  std::printf("%s: safetensors, %s bytes (header %s), %zu tensors, %s elements\n", path.c_str(),
              grouped(f.file_bytes()).c_str(), grouped(f.header_bytes()).c_str(), f.tensors().size(),
              grouped(params).c_str());
  if (!f.tensors().empty()) {
    std::printf("\n");
    std::vector<std::vector<std::string>> rows{{"name", "dtype", "shape", "bytes"}};
    for (const auto& t : f.tensors())
      rows.push_back({printable(t.name, true), std::string(io::dtype_name(t.dtype)), io::shape_to_string(t.shape),
                      grouped(t.nbytes())});
    print_table(rows);
  }
  if (!f.metadata().empty()) {
    std::printf("\nmetadata:\n");
    std::vector<std::vector<std::string>> rows;
    for (const auto& [k, v] : f.metadata()) rows.push_back({printable(k, true), printable(v, full)});
    print_table(rows);
  }
  if (io::is_trace(f)) print_trace(io::parse_trace(f));
}

void print_array(const std::string& name, const io::NpyArray& a) {
  std::printf("  %s  %s  %s\n", printable(name, false).c_str(), std::string(io::dtype_name(a.dtype)).c_str(),
              io::shape_to_string(a.shape).c_str());
}

void inspect(const std::string& path, bool full) {
  const auto file = io::MappedFile::open(path);
  const std::string_view head = file->view().substr(0, 8);
  if (head.substr(0, 6) == "\x93NUMPY") {
    const io::NpyArray a = io::parse_npy(file->view(), path);
    std::printf("%s: .npy array\n", path.c_str());
    print_array("", a);
  } else if (head.substr(0, 2) == "PK") {
    const io::NpzArrays arrays = io::parse_npz(file->view(), path);
    std::printf("%s: .npz archive, %s\n", path.c_str(), count_of(static_cast<long long>(arrays.size()), "array").c_str());
    std::vector<std::vector<std::string>> rows{{"name", "dtype", "shape"}};
    for (const auto& [name, a] : arrays)
      rows.push_back({printable(name, true), std::string(io::dtype_name(a.dtype)), io::shape_to_string(a.shape)});
    print_table(rows);
  } else {
    inspect_safetensors(path, full);
  }
}

void setup_inspect(CLI::App& app) {
  struct Args {
    std::string file;
    bool full = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* sub = app.add_subcommand("inspect", "List the tensors, dtypes, shapes and metadata of a file "
                                                "(.safetensors, .attn.safetensors trace, .npy, .npz)");
  sub->add_option("FILE", args->file, "File to inspect")->required();
  sub->add_flag("--full", args->full, "Print long metadata values in full");
  sub->callback([args] { inspect(args->file, args->full); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_inspect);
