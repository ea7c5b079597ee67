// lib/io/signal_fd.h: the one helper that blocks signals and reads them from
// an fd (no root, no cgroups: signals to ourselves).

#include <catch2/catch.hpp>
#include <signal.h>
#include <unistd.h>

#include "lib/io/signal_fd.h"

using namespace cgjob;

namespace {

// Restores a signal's disposition when the test ends.
struct Disposition {
  int sig;
  struct sigaction old {};
  Disposition(int s, void (*handler)(int)) : sig(s) {
    struct sigaction act {};
    act.sa_handler = handler;
    sigemptyset(&act.sa_mask);
    ::sigaction(sig, &act, &old);
  }
  ~Disposition() { ::sigaction(sig, &old, nullptr); }
};

bool blocked(int sig) {
  sigset_t now;
  ::sigprocmask(SIG_BLOCK, nullptr, &now);
  return sigismember(&now, sig) == 1;
}

}  // namespace

TEST_CASE("a blocked signal comes through the fd; the mask returns afterwards", "[signal_fd]") {
  REQUIRE_FALSE(blocked(SIGUSR1));
  {
    const int sigs[] = {SIGUSR1};
    auto s = SignalFd::block(sigs);
    REQUIRE(s);
    CHECK(blocked(SIGUSR1));
    CHECK_FALSE(sigismember(&s->old_mask(), SIGUSR1) == 1);
    CHECK(s->take() == 0);
    REQUIRE(::kill(::getpid(), SIGUSR1) == 0);  // would end the test if delivered
    auto info = s->take_info();
    REQUIRE(info);
    CHECK(info->ssi_signo == SIGUSR1);
    CHECK(info->ssi_code == SI_USER);
    CHECK(s->take() == 0);
  }
  CHECK_FALSE(blocked(SIGUSR1));
}

TEST_CASE("a signal the caller ignores stays ignored: not blocked, never read", "[signal_fd]") {
  Disposition ignored(SIGUSR2, SIG_IGN);
  const int sigs[] = {SIGUSR1, SIGUSR2};
  auto s = SignalFd::block(sigs);
  REQUIRE(s);
  CHECK(blocked(SIGUSR1));
  CHECK_FALSE(blocked(SIGUSR2));
  REQUIRE(::kill(::getpid(), SIGUSR2) == 0);
  CHECK(s->take() == 0);
}

TEST_CASE("a moved-from SignalFd restores nothing; the one it moved to does", "[signal_fd]") {
  const int sigs[] = {SIGUSR1};
  auto s = SignalFd::block(sigs);
  REQUIRE(s);
  {
    SignalFd moved(std::move(*s));
    CHECK(blocked(SIGUSR1));
  }
  CHECK_FALSE(blocked(SIGUSR1));
}
