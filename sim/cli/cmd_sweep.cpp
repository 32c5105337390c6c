#include <fmt/format.h>

#include <filesystem>
#include <ostream>

#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim/cli/runner.hpp"
#include "dhcpsim/report/outputs.hpp"
#include "dhcpsim/report/report_files.hpp"
#include "dhcpsim/report/stats.hpp"
#include "dhcpsim/scenario/parse.hpp"
#include "dhcpsim/scenario/units.hpp"
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
std::string format_metric(const nlohmann::ordered_json& summary, const std::string& pointer);

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

struct Parameter {
  std::string pointer;
  std::vector<json> values;
};

struct Sweep {
  std::string base;
  std::vector<Parameter> parameters;
  uint64_t replications = 1;
  uint64_t seed = 1;
  bool seed_given = false;
  std::string until;
  std::vector<std::string> sets;
  std::vector<std::string> metrics;
};

/// Reads a sweep file (scenarios/FORMAT.md, "compare and sweep"); errors name the JSON pointer.
tl::expected<Sweep, scenario::Errors> read_sweep(const std::string& path) {
  auto doc = scenario::read_json_file(path);
  if (!doc) return tl::unexpected(doc.error());
  scenario::Errors errors;
  auto error = [&](const std::string& ptr, const std::string& msg) { errors.push_back({path, ptr, msg}); };
  Sweep s;
  const json& d = *doc;
  if (!d.is_object()) return tl::unexpected(scenario::Errors{{path, "", "expected a sweep (an object)"}});
  for (const auto& [k, v] : d.items()) {
    static const char* allowed[] = {"$schema", "comment", "base", "parameters", "replications", "seed", "until", "set", "metrics"};
    if (std::find(std::begin(allowed), std::end(allowed), k) == std::end(allowed))
      error("/" + k, "unknown key '" + k + "' (expected one of: base, parameters, replications, seed, until, set, metrics)");
  }
  if (!d.contains("base") || !d["base"].is_string()) {
    error(d.contains("base") ? "/base" : "", "missing or invalid \"base\": the path of the base scenario");
  } else {
    fs::path base = d["base"].get<std::string>();
    if (base.is_relative()) base = fs::path(path).parent_path() / base;
    s.base = base.lexically_normal().string();
  }
  if (!d.contains("parameters") || !d["parameters"].is_array() || d["parameters"].empty()) {
    error(d.contains("parameters") ? "/parameters" : "", "\"parameters\" is a non-empty array of {\"pointer\", \"values\"}");
  } else {
    uint64_t points = 1;
    for (std::size_t i = 0; i < d["parameters"].size(); ++i) {
      const json& p = d["parameters"][i];
      const std::string ptr = "/parameters/" + std::to_string(i);
      if (!p.is_object() || !p.contains("pointer") || !p["pointer"].is_string() || !p.contains("values") ||
          !p["values"].is_array() || p["values"].empty()) {
        error(ptr, "expected {\"pointer\": \"/json/pointer\", \"values\": [ ... ]} with at least one value");
        continue;
      }
      for (const auto& [k, v] : p.items())
        if (k != "pointer" && k != "values" && k != "comment") error(ptr + "/" + k, "unknown key '" + k + "' (expected pointer, values)");
      Parameter par{p["pointer"].get<std::string>(), {}};
      if (par.pointer.empty() || par.pointer[0] != '/') error(ptr + "/pointer", "a JSON pointer starts with '/'");
      for (const auto& v : p["values"]) par.values.push_back(v);
      points *= par.values.size();
      s.parameters.push_back(std::move(par));
    }
    if (points > scenario::Limits::kMaxSweepPoints)
      error("/parameters", "the grid has " + std::to_string(points) + " points; the limit is " +
                               std::to_string(scenario::Limits::kMaxSweepPoints));
  }
  if (d.contains("replications")) {
    if (!d["replications"].is_number_unsigned() || d["replications"].get<uint64_t>() < 1 ||
        d["replications"].get<uint64_t>() > scenario::Limits::kMaxReplications)
      error("/replications", "expected an integer from 1 to " + std::to_string(scenario::Limits::kMaxReplications));
    else
      s.replications = d["replications"].get<uint64_t>();
  }
  if (d.contains("seed")) {
    if (!d["seed"].is_number_unsigned()) error("/seed", "expected a non-negative integer");
    else {
      s.seed = d["seed"].get<uint64_t>();
      s.seed_given = true;
    }
  }
  if (d.contains("until")) {
    if (!d["until"].is_string() || !scenario::parse_duration(d["until"].get<std::string>()))
      error("/until", "expected a duration like \"2h\"");
    else
      s.until = d["until"].get<std::string>();
  }
  auto strings = [&](const char* key, std::vector<std::string>& out) {
    if (!d.contains(key)) return;
    if (!d[key].is_array()) return error(std::string("/") + key, "expected an array of strings");
    for (std::size_t i = 0; i < d[key].size(); ++i) {
      if (!d[key][i].is_string()) error(std::string("/") + key + "/" + std::to_string(i), "expected a string");
      else out.push_back(d[key][i].get<std::string>());
    }
  };
  strings("set", s.sets);
  strings("metrics", s.metrics);
  for (std::size_t i = 0; i < s.metrics.size(); ++i) {
    // A JSON pointer into the summary, as in the table on stdout and in --set.
    const std::string& m = s.metrics[i];
    bool ok = m.size() > 1 && m[0] == '/';
    if (ok) {
      try {
        (void)json::json_pointer(m);
      } catch (const json::exception&) {
        ok = false;
      }
    }
    if (!ok) error("/metrics/" + std::to_string(i), "expected a JSON pointer into summary.json, like \"/hosts/blocked\"");
  }
  if (!errors.empty()) return tl::unexpected(errors);
  return s;
}

std::string value_text(const json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

/// A metric as a JSON pointer: "/hosts/blocked" as is, "hosts.blocked" (the CSV's dotted
/// names) turned into one.
std::string metric_pointer(const std::string& metric) {
  if (!metric.empty() && metric[0] == '/') return metric;
  std::string p = "/" + metric;
  std::replace(p.begin(), p.end(), '.', '/');
  return p;
}

/// The metrics a sweep shows when its file names none (also the table's, plus messages).
const std::vector<std::string>& default_sweep_metrics() {
  static const std::vector<std::string> m = {"/hosts/with_address", "/hosts/blocked",
                                             "/hosts/time_to_address_s/p90",
                                             "/conflicts/ground_truth/addresses_conflicted"};
  return m;
}

}  // namespace

int cmd_sweep(const SweepOptions& o, std::ostream& out, std::ostream& err) {
  auto sweep = read_sweep(o.file);
  if (!sweep) {
    print_errors(sweep.error(), err);
    return kExitUsage;
  }
  const Sweep& sw = *sweep;
  auto base = scenario::read_json_file(sw.base);
  if (!base) {
    print_errors(base.error(), err);
    return kExitUsage;
  }
  for (const auto& set : sw.sets) {
    if (auto r = scenario::apply_override(*base, set, sw.base); !r) {
      print_errors({r.error()}, err);
      return kExitUsage;
    }
  }
  // The grid: the cartesian product of the values, the first parameter varying slowest.
  std::vector<std::vector<std::size_t>> grid{{}};
  for (const auto& p : sw.parameters) {
    std::vector<std::vector<std::size_t>> next;
    for (const auto& g : grid)
      for (std::size_t i = 0; i < p.values.size(); ++i) {
        auto h = g;
        h.push_back(i);
        next.push_back(h);
      }
    grid = std::move(next);
  }
  std::vector<scenario::Scenario> scenarios;
  bool bad = false;
  for (std::size_t pi = 0; pi < grid.size(); ++pi) {
    json doc = *base;
    for (std::size_t k = 0; k < sw.parameters.size(); ++k) {
      const auto& par = sw.parameters[k];
      std::string assignment = par.pointer + "=" + par.values[grid[pi][k]].dump();
      if (auto r = scenario::apply_override(doc, assignment, o.file); !r) {
        err << o.file << ":/parameters/" << k << ": " << r.error().message << "\n";
        bad = true;
      }
    }
    if (bad) break;
    auto s = scenario::parse_scenario(doc, sw.base);
    if (!s) {
      std::string at;
      for (std::size_t k = 0; k < sw.parameters.size(); ++k)
        at += (at.empty() ? "" : ", ") + sw.parameters[k].pointer + "=" + value_text(sw.parameters[k].values[grid[pi][k]]);
      err << "at the sweep point " << at << ":\n";
      print_errors(s.error(), err);
      bad = true;
      break;
    }
    scenarios.push_back(std::move(*s));
  }
  if (bad) return kExitUsage;
  std::optional<report::ReportTools> tools;
  if (o.report) {
    if (!find_report_tools(tools, err)) return kExitUsage;
  }
  std::optional<core::Duration> until;
  if (!sw.until.empty()) until = *scenario::parse_duration(sw.until);
  const uint64_t seed = sw.seed_given ? sw.seed : scenarios.front().seed;
  const uint64_t reps = sw.replications;
  fs::path stem = fs::path(o.file).stem();
  const std::string dir = output_dir(o.out_dir, "sweep-" + stem.string());

  // Every (point, replication) is one run; rows come out in (point, seed) order whatever
  // the number of jobs.
  std::vector<RunResult> results(scenarios.size() * reps);
  parallel_for(results.size(), std::max(1u, o.jobs), [&](std::size_t k) {
    RunRequest req;  // no files: the sweep writes its own CSVs
    req.scenario = &scenarios[k / reps];
    req.seed = seed + k % reps;
    req.until = until;
    req.timeseries = false;
    results[k] = run_scenario(req);
  });
  std::vector<std::string> names;
  for (const auto& p : sw.parameters) names.push_back(p.pointer);
  std::vector<report::RunRow> runs;
  std::vector<report::PointRow> points;
  for (std::size_t pi = 0; pi < scenarios.size(); ++pi) {
    std::vector<std::string> params;
    for (std::size_t k = 0; k < sw.parameters.size(); ++k) params.push_back(value_text(sw.parameters[k].values[grid[pi][k]]));
    std::vector<nlohmann::ordered_json> sums;
    for (uint64_t r = 0; r < reps; ++r) {
      runs.push_back({params, seed + r, results[pi * reps + r].summary});
      sums.push_back(results[pi * reps + r].summary);
    }
    points.push_back({params, report::aggregate_replications(sums)});
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    err << "dhcpsim: cannot create " << dir << ": " << ec.message() << "\n";
    return kExitUsage;
  }
  // The CSV columns are named by the dotted path ("/hosts/blocked" -> "hosts.blocked").
  std::vector<std::string> columns;
  for (const auto& m : sw.metrics) {
    std::string c;
    for (auto ptr = json::json_pointer(m); !ptr.empty(); ptr = ptr.parent_pointer())
      c = ptr.back() + (c.empty() ? "" : "." + c);
    columns.push_back(c);
  }
  auto w1 = report::write_runs_csv(dir, names, runs, columns);
  auto w2 = w1 ? report::write_points_csv(dir, names, points, columns) : report::WriteResult(tl::unexpected(w1.error()));
  if (!w1 || !w2) {
    if (w1) fs::remove(*w1, ec);
    err << "dhcpsim: " << (w1 ? w2.error() : w1.error()) << "\n";
    return kExitUsage;
  }
  std::string html;
  if (tools) {
    // The report's data: each metric's mean and 95 % CI per point.
    std::vector<std::string> metrics;
    for (const auto& m : sw.metrics.empty() ? default_sweep_metrics() : sw.metrics)
      metrics.push_back(metric_pointer(m));
    if (sw.metrics.empty()) metrics.push_back("/dhcp_messages/total");
    nlohmann::ordered_json doc = nlohmann::ordered_json::object();
    doc["kind"] = "sweep";
    doc["name"] = stem.string();
    doc["base"] = fs::path(sw.base).filename().string();
    doc["seed"] = seed;
    doc["replications"] = reps;
    doc["program_version"] = kVersion;
    doc["parameters"] = names;
    doc["metrics"] = metrics;
    nlohmann::ordered_json pts = nlohmann::ordered_json::array();
    for (const auto& p : points) {
      nlohmann::ordered_json pt = nlohmann::ordered_json::object();
      pt["params"] = p.params;
      nlohmann::ordered_json values = nlohmann::ordered_json::object();
      for (const auto& m : metrics) {
        nlohmann::ordered_json::json_pointer ptr;
        try {
          ptr = nlohmann::ordered_json::json_pointer(m);
        } catch (const nlohmann::json::exception&) {
          values[m] = nullptr;  // not a JSON pointer: nothing to show
          continue;
        }
        if (!p.aggregate.contains(ptr) || !report::is_estimate(p.aggregate[ptr])) {
          values[m] = nullptr;
          continue;
        }
        const auto& e = p.aggregate[ptr];
        nlohmann::ordered_json v = nlohmann::ordered_json::object();
        v["mean"] = e["mean"];
        v["ci95"] = e["ci95"];
        v["n"] = e["n"];
        values[m] = std::move(v);
      }
      pt["values"] = std::move(values);
      pts.push_back(std::move(pt));
    }
    doc["points"] = std::move(pts);
    auto h = write_report_with_data(dir, "sweep.json", doc, *tools, err);
    if (!h) return kExitUsage;
    html = *h;
  }
  if (!o.quiet) {
    std::vector<std::string> shown = sw.metrics;
    if (shown.empty()) shown = default_sweep_metrics();
    std::string header;
    for (const auto& n : names) header += fmt::format("{:>22}", n.substr(n.size() > 22 ? n.size() - 22 : 0));
    for (const auto& m : shown) header += fmt::format("  {:>24}", m.substr(m.size() > 24 ? m.size() - 24 : 0));
    out << header << "\n";
    for (const auto& p : points) {
      std::string line;
      for (const auto& v : p.params) line += fmt::format("{:>22}", v);
      for (const auto& m : shown) line += fmt::format("  {:>24}", format_metric(p.aggregate, m));
      out << line << "\n";
    }
    out << points.size() << " points x " << reps << " replications; outputs in " << dir << "/ (runs.csv, points.csv)\n";
    if (!html.empty()) out << "report: " << html << "\n";
  }
  return kExitOk;
}

}  // namespace dhcpsim::cli
