// cgroup v2 freezer (5.2+): cgroup.freeze holds this cgroup's request,
// cgroup.events says "frozen 1" once every task below is frozen.

#include <fcntl.h>

#include "kernel/event_file.h"
#include "kernel/freezer_backends.h"

namespace cgjob {
namespace {

class V2Freezer final : public Freezer {
 public:
  explicit V2Freezer(SysIo& io) : m_io(io) {}
  const HierarchyTraits& traits() const override { return k_v2_traits; }
  bool frozen_die_of_sigkill() const override { return true; }

  Result<FreezerStatus> status(const Cgroup& cg) override {
    auto self = self_freezing(cg);
    if (!self) return self.error();
    auto events = cg.read("cgroup.events");
    if (!events) return events.error();
    bool frozen = event_value(*events, "frozen") == 1;
    FreezerStatus st;
    st.self_freezing = *self;
    // v2 has no parent_freezing file: a frozen cgroup that did not ask for it
    // was frozen from above. When it did ask, look up the ancestors as well.
    if (!*self) {
      st.parent_freezing = frozen || ancestor_requested(cg);
    } else {
      st.parent_freezing = ancestor_requested(cg);
    }
    if (frozen) st.state = FreezeState::frozen;
    else if (st.self_freezing || st.parent_freezing) st.state = FreezeState::freezing;
    else st.state = FreezeState::thawed;
    return st;
  }

  Status write_request(const Cgroup& cg, bool freeze) override {
    return cg.write("cgroup.freeze", freeze ? "1" : "0");
  }

  Result<bool> self_freezing(const Cgroup& cg) override {
    auto text = cg.read("cgroup.freeze");
    if (!text) return text.error();
    return !text->empty() && (*text)[0] == '1';
  }

  UniqueFd open_watch(const Cgroup& cg) override {
    auto fd = m_io.open_file(cg.dir(), "cgroup.events");
    if (!fd) return UniqueFd();
    // Reading once records the current event count: any later change makes
    // poll report POLLPRI.
    (void)m_io.reread(fd->get(), cg.path());
    return std::move(*fd);
  }

  // "frozen 1" is all status() needs to say FROZEN.
  bool frozen_per_watch(std::string_view watch_text) const override {
    return event_value(watch_text, "frozen") == 1;
  }

  Status nudge(const Cgroup&, unsigned) override { return {}; }
  Clock::duration nudge_interval() const override { return Clock::duration::zero(); }
  // The kernel finishes a v2 freeze by itself.
  Clock::duration request_settle() const override { return Clock::duration::zero(); }

  // A notification comes at once unless another one went out less than
  // CGROUP_FILE_NOTIFY_MIN_INTV before (one jiffy at HZ=100, up to 12 ms at
  // HZ=250): then it is held back until that interval is over, and a job of
  // busy forkers can flip frozen 1 -> 0 -> 1 within it. So for 12 ms after
  // the start and after each notification, re-read every millisecond; after
  // that a notification is due at once, and re-reads are only a safety net.
  PollPlan poll_plan() const override {
    using std::chrono::milliseconds;
    return {milliseconds(1), milliseconds(1), milliseconds(12), milliseconds(8)};
  }

 private:
  // Walks up through parents' cgroup.freeze until the mount root (which has
  // none). Opened by path: ancestors outside the job root are only read.
  bool ancestor_requested(const Cgroup& cg) {
    std::string path = cg.path();
    for (;;) {
      auto slash = path.rfind('/');
      if (slash == std::string::npos || slash == 0) return false;
      path.resize(slash);
      auto text = m_io.read_file(DirRef{AT_FDCWD, path}, join_path(path, "cgroup.freeze"));
      if (!text) return false;  // the mount root: no cgroup.freeze
      if (!text->empty() && (*text)[0] == '1') return true;
    }
  }

  SysIo& m_io;
};

}  // namespace

const HierarchyTraits k_v2_traits{
    .kind = HierarchyKind::v2,
    .make_freezer = [](SysIo& io) -> std::unique_ptr<Freezer> { return std::make_unique<V2Freezer>(io); },
    // The unified hierarchy's line: ID 0, no controllers ("0::/x").
    .is_own_cgroup_line = [](std::string_view id, std::string_view controllers) {
      return id == "0" && controllers.empty();
    },
    // A task frozen by v2 sleeps in the freezer, nowhere else.
    .looks_frozen = sleeps_in_freezer,
    .clone_into_cgroup = true,
};

}  // namespace cgjob
