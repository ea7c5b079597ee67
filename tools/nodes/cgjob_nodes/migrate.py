"""cgfreeze migrate JOB --from A --to B: checkpoint on A (left frozen),
copy DIR through ClusterShell (A -> here -> B), restore on B, and only then
empty and remove the job on A.

On any failure before that last step the job goes on at A as it was
(thawed again if this run froze it) and nothing is left on B. The job's
files must be at the same paths on both nodes (shared storage): every
file its processes run, work in or hold open is compared (inode, size,
modification time) before anything is done, and a difference is refused.
"""
import json
import os
import secrets
import shutil
import tempfile

from ClusterShell.NodeSet import NodeSet

from cgjob_nodes import fanout, report

# Lists "INODE SIZE MTIME PATH" for every file the given processes run, work
# in or hold open; sockets, pipes, deleted files and the kernel's own
# filesystems are not files a node shares.
LIST_FILES = r'''
for pid in "$@"; do
  for link in /proc/$pid/exe /proc/$pid/cwd /proc/$pid/fd/*; do readlink "$link"; done
done 2>/dev/null | grep '^/' | grep -v -e ' (deleted)$' -e '^/proc/' -e '^/sys/' -e '^/dev/' | sort -u |
while IFS= read -r f; do stat -L -c '%i %s %Y %n' -- "$f" 2>/dev/null || echo "- - - $f"; done
'''
STAT_FILES = r'''
for f in "$@"; do stat -L -c '%i %s %Y %n' -- "$f" 2>/dev/null || echo "- - - $f"; done
'''
# How many differing files a refusal lists.
SHOWN = 5


def one_node(text, option, reporter):
    try:
        nodes = NodeSet(text)
    except Exception as e:
        reporter.error("", "%s: bad node '%s': %s" % (option, text, e))
        return None
    if len(nodes) != 1:
        reporter.error("", "%s: '%s' is not one node" % (option, text))
        return None
    return str(nodes)


class Migration:
    def __init__(self, plan, fan, reporter, source, dest):
        self.plan, self.fan, self.reporter = plan, fan, reporter
        self.source, self.dest = source, dest
        self.tool = plan["tool"]
        self.job = plan["job"]
        base = "/var/tmp/cgjob-migrate-%s" % secrets.token_hex(6)
        self.src_dir, self.dst_dir = base + ".out", base + ".in"
        self.was_frozen = False
        self.checkpointed = False

    def on(self, node, argv, timeout=None):
        o = self.fan.run({node: argv}, self.fan.timeout_for(timeout))[node]
        self.reporter.tell(o, argv[0])
        return o

    def cgfreeze(self, node, *args, timeout=None):
        return self.on(node, [self.tool, args[0]] + self.plan["common"] + list(args[1:]), timeout)

    def job_state(self, node, quiet_if_missing=False):
        """The job's cgstat --json entry on `node`, or None; the outcome too."""
        cgstat = fanout.sibling_tool(self.tool, "cgstat")
        o = self.fan.run({node: [cgstat, "--json"] + self.plan["common"] + ["--", self.job]},
                         self.fan.timeout_for(None))[node]
        if not (quiet_if_missing and o.rc == report.NO_SUCH_JOB):
            self.reporter.tell(o, cgstat)
        if o.status(cgstat) == report.OK:
            try:
                return json.loads(o.out)["jobs"][0], o
            except (ValueError, KeyError, IndexError, TypeError):
                pass
        return None, o

    def check_shared_files(self, pids):
        """None when every file is the same on both nodes, else a message."""
        listed = self.on(self.source, ["sh", "-c", LIST_FILES, "sh"] + [str(p) for p in pids])
        if listed.status("sh") != report.OK:
            return "could not list the job's files on %s" % self.source
        here = [line for line in listed.out.split("\n") if line]
        paths = [line.split(" ", 3)[3] for line in here]
        if not paths:
            return None
        there = self.on(self.dest, ["sh", "-c", STAT_FILES, "sh"] + paths)
        if there.status("sh") != report.OK:
            return "could not look at the job's files on %s" % self.dest
        differ = [p for p, a, b in zip(paths, here, there.out.split("\n")) if a.startswith("-") or a != b]
        if not differ:
            return None
        more = " and %d more" % (len(differ) - SHOWN) if len(differ) > SHOWN else ""
        return ("the job's files are not the same on %s and %s (migrate needs them at the same paths, on "
                "shared storage): %s%s" % (self.source, self.dest, ", ".join(differ[:SHOWN]), more))

    def put_back(self):
        """The job goes on at the source as it was; nothing is left on the
        destination. False when that failed (said why)."""
        ok = True
        if self.checkpointed and not self.was_frozen:
            if self.cgfreeze(self.source, "thaw", "--", self.job).status(self.tool) != report.OK:
                self.reporter.error(self.source, "%s: could not thaw it again: it is left frozen" % self.job)
                ok = False
        return ok

    def remove_dirs(self):
        self.on(self.source, ["rm", "-rf", "--", self.src_dir])
        self.on(self.dest, ["rm", "-rf", "--", self.dst_dir])

    def run(self):
        timeout_arg = self.plan.get("timeout_arg")
        state, o = self.job_state(self.source)
        if state is None:
            return o.status(self.tool) or report.FAILED
        self.was_frozen = bool(state.get("self_freezing"))
        there, o = self.job_state(self.dest, quiet_if_missing=True)
        if there is not None:
            self.reporter.error(self.dest, "%s: a job of that name exists there already" % self.job)
            return report.FAILED
        if o.status(self.tool) != report.NO_SUCH_JOB:
            return o.status(self.tool) or report.FAILED
        refusal = self.check_shared_files(state.get("pids", []))
        if refusal:
            self.reporter.error("", "%s: %s" % (self.job, refusal))
            return report.FAILED
        try:
            return self.move(timeout_arg)
        finally:
            self.remove_dirs()

    def move(self, timeout_arg):
        args = ["checkpoint", "--leave", "frozen"] + (["--timeout", timeout_arg] if timeout_arg else [])
        o = self.cgfreeze(self.source, *(args + ["--", self.job, self.src_dir]), timeout=self.plan.get("timeout"))
        status = o.status(self.tool)
        if status != report.OK:
            self.reporter.error("", "%s: checkpoint on %s failed (status %d): the job goes on there as it was" %
                                (self.job, self.source, status))
            return status
        self.checkpointed = True
        local = tempfile.mkdtemp(prefix="cgjob-migrate.")
        try:
            copied = self.fan.copy(self.source, self.src_dir, local, reverse=True)
            if copied.status("scp") == report.OK:
                fetched = os.path.join(local, "%s.%s" % (os.path.basename(self.src_dir), self.source))
                copied = self.fan.copy(self.dest, fetched, self.dst_dir)
        finally:
            shutil.rmtree(local, ignore_errors=True)
        if copied.status("scp") != report.OK:
            self.reporter.relay(copied)
            self.reporter.error(copied.node, "%s: copying the checkpoint failed: the job goes on at %s" %
                                (self.job, self.source))
            self.put_back()
            return report.FAILED
        how = "--frozen" if self.was_frozen else "--thawed"
        o = self.cgfreeze(self.dest, "restore", how, "--detach", "--", self.job, self.dst_dir)
        status = o.status(self.tool)
        if status != report.OK:
            self.reporter.error("", "%s: restore on %s failed (status %d): the job goes on at %s" %
                                (self.job, self.dest, status, self.source))
            self.cgfreeze(self.dest, "rm", "--kill", "--", self.job)
            self.put_back()
            return max(status, report.FAILED)
        o = self.cgfreeze(self.source, "rm", "--kill", "--", self.job)
        if o.status(self.tool) != report.OK:
            self.reporter.error(self.source, "%s: restored on %s, but the frozen original could not be removed "
                                "here: remove it (cgfreeze rm --kill)" % (self.job, self.dest))
            return report.FAILED
        self.reporter.info("", "%s: moved from %s to %s" % (self.job, self.source, self.dest))
        return report.OK


def run(plan, nodes, fan, reporter):
    source = one_node(plan["from"], "--from", reporter)
    dest = one_node(plan["to"], "--to", reporter)
    if source is None or dest is None:
        return report.USAGE
    if source == dest:
        reporter.error("", "--from and --to name the same node (%s)" % source)
        return report.USAGE
    return Migration(plan, fan, reporter, source, dest).run()
