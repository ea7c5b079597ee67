#pragma once
// A cgroup handle: an open directory fd plus its path. Every access is *at()
// relative to the fd, and the same fd is what clone3(CLONE_INTO_CGROUP) takes.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "lib/io/deadline.h"
#include "lib/base/error.h"
#include "lib/io/sys_io.h"
#include "lib/base/unique_fd.h"

namespace cgjob {

class Cgroup {
 public:
  /// Opens an existing cgroup directory; ENOENT when it does not exist.
  static Result<Cgroup> open(SysIo& io, std::string path);
  /// Creates `relative` below the existing directory `base` (missing parents
  /// too; existing ones are fine) and opens it.
  static Result<Cgroup> create(SysIo& io, const std::string& base, std::string_view relative);
  /// procs() of the cgroup at `path`, read by path: for a watch over many
  /// cgroups, which keeps no directory open for each.
  static Result<std::vector<pid_t>> procs_at(SysIo& io, const std::string& path);
  /// Whether a cgroup is still there at `path` (a removed cgroup's
  /// directory can linger, without its files).
  static bool exists_at(SysIo& io, const std::string& path);

  const std::string& path() const { return m_path; }
  int fd() const { return m_fd.get(); }
  DirRef dir() const { return DirRef{m_fd.get(), m_path}; }
  SysIo& io() const { return *m_io; }

  Result<std::string> read(std::string_view file) const { return m_io->read_file(dir(), file); }
  Status write(std::string_view file, std::string_view data) const {
    return m_io->write_file(dir(), file, data);
  }
  bool has(std::string_view file) const { return m_io->has_file(dir(), file); }

  /// PIDs in cgroup.procs, without the 0 the kernel may list for exiting tasks.
  Result<std::vector<pid_t>> procs() const;
  /// Thread IDs in `tasks` (v1) or cgroup.threads (v2), without 0.
  Result<std::vector<pid_t>> threads() const;
  /// Names of the child cgroups, sorted.
  Result<std::vector<std::string>> children() const { return m_io->list_dirs(dir()); }
  /// Opens child `name`.
  Result<Cgroup> child(std::string_view name) const;
  /// Moves the whole process `pid` (all its threads) here.
  Status move(pid_t pid) const;
  /// cgroup.procs opened once for many moves: the open costs as much as a move.
  Result<UniqueFd> open_procs() const { return m_io->open_for_writing(dir(), "cgroup.procs"); }
  /// Moves `pid` here through `procs` from open_procs().
  Status move(pid_t pid, const UniqueFd& procs) const;

 private:
  Cgroup(SysIo& io, UniqueFd fd, std::string path) : m_io(&io), m_fd(std::move(fd)), m_path(std::move(path)) {}
  SysIo* m_io;
  UniqueFd m_fd;
  std::string m_path;
};

/// `top` and every cgroup below it, parents before children. A child that
/// vanishes while we walk is skipped (ENOENT/ENODEV mean it is gone).
Result<std::vector<Cgroup>> open_subtree(const Cgroup& top);

/// PIDs in every cgroup of the subtree (each pid once per cgroup it is in).
Result<std::vector<pid_t>> subtree_procs(const std::vector<Cgroup>& subtree);

/// Removes `top` and its descendants, deepest first. rmdir answers EBUSY for a
/// few milliseconds after the last task exits: retried with backoff until
/// `deadline`.
Status remove_subtree(const Cgroup& top, Deadline deadline);

/// Parses a cgroup.procs-style list of decimal ids, skipping 0.
std::vector<pid_t> parse_pid_list(std::string_view text);

/// How many entries of a cgroup.procs-style list are 0: processes outside the
/// reader's PID namespace (and, on v2, tasks exiting at that moment).
std::size_t count_zero_ids(std::string_view text);

/// Processes of `top` and its sub-cgroups that this PID namespace cannot see
/// (0 in cgroup.procs). Vanished sub-cgroups count as empty.
Result<std::size_t> subtree_hidden_procs(const Cgroup& top);

/// True when `error` says the cgroup itself is gone (ENOENT, ENODEV).
bool is_gone(const Error& error);

/// Kernel capabilities asked of a cgroup (lib/io/capabilities.h has the
/// others). cgroup.kill (5.14+, v2) / cgroup.signal (the project's kernel patch, v2),
/// by their presence in `job` itself, asked each time (one faccessat): a v1
/// job has neither, and one process may work in both hierarchies.
/// has_cgroup_signal is false while Capabilities::cgroup_signal_ignored.
bool has_cgroup_kill(const Cgroup& job);
bool has_cgroup_signal(const Cgroup& job);

}  // namespace cgjob
