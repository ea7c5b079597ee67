#include "lib/io/event_watch.h"

#include <sys/inotify.h>

#include <cerrno>
#include <cstring>

namespace cgjob {
namespace {

class InotifyWatch final : public EventWatch {
 public:
  explicit InotifyWatch(UniqueFd fd) : m_fd(std::move(fd)) {}

  int fd() const override { return m_fd.get(); }

  Result<int> watch_file(const std::string& path) override { return add(path, IN_MODIFY); }

  Result<int> watch_dir(const std::string& path) override {
    // IN_DELETE_SELF is followed by IN_IGNORED, which is what we report.
    return add(path, IN_CREATE | IN_DELETE | IN_ONLYDIR);
  }

  void unwatch(int wd) override { (void)::inotify_rm_watch(m_fd.get(), wd); }

  Result<std::vector<WatchEvent>> read_events() override {
    std::vector<WatchEvent> out;
    alignas(inotify_event) char buf[16384];
    for (;;) {
      ssize_t n = ::read(m_fd.get(), buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) return out;
        return sys_error(errno, "read", "inotify");
      }
      if (n == 0) return out;
      for (ssize_t off = 0; off < n;) {
        const auto* ev = reinterpret_cast<const inotify_event*>(buf + off);
        off += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
        WatchEvent e;
        e.wd = ev->wd;
        if (ev->mask & IN_Q_OVERFLOW) {
          e.kind = WatchEvent::Kind::overflow;
        } else if (ev->mask & IN_IGNORED) {
          e.kind = WatchEvent::Kind::gone;
        } else if (ev->mask & IN_CREATE) {
          if (!(ev->mask & IN_ISDIR)) continue;
          e.kind = WatchEvent::Kind::created;
        } else if (ev->mask & IN_DELETE) {
          if (!(ev->mask & IN_ISDIR)) continue;
          e.kind = WatchEvent::Kind::deleted;
        } else if (ev->mask & IN_MODIFY) {
          e.kind = WatchEvent::Kind::modified;
        } else {
          continue;
        }
        if (ev->len > 0) e.name = ev->name;  // NUL-padded
        out.push_back(std::move(e));
      }
    }
  }

 private:
  Result<int> add(const std::string& path, std::uint32_t mask) {
    int wd = ::inotify_add_watch(m_fd.get(), path.c_str(), mask);
    if (wd < 0) return sys_error(errno, "inotify_add_watch", path);
    return wd;
  }

  UniqueFd m_fd;
};

}  // namespace

Result<std::unique_ptr<EventWatch>> open_inotify_watch() {
  int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return sys_error(errno, "inotify_init1");
  return std::unique_ptr<EventWatch>(std::make_unique<InotifyWatch>(UniqueFd(fd)));
}

}  // namespace cgjob
