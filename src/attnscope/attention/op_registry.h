// The attention layer's own differentiable ops (the autograd registry lists the core vocabulary;
// ops defined above the autograd layer register here so the layering stays one-way).
// Each has forward and backward side by side in attention/<op>.cpp and a gradcheck case in
// tests/attention/*_cases.cpp; test_attention fails if an op listed here has none.
#pragma once
#include <vector>

#include "attnscope/autograd/registry.h"

namespace attnscope::attention {

#define ATTNSCOPE_ATTENTION_OPS(X) X(sparsemax) X(entmax15) X(entropy) X(rope) X(fused_attention)

#define ATTNSCOPE_DECLARE_ATTENTION_OP(name) extern const autograd::OpDef kOp_##name;
ATTNSCOPE_ATTENTION_OPS(ATTNSCOPE_DECLARE_ATTENTION_OP)
#undef ATTNSCOPE_DECLARE_ATTENTION_OP

const std::vector<const autograd::OpDef*>& all_attention_ops();

}  // namespace attnscope::attention
