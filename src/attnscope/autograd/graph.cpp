#include "attnscope/autograd/graph.h"

#include <unordered_map>
#include <unordered_set>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"

namespace attnscope::autograd {
namespace {
thread_local bool g_grad_enabled = true;
}

bool grad_enabled() { return g_grad_enabled; }
NoGrad::NoGrad() : prev_(g_grad_enabled) { g_grad_enabled = false; }
NoGrad::~NoGrad() { g_grad_enabled = prev_; }

bool any_requires_grad(std::initializer_list<const Tensor*> ts) {
  if (!g_grad_enabled) return false;
  for (const Tensor* t : ts)
    if (t && t->defined() && t->requires_grad()) return true;
  return false;
}

bool any_requires_grad(const std::vector<Tensor>& ts) {
  if (!g_grad_enabled) return false;
  for (const Tensor& t : ts)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

void record(const OpDef& op, std::vector<Tensor> inputs, Tensor& out, BackwardFn backward) {
  if (!any_requires_grad(inputs)) return;
  auto node = std::make_shared<Node>();
  node->op = &op;
  node->inputs = std::move(inputs);
  node->backward = std::move(backward);
  out.set_grad_fn(std::move(node));
  out.requires_grad_(true);
}

namespace {

// Adds g into acc (acc may be undefined); shapes must match. A leaf's grad is later added to in
// place, so it must own its storage (own = true: copy); an interior node's gradient is only read,
// so it shares g's (a copy of each activation-sized gradient was ~15% of a 64 px captioner step).
void accumulate(Tensor& acc, const Tensor& g, bool own) {
  if (!acc.defined())
    acc = !own ? g : g.is_contiguous() ? g.clone() : g.contiguous();
  else
    acc = ops::add(acc, g);
}

}  // namespace

void backward(const Tensor& root, const Tensor& grad_root, bool retain_graph) {
  if (!root.requires_grad())
    throw Error("backward: the tensor does not require grad (no parameter reached it)");
  Tensor seed = grad_root;
  if (!seed.defined()) {
    if (root.numel() != 1)
      throw ShapeError("backward: root must be a scalar without grad_root, got " + root.str());
    seed = Tensor::ones(root.shape(), root.dtype());
  } else if (!(seed.shape() == root.shape())) {
    throw ShapeError("backward: grad_root " + seed.str() + " for root " + root.str());
  }
  NoGrad no_grad;
  if (!root.grad_fn()) {  // root is a leaf
    Tensor g = root.grad();
    accumulate(g, seed, true);
    const_cast<Tensor&>(root).set_grad(g);
    return;
  }

  // Reverse topological order by iterative DFS over nodes.
  // `order` owns the nodes: freeing a node's inputs below may drop the last other reference.
  std::vector<std::shared_ptr<Node>> order;
  std::unordered_set<Node*> seen;
  std::vector<std::pair<std::shared_ptr<Node>, size_t>> stack{{root.grad_fn(), 0}};
  seen.insert(root.grad_fn().get());
  while (!stack.empty()) {
    auto& [node, next] = stack.back();
    if (next < node->inputs.size()) {
      const Tensor& in = node->inputs[next++];
      std::shared_ptr<Node> child = in.defined() ? in.grad_fn() : nullptr;
      if (child && seen.insert(child.get()).second) stack.push_back({child, 0});
    } else {
      order.push_back(node);
      stack.pop_back();
    }
  }

  std::unordered_map<Node*, Tensor> grads;
  grads[root.grad_fn().get()] = seed;
  for (auto it = order.rbegin(); it != order.rend(); ++it) {
    Node* node = it->get();
    auto found = grads.find(node);
    if (found == grads.end()) continue;  // no gradient reached this node
    Tensor gout = std::move(found->second);
    grads.erase(found);
    if (!node->backward)
      throw Error("backward: op '" + std::string(node->op->name) +
                  "' was already differentiated (pass retain_graph to run backward twice)");
    std::vector<Tensor> gin = node->backward(gout);
    if (gin.size() != node->inputs.size())
      throw Error("backward: op '" + std::string(node->op->name) + "' returned " +
                  std::to_string(gin.size()) + " gradients for " +
                  std::to_string(node->inputs.size()) + " inputs");
    for (size_t i = 0; i < gin.size(); ++i) {
      Tensor& in = node->inputs[i];
      if (!gin[i].defined() || !in.defined() || !in.requires_grad()) continue;
      if (!(gin[i].shape() == in.shape()))
        throw ShapeError("backward: op '" + std::string(node->op->name) + "' gave gradient " +
                         gin[i].str() + " for input " + std::to_string(i) + " of shape " + in.str());
      if (in.grad_fn()) {
        accumulate(grads[in.grad_fn().get()], gin[i], false);
      } else {
        Tensor g = in.grad();
        if (g.defined() && g.dtype() != gin[i].dtype())
          throw ShapeError("backward: gradient dtype mismatch for a leaf");
        if (g.defined()) {
          // Accumulate in place so that optimizers holding the grad see it.
          dispatch_dtype(g.dtype(), [&]<class T>() {
            Tensor src = gin[i].contiguous();
            T* d = g.data<T>();
            const T* s = src.data<T>();
            parallel_for(0, g.numel(), 32768, [&](int64_t lo, int64_t hi) {
              for (int64_t k = lo; k < hi; ++k) d[k] += s[k];
            });
          });
        } else {
          accumulate(g, gin[i], true);
          in.set_grad(g);
        }
      }
    }
    if (!retain_graph) {
      node->backward = nullptr;
      node->inputs.clear();
    }
  }
}

}  // namespace attnscope::autograd
