#include "attnscope/focus/same_run.h"

namespace attnscope::focus {
namespace {

std::string quoted(const std::string& s) {
  constexpr size_t kMax = 40;  // enough to tell two texts apart on one line
  return "'" + (s.size() > kMax ? s.substr(0, kMax) + "..." : s) + "'";
}

std::string meta_of(const io::Trace& t, const std::string& key) {
  auto it = t.meta.find(key);
  return it == t.meta.end() ? "" : it->second;
}

std::string joined(const std::vector<std::string>& tokens) {
  std::string s;
  for (const auto& x : tokens) s += (s.empty() ? "" : " ") + x;
  return s;
}

}  // namespace

std::string run_difference(const io::Trace& a, const io::Trace& b) {
  const std::string arch_a = meta_of(a, "architecture"), arch_b = meta_of(b, "architecture");
  if (!arch_a.empty() && !arch_b.empty() && arch_a != arch_b)
    return "the model differs: " + quoted(arch_a) + " vs " + quoted(arch_b);
  if (a.layers.size() != b.layers.size())
    return "the model differs: " + std::to_string(a.layers.size()) + " vs " + std::to_string(b.layers.size()) +
           " attention layers";
  for (size_t i = 0; i < a.layers.size(); ++i) {
    const io::TraceLayer &x = a.layers[i], &y = b.layers[i];
    if (x.name != y.name || x.query_seq != y.query_seq || x.key_seq != y.key_seq || x.heads != y.heads)
      return "the model differs: layer " + std::to_string(i) + " is " + quoted(x.name) + " (" + std::to_string(x.heads) +
             " heads) vs " + quoted(y.name) + " (" + std::to_string(y.heads) + " heads)";
  }
  const std::string text_a = meta_of(a, "source_text"), text_b = meta_of(b, "source_text");
  if (!text_a.empty() && !text_b.empty()) {
    if (text_a != text_b) return "the text differs: " + quoted(text_a) + " vs " + quoted(text_b);
    return "";
  }
  if (a.sequences.size() != b.sequences.size()) return "the input differs: other token sequences";
  for (size_t i = 0; i < a.sequences.size(); ++i)
    if (a.sequences[i].name != b.sequences[i].name || a.sequences[i].tokens != b.sequences[i].tokens)
      return "the text differs: " + quoted(joined(a.sequences[i].tokens)) + " vs " + quoted(joined(b.sequences[i].tokens));
  return "";
}

}  // namespace attnscope::focus
