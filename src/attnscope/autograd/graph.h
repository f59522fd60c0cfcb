// Reverse-mode autograd. An op's forward computes its output and, when any input requires
// grad (and grad mode is on), records a Node holding the inputs and a backward closure.
// backward(root) visits nodes in reverse topological order and accumulates gradients.
//
// Rules for op writers (autograd/ops/*.cpp):
//  - Backward closures receive dL/d(out) and return dL/d(input) for each input, or an undefined
//    Tensor for an input that needs none. They run under no_grad.
//  - A closure must not capture the op's own output Tensor (that would be a reference cycle
//    output -> node -> output); capture out.detach() instead.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/autograd/registry.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::autograd {

using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_out)>;

struct Node {
  const OpDef* op = nullptr;
  std::vector<Tensor> inputs;  // the forward inputs, in order
  BackwardFn backward;
};

// Grad mode (thread-local). NoGrad is the RAII scope for inference and for backward itself.
bool grad_enabled();
class NoGrad {
 public:
  NoGrad();
  ~NoGrad();
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  bool prev_;
};

// True when grad mode is on and any of the tensors requires grad.
bool any_requires_grad(std::initializer_list<const Tensor*> ts);
bool any_requires_grad(const std::vector<Tensor>& ts);

// Attaches a Node to `out` if any input requires grad (and grad mode is on).
void record(const OpDef& op, std::vector<Tensor> inputs, Tensor& out, BackwardFn backward);

// Accumulates d(root)/d(leaf) into every leaf's grad() (+=). root must be a scalar unless
// grad_root (same shape as root) is given. The graph is freed afterwards unless retain_graph.
void backward(const Tensor& root, const Tensor& grad_root = {}, bool retain_graph = false);

}  // namespace attnscope::autograd
