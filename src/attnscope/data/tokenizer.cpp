// Tokenizer base: vocabulary lookup, special-token splitting, and the format detection of
// load_tokenizer().
#include "attnscope/data/tokenizer.h"

#include <algorithm>
#include <filesystem>

#include "attnscope/core/error.h"

namespace attnscope::data {

const std::string& Tokenizer::piece(int32_t id) const {
  validate_id(id, "piece");
  return pieces_[static_cast<size_t>(id)];
}

void Tokenizer::validate_id(int32_t id, const char* what) const {
  if (id < 0 || id >= vocab_size())
    throw ValueError(std::string("tokenizer ") + what + ": token id " + std::to_string(id) +
                     " is outside the vocabulary [0, " + std::to_string(vocab_size()) + ")");
}

int32_t Tokenizer::find(std::string_view piece) const {
  auto it = index_.find(std::string(piece));
  return it == index_.end() ? -1 : it->second;
}

void Tokenizer::set_vocab(std::vector<std::string> pieces) {
  pieces_ = std::move(pieces);
  index_.clear();
  index_.reserve(pieces_.size());
  for (size_t i = 0; i < pieces_.size(); ++i) index_.emplace(pieces_[i], static_cast<int32_t>(i));
}

void Tokenizer::add_special_string(int32_t id) {
  if (id < 0 || id >= vocab_size() || pieces_[id].empty()) return;
  if (std::find(special_ids_.begin(), special_ids_.end(), id) != special_ids_.end()) return;
  special_ids_.push_back(id);
  // Longest first, so "<|endoftext|>" wins over a shorter special that is its prefix.
  std::stable_sort(special_ids_.begin(), special_ids_.end(),
                   [&](int32_t a, int32_t b) { return pieces_[a].size() > pieces_[b].size(); });
}

bool Tokenizer::is_special(int32_t id) const {
  return std::find(special_ids_.begin(), special_ids_.end(), id) != special_ids_.end();
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special, bool parse_special) const {
  std::vector<int32_t> ids;
  if (!parse_special || special_ids_.empty()) {
    ids = encode_plain(text, true);
  } else {
    size_t start = 0, i = 0;
    while (i < text.size()) {
      int32_t hit = -1;
      for (int32_t id : special_ids_)
        if (text.compare(i, pieces_[id].size(), pieces_[id]) == 0) { hit = id; break; }
      if (hit < 0) { ++i; continue; }
      if (i > start) {
        auto part = encode_plain(text.substr(start, i - start), start == 0);
        ids.insert(ids.end(), part.begin(), part.end());
      }
      ids.push_back(hit);
      i += pieces_[hit].size();
      start = i;
    }
    if (start < text.size()) {
      auto part = encode_plain(text.substr(start), start == 0);
      ids.insert(ids.end(), part.begin(), part.end());
    }
  }
  if (add_special) add_specials(ids);
  return ids;
}

std::string Tokenizer::decode(const std::vector<int32_t>& ids, bool keep_special) const {
  std::vector<int32_t> kept;
  kept.reserve(ids.size());
  for (int32_t id : ids) {
    validate_id(id, "decode");
    if (keep_special || !is_special(id)) kept.push_back(id);
  }
  return decode_ids(kept);
}

}  // namespace attnscope::data
