#include "lib/job/job_root.h"

#include <fcntl.h>

#include "lib/cgroup/self_cgroup.h"

namespace cgjob {

Result<JobRoot> JobRoot::open(SysIo& io, const LayoutRequest& request) {
  auto text = io.read_file(DirRef{AT_FDCWD, "/"}, "/proc/self/mountinfo");
  if (!text) return text.error();
  auto mounts = parse_mountinfo(*text);
  auto layout = resolve_layout(io, mounts, request);
  if (!layout) return layout.error();
  JobRoot root(io, std::move(*layout));
  // Kept for cgroup_dir_of, which would otherwise read mountinfo again.
  for (const auto& m : mounts) {
    if (m.mountpoint == root.m_layout.mount) root.m_mount_root = m.root;
  }
  return root;
}

JobRoot::JobRoot(SysIo& io, Layout layout)
    : m_io(&io), m_layout(std::move(layout)), m_freezer(make_freezer(io, m_layout.kind)) {}

std::string JobRoot::path_of(const JobName& job) const {
  return join_path(job.absolute ? m_layout.mount : m_layout.root, job.relative);
}

Result<Cgroup> JobRoot::open_job(const JobName& job) const {
  auto cg = Cgroup::open(*m_io, path_of(job));
  if (!cg) return cg.error();
  // A directory inside cgroupfs is a cgroup; make sure it is inside ours.
  if (!cg->has("cgroup.procs")) return sys_error(ENOTDIR, "open", cg->path());
  return cg;
}

Result<Cgroup> JobRoot::create_job(const JobName& job) const {
  if (job.absolute) return open_job(job);
  if (!m_layout.unit.empty()) {
    auto started = ensure_unit();
    if (!started) return started.error();
  }
  std::string_view root_rel = std::string_view(m_layout.root).substr(m_layout.mount.size());
  std::string relative = std::string(root_rel) + "/" + job.relative;
  return Cgroup::create(*m_io, m_layout.mount, relative);
}

Status JobRoot::ensure_unit() const {
  const std::string dir = jobs_unit_dir(m_layout.mount);
  if (m_io->has_file(DirRef{AT_FDCWD, "/"}, join_path(dir, "cgroup.procs"))) return {};
  auto started = m_start_unit();
  // Another run may have started it meanwhile: its cgroup is what counts.
  if (m_io->has_file(DirRef{AT_FDCWD, "/"}, join_path(dir, "cgroup.procs"))) return {};
  if (!started) return started.error();
  return text_error(std::string(k_jobs_unit) + " started but its cgroup is not where expected", dir, ENOENT);
}

Result<std::vector<std::string>> JobRoot::list_jobs() const {
  auto root = Cgroup::open(*m_io, m_layout.root);
  if (!root) {
    if (root.error().errnum == ENOENT) return std::vector<std::string>{};
    return root.error();
  }
  auto subtree = open_subtree(*root);
  if (!subtree) return subtree.error();
  std::vector<std::string> names;
  for (std::size_t i = 1; i < subtree->size(); ++i) {
    auto name = display_name((*subtree)[i].path());
    if (is_job_path(name)) names.push_back(std::move(name));
  }
  return names;
}

std::string JobRoot::display_name(std::string_view path) const {
  if (path.size() > m_layout.root.size() && path_within(path, m_layout.root)) {
    return std::string(path.substr(m_layout.root.size() + 1));
  }
  if (path_within(path, m_layout.mount) && path.size() > m_layout.mount.size()) {
    return std::string(path.substr(m_layout.mount.size()));
  }
  return std::string(path);
}

Result<std::string> JobRoot::cgroup_dir_of(pid_t pid) const {
  CgroupMount mount{m_layout.kind, m_layout.mount, m_mount_root.value_or("/")};
  if (!m_mount_root) {
    // The mount's own root is recorded in mountinfo; look it up for accuracy.
    auto text = m_io->read_file(DirRef{AT_FDCWD, "/"}, "/proc/self/mountinfo");
    if (text) {
      for (const auto& m : parse_mountinfo(*text)) {
        if (m.mountpoint == m_layout.mount) mount = m;
      }
    }
  }
  return process_cgroup_dir(*m_io, mount, pid);
}

Caller JobRoot::caller() const {
  auto dir = cgroup_dir_of(0);
  return Caller{m_io->self_pid(), dir ? *dir : std::string(), static_cast<bool>(dir)};
}

}  // namespace cgjob
