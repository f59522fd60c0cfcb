// Progress: the final "done" line of a finished job, and none for a job an error unwinds.
#include "attnscope/core/progress.h"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace attnscope;

TEST(Progress, AFinishedJobEndsWithItsDoneLine) {
  ::testing::internal::CaptureStderr();  // not a terminal: plain lines
  {
    Progress p("job", 4);
    for (int i = 0; i < 4; ++i) p.tick();
  }  // the destructor finishes it
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("job 4/4 100%"), std::string::npos) << out;
  EXPECT_NE(out.find(" in "), std::string::npos) << out;
}

TEST(Progress, AJobAnErrorUnwindsPrintsNoDoneLine) {
  ::testing::internal::CaptureStderr();
  try {
    Progress p("job", 4);
    p.tick();
    throw std::runtime_error("bad file");
  } catch (const std::runtime_error&) {
  }
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(out.find("job 1/4"), std::string::npos) << out;  // the progress so far
  EXPECT_EQ(out.find(" in "), std::string::npos) << out;     // but no final line
  // A Progress made while another exception unwinds (e.g. in a destructor) still finishes.
  ::testing::internal::CaptureStderr();
  struct Cleanup {
    ~Cleanup() {
      Progress p("cleanup", 1);
      p.tick();
    }
  };
  try {
    Cleanup c;
    throw std::runtime_error("x");
  } catch (const std::runtime_error&) {
  }
  EXPECT_NE(::testing::internal::GetCapturedStderr().find("cleanup 1/1 100%"), std::string::npos);
}
