#include "attnscope/autograd/gradcheck.h"

#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          std::vector<Tensor> inputs, const GradcheckOptions& opt) {
  for (const Tensor& t : inputs)
    if (t.defined() && t.dtype() != DType::f64)
      throw ShapeError("gradcheck: inputs must be f64, got " + t.str());
  GradcheckResult res;
  Rng rng(opt.seed);
  Tensor w;
  auto loss = [&](const std::vector<Tensor>& in) -> double {
    Tensor out = f(in);
    if (!w.defined()) w = Tensor::uniform(out.shape(), rng, -1.0, 1.0, DType::f64);
    Tensor oc = out.contiguous();
    double s = 0;
    for (int64_t i = 0; i < oc.numel(); ++i) s += oc.data<double>()[i] * w.data<double>()[i];
    return s;
  };

  // Analytic gradients.
  for (Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) t.set_grad(Tensor());
  {
    Tensor out = f(inputs);
    if (!w.defined()) w = Tensor::uniform(out.shape(), rng, -1.0, 1.0, DType::f64);
    if (!out.requires_grad()) {
      res.ok = false;
      res.detail = "output does not require grad";
      return res;
    }
    backward(out, w);
  }

  NoGrad ng;
  for (size_t k = 0; k < inputs.size(); ++k) {
    Tensor& t = inputs[k];
    if (!t.defined() || !t.requires_grad()) continue;
    if (!t.is_contiguous()) throw ShapeError("gradcheck: inputs must be contiguous");
    Tensor analytic = t.grad().defined() ? t.grad().contiguous() : Tensor::zeros(t.shape(), DType::f64);
    double* x = t.data<double>();
    for (int64_t i = 0; i < t.numel(); ++i) {
      const double x0 = x[i];
      x[i] = x0 + opt.eps;
      const double fp = loss(inputs);
      x[i] = x0 - opt.eps;
      const double fm = loss(inputs);
      x[i] = x0;
      const double f0 = loss(inputs);
      const double numeric = (fp - fm) / (2 * opt.eps);
      const double left = (f0 - fm) / opt.eps, right = (fp - f0) / opt.eps;
      // A kink: one-sided slopes disagree far beyond rounding.
      if (std::abs(left - right) > 1e-3 * (1 + std::abs(numeric))) {
        ++res.kinks;
        continue;
      }
      const double a = analytic.data<double>()[i];
      const double abs_err = std::abs(a - numeric);
      const double rel_err = abs_err / std::max(1e-12, std::max(std::abs(a), std::abs(numeric)));
      ++res.checked;
      res.max_abs_err = std::max(res.max_abs_err, abs_err);
      if (abs_err > opt.atol) res.max_rel_err = std::max(res.max_rel_err, rel_err);
      if (abs_err > opt.atol + opt.rtol * std::abs(numeric) && res.ok) {
        res.ok = false;
        res.detail = "input " + std::to_string(k) + " element " + std::to_string(i) +
                     ": analytic " + std::to_string(a) + " vs numeric " + std::to_string(numeric);
      }
    }
  }
  if (res.checked == 0 && res.ok) {
    res.ok = false;
    res.detail = "no coordinate was checked";
  }
  return res;
}

}  // namespace attnscope::autograd
