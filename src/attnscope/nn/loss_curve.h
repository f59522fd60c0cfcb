// A loss curve as a small ASCII plot for terminals (training summaries, `attnscope demo`):
// the values are averaged into `width` buckets, plotted on a log scale when all are positive
// (losses span decades), with the y range on the left and steps along the bottom.
#pragma once
#include <string>
#include <vector>

namespace attnscope::nn {

std::string ascii_loss_plot(const std::vector<float>& values, int width = 64, int height = 12);

}  // namespace attnscope::nn
