// Vocabulary for trained models: token <-> id with the four specials first
// (<pad> 0, <unk> 1, <bos> 2, <eos> 3). Built from counts with a minimum frequency; unknown
// tokens map to <unk>. Serializes to JSON for checkpoint metadata.
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace attnscope::data {

class Vocab {
 public:
  static constexpr int64_t kPad = 0, kUnk = 1, kBos = 2, kEos = 3;

  Vocab();
  // Tokens seen at least min_freq times, most frequent first (ties by token), at most max_size
  // entries including the specials (0 = no limit).
  static Vocab build(const std::vector<std::vector<std::string>>& sentences, int min_freq = 1,
                     int64_t max_size = 0);
  static Vocab from_tokens(const std::vector<std::string>& tokens);  // specials are prepended

  int64_t size() const { return static_cast<int64_t>(tokens_.size()); }
  int64_t id(const std::string& token) const;  // kUnk when absent
  bool contains(const std::string& token) const { return index_.count(token) != 0; }
  const std::string& token(int64_t id) const;  // throws ValueError when out of range
  std::vector<int64_t> encode(const std::vector<std::string>& tokens, bool add_eos = false) const;
  // Stops at <eos>; skips <pad>/<bos>.
  std::vector<std::string> decode(const std::vector<int64_t>& ids) const;
  const std::vector<std::string>& tokens() const { return tokens_; }

  std::string to_json() const;
  static Vocab from_json(const std::string& json);  // FormatError when malformed

 private:
  void add(const std::string& t);
  std::vector<std::string> tokens_;
  std::unordered_map<std::string, int64_t> index_;
};

}  // namespace attnscope::data
