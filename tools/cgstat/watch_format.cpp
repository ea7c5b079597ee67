#include "tools/cgstat/watch_format.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace cgjob::cgstat {

std::string_view to_string(WatchLine::Event event) {
  switch (event) {
    case WatchLine::Event::initial: return "initial";
    case WatchLine::Event::added: return "added";
    case WatchLine::Event::changed: return "changed";
    case WatchLine::Event::removed: return "removed";
  }
  return "changed";
}

std::string format_time(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(when.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  long frac = static_cast<long>(ms % 1000);
  if (frac < 0) {
    frac += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03ldZ", frac);
  return buf;
}

std::string format_watch_line(const WatchLine& line, bool json, std::chrono::system_clock::time_point when) {
  if (json) {
    nlohmann::ordered_json j;
    j["time"] = format_time(when);
    j["event"] = std::string(to_string(line.event));
    j["name"] = line.name;
    j["state"] = std::string(to_string(line.state));
    j["populated"] = line.populated;
    j["nprocs"] = line.nprocs;
    return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }
  std::string out = format_time(when) + " " + line.name + " " + std::string(to_string(line.state)) +
                    " populated=" + (line.populated ? "1" : "0") + " nprocs=" + std::to_string(line.nprocs);
  if (line.event == WatchLine::Event::added || line.event == WatchLine::Event::removed) {
    out += ' ';  // appended: " " + std::string(...) trips GCC 12's -Wrestrict at -O3
    out += to_string(line.event);
  }
  return out + "\n";
}

}  // namespace cgjob::cgstat
