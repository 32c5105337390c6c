#include "dhcpsim/core/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace dhcpsim::core {
void assertion_failed(const char* expr, const char* message, const char* file, int line) noexcept {
  std::fprintf(stderr, "dhcpsim: internal invariant broken: %s\n  check: %s\n  at %s:%d\n",
               message, expr, file, line);
  std::fflush(stderr);
  std::abort();
}
}  // namespace dhcpsim::core
