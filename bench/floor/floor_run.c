/* floor-run v1|v2 CGDIR PROGRAM [ARG...]
 *
 * Starts PROGRAM inside the cgroup and waits for it:
 *   v2: clone3(CLONE_INTO_CGROUP) (5.7+), the child is born in the cgroup;
 *   v1: fork, the child writes "0" to cgroup.procs, then execs.
 * Exits 0 only if PROGRAM exited 0.
 */
#include "floor.h"

#include <linux/sched.h>
#include <stdint.h>
#include <sys/wait.h>

#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

int main(int argc, char **argv) {
  floor_start("floor-run");
  if (argc < 4) {
    fprintf(stderr, "usage: floor-run v1|v2 CGDIR PROGRAM [ARG...]\n");
    return 2;
  }
  int hier = floor_hier(argv[1]);
  const char *dir = argv[2];
  int cgfd = floor_open_dir(dir);
  pid_t pid;
  if (hier == 2) {
    struct clone_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE_INTO_CGROUP;
    args.exit_signal = SIGCHLD;
    args.cgroup = (uint64_t)cgfd;
    pid = (pid_t)syscall(SYS_clone3, &args, sizeof args);
    if (pid < 0) floor_die("clone3 into", dir, NULL, errno);
    if (pid == 0) {
      execv(argv[3], argv + 3);
      _exit(127);
    }
  } else {
    int procs = floor_open(cgfd, dir, "cgroup.procs", O_WRONLY);
    pid = fork();
    if (pid < 0) floor_die("fork for", dir, NULL, errno);
    if (pid == 0) {
      if (write(procs, "0", 1) != 1) _exit(126);
      execv(argv[3], argv + 3);
      _exit(127);
    }
    close(procs);
  }
  int status;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) floor_die("waitpid in", dir, NULL, errno);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "floor-run: %s failed (status 0x%x)\n", argv[3], status);
    return 1;
  }
  close(cgfd);
  return floor_finish();
}
