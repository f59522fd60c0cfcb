// A trace as tables for people who continue in a notebook (pandas, R, a spreadsheet):
//   weights  long format, one row per kept weight > 0: layer, head, query, key, the two tokens,
//            weight (zeros are left out: a causal row's future, a top-k row's unkept keys —
//            pivot with fill value 0)
//   rows     per query: entropy (nats), max_weight, argmax and its token (focus/row_stats.h: the
//            statistics `show` and `render --view stats` print, also of stats-only traces)
//   heads    per head: the measures and role of `analyze` (focus/head_stats.h) over this trace
// Written as CSV (RFC 4180, one table per file) or as JSON (column-oriented: {"table": {"column":
// [values...]}}, which pandas.DataFrame reads as it is).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

// Which part of the trace: every layer or one (an index into trace.layers); every head, one
// index, or kHeadMean (focus/trace_row.h) for the head average.
struct TableSelection {
  std::optional<int64_t> layer;
  std::optional<int64_t> head;
};

// A column holds numbers (integers print without a fraction) or text, one entry per row.
struct TableColumn {
  std::string name;
  bool text = false, integer = false;
  std::vector<double> numbers;
  std::vector<std::string> strings;
};
struct Table {
  std::string name;  // "weights", "rows", "heads"
  std::vector<TableColumn> columns;
  size_t rows() const;
};

// The table names, in the order a JSON export holds them.
const std::vector<std::string>& table_names();

// `name` is one of table_names() (ConfigError otherwise). ConfigError for the weights of a
// selection that kept only row statistics (there are none to list), and for the head measures
// of the head mean (they describe each head).
Table trace_table(const io::Trace& trace, const std::string& name, const TableSelection& sel = {});

std::string to_csv(const Table& table);
// Columns keep their order (an ordered object).
nlohmann::ordered_json to_json(const Table& table);

}  // namespace attnscope::focus
