#include "lib/io/exit_cursor.h"

namespace cgjob {

void wait_exits(SysIo& io, std::span<const UniqueFd> pidfds, Deadline deadline) {
  ExitCursor exits(io, pidfds);
  while (!exits.all_exited() && !deadline.expired(io)) {
    pollfd p{exits.current(), POLLIN, 0};
    if (!io.poll(std::span<pollfd>(&p, 1), deadline.remaining(io, std::chrono::milliseconds(100)))) return;
  }
}

}  // namespace cgjob
