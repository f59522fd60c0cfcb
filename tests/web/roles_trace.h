// A trace whose heads have planted roles (focus/head_stats.h), for the tests of the report page
// and the viewer's Heads tab: 12 words repeated twice (24 tokens), causal rows; layer "roles":
// head 0 induction (0.9 on the token after the earlier copy), 1 duplicate-token (0.9 on the
// earlier copy), 2 previous-token (0.8 on q-1), 3 positional-2 (0.6 on q-2), 4 self (0.6 on q),
// 5 sink (0.7 on token 0), 6 focused (0.8 on a scattered key), 7 broad (uniform); layer "mixed":
// random softmax rows. Rows without their target are uniform over the visible keys.
#pragma once
#include <cmath>
#include <string>

#include "attnscope/core/rng.h"
#include "attnscope/io/trace.h"

namespace attnscope::test {

inline io::Trace make_roles_trace() {
  constexpr int64_t T = 24, NH = 8, half = 12;
  const char* words[half] = {"red", "fox", "sat", "on", "a", "warm", "mat", "and", "sang", "to", "the", "moon"};
  io::Trace t;
  io::TraceSequence s;
  s.name = "tokens";
  for (int64_t i = 0; i < T; ++i) s.tokens.push_back(words[i % half]);
  t.sequences.push_back(s);
  Rng rng(7);
  for (const std::string name : {"roles", "mixed"}) {
    io::TraceLayer L;
    L.name = name;
    L.query_seq = L.key_seq = "tokens";
    L.mechanism = "scaled_dot";
    L.heads = NH;
    L.queries = L.keys = T;
    L.weights.assign(NH * T * T, 0.0f);  // [NH, T, T]
    for (int64_t h = 0; h < NH; ++h)
      for (int64_t q = 0; q < T; ++q) {
        float* w = L.weights.data() + (h * T + q) * T;  // [T]
        int64_t target = -1;
        double mass = 0;
        if (name == "roles") {
          const int64_t copy = q >= half ? q - half : -1;
          const int64_t targets[NH] = {copy >= 0 ? copy + 1 : -1, copy, q - 1, q - 2, q, 0, (q * q * 7 + 3) % (q + 1), -1};
          const double masses[NH] = {0.9, 0.9, 0.8, 0.6, 0.6, 0.7, 0.8, 0};
          target = targets[h];
          mass = masses[h];
        }
        // Causal row: the rest of the mass spread over the visible keys (random for "mixed").
        double sum = 0;
        for (int64_t k = 0; k <= q; ++k) sum += (w[k] = name == "mixed" ? static_cast<float>(std::exp(2 * rng.normal())) : 1.0f);
        const bool planted = target >= 0 && target <= q && q > 0;
        for (int64_t k = 0; k <= q; ++k)
          w[k] = static_cast<float>((planted ? (1 - mass) : 1.0) * w[k] / sum + (planted && k == target ? mass : 0.0));
      }
    t.layers.push_back(std::move(L));
  }
  t.meta["model"] = "roles fixture";
  return t;
}

}  // namespace attnscope::test
