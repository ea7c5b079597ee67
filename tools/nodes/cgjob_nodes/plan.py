"""The plan a tool hands over (tools/common/nodes.h builds it).

Every plan has:
  action   stat | names | freeze | thaw | kill | each | migrate
  nodes    the node set, in ClusterShell's syntax (from -w/--nodes or CGJOB_NODES)
  tool     the absolute path of the calling tool; every node runs that path
  common   its common options for the nodes' runs (--hierarchy, --root, -q, -v)
  quiet, verbose
Per action:
  stat     args (the nodes' cgstat arguments: --json, or --watch), json,
           watch, headings, procs, columns ([{header, key, right}])
  names    args
  freeze, thaw  jobs, wait, keep, timeout (seconds or null), timeout_arg
  kill     args, jobs, wait, timeout
  each     args (create, rm: the same command everywhere)
  migrate  job, from, to, timeout, timeout_arg
"""
import json

ACTIONS = ("stat", "names", "freeze", "thaw", "kill", "each", "migrate")


class PlanError(Exception):
    """The plan is not one a tool of this version makes."""


def load(argv):
    if len(argv) != 1:
        raise PlanError("expects one argument, the plan: run cgstat, cgfreeze or cgkill with -w NODESET")
    try:
        plan = json.loads(argv[0])
    except ValueError as e:
        raise PlanError("the plan is not JSON: %s" % e)
    for key in ("action", "nodes", "tool", "common"):
        if key not in plan:
            raise PlanError("the plan has no '%s'" % key)
    if plan["action"] not in ACTIONS:
        raise PlanError("unknown action '%s'" % plan["action"])
    return plan
