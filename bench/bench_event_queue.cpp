// The classic hold-model benchmark of an event queue: N events pending; each step pops
// the earliest, runs it, and it schedules one new event an exponential delay ahead, so
// the queue stays at N. Set-up (filling the queue) is not timed.
//
// Baseline: std::priority_queue ordered by (time, sequence) whose entries hold a
// std::function<void()> with a lambda capturing two pointers (16 bytes: stored inline
// by libstdc++, so the baseline allocates nothing per event either).

#include <benchmark/benchmark.h>

#include <functional>
#include <queue>
#include <vector>

#include "dhcpsim/core/event_queue.hpp"
#include "dhcpsim/core/random.hpp"

using namespace dhcpsim::core;

namespace {

constexpr double kMeanDelayNs = 1e6;  // 1 ms mean inter-event delay per chain

int64_t hold_delay(Rng& rng) { return 1 + static_cast<int64_t>(rng.exponential(kMeanDelayNs)); }

struct HoldEvent {
  EventQueue* q;
  Rng* rng;
  void operator()() const { q->schedule_in(Duration::from_ns(hold_delay(*rng)), HoldEvent{q, rng}); }
};
static_assert(sizeof(HoldEvent) == 16);

void BM_HoldDhcpsim(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  EventQueue q;
  Rng rng(1);
  for (std::size_t i = 0; i < n; ++i)
    q.schedule_at(Time::from_ns(hold_delay(rng)), HoldEvent{&q, &rng});
  for (auto _ : state) {
    q.step();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["pending"] = static_cast<double>(q.pending());
}
BENCHMARK(BM_HoldDhcpsim)->Arg(1000)->Arg(100000)->Arg(1000000);

struct StdEntry {
  int64_t time;
  uint64_t seq;
  std::function<void()> fn;
};
struct Later {
  bool operator()(const StdEntry& a, const StdEntry& b) const {
    return a.time > b.time || (a.time == b.time && a.seq > b.seq);
  }
};
struct StdQueue {
  std::priority_queue<StdEntry, std::vector<StdEntry>, Later> pq;
  int64_t now = 0;
  uint64_t seq = 0;
  Rng rng{1};
};

void std_schedule(StdQueue* q, int64_t t) {
  Rng* rng = &q->rng;
  q->pq.push(StdEntry{t, q->seq++, [q, rng] { std_schedule(q, q->now + hold_delay(*rng)); }});
}

void BM_HoldStdPriorityQueue(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  StdQueue q;
  for (std::size_t i = 0; i < n; ++i) std_schedule(&q, hold_delay(q.rng));
  for (auto _ : state) {
    StdEntry e = std::move(const_cast<StdEntry&>(q.pq.top()));
    q.pq.pop();
    q.now = e.time;
    e.fn();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["pending"] = static_cast<double>(q.pq.size());
}
BENCHMARK(BM_HoldStdPriorityQueue)->Arg(1000)->Arg(100000)->Arg(1000000);

}  // namespace

BENCHMARK_MAIN();
