"""cgfreeze -w [freeze|thaw]: all nodes or none.

1. Every node, in one ssh session, reports its JOBs (cgstat --json: whether
   each job itself asks to be frozen now) and, if it has them all, runs
   `cgfreeze freeze` (or thaw) with the same --wait and --timeout. One
   session per node: a gang freeze costs one fan-out, not two.
2. If any node failed, lacked a job, could not be reached or timed out,
   every job this run changed is put back on every node that reported its
   jobs: thawed if it did not ask to be frozen before a freeze, frozen
   again if it did before a thaw. (A node whose own --timeout ran out has
   thawed its jobs back already, as on one machine; putting back is a
   no-op there. A node that never reported changed nothing.) With --keep,
   nothing is put back.
"""
import json
import shlex

from cgjob_nodes import fanout, report

OPPOSITE = {"freeze": "thaw", "thaw": "freeze"}


def job_key(text):
    """A JOB as cgstat names it: as given, less a trailing '/'."""
    return text[:-1] if len(text) > 1 and text.endswith("/") else text


def states_of(out):
    """{job: self_freezing} from the cgstat --json document that starts
    `out`, or None when there is none."""
    try:
        doc, _ = json.JSONDecoder().raw_decode(out.lstrip())
        return {job["name"]: bool(job["self_freezing"]) for job in doc["jobs"]}
    except (ValueError, KeyError, TypeError):
        return None


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
    cgstat = fanout.sibling_tool(plan["tool"], "cgstat")
    look = [cgstat, "--json"] + [a for a in plan["common"] if a != "-v"] + ["--"] + plan["jobs"]
    act = act_argv(plan, verb, plan["jobs"], plan.get("wait"), plan.get("timeout_arg"), plan.get("keep"))
    # The node's shell runs the cgfreeze only once cgstat found every job.
    command = shlex.join(look) + " && exec " + shlex.join(act)
    outcomes = fan.run({n: command for n in nodes}, fan.timeout_for(plan.get("timeout")))
    status, failed, states = report.OK, [], {}
    for node in nodes:
        o = outcomes[node]
        node_states = None if o.problem(plan["tool"]) else states_of(o.out)
        # cgfreeze ran there only if cgstat found every job.
        if node_states is not None and all(job_key(j) in node_states for j in plan["jobs"]):
            states[node] = node_states
        node_status = reporter.tell(o, plan["tool"])
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
    left = put_back(plan, sorted(states), states, fan, reporter)
    done = [n for n in nodes if n in states and n not in left and changed_jobs(plan, states[n])]
    if done:
        reporter.error("", "put back (%s) on %s" % (OPPOSITE[verb], ",".join(done)))
    return max(status, report.FAILED if left else report.OK)
