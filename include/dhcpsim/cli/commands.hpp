#pragma once
// One function per subcommand. Each returns the process exit code.

#include <iosfwd>
#include <string>
#include <vector>

namespace dhcpsim::cli {

struct DecodeOptions {
  std::string file;
  bool roundtrip = false;
};
/// `dhcpsim decode FILE.pcap [--roundtrip]`: one JSON object per frame on `out`.
int cmd_decode(const DecodeOptions& options, std::ostream& out, std::ostream& err);

}  // namespace dhcpsim::cli
