// The quality reference for bounded caches (StreamingLLM, Xiao et al. 2023, "sliding window
// with re-computation"): every token is predicted from the `window` tokens before it, run from
// scratch, so no cached state outlives its window. One forward of `window` tokens per token.
#pragma once
#include <span>

#include "attnscope/models/generate.h"

namespace attnscope::models {

// Perplexity of ids under that rule (the first window predictions come from one forward, as they
// see the whole prefix). ValueError for fewer than 2 ids or window < 1.
Perplexity sliding_window_perplexity(Model& model, std::span<const int32_t> ids, int64_t window);

}  // namespace attnscope::models
