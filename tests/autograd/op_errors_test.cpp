// Bad input to the ops: each error is the documented type and its message names the op and the
// offending shapes or values (the CLI prints it as the one line the user sees).
#include <gtest/gtest.h>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope {
namespace {
using namespace ops;

// Expects f to throw E with a message containing every fragment.
template <class E, class F>
void expect_error(F&& f, std::initializer_list<const char*> fragments) {
  try {
    f();
    FAIL() << "no exception; expected one mentioning " << *fragments.begin();
  } catch (const E& e) {
    const std::string msg = e.what();
    for (const char* frag : fragments) EXPECT_NE(msg.find(frag), std::string::npos) << "message: " << msg;
  } catch (const std::exception& e) {
    FAIL() << "wrong exception type: " << e.what();
  }
}

const Tensor k23 = Tensor::zeros({2, 3});

TEST(OpErrors, ShapeMismatchesNameTheOpAndShapes) {
  expect_error<ShapeError>([] { add(k23, Tensor::zeros({4})); }, {"add", "[2, 3]", "[4]"});
  expect_error<ShapeError>([] { matmul(k23, Tensor::zeros({2, 3})); }, {"matmul", "[2, 3]"});
  expect_error<ShapeError>([] { softmax(k23, Tensor::zeros({5})); }, {"softmax", "[5]"});
  expect_error<ShapeError>([] { log_softmax(k23, Tensor::zeros({2, 2})); }, {"log_softmax", "[2, 2]"});
  expect_error<ShapeError>([] { mean(k23, {2}); }, {"mean", "dimension 2", "[2, 3]"});
  expect_error<ShapeError>([] { max(k23, -3); }, {"max", "[2, 3]"});
  expect_error<ShapeError>([] { slice(k23, 0, 0, 1, 0); }, {"slice", "step"});
  expect_error<ShapeError>([] { concat({k23, Tensor::zeros({3, 3})}, 1); }, {"concat", "[3, 3]", "[2, 3]"});
  expect_error<ShapeError>([] { concat({}, 0); }, {"concat", "no inputs"});
  expect_error<ShapeError>([] { stack({k23, Tensor::zeros({3, 2})}, 0); }, {"stack", "[3, 2]", "[2, 3]"});
  expect_error<ShapeError>([] { masked_fill(k23, Tensor::zeros({4, 3}), 0); }, {"masked_fill", "[4, 3]"});
  expect_error<ShapeError>([] { where(Tensor::zeros({5}), k23, k23); }, {"where", "[5]"});
  expect_error<ShapeError>([] { layer_norm(k23, Tensor::ones({4}), Tensor()); }, {"layer_norm", "gamma", "[3]", "[4]"});
  expect_error<ShapeError>([] { rms_norm(k23, Tensor::ones({2})); }, {"rms_norm", "gamma", "[2]"});
  expect_error<ShapeError>([] { cross_entropy(k23, {0, 1, 2}); }, {"cross_entropy", "3 targets", "2 rows"});
  expect_error<ShapeError>([] { mse(k23, Tensor::zeros({3, 2})); }, {"mse", "[2, 3]", "[3, 2]"});
  expect_error<ShapeError>([] { conv2d(Tensor::zeros({1, 3, 5, 5}), Tensor::zeros({2, 4, 3, 3}), Tensor()); },
                           {"conv2d", "[1, 3, 5, 5]", "[2, 4, 3, 3]"});
  expect_error<ShapeError>([] { conv2d(Tensor::zeros({1, 3, 2, 2}), Tensor::zeros({2, 3, 3, 3}), Tensor()); },
                           {"conv2d", "larger"});
  expect_error<ShapeError>([] { conv2d(Tensor::zeros({1, 3, 5, 5}), Tensor::zeros({2, 3, 3, 3}), Tensor::zeros({3})); },
                           {"conv2d", "bias", "[2]"});
  expect_error<ShapeError>([] { max_pool2d(k23, 2, 2); }, {"max_pool2d", "[2, 3]"});
  expect_error<ShapeError>([] { avg_pool2d(Tensor::zeros({1, 1, 2, 2}), 3, 1); }, {"avg_pool2d", "kernel 3"});
  expect_error<ShapeError>([] { embedding(Tensor::zeros({4}), {0}, Shape{1}); }, {"embedding", "[V, C]", "[4]"});
  expect_error<ShapeError>([] { embedding(Tensor::zeros({4, 2}), {0, 1}, Shape{3}); }, {"embedding", "2 ids", "[3]"});
  expect_error<ShapeError>([] { reduce_to(k23, Shape{2}); }, {"reduce_to", "[2, 3]", "[2]"});
  expect_error<ShapeError>([] { add(k23, Tensor::zeros({2, 3}, DType::f64)); }, {"add", "f32", "f64"});
}

TEST(OpErrors, BadIndicesAndValuesAreValueErrors) {
  expect_error<ValueError>([] { index_select(k23, 1, {0, 3}); }, {"index_select", "index 3", "position 1", "[0, 3)"});
  expect_error<ValueError>([] { index_select(k23, 0, {-1}); }, {"index_select", "index -1"});
  expect_error<ValueError>([] { embedding(Tensor::zeros({4, 2}), {1, 9, 0}, Shape{3}); },
                           {"embedding", "id 9", "position 1", "[0, 4)"});
  expect_error<ValueError>([] { cross_entropy(k23, {1, 3}); }, {"cross_entropy", "target 3", "row 1"});
  expect_error<ValueError>([] { cross_entropy(k23, {1, 2}, -100, 1.5); }, {"cross_entropy", "label_smoothing"});
  expect_error<ValueError>([] {
    Rng rng(1);
    dropout(k23, -0.1, true, rng);
  }, {"dropout", "p"});
  expect_error<ValueError>([] { layer_norm(k23, Tensor(), Tensor(), 0.0); }, {"layer_norm", "eps"});
}

}  // namespace
}  // namespace attnscope
