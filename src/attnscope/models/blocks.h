// Inference building blocks shared by the imported architectures (llama.cpp, gpt2.cpp,
// bert.cpp): plain functions over contiguous float buffers, no gradients (inference only).
// Shape letters: T tokens (rows), C channels, IN/OUT linear sizes, V vocabulary.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace attnscope::models {

// y[T, OUT] = x[T, IN] W[OUT, IN]^T (+ b[OUT] when given). Weights are stored [OUT, IN] (the
// PyTorch nn.Linear layout; loaders transpose GPT-2's Conv1D [IN, OUT] once at load).
void linear_forward(const float* x, const float* w, const float* b, int64_t T, int64_t in, int64_t out, float* y);

// Column ranges [begin, end) of a linear layer's output or input: the kept heads of a pruned
// attention (runs of adjacent kept heads, HS wide), so pruned heads cost no multiply-adds.
struct ColumnBlock {
  int64_t begin = 0, end = 0;
};
// Runs of heads h with skip[h] == 0, in columns of hs per head; skip null: one block of all.
std::vector<ColumnBlock> kept_head_blocks(const uint8_t* skip, int64_t heads, int64_t hs);
// y[:, block] = x W[block, :]^T for each output block; other columns of y are not written.
// One block covering [0, out) is linear_forward without bias, bit for bit.
void linear_forward_out_blocks(const float* x, const float* w, int64_t T, int64_t in, int64_t out,
                               std::span<const ColumnBlock> blocks, float* y);
// y[T, out] = sum over input blocks of x[:, block] W[:, block]^T (other input columns ignored;
// no blocks: y = 0). One block covering [0, in) is linear_forward without bias, bit for bit.
void linear_forward_in_blocks(const float* x, const float* w, int64_t T, int64_t in, int64_t out,
                              std::span<const ColumnBlock> blocks, float* y);

// y = w * x / sqrt(mean(x^2) + eps), per row of C (llama2.c's float order of operations).
void rmsnorm_forward(const float* x, const float* w, int64_t T, int64_t C, float eps, float* y);
// y = (x - mean) / sqrt(var + eps) * w + b, per row of C.
void layernorm_forward(const float* x, const float* w, const float* b, int64_t T, int64_t C, float eps, float* y);

// In place, n values.
void gelu_tanh_inplace(float* x, int64_t n);  // GPT-2 "gelu_new": 0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3)))
void gelu_erf_inplace(float* x, int64_t n);   // BERT "gelu": 0.5x(1+erf(x/sqrt(2)))
// a = silu(a) * b (SwiGLU), n values.
void swiglu_inplace(float* a, const float* b, int64_t n);

}  // namespace attnscope::models
