// run's choice between CLONE_INTO_CGROUP and joining, made before any child
// of the job exists: Linux 6.13+ kills a CLONE_INTO_CGROUP child of a killed
// cgroup before its first instruction, which a retry afterwards cannot tell
// from a real cgroup.kill racing the start (it would start COMMAND after the
// kill). The probe itself needs a real clone; here it is played by a fake
// that models the kernel's comparison of kill sequence numbers.

#include <catch2/catch.hpp>

#include "lib/process/spawn.h"
#include "tests/support/fake_sys_io.h"

using namespace cgjob;
using namespace cgjob::testing;

namespace {

const std::string k_root = "/cg/unified/cgjobs";
const std::string k_scratch = "/cg/unified/cgjobs/.cgjob-probe-1000";

// The kernel's kill sequence number of a cgroup: how often its cgroup.kill
// was written.
int kill_seq(FakeSysIo& io, const std::string& cg) { return io.writes(cg + "/cgroup.kill"); }

struct Fixture {
  FakeSysIo io;
  std::vector<std::string> probed;  ///< the cgroup each probe child was born into
  Fixture() {
    io.add_v2_cgroup("/cg/unified");
    io.add_v2_cgroup(k_root);
    // mkdir of a v2 cgroup brings its control files, as the kernel's does.
    io.set_kernel_release("6.18.44");
  }
  // A probe on a kernel that compares the target's number with `ours`, the
  // number of our own cgroup (the 6.13+ quirk), or none (`fixed`).
  CloneIntoProbe probe(bool quirk, int ours = 0) {
    return [this, quirk, ours](const Cgroup& scratch) -> Result<bool> {
      probed.push_back(scratch.path());
      return quirk && kill_seq(io, scratch.path()) != ours;
    };
  }
};

}  // namespace

TEST_CASE("6.13+ kernel that kills CLONE_INTO_CGROUP children of killed cgroups: join", "[spawn]") {
  Fixture f;
  CHECK_FALSE(clone_into_trusted(f.io, k_root, f.probe(true)));
  CHECK(f.probed == std::vector<std::string>{k_scratch});
  // Only the scratch cgroup was killed, and it is gone again.
  for (const auto& w : f.io.write_log()) CHECK(w == k_scratch + "/cgroup.kill=1");
  CHECK_FALSE(f.io.exists(k_scratch));
}

TEST_CASE("the quirk is found even where our own cgroup was killed as often as the scratch", "[spawn]") {
  Fixture f;
  // Our cgroup's number is 1: the first probe (scratch at 1) lives, the
  // second (scratch at 2) is killed.
  CHECK_FALSE(clone_into_trusted(f.io, k_root, f.probe(true, 1)));
  CHECK(f.probed.size() == 2);
  CHECK_FALSE(f.io.exists(k_scratch));
}

TEST_CASE("a fixed kernel keeps CLONE_INTO_CGROUP", "[spawn]") {
  Fixture f;
  CHECK(clone_into_trusted(f.io, k_root, f.probe(false)));
  CHECK(f.probed.size() == 2);
  CHECK_FALSE(f.io.exists(k_scratch));
}

TEST_CASE("before 6.13 nothing is probed: only a kill in progress kills a new child", "[spawn]") {
  Fixture f;
  f.io.set_kernel_release("6.12.9");
  CHECK(clone_into_trusted(f.io, k_root, f.probe(true)));
  CHECK(f.probed.empty());
  CHECK(f.io.write_log().empty());
}

TEST_CASE("no scratch cgroup to probe in: the child joins", "[spawn]") {
  Fixture f;
  f.io.fail("mkdir", k_scratch, EACCES);
  CHECK_FALSE(clone_into_trusted(f.io, k_root, f.probe(false)));
  CHECK(f.probed.empty());
  CHECK_FALSE(clone_into_trusted(f.io, "", f.probe(false)));
}

TEST_CASE("a probe that fails counts as the quirk, and the scratch cgroup still goes", "[spawn]") {
  Fixture f;
  CloneIntoProbe failing = [](const Cgroup& scratch) -> Result<bool> {
    return sys_error(EAGAIN, "clone3", scratch.path());
  };
  CHECK_FALSE(clone_into_trusted(f.io, k_root, failing));
  CHECK_FALSE(f.io.exists(k_scratch));
}
