// cgstat --watch against the fake kernel and hand-fed events: which lines a
// change, a new job, a removed job or a process count gives, on v1 (polled)
// and v2 (events, plus the process-count poll), and the line formats.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <map>

#include "tests/support/fake_sys_io.h"
#include "tools/cgstat/watch.h"

using namespace cgjob;
using namespace cgjob::testing;
using namespace cgjob::cgstat;
using namespace std::chrono_literals;
using cli::ExitStatus;
using Event = WatchLine::Event;

namespace {

// Plays inotify: watches by path, events queued by the test.
class FakeEventWatch final : public EventWatch {
 public:
  int fd() const override { return -1; }
  Result<int> watch_file(const std::string& path) override { return add(path); }
  Result<int> watch_dir(const std::string& path) override { return add(path); }
  void unwatch(int wd) override {
    for (auto it = m_wds.begin(); it != m_wds.end(); ++it) {
      if (it->second == wd) {
        m_wds.erase(it);
        return;
      }
    }
  }
  Result<std::vector<WatchEvent>> read_events() override { return std::exchange(m_queue, {}); }

  bool watched(const std::string& path) const { return m_wds.count(path) > 0; }
  void modified(const std::string& path) { m_queue.push_back(WatchEvent{m_wds.at(path), WatchEvent::Kind::modified, {}}); }
  void created(const std::string& dir, const std::string& name) {
    m_queue.push_back(WatchEvent{m_wds.at(dir), WatchEvent::Kind::created, name});
  }
  void deleted(const std::string& dir, const std::string& name) {
    m_queue.push_back(WatchEvent{m_wds.at(dir), WatchEvent::Kind::deleted, name});
  }

  FakeSysIo* io = nullptr;

 private:
  Result<int> add(const std::string& path) {
    if (io && !io->exists(path)) return sys_error(ENOENT, "inotify_add_watch", path);
    auto [it, fresh] = m_wds.emplace(path, m_next);
    if (fresh) ++m_next;
    return it->second;
  }
  std::map<std::string, int> m_wds;
  std::vector<WatchEvent> m_queue;
  int m_next = 1;
};

struct Line {
  Event event;
  std::string name;
  FreezeState state;
  bool populated;
  std::size_t nprocs;
  bool operator==(const Line&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Line& l) {
  return os << to_string(l.event) << " " << l.name << " " << to_string(l.state) << " " << l.populated << " "
            << l.nprocs;
}

struct Fixture {
  FakeSysIo io;
  std::string mount, root;
  JobRoot job_root;
  cli::Reporter reporter{"cgstat"};
  FakeEventWatch events;
  std::vector<Line> lines;

  explicit Fixture(HierarchyKind kind)
      : mount(kind == HierarchyKind::v2 ? "/cg/unified" : "/cg/freezer"),
        root(mount + "/cgjobs"),
        job_root(io, Layout{kind, mount, root}) {
    reporter.set_quiet(true);
    events.io = &io;
    if (kind == HierarchyKind::v2) {
      io.add_v2_cgroup(mount);
      io.remove(mount + "/cgroup.freeze");
      io.add_v2_cgroup(root);
    } else {
      io.add_v1_cgroup(mount);
      io.add_v1_cgroup(root);
    }
  }
  Watcher watcher(bool with_events) {
    return Watcher(job_root, with_events ? &events : nullptr,
                   [this](const WatchLine& l) {
                     lines.push_back(Line{l.event, l.name, l.state, l.populated, l.nprocs});
                     return true;
                   },
                   reporter);
  }
  std::vector<JobName> names(std::vector<std::string> texts) {
    std::vector<JobName> out;
    for (const auto& t : texts) out.push_back(*job_root.parse(t));
    return out;
  }
  std::vector<Line> take() { return std::exchange(lines, {}); }
};

}  // namespace

TEST_CASE("watch v1: initial lines, then one line per polled change", "[stat][watch]") {
  Fixture f(HierarchyKind::v1);
  const std::string a = f.root + "/a", b = f.root + "/b";
  f.io.add_v1_cgroup(a);
  f.io.add_v1_cgroup(b);
  f.io.set_file(b + "/cgroup.procs", "7\n");
  auto w = f.watcher(false);
  REQUIRE(w.start({}, false) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::initial, "a", FreezeState::thawed, false, 0},
                                      {Event::initial, "b", FreezeState::thawed, true, 1}});

  // Nothing changes: nothing printed, however long.
  CHECK(w.run(Deadline::after(f.io, 1s), nullptr) == ExitStatus::ok);
  CHECK(f.lines.empty());

  f.io.set_file(a + "/freezer.state", "FREEZING\n");
  f.io.set_file(a + "/freezer.self_freezing", "1\n");
  CHECK(w.run(Deadline::after(f.io, 150ms), nullptr) == ExitStatus::ok);
  f.io.set_file(a + "/freezer.state", "FROZEN\n");
  f.io.add_v1_cgroup(a + "/sub");
  f.io.set_file(a + "/sub/cgroup.procs", "8\n");
  f.io.set_file(b + "/cgroup.procs", "7\n9\n");
  CHECK(w.run(Deadline::after(f.io, 150ms), nullptr) == ExitStatus::ok);
  f.io.remove(b);
  CHECK(w.run(Deadline::after(f.io, 150ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::changed, "a", FreezeState::freezing, false, 0},
                                      {Event::changed, "a", FreezeState::frozen, true, 0},
                                      {Event::added, "a/sub", FreezeState::thawed, true, 1},
                                      {Event::changed, "b", FreezeState::thawed, true, 2},
                                      {Event::removed, "b", FreezeState::thawed, false, 0}});
}

TEST_CASE("watch v1: polls about every 100 ms", "[stat][watch]") {
  Fixture f(HierarchyKind::v1);
  f.io.add_v1_cgroup(f.root + "/a");
  auto w = f.watcher(false);
  REQUIRE(w.start({}, false) == ExitStatus::ok);
  int before = f.io.reads(f.root + "/a/freezer.state");
  CHECK(w.run(Deadline::after(f.io, 1s), nullptr) == ExitStatus::ok);
  int polls = f.io.reads(f.root + "/a/freezer.state") - before;
  CHECK(polls >= 9);
  CHECK(polls <= 11);
}

TEST_CASE("watch: a missing JOB is 3; none found ends the watch at once", "[stat][watch]") {
  Fixture f(HierarchyKind::v2);
  f.io.add_v2_cgroup(f.root + "/a");
  {
    auto w = f.watcher(true);
    CHECK(w.start(f.names({"nosuch"}), false) == ExitStatus::no_such_job);
    CHECK_FALSE(w.watching_anything());
  }
  auto w = f.watcher(true);
  CHECK(w.start(f.names({"a", "nosuch"}), false) == ExitStatus::no_such_job);
  CHECK(w.watching_anything());
  CHECK(f.take() == std::vector<Line>{{Event::initial, "a", FreezeState::thawed, false, 0}});
  // The missing one is reported once it appears.
  f.io.add_v2_cgroup(f.root + "/nosuch");
  CHECK(w.run(Deadline::after(f.io, 300ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::added, "nosuch", FreezeState::thawed, false, 0}});
}

TEST_CASE("watch v2: cgroup.events and cgroup.freeze events are followed by a re-read", "[stat][watch]") {
  Fixture f(HierarchyKind::v2);
  const std::string a = f.root + "/a", b = a + "/b";
  f.io.add_v2_cgroup(a);
  f.io.add_v2_cgroup(b);
  f.io.set_file(b + "/cgroup.procs", "5\n");
  f.io.set_file(b + "/cgroup.events", "populated 1\nfrozen 0\n");
  f.io.set_file(a + "/cgroup.events", "populated 1\nfrozen 0\n");
  auto w = f.watcher(true);
  REQUIRE(w.start(f.names({"a"}), true) == ExitStatus::ok);
  CHECK(f.take().size() == 2);
  CHECK(f.events.watched(a + "/cgroup.events"));
  CHECK(f.events.watched(a + "/cgroup.freeze"));
  CHECK(f.events.watched(b + "/cgroup.events"));
  CHECK(f.events.watched(a));

  // a asks; b cannot freeze yet: only a's cgroup.freeze notifies, yet b is
  // FREEZING too.
  f.io.set_file(a + "/cgroup.freeze", "1\n");
  f.events.modified(a + "/cgroup.freeze");
  CHECK(w.run(Deadline::after(f.io, 5ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::changed, "a", FreezeState::freezing, true, 0},
                                      {Event::changed, "a/b", FreezeState::freezing, true, 1}});

  f.io.set_file(a + "/cgroup.events", "populated 1\nfrozen 1\n");
  f.io.set_file(b + "/cgroup.events", "populated 1\nfrozen 1\n");
  f.events.modified(b + "/cgroup.events");
  f.events.modified(a + "/cgroup.events");
  CHECK(w.run(Deadline::after(f.io, 5ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::changed, "a", FreezeState::frozen, true, 0},
                                      {Event::changed, "a/b", FreezeState::frozen, true, 1}});

  // An event that changes nothing prints nothing.
  f.events.modified(a + "/cgroup.events");
  CHECK(w.run(Deadline::after(f.io, 5ms), nullptr) == ExitStatus::ok);
  CHECK(f.lines.empty());
}

TEST_CASE("watch v2: a change the rate limit hid is caught by the re-read shortly after", "[stat][watch]") {
  Fixture f(HierarchyKind::v2);
  const std::string a = f.root + "/a";
  f.io.add_v2_cgroup(a);
  auto w = f.watcher(true);
  REQUIRE(w.start({}, false) == ExitStatus::ok);
  f.take();
  f.io.set_file(a + "/cgroup.freeze", "1\n");
  f.events.modified(a + "/cgroup.freeze");
  // The job freezes right after our read; its notification never comes.
  int reads = 0;
  f.io.on_read(a + "/cgroup.events", [&](FakeSysIo& io) {
    if (++reads == 2) io.set_file(a + "/cgroup.events", "populated 0\nfrozen 1\n");
  });
  CHECK(w.run(Deadline::after(f.io, 5ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::changed, "a", FreezeState::freezing, false, 0}});
  CHECK(w.run(Deadline::after(f.io, 50ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::changed, "a", FreezeState::frozen, false, 0}});
}

TEST_CASE("watch v2: sub-jobs made and removed", "[stat][watch]") {
  Fixture f(HierarchyKind::v2);
  auto w = f.watcher(true);
  REQUIRE(w.start({}, false) == ExitStatus::ok);
  CHECK(f.lines.empty());
  CHECK(f.events.watched(f.root));

  f.io.add_v2_cgroup(f.root + "/n");
  f.io.add_v2_cgroup(f.root + "/n/m");
  f.events.created(f.root, "n");
  CHECK(w.run(Deadline::after(f.io, 5ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::added, "n", FreezeState::thawed, false, 0},
                                      {Event::added, "n/m", FreezeState::thawed, false, 0}});
  CHECK(f.events.watched(f.root + "/n/m"));

  // Made between our listing and our watch: found by the second look.
  f.io.add_v2_cgroup(f.root + "/n/late");
  CHECK(w.run(Deadline::after(f.io, 50ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::added, "n/late", FreezeState::thawed, false, 0}});

  f.io.remove(f.root + "/n/m");
  f.events.deleted(f.root + "/n", "m");
  CHECK(w.run(Deadline::after(f.io, 5ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::removed, "n/m", FreezeState::thawed, false, 0}});
  CHECK_FALSE(f.events.watched(f.root + "/n/m"));
}

TEST_CASE("watch v2: a job or job root removed and made again, with no event for it", "[stat][watch]") {
  // cgroupfs sends no IN_DELETE_SELF/IN_IGNORED for a removed cgroup: only
  // the parent directory's IN_DELETE, and nobody watches a top's parent.
  Fixture f(HierarchyKind::v2);
  f.io.add_v2_cgroup(f.root + "/a");
  SECTION("a named JOB") {
    auto w = f.watcher(true);
    REQUIRE(w.start(f.names({"a"}), false) == ExitStatus::ok);
    f.take();
    f.io.remove(f.root + "/a");
    CHECK(w.run(Deadline::after(f.io, 300ms), nullptr) == ExitStatus::ok);
    CHECK(f.take() == std::vector<Line>{{Event::removed, "a", FreezeState::thawed, false, 0}});
    f.io.add_v2_cgroup(f.root + "/a");
    CHECK(w.run(Deadline::after(f.io, 300ms), nullptr) == ExitStatus::ok);
    CHECK(f.take() == std::vector<Line>{{Event::added, "a", FreezeState::thawed, false, 0}});
  }
  SECTION("the job root") {
    auto w = f.watcher(true);
    REQUIRE(w.start({}, false) == ExitStatus::ok);
    f.take();
    f.io.remove(f.root + "/a");
    f.events.deleted(f.root, "a");
    f.io.remove(f.root);
    CHECK(w.run(Deadline::after(f.io, 300ms), nullptr) == ExitStatus::ok);
    CHECK(f.take() == std::vector<Line>{{Event::removed, "a", FreezeState::thawed, false, 0}});
    CHECK_FALSE(f.events.watched(f.root));
    f.io.add_v2_cgroup(f.root);
    f.io.add_v2_cgroup(f.root + "/b");
    CHECK(w.run(Deadline::after(f.io, 300ms), nullptr) == ExitStatus::ok);
    CHECK(f.take() == std::vector<Line>{{Event::added, "b", FreezeState::thawed, false, 0}});
    CHECK(f.events.watched(f.root));
  }
}

TEST_CASE("watch v2: process counts without an event are polled", "[stat][watch]") {
  Fixture f(HierarchyKind::v2);
  const std::string a = f.root + "/a";
  f.io.add_v2_cgroup(a);
  f.io.set_file(a + "/cgroup.procs", "5\n");
  f.io.set_file(a + "/cgroup.events", "populated 1\nfrozen 0\n");
  auto w = f.watcher(true);
  REQUIRE(w.start({}, false) == ExitStatus::ok);
  f.take();
  f.io.set_file(a + "/cgroup.procs", "5\n6\n");
  CHECK(w.run(Deadline::after(f.io, 100ms), nullptr) == ExitStatus::ok);
  CHECK(f.lines.empty());  // not yet: the poll is every 250 ms
  CHECK(w.run(Deadline::after(f.io, 200ms), nullptr) == ExitStatus::ok);
  CHECK(f.take() == std::vector<Line>{{Event::changed, "a", FreezeState::thawed, true, 2}});
  // Between polls it reads nothing but cgroup.procs.
  int events_reads = f.io.reads(a + "/cgroup.events");
  CHECK(w.run(Deadline::after(f.io, 2s), nullptr) == ExitStatus::ok);
  CHECK(f.io.reads(a + "/cgroup.events") == events_reads);
}

TEST_CASE("watch: a line that cannot be written ends the watch with 1", "[stat][watch]") {
  Fixture f(HierarchyKind::v1);
  f.io.add_v1_cgroup(f.root + "/a");
  Watcher w(f.job_root, nullptr, [](const WatchLine&) { return false; }, f.reporter);
  w.start({}, false);
  CHECK(w.run(Deadline::after(f.io, 1s), nullptr) == ExitStatus::failed);
}

TEST_CASE("watch lines: text and one JSON object with time, name, state, populated, nprocs", "[stat][watch]") {
  auto when = std::chrono::system_clock::time_point(std::chrono::milliseconds(1764000000123));
  CHECK(format_time(when) == "2025-11-24T16:00:00.123Z");
  WatchLine line{Event::changed, "batch/42", FreezeState::frozen, true, 3};
  CHECK(format_watch_line(line, false, when) == "2025-11-24T16:00:00.123Z batch/42 FROZEN populated=1 nprocs=3\n");
  line.event = Event::added;
  CHECK(format_watch_line(line, false, when) ==
        "2025-11-24T16:00:00.123Z batch/42 FROZEN populated=1 nprocs=3 added\n");

  auto text = format_watch_line(line, true, when);
  REQUIRE(text.back() == '\n');
  CHECK(text.find('\n') == text.size() - 1);  // one line
  auto j = nlohmann::json::parse(text);
  CHECK(j["time"] == "2025-11-24T16:00:00.123Z");
  CHECK(j["event"] == "added");
  CHECK(j["name"] == "batch/42");
  CHECK(j["state"] == "FROZEN");
  CHECK(j["populated"] == true);
  CHECK(j["nprocs"].is_number_integer());
  CHECK(j["nprocs"] == 3);
}
