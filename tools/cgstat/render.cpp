#include "tools/cgstat/render.h"

#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

namespace cgjob::cgstat {
namespace {

using Json = nlohmann::ordered_json;

void put_number(std::string& out, std::int64_t n) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, end);
}

// A JSON string. Printable ASCII other than '"' and '\\' is written as it
// is; anything else (control characters, UTF-8, bytes that are not UTF-8 at
// all: an absolute JOB or a command name may hold any) through nlohmann,
// which escapes it and replaces invalid UTF-8 with U+FFFD.
void put_string(std::string& out, std::string_view s) {
  bool plain = std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; });
  if (plain) {
    out += '"';
    out += s;
    out += '"';
    return;
  }
  out += Json(std::string(s)).dump(-1, ' ', false, Json::error_handler_t::replace);
}

void put_value(std::string& out, const cli::Cell& cell) {
  switch (cell.type) {
    case cli::ValueType::string: put_string(out, cell.text); return;
    case cli::ValueType::number: put_number(out, cell.number); return;
    case cli::ValueType::boolean: out += cell.flag ? "true" : "false"; return;
  }
}

}  // namespace

std::string render_table(const std::vector<JobRow>& rows, std::span<const JobColumn* const> columns, bool headings,
                         bool procs) {
  cli::TextTable table;
  for (const auto* c : columns) table.add_column(std::string(c->header), cli::right_aligned(c->type));
  cli::TextTable tasks;  // PID COMM STATE WCHAN, never headed
  tasks.add_column("", true);
  tasks.add_column("", false);
  tasks.add_column("", false);
  tasks.add_column("", false);
  std::vector<std::size_t> first_task;  // per row: index of its first task line
  std::vector<std::string> cells;
  for (const auto& row : rows) {
    cells.clear();
    for (const auto* c : columns) cells.push_back(cli::cell_text(c->get(row)));
    table.add_row(cells);
    first_task.push_back(tasks.rows());
    if (!procs) continue;
    for (const auto& t : row.procs) {
      tasks.add_row({std::to_string(t.pid), t.comm, std::string(1, t.state), t.wchan.empty() ? "-" : t.wchan});
    }
  }
  first_task.push_back(tasks.rows());
  std::string out;
  if (headings && !rows.empty()) table.render_header(out);  // no jobs: no output at all
  for (std::size_t i = 0; i < rows.size(); ++i) {
    table.render_row(i, out);
    for (std::size_t t = first_task[i]; t < first_task[i + 1]; ++t) {
      out += "  ";
      tasks.render_row(t, out);
    }
  }
  return out;
}

std::string render_json(const Layout& layout, const std::vector<JobRow>& rows, bool procs) {
  // Written as it goes rather than built as one document first: over 1,000s
  // of jobs the tree of values costs more than reading the jobs' files.
  // Strings go through nlohmann's escaping unless they are plain ASCII.
  std::string out;
  out.reserve(256 + rows.size() * (procs ? 512 : 256));
  out += "{\n  \"hierarchy\": ";
  put_string(out, to_string(layout.kind));
  out += ",\n  \"mount\": ";
  put_string(out, layout.mount);
  out += ",\n  \"root\": ";
  put_string(out, layout.root);
  if (!layout.unit.empty()) {  // the systemd unit the root lies in (cgfreeze(1), SYSTEMD)
    out += ",\n  \"unit\": ";
    put_string(out, layout.unit);
  }
  out += ",\n  \"jobs\": [";
  const auto columns = job_columns();
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const JobRow& row = rows[r];
    out += r == 0 ? "\n    {" : ",\n    {";
    for (const auto& c : columns) {
      out += "\n      \"";
      out += c.json_key;
      out += "\": ";
      put_value(out, c.get(row));
      out += ',';
    }
    out += "\n      \"";
    out += k_pids_key;
    out += "\": [";
    for (std::size_t i = 0; i < row.status.pids.size(); ++i) {
      if (i > 0) out += ", ";
      put_number(out, row.status.pids[i]);
    }
    out += ']';
    if (procs) {
      out += ",\n      \"";
      out += k_procs_key;
      out += "\": [";
      for (std::size_t i = 0; i < row.procs.size(); ++i) {
        const TaskInfo& t = row.procs[i];
        out += i == 0 ? "\n        {\"pid\": " : ",\n        {\"pid\": ";
        put_number(out, t.pid);
        out += ", \"comm\": ";
        put_string(out, t.comm);
        out += ", \"state\": ";
        put_string(out, std::string_view(&t.state, 1));
        out += ", \"wchan\": ";
        put_string(out, t.wchan);
        out += '}';
      }
      out += row.procs.empty() ? "]" : "\n      ]";
    }
    out += "\n    }";
  }
  out += rows.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace cgjob::cgstat
