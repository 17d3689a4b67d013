// Status formatting. Kept out of the header so that every layer shares one
// spelling of error messages ("IOError: fsync /db/x.log: Input/output error").
#include "powercut/status.h"

#include <cstring>

namespace powercut {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kCorruption:
      return "Corruption";
    case StatusCode::kIOError:
      return "IOError";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
  }
  return "Unknown";
}

Status Status::FromErrno(std::string_view context, std::string_view path, int sys_errno) {
  std::string message(context);
  message += ' ';
  message += path;
  message += ": ";
  message += std::strerror(sys_errno);
  return Status(StatusCode::kIOError, message, sys_errno);
}

Status Status::WithContext(std::string_view context) const {
  if (ok()) return *this;
  Status copy = *this;
  copy.message_ = std::string(context) + ": " + message_;
  return copy;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string text(StatusCodeName(code_));
  text += ": ";
  text += message_;
  if (injected_) text += " [injected]";
  return text;
}

}  // namespace powercut
