"""Messages on stderr, one line each, and the exit status of a run.

Our own lines read "TOOL: NODE: text"; a node's own messages are relayed as
"NODE: line", as clush shows them.
"""
import sys

OK, FAILED, USAGE, NO_SUCH_JOB, TIMED_OUT = 0, 1, 2, 3, 124


class Reporter:
    def __init__(self, tool, quiet=False, verbose=False):
        self.tool = tool
        self.quiet = quiet
        self.verbose = verbose

    def error(self, node, text):
        if not self.quiet:
            prefix = "%s: %s: " % (self.tool, node) if node else "%s: " % self.tool
            sys.stderr.write(prefix + text + "\n")
            sys.stderr.flush()

    def info(self, node, text):
        if self.verbose:
            self.error(node, text)

    def tell(self, outcome, tool):
        """Says what a node's run of `tool` came to: our own line when it did
        not run to an end (ssh failed, no answer, no tool there), else the
        node's own messages. Returns the node's status."""
        problem = outcome.problem(tool)
        if problem:
            self.error(outcome.node, problem[1])
            return problem[0]
        self.relay(outcome)
        return outcome.rc

    def relay(self, outcome):
        """The node's own stderr lines, each prefixed with the node."""
        if self.quiet:
            return
        for line in outcome.err_lines():
            sys.stderr.write("%s: %s\n" % (outcome.node, line))
        sys.stderr.flush()


def put_stdout(text):
    """Writes and flushes; False when stdout is gone (a closed pipe)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
        return True
    except (BrokenPipeError, OSError):
        return False
