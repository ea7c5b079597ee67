"""cgkill -w, and cgfreeze -w create/rm: the same command on every node,
every node acted on even when another fails; the highest status wins."""
from cgjob_nodes import report


def run(plan, nodes, fan, reporter):
    argv = [plan["tool"]] + plan["common"] + plan["args"]
    outcomes = fan.run({n: argv for n in nodes}, fan.timeout_for(plan.get("timeout")))
    status = report.OK
    for node in nodes:
        o = outcomes[node]
        status = max(status, reporter.tell(o, plan["tool"]))
        if o.out:  # create and rm print nothing; whatever a node prints, with its name
            report.put_stdout("".join("%s: %s\n" % (node, line) for line in o.out.split("\n") if line))
    return status
