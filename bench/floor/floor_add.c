/* floor-add CGDIR PID...
 *
 * Moves each PID (the whole process) into the cgroup: one write of the PID
 * to cgroup.procs per process, as the kernel requires.
 */
#include "floor.h"

int main(int argc, char **argv) {
  floor_start("floor-add");
  if (argc < 3) {
    fprintf(stderr, "usage: floor-add CGDIR PID...\n");
    return 2;
  }
  const char *dir = argv[1];
  int cgfd = floor_open_dir(dir);
  int procs = floor_open(cgfd, dir, "cgroup.procs", O_WRONLY);
  for (int i = 2; i < argc; i++) floor_write(procs, dir, "cgroup.procs", argv[i]);
  close(procs);
  close(cgfd);
  return floor_finish();
}
