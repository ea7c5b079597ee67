"""Reads the plan, parses the node set, and runs the action."""
import os
import sys

from ClusterShell.NodeSet import NodeSet, NodeSetException
from ClusterShell.NodeUtils import GroupResolverError

from cgjob_nodes import fanout, plan as plan_mod, report


def parse_nodes(text, reporter):
    """The node set, expanded by ClusterShell (groups included); None
    after a one-line error when it is not one."""
    try:
        nodes = NodeSet(text)
    except (NodeSetException, GroupResolverError) as e:
        reporter.error("", "-w/--nodes: bad node set '%s': %s" % (text, e))
        return None
    if len(nodes) == 0:
        reporter.error("", "-w/--nodes: '%s' names no node (an unknown group?)" % text)
        return None
    return [str(n) for n in nodes]


def main(argv):
    tool = "cgjob-nodes"
    try:
        plan = plan_mod.load(argv)
    except plan_mod.PlanError as e:
        sys.stderr.write("%s: %s\n" % (tool, e))
        return report.USAGE
    reporter = report.Reporter(os.path.basename(plan["tool"]), plan.get("quiet", False), plan.get("verbose", False))
    nodes = parse_nodes(plan["nodes"], reporter)
    if nodes is None:
        return report.USAGE
    try:
        config = fanout.load_config()
        fan = fanout.Fanout(config)
    except Exception as e:  # a clush.conf that ClusterShell refuses
        reporter.error("", "ClusterShell configuration: %s" % e)
        return report.FAILED
    action = plan["action"]
    try:
        if action in ("stat", "names"):
            from cgjob_nodes import stat
            return stat.run(plan, nodes, fan, reporter)
        if action in ("freeze", "thaw"):
            from cgjob_nodes import gang
            return gang.run(plan, nodes, fan, reporter)
        if action == "migrate":
            from cgjob_nodes import migrate
            return migrate.run(plan, nodes, fan, reporter)
        from cgjob_nodes import everywhere
        return everywhere.run(plan, nodes, fan, reporter)
    except KeyboardInterrupt:
        fan.abort()
        return 130
