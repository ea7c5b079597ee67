#include "lib/cgroup/hierarchy.h"

#include <fcntl.h>

#include <cstdlib>
#include <sstream>

#include "lib/cgroup/self_cgroup.h"
#include "lib/cgroup/systemd_unit.h"
#include "lib/base/uapi.h"

namespace cgjob {
namespace {

// The mount whose mountpoint is the longest prefix of `path`.
const CgroupMount* mount_of(const std::vector<CgroupMount>& mounts, std::string_view path) {
  const CgroupMount* best = nullptr;
  for (const auto& m : mounts) {
    bool inside = path == m.mountpoint ||
                  (path.starts_with(m.mountpoint) &&
                   (m.mountpoint == "/" || path[m.mountpoint.size()] == '/'));
    if (inside && (!best || m.mountpoint.size() > best->mountpoint.size())) best = &m;
  }
  return best;
}

const CgroupMount* first_of(const std::vector<CgroupMount>& mounts, HierarchyKind kind) {
  for (const auto& m : mounts) {
    if (m.kind == kind) return &m;
  }
  return nullptr;
}

// Lexically normalised absolute path: no "//", "/./", trailing "/"; ".." refused.
Result<std::string> normalise_root(std::string_view text) {
  if (text.empty() || text.front() != '/') {
    return input_error("the job root must be an absolute path", std::string(text));
  }
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == '/') ++i;
    std::size_t j = text.find('/', i);
    if (j == std::string_view::npos) j = text.size();
    auto comp = text.substr(i, j - i);
    if (comp == "..") return input_error("'..' is not allowed in the job root", std::string(text));
    if (!comp.empty() && comp != ".") {
      out += '/';
      out += comp;
    }
    i = j;
  }
  return out.empty() ? std::string("/") : out;
}

// statfs of the root, or of its nearest existing ancestor (a root is created on
// first use).
Result<long> magic_of_nearest(SysIo& io, std::string path) {
  for (;;) {
    auto magic = io.fs_magic(path);
    if (magic || magic.error().errnum != ENOENT || path == "/") return magic;
    path = path.substr(0, std::max<std::size_t>(1, path.rfind('/')));
  }
}

std::string parent_path(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? std::string("/") : path.substr(0, slash);
}

std::string_view base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// Delegated to this caller, in the kernel's sense (cgroup-v2.rst,
// "Delegation"): the directory (to create children) and its cgroup.procs (to
// move processes below it) are writable. cgroup.threads and
// cgroup.subtree_control come with a proper delegation too, but neither is
// needed to create, fill, freeze, kill or remove jobs.
bool delegated_to_caller(SysIo& io, const std::string& dir) {
  return io.may_write(DirRef{AT_FDCWD, dir}, dir) &&
         io.may_write(DirRef{AT_FDCWD, dir}, join_path(dir, "cgroup.procs"));
}

// Whether the cgroup2 mount at `mountpoint` has the freezer (cgroup.freeze,
// 5.2+), probed once per run. The mount root never has that file, so a
// cgroup below it is looked at. Only a mount without any cgroup yet leaves
// the kernel's version to go by: the last resort, as vendor kernels backport
// around version numbers.
bool v2_has_freezer(SysIo& io, const std::string& mountpoint) {
  auto& known = io.capabilities().v2_freezer;
  if (known) return *known;
  std::optional<bool> found;
  if (auto root = io.open_dir(DirRef{AT_FDCWD, "/"}, mountpoint)) {
    DirRef dir{root->get(), mountpoint};
    auto children = io.list_dirs(dir);
    for (const auto& child : children ? *children : std::vector<std::string>{}) {
      if (!io.has_file(dir, join_path(child, "cgroup.procs"))) continue;  // not a cgroup
      found = io.has_file(dir, join_path(child, "cgroup.freeze"));
      break;
    }
  }
  if (!found) return kernel_at_least(io.kernel_release(), 5, 2);  // not a probe: asked again next time
  known = found;
  return *known;
}

}  // namespace

Result<std::string> delegated_job_root(SysIo& io, const CgroupMount& mount) {
  auto own = process_cgroup_dir(io, mount, 0);
  if (!own) return own.error();
  // The caller's cgroup and its ancestors up to the mount, nearest first.
  std::vector<std::string> chain;
  for (std::string dir = *own;; dir = parent_path(dir)) {
    chain.push_back(dir);
    if (dir == mount.mountpoint || !path_within(dir, mount.mountpoint) || dir == "/") break;
  }
  // Already inside a job of a delegated root (<A>/cgjobs/build/...): the
  // nearest writable cgroup is the job itself, which the caller created, but
  // its root is <A>/cgjobs. Outermost first, so nested roots resolve alike.
  for (std::size_t i = chain.size(); i-- > 1;) {
    if (base_name(chain[i - 1]) == "cgjobs" && delegated_to_caller(io, chain[i])) return chain[i - 1];
  }
  for (const auto& dir : chain) {
    if (delegated_to_caller(io, dir)) return join_path(dir, "cgjobs");
  }
  std::string files = mount.kind == HierarchyKind::v2
                          ? "cgroup.procs, cgroup.threads, cgroup.subtree_control"
                          : "cgroup.procs, tasks, freezer.state";
  return text_error("no delegated cgroup: uid " + std::to_string(io.effective_uid()) +
                        " may write neither its cgroup " + *own +
                        " nor any cgroup above it; start one with 'systemd-run --user --scope -p Delegate=yes "
                        "COMMAND', have an administrator chown a subtree to you (the directory and its " +
                        files + "), or give --root",
                    {}, EACCES);
}

std::string_view to_string(HierarchyKind kind) { return kind == HierarchyKind::v1 ? "v1" : "v2"; }

Result<HierarchyChoice> parse_hierarchy_choice(std::string_view text) {
  if (text == "auto") return HierarchyChoice::automatic;
  if (text == "v1") return HierarchyChoice::v1;
  if (text == "v2") return HierarchyChoice::v2;
  return input_error("hierarchy must be auto, v1 or v2, not '" + std::string(text) + "'");
}

bool kernel_at_least(std::string_view release, int major, int minor) {
  int have_major = std::atoi(std::string(release).c_str());
  auto dot = release.find('.');
  int have_minor = dot == std::string_view::npos ? 0 : std::atoi(std::string(release.substr(dot + 1)).c_str());
  return have_major > major || (have_major == major && have_minor >= minor);
}

Result<Layout> resolve_layout(SysIo& io, const std::vector<CgroupMount>& mounts,
                              const LayoutRequest& request) {
  if (request.root) {
    auto root = normalise_root(*request.root);
    if (!root) return root.error();
    auto magic = magic_of_nearest(io, *root);
    if (!magic) return magic.error();
    const CgroupMount* m = mount_of(mounts, *root);
    bool on_cgroupfs = *magic == CGROUP2_SUPER_MAGIC || *magic == CGROUP_SUPER_MAGIC;
    if (!on_cgroupfs || !m) {
      return input_error("the job root is not inside a cgroup v2 or v1 freezer mount", *root);
    }
    HierarchyKind kind = *magic == CGROUP2_SUPER_MAGIC ? HierarchyKind::v2 : HierarchyKind::v1;
    if (kind != m->kind) {
      return input_error("the job root is not inside a cgroup v2 or v1 freezer mount", *root);
    }
    // Every cgroup below the root is a job: at the mount root, init.scope
    // and system.slice would be too (`cgfreeze init.scope` freezing PID 1).
    if (*root == m->mountpoint) {
      return input_error("refusing a job root at the cgroup mount root (every system cgroup would be a job); "
                         "give a directory below it",
                         *root);
    }
    if ((request.choice == HierarchyChoice::v1 && kind != HierarchyKind::v1) ||
        (request.choice == HierarchyChoice::v2 && kind != HierarchyKind::v2)) {
      return input_error("the job root lies on the " + std::string(to_string(kind)) +
                             " hierarchy, not the one asked for",
                         *root);
    }
    return Layout{kind, m->mountpoint, *root, systemd_owns(io, *m), {}};
  }

  const CgroupMount* v2 = first_of(mounts, HierarchyKind::v2);
  const CgroupMount* v1 = first_of(mounts, HierarchyKind::v1);
  const CgroupMount* chosen = nullptr;
  switch (request.choice) {
    case HierarchyChoice::v2:
      chosen = v2;
      if (!chosen) return text_error("no cgroup2 filesystem is mounted", "/proc/self/mountinfo", ENOENT);
      break;
    case HierarchyChoice::v1:
      chosen = v1;
      if (!chosen) {
        return text_error("no cgroup v1 hierarchy with the freezer controller is mounted",
                          "/proc/self/mountinfo", ENOENT);
      }
      break;
    case HierarchyChoice::automatic:
      // Without the v2 freezer (before 5.2), v1's, where it is mounted.
      if (v2 && v2_has_freezer(io, v2->mountpoint)) {
        chosen = v2;
      } else if (v1) {
        chosen = v1;
      } else {
        return text_error("no cgroup freezer found: neither cgroup2 (kernel 5.2+) nor a v1 freezer mount",
                          "/proc/self/mountinfo", ENOENT);
      }
      break;
  }
  bool systemd = systemd_owns(io, *chosen);
  if (io.effective_uid() == 0 && systemd) {
    // Never beside systemd's own tree: in the unit it delegates to us.
    return Layout{chosen->kind, chosen->mountpoint, jobs_unit_root(chosen->mountpoint), true,
                  std::string(k_jobs_unit)};
  }
  if (io.effective_uid() == 0) {
    return Layout{chosen->kind, chosen->mountpoint, join_path(chosen->mountpoint, "cgjobs"), false, {}};
  }
  // Unprivileged: <mount>/cgjobs is root's and not writable; use the subtree
  // delegated to the caller (cgfreeze(1), Job root).
  auto root = delegated_job_root(io, *chosen);
  if (!root) return root.error();
  return Layout{chosen->kind, chosen->mountpoint, std::move(*root), systemd, {}};
}

Result<Layout> discover_layout(SysIo& io, const LayoutRequest& request) {
  auto text = io.read_file(DirRef{AT_FDCWD, "/"}, "/proc/self/mountinfo");
  if (!text) return text.error();
  return resolve_layout(io, parse_mountinfo(*text), request);
}

}  // namespace cgjob
