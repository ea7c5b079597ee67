/* Shared by the floor programs: the raw kernel operations, nothing else.
 *
 * Each floor program does one operation on a cgroup directory given by its
 * full path, times it from inside (CLOCK_MONOTONIC and the process's CPU
 * clock), prints "<wall_ns> <cpu_ns>\n" on stdout and exits 0; on failure it
 * prints "<program>: <op> <path>: <strerror>" on stderr and exits 1.
 * Deliberately independent of lib/: these are the yardstick.
 */
#ifndef CGJOB_BENCH_FLOOR_H
#define CGJOB_BENCH_FLOOR_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* pidfd_open: 5.3+, pidfd_send_signal: 5.1+; glibc 2.36 wraps neither
 * portably, so call them by number (same on every architecture). */
#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

static const char *floor_prog = "floor";
static long long floor_t0_wall, floor_t0_cpu;

static inline long long floor_now(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void floor_start(const char *prog) {
  floor_prog = prog;
  floor_t0_wall = floor_now(CLOCK_MONOTONIC);
  floor_t0_cpu = floor_now(CLOCK_PROCESS_CPUTIME_ID);
}

static inline int floor_finish(void) {
  long long wall = floor_now(CLOCK_MONOTONIC) - floor_t0_wall;
  long long cpu = floor_now(CLOCK_PROCESS_CPUTIME_ID) - floor_t0_cpu;
  printf("%lld %lld\n", wall, cpu);
  return 0;
}

static inline void floor_die(const char *op, const char *dir, const char *file, int err) {
  fprintf(stderr, "%s: %s %s%s%s: %s\n", floor_prog, op, dir, file ? "/" : "",
          file ? file : "", strerror(err));
  exit(1);
}

static inline int floor_open(int dirfd, const char *dir, const char *file, int flags) {
  int fd = openat(dirfd, file, flags | O_CLOEXEC);
  if (fd < 0) floor_die("open", dir, file, errno);
  return fd;
}

static inline void floor_write(int fd, const char *dir, const char *file, const char *text) {
  size_t len = strlen(text);
  if (write(fd, text, len) != (ssize_t)len) floor_die("write", dir, file, errno);
}

/* Reads the whole file from offset 0 into buf (NUL-terminated); returns length. */
static inline size_t floor_pread(int fd, char *buf, size_t cap, const char *dir, const char *file) {
  size_t len = 0;
  for (;;) {
    ssize_t n = pread(fd, buf + len, cap - 1 - len, (off_t)len);
    if (n < 0) {
      if (errno == EINTR) continue;
      floor_die("read", dir, file, errno);
    }
    if (n == 0 || len + (size_t)n >= cap - 1) {
      len += (size_t)n;
      break;
    }
    len += (size_t)n;
  }
  buf[len] = '\0';
  return len;
}

/* Value of "key N" in a flat-keyed file such as cgroup.events, or -1. */
static inline int floor_key(const char *buf, const char *key) {
  size_t klen = strlen(key);
  const char *p = buf;
  while (p && *p) {
    if (strncmp(p, key, klen) == 0 && p[klen] == ' ') return atoi(p + klen + 1);
    p = strchr(p, '\n');
    if (p) p++;
  }
  return -1;
}

/* v2: waits until `key` in cgroup.events reads `want`. Reads first, then
 * poll(POLLPRI) with a 1 ms timeout and re-reads: events are rate-limited by
 * the kernel (one per ~12 ms at HZ=250), so poll alone can be late. */
static inline void floor_v2_wait_event(int evfd, const char *dir, const char *key, int want) {
  char buf[256];
  for (;;) {
    floor_pread(evfd, buf, sizeof buf, dir, "cgroup.events");
    if (floor_key(buf, key) == want) return;
    struct pollfd p = {.fd = evfd, .events = POLLPRI};
    poll(&p, 1, 1);
  }
}

/* v2: write cgroup.freeze and wait for `frozen` to follow. */
static inline void floor_v2_set_frozen(int cgfd, const char *dir, int frozen) {
  int ffd = floor_open(cgfd, dir, "cgroup.freeze", O_WRONLY);
  int evfd = floor_open(cgfd, dir, "cgroup.events", O_RDONLY);
  floor_write(ffd, dir, "cgroup.freeze", frozen ? "1" : "0");
  floor_v2_wait_event(evfd, dir, "frozen", frozen);
  close(ffd);
  close(evfd);
}

/* v1 polling interval: starts at FLOOR_V1_POLL_US (default 100 us), doubles
 * up to 1 ms. Busy re-reading steals the CPU the freezing tasks need. */
static inline long floor_v1_first_sleep_us(void) {
  const char *env = getenv("FLOOR_V1_POLL_US");
  return env ? atol(env) : 100;
}

/* v1: write freezer.state and re-read until it reads `state`. A job stuck in
 * FREEZING for 100 ms gets the request written again (as runc does). */
static inline void floor_v1_set_state(int cgfd, const char *dir, const char *state) {
  int sfd = floor_open(cgfd, dir, "freezer.state", O_RDWR);
  char buf[64];
  long sleep_us = floor_v1_first_sleep_us();
  long long rewrite_at = floor_now(CLOCK_MONOTONIC) + 100000000LL;
  floor_write(sfd, dir, "freezer.state", state);
  for (;;) {
    size_t len = floor_pread(sfd, buf, sizeof buf, dir, "freezer.state");
    while (len && buf[len - 1] == '\n') buf[--len] = '\0';
    if (strcmp(buf, state) == 0) break;
    if (floor_now(CLOCK_MONOTONIC) > rewrite_at) {
      if (pwrite(sfd, state, strlen(state), 0) < 0) floor_die("write", dir, "freezer.state", errno);
      rewrite_at = floor_now(CLOCK_MONOTONIC) + 100000000LL;
    }
    if (sleep_us > 0) {
      struct timespec ts = {0, sleep_us * 1000L};
      nanosleep(&ts, NULL);
      sleep_us = sleep_us * 2 > 1000 ? 1000 : sleep_us * 2;
    }
  }
  close(sfd);
}

/* Parses "v1"/"v2". */
static inline int floor_hier(const char *arg) {
  if (strcmp(arg, "v1") == 0) return 1;
  if (strcmp(arg, "v2") == 0) return 2;
  fprintf(stderr, "%s: hierarchy must be v1 or v2, not '%s'\n", floor_prog, arg);
  exit(2);
}

static inline int floor_open_dir(const char *dir) {
  int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) floor_die("open", dir, NULL, errno);
  return fd;
}

#endif
