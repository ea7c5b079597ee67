#include "bench/harness/cgroup_state.h"

#include <cerrno>

#include "bench/harness/clock.h"
#include "bench/harness/fail.h"
#include "bench/harness/text_format.h"
#include "bench/harness/whole_file.h"

namespace cgbench {

bool Hier::frozen(const std::string& dir) const {
  if (v == 2) {
    auto ev = read_file(dir + "/cgroup.events");
    return ev && key_value(*ev, "frozen") == 1;
  }
  auto st = read_file(dir + "/freezer.state");
  return st && trim(*st) == "FROZEN";
}

bool Hier::thawed(const std::string& dir) const {
  if (v == 2) {
    auto fr = read_file(dir + "/cgroup.freeze");
    auto ev = read_file(dir + "/cgroup.events");
    return fr && ev && trim(*fr) == "0" && key_value(*ev, "frozen") == 0;
  }
  auto st = read_file(dir + "/freezer.state");
  return st && trim(*st) == "THAWED";
}

bool Hier::empty(const std::string& dir) const {
  if (v == 2) {
    auto ev = read_file(dir + "/cgroup.events");
    return ev && key_value(*ev, "populated") == 0;
  }
  auto procs = read_file(dir + "/cgroup.procs");
  return procs && trim(*procs).empty();
}

bool Hier::set_frozen(const std::string& dir, bool on, double timeout_ms) const {
  std::string file = v == 2 ? dir + "/cgroup.freeze" : dir + "/freezer.state";
  std::string text = v == 2 ? (on ? "1" : "0") : (on ? "FROZEN" : "THAWED");
  if (int err = write_file(file, text); err != 0 && err != ENOENT)
    fail("write " + file + ": " + errno_text(err));
  double deadline = mono_ms() + timeout_ms;
  double rewrite = mono_ms() + 100;
  while (!(on ? frozen(dir) : thawed(dir))) {
    if (mono_ms() > deadline) return false;
    if (mono_ms() > rewrite) {  // v1 FREEZING: ask again, as runc does
      (void)write_file(file, text);
      rewrite = mono_ms() + 100;
    }
    sleep_ms(1);
  }
  return true;
}

bool Hier::wait_empty(const std::string& dir, double timeout_ms) const {
  double deadline = mono_ms() + timeout_ms;
  while (!empty(dir)) {
    if (mono_ms() > deadline) return false;
    sleep_ms(1);
  }
  return true;
}

}  // namespace cgbench
