// Allocators on their own, and property tests that drive each one through the server.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>

#include "dhcpsim/proto/allocator.hpp"
#include "proto/dhcp_server_test_util.hpp"

using namespace dhcpsim;
using namespace dhcpsim::proto;
using namespace dhcpsim::proto::testing;

// The iterative allocator proposes the next index after the last one, wrapping.
TEST(Allocator, IterativeWraps) {
  core::Rng rng(1);
  IterativeAllocator a(5);
  std::vector<uint32_t> got;
  for (int i = 0; i < 7; ++i) got.push_back(a.propose(rng));
  EXPECT_EQ(got, (std::vector<uint32_t>{0, 1, 2, 3, 4, 0, 1}));
  IterativeAllocator empty(0);
  EXPECT_EQ(empty.propose(rng), Allocator::kNone);
}

// The random allocator proposes every index exactly once per cycle, for any size and seed.
RC_GTEST_PROP(Allocator, RandomIsPermutationEachCycle, ()) {
  const auto size = *rc::gen::inRange<uint32_t>(1, 5000);
  core::Rng rng(*rc::gen::arbitrary<uint64_t>());
  RandomAllocator a(size, rng);
  for (int cycle = 0; cycle < 2; ++cycle) {
    std::vector<bool> seen(size, false);
    for (uint32_t i = 0; i < size; ++i) {
      const uint32_t x = a.propose(rng);
      RC_ASSERT(x < size);
      RC_ASSERT(!seen[x]);
      seen[x] = true;
    }
  }
}

// Two seeds give two different orders (the permutation is not the identity).
TEST(Allocator, RandomDependsOnSeed) {
  core::Rng r1(1), r2(2);
  RandomAllocator a(1000, r1), b(1000, r2);
  int same = 0, identity = 0;
  for (uint32_t i = 0; i < 1000; ++i) {
    const uint32_t x = a.propose(r1);
    same += x == b.propose(r2);
    identity += x == i;
  }
  EXPECT_LT(same, 20);
  EXPECT_LT(identity, 20);
}

// The free list hands out the least recently freed index, skips used ones, and is O(1).
TEST(Allocator, FreeListLeastRecentlyFreed) {
  core::Rng rng(1);
  FreeListAllocator a(4);
  EXPECT_EQ(a.propose(rng), 0u);
  a.on_used(0);
  a.on_used(0);  // idempotent
  EXPECT_EQ(a.propose(rng), 1u);
  a.on_used(1);
  a.on_freed(0);  // list: 2, 3, 0
  a.on_used(3);   // list: 2, 0
  EXPECT_EQ(a.free_count(), 2u);
  EXPECT_EQ(a.propose(rng), 2u);
  a.on_used(2);
  EXPECT_EQ(a.propose(rng), 0u);
  a.on_used(0);
  EXPECT_EQ(a.propose(rng), Allocator::kNone);
  a.on_freed(3);
  a.on_freed(3);
  EXPECT_EQ(a.free_count(), 1u);
  EXPECT_EQ(a.propose(rng), 3u);
  a.reset(rng);
  EXPECT_EQ(a.free_count(), 4u);
}

// Allocator names round-trip.
TEST(Allocator, Names) {
  for (auto k : {AllocatorKind::Iterative, AllocatorKind::Random, AllocatorKind::FreeList})
    EXPECT_EQ(allocator_kind_from_string(to_string(k)), k);
  EXPECT_FALSE(allocator_kind_from_string("linear"));
}

// Through the server, the random allocator covers the whole pool without repeats.
TEST(Allocator, RandomCoversPoolThroughServer) {
  auto cfg = basic_config();
  cfg.allocator = AllocatorKind::Random;
  cfg.subnets[0].pools = {{ip("10.0.0.2"), ip("10.0.0.254")}};
  Harness h(cfg, 77);
  std::set<uint32_t> got;
  std::vector<uint32_t> order;
  for (uint64_t c = 1; c <= 253; ++c) {
    auto a = h.dora(at_s(0), mac(c));
    ASSERT_TRUE(a);
    EXPECT_TRUE(got.insert(a->value()).second);
    order.push_back(a->value());
  }
  EXPECT_FALSE(h.dora(at_s(0), mac(999)));
  EXPECT_FALSE(std::is_sorted(order.begin(), order.end()));
}

namespace {

// A property-test world: one subnet with two pools, an exclusion, a MAC reservation inside
// a pool and a client-id reservation outside; 12 clients, some identified by long (RFC 4361
// style) client ids.
constexpr int kClients = 12;

DhcpServerConfig property_config(AllocatorKind kind, bool ping) {
  DhcpServerConfig c;
  c.server_id = ip("10.0.0.1");
  c.allocator = kind;
  c.offer_hold_time = core::seconds(10);
  c.decline_probation_time = core::seconds(50);
  c.ping_check.enabled = ping;
  c.ping_check.max_parked = 3;
  SubnetConfig s;
  s.prefix = prefix("10.0.0.0/24");
  // 5 usable addresses for 12 clients: contention and exhaustion are common.
  s.pools = {{ip("10.0.0.10"), ip("10.0.0.14")}, {ip("10.0.0.30"), ip("10.0.0.31")}};
  s.exclusions = {{ip("10.0.0.12"), ip("10.0.0.12")}};
  Reservation r0;
  r0.mac = mac(1);  // client 0
  r0.address = ip("10.0.0.14");
  Reservation r1;
  r1.client_id = wire::bytes_of({0xff, 0, 0, 0, 1, 0, 1, 9, 9, 9, 9, 9, 2});  // client 1
  r1.address = ip("10.0.0.50");
  s.reservations = {r0, r1};
  s.lease_time = core::seconds(100);
  c.subnets.push_back(s);
  return c;
}

std::vector<std::byte> client_id_of(int c) {
  return wire::bytes_of({0xff, 0, 0, 0, 1, 0, 1, 9, 9, 9, 9, 9, uint8_t(c + 1)});
}
bool uses_client_id(int c) {
  return c % 3 == 1;
}

struct Model {
  struct Holder {
    int client;
    Time until;
  };
  std::map<uint32_t, Holder> holders;  // address -> who the server ACKed it to, until when
  std::optional<Ipv4Address> offered[kClients];
  std::optional<Ipv4Address> bound[kClients];
};

}  // namespace

// Driven through the server with random DISCOVER/REQUEST/RELEASE/DECLINE/ping/expiry
// sequences, no allocator ever gives one address to two clients, nor an address outside
// the pools, an excluded one, or someone else's reservation.
RC_GTEST_PROP(AllocatorProperty, NeverTwiceNeverForbidden, ()) {
  const auto kind =
      *rc::gen::element(AllocatorKind::Iterative, AllocatorKind::Random, AllocatorKind::FreeList);
  const bool ping = *rc::gen::arbitrary<bool>();
  const auto ops = *rc::gen::container<std::vector<std::tuple<int, int, int, int>>>(
      rc::gen::tuple(rc::gen::inRange(0, 14), rc::gen::inRange(0, kClients),
                     rc::gen::inRange(0, 256), rc::gen::inRange(0, 60000)));
  const DhcpServerConfig cfg = property_config(kind, ping);
  DhcpServer server(cfg, core::Rng(*rc::gen::arbitrary<uint64_t>()));
  std::vector<DhcpServer::Action> out;
  std::vector<uint64_t> tokens;
  Model model;
  Time now = Time::zero();

  const std::vector<Ipv4Address> candidates = {ip("10.0.0.10"), ip("10.0.0.12"), ip("10.0.0.14"),
                                               ip("10.0.0.17"), ip("10.0.0.31"), ip("10.0.0.50"),
                                               ip("10.0.0.99"), ip("10.0.1.5")};
  auto allowed_for = [&](Ipv4Address a, int c) {
    if (a == ip("10.0.0.12")) return false;  // excluded
    if (a == ip("10.0.0.14")) return c == 0;
    if (a == ip("10.0.0.50")) return c == 1;
    const uint32_t v = a.value();
    return (v >= ip("10.0.0.10").value() && v <= ip("10.0.0.14").value()) ||
           (v >= ip("10.0.0.30").value() && v <= ip("10.0.0.31").value());
  };
  auto client_of = [&](const DhcpMessage& m) { return int(m.client_mac().to_u64() & 0xff) - 1; };
  auto check_invariants = [&] {
    // The table's counters agree with its slots, and with the free list.
    const LeaseTable& t = server.leases();
    const SubnetCounts& sc = t.counts(0);
    uint32_t total = 0, available = 0;
    for (uint32_t s = 0; s < t.slot_count(); ++s) {
      const LeaseInfo li = t.info_of_slot(s);
      total += 1;
      if (li.in_pool && !li.excluded && !li.reserved && li.state == LeaseState::Free) ++available;
      if (li.state == LeaseState::Offered || li.state == LeaseState::Bound)
        RC_ASSERT(li.client != kNoClient);
    }
    uint32_t by_state = 0;
    for (auto n : sc.by_state) by_state += n;
    RC_ASSERT(by_state == total);
    RC_ASSERT(sc.available == available);
    if (kind == AllocatorKind::FreeList)
      RC_ASSERT(static_cast<const FreeListAllocator&>(t.allocator(0)).free_count() == available);
  };
  auto absorb = [&] {
    for (const auto& a : out) {
      if (auto* p = std::get_if<DhcpServer::PingCheck>(&a)) {
        tokens.push_back(p->token);
        continue;
      }
      const auto* s = std::get_if<DhcpServer::Send>(&a);
      if (!s) continue;
      const DhcpMessage& m = s->message;
      const int c = client_of(m);
      RC_ASSERT(c >= 0 && c < kClients);
      const auto type = m.message_type();
      if (type == DhcpMessageType::Nak) {
        model.offered[c].reset();
        continue;
      }
      const Ipv4Address y = m.yiaddr;
      RC_ASSERT(!y.is_zero());
      RC_ASSERT(allowed_for(y, c));
      auto h = model.holders.find(y.value());
      if (h != model.holders.end() && h->second.until > now) RC_ASSERT(h->second.client == c);
      if (type == DhcpMessageType::Offer) {
        model.offered[c] = y;
      } else {
        RC_ASSERT(type == DhcpMessageType::Ack);
        model.holders[y.value()] = {c, now + core::seconds(*m.options.lease_time())};
        model.bound[c] = y;
        model.offered[c].reset();
      }
    }
    out.clear();
  };
  auto run_timers = [&](Time until) {
    while (server.next_deadline() <= until) {
      now = std::max(now, server.next_deadline());
      server.on_timer(now, out);
      absorb();
    }
    now = until;
  };
  auto send = [&](int c, DhcpMessage m, bool broadcast) {
    if (uses_client_id(c)) m.options.set(opt::kClientId, client_id_of(c));
    server.on_message(now, on_link(broadcast), m, out);
    absorb();
    check_invariants();
  };

  for (const auto& [op_raw, c, arg, dt_ms] : ops) {
    const int op = op_raw < 10 ? op_raw : op_raw % 2;  // DISCOVER and SELECTING twice as often
    run_timers(now + core::milliseconds(dt_ms % 200));
    const Ipv4Address pick = candidates[std::size_t(arg) % candidates.size()];
    const MacAddress m = mac(uint64_t(c + 1));
    switch (op) {
      case 0: {
        DhcpMessage d = discover(m);
        if (arg % 4 == 0) d.options.set_ip(opt::kRequestedIp, pick);
        send(c, d, true);
        break;
      }
      case 1:
        send(c, request_selecting(m, cfg.server_id, model.offered[c].value_or(pick)), true);
        break;
      case 2:
        send(c, request_selecting(m, ip("10.0.0.2"), model.offered[c].value_or(pick)), true);
        model.offered[c].reset();
        break;
      case 3:
      case 9:
        send(c, request_renew(m, model.bound[c].value_or(pick)), op == 9);
        break;
      case 4:
        send(c, request_init_reboot(m, arg % 2 ? model.bound[c].value_or(pick) : pick), true);
        break;
      case 5:
        if (model.bound[c]) {
          const Ipv4Address a = *model.bound[c];
          send(c, release(m, cfg.server_id, a), false);
          auto h = model.holders.find(a.value());
          if (h != model.holders.end() && h->second.client == c) model.holders.erase(h);
          model.bound[c].reset();
        }
        break;
      case 6: {
        const auto a = model.bound[c] ? model.bound[c] : model.offered[c];
        if (a) {
          send(c, decline(m, cfg.server_id, *a), true);
          auto h = model.holders.find(a->value());
          if (h != model.holders.end() && h->second.client == c) model.holders.erase(h);
          model.bound[c].reset();
          model.offered[c].reset();
        }
        break;
      }
      case 7:
        run_timers(now + core::seconds(dt_ms / 1000));
        break;
      case 8:
        if (!tokens.empty()) {
          const std::size_t i = std::size_t(arg) % tokens.size();
          server.on_ping_result(now, tokens[i], dt_ms % 2 == 0, out);
          tokens.erase(tokens.begin() + std::ptrdiff_t(i));
          absorb();
          check_invariants();
        }
        break;
    }
  }
  const DhcpServerStats st = server.stats();
  RC_CLASSIFY(st.acks > 0, "acked");
  RC_CLASSIFY(st.exhausted > 0, "exhausted");
  RC_CLASSIFY(st.declines > 0, "declined");
  RC_CLASSIFY(st.ping_conflicts > 0, "ping conflict");
  RC_CLASSIFY(st.leases_expired > 0, "expired");
  run_timers(now + core::seconds(1000));
  // Everything timed out: all leases expired, nothing offered, probations over.
  RC_ASSERT(server.leases().counts(0).bound() == 0u);
  RC_ASSERT(server.leases().counts(0).in_state(LeaseState::Offered) == 0u);
  RC_ASSERT(server.leases().counts(0).in_state(LeaseState::Declined) == 0u);
}
