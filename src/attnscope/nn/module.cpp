#include "attnscope/nn/module.h"

#include "attnscope/core/error.h"

namespace attnscope::nn {

void Module::check_new_name(const std::string& name) const {
  if (name.empty() || name.find_first_of("./") != std::string::npos)
    throw ConfigError(type_name() + ": invalid member name '" + name + "' (empty, or has '.' or '/')");
  for (const auto& [n, _] : params_)
    if (n == name) throw ConfigError(type_name() + ": duplicate member name '" + name + "'");
  for (const auto& [n, _] : children_)
    if (n == name) throw ConfigError(type_name() + ": duplicate member name '" + name + "'");
}

Tensor Module::register_parameter(const std::string& name, Tensor value) {
  check_new_name(name);
  if (!value.defined()) throw ConfigError(type_name() + ": parameter '" + name + "' is undefined");
  value.requires_grad_(true);
  params_.emplace_back(name, std::move(value));
  return params_.back().second;  // a copy: shares storage and grad
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_new_name(name);
  if (!child) throw ConfigError(type_name() + ": child module '" + name + "' is null");
  child->train(training_);
  children_.emplace_back(name, std::move(child));
}

void Module::register_rng(const std::string& name, Rng* rng) { rngs_.emplace_back(name, rng); }

void Module::collect(const std::string& prefix, NamedTensors& out) const {
  for (const auto& [name, t] : params_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [_, t] : named_parameters()) out.push_back(t);
  return out;
}

int64_t Module::num_parameters() const {
  int64_t n = 0;
  for (const auto& [_, t] : named_parameters()) n += t.numel();
  return n;
}

void Module::collect_rngs(const std::string& prefix, std::vector<std::pair<std::string, Rng*>>& out) {
  for (auto& [name, r] : rngs_) out.emplace_back(prefix + name, r);
  for (auto& [name, child] : children_) child->collect_rngs(prefix + name + ".", out);
}

std::vector<std::pair<std::string, Rng*>> Module::named_rngs() {
  std::vector<std::pair<std::string, Rng*>> out;
  collect_rngs("", out);
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [_, child] : children_) child->train(on);
}

void Module::zero_grad() {
  for (auto& [_, t] : params_) t.zero_grad();
  for (auto& [_, child] : children_) child->zero_grad();
}

}  // namespace attnscope::nn
