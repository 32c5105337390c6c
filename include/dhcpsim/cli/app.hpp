#pragma once
// The dhcpsim command line, callable in-process (tests) as well as from main().

#include <iosfwd>

namespace dhcpsim::cli {

/// Exit codes (README, scenarios/FORMAT.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInternal = 1;  // a caught exception that is not the user's fault
inline constexpr int kExitUsage = 2;     // bad input or usage (CLI11's own errors included)
inline constexpr int kExitDecodeFailed = 4;  // `decode`: some frame did not parse/round-trip

/// Runs the command line. Never throws: internal errors become kExitInternal.
int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace dhcpsim::cli
