#include "lib/job/job_status.h"

#include "lib/parse/id_list.h"
#include "lib/cgroup/job_name.h"

namespace cgjob {
namespace {

std::string parent_of(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(path.substr(0, slash == std::string_view::npos ? 0 : slash));
}

}  // namespace

StatusReader::StatusReader(SysIo& io, HierarchyKind kind, std::string mount)
    : m_io(&io), m_freezer(make_freezer(io, kind)), m_mount(std::move(mount)) {}

Result<bool> StatusReader::requested_at_or_above(const std::string& path) {
  // The mount root (and anything outside it) has no cgroup.freeze.
  if (path.size() <= m_mount.size() || !path_within_mount(path)) return false;
  if (auto hit = m_requested.find(path); hit != m_requested.end()) return hit->second;
  bool requested = false;
  auto self = m_freezer->self_freezing_at(path);
  if (self) {
    requested = *self;
  } else if (self.error().errnum != ENOENT) {
    return self.error();
  }
  if (!requested) {
    auto above = requested_at_or_above(parent_of(path));
    if (!above) return above;
    requested = *above;
  }
  m_requested.emplace(path, requested);
  return requested;
}

bool StatusReader::path_within_mount(std::string_view path) const {
  return path.starts_with(m_mount) && (m_mount.empty() || m_mount.back() == '/' || path.size() == m_mount.size() ||
                                       path[m_mount.size()] == '/');
}

Result<bool> StatusReader::requested_above(std::string_view path) {
  if (hierarchy().tells_parent_freezing) return false;
  return requested_at_or_above(parent_of(path));
}

Status StatusReader::read(DirRef dir, bool requested_above, JobStatus& out) {
  auto freezer = m_freezer->status_at(dir, requested_above);
  if (!freezer) return freezer.error();
  auto procs = m_io->read_file(dir, "cgroup.procs");
  if (!procs) return procs.error();
  out.state = freezer->state;
  out.self_freezing = freezer->self_freezing;
  out.parent_freezing = freezer->parent_freezing;
  out.hidden_procs = parse_pid_list_into(*procs, out.pids);
  // Where the kernel does not tell, the job's own processes; the caller
  // completes it from the sub-jobs.
  out.populated = freezer->populated.value_or(!out.pids.empty() || out.hidden_procs > 0);
  return {};
}

Status StatusReader::walk(const Cgroup& top, bool recursive, bool include_top, std::vector<StatusEntry>& out,
                          std::vector<Error>& problems) {
  auto above = requested_above(top.path());
  if (!above) return above.error();
  const std::size_t first = out.size();
  std::size_t index = StatusEntry::k_no_parent;
  bool requested = *above;
  if (include_top) {
    StatusEntry entry;
    entry.path = top.path();
    entry.requested_above = *above;
    auto read_top = read(top.dir(), *above, entry.status);
    if (!read_top) return read_top;
    requested = requested_for_children(entry.status, *above);
    out.push_back(std::move(entry));
    index = first;
  } else if (!hierarchy().tells_parent_freezing && recursive) {
    auto self = requested_at_or_above(top.path());
    if (!self) return self.error();
    requested = *self;
  }
  if (recursive) {
    auto names = top.children();
    if (!names) return names.error();
    walk_children(top, *names, index, 1, requested, out, problems);
  }
  if (!hierarchy().tells_populated) {
    if (recursive) {
      // Children follow their parent in `out`: one pass from the end carries
      // populated up through every level.
      for (std::size_t i = out.size(); i-- > first;) {
        if (out[i].status.populated && out[i].parent != StatusEntry::k_no_parent) {
          out[out[i].parent].status.populated = true;
        }
      }
    } else if (include_top && !out[first].status.populated) {
      auto populated = subtree_populated(top);
      if (!populated) {
        if (!is_gone(populated.error())) problems.push_back(populated.error());
      } else {
        out[first].status.populated = *populated;
      }
    }
  }
  return {};
}

void StatusReader::walk_children(const Cgroup& cg, const std::vector<std::string>& names, std::size_t parent,
                                 std::size_t depth, bool requested, std::vector<StatusEntry>& out,
                                 std::vector<Error>& problems) {
  for (const auto& name : names) {
    if (!validate_job_component(name)) {
      skip_unlisted(cg, name, parent, out, problems);
      continue;
    }
    auto child = cg.child(name);
    if (!child) {
      if (!is_gone(child.error())) problems.push_back(child.error());
      continue;
    }
    StatusEntry entry;
    entry.path = child->path();
    entry.depth = depth;
    entry.parent = parent;
    entry.requested_above = requested;
    auto st = read(child->dir(), requested, entry.status);
    if (!st) {
      if (!is_gone(st.error())) problems.push_back(st.error());
      continue;
    }
    bool below = requested_for_children(entry.status, requested);
    out.push_back(std::move(entry));
    std::size_t index = out.size() - 1;
    auto grandchildren = child->children();
    if (!grandchildren) {
      if (!is_gone(grandchildren.error())) problems.push_back(grandchildren.error());
      continue;
    }
    if (!grandchildren->empty()) walk_children(*child, *grandchildren, index, depth + 1, below, out, problems);
  }
}

void StatusReader::skip_unlisted(const Cgroup& cg, const std::string& name, std::size_t parent,
                                 std::vector<StatusEntry>& out, std::vector<Error>& problems) {
  // A populated flag the kernel tells counts it already; one counted (v1) is
  // built from what is listed.
  if (hierarchy().tells_populated || parent == StatusEntry::k_no_parent || out[parent].status.populated) return;
  auto child = cg.child(name);
  auto populated = child ? subtree_populated(*child) : Result<bool>(child.error());
  if (!populated) {
    if (!is_gone(populated.error())) problems.push_back(populated.error());
    return;
  }
  if (*populated) out[parent].status.populated = true;
}

Result<bool> StatusReader::subtree_populated(const Cgroup& cg) {
  if (hierarchy().tells_populated) {
    auto st = m_freezer->status_at(cg.dir(), false);
    if (!st) return st.error();
    return st->populated.value_or(false);
  }
  auto procs = cg.read("cgroup.procs");
  if (!procs) return procs.error();
  std::vector<pid_t> pids;
  if (parse_pid_list_into(*procs, pids) > 0 || !pids.empty()) return true;
  auto names = cg.children();
  if (!names) return names.error();
  for (const auto& name : *names) {
    auto child = cg.child(name);
    if (!child) {
      if (is_gone(child.error())) continue;
      return child.error();
    }
    auto below = subtree_populated(*child);
    if (!below) {
      if (is_gone(below.error())) continue;
      return below;
    }
    if (*below) return true;
  }
  return false;
}

namespace {

Status list_below(const Cgroup& cg, const std::string& prefix, std::vector<std::string>& out, bool top) {
  auto names = cg.children();
  if (!names) {
    if (!top && is_gone(names.error())) return {};
    return names.error();
  }
  for (const auto& name : *names) {
    if (!validate_job_component(name)) continue;  // not a job: see is_job_path()
    std::string relative = prefix.empty() ? name : prefix + "/" + name;
    auto child = cg.child(name);
    if (!child) {
      if (is_gone(child.error())) continue;
      return child.error();
    }
    out.push_back(relative);
    auto below = list_below(*child, relative, out, false);
    if (!below) return below;
  }
  return {};
}

}  // namespace

Status list_subtree(const Cgroup& top, std::vector<std::string>& out) { return list_below(top, "", out, true); }

}  // namespace cgjob
