#include "attnscope/serve/terminal_show.h"

#include <algorithm>
#include <cstdio>

#include "attnscope/core/error.h"
#include "attnscope/core/printable.h"
#include "attnscope/focus/row_stats.h"
#include "attnscope/focus/topk.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/text.h"

namespace attnscope::serve {
namespace {

// Terminal cell width of a UTF-8 string, roughly: one per code point, two for wide CJK/emoji.
int display_width(const std::string& s) {
  int w = 0;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    uint32_t cp = c;
    int len = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
    if (len > 1 && i + len <= s.size()) {
      cp = c & (0x7f >> len);
      for (int j = 1; j < len; ++j) cp = (cp << 6) | (static_cast<unsigned char>(s[i + j]) & 0x3f);
    }
    w += (cp >= 0x1100 && (cp <= 0x115f || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) ||
                           (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xff00 && cp <= 0xff60) ||
                           (cp >= 0x1f300 && cp <= 0x1faff) || (cp >= 0x20000 && cp <= 0x3fffd)))
             ? 2 : 1;
    i += len;
  }
  return w;
}

// A token as every view shows it (viz::display_token: "·" for spaces, so the space token and a
// word start are visible and columns line up); C1 controls would still move the cursor.
std::string printable(const std::string& tok) { return escape_controls(viz::display_token(tok)); }

std::string fmt_weight(float w) {
  char buf[32];
  std::snprintf(buf, sizeof buf, w >= 0.001f || w == 0.0f ? "%.4f" : "%.2e", w);
  return buf;
}

// A layer that kept only row statistics (--capture stats): per query its entropy, max weight
// and the key it attends to most, for one head or the mean (focus/row_stats.h); "-" for a
// statistic the trace did not keep.
std::string show_stats(const io::Trace& trace, const io::TraceLayer& L, int64_t head) {
  const auto* qs = trace.find_sequence(L.query_seq);
  const auto* ks = trace.find_sequence(L.key_seq);
  auto token = [](const io::TraceSequence* s, int64_t i) {
    return s && i >= 0 && i < static_cast<int64_t>(s->tokens.size()) ? printable(s->tokens[i]) : std::to_string(i);
  };
  const focus::RowStats st = focus::row_stats(L, head);
  std::string out = escape_controls(L.name) + " · " + (head == kHeadMean ? std::string("mean of heads") : "head " + std::to_string(head)) +
                    " · row statistics (the trace kept no weights)\n  query  token            entropy  max weight  attends most to\n";
  for (int64_t q = 0; q < L.queries; ++q) {
    const size_t i = static_cast<size_t>(q);
    char ent[16] = "      -", mx[16] = "         -", line[64];
    if (i < st.entropy.size()) std::snprintf(ent, sizeof ent, "%7.3f", st.entropy[i]);
    if (i < st.max_weight.size()) std::snprintf(mx, sizeof mx, "%10.4f", st.max_weight[i]);
    const int32_t arg = i < st.argmax.size() ? st.argmax[i] : -1;
    std::snprintf(line, sizeof line, "  %5lld  %-15s  ", static_cast<long long>(q), token(qs, q).substr(0, 15).c_str());
    out += line + std::string(ent) + "  " + mx + "  " + (arg < 0 ? std::string("-") : std::to_string(arg) + " \"" + token(ks, arg) + "\"") + "\n";
  }
  return out;
}

}  // namespace

std::string show_trace(const TraceSource& source, const ShowOptions& o) {
  const viz::Colormap& cmap = viz::colormap(o.cmap);  // ConfigError naming the valid maps
  const auto& L = source.layer(o.layer);
  if (L.keep == io::TraceKeep::stats) return show_stats(source.trace(), L, o.head);
  const int64_t q = o.query < 0 ? L.queries - 1 : o.query;
  ATTNSCOPE_CHECK(q < L.queries, ConfigError,
                  "query " + std::to_string(q) + " out of range [0, " + std::to_string(L.queries) + ")");
  const auto row = source.row(o.layer, o.head, q);
  const auto& keys = source.trace().find_sequence(L.key_seq)->tokens;
  const auto& queries = source.trace().find_sequence(L.query_seq)->tokens;
  const float vmax = std::max(1e-30f, *std::max_element(row.begin(), row.end()));
  const bool self = L.query_seq == L.key_seq;
  // A causal row: self-attention with nothing on the keys after the query. Those keys are in its
  // future, not attended with weight 0: they are shown faint, without a weight.
  bool causal = self && q + 1 < static_cast<int64_t>(row.size());
  for (size_t k = static_cast<size_t>(q) + 1; causal && k < row.size(); ++k) causal = row[k] == 0.0f;

  std::string out = escape_controls(L.name) + " · " + (o.head == kHeadMean ? std::string("mean of heads") : "head " + std::to_string(o.head)) +
                    " · query " + std::to_string(q) + " \"" + printable(queries[q]) + "\" attends to " +
                    (self ? "" : "'" + L.key_seq + "' ") + "(darker = less, colour map " + o.cmap + ")" +
                    (causal ? (o.color ? "; faint: after the query (causal)" : "; [-]: after the query (causal)") : "") + "\n";
  int col = 0;
  for (size_t k = 0; k < keys.size(); ++k) {
    std::string tok = printable(keys[k]);
    const bool future = causal && static_cast<int64_t>(k) > q;
    if (!o.color) tok += future ? "[-]" : "[" + fmt_weight(row[k]) + "]";
    const int w = display_width(tok) + 1;
    if (col > 0 && col + w > o.width) {
      out += "\n";
      col = 0;
    }
    if (o.color && future) {
      out += "\x1b[2m" + tok + "\x1b[0m ";
    } else if (o.color) {
      const auto c = cmap.rgb8(row[k] / vmax);
      const bool dark = 0.299 * c.r + 0.587 * c.g + 0.114 * c.b < 140;
      char esc[64];
      std::snprintf(esc, sizeof esc, "\x1b[48;2;%d;%d;%dm\x1b[38;2;%s", c.r, c.g, c.b,
                    dark ? "255;255;255m" : "0;0;0m");
      out += esc;
      if (self && static_cast<int64_t>(k) == q) out += "\x1b[4;1m";
      out += tok + "\x1b[0m ";
    } else {
      out += (self && static_cast<int64_t>(k) == q) ? "_" + tok + "_ " : tok + " ";
    }
    col += w;
  }
  out += "\n";
  const int64_t top = std::min<int64_t>(o.top, L.keys);
  std::vector<int32_t> order(static_cast<size_t>(top));  // [top] strongest keys
  std::vector<float> strongest(static_cast<size_t>(top));
  const int64_t kept = focus::row_topk(row.data(), L.keys, top, order.data(), strongest.data());
  for (int64_t i = 0; i < kept; ++i) {
    const int64_t k = order[static_cast<size_t>(i)];
    const int bar = static_cast<int>(row[k] / vmax * 30 + 0.5);
    char head[48];
    std::snprintf(head, sizeof head, "  %6lld  %s  ", static_cast<long long>(k), fmt_weight(row[k]).c_str());
    out += head + std::string(bar, '#') + std::string(30 - bar, ' ') + "  " + printable(keys[k]) + "\n";
  }
  return out;
}

}  // namespace attnscope::serve
