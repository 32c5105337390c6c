#include <gtest/gtest.h>

#include "net_fixture.hpp"

using namespace dhcpsim::testing;
using namespace dhcpsim::core::literals;

namespace {

// A small office: lan 10.0.0.0/24 behind router r1 (10.0.0.1), which leads to a server
// segment 10.0.9.0/24 with a web host and a DNS server. A peer host sits on the lan.
// The host under test probes its gateway, the peer, the web host and DNS every 10 s.
struct Office : TestNet {
  explicit Office(OsProfile os = OsProfile::kLinux) {
    lan = segment("lan", "10.0.0.0/24");
    dc = segment("dc", "10.0.9.0/24");
    r = router("r1", {rif("eth0", lan, 0x01, "10.0.0.1", 24), rif("eth1", dc, 0x91, "10.0.9.1", 24)});
    web = host("web", dc, 0x92, "10.0.9.80", "255.255.255.0", "10.0.9.1");
    auto dns_profile = profile();
    dns_profile->dns_responder = true;
    dns = host("dns", dc, 0x93, "10.0.9.53", "255.255.255.0", "10.0.9.1", "0.0.0.0", dns_profile);
    peer = host("peer", lan, 0x20, "10.0.0.20", "255.255.255.0", "10.0.0.1");
    probing = profile(os);
    probing->probes.interval = 10_s;
    probing->probes.first = 1_s;
    probing->probes.gateway = true;
    probing->probes.dns = true;
    probing->probes.peers.push_back(ProbeTarget{peer, Ipv4Address()});
    probing->probes.outside.push_back(ProbeTarget{web, Ipv4Address()});
  }
  NodeId subject(const char* address, const char* mask, const char* gateway, const char* dns_addr = "10.0.9.53") {
    return host("pc", lan, 0x10, address, mask, gateway, dns_addr, probing);
  }
  void run(Duration d = 70_s) {
    net.start();
    sim.run_until(Time::zero() + d);
  }
  // Outcome counts of one probe kind as "ok/timeout/no_route/arp_failed/no_address".
  std::string pattern(NodeId h, ProbeKind k) const {
    const auto& c = probes(h, k);
    return std::to_string(c.ok) + "/" + std::to_string(c.timeout) + "/" + std::to_string(c.no_route) + "/" +
           std::to_string(c.arp_failed) + "/" + std::to_string(c.no_address);
  }
  SegmentId lan, dc;
  NodeId r, web, dns, peer;
  std::shared_ptr<HostProfile> probing;
};

}  // namespace

// A correctly configured host reaches everything: 7 rounds (1 s, 11 s, ... 61 s) in 70 s, all answered.
TEST(StaticConfig, CorrectConfigurationReachesEverything) {
  Office o;
  NodeId pc = o.subject("10.0.0.10", "255.255.255.0", "10.0.0.1");
  o.run();
  for (ProbeKind k : {ProbeKind::kGateway, ProbeKind::kPeer, ProbeKind::kOutside, ProbeKind::kDns})
    EXPECT_EQ(o.pattern(pc, k), "7/0/0/0/0") << to_string(k);
  EXPECT_EQ(o.net.conflict_totals().addresses_conflicted, 0u);
}

// Wrong gateway (an unused address on the subnet): the lan works, nothing beyond it does,
// because the next hop never answers ARP (Linux gives up after 3 requests).
TEST(StaticConfig, WrongGatewayFailsArpForEverythingOffLink) {
  Office o;
  NodeId pc = o.subject("10.0.0.10", "255.255.255.0", "10.0.0.254");
  o.run();
  EXPECT_EQ(o.pattern(pc, ProbeKind::kPeer), "7/0/0/0/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "0/0/0/7/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "0/0/0/7/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kDns), "0/0/0/7/0");
  EXPECT_GE(o.host_of(pc).stats.arp_failures, 21u);
}

// Gateway outside the host's subnet: Linux refuses the default route, so everything off
// the subnet has no route at all, instantly; Windows accepts it and ARPs for it on the
// link, where nobody answers.
TEST(StaticConfig, GatewayOffSubnetLinuxVersusWindows) {
  {
    Office o(OsProfile::kLinux);
    NodeId pc = o.subject("10.0.0.10", "255.255.255.0", "10.0.1.1");
    o.run();
    EXPECT_FALSE(o.host_of(pc).ip.gateway_usable);
    EXPECT_EQ(o.pattern(pc, ProbeKind::kPeer), "7/0/0/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "0/0/7/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "0/0/7/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kDns), "0/0/7/0/0");
  }
  {
    Office o(OsProfile::kWindows);
    NodeId pc = o.subject("10.0.0.10", "255.255.255.0", "10.0.1.1");
    o.run();
    EXPECT_TRUE(o.host_of(pc).ip.gateway_usable);
    EXPECT_EQ(o.pattern(pc, ProbeKind::kPeer), "7/0/0/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "0/0/0/7/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "0/0/0/7/0");
  }
}

// Mask too wide (/16 instead of /24): the web and DNS servers look on-link, so the host
// ARPs for them directly and fails; the gateway and the peer work.
TEST(StaticConfig, MaskTooWide) {
  Office o;
  NodeId pc = o.subject("10.0.0.10", "255.255.0.0", "10.0.0.1");
  o.run();
  EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "7/0/0/0/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kPeer), "7/0/0/0/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "0/0/0/7/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kDns), "0/0/0/7/0");
}

// Mask too narrow (/28 for .100: the subnet is .96-.111): on Linux the gateway .1 is off
// the subnet, so there is no default route and only .96-.111 is reachable; Windows keeps
// the off-subnet gateway and reaches everything through it (even the peer, via the router).
TEST(StaticConfig, MaskTooNarrow) {
  {
    Office o(OsProfile::kLinux);
    NodeId pc = o.subject("10.0.0.100", "255.255.255.240", "10.0.0.1");
    o.run();
    EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "0/0/7/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kPeer), "0/0/7/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "0/0/7/0/0");
  }
  {
    Office o(OsProfile::kWindows);
    NodeId pc = o.subject("10.0.0.100", "255.255.255.240", "10.0.0.1");
    o.run();
    EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "7/0/0/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "7/0/0/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kPeer), "7/0/0/0/0");
    EXPECT_GT(o.net.router(o.r).stats.forwarded, 0u);
  }
}

// An address outside the segment's subnet (192.168.1.50/24 typed on the 10.0.0.0/24
// lan, gateway 10.0.0.1): Linux has no route to anything on the real subnet.
TEST(StaticConfig, AddressOutsideTheSegmentSubnet) {
  Office o;
  NodeId pc = o.subject("192.168.1.50", "255.255.255.0", "10.0.0.1");
  o.run();
  EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "0/0/7/0/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kPeer), "0/0/7/0/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "0/0/7/0/0");
}

// The subnet's broadcast address as a host address: Linux takes it; the router treats
// its packets as martian (a broadcast source) and drops them, so nothing beyond the
// link answers, and a peer's pings to it become broadcasts nobody answers. Windows
// refuses the address outright.
TEST(StaticConfig, BroadcastAddressAsHostAddress) {
  {
    Office o(OsProfile::kLinux);
    NodeId pc = o.subject("10.0.0.255", "255.255.255.0", "10.0.0.1");
    auto watcher_profile = o.profile();
    watcher_profile->probes.interval = 10_s;
    watcher_profile->probes.first = 1_s;
    watcher_profile->probes.peers.push_back(ProbeTarget{pc, Ipv4Address()});
    NodeId watcher = o.host("watcher", o.lan, 0x30, "10.0.0.30", "255.255.255.0", "10.0.0.1", "0.0.0.0", watcher_profile);
    o.run();
    EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "0/7/0/0/0");
    EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "0/7/0/0/0");
    EXPECT_GT(o.net.router(o.r).stats.martian_sources, 0u);
    EXPECT_EQ(o.pattern(watcher, ProbeKind::kPeer), "0/7/0/0/0");
  }
  {
    Office o(OsProfile::kWindows);
    NodeId pc = o.subject("10.0.0.255", "255.255.255.0", "10.0.0.1");
    o.run();
    EXPECT_TRUE(o.host_of(pc).static_refused);
    EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "0/0/0/0/7");
  }
}

// The network address as host address: Windows refuses it; a modern Linux uses it like
// any other address (so this mistake goes unnoticed on Linux).
TEST(StaticConfig, NetworkAddressAsHostAddress) {
  {
    Office o(OsProfile::kWindows);
    NodeId pc = o.subject("10.0.0.0", "255.255.255.0", "10.0.0.1");
    o.run();
    EXPECT_TRUE(o.host_of(pc).static_refused);
    EXPECT_EQ(o.pattern(pc, ProbeKind::kPeer), "0/0/0/0/7");
  }
  {
    Office o(OsProfile::kLinux);
    NodeId pc = o.subject("10.0.0.0", "255.255.255.0", "10.0.0.1");
    o.run();
    EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "7/0/0/0/0");
  }
}

// A mistyped DNS server address: only the DNS probe fails (ARP for a free address).
TEST(StaticConfig, WrongDnsServer) {
  Office o;
  NodeId pc = o.subject("10.0.0.10", "255.255.255.0", "10.0.0.1", "10.0.0.53");
  o.run();
  EXPECT_EQ(o.pattern(pc, ProbeKind::kOutside), "7/0/0/0/0");
  EXPECT_EQ(o.pattern(pc, ProbeKind::kDns), "0/0/0/7/0");
}

// A non-contiguous mask (255.255.0.255) cannot be configured at all.
TEST(StaticConfig, NonContiguousMaskIsRefused) {
  Office o;
  NodeId pc = o.subject("10.0.0.10", "255.255.0.255", "10.0.0.1");
  o.run();
  EXPECT_TRUE(o.host_of(pc).static_refused);
  EXPECT_EQ(o.pattern(pc, ProbeKind::kGateway), "0/0/0/0/7");
}
