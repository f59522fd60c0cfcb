// Checkpoints: round trip of model + optimizer + RNG states, and every load-time validation
// (missing tensor, wrong shape, unexpected tensor, wrong model type, not a checkpoint).
#include <gtest/gtest.h>

#include <filesystem>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/nn/checkpoint.h"
#include "attnscope/nn/dropout.h"
#include "attnscope/nn/linear.h"

namespace attnscope::nn {
namespace {

namespace fs = std::filesystem;

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("attnscope_ckpt_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& n) const { return (dir_ / n).string(); }
  fs::path dir_;
};

struct Net : Module {
  std::shared_ptr<Linear> fc1, fc2;
  std::shared_ptr<Dropout> drop;
  Net(Rng& rng, int64_t hidden = 4, bool bias2 = true) {
    fc1 = register_module("fc1", std::make_shared<Linear>(3, hidden, rng));
    drop = register_module("drop", std::make_shared<Dropout>(0.1, rng.next_u64()));
    fc2 = register_module("fc2", std::make_shared<Linear>(hidden, 2, rng, bias2));
  }
  std::string type_name() const override { return "Net"; }
};

void train_steps(Net& net, Optimizer& opt, Rng& data, int n) {
  for (int i = 0; i < n; ++i) {
    opt.zero_grad();
    Tensor x = Tensor::randn(Shape{5, 3}, data);
    autograd::backward(ops::mean(ops::pow(net.fc2->forward(net.drop->forward(net.fc1->forward(x))), 2.0)));
    opt.step();
  }
}

TEST_F(CheckpointTest, RoundTripRestoresModelOptimizerAndRngs) {
  Rng r1(1), d1(7);
  Net a(r1);
  AdamW oa(a.named_parameters(), AdamOptions{0.01});
  train_steps(a, oa, d1, 3);
  save_checkpoint(path("a.safetensors"), a, CheckpointMeta{"net", R"({"hidden":4})", 3, R"({"note":1})"}, &oa,
                  {{"data", &d1}});
  // No temporary files left beside it.
  int files = 0;
  for (auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);

  Rng r2(99), d2(0);
  Net b(r2);
  AdamW ob(b.named_parameters(), AdamOptions{0.5});
  const CheckpointMeta m = load_checkpoint(path("a.safetensors"), b, "net", &ob, {{"data", &d2}});
  EXPECT_EQ(m.step, 3);
  EXPECT_EQ(m.config, R"({"hidden":4})");
  EXPECT_EQ(m.training, R"({"note":1})");
  EXPECT_EQ(read_checkpoint_meta(path("a.safetensors")).model_type, "net");
  auto pa = a.named_parameters(), pb = b.named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(pa[i].second.to_vector(), pb[i].second.to_vector());
  EXPECT_EQ(ob.steps(), 3);
  // Same state -> the next steps are identical bit for bit (data and dropout streams included).
  train_steps(a, oa, d1, 2);
  train_steps(b, ob, d2, 2);
  pa = a.named_parameters();
  pb = b.named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(pa[i].second.to_vector(), pb[i].second.to_vector()) << pa[i].first;
}

std::string load_error(const std::string& file, Module& m, const std::string& type, Optimizer* opt = nullptr) {
  try {
    load_checkpoint(file, m, type, opt);
  } catch (const FormatError& e) {
    return e.what();
  }
  return "no error";
}

TEST_F(CheckpointTest, ValidationErrorsNameWhatIsWrong) {
  Rng rng(1);
  Net a(rng);
  save_checkpoint(path("a.safetensors"), a, CheckpointMeta{"net"});

  Net wider(rng, 5);
  std::string e = load_error(path("a.safetensors"), wider, "net");
  EXPECT_NE(e.find("'fc1.weight' has shape [4, 3]"), std::string::npos) << e;
  EXPECT_NE(e.find("[5, 3]"), std::string::npos) << e;

  Net other(rng);
  const std::vector<float> before = other.fc1->weight().to_vector();
  e = load_error(path("a.safetensors"), other, "translator");
  EXPECT_NE(e.find("holds a 'net' model, expected 'translator'"), std::string::npos) << e;

  Net nobias(rng, 4, false);  // the file has fc2.bias, this model does not
  e = load_error(path("a.safetensors"), nobias, "net");
  EXPECT_NE(e.find("unexpected tensor 'fc2.bias'"), std::string::npos) << e;

  save_checkpoint(path("nb.safetensors"), nobias, CheckpointMeta{"net"});
  e = load_error(path("nb.safetensors"), other, "net");
  EXPECT_NE(e.find("missing tensor 'fc2.bias'"), std::string::npos) << e;

  AdamW opt(other.named_parameters(), AdamOptions{});
  e = load_error(path("a.safetensors"), other, "net", &opt);
  EXPECT_NE(e.find("no optimizer state"), std::string::npos) << e;

  io::SafetensorsWriter w;  // a plain safetensors file, not a checkpoint
  const float v[2] = {1, 2};
  w.add_f32("x", {2}, v);
  w.write(path("plain.safetensors"));
  e = load_error(path("plain.safetensors"), other, "net");
  EXPECT_NE(e.find("not an attnscope checkpoint"), std::string::npos) << e;

  EXPECT_THROW(load_checkpoint(path("absent.safetensors"), other, "net"), IoError);
  // Failed loads changed nothing.
  EXPECT_EQ(other.fc1->weight().to_vector(), before);
}

}  // namespace
}  // namespace attnscope::nn
