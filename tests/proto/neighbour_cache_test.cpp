#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "dhcpsim/proto/neighbour_cache.hpp"

using namespace dhcpsim;
using namespace dhcpsim::core::literals;
using core::Duration;
using core::milliseconds;
using core::seconds;
using core::Time;
using proto::NeighbourCache;
using proto::NeighbourParams;
using proto::NudState;
using wire::ArpPacket;
using wire::Ipv4Address;
using wire::MacAddress;

namespace {

using NC = NeighbourCache;
using Log = std::vector<std::pair<Time, NC::Action>>;

const Ipv4Address kMe = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address kPeer = Ipv4Address::from_octets(10, 0, 0, 2);
const Ipv4Address kThird = Ipv4Address::from_octets(10, 0, 0, 3);
const MacAddress kMyMac = MacAddress::from_u64(0x020000000001);
const MacAddress kPeerMac = MacAddress::from_u64(0x020000000002);
const MacAddress kOtherMac = MacAddress::from_u64(0x020000000003);

Time at(Duration d) {
  return Time::zero() + d;
}

/// A cache driven in virtual time: every action is logged with the time it was emitted.
struct Script {
  NeighbourParams params;
  core::Rng rng;
  NeighbourCache cache;
  Time now = Time::zero();
  Log log;

  explicit Script(NeighbourParams p = {}, uint64_t seed = 1)
      : params(p), rng(seed), cache(params) {}

  void record(const std::vector<NC::Action>& out) {
    for (const auto& a : out) log.emplace_back(now, a);
  }
  /// Runs every timer up to and including t, then sets the clock to t.
  void advance_to(Time t) {
    for (int guard = 0; cache.next_deadline() <= t; ++guard) {
      if (guard == 100000) {  // a timer that never moves on: fail, do not hang
        ADD_FAILURE() << "timers stuck at " << cache.next_deadline().ns() << " ns";
        return;
      }
      now = cache.next_deadline();
      std::vector<NC::Action> out;
      cache.on_timer(now, rng, out);
      record(out);
    }
    now = t;
  }
  NC::Resolution resolve(Time t, Ipv4Address ip, proto::PacketToken token) {
    advance_to(t);
    std::vector<NC::Action> out;
    auto r = cache.resolve(now, ip, token, rng, out);
    record(out);
    return r;
  }
  void arp(Time t, const ArpPacket& p, bool unicast_to_me, bool target_is_me) {
    advance_to(t);
    std::vector<NC::Action> out;
    cache.on_arp(now, p, unicast_to_me, target_is_me, rng, out);
    record(out);
  }
  void confirm(Time t, Ipv4Address ip) {
    advance_to(t);
    std::vector<NC::Action> out;
    cache.confirm(now, ip, out);
    record(out);
  }
  /// The actions of type T logged so far, with their times; clears nothing.
  template <class T>
  std::vector<std::pair<Time, T>> all() const {
    std::vector<std::pair<Time, T>> v;
    for (const auto& [t, a] : log)
      if (const T* x = std::get_if<T>(&a)) v.emplace_back(t, *x);
    return v;
  }
  NudState state(Ipv4Address ip) const {
    const NC::Entry* e = cache.lookup(ip);
    return e ? e->state_at(now) : NudState::None;
  }
  MacAddress mac(Ipv4Address ip) const {
    const NC::Entry* e = cache.lookup(ip);
    return e ? e->mac : MacAddress();
  }
};

ArpPacket unicast_reply_from_peer(MacAddress mac = kPeerMac) {
  return ArpPacket::reply(mac, kPeer, kMyMac, kMe);
}
ArpPacket request_from_peer_to(Ipv4Address target, MacAddress mac = kPeerMac) {
  return ArpPacket::request(mac, kPeer, target);
}

/// One random input at t about (ip, mac): a resolution, a unicast or broadcast reply, a
/// request, an announcement or an upper-layer confirmation.
void random_input(Script& s, core::Rng& r, Time t, Ipv4Address ip, MacAddress mac, uint32_t token) {
  switch (r.below(6)) {
    case 0:
      s.resolve(t, ip, token);
      break;
    case 1:
      s.arp(t, ArpPacket::reply(mac, ip, kMyMac, kMe), true, true);
      break;
    case 2:
      s.arp(t, ArpPacket::reply(mac, ip, MacAddress::broadcast(), kMe), false, true);
      break;
    case 3:
      s.arp(t, ArpPacket::request(mac, ip, kMe), false, true);
      break;
    case 4:
      s.arp(t, ArpPacket::announcement(mac, ip), false, false);
      break;
    default:
      s.confirm(t, ip);
      break;
  }
}

/// Brings kPeer to REACHABLE at t (resolve + unicast reply, both at t).
void make_reachable(Script& s, Time t) {
  s.resolve(t, kPeer, 99);
  s.arp(t, unicast_reply_from_peer(), /*unicast_to_me=*/true, /*target_is_me=*/true);
  ASSERT_EQ(s.state(kPeer), NudState::Reachable);
}

}  // namespace

// A first packet creates INCOMPLETE and broadcasts a request; the unicast reply makes the
// entry REACHABLE and releases the queued packets in order; later packets resolve at once.
TEST(NeighbourCache, ResolutionFlushesQueuedPackets) {
  Script s;
  auto r1 = s.resolve(at(0_s), kPeer, 1);
  EXPECT_EQ(r1.status, NC::ResolveStatus::Queued);
  auto r2 = s.resolve(at(200_ms), kPeer, 2);
  EXPECT_EQ(r2.status, NC::ResolveStatus::Queued);
  EXPECT_EQ(s.state(kPeer), NudState::Incomplete);
  s.arp(at(300_ms), unicast_reply_from_peer(), true, true);

  auto sends = s.all<NC::SendArpRequest>();
  ASSERT_EQ(sends.size(), 1u);
  EXPECT_EQ(sends[0].first, at(0_s));
  EXPECT_EQ(sends[0].second, (NC::SendArpRequest{kPeer, MacAddress::broadcast()}));
  auto flushed = s.all<NC::SendQueued>();
  ASSERT_EQ(flushed.size(), 1u);
  EXPECT_EQ(flushed[0].first, at(300_ms));
  EXPECT_EQ(flushed[0].second, (NC::SendQueued{kPeer, kPeerMac, {1, 2}}));
  auto changes = s.all<NC::EntryChanged>();
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].second, (NC::EntryChanged{kPeer, NudState::None, NudState::Incomplete,
                                                 MacAddress(), MacAddress()}));
  EXPECT_EQ(changes[1].second, (NC::EntryChanged{kPeer, NudState::Incomplete, NudState::Reachable,
                                                 MacAddress(), kPeerMac}));
  EXPECT_FALSE(changes[1].second.flip());

  auto r3 = s.resolve(at(1_s), kPeer, 3);
  EXPECT_EQ(r3.status, NC::ResolveStatus::Resolved);
  EXPECT_EQ(r3.mac, kPeerMac);
  // Resolved: no timer (REACHABLE expiry is lazy and never wakes the host).
  EXPECT_EQ(s.cache.next_deadline(), Time::max());
  s.advance_to(at(10_s));
  EXPECT_EQ(s.all<NC::SendArpRequest>().size(), 1u);
}

// No answer: 3 broadcast requests 1 s apart, FAILED at 3 s with the queued packets dropped;
// beyond unres_qlen (3) the oldest queued packet is dropped at once. New traffic retries.
TEST(NeighbourCache, ResolutionFailureDropsQueue) {
  Script s;
  for (uint32_t tok = 1; tok <= 5; ++tok) s.resolve(at(milliseconds(100 * (tok - 1))), kPeer, tok);
  auto drops = s.all<NC::DropQueued>();
  ASSERT_EQ(drops.size(), 2u);
  EXPECT_EQ(drops[0].first, at(300_ms));
  EXPECT_EQ(drops[0].second, (NC::DropQueued{kPeer, {1}, NC::DropReason::QueueFull}));
  EXPECT_EQ(drops[1].second, (NC::DropQueued{kPeer, {2}, NC::DropReason::QueueFull}));
  EXPECT_EQ(s.cache.lookup(kPeer)->queued_tokens().size(), 3u);

  s.advance_to(at(10_s));
  auto sends = s.all<NC::SendArpRequest>();
  ASSERT_EQ(sends.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sends[i].first, at(seconds(i)));
    EXPECT_EQ(sends[i].second.dst_mac, MacAddress::broadcast());
  }
  drops = s.all<NC::DropQueued>();
  ASSERT_EQ(drops.size(), 3u);
  EXPECT_EQ(drops[2].first, at(3_s));
  EXPECT_EQ(drops[2].second, (NC::DropQueued{kPeer, {3, 4, 5}, NC::DropReason::ResolutionFailed}));
  EXPECT_EQ(s.state(kPeer), NudState::Failed);
  auto changes = s.all<NC::EntryChanged>();
  EXPECT_EQ(changes.back().first, at(3_s));
  EXPECT_EQ(changes.back().second.new_state, NudState::Failed);
  EXPECT_EQ(s.cache.next_deadline(), Time::max());

  // Linux retries a FAILED entry when new traffic wants it.
  auto r = s.resolve(at(20_s), kPeer, 6);
  EXPECT_EQ(r.status, NC::ResolveStatus::Queued);
  EXPECT_EQ(s.state(kPeer), NudState::Incomplete);
  sends = s.all<NC::SendArpRequest>();
  ASSERT_EQ(sends.size(), 4u);
  EXPECT_EQ(sends[3].first, at(20_s));
}

// The reachable time is drawn per entry in [15 s, 45 s) (base 30 s); past it the entry is
// STALE without any timer having fired.
TEST(NeighbourCache, ReachableTimeRandomisedWithinBounds) {
  Duration lo = Duration::max(), hi = Duration::zero();
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    Script s({}, seed);
    make_reachable(s, at(1_s));
    const NC::Entry* e = s.cache.lookup(kPeer);
    Duration rt = e->reachable_until() - e->confirmed;
    ASSERT_GE(rt, 15_s);
    ASSERT_LT(rt, 45_s);
    lo = std::min(lo, rt);
    hi = std::max(hi, rt);
    EXPECT_EQ(e->state_at(e->reachable_until() - 1_ns), NudState::Reachable);
    EXPECT_EQ(e->state_at(e->reachable_until()), NudState::Stale);
    EXPECT_EQ(s.cache.next_deadline(), Time::max());
  }
  // The draws actually spread over the interval.
  EXPECT_LT(lo, 17_s);
  EXPECT_GT(hi, 43_s);
}

// STALE use -> DELAY; 5 s without confirmation -> PROBE with 3 unicast requests to the
// cached MAC 1 s apart -> FAILED 1 s after the last.
TEST(NeighbourCache, StaleDelayProbeFailed) {
  Script s;
  make_reachable(s, at(0_s));
  s.advance_to(at(50_s));  // past any reachable time
  EXPECT_EQ(s.state(kPeer), NudState::Stale);
  EXPECT_TRUE(s.all<NC::SendArpRequest>().size() == 1u);  // only the initial broadcast

  auto r = s.resolve(at(50_s), kPeer, 7);
  EXPECT_EQ(r.status, NC::ResolveStatus::Resolved);
  EXPECT_EQ(r.mac, kPeerMac);
  EXPECT_EQ(s.state(kPeer), NudState::Delay);
  EXPECT_EQ(s.cache.next_deadline(), at(55_s));
  auto changes = s.all<NC::EntryChanged>();
  ASSERT_GE(changes.size(), 2u);
  // The lazy REACHABLE -> STALE is reported when the entry is next touched.
  EXPECT_EQ(changes[changes.size() - 2].second.old_state, NudState::Reachable);
  EXPECT_EQ(changes[changes.size() - 2].second.new_state, NudState::Stale);
  EXPECT_EQ(changes.back().second.new_state, NudState::Delay);

  // While DELAY / PROBE the cached MAC is used.
  EXPECT_EQ(s.resolve(at(56_s) + 500_ms, kPeer, 8).status, NC::ResolveStatus::Resolved);
  s.advance_to(at(70_s));
  auto sends = s.all<NC::SendArpRequest>();
  ASSERT_EQ(sends.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(sends[1 + i].first, at(seconds(55 + i)));
    EXPECT_EQ(sends[1 + i].second, (NC::SendArpRequest{kPeer, kPeerMac}));
  }
  changes = s.all<NC::EntryChanged>();
  EXPECT_EQ(changes.back().first, at(58_s));
  EXPECT_EQ(changes.back().second,
            (NC::EntryChanged{kPeer, NudState::Probe, NudState::Failed, kPeerMac, MacAddress()}));
  EXPECT_EQ(s.state(kPeer), NudState::Failed);
}

// A unicast reply during DELAY confirms the entry: REACHABLE, and no probe is sent.
TEST(NeighbourCache, DelayConfirmedByUnicastReply) {
  Script s;
  make_reachable(s, at(0_s));
  s.resolve(at(50_s), kPeer, 7);
  ASSERT_EQ(s.state(kPeer), NudState::Delay);
  s.arp(at(52_s), unicast_reply_from_peer(), true, true);
  EXPECT_EQ(s.state(kPeer), NudState::Reachable);
  EXPECT_EQ(s.cache.next_deadline(), Time::max());
  s.advance_to(at(60_s));
  EXPECT_EQ(s.all<NC::SendArpRequest>().size(), 1u);
  EXPECT_EQ(s.cache.lookup(kPeer)->confirmed, at(52_s));
}

// An upper-layer confirmation during DELAY makes the entry REACHABLE at the DELAY timer.
TEST(NeighbourCache, DelayConfirmedByUpperLayer) {
  Script s;
  make_reachable(s, at(0_s));
  s.resolve(at(50_s), kPeer, 7);
  s.confirm(at(53_s), kPeer);
  s.advance_to(at(60_s));
  EXPECT_EQ(s.state(kPeer), NudState::Reachable);
  EXPECT_EQ(s.all<NC::SendArpRequest>().size(), 1u);
  auto changes = s.all<NC::EntryChanged>();
  EXPECT_EQ(changes.back().first, at(55_s));
  EXPECT_EQ(changes.back().second.new_state, NudState::Reachable);
}

// A broadcast request (not for me) from a known sender with a new MAC: ignored within
// locktime (1 s since the last update), accepted after it as STALE with the new MAC (a flip).
TEST(NeighbourCache, NewMacRespectsLocktime) {
  Script s;
  make_reachable(s, at(0_s));
  auto n_changes = s.all<NC::EntryChanged>().size();
  s.arp(at(500_ms), request_from_peer_to(kThird, kOtherMac), false, false);
  EXPECT_EQ(s.mac(kPeer), kPeerMac);
  EXPECT_EQ(s.state(kPeer), NudState::Reachable);
  EXPECT_EQ(s.all<NC::EntryChanged>().size(), n_changes);

  s.arp(at(1_s) + 1_ms, request_from_peer_to(kThird, kOtherMac), false, false);
  EXPECT_EQ(s.mac(kPeer), kOtherMac);
  EXPECT_EQ(s.state(kPeer), NudState::Stale);
  auto changes = s.all<NC::EntryChanged>();
  ASSERT_EQ(changes.size(), n_changes + 1);
  EXPECT_EQ(changes.back().second,
            (NC::EntryChanged{kPeer, NudState::Reachable, NudState::Stale, kPeerMac, kOtherMac}));
  EXPECT_TRUE(changes.back().second.flip());

  // A unicast reply with yet another MAC within locktime of that change is ignored too.
  s.arp(at(1_s) + 500_ms, unicast_reply_from_peer(kPeerMac), true, true);
  EXPECT_EQ(s.mac(kPeer), kOtherMac);
}

// Linux's neigh_event_ns: a request for my own address overrides the sender's MAC even
// within locktime (only the generic update path honours locktime).
TEST(NeighbourCache, RequestForMeOverridesWithinLocktime) {
  Script s;
  make_reachable(s, at(0_s));
  s.arp(at(100_ms), request_from_peer_to(kMe, kOtherMac), false, true);
  EXPECT_EQ(s.mac(kPeer), kOtherMac);
  EXPECT_EQ(s.state(kPeer), NudState::Stale);
  EXPECT_TRUE(s.all<NC::EntryChanged>().back().second.flip());
}

// A gratuitous ARP (spa == tpa) overrides the MAC within locktime; a gratuitous reply must
// also have tha == sha, otherwise it is an ordinary reply and locktime applies.
TEST(NeighbourCache, GratuitousArpOverridesLocktime) {
  Script s;
  make_reachable(s, at(0_s));
  s.arp(at(100_ms), ArpPacket::announcement(kOtherMac, kPeer), false, false);
  EXPECT_EQ(s.mac(kPeer), kOtherMac);
  EXPECT_EQ(s.state(kPeer), NudState::Stale);
  EXPECT_TRUE(s.all<NC::EntryChanged>().back().second.flip());

  // Reply with spa == tpa but tha != sha: not gratuitous for Linux, within locktime.
  s.arp(at(200_ms), ArpPacket::reply(kPeerMac, kPeer, MacAddress::broadcast(), kPeer), false,
        false);
  EXPECT_EQ(s.mac(kPeer), kOtherMac);
  // arping -A style gratuitous reply (tha == sha): overrides.
  s.arp(at(300_ms), ArpPacket::reply(kPeerMac, kPeer, kPeerMac, kPeer), false, false);
  EXPECT_EQ(s.mac(kPeer), kPeerMac);
  EXPECT_EQ(s.state(kPeer), NudState::Stale);  // broadcast: not a confirmation
}

// A broadcast request from a known sender with the same MAC does not change the state
// (REACHABLE stays REACHABLE, DELAY stays DELAY) and reports nothing.
TEST(NeighbourCache, SameMacRequestKeepsState) {
  Script s;
  make_reachable(s, at(0_s));
  auto n = s.all<NC::EntryChanged>().size();
  s.arp(at(5_s), request_from_peer_to(kThird), false, false);
  EXPECT_EQ(s.state(kPeer), NudState::Reachable);
  EXPECT_EQ(s.all<NC::EntryChanged>().size(), n);
  EXPECT_EQ(s.cache.lookup(kPeer)->updated, at(0_s));  // no-op updates do not move `updated`

  s.resolve(at(50_s), kPeer, 5);
  ASSERT_EQ(s.state(kPeer), NudState::Delay);
  n = s.all<NC::EntryChanged>().size();
  s.arp(at(51_s), request_from_peer_to(kThird), false, false);
  EXPECT_EQ(s.state(kPeer), NudState::Delay);
  EXPECT_EQ(s.all<NC::EntryChanged>().size(), n);
}

// An ARP that changes nothing leaves no trace, even on an entry whose REACHABLE time has
// lapsed: the lapse is reported only by a call that changes the entry (so delivering a
// broadcast to every NIC or only where it matters gives the same records).
TEST(NeighbourCache, NoOpArpOnLapsedEntryLeavesNoTrace) {
  Script s;
  make_reachable(s, at(0_s));
  auto n = s.all<NC::EntryChanged>().size();
  s.arp(at(50_s), request_from_peer_to(kThird), false, false);  // same MAC, broadcast
  EXPECT_EQ(s.all<NC::EntryChanged>().size(), n);
  EXPECT_EQ(s.cache.lookup(kPeer)->state, NudState::Reachable);  // stored
  EXPECT_EQ(s.state(kPeer), NudState::Stale);                    // in effect
  // A new MAC after the lapse: the lapse is reported first, then the change.
  s.arp(at(51_s), request_from_peer_to(kThird, kOtherMac), false, false);
  auto changes = s.all<NC::EntryChanged>();
  ASSERT_EQ(changes.size(), n + 2);
  EXPECT_EQ(changes[n].second,
            (NC::EntryChanged{kPeer, NudState::Reachable, NudState::Stale, kPeerMac, kPeerMac}));
  EXPECT_EQ(changes[n + 1].second,
            (NC::EntryChanged{kPeer, NudState::Stale, NudState::Stale, kPeerMac, kOtherMac}));
  // A unicast reply with the old MAC within locktime: ignored, and it does not revive the
  // entry's REACHABLE state either (Linux only refreshes `confirmed`).
  s.arp(at(51_s) + 100_ms, unicast_reply_from_peer(kPeerMac), true, true);
  EXPECT_EQ(s.state(kPeer), NudState::Stale);
  EXPECT_EQ(s.mac(kPeer), kOtherMac);
}

// Delivery-mode independence: a cache that sees every broadcast ARP and one that sees only
// those that can change it (unicast to it, a request for its address, or from a sender
// whose entry is not valid or has another MAC) emit exactly the same actions.
TEST(NeighbourCache, FilteredDeliveryGivesSameActions) {
  NeighbourParams p;
  p.gc_thresh1 = 2;
  Script all_nics(p, 9), filtered(p, 9);
  core::Rng r(99);
  const Ipv4Address ips[] = {kPeer, kThird, Ipv4Address::from_octets(10, 0, 0, 4)};
  const MacAddress macs[] = {kPeerMac, kOtherMac, MacAddress::from_u64(0x020000000009)};
  Time t = Time::zero();
  int skipped = 0;
  for (int step = 0; step < 4000; ++step) {
    t += milliseconds(int64_t(r.below(3000)));
    Ipv4Address ip = ips[r.below(3)];
    MacAddress mac = macs[r.below(3)];
    if (r.below(5) == 0) {
      all_nics.resolve(t, ip, uint32_t(step));
      filtered.resolve(t, ip, uint32_t(step));
      continue;
    }
    ArpPacket a;
    bool unicast = false, for_me = false;
    switch (r.below(5)) {
      case 0:
        a = ArpPacket::reply(mac, ip, kMyMac, kMe), unicast = true;
        break;
      case 1:
        a = ArpPacket::reply(mac, ip, MacAddress::broadcast(), kThird);
        break;
      case 2:
        a = ArpPacket::request(mac, ip, kMe), for_me = true;
        break;
      case 3:
        a = ArpPacket::request(mac, ip, kThird);
        break;
      case 4:
        a = ArpPacket::announcement(mac, ip);
        break;
    }
    all_nics.arp(t, a, unicast, for_me);
    filtered.advance_to(t);  // the network runs timers on time: the filter sees this state
    const NC::Entry* e = filtered.cache.lookup(a.spa);
    bool may_change = unicast || for_me || (e && (!proto::is_valid(e->state) || e->mac != a.sha));
    if (may_change)
      filtered.arp(t, a, unicast, for_me);
    else
      ++skipped;
  }
  EXPECT_GT(skipped, 500);
  all_nics.advance_to(t + 600_s);
  filtered.advance_to(t + 600_s);
  ASSERT_EQ(all_nics.log.size(), filtered.log.size());
  for (std::size_t i = 0; i < all_nics.log.size(); ++i) {
    EXPECT_EQ(all_nics.log[i].first, filtered.log[i].first) << i;
    EXPECT_TRUE(all_nics.log[i].second == filtered.log[i].second) << i;
  }
}

// Unsolicited ARP does not create entries (arp_accept = 0), except a request for my
// address; with arp_accept, gratuitous ARP and replies do.
TEST(NeighbourCache, UnsolicitedArpAndArpAccept) {
  Script s;
  s.arp(at(0_s), ArpPacket::announcement(kPeerMac, kPeer), false, false);
  s.arp(at(0_s), ArpPacket::reply(kPeerMac, kPeer, kMyMac, kMe), true, true);
  s.arp(at(0_s), request_from_peer_to(kThird), false, false);
  s.arp(at(0_s), ArpPacket::probe(kOtherMac, kMe), false, true);  // RFC 5227 probe: no entry
  EXPECT_TRUE(s.cache.empty());
  s.arp(at(1_s), request_from_peer_to(kMe), false, true);
  EXPECT_EQ(s.state(kPeer), NudState::Stale);
  EXPECT_EQ(s.mac(kPeer), kPeerMac);

  NeighbourParams p;
  p.arp_accept = true;
  Script a(p);
  a.arp(at(0_s), ArpPacket::announcement(kPeerMac, kPeer), false, false);
  EXPECT_EQ(a.state(kPeer), NudState::Stale);
  a.arp(at(0_s), ArpPacket::reply(kOtherMac, kThird, kMyMac, kMe), true, true);
  EXPECT_EQ(a.state(kThird), NudState::Reachable);
}

// An INCOMPLETE entry learning the MAC from a request for me becomes STALE; sending the
// queued packets through it moves it to DELAY (as Linux's flush via neigh_resolve_output).
TEST(NeighbourCache, IncompleteResolvedByRequestGoesDelay) {
  Script s;
  s.resolve(at(0_s), kPeer, 1);
  s.arp(at(10_ms), request_from_peer_to(kMe), false, true);
  EXPECT_EQ(s.all<NC::SendQueued>().size(), 1u);
  EXPECT_EQ(s.state(kPeer), NudState::Delay);
  EXPECT_EQ(s.cache.next_deadline(), at(5_s) + 10_ms);
  // The unicast reply arriving next confirms it.
  s.arp(at(20_ms), unicast_reply_from_peer(), true, true);
  EXPECT_EQ(s.state(kPeer), NudState::Reachable);
  EXPECT_EQ(s.cache.next_deadline(), Time::max());
}

// Periodic GC: below gc_thresh1 (128) nothing is collected and the host is never woken;
// at 128 entries a pass runs every 15 s and drops STALE entries unused for 60 s, but not
// an entry in use.
TEST(NeighbourCache, PeriodicGcThresholds) {
  Script s;
  auto ip = [](uint32_t i) { return Ipv4Address(0x0a010000u + i); };
  for (uint32_t i = 0; i < 127; ++i)
    s.arp(at(0_s), ArpPacket::request(MacAddress::from_u64(0x020000100000 + i), ip(i), kMe), false,
          true);
  EXPECT_EQ(s.cache.size(), 127u);
  EXPECT_EQ(s.cache.next_deadline(), Time::max());
  s.advance_to(at(600_s));
  EXPECT_EQ(s.cache.size(), 127u);

  s.arp(at(600_s), ArpPacket::request(MacAddress::from_u64(0x020000100000 + 127), ip(127), kMe),
        false, true);
  EXPECT_EQ(s.cache.size(), 128u);
  EXPECT_EQ(s.cache.next_deadline(), at(615_s));
  // An entry in use is in a timer state (DELAY, then PROBE): never collected.
  s.resolve(at(610_s), ip(5), 1);
  s.advance_to(at(614_s));
  EXPECT_EQ(s.cache.size(), 128u);
  s.advance_to(at(615_s));  // first pass: the 126 idle entries from t = 0 go
  EXPECT_EQ(s.cache.size(), 2u);
  EXPECT_NE(s.cache.lookup(ip(5)), nullptr);
  EXPECT_NE(s.cache.lookup(ip(127)), nullptr);  // used 15 s ago
  auto removed = 0;
  for (const auto& [when, c] : s.all<NC::EntryChanged>()) removed += c.new_state == NudState::None;
  EXPECT_EQ(removed, 126);
  // Below gc_thresh1 again: no more passes, no wake-ups once the probing is over.
  s.advance_to(at(700_s));
  EXPECT_EQ(s.cache.size(), 2u);
  EXPECT_EQ(s.state(ip(5)), NudState::Failed);
  EXPECT_EQ(s.cache.next_deadline(), Time::max());
}

// Forced GC: at gc_thresh3 with nothing collectable the table is full (no entry, TableFull);
// later the oldest entries not updated for 5 s are dropped down to gc_thresh2.
TEST(NeighbourCache, ForcedGcAndTableFull) {
  NeighbourParams p;
  p.gc_thresh1 = 1000;  // keep the periodic pass out of the way
  p.gc_thresh2 = 8;
  p.gc_thresh3 = 10;
  Script s(p);
  auto ip = [](uint32_t i) { return Ipv4Address(0x0a010000u + i); };
  auto req = [&](uint32_t i) {
    return ArpPacket::request(MacAddress::from_u64(0x020000100000 + i), ip(i), kMe);
  };
  for (uint32_t i = 0; i < 10; ++i) s.arp(at(milliseconds(i)), req(i), false, true);
  EXPECT_EQ(s.cache.size(), 10u);
  s.arp(at(1_s), req(10), false, true);
  EXPECT_EQ(s.cache.size(), 10u);
  EXPECT_EQ(s.cache.lookup(ip(10)), nullptr);
  auto full = s.all<NC::TableFull>();
  ASSERT_EQ(full.size(), 1u);
  EXPECT_EQ(full[0].second.ip, ip(10));
  EXPECT_EQ(s.resolve(at(2_s), ip(11), 1).status, NC::ResolveStatus::Dropped);

  s.arp(at(10_s), req(10), false, true);
  EXPECT_EQ(s.cache.size(), 9u);  // 2 oldest dropped, then ip(10) created
  EXPECT_EQ(s.cache.lookup(ip(0)), nullptr);
  EXPECT_EQ(s.cache.lookup(ip(1)), nullptr);
  EXPECT_NE(s.cache.lookup(ip(2)), nullptr);
  EXPECT_NE(s.cache.lookup(ip(10)), nullptr);
}

// A router-sized table stays sorted and every entry is found.
TEST(NeighbourCache, RouterSizedTable) {
  Script s;
  core::Rng order(7);
  std::vector<uint32_t> ids(1000);
  for (uint32_t i = 0; i < 1000; ++i) ids[i] = i;
  for (uint32_t i = 999; i > 0; --i) std::swap(ids[i], ids[order.below(i + 1)]);
  for (uint32_t i : ids)
    s.arp(at(1_s),
          ArpPacket::request(MacAddress::from_u64(0x020000200000 + i), Ipv4Address(0x0a020000u + i),
                             kMe),
          false, true);
  ASSERT_EQ(s.cache.size(), 1000u);
  EXPECT_TRUE(std::is_sorted(s.cache.begin(), s.cache.end(),
                             [](const auto& a, const auto& b) { return a.ip < b.ip; }));
  for (uint32_t i = 0; i < 1000; ++i) {
    const NC::Entry* e = s.cache.lookup(Ipv4Address(0x0a020000u + i));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->mac, MacAddress::from_u64(0x020000200000 + i));
  }
}

// A big table (past 16 entries) keeps its keys and deadlines in side arrays: under a
// random mix of resolutions, replies, probes, failures and forced GC erasing entries,
// every entry is found, the cache's next deadline is always the least deadline of its
// entries, and no timer is left overdue.
TEST(NeighbourCache, BigTableDeadlinesStayInStep) {
  NeighbourParams p;
  p.gc_thresh1 = 1000;  // no periodic GC: next_deadline() is then the timers' alone
  p.gc_thresh2 = 30;
  p.gc_thresh3 = 40;
  Script s(p, 5);
  core::Rng r(55);
  Time t = Time::zero();
  std::size_t biggest = 0;
  for (int step = 0; step < 4000; ++step) {
    t += milliseconds(int64_t(r.below(300)));
    const Ipv4Address ip(0x0a000010u + r.below(48));
    const MacAddress mac = MacAddress::from_u64(0x020000300000 + r.below(3));
    random_input(s, r, t, ip, mac, uint32_t(step));
    biggest = std::max(biggest, s.cache.size());
    Time least = Time::max();
    for (const NC::Entry& e : s.cache) {
      least = std::min(least, e.deadline);
      ASSERT_GT(e.deadline, s.now) << "overdue timer at step " << step;
      ASSERT_EQ(s.cache.lookup(e.ip), &e) << "step " << step;  // the key array too
    }
    ASSERT_EQ(s.cache.next_deadline(), least) << "step " << step;
  }
  EXPECT_GE(biggest, 30u);  // the side array was in use, and forced GC erased from it
}

// Memory: an entry is one cache line; a host's cache holds its one entry (the gateway)
// inline in 128 bytes.
TEST(NeighbourCache, CompactLayout) {
  EXPECT_EQ(sizeof(NC::Entry), 64u);
  EXPECT_LE(sizeof(NeighbourCache), 128u);
  RecordProperty("sizeof_entry", int(sizeof(NC::Entry)));
  RecordProperty("sizeof_cache", int(sizeof(NeighbourCache)));
}

// EntryChanged is a consistent change log: under a random mix of inputs, each change of an
// ip starts where the previous one ended, and the last one matches the table.
TEST(NeighbourCache, EntryChangedIsConsistentLog) {
  NeighbourParams p;
  p.gc_thresh1 = 2;  // let the periodic GC remove entries too
  Script s(p, 42);
  core::Rng r(4242);
  const Ipv4Address ips[] = {kPeer, kThird, Ipv4Address::from_octets(10, 0, 0, 4)};
  const MacAddress macs[] = {kPeerMac, kOtherMac, MacAddress::from_u64(0x020000000009)};
  Time t = Time::zero();
  for (int step = 0; step < 3000; ++step) {
    t += milliseconds(int64_t(r.below(4000)));
    Ipv4Address ip = ips[r.below(3)];
    MacAddress mac = macs[r.below(3)];
    random_input(s, r, t, ip, mac, uint32_t(step));
  }
  std::map<uint32_t, std::pair<NudState, MacAddress>> last;
  int flips = 0;
  for (const auto& [when, c] : s.all<NC::EntryChanged>()) {
    auto it = last.find(c.ip.value());
    NudState prev_state = it == last.end() ? NudState::None : it->second.first;
    MacAddress prev_mac = it == last.end() ? MacAddress() : it->second.second;
    ASSERT_EQ(c.old_state, prev_state) << "at " << when;
    ASSERT_EQ(c.old_mac, prev_mac) << "at " << when;
    ASSERT_TRUE(c.old_state != c.new_state || c.old_mac != c.new_mac);
    ASSERT_EQ(proto::is_valid(c.new_state), !c.new_mac.is_zero());
    last[c.ip.value()] = {c.new_state, c.new_mac};
    flips += c.flip();
  }
  EXPECT_GT(flips, 0);
  for (const Ipv4Address& ip : ips) {
    const NC::Entry* e = s.cache.lookup(ip);
    auto it = last.find(ip.value());
    NudState logged = it == last.end() ? NudState::None : it->second.first;
    EXPECT_EQ(e ? e->state : NudState::None, logged);
    if (e) {
      EXPECT_EQ(e->mac, it->second.second);
    }
  }
  // Every queued token comes back exactly once (sent or dropped), or is still queued.
  std::map<uint32_t, int> seen;
  for (const auto& [when, q] : s.all<NC::SendQueued>())
    for (auto tok : q.tokens) ++seen[tok];
  for (const auto& [when, d] : s.all<NC::DropQueued>())
    for (auto tok : d.tokens) ++seen[tok];
  for (const auto& e : s.cache)
    for (auto tok : e.queued_tokens()) ++seen[tok];
  for (const auto& [tok, n] : seen) EXPECT_EQ(n, 1) << "token " << tok;
}
