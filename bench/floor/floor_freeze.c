/* floor-freeze v1|v2 CGDIR freeze|thaw
 *
 * The raw freeze or thaw of one cgroup, waited for:
 *   v2: write 1/0 to cgroup.freeze, then read cgroup.events until "frozen 1/0"
 *       (poll POLLPRI with a 1 ms timeout, re-read);
 *   v1: write FROZEN/THAWED to freezer.state, re-read until it says so.
 */
#include "floor.h"

int main(int argc, char **argv) {
  floor_start("floor-freeze");
  if (argc != 4) {
    fprintf(stderr, "usage: floor-freeze v1|v2 CGDIR freeze|thaw\n");
    return 2;
  }
  int hier = floor_hier(argv[1]);
  const char *dir = argv[2];
  int freeze = strcmp(argv[3], "freeze") == 0;
  if (!freeze && strcmp(argv[3], "thaw") != 0) {
    fprintf(stderr, "floor-freeze: expected freeze or thaw, not '%s'\n", argv[3]);
    return 2;
  }
  int cgfd = floor_open_dir(dir);
  if (hier == 2)
    floor_v2_set_frozen(cgfd, dir, freeze);
  else
    floor_v1_set_state(cgfd, dir, freeze ? "FROZEN" : "THAWED");
  close(cgfd);
  return floor_finish();
}
