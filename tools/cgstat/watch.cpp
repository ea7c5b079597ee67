#include "tools/cgstat/watch.h"

#include <fcntl.h>

#include <algorithm>

namespace cgjob::cgstat {
namespace {

using cli::ExitStatus;

// A round of re-reads may take at most 1/k_cpu_share_divisor of the time
// between rounds: about 5% of a CPU however many jobs there are.
constexpr int k_cpu_share_divisor = 20;

bool within(std::string_view path, std::string_view prefix) {
  return path.starts_with(prefix) && (path.size() == prefix.size() || path[prefix.size()] == '/');
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

}  // namespace

Watcher::Watcher(const JobRoot& root, EventWatch* events, Sink sink, cli::Reporter& reporter)
    : m_root(root),
      m_reader(root.io(), root.layout().kind, root.layout().mount),
      m_events(events),
      m_sink(std::move(sink)),
      m_reporter(reporter),
      m_tick(events ? Clock::duration(k_v2_tick) : Clock::duration(k_v1_tick)) {}

ExitStatus Watcher::start(const std::vector<JobName>& jobs, bool recursive) {
  ExitStatus status = ExitStatus::ok;
  if (jobs.empty()) {
    m_tops.push_back(Top{m_root.layout().root, "", false, true, false, -1, -1});
  } else {
    bool any_present = false;
    for (const auto& job : jobs) {
      std::string path = m_root.path_of(job);
      bool duplicate = std::any_of(m_tops.begin(), m_tops.end(), [&](const Top& t) { return t.path == path; });
      if (duplicate) continue;
      auto cg = m_root.open_job(job);
      if (!cg) {
        m_reporter.failure(job.text, "watch", cg.error());
        status = worst(status, cli::status_for_lookup(cg.error()));
        // A missing job is watched for: it is reported once it appears.
        if (cg.error().errnum != ENOENT) continue;
      } else {
        any_present = true;
      }
      m_tops.push_back(Top{path, job.text, true, recursive, false, -1, -1});
    }
    if (!any_present) m_tops.clear();  // nothing to watch: say so at once
  }
  for (std::size_t t = 0; t < m_tops.size(); ++t) scan_top(t, WatchLine::Event::initial);
  m_next_tick = m_root.io().now() + m_tick;
  return status;
}

bool Watcher::watching_anything() const { return !m_tops.empty(); }

void Watcher::note(const Error& error) { m_reporter.failure("", "watch", error); }

std::string Watcher::name_for(std::size_t top, const std::string& path) const {
  const Top& t = m_tops[top];
  if (t.include_self) return t.name + path.substr(t.path.size());
  return path.size() > t.path.size() ? path.substr(t.path.size() + 1) : path;
}

std::optional<std::size_t> Watcher::top_of(const std::string& path) const {
  for (std::size_t t = 0; t < m_tops.size(); ++t) {
    const Top& top = m_tops[t];
    if (path == top.path ? top.include_self
                         : (top.recursive && within(path, top.path) &&
                            is_job_path(std::string_view(path).substr(top.path.size() + 1)))) {
      return t;  // a directory not named like a job is not one (nor what lies below it)
    }
  }
  return std::nullopt;
}

bool Watcher::changed(const JobStatus& before, const JobStatus& after) const {
  return before.state != after.state || before.populated != after.populated ||
         before.pids.size() != after.pids.size();
}

void Watcher::emit(WatchLine::Event event, const Tracked& job) {
  WatchLine line;
  line.event = event;
  line.name = job.name;
  line.state = job.status.state;
  if (event != WatchLine::Event::removed) {
    line.populated = job.status.populated;
    line.nprocs = job.status.pids.size();
  }
  if (!m_output_failed && !m_sink(line)) m_output_failed = true;
}

void Watcher::watch(const std::string& path, Tracked& job, bool recursive) {
  if (!m_events) return;
  auto add = [&](Result<int> wd, int& slot) {
    if (wd) {
      slot = *wd;
      m_wd_paths[*wd] = path;
    } else if (!is_gone(wd.error())) {
      // Out of inotify watches (fs.inotify.max_user_watches) or the like:
      // carry on by polling, as on v1.
      m_reporter.failure("", "watch for events", wd.error());
      m_reporter.error("", "polling instead");
      m_event_failed = true;
    }
  };
  const auto& traits = m_root.freezer().traits();
  if (job.wd_events < 0) add(m_events->watch_file(join_path(path, traits.state_notify_file)), job.wd_events);
  if (job.wd_freeze < 0) add(m_events->watch_file(join_path(path, traits.request_notify_file)), job.wd_freeze);
  if (recursive && job.wd_dir < 0) add(m_events->watch_dir(path), job.wd_dir);
}

void Watcher::unwatch(Tracked& job) {
  for (int* wd : {&job.wd_events, &job.wd_freeze, &job.wd_dir}) {
    if (*wd < 0) continue;
    if (m_events) m_events->unwatch(*wd);
    m_wd_paths.erase(*wd);
    *wd = -1;
  }
}

void Watcher::remove_below(const std::string& path, bool including) {
  std::vector<std::map<std::string, Tracked>::iterator> hits;
  for (auto it = m_jobs.lower_bound(path); it != m_jobs.end() && it->first.starts_with(path); ++it) {
    if (it->first.size() == path.size() ? including : it->first[path.size()] == '/') hits.push_back(it);
  }
  // Sub-jobs first, as they are removed.
  for (auto h = hits.rbegin(); h != hits.rend(); ++h) {
    // A named JOB that goes away is looked for again at each tick.
    for (auto& top : m_tops) {
      if (top.include_self && top.path == (*h)->first) top.present = false;
    }
    emit(WatchLine::Event::removed, (*h)->second);
    unwatch((*h)->second);
    m_recheck_jobs.erase((*h)->first);
    m_jobs.erase(*h);
  }
}

void Watcher::scan_top(std::size_t t, WatchLine::Event event_for_new) {
  m_reader.forget_requests();
  Top& top = m_tops[t];
  SysIo& io = m_root.io();
  auto gone = [&] { top_gone(t); };
  auto cg = Cgroup::open(io, top.path);
  if (!cg) {
    if (is_gone(cg.error())) gone();
    else note(cg.error());
    return;
  }
  // The job root: watched before it is read, so no sub-job made meanwhile
  // goes unseen.
  if (!top.include_self && m_events) {
    if (top.wd_dir < 0) {
      auto wd = m_events->watch_dir(top.path);
      if (wd) {
        top.wd_dir = *wd;
        m_wd_paths[*wd] = top.path;
      } else if (!is_gone(wd.error())) {
        note(wd.error());
        m_event_failed = true;
      }
    }
    if (top.wd_freeze < 0) {
      // Absent on the mount root.
      auto wd = m_events->watch_file(join_path(top.path, m_root.freezer().traits().request_notify_file));
      if (wd) {
        top.wd_freeze = *wd;
        m_wd_paths[*wd] = top.path;
      }
    }
  }
  std::vector<StatusEntry> entries;
  std::vector<Error> problems;
  auto walked = m_reader.walk(*cg, top.recursive, top.include_self, entries, problems);
  for (const auto& p : problems) note(p);
  if (!walked) {
    if (is_gone(walked.error())) gone();
    else note(walked.error());
    return;
  }
  top.present = true;
  merge(t, top.path, top.include_self, entries, event_for_new);
}

void Watcher::top_gone(std::size_t t) {
  Top& top = m_tops[t];
  remove_below(top.path, top.include_self);
  for (int* wd : {&top.wd_dir, &top.wd_freeze}) {
    if (*wd < 0) continue;
    if (m_events) m_events->unwatch(*wd);
    m_wd_paths.erase(*wd);
    *wd = -1;
  }
  top.present = false;
}

void Watcher::scan_subtree(std::size_t t, const std::string& path, WatchLine::Event event_for_new) {
  m_reader.forget_requests();
  auto cg = Cgroup::open(m_root.io(), path);
  if (!cg) {
    if (is_gone(cg.error())) remove_below(path, true);
    else note(cg.error());
    return;
  }
  std::vector<StatusEntry> entries;
  std::vector<Error> problems;
  auto walked = m_reader.walk(*cg, true, true, entries, problems);
  for (const auto& p : problems) note(p);
  if (!walked) {
    if (is_gone(walked.error())) remove_below(path, true);
    else note(walked.error());
    return;
  }
  merge(t, path, true, entries, event_for_new);
}

void Watcher::merge(std::size_t t, const std::string& prefix, bool prefix_included, std::vector<StatusEntry>& entries,
                    WatchLine::Event event_for_new) {
  // What was tracked below `prefix` for this top and is no longer there.
  std::set<std::string> seen;
  for (const auto& e : entries) seen.insert(e.path);
  std::vector<std::string> vanished;
  for (auto it = m_jobs.lower_bound(prefix); it != m_jobs.end() && it->first.starts_with(prefix); ++it) {
    bool below = it->first.size() == prefix.size() ? prefix_included : it->first[prefix.size()] == '/';
    if (below && it->second.top == t && !seen.count(it->first)) vanished.push_back(it->first);
  }
  for (const auto& path : vanished) remove_below(path, true);

  const bool recursive = m_tops[t].recursive;
  for (auto& e : entries) {
    auto it = m_jobs.find(e.path);
    if (it != m_jobs.end()) {
      Tracked& job = it->second;
      bool differs = changed(job.status, e.status);
      job.status = std::move(e.status);
      job.requested_above = e.requested_above;
      watch(e.path, job, recursive);
      if (differs) emit(WatchLine::Event::changed, job);
      continue;
    }
    Tracked job;
    job.top = t;
    job.name = name_for(t, e.path);
    job.status = std::move(e.status);
    job.requested_above = e.requested_above;
    auto& inserted = m_jobs.emplace(e.path, std::move(job)).first->second;
    watch(e.path, inserted, recursive);
    emit(event_for_new, inserted);
  }
}

void Watcher::reread(const std::string& path) {
  auto it = m_jobs.find(path);
  if (it == m_jobs.end()) return;
  Tracked& job = it->second;
  bool requested_above = false;
  if (auto parent = m_jobs.find(parent_of(path)); parent != m_jobs.end()) {
    requested_above = requested_for_children(parent->second.status, parent->second.requested_above);
  } else {
    m_reader.forget_requests();
    auto above = m_reader.requested_above(path);
    if (!above) {
      if (!is_gone(above.error())) note(above.error());
    } else {
      requested_above = *above;
    }
  }
  auto cg = Cgroup::open(m_root.io(), path);
  JobStatus status;
  Status read = cg ? m_reader.read(cg->dir(), requested_above, status) : Status(cg.error());
  if (read && !m_reader.hierarchy().tells_populated && !status.populated) {
    auto populated = m_reader.subtree_populated(*cg);
    if (populated) status.populated = *populated;
  }
  if (!read) {
    if (is_gone(read.error())) remove_below(path, true);
    else note(read.error());
    return;
  }
  bool before_children = requested_for_children(job.status, job.requested_above);
  bool after_children = requested_for_children(status, requested_above);
  bool differs = changed(job.status, status);
  job.status = std::move(status);
  job.requested_above = requested_above;
  if (differs) emit(WatchLine::Event::changed, job);
  if (before_children == after_children) return;
  // A request here changes what each sub-job reads as FREEZING or THAWED,
  // even where nothing in the sub-job's own cgroup.events changes.
  std::vector<std::string> children;
  for (auto c = m_jobs.upper_bound(path); c != m_jobs.end() && c->first.starts_with(path); ++c) {
    if (c->first.size() > path.size() && c->first[path.size()] == '/' &&
        c->first.find('/', path.size() + 1) == std::string::npos) {
      children.push_back(c->first);
    }
  }
  for (const auto& c : children) reread(c);
}

void Watcher::handle(const std::vector<WatchEvent>& events) {
  std::set<std::string> dirty;
  std::set<std::string> created;
  std::set<std::size_t> rescan_tops;
  for (const auto& e : events) {
    if (e.kind == WatchEvent::Kind::overflow) {
      for (std::size_t t = 0; t < m_tops.size(); ++t) rescan_tops.insert(t);
      continue;
    }
    auto it = m_wd_paths.find(e.wd);
    if (it == m_wd_paths.end()) continue;
    const std::string path = it->second;
    switch (e.kind) {
      case WatchEvent::Kind::modified:
        if (m_jobs.count(path)) {
          dirty.insert(path);
        } else {
          for (std::size_t t = 0; t < m_tops.size(); ++t) {
            if (m_tops[t].path == path) rescan_tops.insert(t);  // the job root's own request
          }
        }
        break;
      case WatchEvent::Kind::created: created.insert(join_path(path, e.name)); break;
      case WatchEvent::Kind::deleted: {
        std::string gone = join_path(path, e.name);
        remove_below(gone, true);
        std::erase_if(created, [&](const std::string& c) { return within(c, gone); });
        std::erase_if(dirty, [&](const std::string& c) { return within(c, gone); });
        break;
      }
      case WatchEvent::Kind::gone: {
        m_wd_paths.erase(it);
        if (auto job = m_jobs.find(path); job != m_jobs.end()) {
          for (int* wd : {&job->second.wd_events, &job->second.wd_freeze, &job->second.wd_dir}) {
            if (*wd == e.wd) *wd = -1;
          }
          // The job's own cgroup.events or directory went away: the job did.
          remove_below(path, true);
        }
        for (std::size_t t = 0; t < m_tops.size(); ++t) {
          Top& top = m_tops[t];
          if (top.path != path) continue;
          if (top.wd_dir == e.wd) top.wd_dir = -1;
          if (top.wd_freeze == e.wd) top.wd_freeze = -1;
          rescan_tops.insert(t);  // finds it gone, or a new one in its place
        }
        break;
      }
      case WatchEvent::Kind::overflow: break;
    }
  }
  for (auto t : rescan_tops) scan_top(t, WatchLine::Event::added);
  std::string last;
  for (const auto& path : created) {
    if (!last.empty() && within(path, last)) continue;  // scanned with its parent
    if (m_jobs.count(path)) continue;
    auto t = top_of(path);
    if (!t) continue;
    scan_subtree(*t, path, WatchLine::Event::added);
    last = path;
  }
  for (const auto& path : dirty) reread(path);
  if (dirty.empty() && created.empty()) return;
  // cgroup.events notifications are rate-limited: look once more shortly.
  m_recheck_jobs.insert(dirty.begin(), dirty.end());
  m_recheck_subtrees.insert(created.begin(), created.end());
  if (!m_recheck_at) m_recheck_at = m_root.io().now() + k_recheck;
}

void Watcher::recheck() {
  auto subtrees = std::move(m_recheck_subtrees);
  auto jobs = std::move(m_recheck_jobs);
  m_recheck_subtrees.clear();
  m_recheck_jobs.clear();
  m_recheck_at.reset();
  for (const auto& path : subtrees) {
    auto t = top_of(path);
    if (t) scan_subtree(*t, path, WatchLine::Event::added);
  }
  for (const auto& path : jobs) reread(path);
}

void Watcher::tick() {
  SysIo& io = m_root.io();
  auto began = io.now();
  if (!m_events) {
    for (std::size_t t = 0; t < m_tops.size(); ++t) scan_top(t, WatchLine::Event::added);
  } else {
    // Why: a removed cgroup directory never reports IN_DELETE_SELF or
    // IN_IGNORED (kernfs keeps its link count above 0; seen on 6.18), and
    // the job root's parent is not watched: look for the tops themselves.
    for (std::size_t t = 0; t < m_tops.size(); ++t) {
      Top& top = m_tops[t];
      if (!top.present) scan_top(t, WatchLine::Event::added);
      else if (!Cgroup::exists_at(io, top.path)) top_gone(t);
    }
    // Process counts: cgroup.events says nothing when only they change.
    std::vector<std::string> gone;
    for (auto& [path, job] : m_jobs) {
      auto pids = Cgroup::procs_at(io, path);
      if (!pids) {
        if (is_gone(pids.error())) gone.push_back(path);
        else note(pids.error());
        continue;
      }
      if (pids->size() == job.status.pids.size()) continue;
      job.status.pids = std::move(*pids);
      emit(WatchLine::Event::changed, job);
    }
    for (const auto& path : gone) remove_below(path, true);
  }
  auto cost = io.now() - began;
  auto base = m_events ? Clock::duration(k_v2_tick) : Clock::duration(k_v1_tick);
  m_tick = std::max(base, cost * k_cpu_share_divisor);
}

ExitStatus Watcher::run(Deadline deadline, SignalFd* stop) {
  SysIo& io = m_root.io();
  for (;;) {
    if (m_output_failed) return ExitStatus::failed;
    if (m_event_failed && m_events) {
      // Fall back to polling for the rest of the run.
      for (auto& [path, job] : m_jobs) unwatch(job);
      for (auto& top : m_tops) top.wd_dir = top.wd_freeze = -1;
      m_events = nullptr;
      m_tick = k_v1_tick;
    }
    if (deadline.expired(io)) return ExitStatus::ok;
    auto now = io.now();
    auto wake = m_next_tick;
    if (m_recheck_at && *m_recheck_at < wake) wake = *m_recheck_at;
    auto wait = deadline.remaining(io, std::max(Clock::duration::zero(), wake - now));
    pollfd fds[2]{};
    std::size_t n = 0;
    std::size_t events_at = 2;
    std::size_t stop_at = 2;
    if (m_events) {
      events_at = n;
      fds[n++] = pollfd{m_events->fd(), POLLIN, 0};
    }
    if (stop) {
      stop_at = n;
      fds[n++] = pollfd{stop->fd(), POLLIN, 0};
    }
    auto ready = io.poll(std::span<pollfd>(fds, n), wait);
    if (!ready) {
      note(ready.error());
      return ExitStatus::failed;
    }
    if (stop_at < n && (fds[stop_at].revents & POLLIN) && stop->take() != 0) return ExitStatus::ok;
    if (m_events && (m_events->fd() < 0 || (fds[events_at].revents & POLLIN))) {
      auto events = m_events->read_events();
      if (!events) {
        note(events.error());
        m_event_failed = true;
        continue;
      }
      if (!events->empty()) handle(*events);
    }
    now = io.now();
    if (m_recheck_at && now >= *m_recheck_at) recheck();
    if (now >= m_next_tick) {
      tick();
      m_next_tick = io.now() + m_tick;
    }
  }
}

}  // namespace cgjob::cgstat
