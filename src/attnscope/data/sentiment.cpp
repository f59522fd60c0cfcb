#include "attnscope/data/sentiment.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/data/csv.h"
#include "attnscope/data/utf8.h"

namespace attnscope::data {
namespace {

namespace fs = std::filesystem;

bool is_punct(unsigned char c) { return std::string_view(".,!?;:\"()[]{}`").find(static_cast<char>(c)) != std::string_view::npos; }

void push_word(std::vector<std::string>& out, std::string w) {
  if (w == "(") w = "-lrb-";
  if (w == ")") w = "-rrb-";
  if (!w.empty()) out.push_back(std::move(w));
}

// One whitespace-free chunk: leading/trailing punctuation runs apart, then the clitic.
void split_chunk(const std::string& chunk, std::vector<std::string>& out) {
  size_t b = 0, e = chunk.size();
  while (b < e && is_punct(chunk[b])) ++b;
  // A chunk of punctuation only ("...", "!!") stays one token.
  if (b == e) return push_word(out, chunk);
  for (size_t i = 0; i < b; ++i) push_word(out, std::string(1, chunk[i]));
  while (e > b && is_punct(chunk[e - 1])) --e;
  std::string core = chunk.substr(b, e - b);
  std::string clitic;
  static const char* const kClitics[] = {"n't", "'s", "'re", "'ve", "'ll", "'d", "'m"};
  for (const char* c : kClitics) {
    const std::string_view cl(c);
    if (core.size() > cl.size() && core.compare(core.size() - cl.size(), cl.size(), cl) == 0) {
      clitic = std::string(cl);
      core.resize(core.size() - cl.size());
      break;
    }
  }
  push_word(out, core);
  push_word(out, clitic);
  const std::string tail = chunk.substr(e);
  if (tail.find_first_not_of('.') == std::string::npos && tail.size() > 1) return push_word(out, tail);  // "..."
  for (char c : tail) push_word(out, std::string(1, c));
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = nl + 1;
  }
  return lines;
}

// A label as read: a non-negative integer, or a word.
struct RawLabel {
  bool number = false;
  int64_t value = 0;
  std::string word;
};

std::optional<RawLabel> parse_label(const std::string& text) {
  const std::string t = ascii_lower(trim(text));
  if (t.empty() || t.size() > 40) return std::nullopt;
  if (std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isdigit(c); })) {
    if (t.size() > 3) return std::nullopt;  // 1000 classes is not sentiment
    return RawLabel{true, std::stoll(t), ""};
  }
  // Words: letters, spaces, '-' and '_' ("very negative", "very_positive").
  if (!std::all_of(t.begin(), t.end(), [](unsigned char c) { return std::isalpha(c) || c == ' ' || c == '-' || c == '_'; }))
    return std::nullopt;
  std::string w = t;
  std::replace(w.begin(), w.end(), '_', ' ');
  std::replace(w.begin(), w.end(), '-', ' ');
  return RawLabel{false, 0, w};
}

struct RawRow {
  std::string text;
  std::optional<RawLabel> label;
};

// Splits a line into (text, label) for a format; label empty when the label field does not parse.
std::optional<RawRow> split_line(const std::string& line, TextFormat f) {
  if (f == TextFormat::sst) {
    const std::string t = trim(line);
    const size_t sp = t.find_first_of(" \t");
    if (sp == std::string::npos) return RawRow{"", parse_label(t)};
    return RawRow{trim(t.substr(sp + 1)), parse_label(t.substr(0, sp))};
  }
  std::vector<std::string> fields;
  if (f == TextFormat::csv) {
    auto cf = csv_fields(line);
    if (!cf) return std::nullopt;
    fields = std::move(*cf);
  } else {
    size_t start = 0;
    while (true) {
      const size_t tab = line.find('\t', start);
      fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
  }
  if (fields.size() < 2) return std::nullopt;
  // text<SEP>label or label<SEP>text: the side that reads best as a label (a number or a
  // sentiment name beats another word; ties: the last); a CSV text may hold unquoted separators.
  auto strength = [](const std::optional<RawLabel>& l) {
    if (!l) return 0;
    if (l->number) return 3;
    static const std::set<std::string> kNamed = {"negative", "positive", "neg", "pos", "neutral", "very negative",
                                                 "very positive", "label", "sentiment", "polarity", "class"};
    return kNamed.count(l->word) ? 3 : 1;
  };
  const auto last = parse_label(fields.back()), first = parse_label(fields.front());
  const char* sep = f == TextFormat::csv ? "," : "\t";
  if (strength(last) > 0 && strength(last) >= strength(first)) {
    std::string text = fields[0];
    for (size_t i = 1; i + 1 < fields.size(); ++i) text += sep + fields[i];
    return RawRow{trim(text), last};
  }
  if (strength(first) > 0) {
    std::string text = fields[1];
    for (size_t i = 2; i < fields.size(); ++i) text += sep + fields[i];
    return RawRow{trim(text), first};
  }
  return RawRow{trim(fields[0]), std::nullopt};
}

TextFormat detect(const std::string& path, const std::vector<std::string>& lines) {
  if (fs::path(path).extension() == ".csv") return TextFormat::csv;
  for (const auto& l : lines) {
    if (trim(l).empty()) continue;
    if (l.find('\t') != std::string::npos) return TextFormat::tsv;
    const auto row = split_line(l, TextFormat::sst);
    if (row && row->label && row->label->number && !row->text.empty()) return TextFormat::sst;
    // Maybe a header: decide on the next non-empty line.
  }
  for (const auto& l : lines)
    if (!trim(l).empty() && split_line(l, TextFormat::csv) && split_line(l, TextFormat::csv)->label) return TextFormat::csv;
  throw FormatError("'" + path + "': cannot tell the format (expected 'label sentence', 'text<TAB>label' or CSV)");
}

const std::vector<std::string> kBinary = {"negative", "positive"};
const std::vector<std::string> kFive = {"very negative", "negative", "neutral", "positive", "very positive"};

// Word labels -> class ids: the sentiment scales when the words fit one, else sorted order.
std::vector<std::string> word_classes(const std::set<std::string>& words) {
  std::set<std::string> canon;
  for (auto w : words) canon.insert(w == "neg" ? "negative" : w == "pos" ? "positive" : w);
  auto fits = [&](const std::vector<std::string>& scale) {
    return std::all_of(canon.begin(), canon.end(), [&](const std::string& w) { return std::find(scale.begin(), scale.end(), w) != scale.end(); });
  };
  if (fits(kBinary)) return kBinary;
  if (fits(kFive)) return kFive;
  return {canon.begin(), canon.end()};
}

std::vector<std::string> number_classes(int64_t max_label) {
  if (max_label <= 1) return kBinary;
  if (max_label == 4) return kFive;
  std::vector<std::string> names;
  for (int64_t i = 0; i <= max_label; ++i) names.push_back(std::to_string(i));
  return names;
}

}  // namespace

TextFormat parse_text_format(const std::string& name) {
  if (name == "auto" || name.empty()) return TextFormat::automatic;
  if (name == "sst") return TextFormat::sst;
  if (name == "tsv") return TextFormat::tsv;
  if (name == "csv") return TextFormat::csv;
  throw ConfigError("unknown text format '" + name + "' (known: auto, sst, tsv, csv)");
}

std::vector<std::string> sentiment_words(const std::string& text) {
  std::vector<std::string> out;
  const std::string low = ascii_lower(text);
  size_t i = 0;
  while (i < low.size()) {
    while (i < low.size() && std::isspace(static_cast<unsigned char>(low[i]))) ++i;
    size_t j = i;
    while (j < low.size() && !std::isspace(static_cast<unsigned char>(low[j]))) ++j;
    if (j > i) split_chunk(low.substr(i, j - i), out);
    i = j;
  }
  return out;
}

LabeledSet read_labeled_text(const std::string& path, TextFormat format) {
  const std::vector<std::string> lines = lines_of(read_file(path));
  const TextFormat f = format == TextFormat::automatic ? detect(path, lines) : format;
  struct Row {
    size_t line;
    std::vector<std::string> words;
    RawLabel label;
  };
  std::vector<Row> rows;
  bool header_checked = false;
  // A first line naming its columns ("sentence<TAB>label") is a header, not an example.
  auto header_word = [](const RawLabel& l) {
    static const std::set<std::string> kNames = {"label", "labels", "sentiment", "class", "polarity", "target", "y", "score", "text", "sentence", "review"};
    return !l.number && kNames.count(l.word) > 0;
  };
  for (size_t i = 0; i < lines.size(); ++i) {
    if (trim(lines[i]).empty()) continue;
    const std::string where = "'" + path + "' line " + std::to_string(i + 1);
    if (!valid_utf8(lines[i])) throw FormatError(where + ": not valid UTF-8");
    const auto row = split_line(lines[i], f);
    if (!row || !row->label) {
      // The first line may be a header ("sentence<TAB>label").
      if (!header_checked) {
        header_checked = true;
        continue;
      }
      throw FormatError(where + ": no label (expected " +
                        std::string(f == TextFormat::sst ? "'label sentence'" : f == TextFormat::tsv ? "'text<TAB>label'" : "'text,label'") + ")");
    }
    if (!header_checked && header_word(*row->label)) {
      header_checked = true;
      continue;
    }
    header_checked = true;
    std::vector<std::string> words = sentiment_words(row->text);
    if (words.empty()) throw FormatError(where + ": empty text");
    rows.push_back({i + 1, std::move(words), *row->label});
  }
  if (rows.empty()) throw FormatError("'" + path + "': no labelled examples");
  const bool numbers = rows.front().label.number;
  std::set<std::string> words;
  int64_t max_label = 0;
  for (const auto& r : rows) {
    if (r.label.number != numbers)
      throw FormatError("'" + path + "' line " + std::to_string(r.line) + ": labels mix numbers and words");
    if (numbers) max_label = std::max(max_label, r.label.value);
    else words.insert(r.label.word);
  }
  LabeledSet set;
  set.labels = numbers ? number_classes(max_label) : word_classes(words);
  for (auto& r : rows) {
    LabeledText t;
    t.words = std::move(r.words);
    if (numbers) {
      t.label = r.label.value;
    } else {
      const std::string w = r.label.word == "neg" ? "negative" : r.label.word == "pos" ? "positive" : r.label.word;
      t.label = std::find(set.labels.begin(), set.labels.end(), w) - set.labels.begin();
    }
    set.examples.push_back(std::move(t));
  }
  return set;
}

namespace {

// Labels of `set` renamed onto `names` (a dev/test file read alone may have seen fewer classes).
void align_labels(LabeledSet& set, const std::vector<std::string>& names, const std::string& path) {
  for (auto& ex : set.examples) {
    const std::string& name = set.labels.at(ex.label);
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end())
      throw FormatError("'" + path + "': label '" + name + "' is not a class of the training data");
    ex.label = it - names.begin();
  }
  set.labels = names;
}

std::optional<std::string> find_split(const fs::path& dir, const std::string& stem) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().stem() == stem) return e.path().string();
  return std::nullopt;
}

}  // namespace

SentimentSplits read_sentiment_data(const std::string& path, int classes, TextFormat format, uint64_t seed) {
  std::error_code ec;
  SentimentSplits s;
  if (fs::is_directory(path, ec)) {
    const fs::path dir(path);
    const std::string sst = classes == 5 ? "stsa.fine." : "stsa.binary.";
    std::string files[3];
    const char* const names[3] = {"train", "dev", "test"};
    for (int i = 0; i < 3; ++i) {
      if (fs::is_regular_file(dir / (sst + names[i]), ec)) {
        files[i] = (dir / (sst + names[i])).string();
      } else if (auto f = find_split(dir, names[i])) {
        files[i] = *f;
      } else {
        throw IoError("'" + path + "' has no " + names[i] + " split (expected " + sst + names[i] + " or a file named " +
                      names[i] + ".*)");
      }
    }
    s.train = read_labeled_text(files[0], format);
    s.dev = read_labeled_text(files[1], format);
    s.test = read_labeled_text(files[2], format);
    align_labels(s.dev, s.train.labels, files[1]);
    align_labels(s.test, s.train.labels, files[2]);
    return s;
  }
  LabeledSet all = read_labeled_text(path, format);
  if (all.examples.size() < 10) throw FormatError("'" + path + "': " + std::to_string(all.examples.size()) + " examples are too few to split into train/dev/test");
  Rng rng(seed * 2654435761u + 17);
  for (size_t i = all.examples.size() - 1; i > 0; --i) std::swap(all.examples[i], all.examples[rng.below(i + 1)]);
  const size_t n = all.examples.size(), n_dev = n / 10, n_test = n / 10;
  s.train.labels = s.dev.labels = s.test.labels = all.labels;
  for (size_t i = 0; i < n; ++i)
    (i < n_test ? s.test : i < n_test + n_dev ? s.dev : s.train).examples.push_back(std::move(all.examples[i]));
  return s;
}

// ---- built-in reviews ----------------------------------------------------------------------

namespace {

const char* const kPositive[] = {"good", "great", "excellent", "wonderful", "brilliant", "delightful",
                                 "superb", "charming", "enjoyable", "fantastic", "lovely", "gripping"};
const char* const kNegative[] = {"bad", "awful", "terrible", "boring", "dull", "poor",
                                 "dreadful", "weak", "tedious", "mediocre", "horrible", "lifeless"};
const char* const kNouns[] = {"movie", "film", "plot", "acting", "story", "soundtrack",
                              "cast", "script", "ending", "dialogue", "direction", "pacing"};
const char* const kIntensifiers[] = {"very", "really", "truly", "incredibly", "quite", "remarkably"};
const char* const kNegators[] = {"not", "never"};
const char* const kFiller[] = {"i saw it on a sunday", "my friend picked it", "it runs about two hours",
                               "the theater was half full", "we went after dinner", "it opened last week",
                               "the director also wrote it", "there is a dog in it", "it is set in a small town",
                               "i watched it at home", "it is based on a novel", "the tickets were cheap",
                               "my sister came along", "it was shown in english", "the lead is a teacher"};

template <size_t N>
const char* pick(const char* const (&xs)[N], Rng& rng) {
  return xs[rng.below(N)];
}

void append_words(std::vector<std::string>& out, const std::string& phrase) {
  for (auto& w : sentiment_words(phrase)) out.push_back(std::move(w));
}

}  // namespace

LabeledSet generate_reviews(int64_t n, uint64_t seed) {
  LabeledSet set;
  set.labels = kBinary;
  Rng rng(seed * 0x9E3779B97F4A7C15ull + 0x5EED);
  for (int64_t i = 0; i < n; ++i) {
    LabeledText t;
    std::vector<std::string>& w = t.words;
    const bool positive = rng.below(2) == 1;
    const bool negated = rng.below(4) == 0;  // a quarter of the reviews say "not good"
    if (rng.below(2)) {
      append_words(w, pick(kFiller, rng));
      w.push_back(",");
    }
    if (rng.below(3) == 0) {
      append_words(w, std::string("i found the ") + pick(kNouns, rng));
    } else {
      append_words(w, std::string("the ") + pick(kNouns, rng) + " was");
    }
    if (negated) {
      t.negator = static_cast<int64_t>(w.size());
      w.push_back(pick(kNegators, rng));
    }
    if (rng.below(3) == 0) w.push_back(pick(kIntensifiers, rng));
    t.rationale.push_back(static_cast<int64_t>(w.size()));
    // The sentiment word's polarity; negation flips the label.
    const bool word_positive = positive != negated;
    w.push_back(word_positive ? pick(kPositive, rng) : pick(kNegative, rng));
    if (rng.below(2)) {
      w.push_back(rng.below(2) ? "and" : ",");
      append_words(w, pick(kFiller, rng));
    }
    w.push_back(".");
    t.label = positive ? 1 : 0;
    set.examples.push_back(std::move(t));
  }
  return set;
}

SentimentSplits builtin_reviews() {
  // Fixed seeds: every run and `eval sentiment --builtin reviews` see the same sets.
  return {generate_reviews(6000, 101), generate_reviews(1000, 202), generate_reviews(1000, 303)};
}

}  // namespace attnscope::data
