#pragma once
// The HTML report: one self-contained page (Chart.js, the data and the drawings embedded;
// nothing is fetched) for a run, a comparison or a sweep.
//
// Everything here is a pure function of its inputs (no file, no clock, no process): the
// caller reads the output directory and runs Graphviz (report_files.hpp), so the same
// inputs give byte-identical pages. Numbers are formatted from integers or with fixed
// rules; no wall-clock value from summary.json reaches the page.
//
// Charts are Chart.js charts built by a small script in the page from one embedded JSON
// object (<script type="application/json" id="dhcpsim-data">) holding the chart specs:
//   {"kind": "run" | "compare" | "sweep",
//    "charts": [{"id", "title", "kind", "type", "x_type", "x_title", "y_title", "x",
//                "datasets": [{"label", "y", "ci"?, "color"?, "dash"?, "stepped"?}], ...}]}
// After drawing, the page sets `window.dhcpsimCharts` to one entry per chart
// ({"id", "kind", "datasets": [points per dataset], "placed": [points laid out],
// "error_bars": error bars drawn}) for the browser test.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace dhcpsim::report {

/// In the <head> of every page rendered here: how a later run recognises a report.html
/// as dhcpsim's own before removing it as stale (remove_stale_run_outputs).
inline constexpr std::string_view kReportGeneratorMeta = "<meta name=\"generator\" content=\"dhcpsim\">";

using HtmlResult = tl::expected<std::string, std::string>;

/// Chart.js's source, as installed (libjs-chart.js), and where it came from.
struct ReportAssets {
  std::string chartjs;
};

/// One line of report-data/messages.jsonl (see message_log.hpp).
struct LadderMessage {
  int64_t t_ns = 0;
  std::string client;
  std::string node;
  std::string role;  // "client", "relay", "server"
  bool sent = false;
  std::string type;  // "DHCPDISCOVER", ...
  std::string xid;   // "0x0123abcd"
  std::string src;
  std::string dst;
  std::string server_id;  // "" when absent
  std::string addr;       // "" when absent
};

/// Parses messages.jsonl; the error names the line.
tl::expected<std::vector<LadderMessage>, std::string> parse_messages_jsonl(std::string_view text);

/// What a ladder shows, for tests and the page.
struct LadderStats {
  std::size_t arrows = 0;              // one per message sent (by anyone)
  std::size_t delivered = 0;           // arrows with at least one receiver
  std::size_t unmatched_receives = 0;  // receptions no recorded send explains
  std::size_t participants = 0;
};

/// The message ladder (sequence chart) of one client as an SVG element: a lifeline per
/// participant (the client, each relay, each server), one row per message sent, with its
/// virtual time on the left, an arrow to each participant that received it, broadcasts
/// dashed, messages nobody received ending in a cross. `messages` are the client's
/// records in time order; `server_names` maps a node name to the DHCP server name it runs.
///
/// A reception is matched to the latest earlier send (within 10 s) by another participant
/// of the same message (type, xid, server identifier): for a client or a server, the same
/// IP packet (source and destination addresses); for a relay, whose forwarding stands for
/// its reception, a request from the client or a reply from a server. A unicast send is
/// matched once.
std::string ladder_svg(const std::string& client, const std::vector<LadderMessage>& messages,
                       const std::map<std::string, std::string>& server_names,
                       LadderStats* stats = nullptr);

/// A run's report. Inputs are the files of the output directory (report_files.hpp):
struct RunReportInput {
  nlohmann::ordered_json summary;  // summary.json
  std::string timeseries_csv;      // timeseries.csv
  nlohmann::ordered_json run;      // report-data/run.json
  std::string scenario_text;       // report-data/scenario.json
  std::string messages_jsonl;      // report-data/messages.jsonl
  std::string topology_svg;        // Graphviz's SVG of report-data/topology.dot
};
HtmlResult render_run_report(const RunReportInput& input, const ReportAssets& assets);

/// A comparison's report: per variant its label, summary (or replication aggregate) and
/// the time series of its (first) run.
struct CompareVariantInput {
  std::string label;
  nlohmann::ordered_json summary;
  std::string timeseries_csv;
};
struct CompareReportInput {
  nlohmann::ordered_json meta;  // report-data/compare.json
  std::vector<CompareVariantInput> variants;
};
HtmlResult render_compare_report(const CompareReportInput& input, const ReportAssets& assets);

/// A sweep's report from report-data/sweep.json:
///   {"kind": "sweep", "name", "base", "seed", "replications", "parameters": [pointer...],
///    "metrics": [pointer...],
///    "points": [{"params": [text...], "values": {pointer: {"mean", "ci95", "n"} | null}}]}
HtmlResult render_sweep_report(const nlohmann::ordered_json& sweep, const ReportAssets& assets);

/// The points of the empirical CDF of `values_ns` (any order), at most `max_points`:
/// {"n", "x": [seconds], "y": [fraction <= x]}; all points when n <= max_points, else
/// the values at ranks ceil(k n / max_points), k = 1..max_points.
nlohmann::ordered_json cdf_json(std::vector<int64_t> values_ns, std::size_t max_points = 1000);

/// Text escaped for HTML element content and attribute values.
std::string html_escape(std::string_view text);

/// Seconds from integer nanoseconds with exactly `decimals` decimals (0..9), e.g.
/// fixed_seconds(1234567890, 6) = "1.234567".
std::string fixed_seconds(int64_t ns, int decimals);

}  // namespace dhcpsim::report
