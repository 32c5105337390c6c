#pragma once
// Running scenarios for the CLI: one run with its outputs, and many runs (replications,
// compare, sweep) in parallel with results in a fixed order.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dhcpsim/report/message_log.hpp"
#include "dhcpsim/scenario/model.hpp"

namespace dhcpsim::cli {

struct RunRequest {
  const scenario::Scenario* scenario = nullptr;
  uint64_t seed = 1;
  std::optional<core::Duration> until;
  std::string out_dir;  // empty: write nothing
  bool pcap = false;
  bool trace = false;
  bool timeseries = true;
  bool progress = false;  // a progress line on stderr
  /// Keep what the HTML report needs in out_dir/report-data/ (report_files.hpp): the
  /// scenario text below, the topology, the message records of the chosen clients.
  bool keep_report_data = false;
  std::vector<std::string> follow;  // host names whose ladders the report draws
  std::string scenario_text;        // the scenario document as run (after --set)
  /// Message records kept in memory before the run is replayed for the chosen clients
  /// (message_log.hpp); tests lower it to exercise the replay.
  std::size_t report_record_cap = report::MessageRecorder::kDefaultCap;
};

struct RunResult {
  nlohmann::ordered_json summary;
  std::vector<std::string> files;  // written
  std::string error;               // non-empty: the run's outputs could not be written
};

/// One run: build, run, collect, write. Never throws for model reasons.
RunResult run_scenario(const RunRequest& request);

/// Runs `n` independent jobs on up to `jobs` threads; results come back by index.
void parallel_for(std::size_t n, unsigned jobs, const std::function<void(std::size_t)>& fn);

/// The output directory for a scenario: the given one, or ./dhcpsim-out/<name>.
std::string output_dir(const std::string& given, const std::string& name);

}  // namespace dhcpsim::cli
