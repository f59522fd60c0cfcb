// Whether traces are snapshots of one run: the same model (the same attention sites) over the
// same input. Focus across training compares one example's attention as a model learns; frames
// of another model or another text would be read as learning when they are not.
#pragma once
#include <string>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

// "" when `b` can be a later snapshot of the run `a` comes from, else why not (one phrase, e.g.
// "the text differs: 'Once upon' vs 'The cat'"). The same model: the same architecture when
// both record one, and the same layers (names, query/key sequences, heads). The same input: the
// same source text when both record one, otherwise the same tokens in every sequence (a
// translation's output may change while it learns; its source may not).
std::string run_difference(const io::Trace& a, const io::Trace& b);

}  // namespace attnscope::focus
