#include "lib/parse/mountinfo.h"

#include "lib/base/text.h"

namespace cgjob {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto oct = s.substr(i + 1, 3);
      bool ok = oct.find_first_not_of("01234567") == std::string_view::npos;
      if (ok) {
        out += static_cast<char>((oct[0] - '0') * 64 + (oct[1] - '0') * 8 + (oct[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

/// The cgroup2 mounts (when `with_v2`) and the v1 mounts that carry
/// `v1_controller`, in the order of `text`.
std::vector<CgroupMount> cgroup_mounts(std::string_view text, bool with_v2, std::string_view v1_controller) {
  std::vector<CgroupMount> mounts;
  for (auto line : lines(text)) {
    auto fields = split_spaces(line);
    // id parent maj:min root mountpoint options [optional...] - fstype source superopts
    std::size_t sep = 0;
    for (std::size_t i = 6; i < fields.size(); ++i) {
      if (fields[i] == "-") {
        sep = i;
        break;
      }
    }
    if (sep == 0 || sep + 3 > fields.size()) continue;
    auto fstype = fields[sep + 1];
    auto superopts = sep + 3 < fields.size() ? fields[sep + 3] : std::string_view();
    if (fstype == "cgroup2" && with_v2) {
      mounts.push_back({HierarchyKind::v2, unescape(fields[4]), unescape(fields[3])});
    } else if (fstype == "cgroup" && list_contains(superopts, v1_controller)) {
      mounts.push_back({HierarchyKind::v1, unescape(fields[4]), unescape(fields[3])});
    }
  }
  return mounts;
}

}  // namespace

std::vector<CgroupMount> parse_mountinfo(std::string_view text) { return cgroup_mounts(text, true, "freezer"); }

std::vector<CgroupMount> parse_v1_mounts_with(std::string_view text, std::string_view controller) {
  return cgroup_mounts(text, false, controller);
}

}  // namespace cgjob
