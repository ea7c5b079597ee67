/* floor-v2-kill CGDIR
 *
 * The raw cgroup v2 kill (5.14+): write 1 to cgroup.kill, then read
 * cgroup.events until "populated 0" (poll POLLPRI with a 1 ms timeout,
 * re-read).
 */
#include "floor.h"

int main(int argc, char **argv) {
  floor_start("floor-v2-kill");
  if (argc != 2) {
    fprintf(stderr, "usage: floor-v2-kill CGDIR\n");
    return 2;
  }
  const char *dir = argv[1];
  int cgfd = floor_open_dir(dir);
  int kfd = floor_open(cgfd, dir, "cgroup.kill", O_WRONLY);
  int evfd = floor_open(cgfd, dir, "cgroup.events", O_RDONLY);
  floor_write(kfd, dir, "cgroup.kill", "1");
  floor_v2_wait_event(evfd, dir, "populated", 0);
  close(kfd);
  close(evfd);
  close(cgfd);
  return floor_finish();
}
