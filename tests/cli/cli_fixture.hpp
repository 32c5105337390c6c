#pragma once
// Shared by the CLI tests: run the command line in-process and read back what it wrote.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "dhcpsim/cli/app.hpp"

namespace dhcpsim::test {

struct Cli {
  int code = 0;
  std::string out, err;
};

/// `dhcpsim ARGS...` with stdout and stderr captured.
inline Cli cli(const std::vector<std::string>& args) {
  std::vector<const char*> argv{"dhcpsim"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  Cli r;
  r.code = dhcpsim::cli::run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  return r;
}

/// The path of a shipped scenario, scenarios/NAME.json.
inline std::string scenario(const std::string& name) {
  return std::string(DHCPSIM_SOURCE_DIR) + "/scenarios/" + name + ".json";
}

/// The whole file, as bytes (empty if it cannot be read).
inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace dhcpsim::test
