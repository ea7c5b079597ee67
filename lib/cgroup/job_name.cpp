#include "lib/cgroup/job_name.h"

#include "lib/base/text.h"

namespace cgjob {
namespace {

// Prefixes of control files on either hierarchy ("cgroup.procs", "freezer.state",
// "memory.max", "irq.pressure" ...). A fixed list, so a name is valid or not
// whatever controllers this machine happens to mount.
constexpr std::string_view k_control_prefixes[] = {
    "cgroup",  "cpu",     "cpuacct", "cpuset",  "memory",   "io",         "blkio",
    "devices", "freezer", "pids",    "net_cls", "net_prio", "perf_event", "hugetlb",
    "rdma",    "misc",    "debug",   "irq",     "dmem"};
// v1 control files without a dot.
constexpr std::string_view k_v1_control_files[] = {"tasks", "notify_on_release", "release_agent"};

bool allowed_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == ':' || c == '@' || c == '+' || c == '-';
}

// 'text', built by appending: GCC 12 at -O3 warns (-Wrestrict, a false
// positive in libstdc++) on "'" + std::string(text).
std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '\'';
  out += text;
  out += '\'';
  return out;
}

Status validate_absolute_component(std::string_view c, std::string_view whole) {
  if (c.empty()) return input_error("empty path component", std::string(whole));
  if (c == "." || c == "..") return input_error("'.' and '..' are not allowed", std::string(whole));
  if (c.size() > 255) return input_error("path component longer than 255 characters", std::string(whole));
  return {};
}

}  // namespace

Status validate_job_component(std::string_view c) {
  if (c.empty()) return input_error("empty job name component");
  if (c == "." || c == "..") return input_error("'.' and '..' are not allowed in job names");
  if (c.size() > 255) return input_error("job name component longer than 255 characters");
  if (c.front() == '.') return input_error("job name components must not start with '.'");
  for (char ch : c) {
    if (!allowed_char(ch)) {
      return input_error(std::string("character '") + ch +
                         "' not allowed in job names (use A-Z a-z 0-9 _ . : @ + -)");
    }
  }
  for (auto file : k_v1_control_files) {
    if (c == file) return input_error(quoted(c) + " is a cgroup control file name");
  }
  auto dot = c.find('.');
  if (dot != std::string_view::npos) {
    auto prefix = c.substr(0, dot);
    for (auto p : k_control_prefixes) {
      if (prefix == p) return input_error(quoted(c) + " looks like a cgroup control file");
    }
  }
  return {};
}

bool is_job_path(std::string_view relative) {
  for (auto component : split(relative, '/')) {
    if (!validate_job_component(component)) return false;
  }
  return true;
}

Result<JobName> JobName::parse(std::string_view text, std::string_view mount) {
  if (text.empty()) return input_error("empty job name");
  if (text.find('\0') != std::string_view::npos) return input_error("job name contains NUL");
  JobName job;
  job.absolute = text.front() == '/';
  std::string_view rest = text;
  if (job.absolute) {
    // A full filesystem path inside the mount, or a path from the mount root.
    std::string prefix = std::string(mount) + "/";
    if (!mount.empty() && (text == mount || text == prefix)) {
      return input_error("refusing to act on the cgroup mount root", std::string(text));
    }
    if (!mount.empty() && text.starts_with(prefix)) {
      rest = text.substr(prefix.size());
    } else {
      rest = text.substr(1);
    }
    while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (rest.empty()) return input_error("refusing to act on the cgroup mount root", std::string(text));
  } else if (text.back() == '/') {
    text.remove_suffix(1);
    rest = text;
  }
  for (auto component : split(rest, '/')) {
    Status ok = job.absolute ? validate_absolute_component(component, text)
                             : validate_job_component(component);
    if (!ok) {
      Error e = ok.error();
      if (e.path.empty()) e.path = std::string(text);
      return e;
    }
  }
  job.text = std::string(text);
  job.relative = std::string(rest);
  return job;
}

}  // namespace cgjob
