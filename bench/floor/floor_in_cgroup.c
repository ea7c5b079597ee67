/* floor-in-cgroup v1|v2 CGPATH (built -static)
 *
 * The COMMAND that the "run" benchmarks start: exits 0 if this process is in
 * CGPATH (relative to the hierarchy's mount), according to /proc/self/cgroup,
 * on the cgroup2 line ("0::") or on the v1 line that lists "freezer".
 */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 3) return 2;
  int v2 = strcmp(argv[1], "v2") == 0;
  char buf[8192];
  int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 3;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 3;
  buf[n] = '\0';
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    char *c1 = strchr(line, ':');
    char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2) continue;
    *c2 = '\0';
    const char *ctrls = c1 + 1, *path = c2 + 1;
    int match;
    if (v2) {
      match = strncmp(line, "0", 1) == 0 && line + 1 == c1 && *ctrls == '\0';
    } else {
      match = 0;
      for (const char *p = strstr(ctrls, "freezer"); p; p = strstr(p + 1, "freezer"))
        if ((p == ctrls || p[-1] == ',') && (p[7] == '\0' || p[7] == ',')) match = 1;
    }
    if (match) return strcmp(path, argv[2]) == 0 ? 0 : 1;
  }
  return 1;
}
