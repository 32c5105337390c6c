#include "dhcpsim/cli/runner.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "dhcpsim/report/metrics.hpp"
#include "dhcpsim/report/outputs.hpp"
#include "dhcpsim/report/pcap_sink.hpp"
#include "dhcpsim/report/summary.hpp"
#include "dhcpsim/scenario/run.hpp"
#include "dhcpsim_version.hpp"

namespace dhcpsim::cli {

namespace fs = std::filesystem;

std::string output_dir(const std::string& given, const std::string& name) {
  if (!given.empty()) return given;
  return "dhcpsim-out/" + report::safe_file_name(name);
}

void parallel_for(std::size_t n, unsigned jobs, const std::function<void(std::size_t)>& fn) {
  if (jobs <= 1 || n <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> threads;
  for (unsigned t = 0; t < std::min<std::size_t>(jobs, n); ++t) {
    threads.emplace_back([&] {
      for (std::size_t i = next++; i < n; i = next++) fn(i);
    });
  }
  for (auto& t : threads) t.join();
}

namespace {

const char* method_name(scenario::ConfigMethod m, bool churn) {
  if (churn) return "churn";
  switch (m) {
    case scenario::ConfigMethod::kStatic: return "static";
    case scenario::ConfigMethod::kDhcp: return "dhcp";
    case scenario::ConfigMethod::kManual: return "manual";
    case scenario::ConfigMethod::kNone: return "none";
  }
  return "none";
}

}  // namespace

RunResult run_scenario(const RunRequest& req) {
  RunResult result;
  const scenario::Scenario& sc = *req.scenario;
  const auto wall_start = std::chrono::steady_clock::now();
  scenario::ScenarioRun run(sc, scenario::RunSettings{req.seed, req.until});
  net::Network& network = run.network();

  report::Grouping grouping;
  for (const auto& g : run.groups()) grouping.groups.push_back({g.name, method_name(g.method, g.churn)});
  grouping.group_of_node = run.group_of_node();
  grouping.servers = run.servers();

  report::MetricsCollector metrics(network, grouping);
  network.tracer().subscribe(&metrics);
  const core::Duration length = run.planned_end().since_start();
  metrics.attach(run.sim(), sc.bucket.value_or(report::default_bucket(length)), run.planned_end());

  std::optional<report::PcapSink> pcap;
  std::optional<report::EventsJsonlSink> events;
  if (!req.out_dir.empty()) {
    std::error_code ec;
    fs::create_directories(req.out_dir, ec);
    if (ec) {
      result.error = "cannot create the output directory " + req.out_dir + ": " + ec.message();
      return result;
    }
    if (req.pcap) {
      fs::create_directories(req.out_dir + "/pcap", ec);
      pcap.emplace(network, req.out_dir + "/pcap");
      network.tracer().subscribe(&*pcap);
    }
    if (req.trace) {
      events.emplace(network, req.out_dir);
      network.tracer().subscribe(&*events);
    }
  }

  std::function<void(core::Time)> progress;
  auto last_print = std::chrono::steady_clock::now();
  if (req.progress) {
    progress = [&](core::Time t) {
      auto now = std::chrono::steady_clock::now();
      if (now - last_print < std::chrono::milliseconds(200)) return;
      last_print = now;
      double secs = std::chrono::duration<double>(now - wall_start).count();
      std::fprintf(stderr, "\r  %s: t=%s of %s, %.2f M events/s   ", sc.name.c_str(), core::to_string(t).c_str(),
                   core::to_string(run.planned_end()).c_str(),
                   static_cast<double>(run.sim().queue().events_executed()) / std::max(secs, 1e-9) / 1e6);
      std::fflush(stderr);
    };
  }
  run.run(progress, progress ? std::max(core::milliseconds(1), length / 200) : core::Duration::zero());
  if (req.progress) std::fprintf(stderr, "\r%*s\r", 70, "");
  metrics.finish(run.reached());
  // Churned hosts arrived during the run: their groups are known only now.
  grouping.group_of_node = run.group_of_node();

  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  report::SummaryInputs in;
  in.scenario_name = sc.name;
  in.scenario_file = sc.file;
  in.seed = run.seed();
  in.program_version = kVersion;
  in.simulated_time = run.reached();
  in.stop_reason = run.stop_reason();
  in.events_executed = run.sim().queue().events_executed();
  in.wall = report::WallStats{wall_s, static_cast<double>(in.events_executed) / std::max(wall_s, 1e-9),
                              report::read_peak_rss_kib()};
  for (std::size_t k = 0; k < sc.churn.size(); ++k) {
    const auto& cs = run.churn_stats()[k];
    in.churn.push_back(report::ChurnStats{sc.churn[k].group, cs.arrivals, cs.departures, cs.blocked, cs.releases,
                                          cs.present_peak});
  }
  result.summary = report::build_summary(in, network, grouping, metrics);

  if (req.out_dir.empty()) return result;
  // Outputs: each written atomically; if any fails, what was written goes again.
  auto fail = [&](const std::string& why) {
    result.error = why;
    for (const auto& f : result.files) {
      std::error_code ec;
      fs::remove(f, ec);
    }
    result.files.clear();
    if (pcap) pcap->abandon();
    if (events) events->abandon();
  };
  if (auto w = report::write_summary_json(req.out_dir, result.summary)) result.files.push_back(*w);
  else return fail(w.error()), result;
  if (req.timeseries) {
    if (auto w = report::write_timeseries_csv(req.out_dir, metrics)) result.files.push_back(*w);
    else return fail(w.error()), result;
  }
  if (events) {
    if (auto w = events->finish()) result.files.push_back(*w);
    else return fail(w.error()), result;
  }
  if (pcap) {
    auto w = pcap->finish();
    if (!w) return fail(w.error()), result;
    for (auto& f : *w) result.files.push_back(f);
  }
  return result;
}

}  // namespace dhcpsim::cli
