#pragma once
// One function per subcommand. Each returns the process exit code.

#include <iosfwd>
#include <cstdint>
#include <optional>
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

namespace dhcpsim::cli {

struct RunOptions {
  std::string scenario;
  std::optional<uint64_t> seed;
  std::string out_dir;  // empty: ./dhcpsim-out/<name>
  std::string until;    // a duration, empty: the scenario's
  std::vector<std::string> sets;
  uint64_t replications = 1;
  unsigned jobs = 1;
  bool pcap = false;
  bool trace = false;
  bool quiet = false;
  bool json = false;
  bool report = false;              // OUT_DIR/report.html (and report-data/)
  std::vector<std::string> follow;  // hosts whose message ladder the report draws (implies report)
};
int cmd_run(const RunOptions& options, std::ostream& out, std::ostream& err);

struct ValidateOptions {
  std::vector<std::string> files;
  std::vector<std::string> sets;
};
int cmd_validate(const ValidateOptions& options, std::ostream& out, std::ostream& err);

struct CompareOptions {
  std::vector<std::string> scenarios;
  std::optional<uint64_t> seed;
  uint64_t replications = 1;
  unsigned jobs = 1;
  std::string out_dir;
  std::string until;
  bool quiet = false;
  bool json = false;
  bool report = false;
};
int cmd_compare(const CompareOptions& options, std::ostream& out, std::ostream& err);

struct SweepOptions {
  std::string file;
  unsigned jobs = 1;
  std::string out_dir;
  bool quiet = false;
  bool report = false;
};
int cmd_sweep(const SweepOptions& options, std::ostream& out, std::ostream& err);

struct ReportOptions {
  std::string dir;
};
/// `dhcpsim report OUT_DIR`: rebuilds OUT_DIR/report.html from the files a run, compare or
/// sweep with --report left there (byte-identical to the one it wrote).
int cmd_report(const ReportOptions& options, std::ostream& out, std::ostream& err);

}  // namespace dhcpsim::cli
