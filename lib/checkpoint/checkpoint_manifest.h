#pragma once
// DIR/cgjob.json, the manifest `cgfreeze checkpoint` writes beside CRIU's
// images and `cgfreeze restore` reads back (cgfreeze(1), FILES). Keys are
// cgstat --json's where they mean the same thing (name, path, hierarchy,
// state, self_freezing, pids). The reader is strict: a missing or mistyped
// key, an unknown format or another version is bad input (the tool exits 2).

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "lib/base/error.h"

namespace cgjob {

/// The format this code writes and the only one it reads.
inline constexpr std::string_view k_manifest_format = "cgjob-checkpoint";
inline constexpr long k_manifest_version = 1;
inline constexpr std::string_view k_manifest_file = "cgjob.json";

/// One cgroup of the saved job: the job itself (relative "") or a sub-job.
struct ManifestJob {
  std::string relative;       ///< below the job, '/'-separated; "" for the job
  bool self_freezing = false; ///< its own freeze request when saved
  std::vector<pid_t> pids;    ///< the processes it held (saved PIDs)
};

struct Manifest {
  std::string name;       ///< the job's name as given to checkpoint
  std::string hierarchy;  ///< "v1" or "v2"
  std::string path;       ///< the job's cgroup directory when saved
  std::string state;      ///< "FROZEN" or "THAWED": the job's freeze state when saved
  pid_t root_pid = 0;     ///< the root of the saved process tree (criu -t)
  std::string kernel;     ///< uname -r of the saving machine
  std::string criu_version;
  std::vector<ManifestJob> jobs;  ///< the job first, then its sub-jobs, parents first

  bool saved_frozen() const { return state == "FROZEN"; }
};

/// The manifest as a JSON document (one line per key, ends in a newline).
std::string render_manifest(const Manifest& manifest);

/// Reads a manifest. Errors are bad_input and say what is wrong: not JSON,
/// a missing or mistyped key, another format or version, a sub-job path
/// that is not a job path, a PID twice, a root PID not among the PIDs.
Result<Manifest> parse_manifest(std::string_view text);

/// JSON string quoting (control characters as \u00XX; other bytes as they are).
std::string json_quote(std::string_view text);

}  // namespace cgjob
