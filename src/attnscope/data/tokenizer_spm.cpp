// SentencePiece BPE encoding with a priority queue of adjacent symbol pairs over a linked list
// (the algorithm of sentencepiece's bpe_model.cc and llama.cpp's llm_tokenizer_spm), so long
// texts stay O(n log n) instead of llama2.c's O(n^2) rescans. Same result as both.
#include "attnscope/data/tokenizer_spm.h"

#include <cstdio>
#include <cstring>
#include <queue>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/data/tokenizer_unicode.h"

namespace attnscope::data {

namespace {

// "<0x1F>" -> 31, else -1.
int parse_byte_piece(const std::string& p) {
  if (p.size() != 6 || p.compare(0, 3, "<0x") != 0 || p[5] != '>') return -1;
  auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1; };
  const int hi = hex(p[3]), lo = hex(p[4]);
  return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
}

}  // namespace

SpmTokenizer::SpmTokenizer(std::vector<std::string> pieces, std::vector<float> scores, std::vector<PieceType> types,
                           SpecialTokens specials, SpmOptions opt)
    : scores_(std::move(scores)), types_(std::move(types)), opt_(std::move(opt)) {
  if (pieces.empty()) throw FormatError("SentencePiece vocabulary is empty");
  if (scores_.size() != pieces.size())
    throw FormatError("SentencePiece vocabulary has " + std::to_string(pieces.size()) + " pieces but " +
                      std::to_string(scores_.size()) + " scores");
  if (!types_.empty() && types_.size() != pieces.size())
    throw FormatError("SentencePiece vocabulary has " + std::to_string(pieces.size()) + " pieces but " +
                      std::to_string(types_.size()) + " token types");
  set_vocab(std::move(pieces));
  specials_ = specials;
  for (int32_t id : {specials_.bos, specials_.eos, specials_.unk, specials_.pad})
    if (id >= vocab_size()) validate_id(id, "special token");
  byte_id_.assign(256, -1);
  byte_value_.assign(pieces_.size(), -1);
  if (types_.empty()) {  // infer: <0xNN> bytes, the declared specials are control tokens
    types_.assign(pieces_.size(), PieceType::normal);
    for (int32_t id : {specials_.bos, specials_.eos, specials_.pad})
      if (id >= 0) types_[id] = PieceType::control;
    if (specials_.unk >= 0) types_[specials_.unk] = PieceType::unknown;
    for (size_t i = 0; i < pieces_.size(); ++i)
      if (parse_byte_piece(pieces_[i]) >= 0) types_[i] = PieceType::byte;
  }
  for (size_t i = 0; i < pieces_.size(); ++i) {
    if (types_[i] == PieceType::byte) {
      const int b = parse_byte_piece(pieces_[i]);
      if (b < 0) throw FormatError("SentencePiece byte token " + std::to_string(i) + " is not of the form <0xNN>");
      byte_value_[i] = b;
      if (byte_id_[b] < 0) byte_id_[b] = static_cast<int32_t>(i);
    } else if (types_[i] == PieceType::control || types_[i] == PieceType::unknown) {
      add_special_string(static_cast<int32_t>(i));
    }
  }
}

std::unique_ptr<SpmTokenizer> SpmTokenizer::from_llama2c(const std::string& path, int32_t vocab_size) {
  return from_llama2c_bytes(read_file(path), path, vocab_size);
}

std::unique_ptr<SpmTokenizer> SpmTokenizer::from_llama2c_bytes(const std::string& data, const std::string& path,
                                                               int32_t vocab_size) {
  size_t pos = 0;
  auto take = [&](void* dst, size_t n, const char* what) {
    if (pos + n > data.size())
      throw FormatError(path + ": llama2.c tokenizer truncated while reading " + what + " at byte " +
                        std::to_string(pos));
    std::memcpy(dst, data.data() + pos, n);
    pos += n;
  };
  int32_t max_len = 0;
  take(&max_len, 4, "max_token_length");
  if (max_len <= 0 || max_len > 1 << 16)
    throw FormatError(path + ": not a llama2.c tokenizer (max_token_length " + std::to_string(max_len) + ")");
  std::vector<std::string> pieces;
  std::vector<float> scores;
  while (vocab_size > 0 ? static_cast<int32_t>(pieces.size()) < vocab_size : pos < data.size()) {
    float score = 0;
    int32_t len = 0;
    take(&score, 4, "a score");
    take(&len, 4, "a token length");
    if (len < 0 || len > max_len)
      throw FormatError(path + ": token " + std::to_string(pieces.size()) + " has length " + std::to_string(len) +
                        " (max_token_length is " + std::to_string(max_len) + ")");
    std::string p(static_cast<size_t>(len), '\0');
    take(p.data(), static_cast<size_t>(len), "token bytes");
    pieces.push_back(std::move(p));
    scores.push_back(score);
  }
  if (pieces.size() < 3) throw FormatError(path + ": llama2.c tokenizer holds fewer than 3 tokens");
  // llama2.c's fixed ids: 0 <unk>, 1 BOS, 2 EOS; spaces are stored as plain ' '.
  SpecialTokens sp;
  sp.unk = 0;
  sp.bos = 1;
  sp.eos = 2;
  SpmOptions opt;
  opt.space = " ";
  try {
    return std::make_unique<SpmTokenizer>(std::move(pieces), std::move(scores), std::vector<PieceType>{}, sp, opt);
  } catch (const FormatError& e) {
    throw FormatError(path + ": " + e.what());
  }
}

int32_t SpmTokenizer::mergeable(std::string_view s) const {
  const int32_t id = find(s);
  if (id < 0) return -1;
  const PieceType t = types_[id];
  return (t == PieceType::normal || t == PieceType::user_defined) ? id : -1;
}

std::vector<int32_t> SpmTokenizer::encode_plain(std::string_view text, bool at_start) const {
  std::vector<int32_t> ids;
  if (text.empty()) return ids;
  std::string s;
  s.reserve(text.size() + 8);
  if (opt_.add_dummy_prefix && at_start) s += opt_.space;
  for (char c : text) {
    if (c == ' ') s += opt_.space;
    else s.push_back(c);
  }
  // Symbols: one UTF-8 character each, in a doubly linked list over s.
  struct Sym {
    int prev, next;
    size_t off, len;
  };
  std::vector<Sym> sym;
  for (size_t i = 0; i < s.size();) {
    // One character; an invalid sequence (truncated, bad continuation) is a single byte, so
    // the following characters stay intact and byte fallback restores the input exactly.
    size_t n = std::min(utf8_len(static_cast<unsigned char>(s[i])), s.size() - i);
    for (size_t k = 1; k < n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) {
        n = 1;
        break;
      }
    sym.push_back({static_cast<int>(sym.size()) - 1, static_cast<int>(sym.size()) + 1, i, n});
    i += n;
  }
  sym.back().next = -1;
  struct Bigram {
    float score;
    int left, right;
    size_t len;
  };
  auto worse = [](const Bigram& a, const Bigram& b) {
    return a.score < b.score || (a.score == b.score && a.left > b.left);
  };
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(worse)> queue(worse);
  auto try_pair = [&](int l, int r) {
    if (l < 0 || r < 0) return;
    const size_t len = sym[l].len + sym[r].len;
    const int32_t id = mergeable(std::string_view(s).substr(sym[l].off, len));
    if (id >= 0) queue.push({scores_[id], l, r, len});
  };
  for (size_t i = 1; i < sym.size(); ++i) try_pair(static_cast<int>(i) - 1, static_cast<int>(i));
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    Sym& l = sym[b.left];
    Sym& r = sym[b.right];
    // Stale entry: one side was merged away since it was queued.
    if (l.len == 0 || r.len == 0 || l.len + r.len != b.len || l.next != b.right) continue;
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) sym[r.next].prev = b.left;
    try_pair(l.prev, b.left);
    try_pair(b.left, l.next);
  }
  for (int i = 0; i != -1; i = sym[i].next) {
    const std::string_view piece = std::string_view(s).substr(sym[i].off, sym[i].len);
    const int32_t id = find(piece);
    if (id >= 0 && types_[id] != PieceType::control && types_[id] != PieceType::byte) {
      ids.push_back(id);
      continue;
    }
    // Byte fallback: every byte of the character as <0xNN>; [UNK] when the vocabulary has none.
    for (unsigned char c : piece) {
      const int32_t bid = byte_id_[c];
      if (bid >= 0) ids.push_back(bid);
      else if (specials_.unk >= 0) ids.push_back(specials_.unk);
      else throw ValueError("SentencePiece vocabulary has neither a byte token nor <unk> for byte " + std::to_string(c));
    }
  }
  return ids;
}

void SpmTokenizer::add_specials(std::vector<int32_t>& ids) const {
  if (opt_.add_bos && specials_.bos >= 0) ids.insert(ids.begin(), specials_.bos);
  if (opt_.add_eos && specials_.eos >= 0) ids.push_back(specials_.eos);
}

std::string SpmTokenizer::piece_text(int32_t id) const {
  if (byte_value_[id] >= 0) return std::string(1, static_cast<char>(byte_value_[id]));
  const std::string& p = pieces_[id];
  if (opt_.space == " ") return p;
  std::string out;
  for (size_t i = 0; i < p.size();) {
    if (p.compare(i, opt_.space.size(), opt_.space) == 0) {
      out.push_back(' ');
      i += opt_.space.size();
    } else {
      out.push_back(p[i++]);
    }
  }
  return out;
}

std::string SpmTokenizer::decode_step(int32_t prev, int32_t id) const {
  validate_id(id, "decode");
  std::string t = piece_text(id);
  // The dummy prefix: the first word's leading space is not part of the text.
  if (opt_.add_dummy_prefix && (prev < 0 || prev == specials_.bos) && !t.empty() && t[0] == ' ') t.erase(0, 1);
  return t;
}

std::string SpmTokenizer::decode_ids(const std::vector<int32_t>& ids) const {
  std::string out;
  for (size_t i = 0; i < ids.size(); ++i) out += decode_step(i ? ids[i - 1] : -1, ids[i]);
  return out;
}

std::string SpmTokenizer::display(int32_t id) const {
  validate_id(id, "display");
  if (byte_value_[id] >= 0) {
    const int b = byte_value_[id];
    if (b >= 0x20 && b < 0x7F) return std::string(1, static_cast<char>(b));
    return pieces_[id];
  }
  if (types_[id] == PieceType::control || types_[id] == PieceType::unknown) {
    // llama2.c spells BOS "\n<s>\n": show the name, not the newlines.
    const std::string& p = pieces_[id];
    const size_t a = p.find_first_not_of(" \n\t"), b = p.find_last_not_of(" \n\t");
    return a == std::string::npos ? p : p.substr(a, b - a + 1);
  }
  return piece_text(id);
}

}  // namespace attnscope::data
