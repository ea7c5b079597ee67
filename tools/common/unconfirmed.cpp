#include "tools/common/unconfirmed.h"

namespace cgjob::cli {

std::string unconfirmed_warning(const SignalReport& report) {
  if (report.unconfirmed.empty()) return {};
  std::string pids;
  for (pid_t pid : report.unconfirmed) pids += (pids.empty() ? "" : ", ") + std::to_string(pid);
  return "warning: PID " + pids + " exited around the signal; without pidfds (kernel before 5.3) "
         "it cannot be confirmed that the signal reached the job's process and not a new one given its PID";
}

}  // namespace cgjob::cli
