#pragma once
// Output files of a run, a comparison and a sweep. Every file is written atomically: to
// `<name>.part` first, then renamed; on any error what was written is removed. Errors are
// returned as values (a sentence naming the file); nothing here throws. The directory must
// exist. Each writer returns the path it wrote.
//
//   summary.json     build_summary()'s object, 2-space indented, trailing newline
//   timeseries.csv   t_s, then MetricsCollector::timeseries() columns (see attach())
//   events.jsonl     one record_to_json() object per line, every record kind
//   compare.json     {"variants": {label: summary or aggregate, ...}}
//   runs.csv         parameters..., seed, then every numeric metric of the summaries
//   points.csv       parameters..., replications, then <metric>.mean, <metric>.ci95
//
// Metric names in the CSVs are the JSON paths joined by '.' ("hosts.time_to_address_s.p50"),
// "scenario" and "wall" left out; the column set is the union over the rows in first-seen
// order (an empty cell where a row lacks the value or it is null).

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

#include "dhcpsim/net/network.hpp"
#include "dhcpsim/net/records.hpp"
#include "dhcpsim/report/metrics.hpp"

namespace dhcpsim::report {

using WriteResult = tl::expected<std::string, std::string>;

/// Writes `content` to `path` atomically (path.part, then rename).
WriteResult write_file_atomic(const std::string& path, std::string_view content);

WriteResult write_summary_json(const std::string& dir, const nlohmann::ordered_json& summary);
WriteResult write_timeseries_csv(const std::string& dir, const MetricsCollector& metrics);
/// The CSV text itself (header + one line per row, '\n' line ends).
std::string timeseries_csv(const TimeSeries& series);

/// One variant of a comparison: a label and its summary (or aggregate).
using LabelledJson = std::pair<std::string, nlohmann::ordered_json>;
WriteResult write_compare_json(const std::string& dir, const std::vector<LabelledJson>& variants);

/// One run of a sweep: its parameter values (as text, in param_names order), its seed and
/// its summary.
struct RunRow {
  std::vector<std::string> params;
  uint64_t seed = 0;
  nlohmann::ordered_json summary;
};
/// `metrics`: the metric names to write (empty: all numeric ones).
WriteResult write_runs_csv(const std::string& dir, const std::vector<std::string>& param_names,
                           const std::vector<RunRow>& runs,
                           const std::vector<std::string>& metrics = {});

/// One point of a sweep: its parameter values and aggregate_replications() of its runs.
struct PointRow {
  std::vector<std::string> params;
  nlohmann::ordered_json aggregate;
};
WriteResult write_points_csv(const std::string& dir, const std::vector<std::string>& param_names,
                             const std::vector<PointRow>& points,
                             const std::vector<std::string>& metrics = {});

/// Numeric leaves of a summary as (dotted path, value), "scenario" and "wall" left out;
/// an aggregated leaf {mean, sd, ci95, n} counts as one leaf (its mean).
std::vector<std::pair<std::string, double>> numeric_leaves(const nlohmann::ordered_json& summary);

/// A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180).
std::string csv_field(std::string_view text);

/// After a run has written its outputs into `dir`: removes the files an earlier run left
/// there that this one did not write (`written`: every path it wrote, report.html and the
/// replications' files included), so the directory never mixes two runs. Only the names
/// `dhcpsim run` writes are touched: summary.json, timeseries.csv, events.jsonl,
/// report.html, pcap/*.pcap, report-data/{run,scenario,compare,sweep}.json,
/// report-data/topology.dot, report-data/messages.jsonl, and the same in each
/// replications/seed-N/, and only files that begin as dhcpsim writes them (a user's own
/// `report.html` in a directory given as --out stays). Directories of these that are left
/// empty go too; anything else stays. A file that cannot be removed stays as well (the run
/// itself has succeeded).
void remove_stale_run_outputs(const std::string& dir, const std::vector<std::string>& written);

/// Writes `events.jsonl` in a directory: every trace record as one JSON object per line.
class EventsJsonlSink : public net::TraceSink {
 public:
  EventsJsonlSink(const net::Network& network, std::string directory);
  ~EventsJsonlSink() override;
  EventsJsonlSink(const EventsJsonlSink&) = delete;
  EventsJsonlSink& operator=(const EventsJsonlSink&) = delete;

  uint64_t subscriptions() const override { return net::kAllKinds; }
  void on_record(const net::Record& r) override;
  /// Closes the file and gives it its final name; on error removes it.
  WriteResult finish();
  /// Removes what was written (a failed run).
  void abandon();
  uint64_t lines() const { return lines_; }

 private:
  const net::Network& network_;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string error_;
  std::string line_;
  uint64_t lines_ = 0;
  bool done_ = false;
};

}  // namespace dhcpsim::report
