// cgroup v2 freezer (5.2+): cgroup.freeze holds this cgroup's request,
// cgroup.events says "frozen 1" once the cgroup's own tasks are frozen
// (below_frozen() looks at the cgroups below where the kernel's features do
// not list frozen_subtree).

#include <fcntl.h>

#include "lib/parse/keyed_file.h"
#include "lib/freezer/freezer_backends.h"
#include "lib/parse/freezer_words.h"

namespace cgjob {
namespace {

class V2Freezer final : public Freezer {
 public:
  explicit V2Freezer(SysIo& io) : m_io(io) {}
  const HierarchyTraits& traits() const override { return hierarchy_traits(HierarchyKind::v2); }

  Result<FreezerStatus> status_at(DirRef dir, std::optional<bool> requested_above) override {
    auto freeze = m_io.read_file(dir, "cgroup.freeze");
    if (!freeze) return freeze.error();
    auto events = m_io.read_file(dir, "cgroup.events");
    if (!events) return events.error();
    const std::string events_path = join_path(dir.path, "cgroup.events");
    auto frozen_value = keyed_number(*events, "frozen", events_path);
    if (!frozen_value) return frozen_value.error();
    auto populated = keyed_number(*events, "populated", events_path);
    if (!populated) return populated.error();
    bool frozen = *frozen_value == 1;
    FreezerStatus st;
    st.self_freezing = parse_flag(*freeze);
    // v2 has no parent_freezing file: a frozen cgroup that did not ask for it
    // was frozen from above (even by a request made after the caller read
    // the ancestors). Otherwise an ancestor's request is what the caller
    // found, or what a look up the ancestors finds.
    st.parent_freezing = (frozen && !st.self_freezing) ||
                         (requested_above ? *requested_above : ancestor_requested(dir.path));
    if (frozen) st.state = FreezeState::frozen;
    else if (st.self_freezing || st.parent_freezing) st.state = FreezeState::freezing;
    else st.state = FreezeState::thawed;
    st.populated = *populated == 1;
    return st;
  }

  Status write_state(const Cgroup& cg, bool freeze) override {
    return cg.write("cgroup.freeze", freeze ? "1" : "0");
  }

  Result<bool> self_freezing(const Cgroup& cg) override {
    auto text = cg.read("cgroup.freeze");
    if (!text) return text.error();
    return parse_flag(*text);
  }

  Result<bool> self_freezing_at(std::string_view path) override {
    auto text = m_io.read_file(DirRef{AT_FDCWD, path}, join_path(path, "cgroup.freeze"));
    if (!text) return text.error();
    return parse_flag(*text);
  }

  UniqueFd open_watch(const Cgroup& cg) override {
    auto fd = m_io.open_file(cg.dir(), "cgroup.events");
    if (!fd) return UniqueFd();
    // Reading once records the current event count: any later change makes
    // poll report POLLPRI.
    (void)m_io.reread(fd->get(), cg.path());
    return std::move(*fd);
  }

  // "frozen 1" is all status() needs to say FROZEN. A watch that reads
  // anything else leaves the answer to status(), which reports a bad file.
  bool frozen_per_watch(std::string_view watch_text) const override {
    auto frozen = keyed_number(watch_text, "frozen");
    return frozen && *frozen == 1;
  }

  // Why: the kernel marks a cgroup frozen once its own tasks are
  // (cgroup_update_frozen counts those alone; 6.1 and 6.18 alike), so a job
  // reads "frozen 1" while a sub-job's tasks are still running: seen on the
  // 6.18 host, a freeze --wait of a job returned with its sub-jobs still
  // "frozen 0". v1's freezer.state waits for the children itself, and so
  // does a kernel with the project's fix, which says so in its features.
  Result<bool> below_frozen(const Cgroup& cg) override {
    if (has_frozen_subtree(m_io)) return true;
    auto subtree = open_subtree(cg);
    if (!subtree) return subtree.error();
    for (std::size_t i = 1; i < subtree->size(); ++i) {
      auto events = (*subtree)[i].read("cgroup.events");
      if (!events) {
        if (is_gone(events.error())) continue;  // removed meanwhile: nothing left to freeze
        return events.error();
      }
      auto frozen = keyed_number(*events, "frozen", join_path((*subtree)[i].path(), "cgroup.events"));
      if (!frozen) return frozen.error();
      if (*frozen != 1) return false;
    }
    return true;
  }

  Status nudge_state(const Cgroup&, unsigned) override { return {}; }

 private:
  // Walks up through parents' cgroup.freeze until the mount root (which has
  // none). Read by path: ancestors outside the job root are only read.
  bool ancestor_requested(std::string_view cgroup_path) {
    std::string path(cgroup_path);
    for (;;) {
      auto slash = path.rfind('/');
      if (slash == std::string::npos || slash == 0) return false;
      path.resize(slash);
      auto requested = self_freezing_at(path);
      if (!requested) return false;  // the mount root: no cgroup.freeze
      if (*requested) return true;
    }
  }

  SysIo& m_io;
};

}  // namespace

std::unique_ptr<Freezer> make_v2_freezer(SysIo& io) { return std::make_unique<V2Freezer>(io); }

}  // namespace cgjob
