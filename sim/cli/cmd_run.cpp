#include <unistd.h>

#include <filesystem>
#include <ostream>

#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/cli/commands.hpp"
#include "dhcpsim/cli/runner.hpp"
#include "dhcpsim/report/outputs.hpp"
#include "dhcpsim/report/stats.hpp"
#include "dhcpsim/report/summary.hpp"
#include "dhcpsim/scenario/parse.hpp"
#include "dhcpsim/scenario/units.hpp"

namespace dhcpsim::cli {

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

int cmd_run(const RunOptions& o, std::ostream& out, std::ostream& err) {
  auto s = scenario::load_scenario(o.scenario, o.sets);
  if (!s) {
    print_errors(s.error(), err);
    return kExitUsage;
  }
  bool bad = false;
  auto until = parse_until(o.until, err, bad);
  if (bad) return kExitUsage;
  if (o.replications < 1 || o.replications > scenario::Limits::kMaxReplications) {
    err << "dhcpsim: --replications must be 1 to " << scenario::Limits::kMaxReplications << "\n";
    return kExitUsage;
  }
  const uint64_t seed = o.seed.value_or(s->seed);
  const std::string dir = output_dir(o.out_dir, s->name);
  const bool progress = !o.quiet && ::isatty(2) != 0 && o.replications == 1;

  if (o.replications == 1) {
    RunRequest req{&*s, seed, until, dir, o.pcap, o.trace, true, progress, o.report, o.follow};
    RunResult r = run_scenario(req);
    if (!r.error.empty()) {
      err << "dhcpsim: " << r.error << "\n";
      return kExitUsage;
    }
    if (o.json) out << r.summary.dump(2) << "\n";
    else if (!o.quiet) out << report::format_summary_table(r.summary) << "outputs in " << dir << "/\n";
    return kExitOk;
  }

  // Replications: seeds seed, seed+1, ...; each in its own directory; the top-level
  // summary.json holds mean, standard deviation and 95 % CI per metric.
  std::vector<RunResult> results(o.replications);
  parallel_for(o.replications, std::max(1u, o.jobs), [&](std::size_t k) {
    RunRequest req{&*s, seed + k, until, dir + "/replications/seed-" + std::to_string(seed + k), o.pcap, o.trace,
                   true, false, false, {}};
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
