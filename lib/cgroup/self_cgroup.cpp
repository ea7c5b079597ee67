#include "lib/cgroup/self_cgroup.h"

#include <fcntl.h>

#include "lib/cgroup/hierarchy_traits.h"
#include "lib/base/text.h"
#include "lib/parse/proc_cgroup.h"

namespace cgjob {

std::string cgroup_line_path(std::string_view text, HierarchyKind kind) {
  const HierarchyTraits& hierarchy = hierarchy_traits(kind);
  for (const auto& line : parse_proc_cgroup(text)) {
    if (hierarchy.is_own_cgroup_line(line.id, line.controllers)) return std::string(line.path);
  }
  return {};
}

Result<std::string> process_cgroup_dir(SysIo& io, const CgroupMount& mount, pid_t pid) {
  std::string file = pid == 0 ? "/proc/self/cgroup" : "/proc/" + std::to_string(pid) + "/cgroup";
  auto text = io.read_file(DirRef{AT_FDCWD, "/"}, file);
  if (!text) return text.error();
  std::string path = cgroup_line_path(*text, mount.kind);
  if (path.empty()) return text_error("not in this hierarchy", file, ENOENT);
  // A cgroup outside our cgroup namespace shows as "/../..": it is not below
  // this mount, and appending it to the mountpoint would name a path outside.
  if (path.front() != '/' || list_contains(path, "..", '/')) {
    return text_error("cgroup not visible in this mount", file, ENOENT);
  }
  // The mount shows cgroup `mount.root`; a path outside it is not visible here.
  std::string_view rel = path;
  if (mount.root != "/") {
    if (!path_within(path, mount.root)) return text_error("cgroup not visible in this mount", file, ENOENT);
    rel.remove_prefix(mount.root.size());
  }
  if (rel == "/" || rel.empty()) return mount.mountpoint;
  return mount.mountpoint + std::string(rel);
}

bool path_within(std::string_view dir, std::string_view ancestor) {
  if (ancestor.empty() || !dir.starts_with(ancestor)) return false;  // "" is no path
  return dir.size() == ancestor.size() || ancestor == "/" || ancestor.back() == '/' ||
         dir[ancestor.size()] == '/';
}

std::string common_ancestor(std::string_view a, std::string_view b) {
  std::string_view common = a;
  while (!path_within(b, common)) {
    auto slash = common.rfind('/');
    if (slash == 0 || slash == std::string_view::npos) return "/";
    common = common.substr(0, slash);
  }
  return std::string(common);
}

}  // namespace cgjob
