#include "lib/base/error.h"

#include <cerrno>
#include <cstring>

namespace cgjob {

std::string Error::reason() const {
  if (!detail.empty()) return detail;
  return std::strerror(errnum);
}

std::string Error::message() const {
  std::string text = op;
  if (!path.empty()) text += (text.empty() ? "" : " ") + path;
  if (!text.empty()) text += ": ";
  return text + reason();
}

Error sys_error(int errnum, std::string op, std::string path) {
  return Error{errnum, std::move(op), std::move(path), {}};
}

Error text_error(std::string detail, std::string path, int errnum) {
  return Error{errnum, {}, std::move(path), std::move(detail)};
}

Error input_error(std::string detail, std::string path) {
  Error e{EINVAL, {}, std::move(path), std::move(detail)};
  e.bad_input = true;
  return e;
}

}  // namespace cgjob
