#include "kernel/event_watch.h"

#include <sys/inotify.h>
#include <sys/signalfd.h>

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

Result<InterruptSignals> InterruptSignals::block(std::span<const int> signals) {
  InterruptSignals s;
  sigset_t set;
  sigemptyset(&set);
  for (int sig : signals) sigaddset(&set, sig);
  if (::sigprocmask(SIG_BLOCK, &set, &s.m_old_mask) < 0) return sys_error(errno, "sigprocmask");
  s.m_active = true;
  int fd = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0) return sys_error(errno, "signalfd");
  s.m_fd.reset(fd);
  return s;
}

InterruptSignals::InterruptSignals(InterruptSignals&& other) noexcept
    : m_fd(std::move(other.m_fd)), m_old_mask(other.m_old_mask), m_active(other.m_active) {
  other.m_active = false;
}

InterruptSignals::~InterruptSignals() {
  m_fd.reset();
  if (m_active) ::sigprocmask(SIG_SETMASK, &m_old_mask, nullptr);
}

int InterruptSignals::take() {
  signalfd_siginfo info{};
  if (!m_fd.valid()) return 0;
  for (;;) {
    ssize_t n = ::read(m_fd.get(), &info, sizeof info);
    if (n == static_cast<ssize_t>(sizeof info)) return static_cast<int>(info.ssi_signo);
    if (n < 0 && errno == EINTR) continue;
    return 0;
  }
}

}  // namespace cgjob
