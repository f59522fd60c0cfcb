// Supervised attention (Liu et al. 2016, Mi et al. 2016; Liu et al. 2017 for images): a loss term
// that pulls attention rows toward gold distributions, an attentional bias used while training
// (dates translation: gold alignments; sentiment: gold rationale words; captioning: an object's box
// cells, the "attention correctness" supervision of Liu et al. 2017).
//   loss = -(1 / R) sum_{b,t} sum_j g[b,t,j] log(a[b,t,j] + 1e-6)
// over the R rows whose gold distribution is not all zero (rows without gold are skipped).
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

// Gold of one attention row: (key index, weight) pairs; an empty row has no gold. Weights of a row
// are normalised to sum 1; indices outside 0..N-1 are ignored.
using GoldRow = std::vector<std::pair<int64_t, double>>;

// att [B, T, N] (differentiable), gold [B][T] rows (missing trailing rows/batches: no gold).
// Zero (keeping the graph) when no row has gold.
Tensor supervision_loss(const Tensor& att, const std::vector<std::vector<GoldRow>>& gold);

// The uniform case: per example, per query position, the gold key positions (empty: that row is
// not supervised); each row's gold distribution is uniform over them.
using AttentionGold = std::vector<std::vector<std::vector<int>>>;
Tensor attention_supervision_loss(const Tensor& att, const AttentionGold& gold);

}  // namespace attnscope::attention
