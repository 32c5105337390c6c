#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <set>

#include "dhcpsim/report/pcap_sink.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "net_fixture.hpp"

using namespace dhcpsim::testing;
using namespace dhcpsim::core::literals;
namespace wire = dhcpsim::wire;
namespace proto = dhcpsim::proto;

namespace {

// A lan whose router is the gateway and the DHCP server (the common office case).
struct Office : TestNet {
  explicit Office(int clients, std::shared_ptr<HostProfile> client_profile = nullptr,
                  std::shared_ptr<DhcpServiceConfig> server = nullptr, uint64_t seed = 1)
      : TestNet(seed) {
    lan = segment("lan", "10.0.0.0/24");
    RouterConfig rc;
    rc.name = "gw";
    rc.interfaces = {rif("eth0", lan, 0x01, "10.0.0.1", 24)};
    rc.dhcp_server = server ? server : dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 199);
    gw = net.add_router(rc);
    profile_ = client_profile ? client_profile : dhcp_profile();
    for (int k = 0; k < clients; ++k) {
      HostConfig hc;
      hc.name = "pc" + std::to_string(k);
      hc.segment = lan;
      hc.mac = mac(0x100 + k);
      hc.profile = profile_;
      clients_.push_back(net.add_host(hc));
    }
  }
  const proto::DhcpClient& client(int k) const { return *net.host(clients_[k]).dhcp; }
  Ipv4Address addr(int k) const { return net.host(clients_[k]).ip.address; }
  const proto::DhcpServer& server() const { return *net.service_of(gw)->engine; }
  SegmentId lan;
  NodeId gw;
  std::shared_ptr<HostProfile> profile_;
  std::vector<NodeId> clients_;
};

std::set<uint32_t> distinct(const Office& o) {
  std::set<uint32_t> s;
  for (std::size_t k = 0; k < o.clients_.size(); ++k) s.insert(o.addr(static_cast<int>(k)).value());
  return s;
}

}  // namespace

// A full DORA on one segment: every client ends BOUND with a distinct pool address, the
// gateway and DNS from the server's options, and can reach its gateway.
TEST(Dhcp, DoraOnOneSegmentWithTheGatewayAsServer) {
  auto p = dhcp_profile({}, [](HostProfile& h) {
    h.probes.interval = 10_s;
    h.probes.first = 5_s;
    h.probes.gateway = true;
  });
  Office o(5, p);
  RecordingSink sink(o.net, kind_bit(RecordKind::kDhcpMessage));
  o.net.tracer().subscribe(&sink);
  o.net.start();
  o.sim.run_until(Time::zero() + 30_s);
  for (int k = 0; k < 5; ++k) {
    EXPECT_EQ(o.client(k).state(), proto::DhcpClientState::Bound) << k;
    EXPECT_TRUE(prefix("10.0.0.100/25").contains(o.addr(k)) || o.addr(k).value() <= ip("10.0.0.199").value());
    EXPECT_EQ(o.host_of(o.clients_[k]).ip.gateway, ip("10.0.0.1"));
    EXPECT_EQ(o.host_of(o.clients_[k]).ip.prefix_len, 24);
    EXPECT_GT(o.probes(o.clients_[k], ProbeKind::kGateway).ok, 0u);
  }
  EXPECT_EQ(distinct(o).size(), 5u);
  // Exactly DISCOVER, OFFER, REQUEST, ACK per client: 4 messages each way counted once.
  int discovers = 0, offers = 0, requests = 0, acks = 0;
  for (const auto& r : sink.of<DhcpMessageRecord>()) {
    (void)r;
  }
  for (const auto& line : sink.lines) {
    if (line.find("\"direction\":\"sent\"") == std::string::npos) continue;
    discovers += line.find("DHCPDISCOVER") != std::string::npos;
    offers += line.find("DHCPOFFER") != std::string::npos;
    requests += line.find("DHCPREQUEST") != std::string::npos;
    acks += line.find("DHCPACK") != std::string::npos;
  }
  EXPECT_EQ(discovers, 5);
  EXPECT_EQ(offers, 5);
  EXPECT_EQ(requests, 5);
  EXPECT_EQ(acks, 5);
  EXPECT_EQ(o.server().stats().leases_active, 5u);
  EXPECT_EQ(o.net.conflict_totals().addresses_conflicted, 0u);
}

// Renewal at T1 is a unicast REQUEST with ciaddr; with the server down the client
// rebinds at T2 by broadcast; at expiry it stops using the address and DISCOVERs again,
// getting a different address when the old one was given away meanwhile.
TEST(Dhcp, RenewRebindExpireAndNewAddress) {
  auto server = dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 101, 1_h);
  Office o(1, nullptr, server);
  FrameCapture cap;
  o.net.tracer().subscribe(&cap);
  o.net.start();
  o.sim.run_until(Time::zero() + 10_s);
  ASSERT_EQ(o.client(0).state(), proto::DhcpClientState::Bound);
  const Ipv4Address first = o.addr(0);
  const proto::Lease lease = *o.client(0).current_lease();
  EXPECT_EQ(lease.t1 - lease.start, 30_min);
  EXPECT_EQ(lease.t2 - lease.start, 52_min + 30_s);

  // T1: unicast renewal answered.
  cap.frames.clear();
  o.sim.run_until(lease.t1 + 1_s);
  bool unicast_renew = false;
  for (const auto& f : cap.frames) {
    auto d = wire::parse_frame(f.bytes);
    if (const auto* m = d ? d->dhcp() : nullptr; m && m->message_type() == wire::DhcpMessageType::Request) {
      unicast_renew = d->ipv4()->ip.dst == ip("10.0.0.1") && m->ciaddr == first && !m->options.has(50) &&
                      !m->options.has(54) && d->eth.dst == mac(0x01);
    }
  }
  EXPECT_TRUE(unicast_renew);
  EXPECT_EQ(o.client(0).state(), proto::DhcpClientState::Bound);
  const proto::Lease renewed = *o.client(0).current_lease();
  EXPECT_GT(renewed.expiry, lease.expiry);

  // Server down (keeping its leases): renewals fail from the next T1, rebinding at T2.
  o.net.server_stop(o.gw, /*keep_leases=*/false);
  cap.frames.clear();
  o.sim.run_until(renewed.t2 + 1_s);
  EXPECT_EQ(o.client(0).state(), proto::DhcpClientState::Rebinding);
  bool broadcast_rebind = false;
  int unicast_renews = 0;
  for (const auto& f : cap.frames) {
    auto d = wire::parse_frame(f.bytes);
    if (const auto* m = d ? d->dhcp() : nullptr; m && m->message_type() == wire::DhcpMessageType::Request) {
      if (d->ipv4()->ip.dst.is_broadcast() && m->ciaddr == first) broadcast_rebind = true;
      if (!d->ipv4()->ip.dst.is_broadcast()) ++unicast_renews;
    }
  }
  EXPECT_TRUE(broadcast_rebind);
  // RENEWING from T1 (30 min) to T2 (52.5 min): retransmissions at half the time left,
  // not less than 60 s: 30, 41.25, 46.9, 49.7, 50.7?.. -> a handful, never 1 per second.
  EXPECT_GE(unicast_renews, 3);
  EXPECT_LE(unicast_renews, 8);

  // Meanwhile another client takes the old address from a restarted server that lost its
  // database; our client's lease expires and it DISCOVERs, getting the other address.
  o.net.server_start(o.gw);
  HostConfig thief;
  thief.name = "thief";
  thief.segment = o.lan;
  thief.mac = mac(0x999);
  thief.profile = dhcp_profile();
  NodeId t = o.net.add_host(thief);
  // The server, with no record, gives the thief .100 while our client still uses it: a
  // real conflict, which lasts until our client's next rebind REQUEST is NAKed by the
  // authoritative server (no lease for it) and it stops using the address at once.
  o.sim.run_until(renewed.expiry + 30_s);
  EXPECT_EQ(o.client(0).state(), proto::DhcpClientState::Bound);
  EXPECT_EQ(o.net.host(t).ip.address, first);
  EXPECT_NE(o.addr(0), first);
  EXPECT_NE(o.addr(0), Ipv4Address());
  EXPECT_EQ(o.client(0).counters().naks_received, 1u);
  auto totals = o.net.conflict_totals();
  EXPECT_EQ(totals.addresses_conflicted, 1u);
  EXPECT_TRUE(o.net.conflicts_now().empty());
  // It lasted less than one rebind retransmission interval (at most the time to expiry).
  EXPECT_GT(totals.host_ns_in_conflict, 0);
  EXPECT_LT(totals.host_ns_in_conflict, (renewed.expiry - renewed.t2).ns() * 2);
}

namespace {

// RelayedNet with one DHCP client, a laptop, on the client lan.
struct Relayed : RelayedNet {
  explicit Relayed(const std::string& router_name = "r1") : RelayedNet("dhcpd", router_name) {
    HostConfig cc;
    cc.name = "laptop";
    cc.segment = lan;
    cc.mac = mac(0x500);
    cc.profile = dhcp_profile();
    client = net.add_host(cc);
  }
  NodeId client;
};

}  // namespace

// A DORA across a relay (RFC 1542, RFC 3046): giaddr set to the client-side interface,
// hops incremented, option 82 added toward the server and stripped toward the client;
// then the relayed client renews by unicast straight to the server (giaddr 0).
TEST(Dhcp, DoraAcrossARelayThenDirectRenewal) {
  Relayed t;
  FrameCapture cap;
  t.net.tracer().subscribe(&cap);
  t.net.start();
  t.sim.run_until(Time::zero() + 10_s);
  const Host& c = t.net.host(t.client);
  ASSERT_EQ(c.dhcp->state(), proto::DhcpClientState::Bound);
  EXPECT_TRUE(prefix("10.0.1.0/24").contains(c.ip.address));
  EXPECT_EQ(c.ip.gateway, ip("10.0.1.1"));
  int server_side = 0, client_side = 0;
  for (const auto& f : cap.frames) {
    auto d = wire::parse_frame(f.bytes);
    const auto* m = d ? d->dhcp() : nullptr;
    if (m == nullptr) continue;
    if (f.segment == t.dc) {
      ++server_side;
      EXPECT_EQ(m->giaddr, ip("10.0.1.1"));
      EXPECT_EQ(d->udp()->udp.src_port, 67);
      EXPECT_EQ(d->udp()->udp.dst_port, 67);
      if (m->op == 1) {
        EXPECT_EQ(m->hops, 1);
        auto rai = m->options.relay_agent_info();
        ASSERT_TRUE(rai.has_value() && rai->has_value());
        EXPECT_TRUE((*rai)->circuit_id().has_value());
        EXPECT_TRUE((*rai)->remote_id().has_value());
      }
    } else {
      ++client_side;
      if (m->op == 2) {
        EXPECT_FALSE(m->options.has(82)) << "the relay strips option 82";
        EXPECT_EQ(d->eth.dst, mac(0x500));
      }
    }
  }
  EXPECT_EQ(server_side, 4);
  EXPECT_EQ(client_side, 4);

  // Renewal at T1: unicast to the server's address, through the gateway, giaddr 0.
  cap.frames.clear();
  const proto::Lease lease = *c.dhcp->current_lease();
  t.sim.run_until(lease.t1 + 1_s);
  bool direct = false;
  for (const auto& f : cap.frames) {
    auto d = wire::parse_frame(f.bytes);
    const auto* m = d ? d->dhcp() : nullptr;
    if (m && f.segment == t.dc && m->message_type() == wire::DhcpMessageType::Request) {
      direct = m->giaddr.is_zero() && m->ciaddr == c.ip.address && d->ipv4()->ip.dst == ip("10.0.9.5") &&
               d->ipv4()->ip.src == c.ip.address;
    }
  }
  EXPECT_TRUE(direct);
  EXPECT_GT(c.dhcp->current_lease()->expiry, lease.expiry);
}

// The relay's remote ID is its router's name, cut to the 255 bytes a sub-option holds
// (RFC 3046 §2.0): a longer name still relays.
TEST(Dhcp, LongRouterNameGivesATruncatedRemoteId) {
  const std::string name(300, 'r');
  Relayed t(name);
  FrameCapture cap;
  t.net.tracer().subscribe(&cap);
  t.net.start();
  t.sim.run_until(Time::zero() + 10_s);
  ASSERT_EQ(t.net.host(t.client).dhcp->state(), proto::DhcpClientState::Bound);
  int seen = 0;
  for (const auto& f : cap.frames) {
    auto d = wire::parse_frame(f.bytes);
    const auto* m = d ? d->dhcp() : nullptr;
    if (m == nullptr || f.segment != t.dc || m->op != 1) continue;
    auto rai = m->options.relay_agent_info();
    ASSERT_TRUE(rai.has_value() && rai->has_value());
    EXPECT_EQ(wire::to_vector(*(*rai)->remote_id()), std::vector<std::byte>(255, std::byte{'r'}));
    ++seen;
  }
  EXPECT_EQ(seen, 2);  // the DISCOVER and the REQUEST
}

// tshark reads the relayed exchange the same way: giaddr, option 82, ports, types.
TEST(Dhcp, RelayedPcapDecodesInTshark) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  auto dir = std::filesystem::temp_directory_path() / ("dhcpsim-relay-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    Relayed t;
    dhcpsim::report::PcapSink pcap(t.net, dir.string());
    t.net.tracer().subscribe(&pcap);
    t.net.start();
    t.sim.run_until(Time::zero() + 2_h);  // DORA, renewals
    t.net.server_stop(t.server, true);
    t.sim.run_until(Time::zero() + 4_h);  // renew fails, rebind, expiry, DISCOVER again
    ASSERT_TRUE(pcap.finish().has_value());
  }
  auto run = [](const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    char buf[512];
    while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    if (p != nullptr) pclose(p);
    return out;
  };
  std::string dc = (dir / "dc.pcap").string();
  std::string lan = (dir / "lan-c.pcap").string();
  std::string relayed = run("tshark -r " + dc + " -Y dhcp -T fields -e dhcp.option.dhcp -e dhcp.ip.relay -e dhcp.hops -e dhcp.option.agent_information_option.suboption 2>/dev/null | head -4");
  // DISCOVER and REQUEST carry option 82 with circuit id (1) and remote id (2).
  EXPECT_NE(relayed.find("1\t10.0.1.1\t1\t1,2"), std::string::npos) << relayed;
  EXPECT_NE(relayed.find("2\t10.0.1.1"), std::string::npos) << relayed;
  EXPECT_NE(relayed.find("3\t10.0.1.1\t1\t1,2"), std::string::npos) << relayed;
  EXPECT_NE(relayed.find("5\t10.0.1.1"), std::string::npos) << relayed;
  std::string client = run("tshark -r " + lan + " -Y dhcp -T fields -e dhcp.option.dhcp -e ip.dst -e dhcp.ip.client 2>/dev/null");
  // Renewals: unicast REQUESTs with ciaddr; rebinding: broadcast REQUESTs with ciaddr.
  EXPECT_NE(client.find("3\t10.0.9.5\t10.0.1.100"), std::string::npos) << client;
  EXPECT_NE(client.find("3\t255.255.255.255\t10.0.1.100"), std::string::npos) << client;
  EXPECT_EQ(run("tshark -r " + dc + " -Y _ws.malformed 2>/dev/null"), "");
  EXPECT_EQ(run("tshark -r " + lan + " -Y _ws.malformed 2>/dev/null"), "");
  std::filesystem::remove_all(dir);
}

// A stopped server has no socket on port 67: the renewals still sent to it by unicast
// are discarded by its host (frame_dropped, no_listener), not received; the client's
// renewal fails and it rebinds.
TEST(Dhcp, StoppedServerDoesNotReceiveUnicastRenewals) {
  Relayed t;
  RecordingSink rec(t.net, kind_bit(RecordKind::kFrameDropped) | kind_bit(RecordKind::kDhcpMessage));
  t.net.tracer().subscribe(&rec);
  t.net.start();
  t.sim.run_until(Time::zero() + 10_s);
  ASSERT_EQ(t.net.host(t.client).dhcp->state(), proto::DhcpClientState::Bound);
  const uint32_t svc = t.net.host(t.server).service;
  const uint64_t received = t.net.service(svc).stats.received;
  EXPECT_EQ(received, 2u);  // the relayed DISCOVER and REQUEST
  t.net.server_stop(t.server, true);
  rec.records.clear();
  const auto renewals_before = t.net.host(t.client).dhcp->counters();
  t.sim.run_until(Time::zero() + 1_h);  // past T2 = 52.5 min of the 1 h lease
  EXPECT_EQ(t.net.service(svc).stats.received, received);
  int no_listener = 0, server_saw = 0;
  for (const auto& d : rec.of<FrameDropped>())
    if (d.reason == DropReason::kNoListener && d.iface == t.net.host(t.server).iface) ++no_listener;
  for (const auto& m : rec.of<DhcpMessageRecord>())
    if (m.node == t.server) ++server_saw;
  EXPECT_GT(no_listener, 0);  // the unicast renewals (RENEWING)
  EXPECT_EQ(server_saw, 0);
  EXPECT_GT(t.net.host(t.client).dhcp->counters().requests_sent, renewals_before.requests_sent);
  EXPECT_NE(t.net.host(t.client).dhcp->state(), proto::DhcpClientState::Bound);
}

// A server that is not running at the start has no socket either: the client's
// broadcasts are not delivered to its host (as after server_stop), and once it starts it
// answers them.
TEST(Dhcp, ServerNotRunningAtStartGetsNoBroadcasts) {
  TestNet t;
  const SegmentId lan = t.segment("lan", "10.0.5.0/24");
  HostConfig sc;
  sc.name = "late-server";
  sc.segment = lan;
  sc.mac = mac(0x55);
  sc.profile = t.default_profile;
  sc.static_ip = StaticIpConfig{ip("10.0.5.2"), ip("255.255.255.0"), Ipv4Address(), Ipv4Address()};
  sc.dhcp_server = dhcp_server("10.0.5.2", "10.0.5.0/24", 100, 199, 1_h,
                               [](DhcpServiceConfig& c) { c.running_at_start = false; });
  const NodeId server = t.net.add_host(sc);
  HostConfig cc;
  cc.name = "pc";
  cc.segment = lan;
  cc.mac = mac(0x501);
  cc.profile = dhcp_profile();
  const NodeId client = t.net.add_host(cc);
  RecordingSink rec(t.net, kind_bit(RecordKind::kFrameDelivered) | kind_bit(RecordKind::kFrameDropped));
  t.net.tracer().subscribe(&rec);
  t.net.start();
  t.sim.run_until(Time::zero() + 30_s);
  const IfaceId server_iface = t.net.host(server).iface;
  for (const auto& d : rec.of<FrameDelivered>()) EXPECT_NE(d.iface, server_iface);
  for (const auto& d : rec.of<FrameDropped>()) EXPECT_NE(d.iface, server_iface);
  EXPECT_GT(t.net.host(client).dhcp->counters().discovers_sent, 1u);
  EXPECT_EQ(t.net.service(t.net.host(server).service).stats.received, 0u);
  t.net.server_start(server);
  t.sim.run_until(Time::zero() + 2_min);
  EXPECT_EQ(t.net.host(client).dhcp->state(), proto::DhcpClientState::Bound);
  EXPECT_GT(t.net.service(t.net.host(server).service).stats.received, 0u);
}

// INIT-REBOOT: after a reboot the client asks for its remembered address (option 50, no
// server id, ciaddr 0) and the server that holds the lease ACKs it.
TEST(Dhcp, InitRebootAck) {
  Office o(1);
  o.net.start();
  o.sim.run_until(Time::zero() + 10_s);
  const Ipv4Address before = o.addr(0);
  o.net.reboot_host(o.clients_[0], 5_s);
  EXPECT_TRUE(o.addr(0).is_zero());
  o.sim.run_until(Time::zero() + 30_s);
  EXPECT_EQ(o.client(0).state(), proto::DhcpClientState::Bound);
  EXPECT_EQ(o.addr(0), before);
  EXPECT_EQ(o.client(0).counters().discovers_sent, 1u) << "no new DISCOVER after the reboot";
}

// INIT-REBOOT on the wrong subnet: a laptop moved to another lan asks for its old address;
// the authoritative server there NAKs, the client goes back to INIT and gets a new lease.
TEST(Dhcp, InitRebootNakAfterMovingToAnotherLan) {
  TestNet t;
  auto a = t.segment("lan-a", "10.0.0.0/24");
  auto b = t.segment("lan-b", "10.0.5.0/24");
  RouterConfig ra;
  ra.name = "gw-a";
  ra.interfaces = {TestNet::rif("eth0", a, 0x01, "10.0.0.1", 24)};
  ra.dhcp_server = dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 199);
  t.net.add_router(ra);
  RouterConfig rb;
  rb.name = "gw-b";
  rb.interfaces = {TestNet::rif("eth0", b, 0x02, "10.0.5.1", 24)};
  rb.dhcp_server = dhcp_server("10.0.5.1", "10.0.5.0/24", 100, 199);
  NodeId gwb = t.net.add_router(rb);
  HostConfig hc;
  hc.name = "laptop";
  hc.segment = a;
  hc.mac = mac(0x42);
  hc.profile = dhcp_profile();
  NodeId laptop = t.net.add_host(hc);
  t.net.start();
  t.sim.run_until(Time::zero() + 10_s);
  ASSERT_TRUE(prefix("10.0.0.0/24").contains(t.net.host(laptop).ip.address));
  t.net.reboot_host(laptop, 10_s);
  t.net.detach(t.net.host(laptop).iface);
  t.net.attach(t.net.host(laptop).iface, b);
  t.sim.run_until(Time::zero() + 40_s);
  EXPECT_EQ(t.net.host(laptop).dhcp->counters().naks_received, 1u);
  EXPECT_EQ(t.net.host(laptop).dhcp->state(), proto::DhcpClientState::Bound);
  EXPECT_TRUE(prefix("10.0.5.0/24").contains(t.net.host(laptop).ip.address));
  EXPECT_GE(t.net.service_of(gwb)->engine->stats().naks, 1u);
}

// DECLINE after an ACD conflict: a static squatter sits on the first pool address; the
// client probes the ACKed address (RFC 5227 / RFC 2131 §4.4.1), declines it (options 50
// and 54), waits 10 s and gets another; the server keeps the declined one in probation.
TEST(Dhcp, DeclineAfterAcdConflict) {
  auto p = dhcp_profile([](proto::DhcpClientConfig& c) { c.probe_on_ack = true; });
  Office o(1, p);
  o.host("squatter", o.lan, 0x777, "10.0.0.100", "255.255.255.0", "10.0.0.1");
  FrameCapture cap;
  o.net.tracer().subscribe(&cap);
  o.net.start();
  o.sim.run_until(Time::zero() + 60_s);
  EXPECT_EQ(o.client(0).state(), proto::DhcpClientState::Bound);
  EXPECT_EQ(o.addr(0), ip("10.0.0.101"));
  EXPECT_EQ(o.client(0).counters().declines_sent, 1u);
  EXPECT_EQ(o.server().stats().declines, 1u);
  std::optional<Time> decline_at, rediscover_at;
  for (const auto& f : cap.frames) {
    auto d = wire::parse_frame(f.bytes);
    const auto* m = d ? d->dhcp() : nullptr;
    if (m == nullptr) continue;
    if (m->message_type() == wire::DhcpMessageType::Decline) {
      decline_at = f.time;
      EXPECT_EQ(m->options.requested_ip(), ip("10.0.0.100"));
      EXPECT_EQ(m->options.server_id(), ip("10.0.0.1"));
      EXPECT_TRUE(d->ipv4()->ip.dst.is_broadcast());
    }
    if (decline_at && !rediscover_at && m->message_type() == wire::DhcpMessageType::Discover) rediscover_at = f.time;
  }
  ASSERT_TRUE(decline_at && rediscover_at);
  EXPECT_GE(*rediscover_at - *decline_at, 10_s);
  EXPECT_EQ(o.net.conflict_totals().addresses_conflicted, 0u) << "the client never used the taken address";
}

// RELEASE on graceful shutdown frees the server's lease at once.
TEST(Dhcp, ReleaseFreesTheLease) {
  auto p = dhcp_profile([](proto::DhcpClientConfig& c) { c.release_on_shutdown = true; });
  Office o(2, p);
  o.net.start();
  o.sim.run_until(Time::zero() + 10_s);
  EXPECT_EQ(o.server().stats().leases_active, 2u);
  EXPECT_TRUE(o.net.host_leave(o.clients_[0], true));
  o.sim.run_until(Time::zero() + 12_s);
  EXPECT_EQ(o.server().stats().releases, 1u);
  EXPECT_EQ(o.server().stats().leases_active, 1u);
  // Without RELEASE (a silent leave) the lease stays until it expires.
  o.net.host_leave(o.clients_[1], false);
  o.sim.run_until(Time::zero() + 14_s);
  EXPECT_EQ(o.server().stats().releases, 1u);
  EXPECT_EQ(o.server().stats().leases_active, 1u);
}

// A client whose profile does not release at shutdown (release_on_leave false) leaves
// silently even when asked to release: the user studying pool exhaustion relies on it.
TEST(Dhcp, NoReleaseWhenTheProfileSaysNo) {
  auto p = dhcp_profile([](proto::DhcpClientConfig& c) { c.release_on_shutdown = false; });
  Office o(1, p);
  o.net.start();
  o.sim.run_until(Time::zero() + 10_s);
  ASSERT_EQ(o.server().stats().leases_active, 1u);
  EXPECT_FALSE(o.net.host_leave(o.clients_[0], true));
  o.sim.run_until(Time::zero() + 14_s);
  EXPECT_EQ(o.server().stats().releases, 0u);
  EXPECT_EQ(o.server().stats().leases_active, 1u);
  EXPECT_TRUE(o.net.host(o.clients_[0]).gone);
}

// Two servers on one segment: the client takes the first offer; its broadcast REQUEST
// names that server, and the other frees its held offer at once (RFC 2131 §4.3.2).
TEST(Dhcp, TwoServersTheOtherWithdrawsItsOffer) {
  Office o(1, nullptr, dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 149));
  HostConfig s2;
  s2.name = "server2";
  s2.segment = o.lan;
  s2.mac = mac(0x2);
  s2.profile = o.default_profile;
  s2.static_ip = StaticIpConfig{ip("10.0.0.2"), ip("255.255.255.0"), ip("10.0.0.1"), Ipv4Address()};
  s2.dhcp_server = dhcp_server("10.0.0.2", "10.0.0.0/24", 150, 199);
  NodeId second = o.net.add_host(s2);
  o.net.start();
  o.sim.run_until(Time::zero() + 10_s);
  ASSERT_EQ(o.client(0).state(), proto::DhcpClientState::Bound);
  const auto& a = o.server().stats();
  const auto& b = o.net.service_of(second)->engine->stats();
  EXPECT_EQ(a.offers + b.offers, 2u);
  EXPECT_EQ(a.leases_active + b.leases_active, 1u);
  EXPECT_EQ(a.offers_withdrawn + b.offers_withdrawn, 1u);
}

// Overlapping pools without ping check hand out the same address twice (the oracle sees
// it); with ping check the second server finds the address in use and offers another.
// Both servers pick addresses at random and take 0-2 ms per message, so either may
// answer first (with the same iterative allocator and one always faster, two servers
// walk the pool in lock-step and never collide).
TEST(Dhcp, OverlappingPoolsAndPingCheck) {
  for (bool ping : {false, true}) {
    auto tweak = [ping](DhcpServiceConfig& c) {
      c.server.ping_check.enabled = ping;
      c.server.allocator = proto::AllocatorKind::Random;
      c.service_time.kind = ServiceTime::Kind::kUniform;
      c.service_time.b = 2_ms;
    };
    auto p = dhcp_profile([](proto::DhcpClientConfig& c) { c.start_delay_max = dhcpsim::core::Duration::zero(); });
    Office o(0, p, dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 119, 1_h, tweak));
    HostConfig s2;
    s2.name = "server2";
    s2.segment = o.lan;
    s2.mac = mac(0x2);
    s2.profile = o.default_profile;
    s2.static_ip = StaticIpConfig{ip("10.0.0.2"), ip("255.255.255.0"), ip("10.0.0.1"), Ipv4Address()};
    s2.dhcp_server = dhcp_server("10.0.0.2", "10.0.0.0/24", 100, 119, 1_h, tweak);
    o.net.add_host(s2);
    // Clients arrive one by one, 5 s apart, each taking the first offer.
    for (int k = 0; k < 10; ++k) {
      HostConfig hc;
      hc.name = "pc" + std::to_string(k);
      hc.segment = o.lan;
      hc.mac = mac(0x100 + k);
      hc.profile = p;
      hc.boot_time = Time::zero() + dhcpsim::core::seconds(5 * k);
      o.clients_.push_back(o.net.add_host(hc));
    }
    o.net.start();
    o.sim.run_until(Time::zero() + 2_min);
    for (int k = 0; k < 10; ++k) EXPECT_FALSE(o.addr(k).is_zero()) << "ping=" << ping << " client " << k;
    if (!ping) {
      EXPECT_GT(o.net.conflict_totals().addresses_conflicted, 0u);
    } else {
      EXPECT_EQ(o.net.conflict_totals().addresses_conflicted, 0u);
      EXPECT_GT(o.server().stats().ping_conflicts + o.net.service_of(NodeId(1))->engine->stats().ping_conflicts, 0u);
    }
  }
}

// A static host left inside the pool: without protection its address is handed out
// (a conflict); with the server's ping check it is skipped; with client ACD it is
// declined.
TEST(Dhcp, StaticHostInsidePool) {
  struct Case {
    bool ping;
    bool acd;
    bool conflict;
  };
  for (Case c : {Case{false, false, true}, Case{true, false, false}, Case{false, true, false}}) {
    auto p = dhcp_profile([&](proto::DhcpClientConfig& cc) { cc.probe_on_ack = c.acd; });
    Office o(3, p, dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 199, 1_h, [&](DhcpServiceConfig& s) {
               s.server.ping_check.enabled = c.ping;
             }));
    o.host("printer", o.lan, 0x888, "10.0.0.101", "255.255.255.0", "10.0.0.1");
    o.net.start();
    o.sim.run_until(Time::zero() + 1_min);
    for (int k = 0; k < 3; ++k) EXPECT_FALSE(o.addr(k).is_zero());
    EXPECT_EQ(o.net.conflict_totals().addresses_conflicted, c.conflict ? 1u : 0u)
        << "ping=" << c.ping << " acd=" << c.acd;
  }
}

// A server with Kea-like capacity (service time, small receive queue) under a burst of
// DISCOVERs: packets beyond the queue are dropped and counted; clients retransmit and
// every one is bound in the end.
TEST(Dhcp, ServerQueueUnderABurst) {
  auto p = dhcp_profile([](proto::DhcpClientConfig& c) { c.start_delay_max = 10_ms; });
  auto server = dhcp_server("10.0.0.1", "10.0.0.0/24", 10, 250, 1_h, [](DhcpServiceConfig& s) {
    s.service_time.a = 2_ms;
    s.queue_capacity = 8;
  });
  Office o(200, p, server);
  o.net.start();
  o.sim.run_until(Time::zero() + 5_min);
  const auto* svc = o.net.service_of(o.gw);
  EXPECT_GT(svc->stats.queue_drops, 0u);
  EXPECT_LE(svc->stats.queue_peak, 8u);
  for (int k = 0; k < 200; ++k) ASSERT_EQ(o.client(k).state(), proto::DhcpClientState::Bound) << k;
  EXPECT_EQ(distinct(o).size(), 200u);
  uint64_t retransmissions = 0;
  for (int k = 0; k < 200; ++k) retransmissions += o.client(k).counters().retransmissions;
  EXPECT_GT(retransmissions, 0u);
}

// RFC 3927 fallback: with no server the client configures a 169.254/16 address chosen
// with ACD, keeps DISCOVERing, and drops it once a server appears and a lease is bound.
TEST(Dhcp, LinkLocalFallbackAndRemoval) {
  auto p = dhcp_profile([](proto::DhcpClientConfig& c) {
    c.link_local.enabled = true;
    c.link_local.after_rounds = 0;
    c.link_local.after = 20_s;
  });
  auto server = dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 199, 1_h, [](DhcpServiceConfig& s) {
    s.running_at_start = false;
  });
  Office o(1, p, server);
  o.net.start();
  o.sim.run_until(Time::zero() + 1_min);
  EXPECT_TRUE(o.addr(0).is_link_local());
  EXPECT_EQ(o.host_of(o.clients_[0]).ip.source, AddressSource::kLinkLocal);
  o.net.server_start(o.gw);
  o.sim.run_until(Time::zero() + 5_min);
  EXPECT_EQ(o.client(0).state(), proto::DhcpClientState::Bound);
  EXPECT_TRUE(prefix("10.0.0.0/24").contains(o.addr(0)));
  EXPECT_TRUE(o.host_of(o.clients_[0]).link_local.is_zero());
}

// A statically addressed host that only wants options sends DHCPINFORM and is answered
// with an ACK without a lease time; it keeps its own address.
TEST(Dhcp, InformForAStaticHost) {
  Office o(0);
  auto p = dhcp_profile({}, [](HostProfile& h) { h.inform = true; });
  NodeId s = o.host("static", o.lan, 0x55, "10.0.0.55", "255.255.255.0", "10.0.0.1", "0.0.0.0", p);
  o.net.start();
  o.sim.run_until(Time::zero() + 10_s);
  EXPECT_EQ(o.server().stats().informs, 1u);
  EXPECT_EQ(o.net.host(s).ip.address, ip("10.0.0.55"));
  EXPECT_EQ(o.net.host(s).ip.dns, ip("10.0.0.1"));
}
