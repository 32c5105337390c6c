#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "dhcpsim/proto/acd.hpp"

using namespace dhcpsim;
using namespace dhcpsim::core::literals;
using core::Duration;
using core::Time;
using proto::AcdEngine;
using proto::AcdParams;
using proto::AcdPhase;
using proto::DefencePolicy;
using wire::ArpPacket;
using wire::Ipv4Address;
using wire::MacAddress;

namespace {

const Ipv4Address kAddr = Ipv4Address::from_octets(192, 168, 1, 50);
const Ipv4Address kOtherAddr = Ipv4Address::from_octets(192, 168, 1, 51);
const MacAddress kMyMac = MacAddress::from_u64(0x020000000001);
const MacAddress kOtherMac = MacAddress::from_u64(0x020000000002);

Time at(Duration d) {
  return Time::zero() + d;
}

/// An ACD engine driven in virtual time, every action logged with its time.
struct Script {
  AcdParams params;
  core::Rng rng;
  AcdEngine acd;
  Time now = Time::zero();
  std::vector<std::pair<Time, AcdEngine::Action>> log;

  explicit Script(AcdParams p = {}, uint64_t seed = 1) : params(p), rng(seed), acd(params) {}

  void record(const std::vector<AcdEngine::Action>& out) {
    for (const auto& a : out) log.emplace_back(now, a);
  }
  void advance_to(Time t) {
    while (acd.next_deadline() <= t) {
      now = acd.next_deadline();
      std::vector<AcdEngine::Action> out;
      acd.on_timer(now, rng, out);
      record(out);
    }
    now = t;
  }
  void start(Time t, Ipv4Address addr = kAddr) {
    advance_to(t);
    std::vector<AcdEngine::Action> out;
    acd.start(now, addr, kMyMac, rng, out);
    record(out);
  }
  void arp(Time t, const ArpPacket& p) {
    advance_to(t);
    std::vector<AcdEngine::Action> out;
    acd.on_arp(now, p, out);
    record(out);
  }
  template <class T>
  std::vector<std::pair<Time, T>> all() const {
    std::vector<std::pair<Time, T>> v;
    for (const auto& [t, a] : log)
      if (const T* x = std::get_if<T>(&a)) v.emplace_back(t, *x);
    return v;
  }
  /// Claims kAddr starting at t and runs until defending; returns the claim time.
  Time claim(Time t) {
    start(t);
    advance_to(t + 20_s);
    auto c = all<AcdEngine::Claimed>();
    EXPECT_FALSE(c.empty());
    EXPECT_EQ(acd.phase(), AcdPhase::Defending);
    return c.empty() ? Time::max() : c.back().first;
  }
};

bool is_probe_for(const ArpPacket& p, Ipv4Address addr) {
  return p.oper == wire::kArpRequest && p.spa.is_zero() && p.tpa == addr && p.sha == kMyMac &&
         p.tha.is_zero();
}
bool is_announcement_of(const ArpPacket& p, Ipv4Address addr) {
  return p.oper == wire::kArpRequest && p.spa == addr && p.tpa == addr && p.sha == kMyMac &&
         p.tha.is_zero();
}

}  // namespace

// RFC 5227 timeline with the §1.1 constants, over many seeds: first probe within
// PROBE_WAIT of the start, probes PROBE_MIN..PROBE_MAX apart, Claimed ANNOUNCE_WAIT after
// the last probe together with the first announcement, the second ANNOUNCE_INTERVAL later.
TEST(Acd, ProbeAnnounceTimelineWithinRfcWindows) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    Script s({}, seed);
    s.start(at(10_s));
    EXPECT_EQ(s.acd.phase(), AcdPhase::Probing);
    EXPECT_EQ(s.acd.watched_address(), kAddr);
    s.advance_to(at(60_s));
    auto sends = s.all<AcdEngine::SendArp>();
    ASSERT_EQ(sends.size(), 5u);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(is_probe_for(sends[i].second.packet, kAddr));
    for (int i = 3; i < 5; ++i) ASSERT_TRUE(is_announcement_of(sends[i].second.packet, kAddr));
    ASSERT_GE(sends[0].first, at(10_s));
    ASSERT_LE(sends[0].first, at(11_s));
    for (int i = 1; i < 3; ++i) {
      ASSERT_GE(sends[i].first - sends[i - 1].first, 1_s);
      ASSERT_LE(sends[i].first - sends[i - 1].first, 2_s);
    }
    auto claimed = s.all<AcdEngine::Claimed>();
    ASSERT_EQ(claimed.size(), 1u);
    EXPECT_EQ(claimed[0].first, sends[2].first + 2_s);
    EXPECT_EQ(claimed[0].second.addr, kAddr);
    EXPECT_EQ(sends[3].first, claimed[0].first);
    EXPECT_EQ(sends[4].first, claimed[0].first + 2_s);
    EXPECT_EQ(s.acd.phase(), AcdPhase::Defending);
    EXPECT_EQ(s.acd.next_deadline(), Time::max());
  }
}

// The exact sequence for seed 1, pinned (catches any change to the draws or the order).
TEST(Acd, PinnedSequenceSeed1) {
  Script s({}, 1);
  s.start(at(0_s));
  s.advance_to(at(60_s));
  std::vector<std::pair<int64_t, int>> seq;  // (time ns, kind: 0 probe 1 claimed 2 announce)
  for (const auto& [t, a] : s.log) {
    if (auto* p = std::get_if<AcdEngine::SendArp>(&a))
      seq.emplace_back(t.ns(), p->packet.spa.is_zero() ? 0 : 2);
    else if (std::holds_alternative<AcdEngine::Claimed>(a))
      seq.emplace_back(t.ns(), 1);
  }
  ASSERT_EQ(seq.size(), 6u);
  const int kinds[] = {0, 0, 0, 1, 2, 2};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(seq[i].second, kinds[i]);
  // Pinned times (ns) for seed 1: wait 0.70 s, gaps 1.52 s and 1.57 s, then the RFC's
  // fixed ANNOUNCE_WAIT and ANNOUNCE_INTERVAL.
  const int64_t last = 3'797'464'153;
  const int64_t times[] = {702'921'833,          2'223'358'453,        last,
                           last + 2'000'000'000, last + 2'000'000'000, last + 4'000'000'000};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(seq[i].first, times[i]) << "event " << i;
}

// A reply from another host using the address while probing is a conflict: back to idle,
// no more probes.
TEST(Acd, ConflictWhileProbingByReply) {
  Script s;
  s.start(at(0_s));
  s.advance_to(at(1_s) + 100_ms);  // first probe sent (wait <= 1 s)
  ASSERT_EQ(s.all<AcdEngine::SendArp>().size(), 1u);
  s.arp(at(1_s) + 200_ms, ArpPacket::reply(kOtherMac, kAddr, kMyMac, Ipv4Address()));
  auto c = s.all<AcdEngine::Conflict>();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].second, (AcdEngine::Conflict{kAddr, AcdPhase::Probing, kOtherMac}));
  EXPECT_TRUE(s.all<AcdEngine::AddressLost>().empty());
  EXPECT_EQ(s.acd.phase(), AcdPhase::Idle);
  EXPECT_EQ(s.acd.watched_address(), Ipv4Address());
  EXPECT_EQ(s.acd.conflicts(), 1u);
  s.advance_to(at(30_s));
  EXPECT_EQ(s.all<AcdEngine::SendArp>().size(), 1u);
  EXPECT_TRUE(s.all<AcdEngine::Claimed>().empty());
}

// Another host probing for the same address at the same time is a conflict (§2.1.1); our
// own probe looped back, and probes for other addresses, are not.
TEST(Acd, SimultaneousProbeIsConflict) {
  Script s;
  s.start(at(0_s));
  s.arp(at(100_ms), ArpPacket::probe(kMyMac, kAddr));
  s.arp(at(200_ms), ArpPacket::probe(kOtherMac, kOtherAddr));
  s.arp(at(300_ms), ArpPacket::request(kOtherMac, kOtherAddr, kAddr));  // someone asks for it
  EXPECT_TRUE(s.all<AcdEngine::Conflict>().empty());
  s.arp(at(400_ms), ArpPacket::probe(kOtherMac, kAddr));
  auto c = s.all<AcdEngine::Conflict>();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].second.phase, AcdPhase::Probing);
  EXPECT_EQ(s.acd.phase(), AcdPhase::Idle);
}

// The probing window lasts until ANNOUNCE_WAIT after the last probe: a conflict there
// still prevents the claim.
TEST(Acd, ConflictDuringAnnounceWait) {
  Script s;
  s.start(at(0_s));
  s.advance_to(at(20_s));
  auto sends = s.all<AcdEngine::SendArp>();
  Time last_probe = sends[2].first;
  Script t;
  t.start(at(0_s));
  t.advance_to(last_probe + 1_s);
  ASSERT_EQ(t.all<AcdEngine::SendArp>().size(), 3u);
  EXPECT_EQ(t.acd.phase(), AcdPhase::Probing);
  t.arp(last_probe + 1_s, ArpPacket::announcement(kOtherMac, kAddr));
  EXPECT_EQ(t.all<AcdEngine::Conflict>().size(), 1u);
  t.advance_to(at(30_s));
  EXPECT_TRUE(t.all<AcdEngine::Claimed>().empty());
}

// §2.4 (a): after the claim, a conflicting ARP makes the host give up at once.
TEST(Acd, DefenceGiveUp) {
  AcdParams p;
  p.defence = DefencePolicy::GiveUp;
  Script s(p);
  Time claimed = s.claim(at(0_s));
  s.arp(claimed + 30_s, ArpPacket::reply(kOtherMac, kAddr, MacAddress::broadcast(), kAddr));
  auto c = s.all<AcdEngine::Conflict>();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].second, (AcdEngine::Conflict{kAddr, AcdPhase::Defending, kOtherMac}));
  auto lost = s.all<AcdEngine::AddressLost>();
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].first, claimed + 30_s);
  EXPECT_EQ(s.acd.phase(), AcdPhase::Idle);
  EXPECT_EQ(s.all<AcdEngine::SendArp>().size(), 5u);  // no defending announcement
}

// §2.4 (b), the default: defend once with one announcement; a second conflict within
// DEFEND_INTERVAL of it loses the address; one at exactly DEFEND_INTERVAL is defended again.
TEST(Acd, DefenceDefendOnce) {
  Script s;
  Time claimed = s.claim(at(0_s));
  Time t1 = claimed + 30_s;
  s.arp(t1, ArpPacket::request(kOtherMac, kAddr, kOtherAddr));
  auto sends = s.all<AcdEngine::SendArp>();
  ASSERT_EQ(sends.size(), 6u);
  EXPECT_EQ(sends[5].first, t1);
  EXPECT_TRUE(is_announcement_of(sends[5].second.packet, kAddr));
  EXPECT_EQ(s.acd.phase(), AcdPhase::Defending);
  // Probes for our address after the claim are answered by ordinary ARP, not conflicts.
  s.arp(t1 + 1_s, ArpPacket::probe(kOtherMac, kAddr));
  EXPECT_EQ(s.all<AcdEngine::Conflict>().size(), 1u);

  s.arp(t1 + 10_s, ArpPacket::request(kOtherMac, kAddr, kOtherAddr));  // exactly 10 s later
  EXPECT_EQ(s.all<AcdEngine::SendArp>().size(), 7u);
  EXPECT_TRUE(s.all<AcdEngine::AddressLost>().empty());
  s.arp(t1 + 19_s, ArpPacket::request(kOtherMac, kAddr, kOtherAddr));  // 9 s after that
  auto lost = s.all<AcdEngine::AddressLost>();
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].first, t1 + 19_s);
  EXPECT_EQ(s.all<AcdEngine::Conflict>().size(), 3u);
  EXPECT_EQ(s.all<AcdEngine::SendArp>().size(), 7u);
  EXPECT_EQ(s.acd.phase(), AcdPhase::Idle);
  EXPECT_EQ(s.acd.conflicts(), 1u);
}

// §2.4 (c): always defend, but at most one announcement per DEFEND_INTERVAL; never lost.
TEST(Acd, DefenceAlwaysDefend) {
  AcdParams p;
  p.defence = DefencePolicy::AlwaysDefend;
  Script s(p);
  Time claimed = s.claim(at(0_s));
  Time t = claimed + 30_s;
  for (Duration d : {0_s, 3_s, 9_s, 11_s, 12_s, 21_s})
    s.arp(t + d, ArpPacket::announcement(kOtherMac, kAddr));
  EXPECT_EQ(s.all<AcdEngine::Conflict>().size(), 6u);
  EXPECT_TRUE(s.all<AcdEngine::AddressLost>().empty());
  auto sends = s.all<AcdEngine::SendArp>();
  ASSERT_EQ(sends.size(), 5u + 3u);
  EXPECT_EQ(sends[5].first, t);
  EXPECT_EQ(sends[6].first, t + 11_s);
  EXPECT_EQ(sends[7].first, t + 21_s);
  EXPECT_EQ(s.acd.phase(), AcdPhase::Defending);
}

// A conflict while still announcing is handled like one while defending (§2.4), and the
// scheduled announcements go on.
TEST(Acd, ConflictWhileAnnouncing) {
  Script s;
  s.start(at(0_s));
  s.advance_to(at(20_s));
  Time claimed = s.all<AcdEngine::Claimed>()[0].first;
  Script t;
  t.start(at(0_s));
  t.advance_to(claimed + 1_s);
  ASSERT_EQ(t.acd.phase(), AcdPhase::Announcing);
  t.arp(claimed + 1_s, ArpPacket::announcement(kOtherMac, kAddr));
  auto c = t.all<AcdEngine::Conflict>();
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].second.phase, AcdPhase::Announcing);
  t.advance_to(claimed + 5_s);
  auto sends = t.all<AcdEngine::SendArp>();
  ASSERT_EQ(sends.size(), 6u);  // 3 probes, announcement, defence, announcement
  EXPECT_EQ(sends[4].first, claimed + 1_s);
  EXPECT_EQ(sends[5].first, claimed + 2_s);
  // The defence time carries over into Defending: a second conflict within 10 s loses.
  t.arp(claimed + 8_s, ArpPacket::announcement(kOtherMac, kAddr));
  EXPECT_EQ(t.all<AcdEngine::AddressLost>().size(), 1u);
}

// §2.1.1 rate limiting: after MAX_CONFLICTS (10) conflicts, a new attempt starts probing no
// earlier than RATE_LIMIT_INTERVAL (60 s) after the previous one began; a claim resets it.
TEST(Acd, RateLimitAfterMaxConflicts) {
  Script s;
  Time t = at(0_s);
  for (int i = 0; i < 10; ++i) {
    s.start(t, kAddr + i);
    // Before the limit, probing starts within PROBE_WAIT.
    EXPECT_LE(s.acd.next_deadline(), t + 1_s);
    s.arp(t + 10_ms, ArpPacket::announcement(kOtherMac, kAddr + i));
    ASSERT_EQ(s.acd.phase(), AcdPhase::Idle);
    t += 100_ms;
  }
  EXPECT_EQ(s.acd.conflicts(), 10u);
  Time last_begin = t - 100_ms;
  s.start(t, kAddr + 10);
  EXPECT_EQ(s.acd.phase(), AcdPhase::Probing);
  EXPECT_GE(s.acd.next_deadline(), last_begin + 60_s);
  EXPECT_LE(s.acd.next_deadline(), last_begin + 61_s);
  size_t probes_before = s.all<AcdEngine::SendArp>().size();
  s.advance_to(last_begin + 60_s - 1_ns);
  EXPECT_EQ(s.all<AcdEngine::SendArp>().size(), probes_before);
  // This attempt succeeds; the count resets and the next start is not delayed.
  s.advance_to(last_begin + 80_s);
  EXPECT_EQ(s.all<AcdEngine::Claimed>().size(), 1u);
  EXPECT_EQ(s.acd.conflicts(), 0u);
  Time t2 = last_begin + 90_s;
  s.start(t2, kAddr + 11);
  EXPECT_LE(s.acd.next_deadline(), t2 + 1_s);
}

// probe_only (a DHCP client checking an offer): Claimed after the probes, then idle:
// no announcements, no defence.
TEST(Acd, ProbeOnly) {
  AcdParams p;
  p.probe_only = true;
  Script s(p);
  s.start(at(0_s));
  s.advance_to(at(30_s));
  EXPECT_EQ(s.all<AcdEngine::SendArp>().size(), 3u);
  EXPECT_EQ(s.all<AcdEngine::Claimed>().size(), 1u);
  EXPECT_EQ(s.acd.phase(), AcdPhase::Idle);
  s.arp(at(31_s), ArpPacket::announcement(kOtherMac, kAddr));
  EXPECT_TRUE(s.all<AcdEngine::Conflict>().empty());
}

// announce = false: Claimed, then straight to defending without announcements.
TEST(Acd, NoAnnouncements) {
  AcdParams p;
  p.announce = false;
  Script s(p);
  s.start(at(0_s));
  s.advance_to(at(30_s));
  EXPECT_EQ(s.all<AcdEngine::SendArp>().size(), 3u);
  EXPECT_EQ(s.acd.phase(), AcdPhase::Defending);
  s.arp(at(31_s), ArpPacket::announcement(kOtherMac, kAddr));
  EXPECT_EQ(s.all<AcdEngine::SendArp>().size(), 4u);  // the defence
}

// stop() ends watching; a late on_timer does nothing; restart probes afresh.
TEST(Acd, StopAndRestart) {
  Script s;
  s.start(at(0_s));
  s.acd.stop();
  EXPECT_EQ(s.acd.phase(), AcdPhase::Idle);
  EXPECT_EQ(s.acd.next_deadline(), Time::max());
  std::vector<AcdEngine::Action> out;
  s.acd.on_timer(at(5_s), s.rng, out);
  EXPECT_TRUE(out.empty());
  s.start(at(10_s), kOtherAddr);
  s.advance_to(at(30_s));
  auto claimed = s.all<AcdEngine::Claimed>();
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].second.addr, kOtherAddr);
}
