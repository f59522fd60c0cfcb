// `attnscope show`: a quick look in the terminal. The key tokens of one attention row are
// printed as running text, each on a background shaded by its weight (24-bit ANSI colours from
// the same colour maps as the pictures), the query token underlined, followed by the strongest
// keys with their exact weights and a bar. Without colour, weights are printed in brackets.
// A layer that kept only row statistics (--capture stats) is shown as a table: per query its
// entropy, max weight and most-attended key.
#pragma once
#include <cstdint>
#include <string>

#include "attnscope/serve/trace_source.h"

namespace attnscope::serve {

struct ShowOptions {
  int64_t layer = 0;
  int64_t head = kHeadMean;
  int64_t query = -1;       // -1: the last query (the last generated token)
  std::string cmap = "viridis";
  bool color = true;        // false: plain text with [weights]
  int width = 80;           // wrap column
  int top = 5;              // strongest keys listed (focus::row_topk: positive weights only)
};

std::string show_trace(const TraceSource& source, const ShowOptions& options);

}  // namespace attnscope::serve
