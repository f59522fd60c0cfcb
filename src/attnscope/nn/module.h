// nn::Module: the base of every layer and model. A module owns named parameters and named
// child modules, both kept in registration order, so the dotted names it reports
// ("encoder.layers.0.attn.q_proj.weight") are stable across runs: checkpoints are keyed by
// them, and imported Hugging Face checkpoints map onto them by a name table, not by code.
//
// Modules have no virtual forward: each layer's forward() takes what it needs (a mask, a
// state). Parameters are Tensor handles sharing storage, so an optimizer updating
// named_parameters() in place updates the module.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // A short type name ("Linear", "GRU"); checkpoints of whole models store the model's.
  virtual std::string type_name() const = 0;

  // Every parameter below this module, depth first in registration order, with dotted names.
  NamedTensors named_parameters() const;
  std::vector<Tensor> parameters() const;
  int64_t num_parameters() const;
  // Named random streams (e.g. dropout masks) below this module: checkpoints save their
  // state so that a resumed run draws the same masks.
  std::vector<std::pair<std::string, Rng*>> named_rngs();

  // Children in registration order.
  const std::vector<std::pair<std::string, std::shared_ptr<Module>>>& children() const {
    return children_;
  }

  // Training mode (dropout active). Propagates to children.
  void train(bool on = true);
  void eval() { train(false); }
  bool training() const { return training_; }

  // Sets every parameter's gradient to zero (keeps the buffers: backward accumulates into them).
  void zero_grad();

 protected:
  // Registers a parameter (requires_grad is set); returns a handle sharing its storage and
  // gradient. Names must be unique within this module, without '.' or '/' (ConfigError).
  Tensor register_parameter(const std::string& name, Tensor value);
  // Registers a child; returns it typed, for `q_proj_ = register_module("q_proj", ...)`.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> child) {
    add_child(name, child);
    return child;
  }
  void register_rng(const std::string& name, Rng* rng);

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  void check_new_name(const std::string& name) const;
  void collect(const std::string& prefix, NamedTensors& out) const;
  void collect_rngs(const std::string& prefix, std::vector<std::pair<std::string, Rng*>>& out);

  std::vector<std::pair<std::string, Tensor>> params_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::vector<std::pair<std::string, Rng*>> rngs_;
  bool training_ = true;
};

// An ordered list of child modules named "0", "1", ... (like torch.nn.ModuleList).
template <class M>
class ModuleList : public Module {
 public:
  std::string type_name() const override { return "ModuleList"; }
  std::shared_ptr<M> push_back(std::shared_ptr<M> m) {
    items_.push_back(register_module(std::to_string(items_.size()), std::move(m)));
    return items_.back();
  }
  size_t size() const { return items_.size(); }
  M& operator[](size_t i) const { return *items_[i]; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<std::shared_ptr<M>> items_;
};

}  // namespace attnscope::nn
