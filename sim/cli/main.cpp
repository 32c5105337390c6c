#include <cstdio>
#include <cstring>

#include "dhcpsim_version.hpp"

int main(int argc, char** argv) {
  if (argc > 1 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("dhcpsim %s\n", dhcpsim::cli::kVersion);
    return 0;
  }
  std::fprintf(stderr, "dhcpsim: the command line is not built yet\n");
  return 2;
}
