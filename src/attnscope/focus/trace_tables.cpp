#include "attnscope/focus/trace_tables.h"

#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/focus/head_stats.h"
#include "attnscope/focus/row_stats.h"
#include "attnscope/focus/trace_row.h"

namespace attnscope::focus {
namespace {

TableColumn text_column(std::string name) { return {std::move(name), true, false, {}, {}}; }
TableColumn int_column(std::string name) { return {std::move(name), false, true, {}, {}}; }
TableColumn real_column(std::string name) { return {std::move(name), false, false, {}, {}}; }

// Builds a table cell by cell (column c of the current row).
struct Rows {
  Table t;
  void add_cell(size_t c, const std::string& s) { t.columns[c].strings.push_back(s); }
  void add_cell(size_t c, double v) { t.columns[c].numbers.push_back(v); }
};

std::vector<size_t> selected_layers(const io::Trace& trace, const TableSelection& sel) {
  if (sel.layer) {
    ATTNSCOPE_CHECK(*sel.layer >= 0 && *sel.layer < static_cast<int64_t>(trace.layers.size()), ConfigError,
                    "layer " + std::to_string(*sel.layer) + " out of range [0, " + std::to_string(trace.layers.size()) + ")");
    return {static_cast<size_t>(*sel.layer)};
  }
  std::vector<size_t> all(trace.layers.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  return all;
}

std::vector<int64_t> selected_heads(const io::TraceLayer& layer, const TableSelection& sel) {
  if (sel.head) {
    ATTNSCOPE_CHECK(*sel.head == kHeadMean || (*sel.head >= 0 && *sel.head < layer.heads), ConfigError,
                    "head " + std::to_string(*sel.head) + " out of range for layer '" + layer.name + "' (" +
                        std::to_string(layer.heads) + " heads)");
    return {*sel.head};
  }
  std::vector<int64_t> all(static_cast<size_t>(layer.heads));
  for (int64_t h = 0; h < layer.heads; ++h) all[static_cast<size_t>(h)] = h;
  return all;
}

const std::vector<std::string>& tokens_of(const io::Trace& trace, const std::string& seq) {
  static const std::vector<std::string> kNone;
  const io::TraceSequence* s = trace.find_sequence(seq);
  return s ? s->tokens : kNone;
}
std::string token(const std::vector<std::string>& tokens, int64_t i) {
  return i >= 0 && i < static_cast<int64_t>(tokens.size()) ? tokens[static_cast<size_t>(i)] : "";
}

// The head column: an index, or "mean". One type per column: text as soon as the mean is asked.
bool head_as_text(const TableSelection& sel) { return sel.head && *sel.head == kHeadMean; }
void add_head(Rows& r, size_t c, int64_t h) {
  if (r.t.columns[c].text)
    r.add_cell(c, h == kHeadMean ? std::string("mean") : std::to_string(h));
  else
    r.add_cell(c, static_cast<double>(h));
}

Table weights(const io::Trace& trace, const TableSelection& sel) {
  Rows r{{"weights",
          {text_column("layer"), head_as_text(sel) ? text_column("head") : int_column("head"), int_column("query"),
           int_column("key"), text_column("query_token"), text_column("key_token"), real_column("weight")}}};
  bool any = false;
  for (size_t li : selected_layers(trace, sel)) {
    const io::TraceLayer& L = trace.layers[li];
    if (L.keep == io::TraceKeep::stats) continue;
    any = true;
    const auto& qt = tokens_of(trace, L.query_seq);
    const auto& kt = tokens_of(trace, L.key_seq);
    std::vector<float> row(static_cast<size_t>(L.keys));
    for (int64_t h : selected_heads(L, sel))
      for (int64_t q = 0; q < L.queries; ++q) {
        std::fill(row.begin(), row.end(), 0.0f);
        add_row(L, h, q, 0, L.keys, row);
        for (int64_t k = 0; k < L.keys; ++k) {
          const float w = row[static_cast<size_t>(k)];
          if (w <= 0) continue;
          r.add_cell(0, L.name);
          add_head(r, 1, h);
          r.add_cell(2, double(q));
          r.add_cell(3, double(k));
          r.add_cell(4, token(qt, q));
          r.add_cell(5, token(kt, k));
          r.add_cell(6, double(w));
        }
      }
  }
  ATTNSCOPE_CHECK(any, ConfigError, "the trace kept only row statistics there: no weights to list (its row statistics can be)");
  return r.t;
}

Table row_table(const io::Trace& trace, const TableSelection& sel) {
  Rows r{{"rows",
          {text_column("layer"), head_as_text(sel) ? text_column("head") : int_column("head"), int_column("query"),
           text_column("query_token"), real_column("entropy"), real_column("max_weight"), int_column("argmax"),
           text_column("argmax_token")}}};
  for (size_t li : selected_layers(trace, sel)) {
    const io::TraceLayer& L = trace.layers[li];
    const auto& qt = tokens_of(trace, L.query_seq);
    const auto& kt = tokens_of(trace, L.key_seq);
    for (int64_t h : selected_heads(L, sel)) {
      const RowStats s = row_stats(L, h);
      for (int64_t q = 0; q < L.queries; ++q) {
        const auto at = static_cast<size_t>(q);
        const int32_t arg = s.argmax.empty() ? -1 : s.argmax[at];
        r.add_cell(0, L.name);
        add_head(r, 1, h);
        r.add_cell(2, double(q));
        r.add_cell(3, token(qt, q));
        r.add_cell(4, s.entropy.empty() ? NAN : double(s.entropy[at]));
        r.add_cell(5, s.max_weight.empty() ? NAN : double(s.max_weight[at]));
        r.add_cell(6, double(arg));
        r.add_cell(7, token(kt, arg));
      }
    }
  }
  return r.t;
}

Table head_table(const io::Trace& trace, const TableSelection& sel) {
  ATTNSCOPE_CHECK(!head_as_text(sel), ConfigError,
                  "the head measures describe each head: choose a head index, or all heads, not the mean");
  Rows r{{"heads",
          {text_column("layer"), int_column("head"), text_column("query_seq"), text_column("key_seq"), int_column("rows"),
           real_column("entropy"), real_column("entropy_norm"), real_column("max_weight"), real_column("topk_mass"),
           real_column("distance"), real_column("first_mass"), real_column("prev_mass"), text_column("role"),
           real_column("role_score")}}};
  FocusSums sums;
  sums.add(trace);
  for (size_t li : selected_layers(trace, sel)) {
    const io::TraceLayer& L = trace.layers[li];
    const LayerSums& ls = sums.layers[li];
    for (int64_t h : selected_heads(L, sel)) {
      const HeadReport m = head_report(ls.heads[static_cast<size_t>(h)]);
      size_t c = 0;
      r.add_cell(c++, L.name);
      r.add_cell(c++, double(h));
      r.add_cell(c++, L.query_seq);
      r.add_cell(c++, L.key_seq);
      r.add_cell(c++, double(m.rows));
      for (double v : {m.entropy, m.entropy_norm, m.max_weight, m.topk_mass, m.distance, m.first_mass, m.prev_mass})
        r.add_cell(c++, v);
      r.add_cell(c++, m.role);
      r.add_cell(c++, m.role_score);
    }
  }
  return r.t;
}

// A number as CSV/JSON text: integers without a fraction, reals with the 7 digits a float holds.
std::string number_text(double v, bool integer) {
  if (!std::isfinite(v)) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, integer ? "%.0f" : "%.7g", v);
  return buf;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos && (s.empty() || (s.front() != ' ' && s.back() != ' '))) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

size_t Table::rows() const {
  if (columns.empty()) return 0;
  return columns[0].text ? columns[0].strings.size() : columns[0].numbers.size();
}

const std::vector<std::string>& table_names() {
  static const std::vector<std::string> kNames{"weights", "rows", "heads"};
  return kNames;
}

Table trace_table(const io::Trace& trace, const std::string& name, const TableSelection& sel) {
  if (name == "weights") return weights(trace, sel);
  if (name == "rows") return row_table(trace, sel);
  if (name == "heads") return head_table(trace, sel);
  throw ConfigError("unknown table '" + name + "' (expected weights, rows or heads)");
}

std::string to_csv(const Table& t) {
  std::string out;
  for (size_t c = 0; c < t.columns.size(); ++c) out += (c ? "," : "") + csv_field(t.columns[c].name);
  out += "\r\n";
  const size_t n = t.rows();
  for (size_t i = 0; i < n; ++i) {
    for (size_t c = 0; c < t.columns.size(); ++c) {
      const TableColumn& col = t.columns[c];
      if (c) out += ',';
      out += col.text ? csv_field(col.strings[i]) : number_text(col.numbers[i], col.integer);
    }
    out += "\r\n";
  }
  return out;
}

nlohmann::ordered_json to_json(const Table& t) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const TableColumn& col : t.columns) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    if (col.text) {
      for (const auto& s : col.strings) a.push_back(s);
    } else {
      for (double v : col.numbers) {
        if (!std::isfinite(v)) a.push_back(nullptr);  // a statistic the trace did not keep
        else if (col.integer) a.push_back(static_cast<int64_t>(v));
        else a.push_back(std::stod(number_text(v, false)));
      }
    }
    j[col.name] = std::move(a);
  }
  return j;
}

}  // namespace attnscope::focus
