#pragma once
// Running CRIU (Debian's `criu`): found in PATH, started by fork and exec
// with an argument vector (never through a shell: job names, paths and
// PIDs are data), in a process group of its own so that a terminal's ^C
// reaches the tool, which decides what to put back, and not CRIU in the
// middle of a dump.

#include <string>
#include <vector>

#include "lib/base/error.h"
#include "lib/io/deadline.h"
#include "lib/io/sys_io.h"

namespace cgjob {

/// The path of `criu` in PATH (or the default system directories); ENOENT
/// when it is not installed.
Result<std::string> find_criu();

struct CriuOutcome {
  int status = 0;      ///< exit code, or 128+N when killed by signal N
  std::string output;  ///< its stdout and stderr together (the first MiB)
};

/// Runs `criu` with `args` (without argv[0]), its environment ours plus
/// `env` (KEY=VALUE each), stdin on /dev/null, and waits for it until
/// `deadline`: then its process group is killed (a ptrace tracer's death
/// lets the seized tasks go) and the answer is ETIMEDOUT.
Result<CriuOutcome> run_criu(const std::string& criu, const std::vector<std::string>& args,
                             const std::vector<std::string>& env = {}, SysIo* io = nullptr,
                             Deadline deadline = Deadline::never());

/// Whether CRIU can run here, and why not in one line.
struct CriuSupport {
  bool usable = false;
  std::string criu;     ///< its path
  std::string version;  ///< "3.17.1"
  std::string reason;   ///< when not usable: "criu is not installed", "criu check fails on this kernel: ..."
};
/// Finds criu, asks its version and runs `criu check`.
CriuSupport probe_criu();

/// How CRIU keeps a saved job's TCP connections silent between its dump
/// and its restore (`--network-lock`; a restore uses the dump's method).
enum class NetworkLock { iptables, nftables };
/// nftables where `criu check --feature network_lock_nftables` passes (CRIU
/// built with libnftables, a kernel with nf_tables set concatenations);
/// otherwise iptables, CRIU's default, which needs iptables-restore.
NetworkLock probe_network_lock(const std::string& criu);

/// The line of CRIU's output (or log) that says why it failed, without its
/// source location: "vdso: Unexpected rt vDSO area bounds". Empty if none.
std::string criu_error_line(std::string_view output);

}  // namespace cgjob
