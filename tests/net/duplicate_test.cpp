#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "dhcpsim/report/pcap_sink.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "net_fixture.hpp"

using namespace dhcpsim::testing;
using namespace dhcpsim::core::literals;
namespace wire = dhcpsim::wire;

namespace {

// Hosts A and B typed the same address 10.0.0.10; C watches A; all probe the gateway.
struct Duplicate : TestNet {
  explicit Duplicate(bool b_acd = false, uint64_t seed = 1, NetworkOptions opts = {}) : TestNet(seed, opts) {
    lan = segment("lan", "10.0.0.0/24");
    r = router("r1", {rif("eth0", lan, 0x01, "10.0.0.1", 24)});
    auto p = profile();
    p->probes.interval = 10_s;
    p->probes.jitter = 2_s;
    p->probes.first = 1_s;
    p->probes.gateway = true;
    a = host("a", lan, 0xa, "10.0.0.10", "255.255.255.0", "10.0.0.1", "0.0.0.0", p, Time::zero());
    auto pb = std::make_shared<HostProfile>(*p);
    pb->acd = b_acd;
    b = host("b", lan, 0xb, "10.0.0.10", "255.255.255.0", "10.0.0.1", "0.0.0.0", pb, Time::zero() + 30_s);
    auto pc = std::make_shared<HostProfile>(*p);
    pc->probes.peers.push_back(ProbeTarget{a, Ipv4Address()});
    c = host("c", lan, 0xc, "10.0.0.30", "255.255.255.0", "10.0.0.1", "0.0.0.0", pc);
  }
  SegmentId lan;
  NodeId r, a, b, c;
};

}  // namespace

// Duplicate IP: the router's and the peer's ARP caches flip between the two MACs as
// each host ARPs; replies land on the wrong host; the oracle sees the conflict from the
// moment the second host comes up.
TEST(DuplicateAddress, CachesFlipAndRepliesGoAstray) {
  Duplicate d;
  d.net.start();
  d.sim.run_until(Time::zero() + 30_min);

  const auto& router = d.net.router(d.r);
  EXPECT_GE(router.stats.arp_flips, 2u) << "the router's entry for 10.0.0.10 must flip back and forth";
  EXPECT_GE(d.host_of(d.c).stats.arp_flips, 1u) << "so must the peer's";
  const uint64_t stray = d.host_of(d.a).stats.stray_replies + d.host_of(d.b).stats.stray_replies;
  const uint64_t elsewhere = d.probes(d.a, ProbeKind::kGateway).replies_elsewhere +
                             d.probes(d.b, ProbeKind::kGateway).replies_elsewhere +
                             d.probes(d.c, ProbeKind::kPeer).replies_elsewhere;
  EXPECT_GT(stray, 0u);
  EXPECT_EQ(stray, elsewhere) << "every stray reply is attributed to the probe it answered";
  // C's pings meant for A are sometimes answered by B.
  EXPECT_GT(d.probes(d.c, ProbeKind::kPeer).wrong_responder, 0u);
  // Lost gateway replies show up as probe timeouts at A or B.
  EXPECT_GT(d.probes(d.a, ProbeKind::kGateway).timeout + d.probes(d.b, ProbeKind::kGateway).timeout, 0u);

  // Ground truth: one address, held twice since B booted at 30 s: 2 holders x 29.5 min.
  auto totals = d.net.conflict_totals();
  EXPECT_EQ(totals.addresses_conflicted, 1u);
  EXPECT_EQ(totals.conflict_episodes, 1u);
  EXPECT_EQ(totals.host_ns_in_conflict, ((30_min - 30_s) * 2).ns());
  auto now = d.net.conflicts_now();
  ASSERT_EQ(now.size(), 1u);
  EXPECT_EQ(now[0].ip, ip("10.0.0.10"));
  EXPECT_EQ(now[0].since, Time::zero() + 30_s);
}

// A static host with RFC 5227 ACD probes before using its address: A answers the probe,
// B reports the conflict and does not use the address; no conflict in the ground truth.
TEST(DuplicateAddress, AcdKeepsTheSecondHostOff) {
  Duplicate d(/*b_acd=*/true);
  RecordingSink sink(d.net, kind_bit(RecordKind::kConflictDetected) | kind_bit(RecordKind::kAcdEvent));
  FrameCapture cap;
  d.net.tracer().subscribe(&sink);
  d.net.tracer().subscribe(&cap);
  d.net.start();
  d.sim.run_until(Time::zero() + 2_min);
  const Host& b = d.host_of(d.b);
  EXPECT_TRUE(b.static_refused);
  EXPECT_TRUE(b.ip.address.is_zero());
  EXPECT_EQ(b.stats.acd_conflicts, 1u);
  ASSERT_EQ(sink.of<ConflictDetected>().size(), 1u);
  EXPECT_EQ(sink.of<ConflictDetected>()[0].other_mac, mac(0xa));
  EXPECT_EQ(d.net.conflict_totals().addresses_conflicted, 0u);
  EXPECT_EQ(d.probes(d.b, ProbeKind::kGateway).no_address, d.probes(d.b, ProbeKind::kGateway).sent);

  // On the wire: B's first probe (sender 0.0.0.0) within PROBE_WAIT (1 s) of its boot,
  // and A's reply to it.
  std::optional<Time> first_probe;
  bool a_replied = false;
  for (const auto& f : cap.frames) {
    auto fr = wire::parse_frame(f.bytes);
    ASSERT_TRUE(fr.has_value());
    if (const auto* arp = fr->arp()) {
      if (arp->is_probe() && arp->sha == mac(0xb) && !first_probe) first_probe = f.time;
      if (arp->oper == wire::kArpReply && arp->sha == mac(0xa) && arp->tha == mac(0xb)) a_replied = true;
    }
  }
  ASSERT_TRUE(first_probe.has_value());
  EXPECT_GE(*first_probe, Time::zero() + 30_s);
  EXPECT_LE(*first_probe, Time::zero() + 31_s);
  EXPECT_TRUE(a_replied);
}

// An ACD host claims its address with probes PROBE_MIN..PROBE_MAX apart and then
// announces it twice ANNOUNCE_INTERVAL apart (RFC 5227 §2.1-2.3), seen on the wire.
TEST(DuplicateAddress, AcdTimingOnTheWire) {
  TestNet t;
  auto lan = t.segment("lan", "10.0.0.0/24");
  auto p = t.profile();
  p->acd = true;
  t.host("solo", lan, 0x5, "10.0.0.5", "255.255.255.0", "10.0.0.1", "0.0.0.0", p, Time::zero() + 10_s);
  t.host("other", lan, 0x6, "10.0.0.6", "255.255.255.0", "10.0.0.1");
  FrameCapture cap;
  t.net.tracer().subscribe(&cap);
  t.net.start();
  t.sim.run_until(Time::zero() + 1_min);
  std::vector<Time> probes, announcements;
  for (const auto& f : cap.frames) {
    auto fr = wire::parse_frame(f.bytes);
    ASSERT_TRUE(fr.has_value());
    if (const auto* arp = fr->arp(); arp && arp->sha == mac(0x5)) {
      if (arp->is_probe()) probes.push_back(f.time);
      else if (arp->is_announcement()) announcements.push_back(f.time);
    }
  }
  ASSERT_EQ(probes.size(), 3u);
  ASSERT_EQ(announcements.size(), 2u);
  EXPECT_LE(probes[0] - (Time::zero() + 10_s), 1_s);  // PROBE_WAIT
  for (int k = 1; k < 3; ++k) {
    EXPECT_GE(probes[k] - probes[k - 1], 1_s);  // PROBE_MIN
    EXPECT_LE(probes[k] - probes[k - 1], 2_s);  // PROBE_MAX
  }
  EXPECT_EQ(announcements[0] - probes[2], 2_s);  // ANNOUNCE_WAIT
  EXPECT_EQ(announcements[1] - announcements[0], 2_s);  // ANNOUNCE_INTERVAL
  EXPECT_EQ(t.net.host(t.net.find_node("solo").value()).ip.address, ip("10.0.0.5"));
}

// The per-segment pcap shows what a person would see in Wireshark: the duplicate is
// flagged by tshark's ARP analysis (arp.duplicate-address-detected).
TEST(DuplicateAddress, PcapShowsTheDuplicateToTshark) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  auto dir = std::filesystem::temp_directory_path() / ("dhcpsim-dup-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    Duplicate d;
    dhcpsim::report::PcapSink pcap(d.net, dir.string());
    d.net.tracer().subscribe(&pcap);
    d.net.start();
    d.sim.run_until(Time::zero() + 5_min);
    auto written = pcap.finish();
    ASSERT_TRUE(written.has_value()) << written.error();
    ASSERT_EQ(written->size(), 1u);
  }
  const std::string file = (dir / "lan.pcap").string();
  auto count = [&](const std::string& filter) {
    std::string cmd = "tshark -r " + file + " -Y '" + filter + "' 2>/dev/null | wc -l";
    FILE* p = popen(cmd.c_str(), "r");
    int n = -1;
    if (p != nullptr) {
      if (std::fscanf(p, "%d", &n) != 1) n = -1;
      pclose(p);
    }
    return n;
  };
  EXPECT_GT(count("arp.duplicate-address-detected"), 0);
  EXPECT_GT(count("icmp.type == 0"), 0);
  EXPECT_EQ(count("_ws.malformed"), 0);
  std::filesystem::remove_all(dir);
}
