#pragma once
// Errors as values: every kernel-facing call returns Result<T>, carrying errno,
// the operation and the path, so the tools can print one precise line and pick
// an exit status. Nothing in lib/ prints or throws for a kernel failure.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cgjob {

struct Error {
  int errnum = 0;       ///< errno value; 0 when `detail` alone explains it
  std::string op;       ///< what was attempted: "write", "open", "rmdir" ...
  std::string path;     ///< the file or directory concerned; may be empty
  std::string detail;   ///< replaces strerror(errnum) when set ("job has 3 processes")
  bool bad_input = false;  ///< the caller's input was wrong (exit 2), not the kernel

  /// The reason alone: `detail`, else strerror(errnum).
  std::string reason() const;
  /// "write /sys/fs/cgroup/x/cgroup.freeze: Device or resource busy"
  std::string message() const;
};

/// An Error from errno (or an explicit errnum) for `op` on `path`.
Error sys_error(int errnum, std::string op, std::string path = {});
/// An Error described in words, optionally with an errno for the caller to inspect.
Error text_error(std::string detail, std::string path = {}, int errnum = 0);
/// A rejected input: an invalid name, path or value (the tools exit 2).
Error input_error(std::string detail, std::string path = {});

/// Either a value or an Error. Small on purpose: C++20 has no std::expected.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : m_state(std::move(value)) {}            // NOLINT: implicit by design
  Result(Error error) : m_state(std::move(error)) {}        // NOLINT
  explicit operator bool() const { return m_state.index() == 0; }
  bool ok() const { return m_state.index() == 0; }
  T& value() & { assert(ok()); return std::get<0>(m_state); }
  const T& value() const& { assert(ok()); return std::get<0>(m_state); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(m_state)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { assert(!ok()); return std::get<1>(m_state); }

 private:
  std::variant<T, Error> m_state;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : m_error(std::move(error)), m_failed(true) {}  // NOLINT
  explicit operator bool() const { return !m_failed; }
  bool ok() const { return !m_failed; }
  const Error& error() const { assert(m_failed); return m_error; }

 private:
  Error m_error;
  bool m_failed = false;
};

using Status = Result<void>;

}  // namespace cgjob
