#include "lib/parse/id_list.h"

#include <charconv>

namespace cgjob {

std::size_t parse_pid_list_into(std::string_view text, std::vector<pid_t>& pids) {
  pids.clear();
  std::size_t zeros = 0;
  const char* p = text.data();
  const char* end = p + text.size();
  while (p < end) {
    pid_t pid = 0;
    auto [next, ec] = std::from_chars(p, end, pid);
    if (ec == std::errc() && pid > 0) pids.push_back(pid);
    if (ec == std::errc() && pid == 0) ++zeros;
    p = next;
    while (p < end && (*p < '0' || *p > '9')) ++p;
  }
  return zeros;
}

}  // namespace cgjob
