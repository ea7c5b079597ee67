#pragma once
// Messages on stderr, one line each: "tool: job: cannot freeze: Permission
// denied (/sys/fs/cgroup/cgjobs/build/cgroup.freeze)". Whatever a message
// quotes (a JOB, an option's value, a path) cannot break it into two lines or
// reach the terminal as an escape sequence: see printable().

#include <string>
#include <string_view>

#include "lib/base/error.h"

namespace cgjob::cli {

/// `text` safe to show on one line of a terminal, as util-linux's
/// mbs_safe_encode() does: control characters, C1 controls and bytes that are
/// no valid UTF-8 become \xHH (and a backslash before an 'x' becomes \x5c);
/// printable ASCII and valid UTF-8 pass unchanged.
std::string printable(std::string_view text);

class Reporter {
 public:
  explicit Reporter(std::string tool) : m_tool(std::move(tool)) {}
  void set_quiet(bool quiet) { m_quiet = quiet; }
  void set_verbose(bool verbose) { m_verbose = verbose; }
  bool verbose() const { return m_verbose && !m_quiet; }
  const std::string& tool() const { return m_tool; }

  /// "tool: job: cannot <what>: <reason> (<path>)"; job and what may be empty.
  void failure(std::string_view job, std::string_view what, const Error& error) const;
  /// "tool: job: <text>" (job may be empty).
  void error(std::string_view job, std::string_view text) const;
  /// Like error(), but only with -v.
  void info(std::string_view job, std::string_view text) const;

 private:
  std::string m_tool;
  bool m_quiet = false;
  bool m_verbose = false;
};

}  // namespace cgjob::cli
