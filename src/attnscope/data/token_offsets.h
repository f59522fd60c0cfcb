// Where each token of a text came from: byte offsets [begin, end) of every token in the text,
// found by matching the token's surface form (what it decodes to, without its word-start space)
// forward from the previous token's end — exactly or ignoring ASCII case (lower-casing
// tokenizers), next to it or, failing that, further on. A token whose surface is not found (a
// special token, text a normalizer changed) gets -1, -1 and the search goes on from where it was.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace attnscope::data {

std::vector<std::pair<int64_t, int64_t>> token_offsets(std::string_view text, const std::vector<std::string>& surfaces);

}  // namespace attnscope::data
