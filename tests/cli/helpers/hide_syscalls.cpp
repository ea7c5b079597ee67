// hide_syscalls NAMES COMMAND [ARG...]: runs COMMAND with the syscalls in
// NAMES (comma-separated: pidfd_open, pidfd_send_signal, clone3, or "all")
// answering ENOSYS, as a kernel older than 5.3 (5.1 for pidfd_send_signal)
// would. A raw seccomp BPF filter (no libseccomp); it is inherited across
// fork and exec, so the tools under test and everything they start see it.
// Exits 125 on bad usage or when the filter cannot be installed.

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#if defined(__x86_64__)
constexpr unsigned k_arch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr unsigned k_arch = AUDIT_ARCH_AARCH64;
#else
#error "hide_syscalls: add this architecture's AUDIT_ARCH"
#endif

namespace {

// The same numbers on x86_64 and the asm-generic table (arm64).
struct Hidden {
  const char* name;
  unsigned nr;
};
constexpr Hidden k_known[] = {{"pidfd_send_signal", 424}, {"pidfd_open", 434}, {"clone3", 435}};

bool pick(const std::string& names, std::vector<unsigned>& out) {
  std::size_t start = 0;
  while (start <= names.size()) {
    std::size_t end = names.find(',', start);
    std::string one = names.substr(start, end == std::string::npos ? std::string::npos : end - start);
    bool found = false;
    for (const auto& k : k_known) {
      if (one == "all" || one == k.name) {
        out.push_back(k.nr);
        found = true;
      }
    }
    if (!found) return false;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return !out.empty();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<unsigned> nrs;
  if (argc < 3 || !pick(argv[1], nrs)) {
    std::fprintf(stderr, "usage: hide_syscalls pidfd_open,pidfd_send_signal,clone3|all COMMAND [ARG...]\n");
    return 125;
  }
  std::vector<sock_filter> prog = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k_arch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
  };
  for (unsigned nr : nrs) {
    prog.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 1));
    prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
  }
  prog.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  sock_fprog fprog{static_cast<unsigned short>(prog.size()), prog.data()};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) < 0) {
    std::fprintf(stderr, "hide_syscalls: cannot install the filter: %s\n", std::strerror(errno));
    return 125;
  }
  // The filter must really answer ENOSYS (a cheap call that creates nothing).
  for (unsigned nr : nrs) {
    errno = 0;
    long r = ::syscall(static_cast<long>(nr), -1, 0, 0, 0);
    if (r != -1 || errno != ENOSYS) {
      std::fprintf(stderr, "hide_syscalls: syscall %u still answers (errno %d)\n", nr, errno);
      return 125;
    }
  }
  ::execvp(argv[2], argv + 2);
  std::fprintf(stderr, "hide_syscalls: %s: %s\n", argv[2], std::strerror(errno));
  return 127;
}
