#include "attnscope/viz/animate_trace.h"

#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/colormap.h"

namespace attnscope::viz {

int64_t write_token_animation(const io::Trace& trace, int64_t layer, int64_t head, const AnimationOptions& o,
                              const std::string& path, bool quiet) {
  animation_format_for(path);  // a bad extension fails before any rendering
  (void)colormap(o.colormap);
  TokenAnimation anim(trace, layer, head, o);
  AnimationTarget target{path, o.width, o.height, o.fps, o.colormap, {}};
  if (anim.mode() == TokenAnimation::Mode::image) {
    // A photograph needs palette colours of its own: sample the first, middle and last frames.
    for (int64_t i : {int64_t{0}, anim.frame_count() / 2, anim.frame_count() - 1}) {
      Frame fr(o.width, o.height);
      fr.paint([&](cairo_t* cr) { anim.draw(cr, anim.frame_position(i)); });
      target.photo_samples.push_back(std::move(fr));
    }
  }
  write_animation(target, [&](FrameSink& sink) { anim.render(sink, quiet); });
  return anim.frame_count();
}

int64_t write_snapshot_animation(const io::Trace& trace, int64_t layer, int64_t head,
                                 const TrainingAnimationOptions& o, double fps, const std::string& path, bool quiet) {
  animation_format_for(path);
  (void)colormap(o.colormap);
  const auto frames = snapshot_frames(trace, layer);
  check_training_animation(frames.size(), o);
  AnimationTarget target{path, o.width, o.height, fps, o.colormap, {}};
  int64_t n = 0;
  write_animation(target, [&](FrameSink& sink) { n = render_training_animation(frames, head, o, sink, quiet); });
  return n;
}

}  // namespace attnscope::viz
