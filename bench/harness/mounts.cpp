#include "bench/harness/mounts.h"

#include <string_view>

#include "bench/harness/text_format.h"
#include "bench/harness/whole_file.h"

namespace cgbench {

namespace {

/// mountinfo escapes blanks as \040 and friends.
std::string unescape_octal(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t k = 1; k <= 3; ++k) {
        if (s[i + k] < '0' || s[i + k] > '7') {
          ok = false;
          break;
        }
        v = v * 8 + (s[i + k] - '0');
      }
      if (ok) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::string find_mount(int hier) {
  auto text = read_file("/proc/self/mountinfo");
  if (!text) return "";
  for (const auto& line : split(*text, '\n')) {
    auto dash = line.find(" - ");
    if (dash == std::string::npos) continue;
    auto pre = split(line.substr(0, dash), ' ');
    auto post = split(line.substr(dash + 3), ' ');
    if (pre.size() < 5 || post.size() < 3) continue;
    if (pre[3] != "/") continue;
    const std::string& fstype = post[0];
    if (hier == 2 && fstype == "cgroup2") return unescape_octal(pre[4]);
    if ((hier == 1 || hier == k_cpu_hier) && fstype == "cgroup") {
      for (const auto& opt : split(post[2], ','))
        if (opt == (hier == 1 ? "freezer" : "cpu")) return unescape_octal(pre[4]);
    }
  }
  return "";
}

}  // namespace cgbench
