#include "attnscope/data/vocab.h"
#include "attnscope/io/json_parse.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"

namespace attnscope::data {

Vocab::Vocab() {
  for (const char* s : {"<pad>", "<unk>", "<bos>", "<eos>"}) add(s);
}

void Vocab::add(const std::string& t) {
  if (index_.count(t)) return;
  index_[t] = static_cast<int64_t>(tokens_.size());
  tokens_.push_back(t);
}

Vocab Vocab::build(const std::vector<std::vector<std::string>>& sentences, int min_freq, int64_t max_size) {
  std::map<std::string, int64_t> counts;
  for (const auto& s : sentences)
    for (const auto& t : s) counts[t]++;
  std::vector<std::pair<std::string, int64_t>> items(counts.begin(), counts.end());
  std::stable_sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  Vocab v;
  for (const auto& [t, c] : items) {
    if (c < min_freq) break;
    if (max_size > 0 && v.size() >= max_size) break;
    v.add(t);
  }
  return v;
}

Vocab Vocab::from_tokens(const std::vector<std::string>& tokens) {
  Vocab v;
  for (const auto& t : tokens) v.add(t);
  return v;
}

int64_t Vocab::id(const std::string& token) const {
  auto it = index_.find(token);
  return it == index_.end() ? kUnk : it->second;
}

const std::string& Vocab::token(int64_t id) const {
  if (id < 0 || id >= size())
    throw ValueError("vocab: id " + std::to_string(id) + " out of range [0, " + std::to_string(size()) + ")");
  return tokens_[id];
}

std::vector<int64_t> Vocab::encode(const std::vector<std::string>& tokens, bool add_eos) const {
  std::vector<int64_t> ids;
  ids.reserve(tokens.size() + 1);
  for (const auto& t : tokens) ids.push_back(id(t));
  if (add_eos) ids.push_back(kEos);
  return ids;
}

std::vector<std::string> Vocab::decode(const std::vector<int64_t>& ids) const {
  std::vector<std::string> out;
  for (int64_t i : ids) {
    if (i == kEos) break;
    if (i == kPad || i == kBos) continue;
    out.push_back(token(i));
  }
  return out;
}

std::string Vocab::to_json() const { return nlohmann::json(tokens_).dump(); }

Vocab Vocab::from_json(const std::string& text) {
  const nlohmann::json j = io::parse_json(text, "vocab");
  if (!j.is_array() || j.size() < 4) throw FormatError("vocab: expected a JSON array of at least 4 tokens");
  std::vector<std::string> tokens;
  for (const auto& t : j) {
    if (!t.is_string()) throw FormatError("vocab: every token must be a string");
    tokens.push_back(t.get<std::string>());
  }
  if (tokens[0] != "<pad>" || tokens[1] != "<unk>" || tokens[2] != "<bos>" || tokens[3] != "<eos>")
    throw FormatError("vocab: the first four tokens must be <pad> <unk> <bos> <eos>");
  Vocab v;
  for (size_t i = 4; i < tokens.size(); ++i) {
    if (v.contains(tokens[i])) throw FormatError("vocab: duplicate token '" + tokens[i] + "'");
    v.add(tokens[i]);
  }
  return v;
}

}  // namespace attnscope::data
