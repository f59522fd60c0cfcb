// Rotary position embedding (RoPE; Su et al. 2021, "RoFormer"): rotates each pair of query/key
// channels by an angle proportional to the position, so q_m . k_n depends on m - n only.
//   theta_i = base^(-2i / rot_dims),  i = 0 .. rot_dims/2 - 1
//   (a, b) -> (a cos(pos theta_i) - b sin(pos theta_i), a sin(pos theta_i) + b cos(pos theta_i))
// Pairing of channels: interleaved (2i, 2i+1) as in Meta's LLaMA and llama2.c (stories260K), or
// half (i, i + rot_dims/2) as in Hugging Face / GPT-NeoX checkpoints. Channels beyond rot_dims
// pass through unchanged (partial rotary, e.g. GPT-J / Phi).
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

enum class RopePairing : uint8_t { interleaved, half };

struct RopeOptions {
  double base = 10000.0;
  int64_t rot_dims = 0;  // 0: the whole head size
  RopePairing pairing = RopePairing::interleaved;
};

// x [..., T, HS] (usually [B, NH, T, HS]); row t sits at position `offset + t` (decoding with a
// KV cache passes the number of cached positions), or at positions[t] when positions is given.
//   backward: dx = R(-pos theta) dy  (a rotation's inverse is its transpose)
Tensor rope(const Tensor& x, int64_t offset = 0, const RopeOptions& opt = {},
            const std::vector<int64_t>& positions = {});

// The same rotation in place on raw rows, for inference without autograd (the imported
// models): x [T, H, HS], row t at position pos0 + t. ShapeError for a bad rot_dims or base.
void rope_rows(float* x, int64_t T, int64_t H, int64_t HS, int64_t pos0, const RopeOptions& opt);

}  // namespace attnscope::attention
