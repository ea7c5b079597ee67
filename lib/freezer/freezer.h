#pragma once
// The freezer, behind one interface with a v1 (freezer.state) and a v2
// (cgroup.freeze + cgroup.events) backend, chosen once per run.

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "lib/cgroup/cgroup.h"
#include "lib/io/deadline.h"
#include "lib/cgroup/hierarchy.h"
#include "lib/cgroup/hierarchy_traits.h"
#include "lib/parse/freezer_words.h"

namespace cgjob {

class JobLock;

/// "THAWED", "FREEZING", "FROZEN": the freezer's own words on both hierarchies.
std::string_view to_string(FreezeState state);

struct FreezerStatus {
  FreezeState state = FreezeState::thawed;
  bool self_freezing = false;    ///< this cgroup asked to be frozen
  bool parent_freezing = false;  ///< an ancestor asked to be frozen
  /// Whether the cgroup or one below it has a process, where the file read
  /// for the state tells it (v2's cgroup.events); std::nullopt where not
  /// (v1: HierarchyTraits::tells_populated is false, count instead).
  std::optional<bool> populated;
};

class Freezer {
 public:
  virtual ~Freezer() = default;
  /// What else differs in this backend's hierarchy (lib/cgroup/hierarchy_traits.h).
  virtual const HierarchyTraits& traits() const = 0;
  /// The state and the self/parent request flags of `cg`.
  Result<FreezerStatus> status(const Cgroup& cg) { return status_at(cg.dir(), std::nullopt); }
  /// The same for the cgroup open at `dir`, each control file read once.
  /// `requested_above`: whether an ancestor asked to be frozen, where the
  /// caller knows (a walk from the top); std::nullopt: found out where the
  /// hierarchy does not tell (v2 reads the ancestors' requests; v1 reads
  /// freezer.parent_freezing either way).
  virtual Result<FreezerStatus> status_at(DirRef dir, std::optional<bool> requested_above) = 0;
  /// One write of the freeze (or thaw) request, no retry, made holding
  /// `held`, the lock of `cg` (lib/freezer/job_lock.h): the lock is the only way
  /// to a write. EINVAL where `held` is another cgroup's lock.
  Status write_request(const JobLock& held, const Cgroup& cg, bool freeze);
  /// Whether this cgroup itself asked to be frozen (cheaper than status()).
  virtual Result<bool> self_freezing(const Cgroup& cg) = 0;
  /// The same for the cgroup at `path`, read by path, not opened (an
  /// ancestor outside the job root). The mount root of cgroup2 has no
  /// request file: ENOENT.
  virtual Result<bool> self_freezing_at(std::string_view path) = 0;
  /// An fd that polls ready (POLLPRI) when the state may have changed, or an
  /// invalid fd where the kernel offers no notification (v1).
  virtual UniqueFd open_watch(const Cgroup& cg) = 0;
  /// Whether what the watch fd read (re-arming it) says FROZEN, so that a
  /// wait can mostly skip status().
  virtual bool frozen_per_watch(std::string_view watch_text) const = 0;
  /// For a `cg` whose own state says FROZEN: whether every cgroup below it
  /// is frozen too, which that state alone does not promise on v2. A wait
  /// for FROZEN ends only when this is true as well.
  virtual Result<bool> below_frozen(const Cgroup& cg) = 0;
  /// v1 only: helps a job stuck in FREEZING along (re-write FROZEN, and now
  /// and then thaw and re-freeze). `nudges` counts the earlier calls for this
  /// wait; when, and how often, is the hierarchy's (HierarchyTraits::
  /// nudge_interval, settle_nudges).
  Status nudge(const JobLock& held, const Cgroup& cg, unsigned nudges);

 protected:
  /// The backends' writes, reached only through write_request() and nudge().
  virtual Status write_state(const Cgroup& cg, bool freeze) = 0;
  virtual Status nudge_state(const Cgroup& cg, unsigned nudges) = 0;
};

/// The backend for `kind`, using `io` for every access; its traits() are
/// hierarchy_traits(kind).
std::unique_ptr<Freezer> make_freezer(SysIo& io, HierarchyKind kind);

/// Writes the request holding `held` (the lock of `cg`), retrying with
/// backoff while the kernel answers EBUSY (older v1 kernels) until `deadline`.
Status request_with_retry(Freezer& freezer, const JobLock& held, const Cgroup& cg, bool freeze,
                          Deadline deadline);

/// Per job: whether its request went in, and whether it reached the target.
struct ChangeOutcome {
  Status request;                  ///< ECANCELED: another run reversed it while we waited
  bool reached = false;
  bool was_self_freezing = false;  ///< the job's own request before ours (read under its lock)
};

/// Requests freeze (or thaw) of all `jobs` together, then, if `wait`, waits for
/// them together until each is FROZEN (or THAWED) or `deadline` passes. The
/// watches are armed before the writes, so no notification is lost; the state
/// is re-read right after each wake-up and after a short, growing pause,
/// because cgroup.events notifications are rate-limited (one per ~10 ms).
/// Without `wait`, a freeze still nudges up to HierarchyTraits::settle_nudges times (v1).
/// Each write, nudges included, holds the job's lock (lib/freezer/job_lock.h),
/// waited for until `deadline`. A wait that finds its request reversed by
/// another run ends with ECANCELED for that job instead of waiting forever.
/// `stop` (when set, asked at every re-read of a wait) ends the wait early
/// too, leaving the jobs not reached as they are (cgfreeze: an interrupt).
std::vector<ChangeOutcome> change_freeze(Freezer& freezer, std::span<const Cgroup* const> jobs,
                                         bool freeze, bool wait, Deadline deadline,
                                         const std::function<bool()>& stop = {});

/// The thaw-back after a freeze that timed out: thaws `cg` under its lock,
/// unless it had asked to be frozen before our request (`outcome` from
/// change_freeze) or another run made a request since. True when it thawed.
Result<bool> undo_freeze(Freezer& freezer, const Cgroup& cg, const ChangeOutcome& outcome, Deadline deadline);

/// Waits until every job in `jobs` is FROZEN, the deadline passes or `stop`
/// (when set, asked at every re-read) returns true; returns for each whether
/// it got there. Used after a request was written elsewhere, by a caller that
/// holds the jobs' locks, `held[i]` for `jobs[i]` (its nudges use them).
std::vector<bool> wait_frozen(Freezer& freezer, std::span<const Cgroup* const> jobs,
                              std::span<const JobLock* const> held, Deadline deadline,
                              const std::function<bool()>& stop = {});

/// The nearest ancestor of `cg` (below `mount`) that asked to be frozen itself,
/// or an empty string when none did.
Result<std::string> freezing_ancestor(Freezer& freezer, const Cgroup& cg, std::string_view mount);

}  // namespace cgjob
