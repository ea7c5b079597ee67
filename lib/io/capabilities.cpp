#include "lib/io/capabilities.h"

#include <fcntl.h>

#include <cerrno>

#include "lib/base/text.h"
#include "lib/io/sys_io.h"

namespace cgjob {
namespace {

// Runs `probe` the first time `slot` is asked for; its answer stays.
template <typename Probe>
bool memoised(std::optional<bool>& slot, Probe probe) {
  if (!slot) slot = probe();
  return *slot;
}

bool is_enosys(const Status& s) { return !s.ok() && s.error().errnum == ENOSYS; }

}  // namespace

bool has_pidfd_open(SysIo& io) {
  return memoised(io.capabilities().pidfd_open, [&] {
    auto fd = io.pidfd_open(io.self_pid());
    return fd.ok() || fd.error().errnum != ENOSYS;
  });
}

bool has_pidfd_send_signal(SysIo& io) {
  return memoised(io.capabilities().pidfd_send_signal, [&] { return !is_enosys(io.send_signal(-1, 0)); });
}

bool has_pidfds(SysIo& io) { return has_pidfd_open(io) && has_pidfd_send_signal(io); }

// One probe answers both: ENOSYS, no clone3; E2BIG, a clone3 that does not
// know the cgroup field (5.3-5.6); EINVAL, it read all of clone_args and
// refused the exit signal, so it knows CLONE_INTO_CGROUP (5.7+).
static void probe_clone3_once(SysIo& io) {
  Capabilities& caps = io.capabilities();
  if (caps.clone3) return;
  auto probe = io.probe_clone3();
  int e = probe.ok() ? 0 : probe.error().errnum;
  caps.clone3 = e != ENOSYS;
  caps.clone_into_cgroup = e == EINVAL;
}

bool has_clone3(SysIo& io) {
  probe_clone3_once(io);
  return *io.capabilities().clone3;
}

bool has_clone_into_cgroup(SysIo& io) {
  probe_clone3_once(io);
  return *io.capabilities().clone_into_cgroup;
}

bool has_frozen_subtree(SysIo& io) {
  return memoised(io.capabilities().frozen_subtree, [&] {
    auto features = io.read_file(DirRef{AT_FDCWD, "/"}, "/sys/kernel/cgroup/features");
    if (!features) return false;  // before 4.15 there is no list: a stock kernel
    for (auto line : lines(*features)) {
      if (line == "frozen_subtree") return true;
    }
    return false;
  });
}

}  // namespace cgjob
