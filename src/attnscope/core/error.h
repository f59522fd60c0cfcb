// Error hierarchy of the library. Library code throws; the CLI maps errors to one line on
// stderr and an exit code, the server to an HTTP status with a JSON body.
#pragma once
#include <exception>
#include <stdexcept>
#include <string>

namespace attnscope {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class ShapeError : public Error { public: using Error::Error; };   // shapes or dtypes disagree
class IoError : public Error { public: using Error::Error; };      // a file cannot be read/written
class FormatError : public Error { public: using Error::Error; };  // a file's content is malformed
class ConfigError : public Error { public: using Error::Error; };  // bad option or configuration
class ValueError : public Error { public: using Error::Error; };   // bad value (NaN, out of range)

// A library exception's message without the library's tag: nlohmann's "[json.exception.
// type_error.302] type must be boolean" reads "type must be boolean".
inline std::string plain_message(const std::exception& e) {
  std::string m = e.what();
  if (m.rfind("[json.exception.", 0) == 0) {
    const size_t end = m.find("] ");
    if (end != std::string::npos) m.erase(0, end + 2);
  }
  return m;
}

}  // namespace attnscope

// ATTNSCOPE_CHECK(cond, ErrorType, message-expression): throw ErrorType(message) when cond fails.
#define ATTNSCOPE_CHECK(cond, ErrorType, msg) \
  do {                                        \
    if (!(cond)) throw ErrorType(msg);        \
  } while (0)
