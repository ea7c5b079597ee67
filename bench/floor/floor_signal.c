/* floor-signal v1|v2 CGDIR SIGNUM
 *
 * Race-free signalling of a whole cgroup, then waiting until it is empty:
 * freeze (and wait for it) -> read cgroup.procs -> pidfd_open +
 * pidfd_send_signal for each PID -> thaw -> wait until every pidfd reports
 * exit -> confirm the cgroup is empty (v2: "populated 0"; v1: cgroup.procs
 * reads empty). Nothing can fork between the read and the signals because the
 * cgroup is frozen.
 */
#include "floor.h"

#include <sys/epoll.h>

/* v1 caches the PID list of cgroup.procs per open file: re-reading the same
 * fd (pread at 0) keeps returning the list of the first read, so reopen. */
static int v1_empty(int cgfd, const char *dir) {
  char buf[64];
  int fd = floor_open(cgfd, dir, "cgroup.procs", O_RDONLY);
  size_t len = floor_pread(fd, buf, sizeof buf, dir, "cgroup.procs");
  close(fd);
  return len == 0;
}

int main(int argc, char **argv) {
  floor_start("floor-signal");
  if (argc != 4) {
    fprintf(stderr, "usage: floor-signal v1|v2 CGDIR SIGNUM\n");
    return 2;
  }
  int hier = floor_hier(argv[1]);
  const char *dir = argv[2];
  int sig = atoi(argv[3]);
  int cgfd = floor_open_dir(dir);

  if (hier == 2)
    floor_v2_set_frozen(cgfd, dir, 1);
  else
    floor_v1_set_state(cgfd, dir, "FROZEN");

  /* cgroup.procs of a frozen cgroup: one read, grown as needed. */
  int procsfd = floor_open(cgfd, dir, "cgroup.procs", O_RDONLY);
  size_t cap = 1 << 16;
  char *buf = malloc(cap);
  size_t len;
  for (;;) {
    len = floor_pread(procsfd, buf, cap, dir, "cgroup.procs");
    if (len < cap - 1) break;
    cap *= 2;
    buf = realloc(buf, cap);
  }

  int ep = epoll_create1(EPOLL_CLOEXEC);
  int pending = 0;
  for (char *p = buf; *p;) {
    char *end;
    long pid = strtol(p, &end, 10);
    if (end == p) break;
    p = *end ? end + 1 : end;
    if (pid <= 0) continue; /* v2 lists PID 0 for exiting tasks: skip it */
    int pfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
    if (pfd < 0) {
      if (errno == ESRCH) continue;
      floor_die("pidfd_open", dir, "cgroup.procs", errno);
    }
    if (syscall(SYS_pidfd_send_signal, pfd, sig, NULL, 0) < 0) {
      if (errno == ESRCH) {
        close(pfd);
        continue;
      }
      floor_die("pidfd_send_signal", dir, "cgroup.procs", errno);
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = pfd};
    epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ev);
    pending++;
  }

  if (hier == 2)
    floor_v2_set_frozen(cgfd, dir, 0);
  else
    floor_v1_set_state(cgfd, dir, "THAWED");

  struct epoll_event evs[256];
  while (pending > 0) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      floor_die("epoll_wait", dir, NULL, errno);
    }
    for (int i = 0; i < n; i++) {
      epoll_ctl(ep, EPOLL_CTL_DEL, evs[i].data.fd, NULL);
      close(evs[i].data.fd);
      pending--;
    }
  }

  /* Every signalled task has exited; the cgroup must now be empty. */
  if (hier == 2) {
    int evfd = floor_open(cgfd, dir, "cgroup.events", O_RDONLY);
    floor_v2_wait_event(evfd, dir, "populated", 0);
    close(evfd);
  } else {
    while (!v1_empty(cgfd, dir)) {
      struct timespec ts = {0, 100000L};
      nanosleep(&ts, NULL);
    }
  }
  close(procsfd);
  close(ep);
  close(cgfd);
  free(buf);
  return floor_finish();
}
