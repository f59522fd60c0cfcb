// WordPiece, following HF tokenizers' BertNormalizer + BertPreTokenizer + WordPiece model.
#include "attnscope/data/tokenizer_wordpiece.h"

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/data/tokenizer_unicode.h"

namespace attnscope::data {

namespace {

bool is_bert_whitespace(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\n' || c == U'\r' || category(c) == Category::Zs;
}
// Rust tokenizers' is_control: \t \n \r are whitespace; every "Other" category is control.
bool is_bert_control(char32_t c) {
  if (c == U'\t' || c == U'\n' || c == U'\r') return false;
  const Category k = category(c);
  return k == Category::Cc || k == Category::Cf || k == Category::Cn || k == Category::Co || k == Category::Cs;
}
bool is_bert_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  return is_punctuation_category(c);
}
// The CJK Unified Ideographs blocks BERT isolates (not Hangul, Hiragana or Katakana).
bool is_chinese_char(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

}  // namespace

std::vector<std::string> bert_basic_tokenize(std::string_view text, const WordPieceOptions& opt) {
  // Normalize: drop NUL, U+FFFD and controls, whitespace -> ' ', pad CJK with spaces.
  std::u32string norm;
  for (char32_t c : utf8_decode(text)) {
    if (c == 0 || c == 0xFFFD || is_bert_control(c)) continue;
    if (is_bert_whitespace(c)) {
      norm.push_back(U' ');
    } else if (opt.tokenize_chinese_chars && is_chinese_char(c)) {
      norm.push_back(U' ');
      norm.push_back(c);
      norm.push_back(U' ');
    } else {
      norm.push_back(c);
    }
  }
  if (opt.strip_accents) {
    std::u32string nfd;
    for (char32_t c : norm) append_nfd(c, nfd);
    norm.clear();
    for (char32_t c : nfd)
      if (category(c) != Category::Mn) norm.push_back(c);
  }
  if (opt.lowercase) {
    std::u32string lo;
    for (char32_t c : norm) append_lower(c, lo);
    norm.swap(lo);
  }
  // Pre-tokenize: split on whitespace; each punctuation character is a word of its own.
  std::vector<std::string> words;
  std::u32string cur;
  auto flush = [&] {
    if (!cur.empty()) words.push_back(utf8_encode(cur));
    cur.clear();
  };
  for (char32_t c : norm) {
    if (c == U' ') {
      flush();
    } else if (is_bert_punctuation(c)) {
      flush();
      cur.push_back(c);
      flush();
    } else {
      cur.push_back(c);
    }
  }
  flush();
  return words;
}

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> tokens, WordPieceOptions opt) : opt_(std::move(opt)) {
  set_vocab(std::move(tokens));
  specials_.unk = find("[UNK]");
  if (specials_.unk < 0) throw FormatError("WordPiece vocabulary has no [UNK] token");
  specials_.cls = find("[CLS]");
  specials_.sep = find("[SEP]");
  specials_.pad = find("[PAD]");
  specials_.mask = find("[MASK]");
  for (int32_t id : {specials_.unk, specials_.cls, specials_.sep, specials_.pad, specials_.mask}) add_special_string(id);
}

std::unique_ptr<WordPieceTokenizer> WordPieceTokenizer::from_vocab_txt(const std::string& path, WordPieceOptions opt) {
  const std::string text = read_file(path);
  std::vector<std::string> tokens;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    tokens.push_back(std::move(line));
    pos = eol + 1;
  }
  if (tokens.empty()) throw FormatError(path + ": empty WordPiece vocabulary");
  try {
    return std::make_unique<WordPieceTokenizer>(std::move(tokens), std::move(opt));
  } catch (const FormatError& e) {
    throw FormatError(path + ": " + e.what());
  }
}

void WordPieceTokenizer::word_pieces(const std::string& word, std::vector<int32_t>& out) const {
  // Character boundaries (byte offsets) of the word.
  std::vector<size_t> bounds;
  for (size_t i = 0; i < word.size(); i += utf8_len(static_cast<unsigned char>(word[i]))) bounds.push_back(i);
  bounds.push_back(word.size());
  const size_t nchar = bounds.size() - 1;
  if (nchar > opt_.max_chars_per_word) {
    out.push_back(specials_.unk);
    return;
  }
  std::vector<int32_t> pieces;
  size_t start = 0;
  while (start < nchar) {
    // Greedy longest match first.
    int32_t hit = -1;
    size_t end = nchar;
    for (; end > start; --end) {
      std::string sub = word.substr(bounds[start], bounds[end] - bounds[start]);
      if (start > 0) sub = opt_.continuation + sub;
      hit = find(sub);
      if (hit >= 0) break;
    }
    if (hit < 0) {  // no piece fits: the whole word is unknown
      out.push_back(specials_.unk);
      return;
    }
    pieces.push_back(hit);
    start = end;
  }
  out.insert(out.end(), pieces.begin(), pieces.end());
}

std::vector<int32_t> WordPieceTokenizer::encode_plain(std::string_view text, bool) const {
  std::vector<int32_t> ids;
  for (const auto& w : bert_basic_tokenize(text, opt_)) word_pieces(w, ids);
  return ids;
}

void WordPieceTokenizer::add_specials(std::vector<int32_t>& ids) const {
  if (specials_.cls >= 0) ids.insert(ids.begin(), specials_.cls);
  if (specials_.sep >= 0) ids.push_back(specials_.sep);
}

std::string WordPieceTokenizer::decode_step(int32_t prev, int32_t id) const {
  validate_id(id, "decode");
  const std::string& p = pieces_[id];
  if (p.rfind(opt_.continuation, 0) == 0) return p.substr(opt_.continuation.size());
  return prev < 0 ? p : " " + p;
}

std::string WordPieceTokenizer::decode_ids(const std::vector<int32_t>& ids) const {
  std::string out;
  int32_t prev = -1;
  for (int32_t id : ids) {
    out += decode_step(prev, id);
    prev = id;
  }
  return out;
}

}  // namespace attnscope::data
