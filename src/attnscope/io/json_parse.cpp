#include "attnscope/io/json_parse.h"

#include <set>

#include "attnscope/core/error.h"

namespace attnscope::io {

namespace {

using json = nlohmann::json;

// The SAX pass: depth and top-level keys, no document.
class Checker : public nlohmann::json_sax<json> {
 public:
  Checker(const JsonLimits& l, const std::string& where) : limits_(l), where_(where) {}
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t&) override { return true; }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return open(); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(); }
  bool end_array() override { return close(); }
  bool key(string_t& k) override {
    if (limits_.unique_top_keys && depth_ == 1 && !top_keys_.insert(k).second)
      throw FormatError(where_ + " lists '" + k + "' twice");
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) override {
    throw FormatError(where_ + ": not valid JSON (" + plain_message(e) + ")");
  }

 private:
  bool open() {
    if (++depth_ > limits_.max_depth)
      throw FormatError(where_ + ": JSON nested deeper than " + std::to_string(limits_.max_depth) + " levels");
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  const JsonLimits& limits_;
  const std::string& where_;
  int depth_ = 0;
  std::set<std::string> top_keys_;
};

}  // namespace

json parse_json(std::string_view text, const std::string& where, const JsonLimits& limits) {
  Checker checker(limits, where);
  json::sax_parse(text.begin(), text.end(), &checker);
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& e) {
    throw FormatError(where + ": not valid JSON (" + plain_message(e) + ")");
  }
}

}  // namespace attnscope::io
