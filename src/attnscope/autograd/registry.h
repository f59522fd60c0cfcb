// The op registry: every differentiable op has one OpDef, named in ATTNSCOPE_OPS below and
// defined beside its forward and backward in autograd/ops/<op>.cpp. Nodes point at their OpDef
// (errors name the op); the gradcheck suite fails if an op in this list has no gradcheck case.
#pragma once
#include <string_view>
#include <vector>

namespace attnscope::autograd {

struct OpDef {
  std::string_view name;
};

// X(name): one entry per op. Add a new op here, define `const OpDef kOp_<name>{"<name>"}` in its
// file, and add its gradcheck case in tests/autograd/gradcheck_ops_test.cpp.
#define ATTNSCOPE_OPS(X)                                                                   \
  X(matmul) X(add) X(sub) X(mul) X(div) X(neg) X(scale) X(add_scalar) X(exp) X(log) X(sqrt) \
  X(pow) X(tanh) X(sigmoid) X(relu) X(gelu_tanh) X(gelu_erf) X(softmax) X(sum)             \
  X(reshape) X(permute) X(contiguous)                                                        \
  X(log_softmax) X(mean) X(max) X(slice) X(concat) X(stack) X(index_select) X(embedding)     \
  X(masked_fill) X(where) X(dropout) X(layer_norm) X(rms_norm) X(cross_entropy) X(mse)       \
  X(conv2d) X(max_pool2d) X(avg_pool2d)

#define ATTNSCOPE_DECLARE_OP(name) extern const OpDef kOp_##name;
ATTNSCOPE_OPS(ATTNSCOPE_DECLARE_OP)
#undef ATTNSCOPE_DECLARE_OP

// Every registered op, in declaration order.
const std::vector<const OpDef*>& all_ops();

}  // namespace attnscope::autograd
