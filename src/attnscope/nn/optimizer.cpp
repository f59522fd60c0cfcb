#include "attnscope/nn/optimizer.h"

#include <cmath>
#include <set>

#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/kernels/rows.h"

namespace attnscope::nn {

namespace {
// Elements per parallel chunk (~50 us of updates): smaller tensors update inline, because a
// fork/join per tensor costs more than it saves when most tensors are small.
constexpr int64_t kGrain = 1 << 16;
}

Optimizer::Optimizer(NamedTensors params, double lr) : params_(std::move(params)), lr_(lr) {
  if (params_.empty()) throw ConfigError("optimizer: no parameters to optimize");
  std::set<std::string> names;
  for (const auto& [name, p] : params_) {
    if (!p.defined() || p.dtype() != DType::f32 || !p.is_contiguous())
      throw ConfigError("optimizer: parameter '" + name + "' must be a contiguous f32 tensor, got " +
                        (p.defined() ? p.str() : std::string("undefined")));
    if (!names.insert(name).second) throw ConfigError("optimizer: parameter '" + name + "' given twice");
  }
  if (!(lr >= 0) || !std::isfinite(lr)) throw ConfigError("optimizer: bad learning rate " + std::to_string(lr));
}

void Optimizer::add_slot(const std::string& name) {
  std::vector<Tensor> bufs;
  for (const auto& [_, p] : params_) bufs.push_back(Tensor::zeros(p.shape()));
  slots_.emplace_back(name, std::move(bufs));
}

void Optimizer::step() {
  ++steps_;
  for (size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i].second;
    const Tensor& graw = p.grad();
    if (!graw.defined()) continue;
    Tensor g = graw.contiguous();
    update(i, p.data<float>(), g.data<float>(), p.numel());
  }
}

void Optimizer::zero_grad() {
  for (auto& [_, p] : params_) p.zero_grad();
}

OptimizerState Optimizer::state() const {
  OptimizerState s;
  s.type = type_name();
  s.steps = steps_;
  s.hyper = hyper();
  for (const auto& [slot, bufs] : slots_)
    for (size_t i = 0; i < params_.size(); ++i) s.tensors.emplace_back(slot + "/" + params_[i].first, bufs[i]);
  return s;
}

void Optimizer::load_state(const OptimizerState& s) {
  if (s.type != type_name())
    throw FormatError("optimizer state is for " + (s.type.empty() ? std::string("no optimizer") : s.type) +
                      ", not " + type_name());
  std::map<std::string, const Tensor*> by_name;
  for (const auto& [n, t] : s.tensors) by_name[n] = &t;
  // Validate everything before changing anything.
  for (auto& [slot, bufs] : slots_)
    for (size_t i = 0; i < params_.size(); ++i) {
      const std::string key = slot + "/" + params_[i].first;
      auto it = by_name.find(key);
      if (it == by_name.end()) throw FormatError("optimizer state: missing tensor '" + key + "'");
      if (!(it->second->shape() == bufs[i].shape()))
        throw FormatError("optimizer state: tensor '" + key + "' has shape " + it->second->shape().str() +
                          ", parameter has " + bufs[i].shape().str());
    }
  for (auto& [slot, bufs] : slots_)
    for (size_t i = 0; i < params_.size(); ++i) bufs[i].copy_from(*by_name[slot + "/" + params_[i].first]);
  set_hyper(s.hyper);
  steps_ = s.steps;
}

// ---- SGD ------------------------------------------------------------------------------------

SGD::SGD(NamedTensors params, const SgdOptions& opt) : Optimizer(std::move(params), opt.lr), opt_(opt) {
  if (!(opt.momentum >= 0 && opt.momentum < 1) || !(opt.weight_decay >= 0))
    throw ConfigError("SGD: need 0 <= momentum < 1 and weight_decay >= 0");
  if (opt.momentum > 0) add_slot("momentum_buffer");
}

void SGD::update(size_t i, float* p, const float* g, int64_t n) {
  const float lr = static_cast<float>(lr_), mom = static_cast<float>(opt_.momentum),
              wd = static_cast<float>(opt_.weight_decay);
  float* buf = mom > 0 ? slot(0, i) : nullptr;
  parallel_for(0, n, kGrain, [&](int64_t lo, int64_t hi) {
    for (int64_t k = lo; k < hi; ++k) {
      float d = g[k] + wd * p[k];
      if (buf) d = buf[k] = mom * buf[k] + d;
      p[k] -= lr * d;
    }
  });
}

std::map<std::string, double> SGD::hyper() const {
  return {{"lr", lr_}, {"momentum", opt_.momentum}, {"weight_decay", opt_.weight_decay}};
}

void SGD::set_hyper(const std::map<std::string, double>& h) {
  if (h.count("lr")) lr_ = h.at("lr");
  if (h.count("momentum")) opt_.momentum = h.at("momentum");
  if (h.count("weight_decay")) opt_.weight_decay = h.at("weight_decay");
}

// ---- Adam / AdamW ---------------------------------------------------------------------------

Adam::Adam(NamedTensors params, const AdamOptions& opt, bool decoupled)
    : Optimizer(std::move(params), opt.lr), opt_(opt), decoupled_(decoupled) {
  if (!(opt.beta1 >= 0 && opt.beta1 < 1) || !(opt.beta2 >= 0 && opt.beta2 < 1) || !(opt.eps > 0) ||
      !(opt.weight_decay >= 0))
    throw ConfigError(type_name() + ": need betas in [0, 1), eps > 0, weight_decay >= 0");
  add_slot("exp_avg");
  add_slot("exp_avg_sq");
}

void Adam::update(size_t i, float* p, const float* g, int64_t n) {
  float* m = slot(0, i);
  float* v = slot(1, i);
  const double t = static_cast<double>(steps_);
  kernels::AdamCoeffs c;
  c.beta1 = static_cast<float>(opt_.beta1);
  c.beta2 = static_cast<float>(opt_.beta2);
  c.eps = static_cast<float>(opt_.eps);
  c.coupled_wd = decoupled_ ? 0.f : static_cast<float>(opt_.weight_decay);
  c.decoupled_lr_wd = decoupled_ ? static_cast<float>(lr_ * opt_.weight_decay) : 0.f;
  // Bias corrections folded into the step size and the denominator (PyTorch's formulation).
  c.step_size = static_cast<float>(lr_ / (1.0 - std::pow(opt_.beta1, t)));
  c.inv_bc2_sqrt = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(opt_.beta2, t)));
  const auto& k = kernels::row_kernels();
  parallel_for(0, n, kGrain, [&](int64_t lo, int64_t hi) { k.adam(p + lo, g + lo, m + lo, v + lo, hi - lo, c); });
}

std::map<std::string, double> Adam::hyper() const {
  return {{"lr", lr_}, {"beta1", opt_.beta1}, {"beta2", opt_.beta2}, {"eps", opt_.eps},
          {"weight_decay", opt_.weight_decay}};
}

void Adam::set_hyper(const std::map<std::string, double>& h) {
  if (h.count("lr")) lr_ = h.at("lr");
  if (h.count("beta1")) opt_.beta1 = h.at("beta1");
  if (h.count("beta2")) opt_.beta2 = h.at("beta2");
  if (h.count("eps")) opt_.eps = h.at("eps");
  if (h.count("weight_decay")) opt_.weight_decay = h.at("weight_decay");
}

// ---- gradient clipping ------------------------------------------------------------------------

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm) {
  double sq = 0;  // serial double accumulation: exact order, any thread count
  for (const Tensor& p : params) {
    if (!p.grad().defined()) continue;
    const Tensor g = p.grad().contiguous();
    dispatch_dtype(g.dtype(), [&]<class T>() {
      const T* d = g.data<T>();
      for (int64_t k = 0; k < g.numel(); ++k) sq += static_cast<double>(d[k]) * d[k];
    });
  }
  const double norm = std::sqrt(sq);
  if (!std::isfinite(norm) || norm <= max_norm) return norm;
  const double coef = max_norm / (norm + 1e-6);
  for (const Tensor& p : params) {
    if (!p.grad().defined()) continue;
    Tensor g = p.grad();
    if (!g.is_contiguous()) {
      g = g.contiguous();
      const_cast<Tensor&>(p).set_grad(g);
    }
    dispatch_dtype(g.dtype(), [&]<class T>() {
      T* d = g.data<T>();
      for (int64_t k = 0; k < g.numel(); ++k) d[k] = static_cast<T>(d[k] * coef);
    });
  }
  return norm;
}

}  // namespace attnscope::nn
