/* signal-bench: cgkill with cgroup.signal against the freeze -> pidfd ->
 * thaw path, on one kernel that has cgroup.signal (the project's patch, see
 * kernel/patches/linux-6.1), in one run. Run by bench/patched-signal.sh
 * inside the patched guest; prints a Markdown report on stdout.
 *
 *   signal-bench CGKILL FLOOR_SIGNAL FLOOR_CGROUP_SIGNAL NS LOADS REPS_SMALL REPS_LARGE [OPS]
 *   e.g. signal-bench build/tools/cgkill/cgkill floor-signal floor-cgroup-signal 1000,5000 sleep,spin,churn 5 3
 *
 * Rows (OPS: hup,term by default), for every N in NS and every load (sleep: pause(); spin: a busy
 * loop; churn: fork a child that exits, wait for it, forever):
 *   term: `cgkill -TERM --wait J` with cgroup.signal, the same with
 *         CGJOB_NO_CGROUP_SIGNAL=1 (cgkill's freeze path), and the floor
 *         programs of both: floor-signal (freeze, pidfd signal each, thaw,
 *         wait) and floor-cgroup-signal (one write, wait for populated 0:
 *         what is left is the workers' own exits);
 *         N fresh workers for every sample, each exits in its TERM handler;
 *   hup:  `cgkill -HUP J` both ways, on the same N workers, whose HUP
 *         handler counts deliveries: a sample is valid only when every
 *         worker handled exactly one (see hups_delivered). While the
 *         command runs the job's cpu.stat usage_usec is read every
 *         millisecond: "stall" is the longest time it did not advance (a
 *         frozen job stalls), "CPU" the CPUs' worth the job got meanwhile
 *         (busy loads only).
 * Every command row also has "late ms": the worst wake-up lateness of a task
 * outside the job (SCHED_FIFO, waking every millisecond on absolute
 * deadlines, as cyclictest does), over the command's run, median (max) of
 * the samples. What signalling costs the rest of the machine (a lock held
 * with interrupts off, say) shows there; the idle figure comes first.
 * Wall time: CLOCK_MONOTONIC around fork..wait of the command; a sample
 * counts only if the command exited 0 and the job was empty (term) or every
 * worker had its one HUP (hup). The timed runs go without -v: with -v,
 * cgkill counts the processes before a one-write delivery (cgkill(1)), which
 * on thousands of forking workers takes seconds. Which mechanism each variant
 * uses is checked once per row group instead, by `cgkill -v` on 10 workers.
 *
 * Safety: it works only in <cgroup2 mount>/cgjobs-sigbench-<pid>, which it
 * creates and removes; it signals only its own children (unreaped, so their
 * PIDs cannot be reused); workers die with it (PR_SET_PDEATHSIG).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WORKERS 20000
#define MAX_REPS 32
#define CMD_TIMEOUT_MS 120000.0

enum load { SLEEP, SPIN, CHURN };
static const char *load_names[] = {"sleep", "spin", "churn"};

struct slot {
  pid_t pid;
  int hups;
};
static struct slot *slots; /* shared with the workers */
static int *ready;         /* workers set up, shared */
static struct slot *me;    /* a worker's own slot */

static char base[1024], jobs[2048], job[4096], self_cg[2048], err_file[256];
static pid_t main_pid; /* cleanup runs there only, never in a forked child */
static pid_t worker_pids[MAX_WORKERS];
static int n_workers;

static double mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what) {
  fprintf(stderr, "signal-bench: %s: %s\n", what, strerror(errno));
  exit(1);
}

static void write_file(const char *dir, const char *file, const char *text) {
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, strlen(text)) < 0) die(path);
  close(fd);
}

/* The value of `key` in a "key value" file (cgroup.events, cpu.stat). */
static long long read_key(const char *dir, const char *file, const char *key) {
  char path[4200], buf[4096];
  snprintf(path, sizeof path, "%s/%s", dir, file);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) die(path);
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) die(path);
  buf[n] = 0;
  size_t klen = strlen(key);
  for (char *p = buf; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
    if (!strncmp(p, key, klen) && p[klen] == ' ') return atoll(p + klen + 1);
  return -1;
}

static void sleep_ms(double ms) {
  struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000) * 1e6)};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/* ----------------------------------------------------------- latency probe */

struct probe {
  long long max_late_us; /* the worst lateness since the last reset */
  int reset;             /* set by the bench, cleared by the probe */
};
static struct probe *probe;

static long long ts_us(const struct timespec *t) { return t->tv_sec * 1000000LL + t->tv_nsec / 1000; }

/* The probe's loop, in a child that stays in the bench's own cgroup. */
static void run_probe(void) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  struct sched_param sp = {.sched_priority = 50};
  if (sched_setscheduler(0, SCHED_FIFO, &sp)) fprintf(stderr, "signal-bench: probe not SCHED_FIFO: %s\n", strerror(errno));
  struct timespec next, now;
  clock_gettime(CLOCK_MONOTONIC, &next);
  for (;;) {
    next.tv_nsec += 1000000;
    if (next.tv_nsec >= 1000000000) next.tv_nsec -= 1000000000, next.tv_sec++;
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL) == EINTR) {
    }
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long late = ts_us(&now) - ts_us(&next);
    if (__atomic_exchange_n(&probe->reset, 0, __ATOMIC_SEQ_CST)) __atomic_store_n(&probe->max_late_us, 0, __ATOMIC_SEQ_CST);
    if (late > __atomic_load_n(&probe->max_late_us, __ATOMIC_SEQ_CST))
      __atomic_store_n(&probe->max_late_us, late, __ATOMIC_SEQ_CST);
    if (late > 1000) next = now; /* no burst of catch-up wake-ups */
  }
}

static void start_probe(void) {
  probe = mmap(NULL, sizeof *probe, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (probe == MAP_FAILED) die("mmap");
  pid_t p = fork();
  if (p < 0) die("fork");
  if (p == 0) run_probe();
}

/* Starts a measurement: returns once the probe has taken the reset. */
static void probe_reset(void) {
  __atomic_store_n(&probe->reset, 1, __ATOMIC_SEQ_CST);
  double until = mono_ms() + 1000;
  while (__atomic_load_n(&probe->reset, __ATOMIC_SEQ_CST) && mono_ms() < until) sleep_ms(0.2);
}

static double probe_worst_ms(void) { return __atomic_load_n(&probe->max_late_us, __ATOMIC_SEQ_CST) / 1e3; }

/* ---------------------------------------------------------------- workers */

static void on_hup(int sig) {
  (void)sig;
  if (getpid() == me->pid) __atomic_add_fetch(&me->hups, 1, __ATOMIC_SEQ_CST); /* not a churn child */
}
static void on_term(int sig) {
  (void)sig;
  _exit(0);
}

static void worker(int i, enum load load) {
  me = &slots[i];
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  signal(SIGINT, SIG_DFL);
  struct sigaction sa = {0};
  sa.sa_flags = SA_RESTART;
  sa.sa_handler = on_hup;
  sigaction(SIGHUP, &sa, NULL);
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  me->pid = getpid();
  __atomic_add_fetch(ready, 1, __ATOMIC_SEQ_CST);  /* before SCHED_IDLE: no wait for a turn */
  if (load != SLEEP) {
    /* Busy workers take the idle CPU only: the command under test and the
     * sampler run when they want to (as bench/README.md explains). */
    struct sched_param prm = {0};
    sched_setscheduler(0, SCHED_IDLE, &prm);
  }
  volatile unsigned long spins = 0;
  for (;;) {
    if (load == SLEEP) pause();
    if (load == SPIN) spins++;
    if (load == CHURN) {
      pid_t c = fork();
      if (c == 0) _exit(0);
      if (c > 0) waitpid(c, NULL, 0);
    }
  }
}

/* N workers forked inside the job: we join it, fork, and leave again. */
static void spawn_workers(int n, enum load load) {
  *ready = 0;
  memset(slots, 0, sizeof *slots * (size_t)n);
  write_file(job, "cgroup.procs", "0");
  for (int i = 0; i < n; i++) {
    pid_t p = fork();
    if (p < 0) die("fork");
    if (p == 0) worker(i, load);
    worker_pids[i] = p;
  }
  write_file(self_cg, "cgroup.procs", "0");
  n_workers = n;
  double until = mono_ms() + 120000;
  while (__atomic_load_n(ready, __ATOMIC_SEQ_CST) < n && mono_ms() < until) sleep_ms(5);
  if (*ready < n) die("workers did not start");
  sleep_ms(50);
}

static void show_leftovers(void);

/* Kills and reaps every worker still unreaped (ours: safe by PID). */
static void end_workers(void) {
  for (int i = 0; i < n_workers; i++) kill(worker_pids[i], SIGKILL);
  for (int i = 0; i < n_workers; i++) waitpid(worker_pids[i], NULL, 0);
  n_workers = 0;
  double until = mono_ms() + 30000;
  while (read_key(job, "cgroup.events", "populated") != 0 && mono_ms() < until) sleep_ms(5);
  /* The next sample would time these too: say so. */
  if (read_key(job, "cgroup.events", "populated") != 0) {
    fprintf(stderr, "signal-bench: the job still has processes 30 s after its workers were killed\n");
    show_leftovers();
  }
}

/* Reaps workers that exited (after a TERM); the rest are killed. */
static void reap_workers(void) { end_workers(); }

/* --------------------------------------------------------------- commands */

struct sample {
  double wall_ms, cpu_ms, stall_ms, job_cpus, late_ms;
  int exited_0; /* the command exited 0 */
  int ok;       /* ... and cgkill -v named the mechanism asked for */
};

static void show_task(pid_t pid, const char *who);

/* What is left in the job when a command timed out: how many processes, and
 * what the kernel says of the first three (a signal still pending? blocked?
 * never delivered: a fork that escaped the signal would show SigPnd and
 * ShdPnd empty and keep running). */
static void show_leftovers(void) {
  char path[4200], buf[1 << 16];
  snprintf(path, sizeof path, "%s/cgroup.procs", job);
  int fd = open(path, O_RDONLY);
  ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
  if (fd >= 0) close(fd);
  buf[len > 0 ? len : 0] = 0;
  int n = 0;
  for (char *p = buf; *p; p++) n += *p == '\n';
  fprintf(stderr, "signal-bench: %d processes left in the job (first read, up to 64 KiB)\n", n);
  char *save = NULL;
  int shown = 0;
  for (char *line = strtok_r(buf, "\n", &save); line && shown < 3; line = strtok_r(NULL, "\n", &save)) {
    pid_t pid = (pid_t)atoi(line);
    if (pid <= 0) continue;
    show_task(pid, "left");
    shown++;
  }
}

/* Runs argv (with CGJOB_NO_CGROUP_SIGNAL=1 when `freeze_path`), sampling
 * the job's CPU usage every millisecond until it exits. `mechanism`: what
 * cgkill -v must name, or NULL (the floor). */
static struct sample run_cmd(char *const argv[], int freeze_path, const char *mechanism) {
  struct sample s = {0};
  long long usage0 = read_key(job, "cpu.stat", "usage_usec"), last_usage = usage0;
  probe_reset();
  double t0 = mono_ms(), last_advance = t0, t;
  pid_t p = fork();
  if (p < 0) die("fork");
  if (p == 0) {
    if (freeze_path) setenv("CGJOB_NO_CGROUP_SIGNAL", "1", 1);
    else unsetenv("CGJOB_NO_CGROUP_SIGNAL");
    int null = open("/dev/null", O_WRONLY);
    int err = open(err_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(null, 1);
    if (mechanism) dup2(err, 2);
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  for (;;) {
    pid_t r = wait4(p, &status, WNOHANG, &ru);
    t = mono_ms();
    long long u = read_key(job, "cpu.stat", "usage_usec");
    if (u > last_usage) {
      if (t - last_advance > s.stall_ms) s.stall_ms = t - last_advance;
      last_advance = t;
      last_usage = u;
    }
    if (r == p) break;
    if (t - t0 > CMD_TIMEOUT_MS) {
      show_leftovers();
      kill(p, SIGKILL);
      waitpid(p, &status, 0);
      fprintf(stderr, "signal-bench: %s timed out\n", argv[0]);
      return s;
    }
    sleep_ms(1);
  }
  if (t - last_advance > s.stall_ms) s.stall_ms = t - last_advance;
  s.wall_ms = t - t0;
  s.late_ms = probe_worst_ms();
  s.cpu_ms = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
  s.job_cpus = (double)(last_usage - usage0) / 1e3 / s.wall_ms;
  s.ok = s.exited_0 = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!s.ok) fprintf(stderr, "signal-bench: %s exited with status %#x\n", argv[0], status);
  if (s.ok && mechanism) {
    char text[4096] = "";
    int fd = open(err_file, O_RDONLY);
    ssize_t len = fd < 0 ? -1 : read(fd, text, sizeof text - 1);
    if (fd >= 0) close(fd);
    if (len > 0) text[len] = 0;
    if (!strstr(text, mechanism)) {
      fprintf(stderr, "signal-bench: cgkill -v did not say %s: %s\n", mechanism, text);
      s.ok = 0;
    }
  }
  return s;
}

/* ------------------------------------------------------------------ rows */

/* Whether cgkill, run as variant v (0: cgroup.signal, 1: freeze path), says
 * it used that variant's mechanism: `cgkill -v -TERM --wait` on 10 workers. */
static int uses_mechanism(const char *cgkill, int v, enum load load);

#define N_VARIANTS 4
static const char *variant_names[N_VARIANTS] = {
    "cgkill, cgroup.signal", "cgkill, freeze path (CGJOB_NO_CGROUP_SIGNAL=1)",
    "floor: freeze, pidfd signal each, thaw", "floor: write cgroup.signal, poll populated"};

/* What cgkill -v says for variants 0 and 1 (cgkill(1)). */
static const char *mechanisms[2] = {"(cgroup.signal)", "(frozen, pidfds)"};

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return n == 0 ? 0 : n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct stats {
  double wall[MAX_REPS], cpu[MAX_REPS], stall[MAX_REPS], cpus[MAX_REPS], late[MAX_REPS];
  int n, failed;
};

static void add(struct stats *st, struct sample s, const char *why_bad) {
  if (!s.ok || why_bad) {
    st->failed++;
    if (why_bad) fprintf(stderr, "signal-bench: sample failed: %s\n", why_bad);
    return;
  }
  st->wall[st->n] = s.wall_ms;
  st->cpu[st->n] = s.cpu_ms;
  st->stall[st->n] = s.stall_ms;
  st->cpus[st->n] = s.job_cpus;
  st->late[st->n] = s.late_ms;
  st->n++;
}

/* stall and job CPUs: for HUP to busy workers (TERM ends them). */
static void print_row(const char *op, enum load load, int n, int v, struct stats *st, double ref_wall) {
  double wmin = 0, wmax = 0;
  if (st->n) {
    qsort(st->wall, (size_t)st->n, sizeof(double), cmp_double);
    wmin = st->wall[0];
    wmax = st->wall[st->n - 1];
  }
  double w = median(st->wall, st->n);
  printf("| %s | %s | %d | %s | %.1f (%.1f–%.1f) | %.1f |", op, load_names[load], n, variant_names[v], w, wmin,
         wmax, median(st->cpu, st->n));
  if (load == SLEEP || strcmp(op, "HUP")) printf(" – | – |");
  else printf(" %.1f | %.2f |", median(st->stall, st->n), median(st->cpus, st->n));
  double late = median(st->late, st->n); /* sorts st->late */
  printf(" %.1f (%.1f) |", late, st->n ? st->late[st->n - 1] : 0.0);
  if (v == 0 || ref_wall <= 0 || !st->n) printf(" |");
  else printf(" %.2f |", w / ref_wall);
  printf(" %d/%d |\n", st->n, st->n + st->failed);
  fflush(stdout);
}

static void term_rows(const char *cgkill, const char *floor_signal, const char *floor_cgroup_signal, int n,
                      enum load load, int reps) {
  struct stats st[N_VARIANTS] = {0};
  int mechanism_ok[2] = {uses_mechanism(cgkill, 0, load), uses_mechanism(cgkill, 1, load)};
  char *ours[] = {(char *)cgkill, "--root", jobs, "-TERM", "--wait", "w", NULL};
  char *floor[] = {(char *)floor_signal, "v2", job, "15", NULL};
  char *floor_cg[] = {(char *)floor_cgroup_signal, job, "15", NULL};
  for (int r = 0; r < reps; r++) {
    for (int k = 0; k < N_VARIANTS; k++) {
      int v = (k + r) % N_VARIANTS; /* the order rotates every repetition */
      spawn_workers(n, load);
      struct sample s = v == 3 ? run_cmd(floor_cg, 0, NULL) : run_cmd(v == 2 ? floor : ours, v == 1, NULL);
      /* A command that failed or timed out is counted as failed by add()
       * already (run_cmd said why); these are the ways a success can lie. */
      const char *bad = !s.ok                                              ? NULL
                        : read_key(job, "cgroup.events", "populated") != 0 ? "returned before the job was empty"
                        : v < 2 && !mechanism_ok[v]                        ? "cgkill -v named another mechanism"
                                                                           : NULL;
      add(&st[v], s, bad);
      reap_workers();
    }
  }
  double ref = median(st[0].wall, st[0].n);
  for (int v = 0; v < N_VARIANTS; v++) print_row("TERM --wait", load, n, v, &st[v], ref);
}

/* What the kernel says of one task: state, pending, blocked and caught
 * signals, its parent, where it sleeps. */
static void show_task(pid_t pid, const char *who) {
  char path[64], buf[4096];
  const char *files[] = {"status", "schedstat", "wchan", "syscall"};
  for (unsigned f = 0; f < sizeof files / sizeof *files; f++) {
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, files[f]);
    int fd = open(path, O_RDONLY);
    ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0) close(fd);
    buf[len > 0 ? len : 0] = 0;
    char *save = NULL;
    for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
      if (f > 0 || !strncmp(line, "State", 5) || !strncmp(line, "PPid", 4) || strstr(line, "Pnd") ||
          !strncmp(line, "SigBlk", 6) || !strncmp(line, "SigCgt", 6) || !strncmp(line, "Cpus_allowed_list", 17))
        fprintf(stderr, "  %s %d %s: %s\n", who, (int)pid, files[f], line);
  }
}

/* For the first few workers without their HUP: what the kernel says about
 * their signals and scheduling (a diagnosis, on stderr). */
static void show_undelivered(int n) {
  int shown = 0;
  for (int i = 0; i < n && shown < 3; i++) {
    if (__atomic_load_n(&slots[i].hups, __ATOMIC_SEQ_CST)) continue;
    shown++;
    show_task(worker_pids[i], "worker");
  }
}

/* The HUP reached every worker exactly once. A running task acts on a
 * signal when the scheduler next runs it, and 1,000 SCHED_IDLE spinners on 2
 * slow vCPUs can each wait a minute for that (seen: 48 of 1,000 with the HUP
 * still pending after 60 s, State R, ShdPnd 1); the freeze path's thaw wakes
 * every task, so there they run soon. So, outside the measurement, a freeze
 * and a thaw written here (they send no signal) wake every worker that has
 * not run its handler yet; then each must have counted exactly one HUP.
 * NULL, or why the sample is bad. */
static const char *hups_delivered(int n) {
  int handled = 0;
  for (int i = 0; i < n; i++) handled += __atomic_load_n(&slots[i].hups, __ATOMIC_SEQ_CST) > 0;
  double until = mono_ms() + 180000, next_wake = 0;
  for (;;) {
    /* A straggler can be starved again inside its handler: wake them all
     * again every 10 s. */
    if (handled < n && mono_ms() >= next_wake) {
      write_file(job, "cgroup.freeze", "1");
      while (read_key(job, "cgroup.events", "frozen") != 1 && mono_ms() < until) sleep_ms(5);
      write_file(job, "cgroup.freeze", "0");
      next_wake = mono_ms() + 10000;
    }
    int once = 0, extra = 0;
    for (int i = 0; i < n; i++) {
      int h = __atomic_load_n(&slots[i].hups, __ATOMIC_SEQ_CST);
      once += h == 1;
      extra += h > 1;
    }
    if (extra) return "a worker got the HUP more than once";
    if (once == n) return NULL;
    handled = once;
    if (mono_ms() > until) {
      fprintf(stderr, "signal-bench: %d of %d workers handled the HUP\n", once, n);
      show_undelivered(n);
      return "a worker never got the HUP";
    }
    sleep_ms(5);
  }
}

static void hup_rows(const char *cgkill, int n, enum load load, int reps) {
  struct stats st[2] = {0};
  int mechanism_ok[2] = {uses_mechanism(cgkill, 0, load), uses_mechanism(cgkill, 1, load)};
  char *ours[] = {(char *)cgkill, "--root", jobs, "-HUP", "w", NULL};
  spawn_workers(n, load);
  for (int r = 0; r < reps; r++) {
    for (int k = 0; k < 2; k++) {
      int v = (k + r) % 2;
      for (int i = 0; i < n; i++) __atomic_store_n(&slots[i].hups, 0, __ATOMIC_SEQ_CST);
      sleep_ms(50);
      struct sample s = run_cmd(ours, v == 1, NULL);
      /* Waited for whenever a HUP went out, so none arrives in the next sample. */
      const char *bad = s.exited_0 ? hups_delivered(n) : NULL;
      if (!bad && !mechanism_ok[v]) bad = "cgkill -v named another mechanism";
      add(&st[v], s, bad);
    }
  }
  end_workers();
  double ref = median(st[0].wall, st[0].n);
  for (int v = 0; v < 2; v++) print_row("HUP", load, n, v, &st[v], ref);
}

static int uses_mechanism(const char *cgkill, int v, enum load load) {
  char *argv[] = {(char *)cgkill, "-v", "--root", jobs, "-TERM", "--wait", "w", NULL};
  spawn_workers(10, load);
  struct sample s = run_cmd(argv, v == 1, mechanisms[v]);
  reap_workers();
  return s.ok;
}

/* ------------------------------------------------------------------ main */

static void cleanup(void) {
  if (getpid() != main_pid) return;
  if (n_workers) end_workers();
  unlink(err_file);
  rmdir(job);
  rmdir(jobs);
  /* We are in self_cg: move to the mount's root first. */
  char root[4096];
  snprintf(root, sizeof root, "%.*s", (int)(strrchr(base, '/') - base), base);
  int fd = open(strcat(root, "/cgroup.procs"), O_WRONLY);
  if (fd >= 0) {
    (void)!write(fd, "0", 1);
    close(fd);
  }
  rmdir(self_cg);
  rmdir(base);
}

static void on_stop(int sig) {
  (void)sig;
  exit(130); /* atexit: cleanup */
}

static const char *cgroup2_mount(void) {
  static char mnt[512];
  FILE *f = fopen("/proc/self/mountinfo", "r");
  char line[8192];
  while (f && fgets(line, sizeof line, f)) {
    char m[512];
    char *dash = strstr(line, " - cgroup2 ");
    if (dash && sscanf(line, "%*s %*s %*s %*s %511s", m) == 1) {
      strcpy(mnt, m);
      fclose(f);
      return mnt;
    }
  }
  if (f) fclose(f);
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 8 && argc != 9) {
    fprintf(stderr,
            "usage: signal-bench CGKILL FLOOR_SIGNAL FLOOR_CGROUP_SIGNAL NS LOADS REPS_SMALL REPS_LARGE [hup,term]\n");
    return 2;
  }
  const char *cgkill = argv[1], *floor_signal = argv[2], *floor_cgroup_signal = argv[3];
  argv++, argc--; /* the rest as before FLOOR_CGROUP_SIGNAL was added */
  int reps_small = atoi(argv[5]), reps_large = atoi(argv[6]);
  if (reps_small < 1 || reps_small > MAX_REPS || reps_large < 1 || reps_large > MAX_REPS) {
    fprintf(stderr, "signal-bench: repetitions must be 1..%d\n", MAX_REPS);
    return 2;
  }
  const char *mnt = cgroup2_mount();
  if (!mnt) {
    fprintf(stderr, "signal-bench: no cgroup2 mount\n");
    return 3;
  }
  main_pid = getpid();
  snprintf(err_file, sizeof err_file, "/tmp/signal-bench-%d.err", (int)main_pid);
  snprintf(base, sizeof base, "%s/cgjobs-sigbench-%d", mnt, (int)getpid());
  snprintf(self_cg, sizeof self_cg, "%s/self", base);
  snprintf(jobs, sizeof jobs, "%s/jobs", base);
  snprintf(job, sizeof job, "%s/w", jobs);
  if (mkdir(base, 0755) || mkdir(self_cg, 0755) || mkdir(jobs, 0755) || mkdir(job, 0755)) die("mkdir");
  atexit(cleanup);
  signal(SIGINT, on_stop);
  signal(SIGTERM, on_stop);
  signal(SIGHUP, on_stop);
  write_file(self_cg, "cgroup.procs", "0");
  char probe[4200];
  snprintf(probe, sizeof probe, "%s/cgroup.signal", job);
  if (access(probe, F_OK)) {
    fprintf(stderr, "signal-bench: this kernel has no cgroup.signal\n");
    return 3;
  }
  struct rlimit lim;
  if (!getrlimit(RLIMIT_NOFILE, &lim)) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  slots = mmap(NULL, sizeof *slots * MAX_WORKERS + 64, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (slots == MAP_FAILED) die("mmap");
  ready = (int *)(slots + MAX_WORKERS);

  start_probe();
  probe_reset();
  sleep_ms(2000);
  printf("Idle: the probe outside the job woke at most %.1f ms late over 2 s.\n\n", probe_worst_ms());
  printf("| op | load | N | command | wall ms, median (min–max) | cmd CPU ms | stall ms | job CPUs | "
         "late ms, median (max) | cgroup.signal faster by | valid |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  fflush(stdout);
  char *ns = strdup(argv[3]), *ns_save = NULL;
  for (char *nt = strtok_r(ns, ",", &ns_save); nt; nt = strtok_r(NULL, ",", &ns_save)) {
    int n = atoi(nt);
    if (n < 1 || n > MAX_WORKERS) {
      fprintf(stderr, "signal-bench: N must be 1..%d\n", MAX_WORKERS);
      return 2;
    }
    int reps = n >= 5000 ? reps_large : reps_small;
    char *loads = strdup(argv[4]), *save = NULL;
    for (char *lt = strtok_r(loads, ",", &save); lt; lt = strtok_r(NULL, ",", &save)) {
      enum load load = !strcmp(lt, "spin") ? SPIN : !strcmp(lt, "churn") ? CHURN : SLEEP;
      if (argc < 8 || strstr(argv[7], "hup")) hup_rows(cgkill, n, load, reps);
      if (argc < 8 || strstr(argv[7], "term")) term_rows(cgkill, floor_signal, floor_cgroup_signal, n, load, reps);
    }
    free(loads);
  }
  free(ns);
  return 0;
}
