/* floor-status v1|v2 ROOTDIR
 *
 * Reads the status files of every cgroup below ROOTDIR (recursively, the
 * root itself excluded):
 *   v2: cgroup.freeze, cgroup.events, cgroup.procs
 *   v1: freezer.state, freezer.self_freezing, freezer.parent_freezing,
 *       cgroup.procs
 * and prints nothing but the timing line (plus, on stderr with -v, the count).
 */
#include "floor.h"

#include <dirent.h>

static const char *v2_files[] = {"cgroup.freeze", "cgroup.events", "cgroup.procs", NULL};
static const char *v1_files[] = {"freezer.state", "freezer.self_freezing",
                                 "freezer.parent_freezing", "cgroup.procs", NULL};

static const char **files;
static char *buf;
static size_t cap = 1 << 16;
static unsigned long ncgroups, nbytes;

static void read_all(int dfd, const char *dir) {
  for (const char **f = files; *f; f++) {
    int fd = floor_open(dfd, dir, *f, O_RDONLY);
    for (;;) {
      ssize_t n = read(fd, buf, cap);
      if (n < 0) floor_die("read", dir, *f, errno);
      if (n == 0) break;
      nbytes += (unsigned long)n;
    }
    close(fd);
  }
  ncgroups++;
}

/* Visits the sub-cgroups of the directory open at dfd. Takes ownership of dfd. */
static void walk(int dfd, const char *dir) {
  DIR *d = fdopendir(dfd);
  if (!d) floor_die("opendir", dir, NULL, errno);
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_type != DT_DIR || e->d_name[0] == '.') continue;
    int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (sub < 0) {
      if (errno == ENOENT) continue; /* removed meanwhile */
      floor_die("open", dir, e->d_name, errno);
    }
    read_all(sub, e->d_name);
    walk(sub, e->d_name);
  }
  closedir(d);
}

int main(int argc, char **argv) {
  floor_start("floor-status");
  if (argc < 3) {
    fprintf(stderr, "usage: floor-status v1|v2 ROOTDIR [-v]\n");
    return 2;
  }
  files = floor_hier(argv[1]) == 2 ? v2_files : v1_files;
  buf = malloc(cap);
  walk(floor_open_dir(argv[2]), argv[2]);
  if (argc > 3 && strcmp(argv[3], "-v") == 0)
    fprintf(stderr, "floor-status: %lu cgroups, %lu bytes\n", ncgroups, nbytes);
  free(buf);
  return floor_finish();
}
