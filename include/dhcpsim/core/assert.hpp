#pragma once
// Always-on assertions for the project's invariants. A failed assertion is a bug in
// dhcpsim, never an answer to bad input: it prints the broken invariant and aborts.

namespace dhcpsim::core {
[[noreturn]] void assertion_failed(const char* expr, const char* message, const char* file,
                                   int line) noexcept;
}  // namespace dhcpsim::core

#define DHCPSIM_ASSERT(cond, message)                                              \
  do {                                                                             \
    if (!(cond)) [[unlikely]]                                                      \
      ::dhcpsim::core::assertion_failed(#cond, (message), __FILE__, __LINE__);     \
  } while (false)
