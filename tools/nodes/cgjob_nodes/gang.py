"""cgfreeze -w [freeze|thaw]: all nodes or none.

1. Every node reports its JOBs (cgstat --json): whether each job itself
   asks to be frozen now. A node that cannot be reached, or lacks a job,
   stops the run here, before anything changed.
2. Every node runs `cgfreeze freeze` (or thaw) at once, with the same
   --wait and --timeout.
3. If any node failed or timed out, every job this run changed is put back
   on every node: thawed if it did not ask to be frozen before a freeze,
   frozen again if it did before a thaw. (A node whose own --timeout ran out
   has thawed its jobs back already, as on one machine; putting back is a
   no-op there.) With --keep, nothing is put back.
"""
import json

from cgjob_nodes import fanout, report

OPPOSITE = {"freeze": "thaw", "thaw": "freeze"}


def job_key(text):
    """A JOB as cgstat names it: as given, less a trailing '/'."""
    return text[:-1] if len(text) > 1 and text.endswith("/") else text


def before(plan, nodes, fan, reporter):
    """{node: {job: self_freezing}}, or (status, failed nodes) when a node
    cannot tell."""
    cgstat = fanout.sibling_tool(plan["tool"], "cgstat")
    argv = [cgstat, "--json"] + [a for a in plan["common"] if a != "-v"] + ["--"] + plan["jobs"]
    outcomes = fan.run({n: argv for n in nodes}, fan.timeout_for(plan.get("timeout")))
    states, failed, status = {}, [], report.OK
    for node in nodes:
        o = outcomes[node]
        node_status = reporter.tell(o, cgstat)
        if node_status == report.OK:
            try:
                jobs = json.loads(o.out)["jobs"]
                states[node] = {job["name"]: bool(job["self_freezing"]) for job in jobs}
            except (ValueError, KeyError, TypeError) as e:
                reporter.error(node, "cgstat --json printed no document: %s" % e)
                node_status = report.FAILED
        if node_status != report.OK:
            failed.append(node)
            status = max(status, node_status)
    return states, failed, status


def act_argv(plan, verb, jobs, wait, timeout_arg, keep):
    argv = [plan["tool"], verb] + plan["common"]
    if wait:
        argv.append("--wait")
    if timeout_arg:
        argv += ["--timeout", timeout_arg]
    if keep:
        argv.append("--keep")
    return argv + ["--"] + jobs


def changed_jobs(plan, node_states):
    """The JOBs this run changes on a node: those not yet as asked."""
    want_frozen = plan["action"] == "freeze"
    return [j for j in plan["jobs"] if node_states.get(job_key(j), not want_frozen) != want_frozen]


def put_back(plan, nodes, states, fan, reporter):
    """Undoes this run's change on `nodes`; returns the nodes where that failed."""
    undo = OPPOSITE[plan["action"]]
    commands = {}
    for node in nodes:
        jobs = changed_jobs(plan, states[node])
        if jobs:
            commands[node] = act_argv(plan, undo, jobs, False, None, False)
    if not commands:
        return []
    outcomes = fan.run(commands, fan.timeout_for(None))
    left = []
    for node, o in sorted(outcomes.items()):
        node_status = reporter.tell(o, plan["tool"])
        if node_status != report.OK:
            reporter.error(node, "could not put the jobs back (%s): status %d" % (undo, node_status))
            left.append(node)
    return left


def run(plan, nodes, fan, reporter):
    verb = plan["action"]
    states, failed, status = before(plan, nodes, fan, reporter)
    if failed:
        reporter.error("", "%s on no node: %s could not tell the jobs' state" % (verb, ",".join(failed)))
        return status
    commands = {n: act_argv(plan, verb, plan["jobs"], plan.get("wait"), plan.get("timeout_arg"), plan.get("keep"))
                for n in nodes}
    outcomes = fan.run(commands, fan.timeout_for(plan.get("timeout")))
    failed = []
    for node in nodes:
        node_status = reporter.tell(outcomes[node], plan["tool"])
        if node_status != report.OK:
            failed.append(node)
            status = max(status, node_status)
    if not failed:
        return report.OK
    for node in failed:
        reporter.error(node, "%s failed (status %d)" % (verb, outcomes[node].status(plan["tool"])))
    if plan.get("keep"):
        reporter.error("", "--keep: the jobs are left as they are on every node")
        return status
    left = put_back(plan, nodes, states, fan, reporter)
    done = [n for n in nodes if n not in left and changed_jobs(plan, states[n])]
    if done:
        reporter.error("", "put back (%s) on %s" % (OPPOSITE[verb], ",".join(done)))
    return max(status, report.FAILED if left else report.OK)
