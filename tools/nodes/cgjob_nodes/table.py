"""cgstat's table, with a NODE column, in the style of its single-node
table (tools/common/columns.cpp, TextTable): columns two blanks apart,
numbers and flags right-aligned, no trailing blanks."""


def width(text):
    return len(text)  # code points, as the single-node table counts UTF-8 lead bytes


def cell_text(value):
    if isinstance(value, bool):
        return "1" if value else "0"
    if value is None:
        return ""
    return str(value)


class TextTable:
    def __init__(self):
        self.headers, self.right, self.widths, self.rows = [], [], [], []

    def add_column(self, header, right):
        self.headers.append(header)
        self.right.append(right)
        self.widths.append(width(header))

    def add_row(self, cells):
        cells = (list(cells) + [""] * len(self.headers))[:len(self.headers)]
        self.widths = [max(w, width(c)) for w, c in zip(self.widths, cells)]
        self.rows.append(cells)

    def render_cells(self, cells):
        out, pending = [], 0
        for i, cell in enumerate(cells):
            pad = self.widths[i] - width(cell)
            if i > 0:
                pending += 2
            if self.right[i]:
                pending += pad
            if cell:
                out.append(" " * pending + cell)
                pending = 0
            if not self.right[i]:
                pending += pad
        return "".join(out) + "\n"


def render(jobs, columns, headings, procs):
    """jobs: the merged document's jobs (each with "node"); columns: the
    plan's [{header, key, right}]. No jobs: no output at all."""
    table = TextTable()
    table.add_column("NODE", False)
    for c in columns:
        table.add_column(c["header"], c["right"])
    tasks = TextTable()  # PID COMM STATE WCHAN, never headed
    for right in (True, False, False, False):
        tasks.add_column("", right)
    first_task = []
    for job in jobs:
        table.add_row([job["node"]] + [cell_text(job.get(c["key"])) for c in columns])
        first_task.append(len(tasks.rows))
        for t in job.get("procs", []) if procs else []:
            tasks.add_row([str(t.get("pid")), t.get("comm", ""), t.get("state", ""), t.get("wchan") or "-"])
    first_task.append(len(tasks.rows))
    out = []
    if headings and jobs:
        out.append(table.render_cells(table.headers))
    for i, cells in enumerate(table.rows):
        out.append(table.render_cells(cells))
        for t in range(first_task[i], first_task[i + 1]):
            out.append("  " + tasks.render_cells(tasks.rows[t]))
    return "".join(out)
