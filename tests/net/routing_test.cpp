#include <gtest/gtest.h>

#include "dhcpsim/wire/frame.hpp"
#include "net_fixture.hpp"

using namespace dhcpsim::testing;
using namespace dhcpsim::core::literals;
namespace wire = dhcpsim::wire;

namespace {

// Two segments joined by a router; A on lan-a pings B on lan-b.
struct TwoLans : TestNet {
  TwoLans() {
    a_seg = segment("lan-a", "10.0.1.0/24");
    b_seg = segment("lan-b", "10.0.2.0/24");
    r = router("r1", {rif("eth0", a_seg, 0xa1, "10.0.1.1", 24), rif("eth1", b_seg, 0xb1, "10.0.2.1", 24)});
    auto p = profile();
    p->probes.interval = 10_s;
    p->probes.first = 1_s;
    a_profile = p;
    b = host("b", b_seg, 0xb2, "10.0.2.20", "255.255.255.0", "10.0.2.1");
    p->probes.outside.push_back(ProbeTarget{b, Ipv4Address()});
    p->probes.gateway = true;
    a = host("a", a_seg, 0xa2, "10.0.1.10", "255.255.255.0", "10.0.1.1", "0.0.0.0", p);
  }
  SegmentId a_seg, b_seg;
  NodeId r, a, b;
  std::shared_ptr<HostProfile> a_profile;
};

}  // namespace

// A host on segment A pings a host on segment B through the gateway: ARP on both sides,
// TTL decremented by the router, the reply comes back the same way.
TEST(Routing, PingAcrossTheRouter) {
  TwoLans t;
  FrameCapture cap;
  t.net.tracer().subscribe(&cap);
  EXPECT_TRUE(t.net.check_topology().empty());
  t.net.start();
  t.sim.run_until(Time::zero() + 5_s);

  const auto& outside = t.probes(t.a, ProbeKind::kOutside);
  EXPECT_EQ(outside.sent, 1u);
  EXPECT_EQ(outside.ok, 1u);
  EXPECT_EQ(t.probes(t.a, ProbeKind::kGateway).ok, 1u);
  EXPECT_EQ(t.net.router(t.r).stats.forwarded, 2u);  // request out, reply back

  // The echo request as seen on each segment.
  int arp_a = 0, arp_b = 0;
  std::optional<uint8_t> ttl_a, ttl_b;
  for (const auto& f : cap.frames) {
    auto d = wire::parse_frame(f.bytes);
    ASSERT_TRUE(d.has_value()) << d.error().to_string();
    if (d->arp()) (f.segment == t.a_seg ? arp_a : arp_b)++;
    if (const auto* icmp = d->icmp(); icmp && icmp->is_echo_request() && d->ipv4()->ip.dst == ip("10.0.2.20")) {
      (f.segment == t.a_seg ? ttl_a : ttl_b) = d->ipv4()->ip.ttl;
      if (f.segment == t.b_seg) {
        // Re-framed by the router: its MAC as source, B's as destination.
        EXPECT_EQ(d->eth.src, mac(0xb1));
        EXPECT_EQ(d->eth.dst, mac(0xb2));
      }
    }
  }
  ASSERT_TRUE(ttl_a && ttl_b);
  EXPECT_EQ(*ttl_a, 64);
  EXPECT_EQ(*ttl_b, 63);
  EXPECT_GE(arp_a, 2);  // A asks for its gateway, the router answers
  EXPECT_GE(arp_b, 2);  // the router asks for B, B answers
  // Both neighbour tables learned what they needed.
  EXPECT_NE(t.net.iface(t.net.host(t.a).iface).arp.lookup(ip("10.0.1.1")), nullptr);
  EXPECT_NE(t.net.iface(t.net.router(t.r).ifaces[1]).arp.lookup(ip("10.0.2.20")), nullptr);
}

// A packet whose TTL runs out at the router is dropped and answered with ICMP time
// exceeded (RFC 1812 §5.3.1); ordinary forwarding keeps the IP checksum valid.
TEST(Routing, TtlExpiry) {
  TwoLans t;
  FrameCapture cap;
  t.net.tracer().subscribe(&cap);
  t.net.start();
  t.sim.run_until(Time::zero() + 5_s);  // A knows the router's MAC now
  // Hand-build a TTL=1 echo from A to B and put it on lan-a.
  wire::IcmpEchoFrameSpec spec;
  spec.src_mac = mac(0xa2);
  spec.dst_mac = mac(0xa1);
  spec.src_ip = ip("10.0.1.10");
  spec.dst_ip = ip("10.0.2.20");
  spec.ttl = 1;
  auto f = t.net.new_frame();
  f.set_size(wire::encode_icmp_echo_frame(spec, {}, f.capacity_bytes()));
  t.net.transmit(t.net.host(t.a).iface, std::move(f));
  cap.frames.clear();
  t.sim.run_until(Time::zero() + 6_s);
  EXPECT_EQ(t.net.router(t.r).stats.ttl_expired, 1u);
  bool got_time_exceeded = false;
  for (const auto& fr : cap.frames) {
    auto d = wire::parse_frame(fr.bytes);
    ASSERT_TRUE(d.has_value());
    if (const auto* icmp = d->icmp(); icmp && icmp->type == wire::kIcmpTimeExceeded) {
      got_time_exceeded = true;
      EXPECT_EQ(d->ipv4()->ip.dst, ip("10.0.1.10"));
      EXPECT_EQ(d->ipv4()->ip.src, ip("10.0.1.1"));
    }
    EXPECT_NE(fr.segment, t.b_seg) << "nothing crosses to lan-b";
  }
  EXPECT_TRUE(got_time_exceeded);
}

// Topology checks name the objects at fault.
TEST(Topology, Checks) {
  TestNet t;
  auto s1 = t.segment("lan1", "10.0.0.0/24");
  auto s2 = t.segment("lan2", "10.0.0.0/25");
  auto s3 = t.segment("island", "10.9.0.0/24");
  t.segment("empty", "10.8.0.0/24");
  t.router("r1", {TestNet::rif("eth0", s1, 1, "10.0.0.1", 24), TestNet::rif("eth1", s2, 2, "10.0.0.129", 25)});
  t.host("h", s3, 3, "10.9.0.5", "255.255.255.0", "10.9.0.1");
  t.host("lost", SegmentId(), 4, "10.9.0.6", "255.255.255.0", "10.9.0.1");
  auto errors = t.net.check_topology();
  auto has = [&](const std::string& needle) {
    for (const auto& e : errors)
      if (e.find(needle) != std::string::npos) return true;
    return false;
  };
  EXPECT_TRUE(has("host 'lost' interface 'eth0' is on an unknown segment"));
  EXPECT_TRUE(has("router 'r1' interface 'eth0' (10.0.0.0/24 on segment 'lan1') overlaps router 'r1' interface 'eth1'"));
  EXPECT_TRUE(has("segment 'empty' has nothing attached to it"));
  EXPECT_TRUE(has("segment 'island' cannot be reached from segment 'lan1'"));
  EXPECT_EQ(errors.size(), 4u) << ::testing::PrintToString(errors);
  EXPECT_EQ(t.net.topology().nodes_on(s1).size(), 1u);
  EXPECT_EQ(t.net.topology().routers_on(s2).size(), 1u);
}
