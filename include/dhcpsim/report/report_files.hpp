#pragma once
// The HTML report's files: what a run, a comparison or a sweep keeps for it in
// OUT_DIR/report-data/, the tools it needs (Chart.js from Debian's libjs-chart.js, `dot`
// from Debian's graphviz), and OUT_DIR/report.html, built from those files alone (so
// `dhcpsim report OUT_DIR` rebuilds the same bytes later).
//
//   report-data/run.json        a run: scenario facts, time-to-address CDF, server names,
//                               the chosen clients (see html_report.cpp) and their reasons
//   report-data/scenario.json   the scenario as run (after --set)
//   report-data/topology.dot    net::topology_graphviz() of the run's network
//   report-data/messages.jsonl  the chosen clients' DHCP messages (message_log.hpp)
//   report-data/compare.json    a comparison: {"kind", "seed", "replications",
//                               "program_version", "variants": [{"label", "dir"}]}; the
//                               summaries come from OUT_DIR/compare.json and the time series
//                               from OUT_DIR/<dir>/timeseries.csv
//   report-data/sweep.json      a sweep (render_sweep_report)
// A run's report also reads OUT_DIR/summary.json and OUT_DIR/timeseries.csv.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "dhcpsim/report/outputs.hpp"

namespace dhcpsim::report {

inline constexpr const char* kDefaultChartJs = "/usr/share/javascript/chart.js/chart.min.js";

/// Where the report's tools are.
struct ReportTools {
  std::string chartjs;  // Chart.js 3 UMD build
  std::string dot;      // Graphviz's dot
};

/// Finds Chart.js (DHCPSIM_CHARTJS, else kDefaultChartJs) and dot (DHCPSIM_DOT, else `dot`
/// on PATH). The error says which Debian package to install.
tl::expected<ReportTools, std::string> find_report_tools();

/// The whole file (binary), or an error naming it.
tl::expected<std::string, std::string> read_text_file(const std::string& path);

/// `dot -Tsvg FILE`: the SVG text, or an error with dot's exit status.
tl::expected<std::string, std::string> run_dot(const ReportTools& tools,
                                               const std::string& dot_file);

/// What a run keeps for its report.
struct RunReportData {
  nlohmann::ordered_json run;
  std::string scenario_json;
  std::string topology_dot;
  std::string messages_jsonl;
};
/// Writes report-data/ in `dir` (each file atomically); the paths written. On an error
/// what was written is removed.
tl::expected<std::vector<std::string>, std::string> write_run_report_data(
    const std::string& dir, const RunReportData& data);
/// report-data/compare.json or report-data/sweep.json.
WriteResult write_report_data_json(const std::string& dir, const std::string& name,
                                   const nlohmann::ordered_json& doc);

/// Builds `dir`/report.html from the files in `dir` (a run's, a comparison's or a sweep's,
/// by which report-data file is there) and writes it atomically; returns its path.
WriteResult write_report(const std::string& dir, const ReportTools& tools);

}  // namespace dhcpsim::report
