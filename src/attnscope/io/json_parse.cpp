#include "attnscope/io/json_parse.h"

#include "attnscope/core/error.h"

namespace attnscope::io {

namespace {
struct TooDeep {};
}  // namespace

nlohmann::json parse_json(std::string_view text, const std::string& where) {
  try {
    return nlohmann::json::parse(text.begin(), text.end(),
                                 [](int depth, nlohmann::json::parse_event_t, nlohmann::json&) {
                                   if (depth > kMaxJsonDepth) throw TooDeep{};
                                   return true;
                                 });
  } catch (const nlohmann::json::exception& e) {
    throw FormatError(where + ": not valid JSON (" + e.what() + ")");
  } catch (const TooDeep&) {
    throw FormatError(where + ": JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
}

}  // namespace attnscope::io
