#pragma once
// The one parser of cgroup.procs-style lists (cgroup.procs, cgroup.threads,
// tasks): decimal ids separated by newlines. parse_pid_list and
// count_zero_ids (lib/cgroup/cgroup.h) are built on it.

#include <sys/types.h>

#include <string_view>
#include <vector>

namespace cgjob {

/// Replaces the content of `pids` with the non-zero ids of `text` and
/// returns how many entries were 0 (processes outside the reader's PID
/// namespace; on v2 also tasks exiting at that moment). `pids` may be a
/// vector the caller reuses.
std::size_t parse_pid_list_into(std::string_view text, std::vector<pid_t>& pids);

}  // namespace cgjob
