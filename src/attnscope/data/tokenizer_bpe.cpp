// Byte-level BPE: GPT-2's pre-tokenizer regex written out by hand over Unicode categories, the
// bytes_to_unicode table, and rank-ordered merging (openai/gpt-2 encoder.py semantics).
#include "attnscope/data/tokenizer_bpe.h"
#include "attnscope/io/json_parse.h"

#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/data/tokenizer_unicode.h"

namespace attnscope::data {

namespace {

// GPT-2's bytes_to_unicode(): printable Latin-1 bytes map to themselves, the other 68 bytes to
// U+0100 onwards, so every byte string becomes a printable string (space -> 'Ġ' U+0120).
std::array<char32_t, 256> bytes_to_unicode() {
  std::array<char32_t, 256> map{};
  std::array<bool, 256> direct{};
  for (int b = '!'; b <= '~'; ++b) direct[b] = true;
  for (int b = 0xA1; b <= 0xAC; ++b) direct[b] = true;
  for (int b = 0xAE; b <= 0xFF; ++b) direct[b] = true;
  char32_t next = 256;
  for (int b = 0; b < 256; ++b) map[b] = direct[b] ? static_cast<char32_t>(b) : next++;
  return map;
}

inline uint64_t pair_key(int32_t a, int32_t b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

inline bool is_s(char32_t c) { return is_white_space(c); }

}  // namespace

std::vector<std::pair<size_t, size_t>> gpt2_pretokenize(const std::u32string& t) {
  std::vector<std::pair<size_t, size_t>> out;
  const size_t n = t.size();
  size_t i = 0;
  auto run = [&](size_t j, auto pred) {
    while (j < n && pred(t[j])) ++j;
    return j;
  };
  auto other = [](char32_t c) { return !is_s(c) && !is_letter(c) && !is_number(c); };
  while (i < n) {
    const char32_t c = t[i];
    // 's|'t|'re|'ve|'m|'ll|'d (case-sensitive, as in GPT-2)
    if (c == U'\'' && i + 1 < n) {
      const char32_t a = t[i + 1], b = i + 2 < n ? t[i + 2] : 0;
      size_t len = 0;
      if (a == U's' || a == U't' || a == U'm' || a == U'd') len = 2;
      else if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l')) len = 3;
      if (len) {
        out.emplace_back(i, i + len);
        i += len;
        continue;
      }
    }
    //  ?\p{L}+ |  ?\p{N}+ |  ?[^\s\p{L}\p{N}]+
    const size_t j = (c == U' ' && i + 1 < n) ? i + 1 : i;
    if (j < n) {
      const char32_t d = t[j];
      size_t e = 0;
      if (is_letter(d)) e = run(j, is_letter);
      else if (is_number(d)) e = run(j, is_number);
      else if (other(d)) e = run(j, other);
      if (e) {
        out.emplace_back(i, e);
        i = e;
        continue;
      }
    }
    // \s+(?!\S) | \s+ : a whitespace run leaves its last character to the next token when a
    // non-space follows (so " word" keeps its space), unless the run is a single character.
    size_t e = run(i, is_s);
    if (e == i) e = i + 1;  // unreachable for valid categories; guarantees progress
    if (e < n && e - i > 1) --e;
    out.emplace_back(i, e);
    i = e;
  }
  return out;
}

ByteBpeTokenizer::ByteBpeTokenizer(std::vector<std::string> tokens,
                                   const std::vector<std::pair<std::string, std::string>>& merges,
                                   const std::vector<int32_t>& special_ids) {
  set_vocab(std::move(tokens));
  const auto b2u = bytes_to_unicode();
  for (int b = 0; b < 256; ++b) {
    std::string s;
    utf8_append(b2u[b], s);
    byte_id_[b] = find(s);
    if (byte_id_[b] < 0)
      throw FormatError("byte-level BPE vocabulary lacks the token for byte " + std::to_string(b) + " ('" + s + "')");
    unicode_byte_[b2u[b]] = static_cast<uint8_t>(b);
  }
  merges_.reserve(merges.size());
  for (size_t r = 0; r < merges.size(); ++r) {
    const auto& [l, rt] = merges[r];
    const int32_t a = find(l), b = find(rt), m = find(l + rt);
    if (a < 0 || b < 0 || m < 0)
      throw FormatError("byte-level BPE merge " + std::to_string(r) + " '" + l + " " + rt +
                        "' uses or makes a token that is not in the vocabulary");
    merges_.emplace(pair_key(a, b), std::make_pair(static_cast<int32_t>(r), m));  // first rank wins
  }
  for (int32_t id : special_ids) {
    validate_id(id, "special token");
    add_special_string(id);
  }
  if (int32_t e = find("<|endoftext|>"); e >= 0) {
    add_special_string(e);
    specials_.bos = specials_.eos = e;
  }
}

std::vector<std::pair<std::string, std::string>> parse_merges_txt(const std::string& text, const std::string& where) {
  std::vector<std::pair<std::string, std::string>> merges;
  size_t pos = 0, line_no = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || (line_no == 1 && line.rfind("#version", 0) == 0)) continue;
    const size_t sp = line.find(' ');
    if (sp == std::string::npos || sp == 0 || sp + 1 >= line.size() || line.find(' ', sp + 1) != std::string::npos)
      throw FormatError(where + ":" + std::to_string(line_no) + ": expected a merge 'left right', got '" +
                        line.substr(0, 80) + "'");
    merges.emplace_back(line.substr(0, sp), line.substr(sp + 1));
  }
  return merges;
}

std::unique_ptr<ByteBpeTokenizer> ByteBpeTokenizer::from_files(const std::string& vocab_json,
                                                               const std::string& merges_txt) {
  const nlohmann::json j = io::parse_json(read_file(vocab_json), vocab_json);
  if (!j.is_object() || j.empty()) throw FormatError(vocab_json + ": expected a JSON object {token: id}");
  std::vector<std::string> tokens(j.size());
  std::vector<bool> seen(j.size());
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_number_integer()) throw FormatError(vocab_json + ": id of '" + it.key() + "' is not an integer");
    const int64_t id = it.value().get<int64_t>();
    if (id < 0 || id >= static_cast<int64_t>(tokens.size()) || seen[id])
      throw FormatError(vocab_json + ": ids must be 0.." + std::to_string(tokens.size() - 1) +
                        " without gaps or repeats (token '" + it.key() + "' has " + std::to_string(id) + ")");
    seen[id] = true;
    tokens[id] = it.key();
  }
  return std::make_unique<ByteBpeTokenizer>(std::move(tokens), parse_merges_txt(read_file(merges_txt), merges_txt),
                                            std::vector<int32_t>{});
}

void ByteBpeTokenizer::bpe(const std::string& bytes, std::vector<int32_t>& out) const {
  std::vector<int32_t> sym;
  sym.reserve(bytes.size());
  for (unsigned char b : bytes) sym.push_back(byte_id_[b]);
  while (sym.size() > 1) {
    // The adjacent pair with the lowest merge rank; then merge all its occurrences left to right.
    int32_t best = std::numeric_limits<int32_t>::max(), merged = -1;
    int32_t left = -1, right = -1;
    for (size_t k = 0; k + 1 < sym.size(); ++k) {
      auto it = merges_.find(pair_key(sym[k], sym[k + 1]));
      if (it != merges_.end() && it->second.first < best) {
        best = it->second.first;
        merged = it->second.second;
        left = sym[k];
        right = sym[k + 1];
      }
    }
    if (merged < 0) break;
    size_t w = 0;
    for (size_t k = 0; k < sym.size(); ++k) {
      if (k + 1 < sym.size() && sym[k] == left && sym[k + 1] == right) {
        sym[w++] = merged;
        ++k;
      } else {
        sym[w++] = sym[k];
      }
    }
    sym.resize(w);
  }
  out.insert(out.end(), sym.begin(), sym.end());
}

std::vector<int32_t> ByteBpeTokenizer::encode_plain(std::string_view text, bool) const {
  std::vector<int32_t> ids;
  const std::u32string cps = utf8_decode(text);
  // Invalid UTF-8 decodes to U+FFFD for splitting, but the original bytes are what get encoded:
  // walk the byte string alongside the code points.
  std::vector<size_t> byte_pos(cps.size() + 1);
  {
    size_t b = 0;
    const std::string_view s = text;
    for (size_t k = 0; k < cps.size(); ++k) {
      byte_pos[k] = b;
      const size_t n = utf8_len(static_cast<unsigned char>(s[b]));
      // A U+FFFD produced by an invalid byte covers exactly one byte.
      b += (cps[k] == 0xFFFD && s.compare(b, 3, "\xEF\xBF\xBD") != 0) ? 1 : n;
    }
    byte_pos[cps.size()] = b;
  }
  for (const auto& [lo, hi] : gpt2_pretokenize(cps))
    bpe(std::string(text.substr(byte_pos[lo], byte_pos[hi] - byte_pos[lo])), ids);
  return ids;
}

std::string ByteBpeTokenizer::token_bytes(int32_t id) const {
  if (is_special(id)) return pieces_[id];
  std::string out;
  for (char32_t cp : utf8_decode(pieces_[id])) {
    auto it = unicode_byte_.find(cp);
    if (it != unicode_byte_.end()) out.push_back(static_cast<char>(it->second));
    else utf8_append(cp, out);  // not a byte-level piece (an added token): keep its text
  }
  return out;
}

std::string ByteBpeTokenizer::decode_ids(const std::vector<int32_t>& ids) const {
  std::string out;
  for (int32_t id : ids) out += token_bytes(id);
  return out;
}

std::string ByteBpeTokenizer::decode_step(int32_t, int32_t id) const {
  validate_id(id, "decode");
  return token_bytes(id);
}

std::string ByteBpeTokenizer::display(int32_t id) const {
  validate_id(id, "display");
  const std::string b = token_bytes(id);
  size_t bad = 0;
  utf8_decode(b, &bad);
  if (!bad) return b;
  std::string out;  // a partial UTF-8 sequence: show its bytes
  char buf[8];
  for (unsigned char c : b) {
    std::snprintf(buf, sizeof buf, "<0x%02X>", c);
    out += buf;
  }
  return out;
}

}  // namespace attnscope::data
