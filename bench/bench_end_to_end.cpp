// End to end: the ns-3-equivalent scenario (scenarios/bench/ns3-equivalent-N.json, written
// by tools/gen-bench-scenarios) run as `dhcpsim run` runs it — build the network, run until
// every client is bound, collect the metrics and the summary — but writing no files.
// Argument: N, the number of clients. items/s = clients bound per wall-second; the
// "events/s" counter is simulator events executed per wall-second.

#include <benchmark/benchmark.h>

#include <string>

#include "dhcpsim/cli/runner.hpp"
#include "dhcpsim/scenario/parse.hpp"

namespace {

using namespace dhcpsim;

void BM_Ns3Equivalent(benchmark::State& state) {
  const std::string path =
      std::string(DHCPSIM_SOURCE_DIR) + "/scenarios/bench/ns3-equivalent-" + std::to_string(state.range(0)) + ".json";
  auto s = scenario::load_scenario(path);
  if (!s) {
    state.SkipWithError(("cannot load " + path).c_str());
    return;
  }
  double bound = 0;
  double events = 0;
  for (auto _ : state) {
    cli::RunRequest req;
    req.scenario = &*s;
    req.seed = s->seed;
    cli::RunResult r = cli::run_scenario(req);
    if (!r.error.empty() || r.summary["run"]["stop_reason"] != "all_bound") {
      state.SkipWithError("the run did not end with every client bound");
      return;
    }
    bound += r.summary["hosts"]["dhcp_bound_at_end"].get<double>();
    events += r.summary["run"]["events_executed"].get<double>();
  }
  state.SetItemsProcessed(static_cast<int64_t>(bound));
  state.counters["events/s"] = benchmark::Counter(events, benchmark::Counter::kIsRate);
  state.counters["clients"] = static_cast<double>(state.range(0));
}

BENCHMARK(BM_Ns3Equivalent)
    ->Arg(1000)
    ->Arg(2000)
    ->Arg(10000)
    ->Arg(100000)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
