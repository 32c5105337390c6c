// The lease table on its own: address space, identities, hash map, deadlines.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <unordered_map>

#include "proto/dhcp_server_test_util.hpp"

using namespace dhcpsim;
using namespace dhcpsim::proto;
using namespace dhcpsim::proto::testing;
using namespace dhcpsim::core::literals;

namespace {

DhcpServerConfig two_pool_config() {
  DhcpServerConfig c;
  c.server_id = ip("10.0.0.1");
  SubnetConfig a;
  a.prefix = prefix("10.0.0.0/24");
  a.pools = {{ip("10.0.0.200"), ip("10.0.0.209")}, {ip("10.0.0.10"), ip("10.0.0.14")}};
  a.reservations = {{mac(1), {}, ip("10.0.0.5")}, {mac(2), {}, ip("10.0.0.3")}};
  c.subnets.push_back(a);
  SubnetConfig b;
  b.prefix = prefix("192.168.0.0/16");
  b.pools = {{ip("192.168.1.0"), ip("192.168.1.255")}};
  c.subnets.push_back(b);
  return c;
}

ClientRef client(uint64_t n) {
  ClientRef c;
  c.mac = mac(n);
  c.mac_key = c.key = (uint64_t(0x16) << 56) | mac(n).to_u64();
  return c;
}

}  // namespace

// Addresses map to slots and back: pools sorted and concatenated, then reserved extras.
TEST(LeaseTable, AddressSpace) {
  core::Rng rng(1);
  LeaseTable t(two_pool_config(), rng);
  EXPECT_EQ(t.slot_count(), 15u + 2u + 256u);
  EXPECT_EQ(t.slot_of(ip("10.0.0.10")), 0u);
  EXPECT_EQ(t.slot_of(ip("10.0.0.14")), 4u);
  EXPECT_EQ(t.slot_of(ip("10.0.0.200")), 5u);
  EXPECT_EQ(t.slot_of(ip("10.0.0.3")), 15u);  // extras sorted by address
  EXPECT_EQ(t.slot_of(ip("10.0.0.5")), 16u);
  EXPECT_EQ(t.slot_of(ip("10.0.0.4")), LeaseTable::kNoSlot);
  EXPECT_EQ(t.slot_of(ip("10.0.1.1")), LeaseTable::kNoSlot);
  EXPECT_EQ(t.slot_of(ip("192.168.1.7")), 24u);
  for (uint32_t s = 0; s < t.slot_count(); ++s) EXPECT_EQ(t.slot_of(t.address_of(s)), s);
  EXPECT_EQ(t.find_subnet(ip("192.168.200.1")), 1u);
  EXPECT_EQ(t.find_subnet(ip("10.0.0.255")), 0u);
  EXPECT_EQ(t.find_subnet(ip("11.0.0.1")), LeaseTable::kNoSubnet);
  EXPECT_EQ(t.counts(0).pool_size, 15u);
  EXPECT_EQ(t.counts(0).usable, 15u);
  EXPECT_EQ(t.counts(0).reserved, 2u);
  EXPECT_EQ(t.pool_count(0), 2u);
}

// Short identifiers are packed exactly; long ones are interned and collected when unused.
TEST(LeaseTable, ClientKeys) {
  core::Rng rng(1);
  LeaseTable t(two_pool_config(), rng);
  const auto m6 = wire::bytes_of({2, 0, 0, 0, 0, 1});
  const auto cid7 = wire::bytes_of({1, 2, 0, 0, 0, 0, 1});
  EXPECT_NE(t.key_of(m6, false), t.key_of(m6, true));  // chaddr vs client id namespaces
  EXPECT_NE(t.key_of(cid7, true), t.key_of(wire::bytes_of({1, 2, 0, 0, 0, 0, 2}), true));
  EXPECT_NE(t.key_of(wire::bytes_of({0, 1}), true), t.key_of(wire::bytes_of({1}), true));
  const auto long1 = wire::bytes_of({0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  const auto long2 = wire::bytes_of({0xff, 1, 2, 3, 4, 5, 6, 7, 8, 10});
  const ClientKey k1 = t.key_of(long1, true);
  EXPECT_EQ(t.key_of(long1, true), k1);
  EXPECT_NE(t.key_of(long2, true), k1);
  // Bound to a slot it survives garbage collection; unreferenced it is dropped.
  ClientRef c;
  c.key = c.cid_key = k1;
  c.mac_key = t.key_of(m6, false);
  t.bind(0, c, at_s(100));
  t.collect_garbage();
  EXPECT_EQ(t.key_of(long1, true), k1);
  EXPECT_EQ(t.client_slot(k1), 0u);
  t.make_free(0, false);
  t.collect_garbage();
  EXPECT_EQ(t.client_slot(k1), LeaseTable::kNoSlot);
}

// The flat hash map behaves like std::unordered_map under random inserts and erases.
RC_GTEST_PROP(FlatMap64, MatchesStdMap, ()) {
  const auto ops = *rc::gen::container<std::vector<std::tuple<bool, uint16_t, uint32_t>>>(
      rc::gen::tuple(rc::gen::arbitrary<bool>(), rc::gen::inRange<uint16_t>(1, 300),
                     rc::gen::arbitrary<uint32_t>()));
  FlatMap64 m;
  std::unordered_map<uint64_t, uint32_t> ref;
  for (const auto& [insert, k, v] : ops) {
    const uint64_t key = uint64_t(k) * 0x10001;  // clustered keys
    if (insert) {
      m.set(key, v == FlatMap64::kAbsent ? 0 : v);
      ref[key] = v == FlatMap64::kAbsent ? 0 : v;
    } else {
      RC_ASSERT(m.erase(key) == (ref.erase(key) == 1));
    }
    RC_ASSERT(m.size() == ref.size());
  }
  for (uint16_t k = 1; k < 300; ++k) {
    const uint64_t key = uint64_t(k) * 0x10001;
    auto it = ref.find(key);
    RC_ASSERT(m.find(key) == (it == ref.end() ? FlatMap64::kAbsent : it->second));
  }
}

// Deadlines come out in time order across offers, probations and leases; renewed and
// released leases leave no stale deadline visible; the heap compacts.
TEST(LeaseTable, DeadlinesInOrder) {
  core::Rng rng(1);
  DhcpServerConfig cfg = two_pool_config();
  LeaseTable t(cfg, rng);
  const uint32_t base = t.slot_of(ip("192.168.1.0"));
  // Many bind/release cycles with shrinking deadlines create stale heap entries.
  for (int round = 0; round < 20; ++round) {
    for (uint32_t i = 0; i < 200; ++i) {
      t.bind(base + i, client(i + 10), at_s(10000 - round * 100 - i));
      t.make_free(base + i, true);
    }
  }
  t.settle();
  EXPECT_EQ(t.next_deadline(), Time::max());
  t.bind(base + 1, client(1), at_s(50));
  t.offer(base + 2, client(2), at_s(20));
  t.quarantine(base + 3, LeaseState::Declined, at_s(30));
  t.bind(base + 4, client(4), at_s(40));
  t.bind(base + 4, client(4), at_s(60));  // renewed
  t.settle();
  EXPECT_EQ(t.next_deadline(), at_s(20));
  std::vector<SlotExpiry> out;
  t.expire_due(at_s(100), out);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].kind, SlotExpiry::Kind::OfferExpired);
  EXPECT_EQ(out[0].slot, base + 2);
  EXPECT_EQ(out[1].kind, SlotExpiry::Kind::ProbationEnded);
  EXPECT_EQ(out[2].kind, SlotExpiry::Kind::LeaseExpired);
  EXPECT_EQ(out[2].slot, base + 1);
  EXPECT_EQ(out[3].slot, base + 4);
  EXPECT_EQ(t.next_deadline(), Time::max());
  EXPECT_EQ(t.counts(1).available, 256u);
  // The remembered client of an expired lease is still found.
  EXPECT_EQ(t.client_slot(client(1).key), base + 1);
}

// Every allocator finds the last free addresses of a nearly full pool, every time, and the
// lease heap stays small when leases come and go (compaction is O(heap), not O(slots)).
TEST(LeaseTable, NearlyFullPoolAlwaysAllocates) {
  for (auto kind : {AllocatorKind::Iterative, AllocatorKind::Random, AllocatorKind::FreeList}) {
    DhcpServerConfig c;
    c.server_id = ip("10.0.0.1");
    c.allocator = kind;
    SubnetConfig s;
    s.prefix = prefix("10.0.0.0/16");
    s.pools = {{ip("10.0.1.0"), ip("10.0.1.255")}};
    c.subnets.push_back(s);
    core::Rng rng(3), pick(4);
    LeaseTable t(c, rng);
    std::vector<uint32_t> leased;
    uint64_t n = 1;
    for (int i = 0; i < 253; ++i) {
      const uint32_t slot = t.allocate(0, rng);
      ASSERT_NE(slot, LeaseTable::kNoSlot);
      t.bind(slot, client(n), at_s(double(n)));
      ++n;
      leased.push_back(slot);
    }
    for (int i = 0; i < 20000; ++i) {
      const uint32_t slot = t.allocate(0, rng);
      ASSERT_NE(slot, LeaseTable::kNoSlot) << to_string(kind) << " at " << i;
      ASSERT_EQ(t.state(slot), LeaseState::Free);
      t.bind(slot, client(n), at_s(double(n)));
      ++n;
      const auto j = std::size_t(pick.below(leased.size()));
      t.make_free(leased[j], true);
      leased[j] = slot;
    }
    EXPECT_EQ(t.counts(0).available, 3u);
    EXPECT_LT(t.memory_bytes(), 200'000u);
  }
}

// Memory stays small per lease for a large pool (one million addresses).
TEST(LeaseTable, MemoryPerLease) {
  DhcpServerConfig c;
  c.server_id = ip("10.0.0.1");
  c.allocator = AllocatorKind::FreeList;
  SubnetConfig s;
  s.prefix = prefix("10.0.0.0/8");
  s.pools = {{ip("10.0.1.0"), Ipv4Address(ip("10.0.1.0").value() + (1u << 20) - 1)}};
  c.subnets.push_back(s);
  core::Rng rng(1);
  LeaseTable t(c, rng);
  for (uint32_t i = 0; i < (1u << 20); ++i) t.bind(i, client(i + 1), at_s(1000 + i % 977));
  t.settle();
  const double per_lease = double(t.memory_bytes()) / double(1u << 20);
  EXPECT_LT(per_lease, 100.0) << per_lease;
  RecordProperty("bytes_per_lease", std::to_string(per_lease));
  std::printf("lease table memory: %.1f bytes per lease\n", per_lease);
}
