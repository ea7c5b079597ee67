#include "bench/harness/cgroup_state.h"

#include <sys/types.h>

#include <cerrno>
#include <string_view>
#include <vector>

#include "bench/harness/clock.h"
#include "bench/harness/fail.h"
#include "bench/harness/whole_file.h"
#include "lib/parse/freezer_words.h"
#include "lib/parse/id_list.h"
#include "lib/parse/keyed_file.h"

namespace cgbench {

namespace {

/// Whether `dir`'s cgroup.events has `key` with the value `want` (v2).
bool events_say(const std::string& dir, std::string_view key, long want) {
  auto text = read_file(dir + "/cgroup.events");
  if (!text) return false;
  auto value = cgjob::keyed_number(*text, key);
  return value && *value == want;
}

/// Whether `dir`'s freezer.state says `want` (v1).
bool v1_state_is(const std::string& dir, cgjob::FreezeState want) {
  auto text = read_file(dir + "/freezer.state");
  if (!text) return false;
  auto state = cgjob::parse_v1_state(*text);
  return state && *state == want;
}

}  // namespace

bool Hier::frozen(const std::string& dir) const {
  if (v == 2) return events_say(dir, "frozen", 1);
  return v1_state_is(dir, cgjob::FreezeState::frozen);
}

bool Hier::thawed(const std::string& dir) const {
  if (v == 2) {
    auto fr = read_file(dir + "/cgroup.freeze");
    return fr && !cgjob::parse_flag(*fr) && events_say(dir, "frozen", 0);
  }
  return v1_state_is(dir, cgjob::FreezeState::thawed);
}

bool Hier::empty(const std::string& dir) const {
  if (v == 2) return events_say(dir, "populated", 0);
  auto procs = read_file(dir + "/cgroup.procs");
  std::vector<pid_t> pids;
  return procs && cgjob::parse_pid_list_into(*procs, pids) == 0 && pids.empty();
}

bool Hier::set_frozen(const std::string& dir, bool on, double timeout_ms) const {
  std::string file = v == 2 ? dir + "/cgroup.freeze" : dir + "/freezer.state";
  std::string text = v == 2 ? (on ? "1" : "0") : (on ? "FROZEN" : "THAWED");
  if (int err = write_file(file, text); err != 0 && err != ENOENT)
    fail_sys(err, "write", file);
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
