#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ostream>

#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim/cli/runner.hpp"
#include "dhcpsim/report/outputs.hpp"
#include "dhcpsim/report/report_files.hpp"
#include "dhcpsim/report/stats.hpp"
#include "dhcpsim/report/summary.hpp"
#include "dhcpsim/scenario/parse.hpp"
#include "dhcpsim_version.hpp"

namespace dhcpsim::cli {

/// --report (cmd_report.cpp): Chart.js and dot are found before anything runs; false
/// after printing the error.
bool find_report_tools(std::optional<report::ReportTools>& tools, std::ostream& err);
/// compare/sweep --report (cmd_report.cpp): report-data/NAME, then report.html; the
/// page's path, or nullopt after printing the error.
std::optional<std::string> write_report_with_data(const std::string& dir, const std::string& name,
                                                  const nlohmann::ordered_json& doc,
                                                  const report::ReportTools& tools, std::ostream& err);

void print_errors(const scenario::Errors& errors, std::ostream& err);
std::optional<core::Duration> parse_until(const std::string& text, std::ostream& err, bool& bad);
/// --replications outside 1 to Limits::kMaxReplications: prints why and sets `bad`.
void check_replications(uint64_t n, std::ostream& err, bool& bad);

/// The metrics a side-by-side comparison shows: (label, JSON pointer into summary.json).
const std::vector<std::pair<std::string, std::string>>& key_metrics() {
  static const std::vector<std::pair<std::string, std::string>> m = {
      {"hosts", "/hosts/total"},
      {"hosts with a usable address", "/hosts/with_address"},
      {"  ... at the end", "/hosts/with_address_at_end"},
      {"time to address p50 (s)", "/hosts/time_to_address_s/p50"},
      {"time to address p90 (s)", "/hosts/time_to_address_s/p90"},
      {"time to address max (s)", "/hosts/time_to_address_s/max"},
      {"blocked clients", "/hosts/blocked"},
      {"gateway probes ok", "/probes/gateway/ok_ratio"},
      {"peer probes ok", "/probes/peer/ok_ratio"},
      {"outside probes ok", "/probes/outside/ok_ratio"},
      {"DNS probes ok", "/probes/dns/ok_ratio"},
      {"replies to the wrong host", "/network/stray_replies"},
      {"ARP cache flips", "/network/arp_flips"},
      {"addresses held twice (truth)", "/conflicts/ground_truth/addresses_conflicted"},
      {"host-seconds in conflict", "/conflicts/ground_truth/host_seconds"},
      {"conflicts detected by ACD", "/conflicts/detected/acd"},
      {"... by ping check", "/conflicts/detected/ping_check"},
      {"... by DECLINE", "/conflicts/detected/decline"},
      {"DHCP messages", "/dhcp_messages/total"},
  };
  return m;
}

std::string format_metric(const nlohmann::ordered_json& summary, const std::string& pointer) {
  nlohmann::ordered_json::json_pointer p(pointer);
  if (!summary.contains(p)) return "-";
  const auto& v = summary[p];
  auto num = [](double d) {
    if (d == static_cast<double>(static_cast<int64_t>(d)) && std::fabs(d) < 1e15) return fmt::format("{}", static_cast<int64_t>(d));
    return fmt::format("{:.3f}", d);
  };
  if (report::is_estimate(v)) {
    std::string s = num(v["mean"].get<double>());
    if (v.contains("ci95") && !v["ci95"].is_null()) s += " ± " + fmt::format("{:.3f}", v["ci95"].get<double>());
    return s;
  }
  if (v.is_number()) return num(v.get<double>());
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string comparison_table(const std::vector<report::LabelledJson>& variants) {
  const std::size_t w = 30;
  std::vector<std::size_t> cw;
  for (const auto& [name, s] : variants) cw.push_back(std::clamp<std::size_t>(name.size(), 12, 40));
  std::string out = fmt::format("{:<{}}", "metric", w);
  for (std::size_t k = 0; k < variants.size(); ++k) out += fmt::format("  {:>{}}", variants[k].first.substr(0, cw[k]), cw[k]);
  out += "\n";
  for (const auto& [label, ptr] : key_metrics()) {
    bool any = false;
    for (const auto& [name, s] : variants) any |= s.contains(nlohmann::ordered_json::json_pointer(ptr));
    if (!any) continue;
    out += fmt::format("{:<{}}", label, w);
    for (std::size_t k = 0; k < variants.size(); ++k) out += fmt::format("  {:>{}}", format_metric(variants[k].second, ptr), cw[k]);
    out += "\n";
  }
  return out;
}

int cmd_compare(const CompareOptions& o, std::ostream& out, std::ostream& err) {
  if (o.scenarios.size() < 2) {
    err << "dhcpsim compare: give at least two scenarios\n";
    return kExitUsage;
  }
  std::vector<scenario::Scenario> scenarios;
  bool bad = false;
  for (const auto& f : o.scenarios) {
    auto s = scenario::load_scenario(f);
    if (!s) {
      print_errors(s.error(), err);
      bad = true;
      continue;
    }
    scenarios.push_back(std::move(*s));
  }
  auto until = parse_until(o.until, err, bad);
  check_replications(o.replications, err, bad);
  if (bad) return kExitUsage;
  std::optional<report::ReportTools> tools;
  if (o.report) {
    if (!find_report_tools(tools, err)) return kExitUsage;
  }
  // The same seed(s) for every scenario: the first scenario's seed unless given.
  const uint64_t seed = o.seed.value_or(scenarios.front().seed);
  const uint64_t reps = o.replications;
  std::string names;
  for (const auto& s : scenarios) names += (names.empty() ? "" : "-vs-") + s.name;
  const std::string dir = output_dir(o.out_dir, "compare-" + names);

  std::vector<RunResult> results(scenarios.size() * reps);
  parallel_for(results.size(), std::max(1u, o.jobs), [&](std::size_t k) {
    const std::size_t si = k / reps;
    const uint64_t r = k % reps;
    RunRequest req;
    req.scenario = &scenarios[si];
    req.seed = seed + r;
    req.until = until;
    req.out_dir =
        dir + "/" + scenarios[si].name + (reps > 1 ? "/seed-" + std::to_string(seed + r) : "");
    results[k] = run_scenario(req);
  });
  std::vector<report::LabelledJson> variants;
  for (std::size_t si = 0; si < scenarios.size(); ++si) {
    std::vector<nlohmann::ordered_json> sums;
    for (uint64_t r = 0; r < reps; ++r) {
      const RunResult& rr = results[si * reps + r];
      if (!rr.error.empty()) {
        err << "dhcpsim: " << rr.error << "\n";
        return kExitUsage;
      }
      sums.push_back(rr.summary);
    }
    std::string label = scenarios[si].name;
    for (const auto& [l, j] : variants)
      if (l == label) label += "#" + std::to_string(si + 1);
    variants.push_back({label, reps > 1 ? report::aggregate_replications(sums) : sums.front()});
  }
  auto w = report::write_compare_json(dir, variants);
  if (!w) {
    err << "dhcpsim: " << w.error() << "\n";
    return kExitUsage;
  }
  std::string html;
  if (tools) {
    // The report reads compare.json and each variant's (first) run's time series.
    nlohmann::ordered_json meta = nlohmann::ordered_json::object();
    meta["kind"] = "compare";
    meta["seed"] = seed;
    meta["replications"] = reps;
    meta["program_version"] = kVersion;
    nlohmann::ordered_json vs = nlohmann::ordered_json::array();
    for (std::size_t si = 0; si < scenarios.size(); ++si) {
      nlohmann::ordered_json v = nlohmann::ordered_json::object();
      v["label"] = variants[si].first;
      v["dir"] = scenarios[si].name + (reps > 1 ? "/seed-" + std::to_string(seed) : "");
      vs.push_back(std::move(v));
    }
    meta["variants"] = std::move(vs);
    auto h = write_report_with_data(dir, "compare.json", meta, *tools, err);
    if (!h) return kExitUsage;
    html = *h;
  }
  if (o.json) {
    nlohmann::ordered_json j;
    for (const auto& [l, s] : variants) j[l] = s;
    out << j.dump(2) << "\n";
  } else if (!o.quiet) {
    out << "seed " << seed << (reps > 1 ? fmt::format(" .. {} ({} replications, mean ± 95% CI)", seed + reps - 1, reps) : "")
        << "\n"
        << comparison_table(variants) << "outputs in " << dir << "/\n";
    if (!html.empty()) out << "report: " << html << "\n";
  }
  return kExitOk;
}

}  // namespace dhcpsim::cli
