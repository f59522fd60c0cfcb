// An MLP (Linear-ReLU-Linear-ReLU-Linear) reaches 100% training accuracy on a small non-linear
// synthetic problem (XOR of coordinate signs, 4 classes by quadrant pairs) from a fixed seed.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/lr_schedule.h"
#include "attnscope/nn/optimizer.h"

namespace attnscope::nn {
namespace {

struct Mlp : Module {
  std::shared_ptr<Linear> fc1, fc2, fc3;
  Mlp(Rng& rng) {
    fc1 = register_module("fc1", std::make_shared<Linear>(2, 32, rng));
    fc2 = register_module("fc2", std::make_shared<Linear>(32, 32, rng));
    fc3 = register_module("fc3", std::make_shared<Linear>(32, 2, rng));
  }
  std::string type_name() const override { return "Mlp"; }
  Tensor forward(const Tensor& x) const {
    return fc3->forward(ops::relu(fc2->forward(ops::relu(fc1->forward(x)))));
  }
};

TEST(MlpLearning, ReachesFullAccuracyOnXor) {
  Rng rng(3);
  const int64_t N = 256;
  std::vector<float> xs;
  std::vector<int64_t> ys;
  while (static_cast<int64_t>(ys.size()) < N) {
    const double a = rng.uniform(-1, 1), b = rng.uniform(-1, 1);
    if (std::abs(a) < 0.1 || std::abs(b) < 0.1) continue;  // a margin around the axes
    xs.push_back(static_cast<float>(a));
    xs.push_back(static_cast<float>(b));
    ys.push_back((a > 0) != (b > 0));
  }
  const Tensor x = Tensor::from(xs, Shape{N, 2});
  Mlp mlp(rng);
  AdamW opt(mlp.named_parameters(), AdamOptions{0.01});
  const LrSchedule sched{LrSchedule::Kind::cosine, 0.01, 10, 300};
  float first = 0, last = 0;
  for (int step = 0; step < 300; ++step) {
    opt.zero_grad();
    Tensor loss = ops::cross_entropy(mlp.forward(x), ys);
    autograd::backward(loss);
    opt.set_lr(sched.at(step));
    opt.step();
    (step == 0 ? first : last) = static_cast<float>(loss.item());
  }
  autograd::NoGrad ng;
  const Tensor logits = mlp.forward(x);
  int right = 0;
  for (int64_t i = 0; i < N; ++i) right += (logits.at({i, 1}) > logits.at({i, 0})) == (ys[i] == 1);
  EXPECT_EQ(right, N) << "accuracy " << right << "/" << N << ", loss " << first << " -> " << last;
  EXPECT_LT(last, 0.05f);
}

}  // namespace
}  // namespace attnscope::nn
