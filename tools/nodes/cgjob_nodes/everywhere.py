"""cgkill -w, and cgfreeze -w create/rm: the same command on every node,
every node acted on even when another fails; the highest status wins."""
from cgjob_nodes import report


def run(plan, nodes, fan, reporter):
    argv = [plan["tool"]] + plan["common"] + plan["args"]
    outcomes = fan.run({n: argv for n in nodes}, fan.timeout_for(plan.get("timeout")))
    status = report.OK
    for node in nodes:
        o = outcomes[node]
        problem = o.problem(plan["tool"])
        if problem:
            reporter.error(node, problem[1])
        else:
            reporter.relay(o)
            if o.out:
                report.put_stdout("".join("%s: %s\n" % (node, line) for line in o.out.split("\n") if line))
        status = max(status, o.status(plan["tool"]))
    return status
