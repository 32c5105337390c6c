#include <exception>
#include <iostream>

#include "dhcpsim/cli/app.hpp"

int main(int argc, char** argv) {
  try {
    return dhcpsim::cli::run_cli(argc, argv, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "dhcpsim: internal error: " << e.what() << "\n";
    return dhcpsim::cli::kExitInternal;
  } catch (...) {
    std::cerr << "dhcpsim: internal error\n";
    return dhcpsim::cli::kExitInternal;
  }
}
