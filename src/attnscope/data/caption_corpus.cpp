#include "attnscope/data/caption_corpus.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <string_view>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/rng.h"
#include "attnscope/data/csv.h"
#include "attnscope/data/utf8.h"

namespace attnscope::data {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Adds one caption to the image `name` (first mention makes the entry).
void add_caption(CaptionCorpus& c, std::map<std::string, size_t>& index, const std::string& name,
                 const std::string& caption, const std::string& where) {
  if (name.empty()) throw FormatError(where + ": no image name");
  const fs::path p(name);
  if (p.is_absolute() || std::any_of(p.begin(), p.end(), [](const fs::path& part) { return part == ".."; }))
    throw FormatError(where + ": image name '" + name + "' leaves the data folder");
  std::vector<std::string> words = caption_words(caption);
  if (words.empty()) throw FormatError(where + ": the caption of '" + name + "' has no words");
  auto [it, fresh] = index.emplace(name, c.images.size());
  if (fresh) c.images.push_back({name, "", {}});
  c.images[it->second].captions.push_back(std::move(words));
}

CaptionCorpus parse_csv_captions(const std::string& text, const std::string& name) {
  const std::vector<CsvRecord> rows = parse_csv(text, name);
  CaptionCorpus c;
  c.source = name;
  size_t image_col = 0, caption_col = 1, first = 0;
  if (!rows.empty()) {
    const auto& h = rows.front().fields;
    const auto col = [&](std::initializer_list<const char*> names) {
      for (size_t i = 0; i < h.size(); ++i)
        for (const char* n : names)
          if (ascii_lower(h[i]) == n) return static_cast<int64_t>(i);
      return int64_t{-1};
    };
    const int64_t ic = col({"image", "file_name", "filename", "image_name"}), cc = col({"caption", "comment", "text"});
    if (ic >= 0 && cc >= 0) {
      image_col = static_cast<size_t>(ic);
      caption_col = static_cast<size_t>(cc);
      first = 1;
    } else if (ic >= 0 || cc >= 0) {
      throw FormatError(name + ":" + std::to_string(rows.front().line) + ": the header names no " +
                        (ic < 0 ? "image" : "caption") + " column");
    }
  }
  std::map<std::string, size_t> index;
  const size_t need = std::max(image_col, caption_col) + 1;
  for (size_t r = first; r < rows.size(); ++r) {
    const std::string where = name + ":" + std::to_string(rows[r].line);
    const auto& f = rows[r].fields;
    if (f.size() < need)
      throw FormatError(where + ": expected image,caption, got " + std::to_string(f.size()) + " field" + (f.size() == 1 ? "" : "s") +
                        " (a caption with commas must be double-quoted)");
    add_caption(c, index, f[image_col], f[caption_col], where);
  }
  return c;
}

// Flickr8k/Flickr30k as first published, one caption a line: "IMAGE#N<tab>caption"
// (Flickr8k.token.txt; the "#N" numbers the image's captions and is dropped), or Flickr30k as Kaggle
// packs it: "image_name| comment_number| comment" (results.csv, the header optional).
CaptionCorpus parse_line_captions(const std::string& text, const std::string& name, char sep) {
  CaptionCorpus c;
  c.source = name;
  std::map<std::string, size_t> index;
  const auto trim = [](std::string_view v) {
    const size_t a = v.find_first_not_of(" \t\r"), b = v.find_last_not_of(" \t\r");
    return a == std::string_view::npos ? std::string() : std::string(v.substr(a, b - a + 1));
  };
  int64_t line_no = 0;
  for (size_t at = 0; at < text.size();) {
    const size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line(text.data() + at, end - at);
    at = end + 1;
    ++line_no;
    if (trim(line).empty()) continue;
    const std::string where = name + ":" + std::to_string(line_no);
    const size_t cut = line.find(sep);
    if (cut == std::string_view::npos)
      throw FormatError(where + ": expected IMAGE" + (sep == '\t' ? "<tab>" : "| N| ") + "caption, found no '" +
                        (sep == '\t' ? "\\t" : "|") + "'");
    std::string image = trim(line.substr(0, cut));
    std::string_view caption = line.substr(cut + 1);
    if (sep == '|') {  // image_name| comment_number| comment
      const size_t second = caption.find('|');
      if (second != std::string_view::npos) caption = caption.substr(second + 1);
      if (line_no == 1 && ascii_lower(image) == "image_name") continue;  // the header
    } else {
      const size_t hash = image.rfind('#');
      if (hash != std::string::npos && hash + 1 < image.size() &&
          std::all_of(image.begin() + static_cast<std::ptrdiff_t>(hash) + 1, image.end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); }))
        image.resize(hash);
    }
    add_caption(c, index, image, std::string(caption), where);
  }
  return c;
}

CaptionCorpus parse_json_captions(const std::string& text, const std::string& name) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw FormatError(name + ": not valid JSON (" + plain_message(e) + ")");
  }
  if (!j.is_object() || !j.contains("images") || !j.contains("annotations") || !j["images"].is_array() ||
      !j["annotations"].is_array())
    throw FormatError(name + ": expected COCO captions: {\"images\": [...], \"annotations\": [...]}");
  std::map<int64_t, std::string> files;
  for (size_t i = 0; i < j["images"].size(); ++i) {
    const json& im = j["images"][i];
    const std::string where = name + ": images[" + std::to_string(i) + "]";
    if (!im.is_object() || !im.contains("id") || !im["id"].is_number_integer() || !im.contains("file_name") ||
        !im["file_name"].is_string())
      throw FormatError(where + ": needs an integer \"id\" and a string \"file_name\"");
    if (!files.emplace(im["id"].get<int64_t>(), im["file_name"].get<std::string>()).second)
      throw FormatError(where + ": id " + std::to_string(im["id"].get<int64_t>()) + " appears twice");
  }
  CaptionCorpus c;
  c.source = name;
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < j["annotations"].size(); ++i) {
    const json& a = j["annotations"][i];
    const std::string where = name + ": annotations[" + std::to_string(i) + "]";
    if (!a.is_object() || !a.contains("image_id") || !a["image_id"].is_number_integer() || !a.contains("caption") ||
        !a["caption"].is_string())
      throw FormatError(where + ": needs an integer \"image_id\" and a string \"caption\"");
    const auto f = files.find(a["image_id"].get<int64_t>());
    if (f == files.end()) throw FormatError(where + ": image_id " + std::to_string(a["image_id"].get<int64_t>()) + " is not in \"images\"");
    add_caption(c, index, f->second, a["caption"].get<std::string>(), where);
  }
  return c;
}

bool looks_json(const std::string& path, const std::string& text) {
  if (fs::path(path).extension() == ".json") return true;
  const size_t p = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  return p != std::string::npos && text[p] == '{';
}

CaptionCorpus parse_file(const std::string& path) {
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (ec) throw IoError("caption file '" + path + "' cannot be read");
  if (size > static_cast<uintmax_t>(kMaxCaptionFileBytes))
    throw IoError("caption file '" + path + "' is larger than " + std::to_string(kMaxCaptionFileBytes >> 20) + " MB");
  const std::string text = read_file(path);
  CaptionCorpus c = parse_caption_text(text, path, looks_json(path, text));
  if (c.images.empty()) throw FormatError("'" + path + "' holds no captions");
  return c;
}

// Finds the folder holding every image of `c` (see the header) and fills the paths; otherwise
// throws naming how many are missing and the first.
void locate_images(CaptionCorpus& c) {
  const fs::path base = fs::path(c.source).parent_path().empty() ? fs::path(".") : fs::path(c.source).parent_path();
  std::vector<fs::path> folders = {base};
  std::vector<fs::path> subs;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(base, ec))
    if (e.is_directory(ec)) subs.push_back(e.path());
  std::sort(subs.begin(), subs.end());
  folders.insert(folders.end(), subs.begin(), subs.end());
  size_t best_missing = c.images.size();
  std::string first_missing = c.images.front().name;
  for (const auto& folder : folders) {
    size_t missing = 0;
    std::string first;
    for (const auto& im : c.images)
      if (!fs::exists(folder / im.name, ec)) {
        if (!missing++) first = im.name;
        if (missing > best_missing) break;  // no better than a folder already seen
      }
    if (missing == 0) {
      for (auto& im : c.images) im.path = (folder / im.name).string();
      return;
    }
    if (missing < best_missing) best_missing = missing, first_missing = first;
  }
  throw IoError("'" + c.source + "': " + std::to_string(best_missing) + " of its " + std::to_string(c.images.size()) +
                " images are in no one folder beside it (first missing: '" + first_missing + "')");
}

}  // namespace

std::vector<std::string> caption_words(const std::string& text) {
  std::vector<std::string> words;
  std::string w;
  auto flush = [&] {
    while (!w.empty() && w.back() == '\'') w.pop_back();
    while (!w.empty() && w.front() == '\'') w.erase(w.begin());
    if (!w.empty()) words.push_back(w);
    w.clear();
  };
  for (unsigned char c : text) {
    if (c >= 0x80 || std::isalnum(c) || c == '\'') w += static_cast<char>(std::tolower(c));
    else flush();
  }
  flush();
  return words;
}

CaptionCorpus parse_caption_text(const std::string& text, const std::string& name, bool json) {
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) return parse_caption_text(text.substr(3), name, json);  // a UTF-8 BOM (Excel's CSVs)
  if (json) return parse_json_captions(text, name);
  // The first line tells the layout: a tab (Flickr8k.token.txt), else '|' without a comma
  // (Flickr30k's results.csv), else CSV.
  const std::string_view first(text.data(), std::min(text.find('\n'), text.size()));
  if (first.find('\t') != std::string_view::npos) return parse_line_captions(text, name, '\t');
  if (first.find('|') != std::string_view::npos && first.find(',') == std::string_view::npos)
    return parse_line_captions(text, name, '|');
  return parse_csv_captions(text, name);
}

CaptionCorpus read_caption_corpus(const std::string& path) {
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) throw IoError("caption data '" + path + "' not found");
  if (fs::is_regular_file(st)) {
    CaptionCorpus c = parse_file(path);
    locate_images(c);
    return c;
  }
  if (!fs::is_directory(st)) throw IoError("caption data '" + path + "' is neither a file nor a folder");
  std::vector<std::string> candidates;
  for (const auto& e : fs::directory_iterator(path, ec)) {
    const std::string ext = ascii_lower(e.path().extension().string());
    if (e.is_regular_file(ec) && (ext == ".csv" || ext == ".txt" || ext == ".json" || ext == ".token")) candidates.push_back(e.path().string());
  }
  std::sort(candidates.begin(), candidates.end());
  if (candidates.empty()) throw IoError("caption data '" + path + "' holds no caption file (.csv, .txt, .token or .json)");
  std::vector<CaptionCorpus> found;
  std::string why;
  for (const auto& file : candidates) {
    try {
      CaptionCorpus c = parse_file(file);
      locate_images(c);
      found.push_back(std::move(c));
    } catch (const Error& e) {
      why += (why.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  if (found.size() == 1) return std::move(found.front());
  if (found.empty()) throw FormatError("no caption file in '" + path + "' can be used: " + why);
  std::string names;
  for (const auto& c : found) names += (names.empty() ? "" : ", ") + fs::path(c.source).filename().string();
  throw ConfigError("caption data '" + path + "' holds several usable caption files (" + names + "); name one");
}

CaptionSplit split_caption_corpus(const CaptionCorpus& corpus, uint64_t seed, double valid_share, double test_share) {
  const size_t n = corpus.images.size();
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = i;
  Rng rng(seed);
  for (size_t i = n; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);
  auto share = [&](double s) { return n >= 3 ? std::max<size_t>(1, static_cast<size_t>(std::lround(s * static_cast<double>(n)))) : 0; };
  const size_t n_test = share(test_share), n_valid = share(valid_share);
  CaptionSplit out;
  for (size_t k = 0; k < n; ++k) {
    const CaptionedImage& im = corpus.images[order[k]];
    (k < n_test ? out.test : k < n_test + n_valid ? out.valid : out.train).push_back(im);
  }
  return out;
}

}  // namespace attnscope::data
