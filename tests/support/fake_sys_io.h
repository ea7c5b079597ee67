#pragma once
// An in-memory SysIo for unit tests: a tree of directories and files keyed
// by path, scripted failures ("answer EBUSY to the next 3 writes of X"),
// hooks that play the kernel's part (a write to freezer.state changes what
// reads return), a table of processes for pidfds, and a virtual clock that
// poll() advances, so timeouts take no real time.

#include <sys/types.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lib/io/sys_io.h"

namespace cgjob::testing {

class FakeSysIo final : public SysIo {
 public:
  // -- building the tree --
  void add_dir(const std::string& path);
  void set_file(const std::string& path, std::string content);
  std::string file(const std::string& path) const;
  bool exists(const std::string& path) const;
  void remove(const std::string& path);
  /// A v2 cgroup directory with cgroup.procs, cgroup.freeze, cgroup.events
  /// and (unless `with_kill` is false) cgroup.kill.
  void add_v2_cgroup(const std::string& path, bool with_kill = true);
  /// A v1 freezer cgroup with freezer.state THAWED and the two flags at 0.
  void add_v1_cgroup(const std::string& path);

  // -- scripting the kernel --
  /// The next `times` calls of `op` ("read", "write", "mkdir", "rmdir",
  /// "open") on `path` fail with `errnum`; "signal" on "/proc/PID" fails
  /// send_signal to that live process (EPERM: another user's).
  void fail(const std::string& op, const std::string& path, int errnum, int times = 1);
  /// As an errnum for fail("read", ...): the read succeeds but returns only
  /// the first half of the content (a short read, cut mid-line).
  static constexpr int k_short_read = -1;
  /// Like fail(), after `passes` more calls of `op` on `path` succeed.
  void fail_later(const std::string& op, const std::string& path, int passes, int errnum, int times = 1) {
    fail(op, path, 0, passes);
    fail(op, path, errnum, times);
  }
  /// Every failable call made so far, in order, as "op path" (the keys that
  /// fail() takes, including "list DIR" and "pidfd_open /proc/PID").
  const std::vector<std::string>& calls() const { return m_calls; }
  using WriteHook = std::function<void(FakeSysIo&, const std::string& data)>;
  using ReadHook = std::function<void(FakeSysIo&)>;
  /// Called after a successful write to `path` (after the content is stored).
  void on_write(const std::string& path, WriteHook hook);
  /// Called before each read of `path`.
  void on_read(const std::string& path, ReadHook hook);
  int writes(const std::string& path) const;
  int reads(const std::string& path) const;
  /// Every write, in order, as "path=data".
  const std::vector<std::string>& write_log() const { return m_write_log; }

  // -- processes --
  void add_process(pid_t pid);
  /// The process exits: its pidfds report ESRCH from now on.
  void exit_process(pid_t pid);
  /// The pid is reused by a new process; old pidfds still refer to the old one.
  void recycle_pid(pid_t pid);
  /// Signals the live process `pid` received, in order.
  std::vector<int> signals_of(pid_t pid) const;
  /// Called at each kill_pid(pid), before the signal is delivered to whoever
  /// holds `pid` then (a test recycles the PID there).
  void on_kill(std::function<void(FakeSysIo&, pid_t)> hook) { m_kill_hooks.push_back(std::move(hook)); }

  // -- an old kernel --
  /// "pidfd_open", "pidfd_send_signal" or "clone3" answers ENOSYS, as before
  /// 5.3, 5.1 and 5.3.
  void hide_syscall(const std::string& name) { m_hidden.insert(name); }
  /// clone3 without CLONE_INTO_CGROUP (5.3-5.6): its probe answers E2BIG.
  void without_clone_into_cgroup() { m_clone_into_cgroup = false; }

  // -- job locks (lib/freezer/job_lock.h): real flocks on in-memory files --
  /// Another run (`holder`) holds the lock of the job at `job_path` for
  /// `how_long` of virtual time (forever: Clock::duration::max()).
  void hold_lock(const std::string& job_path, pid_t holder, Clock::duration how_long);
  /// What the lock file of the job at `job_path` says, and setting it (as
  /// another run recording its request would).
  std::string lock_content(const std::string& job_path);
  void set_lock_content(const std::string& job_path, const std::string& text);
  /// How many times a lock was waited for or tried without success.
  int lock_waits() const { return m_lock_waits; }

  // -- clock and environment --
  Clock::time_point fake_now() const { return m_now; }
  void set_kernel_release(std::string release) { m_release = std::move(release); }
  void set_fs_magic(const std::string& prefix, long magic) { m_magic[prefix] = magic; }
  /// The caller's effective uid (0, root, by default).
  void set_effective_uid(uid_t uid) { m_euid = uid; }
  /// Lets a non-root caller write `path` (a directory or a file), as a chown
  /// by the delegator would. Root may write everything that exists.
  void grant_write(const std::string& path) { m_writable.insert(path); }

  // SysIo
  Result<UniqueFd> open_dir(DirRef at, std::string_view name) override;
  Status make_dir(DirRef at, std::string_view name) override;
  Status remove_dir(DirRef at, std::string_view name) override;
  Result<std::vector<std::string>> list_dirs(DirRef dir) override;
  bool has_file(DirRef dir, std::string_view name) override;
  Result<std::string> read_file(DirRef dir, std::string_view name) override;
  Status write_file(DirRef dir, std::string_view name, std::string_view data) override;
  Result<UniqueFd> open_file(DirRef dir, std::string_view name) override;
  Result<std::string> reread(int fd, std::string_view path) override;
  Result<UniqueFd> open_for_writing(DirRef dir, std::string_view name) override;
  Status write_to(int fd, std::string_view path, std::string_view data) override;
  Result<long> fs_magic(std::string_view path) override;
  std::string kernel_release() override { return m_release; }
  uid_t effective_uid() override { return m_euid; }
  pid_t self_pid() override { return m_self_pid; }
  void set_self_pid(pid_t pid) { m_self_pid = pid; }
  Result<UniqueFd> open_lock(std::string_view name) override;
  Result<bool> lock_file(int fd, std::string_view name, Clock::duration wait) override;
  Status rewrite_lock(int fd, std::string_view name, std::string_view data) override;
  Status remove_lock(std::string_view name) override;
  Result<std::string> read_lock(std::string_view name) override;
  bool may_write(DirRef dir, std::string_view name) override;
  Result<UniqueFd> pidfd_open(pid_t pid) override;
  Status send_signal(int pidfd, int sig) override;
  Status probe_clone3() override;
  Result<UniqueFd> pin_task(pid_t pid) override;
  bool pinned_alive(int pin) override;
  Status kill_pid(pid_t pid, int sig) override;
  Result<int> poll(std::span<pollfd> fds, Clock::duration timeout) override;
  Clock::time_point now() override { return m_now; }

 private:
  struct Node {
    bool dir = false;
    std::string content;
  };
  struct Process {
    unsigned generation = 0;
    bool alive = true;
    std::vector<int> signals;
  };
  struct PidfdTarget {
    pid_t pid;
    unsigned generation;
  };

  struct LockFile {
    UniqueFd memfd;             ///< the file; each open_lock() opens it anew
    UniqueFd outside;           ///< another run's open file holding the lock
    Clock::time_point outside_until{};
  };
  LockFile& lock_file_of(const std::string& name);
  void expire_outside_holders();

  bool take_failure(const std::string& op, const std::string& path, int& errnum);
  UniqueFd token_for(const std::string& path);
  Result<std::string> read_path(const std::string& path);
  Status write_path(const std::string& path, std::string_view data);

  std::map<std::string, Node> m_nodes;
  std::map<std::string, std::vector<int>> m_failures;  // key "op path": queued errnos
  std::map<std::string, std::vector<WriteHook>> m_write_hooks;
  std::map<std::string, std::vector<ReadHook>> m_read_hooks;
  std::map<std::string, int> m_write_counts;
  std::map<std::string, int> m_read_counts;
  std::vector<std::string> m_write_log;
  std::vector<std::string> m_calls;
  std::map<int, std::string> m_fd_paths;          // token fd -> path
  std::map<int, PidfdTarget> m_pidfds;            // token fd -> process
  std::map<pid_t, Process> m_processes;
  std::map<int, PidfdTarget> m_pins;              // token fd of /proc/PID -> process
  std::vector<std::function<void(FakeSysIo&, pid_t)>> m_kill_hooks;
  std::set<std::string> m_hidden;                 // syscalls answering ENOSYS
  bool m_clone_into_cgroup = true;
  std::map<std::string, long> m_magic;
  std::string m_release = "6.18.0";
  uid_t m_euid = 0;
  pid_t m_self_pid = 1000;
  std::map<std::string, LockFile> m_locks;  // lock file name -> file
  std::map<int, std::string> m_lock_fds;    // fd handed out -> lock file name
  int m_lock_waits = 0;
  std::set<std::string> m_writable;
  Clock::time_point m_now{};
};

}  // namespace cgjob::testing
