#include "lib/parse/id_list.h"
#include "lib/cgroup/cgroup.h"

#include <fcntl.h>

#include <cerrno>
#include <charconv>

#include "lib/base/text.h"

namespace cgjob {

Result<Cgroup> Cgroup::open(SysIo& io, std::string path) {
  auto fd = io.open_dir(DirRef{AT_FDCWD, path}, path);
  if (!fd) return fd.error();
  return Cgroup(io, std::move(*fd), std::move(path));
}

Result<Cgroup> Cgroup::create(SysIo& io, const std::string& base, std::string_view relative) {
  std::string path = base;
  for (auto component : split(relative, '/')) {
    if (component.empty()) continue;
    std::string parent = path;
    path = join_path(path, component);
    auto made = io.make_dir(DirRef{AT_FDCWD, parent}, path);
    if (!made && made.error().errnum != EEXIST) return made.error();
  }
  return open(io, path);
}

Result<std::vector<pid_t>> Cgroup::procs() const {
  auto text = read("cgroup.procs");
  if (!text) return text.error();
  return parse_pid_list(*text);
}

Result<std::vector<pid_t>> Cgroup::procs_at(SysIo& io, const std::string& path) {
  auto text = io.read_file(DirRef{AT_FDCWD, path}, join_path(path, "cgroup.procs"));
  if (!text) return text.error();
  return parse_pid_list(*text);
}

bool Cgroup::exists_at(SysIo& io, const std::string& path) {
  return io.has_file(DirRef{AT_FDCWD, path}, join_path(path, "cgroup.procs"));
}

Result<std::vector<pid_t>> Cgroup::threads() const {
  auto text = read(has("tasks") ? "tasks" : "cgroup.threads");
  if (!text) return text.error();
  return parse_pid_list(*text);
}

Result<Cgroup> Cgroup::child(std::string_view name) const {
  auto fd = m_io->open_dir(dir(), name);
  if (!fd) return fd.error();
  return Cgroup(*m_io, std::move(*fd), join_path(m_path, name));
}

Status Cgroup::move(pid_t pid) const { return write("cgroup.procs", std::to_string(pid)); }

Status Cgroup::move(pid_t pid, const UniqueFd& procs) const {
  return m_io->write_to(procs.get(), join_path(m_path, "cgroup.procs"), std::to_string(pid));
}

std::vector<pid_t> parse_pid_list(std::string_view text) {
  std::vector<pid_t> pids;
  parse_pid_list_into(text, pids);
  return pids;
}

std::size_t count_zero_ids(std::string_view text) {
  std::vector<pid_t> ignored;
  return parse_pid_list_into(text, ignored);
}

Result<std::size_t> subtree_hidden_procs(const Cgroup& top) {
  auto subtree = open_subtree(top);
  if (!subtree) return subtree.error();
  std::size_t hidden = 0;
  for (std::size_t i = 0; i < subtree->size(); ++i) {
    auto text = (*subtree)[i].read("cgroup.procs");
    if (!text) {
      if (i > 0 && is_gone(text.error())) continue;
      return text.error();
    }
    hidden += count_zero_ids(*text);
  }
  return hidden;
}

bool is_gone(const Error& error) { return error.errnum == ENOENT || error.errnum == ENODEV; }

Result<std::vector<Cgroup>> open_subtree(const Cgroup& top) {
  std::vector<Cgroup> out;
  auto self = Cgroup::open(top.io(), top.path());
  if (!self) return self.error();
  out.push_back(std::move(*self));
  for (std::size_t i = 0; i < out.size(); ++i) {
    auto names = out[i].children();
    if (!names) {
      if (i > 0 && is_gone(names.error())) continue;
      return names.error();
    }
    for (const auto& name : *names) {
      auto child = out[i].child(name);
      if (!child) {
        if (is_gone(child.error())) continue;
        return child.error();
      }
      out.push_back(std::move(*child));
    }
  }
  return out;
}

Result<std::vector<pid_t>> subtree_procs(const std::vector<Cgroup>& subtree) {
  std::vector<pid_t> all;
  for (std::size_t i = 0; i < subtree.size(); ++i) {
    auto pids = subtree[i].procs();
    if (!pids) {
      if (i > 0 && is_gone(pids.error())) continue;
      return pids.error();
    }
    all.insert(all.end(), pids->begin(), pids->end());
  }
  return all;
}

Status remove_subtree(const Cgroup& top, Deadline deadline) {
  auto subtree = open_subtree(top);
  if (!subtree) return subtree.error();
  SysIo& io = top.io();
  // Deepest first: open_subtree lists parents before children.
  for (auto it = subtree->rbegin(); it != subtree->rend(); ++it) {
    Backoff backoff(std::chrono::milliseconds(1), std::chrono::milliseconds(20));
    for (;;) {
      auto removed = io.remove_dir(DirRef{AT_FDCWD, it->path()}, it->path());
      if (removed || is_gone(removed.error())) break;
      if (removed.error().errnum != EBUSY || deadline.expired(io)) return removed.error();
      // Nothing to wait on: rmdir's EBUSY after the last exit has no event.
      pollfd none{};
      (void)io.poll(std::span<pollfd>(&none, 0), deadline.remaining(io, backoff.next()));
    }
  }
  return {};
}

bool has_cgroup_kill(const Cgroup& job) { return job.has("cgroup.kill"); }
bool has_cgroup_signal(const Cgroup& job) {
  return !job.io().capabilities().cgroup_signal_ignored && job.has("cgroup.signal");
}

}  // namespace cgjob
