// Running the interactive viewer: bind, print the URL, optionally open a browser, serve until
// the process is interrupted. Used by `attnscope view` for a trace file, and by any verb that
// produces a trace in memory (e.g. running a model on a text) and wants to show it.
#pragma once
#include <cstdio>
#include <memory>
#include <string>

#include "attnscope/io/trace.h"
#include "attnscope/serve/server.h"

namespace attnscope::serve {

struct ViewerOptions {
  ServerOptions server;
  bool open_browser = false;
};

// Validates the trace (ShapeError/FormatError), binds (IoError if the port is taken), prints
// "attnscope viewer: URL" on `out`, then blocks serving requests.
void run_viewer(io::Trace trace, const ViewerOptions& options, std::FILE* out = stdout);

// Launches the desktop's browser on url (xdg-open, else chromium/firefox); false if none ran.
bool open_in_browser(const std::string& url);

}  // namespace attnscope::serve
