"""Runs commands on nodes through ClusterShell, configured as clush is.

ClusterShell's library does not read clush.conf: clush does. So does this,
through clush's own ClushConfig ($CLUSTERSHELL_CFGDIR, /etc/clustershell,
~/.config/clustershell; ssh user and options, fan-out, connect and command
timeouts). Node groups are the library's own (groups.conf), read by NodeSet.
"""
import os
import shlex
import types

from ClusterShell.CLI.Config import ClushConfig
from ClusterShell.Event import EventHandler
from ClusterShell.NodeSet import NodeSet
from ClusterShell.Task import TaskMsgTreeError, task_self

from cgjob_nodes import report

# ssh's own failures (host key, permission denied, connection refused or
# closed, name not known) end it with 255; the tools never exit so.
SSH_FAILED = 255
# The shell's "cannot execute" and "not found": the tool is not installed
# at the same path there.
NOT_EXECUTABLE, NOT_FOUND = 126, 127
# Time a node gets beyond a --timeout to connect and to answer: its own
# run keeps the --timeout; this bounds only a node that stops answering.
ANSWER_GRACE = 10.0


def load_config():
    """clush.conf as clush reads it, without command-line overrides."""
    options = types.SimpleNamespace(quiet=False, verbose=False, debug=False, fanout=None, user=None,
                                    options=None, connect_timeout=None, command_timeout=None,
                                    whencolor=None, maxrc=False, option=[])
    return ClushConfig(options)


class Outcome:
    """What one node's run came to."""

    def __init__(self, node, rc, out, err, timed_out):
        self.node = node
        self.rc = rc  # None when there is none (timed out)
        self.out = out
        self.err = err
        self.timed_out = timed_out

    def err_lines(self):
        return [line for line in self.err.split("\n") if line]

    def problem(self, tool):
        """(status, text) when the tool did not run to an end on the node,
        else None: the node's own status and messages then tell."""
        if self.timed_out:
            return report.TIMED_OUT, "no answer in time (ssh or the node hung)"
        if self.rc is None:
            return report.FAILED, "no exit status"
        if self.rc == SSH_FAILED:
            lines = self.err_lines()
            return report.FAILED, "unreachable: %s (ssh status 255)" % (lines[-1] if lines else "ssh failed")
        if self.rc in (NOT_EXECUTABLE, NOT_FOUND):
            return report.FAILED, ("cannot run %s there (status %d): the tools must be installed at the same "
                                   "path on every node" % (tool, self.rc))
        return None

    def status(self, tool):
        problem = self.problem(tool)
        return problem[0] if problem else self.rc


def _buffer(read, node):
    """What a node printed on one stream; "" when the stream was not kept
    (--watch hands each line on as it comes instead)."""
    try:
        return _decode(read(node))
    except TaskMsgTreeError:
        return ""


def _decode(buf):
    if buf is None:
        return ""
    if isinstance(buf, bytes):
        return buf.decode("utf-8", "replace")
    return str(buf)


class Fanout:
    def __init__(self, config):
        self.config = config
        self.task = task_self()
        task = self.task
        task.set_info("fanout", config.fanout)
        task.set_info("connect_timeout", config.connect_timeout)
        for key in ("ssh_user", "ssh_path", "ssh_options", "scp_path", "scp_options"):
            value = getattr(config, key)
            if value:
                task.set_info(key, value)
        task.set_default("stderr", True)
        task.set_default("stdin", False)

    def timeout_for(self, seconds):
        """A command timeout: the run's own --timeout plus what connecting
        and answering take, else clush.conf's command_timeout (0: none)."""
        if seconds is not None:
            return seconds + self.config.connect_timeout + ANSWER_GRACE
        return self.config.command_timeout or None

    def run(self, commands, timeout=None, handler=None):
        """commands: {node: argv, or a command line for the node's shell}.
        Runs them all at once (within the fan-out); returns {node: Outcome}."""
        by_command = {}
        for node, argv in commands.items():
            by_command.setdefault(argv if isinstance(argv, str) else shlex.join(argv), []).append(node)
        workers = []
        for command, nodes in by_command.items():
            worker = self.task.shell(command, nodes=NodeSet.fromlist(nodes), timeout=timeout, handler=handler)
            workers.append((worker, nodes))
        self.task.run()
        outcomes = {}
        for worker, nodes in workers:
            timed_out = set(str(n) for n in worker.iter_keys_timeout())
            for node in nodes:
                try:
                    rc = worker.node_retcode(node)
                except KeyError:
                    rc = None
                outcomes[node] = Outcome(node, rc, _buffer(worker.node_buffer, node),
                                         _buffer(worker.node_error, node), node in timed_out)
        return outcomes

    def copy(self, node, source, dest, reverse=False):
        """Copies a directory to `node` (from it with reverse: into
        dest/BASENAME.NODE here), as clush --copy / --rcopy do."""
        worker = self.task.copy(source, dest, nodes=node, reverse=reverse, preserve=True,
                                timeout=self.timeout_for(None))
        self.task.run()
        try:
            rc = worker.node_retcode(node)
        except KeyError:
            rc = None
        return Outcome(node, rc, "", _buffer(worker.node_error, node),
                       node in set(str(n) for n in worker.iter_keys_timeout()))

    def abort(self):
        self.task.abort(kill=True)


class LineHandler(EventHandler):
    """Hands each line a node prints to a callback as it comes: --watch."""

    def __init__(self, on_line, on_error_line):
        EventHandler.__init__(self)
        self.on_line = on_line
        self.on_error_line = on_error_line

    def ev_read(self, worker, node, sname, msg):
        if sname == worker.SNAME_STDERR:
            self.on_error_line(str(node), _decode(msg))
        else:
            self.on_line(str(node), _decode(msg))


def sibling_tool(tool, name):
    """Another of the tools next to `tool`: installed side by side, or in
    the build tree (tools/cgfreeze/cgfreeze, tools/cgstat/cgstat)."""
    here = os.path.dirname(tool)
    for candidate in (os.path.join(here, name), os.path.join(os.path.dirname(here), name, name)):
        if os.access(candidate, os.X_OK):
            return candidate
    return os.path.join(here, name)
