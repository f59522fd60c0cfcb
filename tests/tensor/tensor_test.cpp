#include "attnscope/tensor/tensor.h"

#include <gtest/gtest.h>

#include "attnscope/core/error.h"

namespace attnscope {
namespace {

TEST(Tensor, FactoriesAndAccess) {
  Tensor t = Tensor::from({1, 2, 3, 4, 5, 6}, Shape{2, 3});
  EXPECT_EQ(t.shape(), (Shape{2, 3}));
  EXPECT_EQ(t.numel(), 6);
  EXPECT_TRUE(t.is_contiguous());
  EXPECT_EQ(t.at({1, 2}), 6);
  EXPECT_EQ(t.size(-1), 3);
  EXPECT_THROW(t.size(2), ShapeError);
  EXPECT_THROW(t.data<double>(), ShapeError);
  EXPECT_EQ(Tensor::zeros({3}).at({1}), 0);
  EXPECT_EQ(Tensor::full({2}, 2.5, DType::f64).at({1}), 2.5);
}

TEST(Tensor, StridedViewAndContiguousCopy) {
  Tensor t = Tensor::arange(6).as_strided(Shape{3, 2}, Shape{1, 3}, 0);  // transpose of [2,3]
  EXPECT_FALSE(t.is_contiguous());
  Tensor c = t.contiguous();
  EXPECT_TRUE(c.is_contiguous());
  std::vector<float> expect = {0, 3, 1, 4, 2, 5};
  EXPECT_EQ(c.to_vector(), expect);
  EXPECT_THROW(Tensor::arange(6).as_strided(Shape{4, 2}, Shape{2, 1}, 0), ShapeError);
}

TEST(Tensor, RandomIsSeeded) {
  Rng a(5), b(5);
  EXPECT_EQ(Tensor::randn({17}, a).to_vector(), Tensor::randn({17}, b).to_vector());
}

TEST(Tensor, RejectsBadShapes) {
  EXPECT_THROW(Tensor::empty(Shape{2, -1}), ShapeError);
  EXPECT_THROW((Shape{1, 1, 1, 1, 1, 1, 1}), ShapeError);
  EXPECT_THROW(Tensor::from({1, 2, 3}, Shape{2, 2}), ShapeError);
}

TEST(Tensor, DtypeConversion) {
  Tensor t = Tensor::from({1.5f, -2.0f}, Shape{2}).to(DType::f64);
  EXPECT_EQ(t.dtype(), DType::f64);
  EXPECT_EQ(t.at({0}), 1.5);
}

}  // namespace
}  // namespace attnscope
