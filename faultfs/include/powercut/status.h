// Status and Result<T>: how every layer of powercut reports errors. Errors are
// values, never exceptions across a layer boundary. A Status carries one of a
// few codes, a message that names the file (and offset, where one applies),
// the errno it came from, and whether it was produced by an *injected* fault,
// so reports can tell injected faults from real ones without parsing text.
// Ignoring an error on purpose is the named, greppable call IgnoreError().
#pragma once

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace powercut {

// Written into reports and repro files: the numeric values never change.
enum class StatusCode : uint8_t {
  kOk = 0,
  kNotFound = 1,
  kCorruption = 2,
  kIOError = 3,
  kInvalidArgument = 4,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status NotFound(std::string_view message) {
    return Status(StatusCode::kNotFound, message, 0);
  }
  static Status Corruption(std::string_view message) {
    return Status(StatusCode::kCorruption, message, 0);
  }
  // `sys_errno` is the errno the failure came from (0 if none).
  static Status IOError(std::string_view message, int sys_errno = 0) {
    return Status(StatusCode::kIOError, message, sys_errno);
  }
  static Status InvalidArgument(std::string_view message) {
    return Status(StatusCode::kInvalidArgument, message, 0);
  }
  // An IOError for `path` with errno's text appended, as PosixFs reports it.
  static Status FromErrno(std::string_view context, std::string_view path, int sys_errno);

  bool ok() const { return code_ == StatusCode::kOk; }
  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  bool IsIOError() const { return code_ == StatusCode::kIOError; }
  bool IsInvalidArgument() const { return code_ == StatusCode::kInvalidArgument; }

  StatusCode code() const { return code_; }
  int sys_errno() const { return sys_errno_; }
  const std::string& message() const { return message_; }
  // True when a fault injector (SimFs rules, the shim) produced this error.
  bool injected() const { return injected_; }

  // Marks this error as produced by an injected fault.
  Status MarkInjected() && {
    injected_ = true;
    return std::move(*this);
  }
  // Returns a copy whose message is prefixed by `context: `.
  Status WithContext(std::string_view context) const;

  // "IOError: fsync /db/000003.log: Input/output error [injected]"
  std::string ToString() const;

  // Drops the status on purpose. Every call site says why in a comment.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_ && a.sys_errno_ == b.sys_errno_ &&
           a.injected_ == b.injected_;
  }

 private:
  Status(StatusCode code, std::string_view message, int sys_errno)
      : code_(code), sys_errno_(sys_errno), message_(message) {}

  StatusCode code_ = StatusCode::kOk;
  bool injected_ = false;
  int sys_errno_ = 0;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok() && "a Result built from a Status must hold an error");
    if (status_.ok()) status_ = Status::InvalidArgument("Result built from an OK status");
  }

  bool ok() const { return status_.ok(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok()
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace powercut

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define POWERCUT_RETURN_IF_ERROR(expr)             \
  do {                                              \
    ::powercut::Status _pc_status = (expr);         \
    if (!_pc_status.ok()) return _pc_status;        \
  } while (0)

#define POWERCUT_CONCAT_INNER_(a, b) a##b
#define POWERCUT_CONCAT_(a, b) POWERCUT_CONCAT_INNER_(a, b)
#define POWERCUT_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  if (!tmp.ok()) return tmp.status();                   \
  lhs = std::move(tmp).value()

// `POWERCUT_ASSIGN_OR_RETURN(auto x, Foo());` declares x from a Result or
// returns its error from the enclosing function.
#define POWERCUT_ASSIGN_OR_RETURN(lhs, expr) \
  POWERCUT_ASSIGN_OR_RETURN_IMPL_(POWERCUT_CONCAT_(_pc_result_, __LINE__), lhs, expr)
