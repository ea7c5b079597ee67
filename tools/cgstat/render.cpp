#include "tools/cgstat/render.h"

#include <nlohmann/json.hpp>

namespace cgjob::cgstat {
namespace {

using Json = nlohmann::ordered_json;

Json to_json(const cli::Cell& cell) {
  switch (cell.type) {
    case cli::ValueType::string: return Json(std::string(cell.text));
    case cli::ValueType::number: return Json(cell.number);
    case cli::ValueType::boolean: return Json(cell.flag);
  }
  return Json();
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
  Json doc = Json::object();
  doc["hierarchy"] = std::string(to_string(layout.kind));
  doc["mount"] = layout.mount;
  doc["root"] = layout.root;
  Json jobs = Json::array();
  const auto columns = job_columns();
  for (const auto& row : rows) {
    Json job = Json::object();
    for (const auto& c : columns) job[std::string(c.json_key)] = to_json(c.get(row));
    job[std::string(k_pids_key)] = row.status.pids;
    if (procs) {
      Json list = Json::array();
      for (const auto& t : row.procs) {
        list.push_back(Json{{"pid", t.pid}, {"comm", t.comm}, {"state", std::string(1, t.state)}, {"wchan", t.wchan}});
      }
      job[std::string(k_procs_key)] = std::move(list);
    }
    jobs.push_back(std::move(job));
  }
  doc["jobs"] = std::move(jobs);
  return doc.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

}  // namespace cgjob::cgstat
