#include "dhcpsim/cli/app.hpp"

#include <exception>
#include <ostream>

#include <CLI/CLI.hpp>

#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim_version.hpp"

namespace dhcpsim::cli {

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{"dhcpsim: a deterministic discrete-event simulator of IPv4 address assignment", "dhcpsim"};
  app.set_version_flag("--version", std::string("dhcpsim ") + kVersion);
  app.require_subcommand(1);

  DecodeOptions decode;
  auto* dec = app.add_subcommand("decode", "Decode every frame of a pcap file as JSON (one object per line)");
  dec->add_option("FILE", decode.file, "pcap file (Ethernet link type)")->required();
  dec->add_flag("--roundtrip", decode.roundtrip, "Also re-encode each frame and compare with the original bytes");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out << app.help();
    return kExitOk;
  } catch (const CLI::CallForAllHelp&) {
    out << app.help("", CLI::AppFormatMode::All);
    return kExitOk;
  } catch (const CLI::CallForVersion&) {
    out << "dhcpsim " << kVersion << "\n";
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    // CLI11 numbers its own errors from 100 up; for us every usage error is exit 2.
    err << "dhcpsim: " << e.what() << "\n";
    if (!app.get_subcommands().empty()) err << "Run with --help for usage.\n";
    return kExitUsage;
  }

  try {
    if (dec->parsed()) return cmd_decode(decode, out, err);
  } catch (const std::exception& e) {
    err << "dhcpsim: internal error: " << e.what() << "\n";
    return kExitInternal;
  }
  return kExitUsage;
}

}  // namespace dhcpsim::cli
