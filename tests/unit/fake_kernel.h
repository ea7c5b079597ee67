#pragma once
// Small kernel behaviours played on FakeSysIo, shared by the unit tests.

#include <string>
#include <vector>

#include "tests/support/fake_sys_io.h"

namespace cgjob::testing {

/// v1 freezer.state: a write of FROZEN sets self_freezing and moves the
/// state to `after_freeze` (FROZEN, or FREEZING for a stuck job); THAWED
/// clears both.
inline void play_v1_freezer(FakeSysIo& io, const std::string& cg, std::string after_freeze = "FROZEN") {
  io.on_write(cg + "/freezer.state", [cg, after_freeze](FakeSysIo& fake, const std::string& data) {
    bool freeze = data == "FROZEN";
    fake.set_file(cg + "/freezer.state", (freeze ? after_freeze : std::string("THAWED")) + "\n");
    fake.set_file(cg + "/freezer.self_freezing", freeze ? "1\n" : "0\n");
  });
}

/// v2 cgroup.freeze: "1" makes cgroup.events say frozen 1 (unless `stuck`),
/// "0" frozen 0; the same for each cgroup in `below` (its sub-cgroups, which
/// the kernel freezes with it).
inline void play_v2_freezer(FakeSysIo& io, const std::string& cg, bool stuck = false,
                            std::vector<std::string> below = {}) {
  io.on_write(cg + "/cgroup.freeze", [cg, stuck, below](FakeSysIo& fake, const std::string& data) {
    bool frozen = data == "1" && !stuck;
    auto set_events = [&](const std::string& c) {
      std::string populated = fake.file(c + "/cgroup.procs").empty() ? "0" : "1";
      fake.set_file(c + "/cgroup.events", "populated " + populated + "\nfrozen " + (frozen ? "1" : "0") + "\n");
    };
    for (const auto& c : below) set_events(c);
    set_events(cg);
  });
}

}  // namespace cgjob::testing
