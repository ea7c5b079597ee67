// cgroup v1 freezer: freezer.state reads THAWED, FREEZING or FROZEN;
// freezer.self_freezing and freezer.parent_freezing tell who asked.

#include <fcntl.h>

#include "lib/freezer/freezer_backends.h"
#include "lib/parse/freezer_words.h"

namespace cgjob {

namespace {

class V1Freezer final : public Freezer {
 public:
  explicit V1Freezer(SysIo& io) : m_io(io) {}
  const HierarchyTraits& traits() const override { return hierarchy_traits(HierarchyKind::v1); }

  // freezer.parent_freezing tells what the caller may know already.
  Result<FreezerStatus> status_at(DirRef dir, std::optional<bool>) override {
    auto state = m_io.read_file(dir, "freezer.state");
    if (!state) return state.error();
    auto self = m_io.read_file(dir, "freezer.self_freezing");
    if (!self) return self.error();
    auto parent = m_io.read_file(dir, "freezer.parent_freezing");
    if (!parent) return parent.error();
    auto parsed = parse_v1_state(*state, join_path(dir.path, "freezer.state"));
    if (!parsed) return parsed.error();
    FreezerStatus st;
    st.state = *parsed;
    st.self_freezing = parse_flag(*self);
    st.parent_freezing = parse_flag(*parent);
    return st;
  }

  Status write_state(const Cgroup& cg, bool freeze) override {
    return cg.write("freezer.state", freeze ? "FROZEN" : "THAWED");
  }

  Result<bool> self_freezing(const Cgroup& cg) override {
    auto self = cg.read("freezer.self_freezing");
    if (!self) return self.error();
    return parse_flag(*self);
  }

  Result<bool> self_freezing_at(std::string_view path) override {
    auto self = m_io.read_file(DirRef{AT_FDCWD, path}, join_path(path, "freezer.self_freezing"));
    if (!self) return self.error();
    return parse_flag(*self);
  }

  UniqueFd open_watch(const Cgroup&) override { return UniqueFd(); }
  bool frozen_per_watch(std::string_view) const override { return false; }
  // freezer.state says FROZEN only once every cgroup below is frozen too.
  Result<bool> below_frozen(const Cgroup&) override { return true; }

  // Why: the v1 freezer can stay FREEZING while tasks fork or are moved in
  // (runc saw it on 5.4; seen here on 6.18 with busy forkers, for good in
  // about 1 of 40 freezes, the forking task waiting in kernel_clone).
  // Re-writing FROZEN sends the freeze to tasks that appeared since and
  // unsticks that; runc found that thawing and re-freezing now and then
  // unsticks what re-writing alone does not. Every 8th nudge (about a second
  // into the wait) we do that too. Each write walks every task of the job
  // (about 1 ms of CPU for 1,000 spinners), hence the first nudge only after
  // 8 ms, longer than 1,000 busy tasks take to freeze here.
  Status nudge_state(const Cgroup& cg, unsigned nudges) override {
    if (nudges % 8 == 7) {
      auto thawed = write_state(cg, false);
      if (!thawed) return thawed;
    }
    return write_state(cg, true);
  }

 private:
  SysIo& m_io;
};

}  // namespace

std::unique_ptr<Freezer> make_v1_freezer(SysIo& io) { return std::make_unique<V1Freezer>(io); }

}  // namespace cgjob
