#include "dhcpsim/cli/runner.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "dhcpsim/net/topology_dot.hpp"
#include "dhcpsim/report/html_report.hpp"
#include "dhcpsim/report/message_log.hpp"
#include "dhcpsim/report/metrics.hpp"
#include "dhcpsim/report/outputs.hpp"
#include "dhcpsim/report/pcap_sink.hpp"
#include "dhcpsim/report/report_files.hpp"
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

report::Grouping grouping_of(const scenario::ScenarioRun& run) {
  report::Grouping grouping;
  for (const auto& g : run.groups())
    grouping.groups.push_back({g.name, method_name(g.method, g.churn)});
  grouping.group_of_node = run.group_of_node();
  grouping.servers = run.servers();
  return grouping;
}

/// The time-series bucket of a run (the scenario's, else a thousandth of its length).
core::Duration bucket_of(const scenario::Scenario& sc, const scenario::ScenarioRun& run) {
  return sc.bucket.value_or(report::default_bucket(run.planned_end().since_start()));
}

// At most this many message records per chosen client go into report-data/messages.jsonl
// (the first ones): a client followed through a year of renewals stays drawable.
constexpr std::size_t kMaxMessagesPerClient = 2000;

/// The run again, same scenario and seed, for the messages of `clients` only: when the
/// first run kept more records than its cap. The simulation is deterministic and the
/// observers that schedule events (the metrics collector's sampling) are the same, so
/// the replay executes the same events; that is checked.
tl::expected<std::vector<report::MessageEvent>, std::string> replay_messages(
    const RunRequest& req, const std::vector<net::NodeId>& clients, core::Time reached,
    uint64_t events_executed) {
  scenario::ScenarioRun run(*req.scenario, scenario::RunSettings{req.seed, req.until});
  report::Grouping grouping = grouping_of(run);
  report::MetricsCollector metrics(run.network(), grouping);
  run.network().tracer().subscribe(&metrics);
  metrics.attach(run.sim(), bucket_of(*req.scenario, run), run.planned_end());
  report::MessageRecorder recorder(run.network());
  recorder.restrict_to(clients);
  run.network().tracer().subscribe(&recorder);
  run.run();
  metrics.finish(run.reached());
  if (run.reached() != reached || run.sim().queue().events_executed() != events_executed)
    return tl::unexpected(
        std::string("internal error: the replay of the run for the report diverged"));
  return recorder.events();
}

/// report-data/ of a run: the chosen clients, their messages, the topology, run.json.
tl::expected<report::RunReportData, std::string> report_data(
    const RunRequest& req, scenario::ScenarioRun& run, const report::Grouping& grouping,
    const report::MetricsCollector& metrics, const report::MessageRecorder& recorder) {
  using Json = nlohmann::ordered_json;
  const scenario::Scenario& sc = *req.scenario;
  const net::Network& network = run.network();
  std::vector<net::NodeId> followed;
  Json missing = Json::array();
  for (const auto& name : req.follow) {
    auto n = network.find_node(name);
    if (n && network.node_kind(*n) == net::NodeKind::kHost)
      followed.push_back(*n);
    else
      missing.push_back(name);
  }
  const std::vector<report::ChosenClient> chosen =
      report::choose_clients(recorder, metrics, followed);
  std::vector<report::MessageEvent> replayed;
  const std::vector<report::MessageEvent>* events = &recorder.events();
  if (recorder.overflowed()) {
    std::vector<net::NodeId> nodes;
    for (const auto& c : chosen) nodes.push_back(c.node);
    auto r = replay_messages(req, nodes, run.reached(), run.sim().queue().events_executed());
    if (!r) return tl::unexpected(r.error());
    replayed = std::move(*r);
    events = &replayed;
  }
  report::RunReportData data;
  std::vector<std::pair<std::size_t, std::size_t>> kept;
  data.messages_jsonl =
      report::messages_jsonl(*events, network, chosen, kMaxMessagesPerClient, &kept);

  Json j = Json::object();
  j["format"] = 1;
  j["kind"] = "run";
  Json s = Json::object();
  s["name"] = sc.name;
  s["description"] = sc.description;
  s["file"] = fs::path(sc.file).filename().string();  // no directory: the page names no path
  s["seed"] = run.seed();
  s["program_version"] = kVersion;
  j["scenario"] = std::move(s);
  std::vector<int64_t> tta;
  for (uint32_t v = 0; v < network.node_count(); ++v) {
    const net::NodeId id(v);
    if (network.node_kind(id) != net::NodeKind::kHost) continue;
    if (auto d = metrics.time_to_address(id)) tta.push_back(d->ns());
  }
  j["time_to_address"] = report::cdf_json(std::move(tta));
  Json servers = Json::object();
  for (const auto& [name, node] : grouping.servers) {
    const std::string& n = network.node_name(node);
    if (!servers.contains(n)) servers[n] = name;
  }
  j["servers"] = std::move(servers);
  Json cj = Json::array();
  for (std::size_t k = 0; k < chosen.size(); ++k) {
    const net::NodeId n = chosen[k].node;
    const net::Host& h = network.host(n);
    Json c = Json::object();
    c["client"] = network.node_name(n);
    c["mac"] = network.iface(h.iface).mac.to_string();
    auto segs = network.topology().segments_of(n);
    if (!segs.empty()) c["segment"] = network.segment(segs.front()).config.name;
    const uint32_t g = grouping.group_of(n);
    if (g < grouping.groups.size()) c["group"] = grouping.groups[g].name;
    Json reasons = Json::array();
    for (auto& r : report::reason_texts(chosen[k].reasons)) reasons.push_back(r);
    c["reasons"] = std::move(reasons);
    auto d = metrics.time_to_address(n);
    c["time_to_address_s"] = d ? Json(static_cast<double>(d->ns()) / 1e9) : Json(nullptr);
    c["messages"] = kept[k].first;
    c["left_out"] = kept[k].second;
    cj.push_back(std::move(c));
  }
  j["chosen"] = std::move(cj);
  j["followed_missing"] = std::move(missing);
  j["clients_with_problems"] = report::clients_with_problems(recorder);
  Json mr = Json::object();
  mr["cap"] = recorder.cap();
  mr["replayed"] = recorder.overflowed();
  j["message_records"] = std::move(mr);
  data.run = std::move(j);

  net::TopologyFold fold;
  fold.group_of_node = grouping.group_of_node;
  for (const auto& g : grouping.groups) fold.group_names.push_back(g.name);
  fold.servers = grouping.servers;
  data.topology_dot = net::topology_graphviz(network, fold);
  data.scenario_json = req.scenario_text;
  return data;
}

}  // namespace

RunResult run_scenario(const RunRequest& req) {
  RunResult result;
  const scenario::Scenario& sc = *req.scenario;
  const auto wall_start = std::chrono::steady_clock::now();
  scenario::ScenarioRun run(sc, scenario::RunSettings{req.seed, req.until});
  net::Network& network = run.network();

  report::Grouping grouping = grouping_of(run);

  report::MetricsCollector metrics(network, grouping);
  network.tracer().subscribe(&metrics);
  const core::Duration length = run.planned_end().since_start();
  metrics.attach(run.sim(), bucket_of(sc, run), run.planned_end());
  std::optional<report::MessageRecorder> recorder;
  if (req.keep_report_data && !req.out_dir.empty()) {
    recorder.emplace(network, req.report_record_cap);
    network.tracer().subscribe(&*recorder);
  }

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
  if (recorder) {
    auto data = report_data(req, run, grouping, metrics, *recorder);
    if (!data) return fail(data.error()), result;
    auto w = report::write_run_report_data(req.out_dir, *data);
    if (!w) return fail(w.error()), result;
    for (auto& f : *w) result.files.push_back(f);
  }
  return result;
}

}  // namespace dhcpsim::cli
