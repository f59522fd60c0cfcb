// nn::EvalMode: eval mode for a scope, the previous mode restored on every exit — also when the
// forward pass inside throws (a failed translation must not leave a training model in eval mode).
#include "attnscope/nn/eval_mode.h"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>

#include "attnscope/core/error.h"
#include "attnscope/nn/dropout.h"

namespace attnscope::nn {
namespace {

// A model whose forward fails, after checking it runs in eval mode with its children too.
struct Failing : Module {
  std::shared_ptr<Dropout> drop = register_module("drop", std::make_shared<Dropout>(0.5, 1));
  std::string type_name() const override { return "Failing"; }
  void forward() const {
    EXPECT_FALSE(training());
    EXPECT_FALSE(drop->training());
    throw ShapeError("forward: bad input");
  }
};

TEST(EvalMode, RestoresTrainingModeWhenForwardThrows) {
  Failing m;
  m.train();
  EXPECT_THROW(
      {
        const EvalMode eval_mode(m);
        m.forward();
      },
      ShapeError);
  EXPECT_TRUE(m.training());
  EXPECT_TRUE(m.drop->training());
}

TEST(EvalMode, KeepsEvalModeOfAModelInEvalMode) {
  Failing m;
  m.eval();
  {
    const EvalMode eval_mode(m);
    EXPECT_FALSE(m.training());
  }
  EXPECT_FALSE(m.training());
  m.train();
  {
    const EvalMode outer(m);
    { const EvalMode inner(m); }
    EXPECT_FALSE(m.training());  // the inner scope restores eval, not training
  }
  EXPECT_TRUE(m.training());
}

}  // namespace
}  // namespace attnscope::nn
