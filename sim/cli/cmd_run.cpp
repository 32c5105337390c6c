#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <ostream>

#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim/cli/runner.hpp"
#include "dhcpsim/report/outputs.hpp"
#include "dhcpsim/report/report_files.hpp"
#include "dhcpsim/report/stats.hpp"
#include "dhcpsim/report/summary.hpp"
#include "dhcpsim/scenario/parse.hpp"
#include "dhcpsim/scenario/units.hpp"

namespace dhcpsim::cli {

/// --report (cmd_report.cpp): Chart.js and dot are found before anything runs; false
/// after printing the error.
bool find_report_tools(std::optional<report::ReportTools>& tools, std::ostream& err);

namespace fs = std::filesystem;

void print_errors(const scenario::Errors& errors, std::ostream& err) {
  for (const auto& e : errors) err << e.to_string() << "\n";
}

std::optional<core::Duration> parse_until(const std::string& text, std::ostream& err, bool& bad) {
  if (text.empty()) return std::nullopt;
  auto d = scenario::parse_duration(text);
  if (!d || *d <= core::Duration::zero()) {
    err << "dhcpsim: --until: " << (d ? "the duration must be positive" : d.error()) << "\n";
    bad = true;
    return std::nullopt;
  }
  return *d;
}

void check_replications(uint64_t n, std::ostream& err, bool& bad) {
  if (n >= 1 && n <= scenario::Limits::kMaxReplications) return;
  err << "dhcpsim: --replications must be 1 to " << scenario::Limits::kMaxReplications << "\n";
  bad = true;
}

namespace {

/// True when `pattern` (a host name with an optional "{i}") names `name` for some i in
/// [1, count].
bool pattern_names(const std::string& pattern, uint64_t count, const std::string& name) {
  const auto brace = pattern.find("{i}");
  if (brace == std::string::npos) return pattern == name;
  const std::string prefix = pattern.substr(0, brace), suffix = pattern.substr(brace + 3);
  if (name.size() <= prefix.size() + suffix.size() || name.compare(0, prefix.size(), prefix) != 0 ||
      name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
    return false;
  const std::string digits =
      name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
  if (digits.size() > 19 || digits[0] == '0' ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return false;
  const uint64_t i = std::stoull(digits);
  return i >= 1 && i <= count;
}

/// True when the scenario has (or may have, for churn arrivals) a host named `name`.
bool host_may_exist(const scenario::Scenario& s, const std::string& name) {
  for (const auto& h : s.hosts)
    if (pattern_names(h.name, h.count, name)) return true;
  for (const auto& c : s.churn)
    if (pattern_names(c.name, c.max_clients, name)) return true;
  return false;
}

}  // namespace

/// The scenario document as run: the file with the --set overrides applied.
std::string scenario_text(const std::string& file, const std::vector<std::string>& sets) {
  auto doc = scenario::read_json_file(file);
  if (!doc) return "";
  for (const auto& set : sets) (void)scenario::apply_override(*doc, set, file);
  return doc->dump(2) + "\n";
}

int cmd_run(const RunOptions& o, std::ostream& out, std::ostream& err) {
  auto s = scenario::load_scenario(o.scenario, o.sets);
  if (!s) {
    print_errors(s.error(), err);
    return kExitUsage;
  }
  // --follow draws a ladder in the report: it implies --report.
  const bool report = o.report || !o.follow.empty();
  std::optional<report::ReportTools> tools;
  if (report) {
    if (o.replications > 1) {
      err << "dhcpsim: --report draws one run: use it without --replications (compare and sweep "
             "have their own --report)\n";
      return kExitUsage;
    }
    for (const auto& name : o.follow) {
      if (!host_may_exist(*s, name)) {
        err << "dhcpsim: --follow " << name << ": the scenario " << s->name
            << " has no host of that name\n";
        return kExitUsage;
      }
    }
    if (!find_report_tools(tools, err)) return kExitUsage;
  }
  bool bad = false;
  auto until = parse_until(o.until, err, bad);
  check_replications(o.replications, err, bad);
  if (bad) return kExitUsage;
  const uint64_t seed = o.seed.value_or(s->seed);
  const std::string dir = output_dir(o.out_dir, s->name);
  const bool progress = !o.quiet && ::isatty(2) != 0 && o.replications == 1;

  if (o.replications == 1) {
    RunRequest req;
    req.scenario = &*s;
    req.seed = seed;
    req.until = until;
    req.out_dir = dir;
    req.pcap = o.pcap;
    req.trace = o.trace;
    req.progress = progress;
    req.keep_report_data = report;
    req.follow = o.follow;
    if (report) req.scenario_text = scenario_text(o.scenario, o.sets);
    RunResult r = run_scenario(req);
    if (!r.error.empty()) {
      err << "dhcpsim: " << r.error << "\n";
      return kExitUsage;
    }
    std::string html;
    if (tools) {
      auto w = report::write_report(dir, *tools);
      if (!w) {
        err << "dhcpsim: the report could not be made: " << w.error() << "\n";
        return kExitUsage;
      }
      html = *w;
      r.files.push_back(html);
    }
    report::remove_stale_run_outputs(dir, r.files);
    if (o.json) out << r.summary.dump(2) << "\n";
    else if (!o.quiet) out << report::format_summary_table(r.summary) << "outputs in " << dir << "/\n";
    if (!html.empty() && !o.quiet && !o.json) out << "report: " << html << "\n";
    return kExitOk;
  }

  // Replications: seeds seed, seed+1, ...; each in its own directory; the top-level
  // summary.json holds mean, standard deviation and 95 % CI per metric.
  std::vector<RunResult> results(o.replications);
  parallel_for(o.replications, std::max(1u, o.jobs), [&](std::size_t k) {
    RunRequest req;
    req.scenario = &*s;
    req.seed = seed + k;
    req.until = until;
    req.out_dir = dir + "/replications/seed-" + std::to_string(seed + k);
    req.pcap = o.pcap;
    req.trace = o.trace;
    results[k] = run_scenario(req);
  });
  std::vector<nlohmann::ordered_json> summaries;
  for (auto& r : results) {
    if (!r.error.empty()) {
      err << "dhcpsim: " << r.error << "\n";
      std::error_code ec;
      fs::remove_all(dir + "/replications", ec);
      return kExitUsage;
    }
    summaries.push_back(r.summary);
  }
  nlohmann::ordered_json aggregate = report::aggregate_replications(summaries);
  auto w = report::write_summary_json(dir, aggregate);
  if (!w) {
    err << "dhcpsim: " << w.error() << "\n";
    return kExitUsage;
  }
  std::vector<std::string> written{*w};
  for (const auto& r : results) written.insert(written.end(), r.files.begin(), r.files.end());
  report::remove_stale_run_outputs(dir, written);
  if (o.json) out << aggregate.dump(2) << "\n";
  else if (!o.quiet) out << report::format_summary_table(aggregate) << "outputs in " << dir << "/\n";
  return kExitOk;
}

int cmd_validate(const ValidateOptions& o, std::ostream& out, std::ostream& err) {
  int code = kExitOk;
  for (const auto& f : o.files) {
    auto s = scenario::load_scenario(f, o.sets);
    if (!s) {
      print_errors(s.error(), err);
      code = kExitUsage;
      continue;
    }
    out << f << ": ok (" << s->name << ", " << s->total_hosts() << " hosts, " << s->segments.size()
        << " segments, " << core::to_string(s->duration) << ")\n";
  }
  return code;
}

}  // namespace dhcpsim::cli
