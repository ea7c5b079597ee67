// A process whose main thread exits (pthread_exit) while four other threads
// wait in pause(): its leader is a zombie and the process lives on. The
// kernel's cgroup.kill passes such a process by (kill_test.cpp).
#include <pthread.h>
#include <unistd.h>

namespace {
void* wait_forever(void*) {
  for (;;) pause();
  return nullptr;
}
}  // namespace

int main() {
  for (int i = 0; i < 4; ++i) {
    pthread_t thread;
    if (pthread_create(&thread, nullptr, wait_forever, nullptr) != 0) return 1;
  }
  pthread_exit(nullptr);
}
