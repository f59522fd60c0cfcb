// Optimizers update f32 parameters in place from their accumulated .grad(). Parameters are
// taken with their names (Module::named_parameters()), so the optimizer's state can be saved
// in a checkpoint beside the model under stable names ("exp_avg/<param>").
// Parameters without a gradient (not reached by backward) are skipped, state untouched.
// Updates are elementwise and split by parallel_for: deterministic for any thread count.
#pragma once
#include <map>
#include <string>

#include "attnscope/nn/module.h"

namespace attnscope::nn {

// Everything a checkpoint needs to resume an optimizer bit for bit.
struct OptimizerState {
  std::string type;                    // "SGD", "Adam", "AdamW"
  int64_t steps = 0;                   // updates done (Adam's bias correction uses it)
  std::map<std::string, double> hyper; // lr, betas, ...
  NamedTensors tensors;                // "<slot>/<param name>" -> f32 tensor, param's shape
};

class Optimizer {
 public:
  // Throws ConfigError for an empty list, a non-f32 parameter or a repeated name.
  Optimizer(NamedTensors params, double lr);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  virtual std::string type_name() const = 0;
  // One update from the current gradients.
  void step();
  // Zeroes every parameter's gradient (in place; backward accumulates).
  void zero_grad();

  double lr() const { return lr_; }
  void set_lr(double lr) { lr_ = lr; }
  int64_t steps() const { return steps_; }
  const NamedTensors& params() const { return params_; }

  OptimizerState state() const;
  // Restores state(); throws FormatError when the type differs or a slot tensor is missing or
  // has the wrong shape (naming it).
  void load_state(const OptimizerState& s);

 protected:
  // Per-slot buffers ("momentum_buffer", "exp_avg", ...), one zero tensor per parameter.
  void add_slot(const std::string& name);
  // Updates parameter i (n floats) given its gradient; slots(i)[k] is slot k's buffer.
  virtual void update(size_t i, float* p, const float* g, int64_t n) = 0;
  float* slot(size_t k, size_t i) { return slots_[k].second[i].data<float>(); }
  virtual std::map<std::string, double> hyper() const = 0;
  virtual void set_hyper(const std::map<std::string, double>& h) = 0;

  NamedTensors params_;
  double lr_;
  int64_t steps_ = 0;

 private:
  std::vector<std::pair<std::string, std::vector<Tensor>>> slots_;
};

// SGD with momentum (PyTorch's form: buf = momentum buf + g; p -= lr buf) and optional L2
// weight decay added to the gradient.
struct SgdOptions {
  double lr = 0.1, momentum = 0.0, weight_decay = 0.0;
};
class SGD : public Optimizer {
 public:
  SGD(NamedTensors params, const SgdOptions& opt);
  std::string type_name() const override { return "SGD"; }

 protected:
  void update(size_t i, float* p, const float* g, int64_t n) override;
  std::map<std::string, double> hyper() const override;
  void set_hyper(const std::map<std::string, double>& h) override;

 private:
  SgdOptions opt_;
};

// Adam (Kingma & Ba 2015) with bias correction. Adam adds weight_decay * p to the gradient
// (L2); AdamW (Loshchilov & Hutter 2019) decays the weights directly: p -= lr wd p.
struct AdamOptions {
  double lr = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weight_decay = 0.0;
};
class Adam : public Optimizer {
 public:
  Adam(NamedTensors params, const AdamOptions& opt, bool decoupled_weight_decay = false);
  std::string type_name() const override { return decoupled_ ? "AdamW" : "Adam"; }

 protected:
  void update(size_t i, float* p, const float* g, int64_t n) override;
  std::map<std::string, double> hyper() const override;
  void set_hyper(const std::map<std::string, double>& h) override;

 private:
  AdamOptions opt_;
  bool decoupled_;
};

class AdamW : public Adam {
 public:
  AdamW(NamedTensors params, const AdamOptions& opt) : Adam(std::move(params), opt, true) {}
};

// Scales all gradients so that their global L2 norm is at most max_norm (PyTorch's
// clip_grad_norm_). Returns the norm before clipping; a non-finite norm leaves the gradients
// untouched (the caller decides: skip the step or stop).
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm);

}  // namespace attnscope::nn
