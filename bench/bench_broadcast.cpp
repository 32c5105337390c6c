// Broadcast delivery on one segment with N hosts, each with a few ARP cache entries:
// every iteration, one host in turn broadcasts an ARP request for another host's address
// and the simulation runs until it is fully handled (the target answers by unicast).
// Indexed delivery must not grow with N (ARCHITECTURE.md, "Broadcast without quadratic
// cost"); the naive reference delivers to all N hosts with a full parse each.

#include <benchmark/benchmark.h>

#include <memory>

#include "dhcpsim/core/simulation.hpp"
#include "dhcpsim/net/network.hpp"

using namespace dhcpsim;
using namespace dhcpsim::net;

namespace {

struct Lan {
  explicit Lan(int n) : sim(1), net(sim) {
    SegmentConfig sc;
    sc.name = "lan";
    sc.subnet = wire::Ipv4Prefix(wire::Ipv4Address::from_octets(10, 0, 0, 0), 8);
    auto seg = net.add_segment(sc);
    auto profile = std::make_shared<HostProfile>();
    for (int k = 0; k < n; ++k) {
      HostConfig hc;
      hc.name = "h" + std::to_string(k);
      hc.segment = seg;
      hc.mac = wire::MacAddress::from_u64(0x020000000000ULL + uint64_t(k) + 1);
      hc.profile = profile;
      hc.static_ip = StaticIpConfig{address(k), wire::Ipv4Address::from_octets(255, 0, 0, 0),
                                    wire::Ipv4Address::from_octets(10, 255, 255, 254), wire::Ipv4Address()};
      hosts.push_back(net.add_host(hc));
    }
    net.start();
    sim.run_until(sim.now() + core::milliseconds(1));
    // A few ARP cache entries per host: everyone has talked to its next two neighbours.
    for (int k = 0; k < n; ++k) {
      net.arping(hosts[k], address((k + 1) % n));
      net.arping(hosts[k], address((k + 2) % n));
    }
    sim.run_until(sim.now() + core::milliseconds(10));
  }
  static wire::Ipv4Address address(int k) { return wire::Ipv4Address(0x0a000000u + uint32_t(k) + 1); }
  core::Simulation sim;
  Network net;
  std::vector<NodeId> hosts;
};

void run_broadcasts(benchmark::State& state, DeliveryMode mode) {
  const int n = static_cast<int>(state.range(0));
  Lan lan(n);
  lan.net.set_delivery_mode(mode);
  int k = 0;
  for (auto _ : state) {
    lan.net.arping(lan.hosts[k], Lan::address((k + n / 2) % n));
    lan.sim.run_until(lan.sim.now() + core::milliseconds(1));
    k = (k + 1) % n;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  const auto& s = lan.net.segment(SegmentId(0)).stats;
  state.counters["discarded_per_bcast"] =
      static_cast<double>(s.discarded) / static_cast<double>(std::max<uint64_t>(1, s.broadcasts_sent));
}

void BM_BroadcastIndexed(benchmark::State& state) { run_broadcasts(state, DeliveryMode::kIndexed); }
void BM_BroadcastNaive(benchmark::State& state) { run_broadcasts(state, DeliveryMode::kNaive); }

BENCHMARK(BM_BroadcastIndexed)->Arg(1000)->Arg(10000)->Arg(100000);
BENCHMARK(BM_BroadcastNaive)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
