// Gradcheck cases for the core ops: elementwise (with broadcasting), matmul, softmax, sum,
// shape ops. Odd sizes (not multiples of any vector width) on purpose.
#include <limits>

#include "gradcheck_cases.h"

namespace attnscope::testing {
namespace {
using namespace attnscope::ops;

const GradcheckCaseRegistrar kCoreOpCases({
    {"add", "add_broadcast", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}), param(r, {5})}; },
     [](const auto& in) { return add(in[0], in[1]); }},
    {"sub", "sub_broadcast_col", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 1}), param(r, {2, 3, 7})}; },
     [](const auto& in) { return sub(in[0], in[1]); }},
    {"mul", "mul_broadcast", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 5}), param(r, {3, 1})}; },
     [](const auto& in) { return mul(in[0], in[1]); }},
    {"div", "div", [](Rng& r) { return std::vector<Tensor>{param(r, {4, 3}), param(r, {4, 3}, 0.5, 2)}; },
     [](const auto& in) { return div(in[0], in[1]); }},
    {"neg", "neg", [](Rng& r) { return std::vector<Tensor>{param(r, {7})}; },
     [](const auto& in) { return neg(in[0]); }},
    {"scale", "scale", [](Rng& r) { return std::vector<Tensor>{param(r, {7})}; },
     [](const auto& in) { return scale(in[0], -2.5); }},
    {"add_scalar", "add_scalar", [](Rng& r) { return std::vector<Tensor>{param(r, {7})}; },
     [](const auto& in) { return add_scalar(in[0], 3.0); }},
    {"exp", "exp", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5})}; },
     [](const auto& in) { return exp(in[0]); }},
    {"log", "log", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}, 0.2, 3)}; },
     [](const auto& in) { return log(in[0]); }},
    {"sqrt", "sqrt", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}, 0.2, 3)}; },
     [](const auto& in) { return sqrt(in[0]); }},
    {"pow", "pow", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}, 0.2, 3)}; },
     [](const auto& in) { return pow(in[0], 2.7); }},
    {"tanh", "tanh", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}, -3, 3)}; },
     [](const auto& in) { return tanh(in[0]); }},
    {"sigmoid", "sigmoid", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}, -6, 6)}; },
     [](const auto& in) { return sigmoid(in[0]); }},
    {"relu", "relu", [](Rng& r) { return std::vector<Tensor>{param(r, {4, 9})}; },
     [](const auto& in) { return relu(in[0]); }},
    {"gelu_tanh", "gelu_tanh", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}, -3, 3)}; },
     [](const auto& in) { return gelu_tanh(in[0]); }},
    {"gelu_erf", "gelu_erf", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}, -3, 3)}; },
     [](const auto& in) { return gelu_erf(in[0]); }},
    {"matmul", "matmul_2d", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5}), param(r, {5, 7})}; },
     [](const auto& in) { return matmul(in[0], in[1]); }},
    {"matmul", "matmul_batched", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 3, 5}), param(r, {2, 3, 5, 4})}; },
     [](const auto& in) { return matmul(in[0], in[1]); }},
    {"matmul", "matmul_shared_b", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 5}), param(r, {5, 4})}; },
     [](const auto& in) { return matmul(in[0], in[1]); }},
    // A shared b with a's rows folded into one GEMM: one row per item (a decoder step), rows of a
    // view whose row stride exceeds its width (the first 5 columns of 10), and a transposed a (not folded).
    {"matmul", "matmul_shared_b_single_rows", [](Rng& r) { return std::vector<Tensor>{param(r, {4, 1, 6}), param(r, {6, 3})}; },
     [](const auto& in) { return matmul(in[0], in[1]); }},
    {"matmul", "matmul_shared_b_strided_rows", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 2, 10}), param(r, {5, 4})}; },
     [](const auto& in) { return matmul(slice(in[0], 2, 0, 5), in[1]); }},
    {"matmul", "matmul_shared_b_transposed_a", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5, 2}), param(r, {5, 4})}; },
     [](const auto& in) { return matmul(transpose(in[0], -1, -2), in[1]); }},
    {"matmul", "matmul_transposed_views", [](Rng& r) { return std::vector<Tensor>{param(r, {5, 3}), param(r, {4, 5})}; },
     [](const auto& in) { return matmul(transpose(in[0], 0, 1), transpose(in[1], 0, 1)); }},
    {"matmul", "matmul_batched_transposed", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 5, 3}), param(r, {2, 4, 5})}; },
     [](const auto& in) { return matmul(transpose(in[0], -1, -2), transpose(in[1], -1, -2)); }},
    {"softmax", "softmax", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 7}, -2, 2)}; },
     [](const auto& in) { return softmax(in[0]); }},
    {"softmax", "softmax_masked_with_full_row",
     [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 5}, -2, 2)}; },
     [](const auto& in) {
       const double inf = std::numeric_limits<double>::infinity();
       // Causal-style mask; row 2 fully masked.
       Tensor mask = Tensor::from(std::vector<double>{0, -inf, -inf, -inf, -inf, 0, 0, -inf, -inf, -inf,
                                                      -inf, -inf, -inf, -inf, -inf},
                                  Shape{3, 5});
       return softmax(in[0], mask);
     }},
    {"sum", "sum_all", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 5})}; },
     [](const auto& in) { return sum(in[0]); }},
    {"sum", "sum_dims_keepdim", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 4, 5})}; },
     [](const auto& in) { return sum(in[0], {0, 2}, true); }},
    {"reshape", "reshape", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 4})}; },
     [](const auto& in) { return reshape(in[0], Shape{2, -1}); }},
    {"permute", "permute", [](Rng& r) { return std::vector<Tensor>{param(r, {2, 3, 4})}; },
     [](const auto& in) { return permute(in[0], {2, 0, 1}); }},
    {"contiguous", "contiguous_of_transpose", [](Rng& r) { return std::vector<Tensor>{param(r, {3, 4})}; },
     [](const auto& in) { return contiguous(transpose(in[0], 0, 1)); }},
});

}  // namespace
}  // namespace attnscope::testing
