// Next-token predictions of a language model over a sequence (Ecco's most-used view): per
// position the k most probable next tokens, and the probability and rank of the token that
// actually follows. Stored in a trace as io::TracePredictions (--capture ...,next:K).
#pragma once
#include <cstdint>
#include <span>
#include <string>

#include "attnscope/data/tokenizer.h"
#include "attnscope/io/trace.h"
#include "attnscope/models/model.h"

namespace attnscope::models {

// logits: token_logits [T, V] (one row per position). targets[t] is the token that follows
// position t (-1: none), so targets.size() == T. k is clamped to V. Probabilities are the
// softmax of each row (in double); ties rank the lower id first. ShapeError for other outputs.
io::TracePredictions next_token_predictions(const ModelOutput& logits, std::span<const int32_t> targets, int64_t k,
                                            const data::Tokenizer& tok, const std::string& seq = "tokens");

}  // namespace attnscope::models
