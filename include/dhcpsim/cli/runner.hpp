#pragma once
// Running scenarios for the CLI: one run with its outputs, and many runs (replications,
// compare, sweep) in parallel with results in a fixed order.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

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
  bool keep_report_data = false;
  std::vector<std::string> follow;
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
