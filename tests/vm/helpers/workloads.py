#!/usr/bin/env python3
"""Workloads for tests/vm/checkpoint_workloads.sh, each written so that a
wrong restore shows in the files it writes.

Every output file is opened without O_APPEND and written with os.write, one
number per line: the file's own offset is part of what CRIU saves, and a
restored writer that lost it (or a byte of a socket queue) breaks the
sequence 1, 2, 3... A workload that sees something wrong writes a line that
is not the next number (so the test's sequence check fails) and exits 1.

  stream unix|tcp OUT   two processes (fork) joined by a socketpair or a
                        loopback TCP connection: the parent sends 1, 2, 3...
                        (up to WINDOW ahead), the child reads them a few at
                        a time (so the kernel's queue holds the rest),
                        checks each, writes it to OUT.recv and sends it
                        back; the parent checks the echo and writes it to
                        OUT.acks, reading echoes only every 50 ms (so that
                        queue holds data too).
  threads OUT K         K threads, thread k writing its own count to OUT.k.
  sqlite DB OUT GO      BEGIN IMMEDIATE, then rows 1, 2, 3... inserted one
                        by one (each number written to OUT once inserted)
                        until the file GO exists; then COMMIT and one line
                        "committed N" in OUT.done.
  rows DB               prints: rows, min, max, sum of table t (a reader).
  fetch URL             prints the body of URL (exit 1 on any error).
  freeport              prints a free TCP port on 127.0.0.1.
"""
import os
import socket
import sqlite3
import sys
import threading
import time
import urllib.request

WINDOW = 2000


def out_file(path):
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)


def put(fd, text):
    os.write(fd, text.encode() + b"\n")


def wrong(fd, text):
    put(fd, "WRONG: " + text)
    sys.exit(1)


def connected_pair(kind):
    if kind == "unix":
        return socket.socketpair()
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    a = socket.create_connection(listener.getsockname())
    b, _ = listener.accept()
    listener.close()  # only the established connection is left to save
    for s in (a, b):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return a, b


def lines_of(sock, buf, size, flags=0):
    """Complete lines received so far (buf keeps a partial one)."""
    try:
        data = sock.recv(size, flags)
    except BlockingIOError:
        return []
    if not data:
        raise EOFError("the peer closed the connection")
    buf.extend(data)
    *done, rest = bytes(buf).split(b"\n")
    buf[:] = rest
    return [int(x) for x in done]


def stream(kind, out):
    parent_end, child_end = connected_pair(kind)
    if os.fork() == 0:
        parent_end.close()
        fd = out_file(out + ".recv")
        buf = bytearray()
        want = 1
        try:
            while True:
                # A few lines at a time: the rest waits in the kernel's queue.
                for n in lines_of(child_end, buf, 64):
                    if n != want:
                        wrong(fd, "received %d, expected %d" % (n, want))
                    put(fd, str(n))
                    child_end.sendall(b"%d\n" % n)
                    want += 1
                    if n % 10 == 0:
                        time.sleep(0.02)
        except (EOFError, OSError, ValueError) as e:
            wrong(fd, "child: %s" % e)
    child_end.close()
    fd = out_file(out + ".acks")
    buf = bytearray()
    sent = 0
    acked = 0
    try:
        while True:
            if sent - acked < WINDOW:
                batch = range(sent + 1, acked + WINDOW + 1)
                parent_end.sendall(b"".join(b"%d\n" % n for n in batch))
                sent = batch[-1]
            time.sleep(0.05)
            for n in lines_of(parent_end, buf, 65536, socket.MSG_DONTWAIT):
                if n != acked + 1:
                    wrong(fd, "echo %d, expected %d" % (n, acked + 1))
                acked = n
                put(fd, str(n))
    except (EOFError, OSError, ValueError) as e:
        wrong(fd, "parent: %s" % e)


def threads(out, k):
    def count(path):
        fd = out_file(path)
        i = 0
        while True:
            i += 1
            put(fd, str(i))
            time.sleep(0.02)

    workers = [threading.Thread(target=count, args=("%s.%d" % (out, t),), daemon=True) for t in range(k)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()


def sqlite(db, out, go):
    fd = out_file(out)
    con = sqlite3.connect(db, isolation_level=None, timeout=60)
    con.execute("CREATE TABLE IF NOT EXISTS t (n INTEGER PRIMARY KEY)")
    con.execute("BEGIN IMMEDIATE")
    i = 0
    while not os.path.exists(go):
        i += 1
        try:
            con.execute("INSERT INTO t VALUES (?)", (i,))
        except sqlite3.Error as e:
            wrong(fd, "insert %d: %s" % (i, e))
        put(fd, str(i))
        time.sleep(0.02)
    done = out_file(out + ".done")
    try:
        con.execute("COMMIT")
    except sqlite3.Error as e:
        wrong(done, "commit: %s" % e)
    put(done, "committed %d" % i)


def rows(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=60)
    print(*con.execute("SELECT count(*), min(n), max(n), sum(n) FROM t").fetchone())


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            sys.stdout.write(r.read().decode())
    except OSError as e:
        print("fetch %s: %s" % (url, e), file=sys.stderr)
        sys.exit(1)


def freeport():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "stream":
        stream(args[0], args[1])
    elif cmd == "threads":
        threads(args[0], int(args[1]))
    elif cmd == "sqlite":
        sqlite(*args)
    elif cmd == "rows":
        rows(args[0])
    elif cmd == "fetch":
        fetch(args[0])
    elif cmd == "freeport":
        freeport()
    else:
        sys.exit("unknown workload " + cmd)


if __name__ == "__main__":
    main(sys.argv)
