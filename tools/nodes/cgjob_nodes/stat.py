"""cgstat -w: every node runs `cgstat --json` (or --watch); one document,
one table or one stream comes out, each job with its node."""
import json
from collections import OrderedDict

from cgjob_nodes import fanout, report, table


def node_entry(node, outcome, tool, reporter):
    """(status, the node's entry in "nodes", its jobs)."""
    entry = OrderedDict(node=node)
    problem = outcome.problem(tool)
    if problem:
        reporter.error(node, problem[1])
        entry["status"], entry["error"] = problem
        return problem[0], entry, []
    reporter.relay(outcome)
    entry["status"] = outcome.rc
    try:
        doc = json.loads(outcome.out, object_pairs_hook=OrderedDict) if outcome.out.strip() else None
    except ValueError as e:
        reporter.error(node, "cgstat --json printed no JSON document: %s" % e)
        entry["status"], entry["error"] = report.FAILED, "no JSON document"
        return report.FAILED, entry, []
    if doc is None:
        return outcome.rc, entry, []
    for key in ("hierarchy", "mount", "root", "unit"):
        if key in doc:
            entry[key] = doc[key]
    jobs = []
    for job in doc.get("jobs", []):
        merged = OrderedDict(node=node)
        merged.update(job)
        jobs.append(merged)
    return outcome.rc, entry, jobs


def names(plan, nodes, fan, reporter):
    argv = [plan["tool"]] + plan["common"] + plan["args"]
    outcomes = fan.run({n: argv for n in nodes}, fan.timeout_for(None))
    status, seen = report.OK, set()
    for node in nodes:
        o = outcomes[node]
        status = max(status, reporter.tell(o, plan["tool"]))
        seen.update(line for line in o.out.split("\n") if line)
    if seen and not report.put_stdout("".join(n + "\n" for n in sorted(seen))):
        status = max(status, report.FAILED)
    return status


def watch(plan, nodes, fan, reporter):
    """One stream: each line as a node prints it, with the node added (the
    "node" key after "time" in JSON; a column after the time otherwise)."""
    broken = []

    def on_line(node, line):
        if plan["json"]:
            try:
                obj = json.loads(line, object_pairs_hook=OrderedDict)
                merged = OrderedDict()
                for key, value in obj.items():
                    merged[key] = value
                    if key == "time":
                        merged["node"] = node
                merged.setdefault("node", node)
                line = json.dumps(merged, separators=(",", ":"), ensure_ascii=False)
            except ValueError:
                pass
        else:
            time, _, rest = line.partition(" ")
            line = "%s %s %s" % (time, node, rest)
        if not broken and not report.put_stdout(line + "\n"):
            broken.append(True)
            fan.abort()

    def on_error_line(node, line):
        if not reporter.quiet:
            reporter.relay(fanout.Outcome(node, None, "", line, False))

    fan.task.set_default("stdout_msgtree", False)
    argv = [plan["tool"]] + plan["common"] + plan["args"]
    try:
        outcomes = fan.run({n: argv for n in nodes}, None, fanout.LineHandler(on_line, on_error_line))
    except KeyboardInterrupt:
        fan.abort()
        return report.OK  # interrupted: the watch ends normally, as on one node
    status = report.FAILED if broken else report.OK
    for node in nodes:
        o = outcomes[node]
        o.err = ""  # relayed line by line already
        status = max(status, reporter.tell(o, plan["tool"]))
    return status


def run(plan, nodes, fan, reporter):
    if plan["action"] == "names":
        return names(plan, nodes, fan, reporter)
    if plan.get("watch"):
        return watch(plan, nodes, fan, reporter)
    argv = [plan["tool"]] + plan["common"] + plan["args"]
    outcomes = fan.run({n: argv for n in nodes}, fan.timeout_for(None))
    status, entries, jobs = report.OK, [], []
    for node in nodes:
        node_status, entry, node_jobs = node_entry(node, outcomes[node], plan["tool"], reporter)
        status = max(status, node_status)
        entries.append(entry)
        jobs.extend(node_jobs)
    if plan.get("json"):
        doc = OrderedDict(nodes=entries, jobs=jobs)
        out = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        out = table.render(jobs, plan["columns"], plan.get("headings", True), plan.get("procs", False))
    if out and not report.put_stdout(out):
        status = max(status, report.FAILED)
    return status
