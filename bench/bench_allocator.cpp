// Allocator strategies under load: each iteration takes one address through the lease
// table's candidate check (the path the server uses) and frees a random leased one, so the
// pool occupancy stays at PERMILLE / 1000. Arguments: pool size, occupancy in permille.

#include <benchmark/benchmark.h>

#include <vector>

#include "dhcpsim/core/random.hpp"
#include "dhcpsim/proto/lease_table.hpp"

namespace {

using namespace dhcpsim;
using namespace dhcpsim::proto;

ClientRef client(uint64_t n) {
  ClientRef c;
  c.mac = wire::MacAddress::from_u64(0x020000000000ULL | (n & 0xffffffffffULL));
  c.mac_key = c.key = (uint64_t(0x16) << 56) | c.mac.to_u64();  // chaddr, 6 bytes
  return c;
}

void run(benchmark::State& state, AllocatorKind kind) {
  const auto pool = uint32_t(state.range(0));
  const auto permille = uint32_t(state.range(1));
  DhcpServerConfig cfg;
  cfg.server_id = wire::Ipv4Address(0x0a000001);
  cfg.allocator = kind;
  SubnetConfig s;
  s.prefix = wire::Ipv4Prefix(wire::Ipv4Address(0x0a000000), 8);  // 10.0.0.0/8
  const wire::Ipv4Address first(0x0a000100);                      // 10.0.1.0
  s.pools = {{first, first + (int64_t(pool) - 1)}};
  cfg.subnets.push_back(s);
  core::Rng rng(42);
  LeaseTable table(cfg, rng);
  const core::Time until = core::Time::zero() + core::days(1);

  // Setup (not timed): floor(pool x permille / 1000) leases.
  const uint64_t leased_count = uint64_t(pool) * permille / 1000;
  // The bench's own bookkeeping in huge-page storage too, so that picking the random victim
  // does not add a TLB miss of its own to what is measured.
  LeaseVector<uint32_t> leased;
  leased.reserve(leased_count);
  uint64_t next_client = 1;
  for (uint64_t i = 0; i < leased_count; ++i) {
    const uint32_t slot = table.allocate(0, rng);
    if (slot == LeaseTable::kNoSlot) {
      state.SkipWithError("pool exhausted during setup");
      return;
    }
    table.bind(slot, client(next_client++), until);
    leased.push_back(slot);
  }
  core::Rng pick(7);
  // One iteration: take an address through the candidate check, free a random leased one
  // (or, in an empty pool, the one just taken).
  auto step = [&]() -> bool {
    const uint32_t slot = table.allocate(0, rng);
    benchmark::DoNotOptimize(slot);
    if (slot == LeaseTable::kNoSlot) return false;
    table.bind(slot, client(next_client++), until);
    if (leased.empty()) {
      table.make_free(slot, true);
    } else {
      const auto j = std::size_t(pick.below(leased.size()));
      const uint32_t victim = leased[j];
      leased[j] = slot;
      table.make_free(victim, true);  // as a RELEASE does: the client is remembered
    }
    return true;
  };
  // Warm-up (not timed): one pass over the pool, so every occupancy is measured in steady
  // state (client map and deadline heap at their working size, pages touched) rather than
  // with the growth of an empty table folded into the empty-pool numbers.
  for (uint32_t i = 0; i < pool; ++i) {
    if (!step()) {
      state.SkipWithError("no free address found");
      return;
    }
  }
  const uint64_t probes_before = table.probes();

  for (auto _ : state) {
    if (!step()) {
      state.SkipWithError("no free address found");
      break;
    }
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.counters["probes_per_alloc"] =
      double(table.probes() - probes_before) / double(std::max<int64_t>(1, state.iterations()));
}

void BM_AllocIterative(benchmark::State& state) {
  run(state, AllocatorKind::Iterative);
}
void BM_AllocRandom(benchmark::State& state) {
  run(state, AllocatorKind::Random);
}
void BM_AllocFreeList(benchmark::State& state) {
  run(state, AllocatorKind::FreeList);
}

const std::vector<std::vector<int64_t>> kArgs = {{256, 65536, 1048576}, {0, 500, 900, 990, 999}};

}  // namespace

BENCHMARK(BM_AllocIterative)->ArgsProduct(kArgs);
BENCHMARK(BM_AllocRandom)->ArgsProduct(kArgs);
BENCHMARK(BM_AllocFreeList)->ArgsProduct(kArgs);

BENCHMARK_MAIN();
