#include "lib/checkpoint/checkpoint_manifest.h"

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <variant>

#include "lib/cgroup/job_name.h"

namespace cgjob {
namespace {

// Why not nlohmann::json, which the tools use: it refuses strings that are
// not UTF-8, and cgroup names (job and sub-job paths) are the kernel's bytes.
// This parser keeps raw bytes as they are, as json_quote writes them.
// A JSON value, just enough for the manifest: objects, arrays, strings,
// integers, booleans, null. Numbers with a fraction or an exponent, and
// integers beyond `long`, are refused (the manifest has none).
struct Value;
using Object = std::map<std::string, Value, std::less<>>;
using Array = std::vector<Value>;
struct Value {
  std::variant<std::nullptr_t, bool, long, std::string, std::shared_ptr<Array>, std::shared_ptr<Object>> v;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : m_text(text) {}

  Result<Value> document() {
    auto value = parse_value(0);
    if (!value) return value;
    skip_space();
    if (m_pos != m_text.size()) return fail("text after the JSON document");
    return value;
  }

 private:
  static constexpr int k_max_depth = 16;

  Error fail(const std::string& what) const {
    return input_error("not a valid manifest: " + what + " at byte " + std::to_string(m_pos));
  }
  void skip_space() {
    while (m_pos < m_text.size() && (m_text[m_pos] == ' ' || m_text[m_pos] == '\n' || m_text[m_pos] == '\t' ||
                                     m_text[m_pos] == '\r')) {
      ++m_pos;
    }
  }
  bool take(std::string_view word) {
    if (m_text.substr(m_pos, word.size()) != word) return false;
    m_pos += word.size();
    return true;
  }

  Result<Value> parse_value(int depth) {
    if (depth > k_max_depth) return fail("nesting too deep");
    skip_space();
    if (m_pos >= m_text.size()) return fail("unexpected end");
    char c = m_text[m_pos];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') {
      auto s = parse_string();
      if (!s) return s.error();
      return Value{std::move(*s)};
    }
    if (take("true")) return Value{true};
    if (take("false")) return Value{false};
    if (take("null")) return Value{nullptr};
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    return fail("unexpected character");
  }

  Result<Value> parse_number() {
    std::size_t start = m_pos;
    if (m_text[m_pos] == '-') ++m_pos;
    std::size_t digits = m_pos;
    while (m_pos < m_text.size() && m_text[m_pos] >= '0' && m_text[m_pos] <= '9') ++m_pos;
    if (m_pos == digits || m_pos - digits > 18) return fail("bad number");
    if (m_text[digits] == '0' && m_pos - digits > 1) return fail("bad number");
    if (m_pos < m_text.size() && (m_text[m_pos] == '.' || m_text[m_pos] == 'e' || m_text[m_pos] == 'E')) {
      return fail("not an integer");
    }
    return Value{std::stol(std::string(m_text.substr(start, m_pos - start)))};
  }

  Result<std::string> parse_string() {
    ++m_pos;  // '"'
    std::string out;
    while (m_pos < m_text.size()) {
      char c = m_text[m_pos++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (m_pos >= m_text.size()) break;
      char e = m_text[m_pos++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (m_pos + 4 > m_text.size()) return fail("bad \\u escape");
          unsigned code = 0;
          for (int i = 0; i < 4; ++i) {
            char h = m_text[m_pos++];
            code <<= 4;
            if (h >= '0' && h <= '9') code |= static_cast<unsigned>(h - '0');
            else if (h >= 'a' && h <= 'f') code |= static_cast<unsigned>(h - 'a' + 10);
            else if (h >= 'A' && h <= 'F') code |= static_cast<unsigned>(h - 'A' + 10);
            else return fail("bad \\u escape");
          }
          // The manifest escapes only control characters; others as UTF-8.
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
          }
          break;
        }
        default: return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }

  Result<Value> parse_array(int depth) {
    ++m_pos;
    auto array = std::make_shared<Array>();
    skip_space();
    if (take("]")) return Value{array};
    for (;;) {
      auto item = parse_value(depth + 1);
      if (!item) return item;
      array->push_back(std::move(*item));
      skip_space();
      if (take("]")) return Value{array};
      if (!take(",")) return fail("expected ',' or ']'");
    }
  }

  Result<Value> parse_object(int depth) {
    ++m_pos;
    auto object = std::make_shared<Object>();
    skip_space();
    if (take("}")) return Value{object};
    for (;;) {
      skip_space();
      if (m_pos >= m_text.size() || m_text[m_pos] != '"') return fail("expected a key");
      auto key = parse_string();
      if (!key) return key.error();
      skip_space();
      if (!take(":")) return fail("expected ':'");
      auto item = parse_value(depth + 1);
      if (!item) return item;
      if (!object->emplace(std::move(*key), std::move(*item)).second) return fail("a key twice");
      skip_space();
      if (take("}")) return Value{object};
      if (!take(",")) return fail("expected ',' or '}'");
    }
  }

  std::string_view m_text;
  std::size_t m_pos = 0;
};

Error bad(const std::string& what) { return input_error("not a valid manifest: " + what); }

template <class T>
Result<const T*> field(const Object& object, std::string_view key, std::string_view type, std::string_view where) {
  auto it = object.find(key);
  if (it == object.end()) return bad(std::string(where) + "key \"" + std::string(key) + "\" is missing");
  const T* value = std::get_if<T>(&it->second.v);
  if (value == nullptr) return bad(std::string(where) + "\"" + std::string(key) + "\" is not " + std::string(type));
  return value;
}

Result<std::string> string_field(const Object& o, std::string_view key, std::string_view where = {}) {
  auto s = field<std::string>(o, key, "a string", where);
  if (!s) return s.error();
  return **s;
}

Result<pid_t> pid_of(long n, std::string_view where) {
  if (n <= 0 || n > 4194304) return bad(std::string(where) + "PID " + std::to_string(n) + " out of range");
  return static_cast<pid_t>(n);
}

}  // namespace

std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string render_manifest(const Manifest& m) {
  std::string out = "{\n";
  out += "  \"format\": " + json_quote(k_manifest_format) + ",\n";
  out += "  \"version\": " + std::to_string(k_manifest_version) + ",\n";
  out += "  \"name\": " + json_quote(m.name) + ",\n";
  out += "  \"hierarchy\": " + json_quote(m.hierarchy) + ",\n";
  out += "  \"path\": " + json_quote(m.path) + ",\n";
  out += "  \"state\": " + json_quote(m.state) + ",\n";
  out += "  \"root_pid\": " + std::to_string(m.root_pid) + ",\n";
  out += "  \"kernel\": " + json_quote(m.kernel) + ",\n";
  out += "  \"criu_version\": " + json_quote(m.criu_version) + ",\n";
  out += "  \"jobs\": [";
  for (std::size_t i = 0; i < m.jobs.size(); ++i) {
    const auto& j = m.jobs[i];
    out += i == 0 ? "\n" : ",\n";
    out += "    { \"relative\": " + json_quote(j.relative) +
           ", \"self_freezing\": " + (j.self_freezing ? "true" : "false") + ", \"pids\": [";
    for (std::size_t k = 0; k < j.pids.size(); ++k) {
      if (k > 0) out += ", ";
      out += std::to_string(j.pids[k]);
    }
    out += "] }";
  }
  out += "\n  ]\n}\n";
  return out;
}

Result<Manifest> parse_manifest(std::string_view text) {
  auto doc = Parser(text).document();
  if (!doc) return doc.error();
  const auto* top = std::get_if<std::shared_ptr<Object>>(&doc->v);
  if (top == nullptr) return bad("not a JSON object");
  const Object& o = **top;
  auto format = string_field(o, "format");
  if (!format) return format.error();
  if (*format != k_manifest_format) return bad("format \"" + *format + "\" is not " + std::string(k_manifest_format));
  auto version = field<long>(o, "version", "an integer", "");
  if (!version) return version.error();
  if (**version != k_manifest_version) {
    return input_error("manifest version " + std::to_string(**version) + " is not the one this cgfreeze reads (" +
                       std::to_string(k_manifest_version) + ")");
  }
  Manifest m;
  for (auto [key, out] : {std::pair<std::string_view, std::string*>{"name", &m.name},
                          {"hierarchy", &m.hierarchy}, {"path", &m.path}, {"state", &m.state},
                          {"kernel", &m.kernel}, {"criu_version", &m.criu_version}}) {
    auto s = string_field(o, key);
    if (!s) return s.error();
    *out = std::move(*s);
  }
  if (m.hierarchy != "v1" && m.hierarchy != "v2") return bad("hierarchy \"" + m.hierarchy + "\" is not v1 or v2");
  if (m.state != "FROZEN" && m.state != "THAWED") return bad("state \"" + m.state + "\" is not FROZEN or THAWED");
  auto root = field<long>(o, "root_pid", "an integer", "");
  if (!root) return root.error();
  auto root_pid = pid_of(**root, "root_pid: ");
  if (!root_pid) return root_pid.error();
  m.root_pid = *root_pid;
  auto jobs = field<std::shared_ptr<Array>>(o, "jobs", "an array", "");
  if (!jobs) return jobs.error();
  std::set<pid_t> seen;
  std::set<std::string> paths;
  for (const Value& item : ***jobs) {
    const auto* jo = std::get_if<std::shared_ptr<Object>>(&item.v);
    if (jo == nullptr) return bad("jobs[]: not an object");
    ManifestJob job;
    auto relative = string_field(**jo, "relative", "jobs[]: ");
    if (!relative) return relative.error();
    job.relative = std::move(*relative);
    if (m.jobs.empty() != job.relative.empty()) return bad("jobs[]: the job itself must come first, once");
    if (!job.relative.empty() && !is_job_path(job.relative)) {
      return bad("jobs[]: \"" + job.relative + "\" is not a sub-job path");
    }
    if (!paths.insert(job.relative).second) return bad("jobs[]: \"" + job.relative + "\" twice");
    if (auto slash = job.relative.rfind('/'); slash != std::string::npos && !paths.count(job.relative.substr(0, slash))) {
      return bad("jobs[]: \"" + job.relative + "\" comes before its parent");
    }
    auto self = field<bool>(**jo, "self_freezing", "a boolean", "jobs[]: ");
    if (!self) return self.error();
    job.self_freezing = **self;
    auto pids = field<std::shared_ptr<Array>>(**jo, "pids", "an array", "jobs[]: ");
    if (!pids) return pids.error();
    for (const Value& p : ***pids) {
      const long* n = std::get_if<long>(&p.v);
      if (n == nullptr) return bad("jobs[].pids: not an integer");
      auto pid = pid_of(*n, "jobs[].pids: ");
      if (!pid) return pid.error();
      if (!seen.insert(*pid).second) return bad("PID " + std::to_string(*pid) + " twice");
      job.pids.push_back(*pid);
    }
    m.jobs.push_back(std::move(job));
  }
  if (m.jobs.empty()) return bad("jobs[] is empty");
  if (!seen.count(m.root_pid)) return bad("root_pid " + std::to_string(m.root_pid) + " is not among the PIDs");
  return m;
}

}  // namespace cgjob
