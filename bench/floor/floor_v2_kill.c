/* floor-v2-kill CGDIR [events|pidfd]
 *
 * The raw cgroup v2 kill (5.14+): write 1 to cgroup.kill, then wait until
 * cgroup.events says "populated 0".
 *   events (default): read cgroup.events, poll POLLPRI with a 1 ms timeout,
 *                     re-read;
 *   pidfd:            before the kill, read cgroup.procs and open a pidfd for
 *                     each process; after it, wait until every pidfd reports
 *                     exit, then confirm "populated 0" as above.
 */
#include "floor.h"

#include <sys/epoll.h>

int main(int argc, char **argv) {
  floor_start("floor-v2-kill");
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: floor-v2-kill CGDIR [events|pidfd]\n");
    return 2;
  }
  const char *dir = argv[1];
  int use_pidfd = argc == 3 && strcmp(argv[2], "pidfd") == 0;
  int cgfd = floor_open_dir(dir);
  int kfd = floor_open(cgfd, dir, "cgroup.kill", O_WRONLY);
  int evfd = floor_open(cgfd, dir, "cgroup.events", O_RDONLY);

  int ep = -1, pending = 0;
  if (use_pidfd) {
    int procsfd = floor_open(cgfd, dir, "cgroup.procs", O_RDONLY);
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    for (;;) {
      if (floor_pread(procsfd, buf, cap, dir, "cgroup.procs") < cap - 1) break;
      cap *= 2;
      buf = realloc(buf, cap);
    }
    close(procsfd);
    ep = epoll_create1(EPOLL_CLOEXEC);
    for (char *p = buf; *p;) {
      char *end;
      long pid = strtol(p, &end, 10);
      if (end == p) break;
      p = *end ? end + 1 : end;
      if (pid <= 0) continue;
      int pfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
      if (pfd < 0) continue; /* gone already */
      struct epoll_event ev = {.events = EPOLLIN, .data.fd = pfd};
      epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ev);
      pending++;
    }
    free(buf);
  }

  floor_write(kfd, dir, "cgroup.kill", "1");

  struct epoll_event evs[256];
  while (pending > 0) {
    int n = epoll_wait(ep, evs, 256, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      floor_die("epoll_wait", dir, NULL, errno);
    }
    for (int i = 0; i < n; i++) {
      close(evs[i].data.fd);
      pending--;
    }
  }
  floor_v2_wait_event(evfd, dir, "populated", 0);
  if (ep >= 0) close(ep);
  close(kfd);
  close(evfd);
  close(cgfd);
  return floor_finish();
}
