#pragma once
// A point in time by which an operation gives up, or never.

#include <algorithm>
#include <optional>

#include "lib/io/sys_io.h"

namespace cgjob {

class Deadline {
 public:
  static Deadline never() { return Deadline(); }
  static Deadline after(SysIo& io, Clock::duration d) { return Deadline(io.now() + d); }
  /// after(d) when `d` is set, never() otherwise.
  static Deadline after_optional(SysIo& io, std::optional<Clock::duration> d) {
    return d ? after(io, *d) : never();
  }

  bool is_never() const { return !m_at; }
  bool expired(SysIo& io) const { return m_at && io.now() >= *m_at; }
  /// Time left, clamped to [0, cap].
  Clock::duration remaining(SysIo& io, Clock::duration cap) const {
    if (!m_at) return cap;
    return std::clamp<Clock::duration>(*m_at - io.now(), Clock::duration::zero(), cap);
  }
  /// The earlier of this deadline and `other`.
  Deadline min(const Deadline& other) const {
    if (!m_at) return other;
    if (!other.m_at) return *this;
    return Deadline(std::min(*m_at, *other.m_at));
  }

 private:
  Deadline() = default;
  explicit Deadline(Clock::time_point at) : m_at(at) {}
  std::optional<Clock::time_point> m_at;
};

/// Exponential backoff for re-reads: starts at `first`, doubles up to `cap`.
class Backoff {
 public:
  Backoff(Clock::duration first, Clock::duration cap) : m_next(first), m_cap(cap) {}
  Clock::duration next() {
    auto d = m_next;
    m_next = std::min(m_next * 2, m_cap);
    return d;
  }

 private:
  Clock::duration m_next;
  Clock::duration m_cap;
};

}  // namespace cgjob
