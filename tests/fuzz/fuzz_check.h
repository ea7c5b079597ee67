#pragma once
// What every harness shares: the libFuzzer entry point's signature, and a
// check that turns a broken invariant into a crash libFuzzer reports.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#define FUZZ_CHECK(cond)                                                         \
  do {                                                                           \
    if (!(cond)) {                                                               \
      std::fprintf(stderr, "%s:%d: FUZZ_CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                              \
    }                                                                            \
  } while (0)

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits off the first byte as a selector (0 when there is none).
inline unsigned char take_selector(std::string_view& text) {
  if (text.empty()) return 0;
  auto c = static_cast<unsigned char>(text.front());
  text.remove_prefix(1);
  return c;
}
