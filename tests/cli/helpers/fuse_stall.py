#!/usr/bin/env python3
"""Mounts a FUSE filesystem that takes requests and never answers them.

A task that looks anything up below it waits in the kernel for the answer
(request_wait_answer): first interruptibly, and once the freezer has tried
to stop it, killably only. Such a task cannot be frozen, so its job stays
FREEZING on both hierarchies for as long as this runs.
That holds cgkill's freeze open for as long as a test needs.

Only INIT is answered (protocol 7.22, the smallest reply). Prints "ready"
once mounted and initialised; runs until stdin closes or it is killed.
Closing /dev/fuse aborts the connection, which wakes the waiting tasks with
an error; the mount is then detached.
"""
import ctypes
import os
import struct
import sys
import threading

FUSE_INIT = 26
IN_HEADER = struct.Struct("=IIQQIIIHH")   # len opcode unique nodeid uid gid pid total_extlen padding
OUT_HEADER = struct.Struct("=IiQ")        # len error unique
INIT_OUT_7_22 = struct.Struct("=IIIIHHI")  # major minor max_readahead flags max_background congestion max_write

libc = ctypes.CDLL(None, use_errno=True)
target = sys.argv[1].encode()
fd = os.open("/dev/fuse", os.O_RDWR | os.O_CLOEXEC)
opts = b"fd=%d,rootmode=40000,user_id=0,group_id=0" % fd
if libc.mount(b"cgjob-stall", target, b"fuse", 0, opts) != 0:
    sys.exit("fuse_stall: mount: " + os.strerror(ctypes.get_errno()))

initialised = threading.Event()


def serve():
    """Answers INIT, then reads every other request and leaves it waiting."""
    while True:
        try:
            req = os.read(fd, 1 << 17)
        except OSError:
            return
        _, opcode, unique, *_ = IN_HEADER.unpack_from(req)
        if opcode == FUSE_INIT:
            body = INIT_OUT_7_22.pack(7, 22, 0, 0, 1, 1, 4096)
            os.write(fd, OUT_HEADER.pack(OUT_HEADER.size + len(body), 0, unique) + body)
            initialised.set()


threading.Thread(target=serve, daemon=True).start()
# The root directory needs no request; stat'ing it makes the kernel send INIT
# first only on older kernels, so wait for INIT itself.
if not initialised.wait(10):
    sys.exit("fuse_stall: no INIT from the kernel")
print("ready", flush=True)
try:
    sys.stdin.read()
finally:
    os.close(fd)
    libc.umount2(target, 2)  # MNT_DETACH
