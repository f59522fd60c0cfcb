#include "attnscope/data/csv.h"

#include "attnscope/core/error.h"

namespace attnscope::data {
namespace {

// Parses one record starting at `pos`; advances `pos` past its line end and counts the lines
// crossed. Returns an error text instead of throwing so that csv_fields can say nullopt.
std::string parse_record(std::string_view text, size_t& pos, int64_t& line, std::vector<std::string>& fields) {
  fields.assign(1, std::string());
  enum { start, plain, quoted, closed } state = start;
  while (pos < text.size()) {
    const char c = text[pos++];
    if (state == quoted) {
      if (c == '"') {
        if (pos < text.size() && text[pos] == '"') {
          fields.back() += '"';
          ++pos;
        } else {
          state = closed;
        }
      } else {
        if (c == '\n') ++line;
        fields.back() += c;
      }
      continue;
    }
    if (c == '\n' || (c == '\r' && pos < text.size() && text[pos] == '\n') || (c == '\r' && pos == text.size())) {
      if (c == '\r' && pos < text.size()) ++pos;
      ++line;
      return "";
    }
    if (c == ',') {
      fields.emplace_back();
      state = start;
    } else if (c == '"') {
      if (state != start) return state == closed ? "a quote right after a quoted field" : "a quote inside an unquoted field";
      state = quoted;
    } else {
      if (state == closed) return "text after a quoted field (a field must be quoted whole)";
      fields.back() += c;
      state = plain;
    }
  }
  if (state == quoted) return "a quoted field is never closed";
  return "";
}

}  // namespace

std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& name) {
  std::vector<CsvRecord> out;
  size_t pos = 0;
  int64_t line = 1;
  std::vector<std::string> fields;
  while (pos < text.size()) {
    const int64_t first = line;
    const std::string err = parse_record(text, pos, line, fields);
    if (!err.empty()) throw FormatError(name + ":" + std::to_string(first) + ": not valid CSV: " + err);
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    out.push_back({first, std::move(fields)});
  }
  return out;
}

std::optional<std::vector<std::string>> csv_fields(std::string_view line) {
  size_t pos = 0;
  int64_t n = 1;
  std::vector<std::string> fields;
  if (!parse_record(line, pos, n, fields).empty() || pos < line.size()) return std::nullopt;
  return fields;
}

}  // namespace attnscope::data
