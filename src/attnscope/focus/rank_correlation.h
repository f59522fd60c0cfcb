// Rank agreement between two importance scores over the same items (attention weights against
// leave-one-out or gradient x input importance: the faithfulness measure of Jain & Wallace 2019).
#pragma once
#include <vector>

namespace attnscope::focus {

// Kendall's tau-b: (concordant - discordant) / sqrt((n0 - ties_a)(n0 - ties_b)), n0 = n(n-1)/2,
// in [-1, 1]. NaN when either side is constant or n < 2 (no ranking to agree with).
// ValueError when the lengths differ. O(n^2): sentences are short.
double kendall_tau(const std::vector<double>& a, const std::vector<double>& b);

// Spearman's rho: the Pearson correlation of the ranks (ties get their mean rank), in [-1, 1].
// NaN when either side is constant or n < 2; ValueError when the lengths differ.
double spearman_rho(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace attnscope::focus
