// CSV as RFC 4180 writes it: fields separated by commas, a field may be double-quoted, and a quoted
// field may hold commas, doubled quotes ("") and line breaks; records end with LF or CRLF. A pure
// function of its text (no files), so it is fuzzed as is.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace attnscope::data {

struct CsvRecord {
  int64_t line = 0;                 // 1-based line where the record starts
  std::vector<std::string> fields;
};

// Every record of `text`; blank lines are skipped. FormatError "NAME:LINE: ..." for a quote that
// is never closed, a quote inside an unquoted field, or text after a closing quote.
std::vector<CsvRecord> parse_csv(std::string_view text, const std::string& name);

// The fields of one line, or nullopt when the line is not valid CSV (the same rules).
std::optional<std::vector<std::string>> csv_fields(std::string_view line);

}  // namespace attnscope::data
