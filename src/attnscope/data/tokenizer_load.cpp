// load_tokenizer(): format detection for tokenizer files and directories, and HF tokenizer.json
// (BPE byte-level, BPE with byte fallback, WordPiece) with its added tokens.
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/io/json_parse.h"
#include "attnscope/core/fs.h"
#include "attnscope/data/tokenizer.h"
#include "attnscope/data/tokenizer_bpe.h"
#include "attnscope/data/tokenizer_spm.h"
#include "attnscope/data/tokenizer_wordpiece.h"

namespace attnscope::data {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json parse_json_file(const std::string& path) {
  return io::parse_json(read_file(path), path);
}

// Does any part of a (possibly Sequence) pre_tokenizer / decoder have this type?
bool has_type(const json& j, const std::string& type) {
  if (!j.is_object()) return false;
  if (j.value("type", "") == type) return true;
  for (const char* key : {"pretokenizers", "decoders", "normalizers"})
    if (j.contains(key) && j[key].is_array())
      for (const auto& sub : j[key])
        if (has_type(sub, type)) return true;
  return false;
}

// model.vocab {piece: id} + added_tokens -> pieces in id order (no gaps allowed).
std::vector<std::string> hf_pieces(const json& root, const std::string& path, std::vector<int32_t>& added) {
  // const operator[] on a missing key is undefined behaviour in nlohmann::json: check first.
  const json& model = root.at("model");
  if (!model.contains("vocab") || !model["vocab"].is_object())
    throw FormatError(path + ": model.vocab must be an object {piece: id}");
  const json& vocab = model["vocab"];
  std::vector<std::pair<int64_t, std::string>> entries;
  for (auto it = vocab.begin(); it != vocab.end(); ++it) {
    if (!it.value().is_number_integer()) throw FormatError(path + ": id of '" + it.key() + "' is not an integer");
    entries.emplace_back(it.value().get<int64_t>(), it.key());
  }
  if (root.contains("added_tokens") && root["added_tokens"].is_array()) {
    for (const auto& t : root["added_tokens"]) {
      if (!t.is_object() || !t.contains("id") || !t["id"].is_number_integer() || !t.contains("content") ||
          !t["content"].is_string())
        throw FormatError(path + ": added_tokens entries need an integer id and a string content");
      entries.emplace_back(t["id"].get<int64_t>(), t["content"].get<std::string>());
      if (t.value("special", true)) added.push_back(static_cast<int32_t>(t["id"].get<int64_t>()));
    }
  }
  std::sort(entries.begin(), entries.end());
  std::vector<std::string> pieces;
  for (const auto& [id, p] : entries) {
    if (id < 0) throw FormatError(path + ": token id " + std::to_string(id) + " of '" + p + "' is negative");
    if (!pieces.empty() && id == static_cast<int64_t>(pieces.size()) - 1 && pieces.back() == p) continue;  // added token also in vocab
    if (id != static_cast<int64_t>(pieces.size()))
      throw FormatError(path + ": token ids must run 0..N-1 without gaps or repeats (at id " + std::to_string(id) + ")");
    pieces.push_back(p);
  }
  if (pieces.empty()) throw FormatError(path + ": empty vocabulary");
  return pieces;
}

std::vector<std::pair<std::string, std::string>> hf_merges(const json& model, const std::string& path) {
  std::vector<std::pair<std::string, std::string>> merges;
  if (!model.contains("merges") || !model["merges"].is_array())
    throw FormatError(path + ": BPE model without a merges array");
  for (const auto& m : model["merges"]) {
    if (m.is_string()) {  // "left right"
      const std::string s = m.get<std::string>();
      const size_t sp = s.find(' ');
      if (sp == std::string::npos || sp == 0 || sp + 1 == s.size())
        throw FormatError(path + ": merge '" + s + "' is not 'left right'");
      merges.emplace_back(s.substr(0, sp), s.substr(sp + 1));
    } else if (m.is_array() && m.size() == 2 && m[0].is_string() && m[1].is_string()) {  // ["left", "right"]
      merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
    } else {
      throw FormatError(path + ": a merge is neither 'left right' nor [left, right]");
    }
  }
  return merges;
}

std::unique_ptr<Tokenizer> from_tokenizer_json_text(const std::string& text, const std::string& path) {
  const json root = io::parse_json(text, path);
  if (!root.is_object() || !root.contains("model") || !root["model"].is_object())
    throw FormatError(path + ": not a Hugging Face tokenizer.json (no \"model\" object)");
  const json& model = root["model"];
  const std::string type = model.value("type", "");
  std::vector<int32_t> added;
  std::vector<std::string> pieces = hf_pieces(root, path, added);
  std::unique_ptr<Tokenizer> tok;
  try {
    if (type == "WordPiece") {
      WordPieceOptions opt;
      const json& norm = root.contains("normalizer") ? root["normalizer"] : json();
      if (norm.is_object() && norm.value("type", "") == "BertNormalizer") {
        opt.lowercase = norm.value("lowercase", true);
        opt.strip_accents = norm.contains("strip_accents") && norm["strip_accents"].is_boolean()
                                ? norm["strip_accents"].get<bool>()
                                : opt.lowercase;
        opt.tokenize_chinese_chars = norm.value("handle_chinese_chars", true);
      }
      opt.continuation = model.value("continuing_subword_prefix", "##");
      opt.max_chars_per_word = model.value("max_input_chars_per_word", 100);
      tok = std::make_unique<WordPieceTokenizer>(std::move(pieces), opt);
    } else if (type == "BPE" && model.value("byte_fallback", false)) {
      // Llama-style tokenizer.json: SentencePiece BPE expressed as merges; a merge's rank
      // orders pieces the way SentencePiece's scores do (earlier merge = higher score).
      auto merges = hf_merges(model, path);
      std::vector<float> scores(pieces.size(), -1e9f);
      std::unordered_map<std::string, int32_t> index;
      for (size_t i = 0; i < pieces.size(); ++i) index.emplace(pieces[i], static_cast<int32_t>(i));
      for (size_t r = merges.size(); r-- > 0;) {
        auto it = index.find(merges[r].first + merges[r].second);
        if (it != index.end()) scores[it->second] = -static_cast<float>(r);
      }
      SpecialTokens sp;
      auto id_of = [&](const std::string& s) {
        auto it = index.find(s);
        return it == index.end() ? -1 : it->second;
      };
      sp.unk = id_of(model.value("unk_token", "<unk>"));
      sp.bos = id_of("<s>");
      sp.eos = id_of("</s>");
      SpmOptions opt;
      opt.add_dummy_prefix = has_type(root.value("normalizer", json()), "Prepend") ||
                             has_type(root.value("pre_tokenizer", json()), "Metaspace");
      tok = std::make_unique<SpmTokenizer>(std::move(pieces), std::move(scores), std::vector<PieceType>{}, sp, opt);
    } else if (type == "BPE") {
      if (!has_type(root.value("pre_tokenizer", json()), "ByteLevel") && !has_type(root.value("decoder", json()), "ByteLevel"))
        throw FormatError("BPE without a ByteLevel pre-tokenizer or byte_fallback is not supported");
      tok = std::make_unique<ByteBpeTokenizer>(std::move(pieces), hf_merges(model, path), added);
    } else {
      throw FormatError("model type '" + type + "' is not supported (expected BPE or WordPiece)");
    }
  } catch (const FormatError& e) {
    const std::string what = e.what();
    if (what.rfind(path, 0) == 0) throw;
    throw FormatError(path + ": " + what);
  }
  for (int32_t id : added) tok->add_special_string(id);
  return tok;
}

// tokenizer_config.json beside vocab.txt may turn lowercasing off (cased BERT).
WordPieceOptions wordpiece_options_beside(const fs::path& vocab) {
  WordPieceOptions opt;
  const fs::path cfg = vocab.parent_path() / "tokenizer_config.json";
  if (!fs::exists(cfg)) return opt;
  const json j = parse_json_file(cfg.string());
  if (!j.is_object()) return opt;
  if (j.contains("do_lower_case") && j["do_lower_case"].is_boolean()) opt.lowercase = j["do_lower_case"].get<bool>();
  opt.strip_accents = (j.contains("strip_accents") && j["strip_accents"].is_boolean()) ? j["strip_accents"].get<bool>()
                                                                                       : opt.lowercase;
  if (j.contains("tokenize_chinese_chars") && j["tokenize_chinese_chars"].is_boolean())
    opt.tokenize_chinese_chars = j["tokenize_chinese_chars"].get<bool>();
  return opt;
}

}  // namespace

std::unique_ptr<Tokenizer> tokenizer_from_json_text(const std::string& text, const std::string& where) {
  try {
    return from_tokenizer_json_text(text, where);
  } catch (const json::exception& e) {  // a field of the wrong JSON type
    throw FormatError(where + ": unexpected tokenizer.json content (" + plain_message(e) + ")");
  }
}

std::string find_tokenizer_file(const std::string& dir) {
  const fs::path d(dir);
  for (const char* name : {"tokenizer.json", "vocab.json", "vocab.txt", "tokenizer.bin"})
    if (fs::is_regular_file(d / name)) return (d / name).string();
  std::vector<std::string> tok_bins;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(d, ec)) {
    const std::string n = e.path().filename().string();
    if (e.is_regular_file() && n.rfind("tok", 0) == 0 && e.path().extension() == ".bin") tok_bins.push_back(e.path().string());
  }
  std::sort(tok_bins.begin(), tok_bins.end());
  return tok_bins.empty() ? "" : tok_bins.front();
}

std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path) {
  fs::path p(path);
  if (!fs::exists(p)) throw IoError(path + ": no such tokenizer file or directory");
  if (fs::is_directory(p)) {
    const std::string f = find_tokenizer_file(path);
    if (f.empty())
      throw ConfigError(path + ": no tokenizer found (looked for tokenizer.json, vocab.json + merges.txt, vocab.txt, "
                               "tokenizer.bin, tok*.bin); name the tokenizer file");
    p = f;
  }
  const std::string name = p.filename().string();
  const std::string ext = p.extension().string();
  // GPT-2 layout: [prefix]vocab.json with [prefix]merges.txt (or merges.txt) beside it.
  if (name.size() >= 10 && name.compare(name.size() - 10, 10, "vocab.json") == 0) {
    const std::string prefix = name.substr(0, name.size() - 10);
    fs::path merges = p.parent_path() / (prefix + "merges.txt");
    if (!fs::exists(merges)) merges = p.parent_path() / "merges.txt";
    if (!fs::exists(merges)) throw ConfigError(p.string() + ": a GPT-2 vocab.json needs merges.txt beside it");
    return ByteBpeTokenizer::from_files(p.string(), merges.string());
  }
  if (ext == ".json") return tokenizer_from_json_text(read_file(p.string()), p.string());
  if (ext == ".txt") return WordPieceTokenizer::from_vocab_txt(p.string(), wordpiece_options_beside(p));
  if (ext == ".bin") return SpmTokenizer::from_llama2c(p.string());
  throw ConfigError(p.string() + ": unknown tokenizer format (expected tokenizer.json, vocab.json + merges.txt, "
                                 "vocab.txt, a llama2.c tokenizer .bin, or a GGUF model)");
}

}  // namespace attnscope::data
