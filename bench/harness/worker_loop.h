#pragma once
// What a worker does until it is killed, and how busy workers are kept from
// starving the command under test.

namespace cgbench {

enum class Load { sleep, spin, churn };

const char* load_name(Load l);

// How busy workers (spin, churn) are kept from starving the command under
// test; see bench/README.md.
enum class Busy { idle_group, sched_idle, normal };

/// Exits the worker: its SIGTERM handler, so that "term" measures a handled signal.
extern "C" void worker_on_term(int);

/// Runs `load` forever.
[[noreturn]] void worker_loop(Load load);

}  // namespace cgbench
