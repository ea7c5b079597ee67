/* floor-cgroup-signal CGDIR SIGNUM
 *
 * The least any tool can do to signal a whole cgroup v2 race-free on a
 * kernel with cgroup.signal (kernel/patches/linux-6.1) and wait until it is
 * empty: one write of SIGNUM to cgroup.signal, then poll(POLLPRI) on
 * cgroup.events until it reads "populated 0". The wait is purely
 * event-driven: the kernel may hold a notification back (one per ~10 ms per
 * file) but never drops it, and nothing else changes cgroup.events here.
 * Prints "<wall_ns> <cpu_ns>" like the other floor programs (floor.h).
 */
#include "../floor/floor.h"

int main(int argc, char **argv) {
  floor_start("floor-cgroup-signal");
  if (argc != 3) {
    fprintf(stderr, "usage: floor-cgroup-signal CGDIR SIGNUM\n");
    return 2;
  }
  const char *dir = argv[1];
  int cgfd = floor_open_dir(dir);
  int sigfd = floor_open(cgfd, dir, "cgroup.signal", O_WRONLY);
  int evfd = floor_open(cgfd, dir, "cgroup.events", O_RDONLY);
  floor_write(sigfd, dir, "cgroup.signal", argv[2]);
  char buf[256];
  for (;;) {
    floor_pread(evfd, buf, sizeof buf, dir, "cgroup.events");
    if (floor_key(buf, "populated") == 0) break;
    struct pollfd p = {.fd = evfd, .events = POLLPRI};
    if (poll(&p, 1, -1) < 0 && errno != EINTR) floor_die("poll", dir, "cgroup.events", errno);
  }
  close(evfd);
  close(sigfd);
  close(cgfd);
  return floor_finish();
}
