// The DHCP client engine in virtual time: scripts that feed messages built with the wire
// API at time t and check the actions (and their times) the engine produces.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <set>

#include "dhcpsim/proto/dhcp_client.hpp"

namespace dhcpsim::proto {
namespace {

using core::Duration;
using core::Time;
using wire::DhcpMessage;
using wire::DhcpMessageType;
using wire::Ipv4Address;
using wire::MacAddress;
namespace opt = wire::dhcp_option;
using Actions = std::vector<DhcpClientAction>;

Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}
Time T(double s) {
  return Time::zero() + core::seconds_f(s);
}
double secs(Time t) {
  return t.seconds_f();
}

const MacAddress kMac = MacAddress::from_u64(0x02660100000aULL);
const Ipv4Address kServerA = ip("10.0.0.1");
const Ipv4Address kServerB = ip("10.0.0.2");
const Ipv4Address kAddr = ip("10.0.0.100");
const Ipv4Address kAddr2 = ip("10.0.0.101");

template <class A>
std::vector<A> all_of(const Actions& actions) {
  std::vector<A> v;
  for (const auto& a : actions)
    if (auto* p = std::get_if<A>(&a)) v.push_back(*p);
  return v;
}
template <class A>
std::optional<A> first_of(const Actions& actions) {
  for (const auto& a : actions)
    if (auto* p = std::get_if<A>(&a)) return *p;
  return std::nullopt;
}
std::vector<Send> sends(const Actions& a) {
  return all_of<Send>(a);
}
DhcpMessageType type_of(const Send& s) {
  return *s.msg.message_type();
}

/// A server reply to the client.
DhcpMessage reply(DhcpMessageType type, uint32_t xid, Ipv4Address yiaddr, Ipv4Address server,
                  std::optional<uint32_t> lease_s = 3600, MacAddress mac = kMac) {
  DhcpMessage m;
  m.op = DhcpMessage::kBootReply;
  m.xid = xid;
  m.yiaddr = yiaddr;
  m.set_client_mac(mac);
  m.options.set_message_type(type);
  if (!server.is_zero()) m.options.set_ip(opt::kServerId, server);
  if (type != DhcpMessageType::Nak) {
    if (lease_s) m.options.set_u32(opt::kLeaseTime, *lease_s);
    m.options.set_ip(opt::kSubnetMask, ip("255.255.255.0"));
    const Ipv4Address routers[] = {ip("10.0.0.254")};
    m.options.set_ips(opt::kRouter, routers);
    const Ipv4Address dns[] = {ip("10.0.0.53"), ip("10.0.0.54")};
    m.options.set_ips(opt::kDnsServers, dns);
  }
  return m;
}

/// One client, its configuration, its random stream and the current virtual time.
struct Rig {
  DhcpClientConfig cfg;
  core::Rng rng;
  std::optional<DhcpClient> client;
  Time now = Time::zero();

  explicit Rig(uint64_t seed = 1) : rng(seed) {
    cfg.start_delay_min = cfg.start_delay_max = Duration::zero();
  }
  Rig(const Rig&) = delete;
  DhcpClient& c() {
    if (!client) client.emplace(cfg, kMac);
    return *client;
  }
  Actions start(Time t = Time::zero()) {
    now = t;
    Actions out;
    c().start(now, rng, out);
    return out;
  }
  /// Fires the next deadline (the time moves there).
  Actions step() {
    now = c().next_deadline();
    EXPECT_NE(now, Time::max());
    Actions out;
    c().on_timer(now, rng, out);
    return out;
  }
  Actions timer_at(Time t) {
    now = t;
    Actions out;
    c().on_timer(now, rng, out);
    return out;
  }
  Actions deliver(const DhcpMessage& m, Time t) {
    now = t;
    Actions out;
    c().on_message(now, m, rng, out);
    return out;
  }
  Actions deliver(const DhcpMessage& m) { return deliver(m, now); }
  uint32_t xid() { return c().xid().value(); }
  /// DORA with server A offering kAddr; returns the lease.
  Lease bind(uint32_t lease_s = 3600) {
    start(now);
    deliver(reply(DhcpMessageType::Offer, xid(), kAddr, kServerA, lease_s),
            now + core::milliseconds(10));
    Actions a = deliver(reply(DhcpMessageType::Ack, xid(), kAddr, kServerA, lease_s),
                        now + core::milliseconds(10));
    auto acquired = first_of<LeaseAcquired>(a);
    EXPECT_TRUE(acquired.has_value());
    return acquired ? acquired->lease : Lease{};
  }
};

std::vector<uint8_t> prl_of(const DhcpMessage& m) {
  auto p = m.options.parameter_request_list();
  return p ? std::vector<uint8_t>(p->begin(), p->end()) : std::vector<uint8_t>{};
}

// ---------------------------------------------------------------------------------------

// A full DORA: the DISCOVER after the start delay, the REQUEST answering the OFFER, the
// lease from the ACK with times measured from the REQUEST, every field as RFC 2131 Table 5.
TEST(DhcpClient, FullDora) {
  Rig r;
  r.cfg.start_delay_min = core::seconds(1);
  r.cfg.start_delay_max = core::seconds(10);
  Actions a = r.start(T(0));
  EXPECT_TRUE(sends(a).empty());
  EXPECT_EQ(all_of<StateChanged>(a).size(), 1u);
  EXPECT_EQ(r.c().state(), DhcpClientState::Init);
  const Time first = r.c().next_deadline();
  EXPECT_GE(first, T(1));
  EXPECT_LE(first, T(10));

  a = r.step();
  ASSERT_EQ(sends(a).size(), 1u);
  const Send d = sends(a)[0];
  EXPECT_EQ(type_of(d), DhcpMessageType::Discover);
  EXPECT_EQ(d.src_ip, Ipv4Address::any());
  EXPECT_EQ(d.dst_ip, Ipv4Address::broadcast());
  EXPECT_TRUE(d.broadcast);
  EXPECT_EQ(d.msg.op, DhcpMessage::kBootRequest);
  EXPECT_EQ(d.msg.secs, 0);
  EXPECT_FALSE(d.msg.broadcast_flag());
  EXPECT_TRUE(d.msg.ciaddr.is_zero());
  EXPECT_EQ(d.msg.client_mac(), kMac);
  EXPECT_FALSE(d.msg.options.requested_ip().has_value());
  EXPECT_FALSE(d.msg.options.server_id().has_value());
  auto cid = d.msg.options.client_id();
  ASSERT_TRUE(cid.has_value());
  ASSERT_EQ(cid->size(), 7u);
  EXPECT_EQ(uint8_t((*cid)[0]), 1);
  EXPECT_EQ(uint8_t((*cid)[6]), 0x0a);
  EXPECT_EQ(prl_of(d.msg), (std::vector<uint8_t>{1, 3, 6, 15, 51, 54, 58, 59}));
  EXPECT_GE(d.msg.encoded_size(), DhcpMessage::kBootpMinimumSize);
  EXPECT_EQ(r.c().state(), DhcpClientState::Selecting);
  const uint32_t xid = d.msg.xid;

  const Time t_offer = first + core::milliseconds(300);
  a = r.deliver(reply(DhcpMessageType::Offer, xid, kAddr, kServerA), t_offer);
  ASSERT_EQ(sends(a).size(), 1u);
  const Send q = sends(a)[0];
  EXPECT_EQ(type_of(q), DhcpMessageType::Request);
  EXPECT_EQ(q.msg.xid, xid);
  EXPECT_EQ(q.msg.secs, d.msg.secs);
  EXPECT_TRUE(q.msg.ciaddr.is_zero());
  EXPECT_EQ(q.msg.options.requested_ip(), kAddr);
  EXPECT_EQ(q.msg.options.server_id(), kServerA);
  EXPECT_EQ(q.dst_ip, Ipv4Address::broadcast());
  EXPECT_TRUE(q.broadcast);
  EXPECT_EQ(r.c().state(), DhcpClientState::Requesting);

  a = r.deliver(reply(DhcpMessageType::Ack, xid, kAddr, kServerA, 3600),
                t_offer + core::milliseconds(5));
  auto acq = first_of<LeaseAcquired>(a);
  ASSERT_TRUE(acq.has_value());
  const Lease& l = acq->lease;
  EXPECT_EQ(l.address, kAddr);
  EXPECT_EQ(l.subnet_mask, ip("255.255.255.0"));
  EXPECT_EQ(l.router, ip("10.0.0.254"));
  ASSERT_EQ(l.dns.count, 2);
  EXPECT_EQ(l.dns.addresses[1], ip("10.0.0.54"));
  EXPECT_EQ(l.server_id, kServerA);
  EXPECT_TRUE(l.confirmed);
  EXPECT_EQ(l.lease_time, core::seconds(3600));
  EXPECT_EQ(l.start, t_offer);  // RFC 2131 §4.4.1: from the REQUEST
  EXPECT_EQ(l.t1, t_offer + core::seconds(1800));
  EXPECT_EQ(l.t2, t_offer + core::seconds(3150));
  EXPECT_EQ(l.expiry, t_offer + core::seconds(3600));
  EXPECT_EQ(r.c().state(), DhcpClientState::Bound);
  EXPECT_EQ(r.c().next_deadline(), l.t1);
  ASSERT_NE(r.c().current_lease(), nullptr);
  EXPECT_EQ(*r.c().current_lease(), l);
  EXPECT_EQ(r.c().counters().discovers_sent, 1u);
  EXPECT_EQ(r.c().counters().requests_sent, 1u);
  EXPECT_EQ(r.c().counters().acks_received, 1u);
  auto changes = all_of<StateChanged>(a);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].from, DhcpClientState::Requesting);
  EXPECT_EQ(changes[0].to, DhcpClientState::Bound);
}

// Every message the client sends survives encode/parse and has the BOOTP minimum size.
TEST(DhcpClient, SentMessagesRoundTripAndArePadded) {
  Rig r;
  r.cfg.release_on_shutdown = true;
  r.cfg.host_name = "pc-*";
  Actions all;
  auto keep = [&](Actions a) { all.insert(all.end(), a.begin(), a.end()); };
  keep(r.start());
  keep(r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA), T(0.1)));
  keep(r.deliver(reply(DhcpMessageType::Ack, r.xid(), kAddr, kServerA), T(0.2)));
  keep(r.step());  // renew
  Actions out;
  r.c().release(r.now, r.rng, out);
  keep(out);
  ASSERT_EQ(sends(all).size(), 4u);
  for (const Send& s : sends(all)) {
    EXPECT_EQ(s.msg.encoded_size(), DhcpMessage::kBootpMinimumSize);
    auto bytes = s.msg.encode_to_vector();
    auto parsed = DhcpMessage::parse(bytes);
    ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
    EXPECT_EQ(*parsed, s.msg);
    if (type_of(s) != DhcpMessageType::Release) {
      EXPECT_EQ(parsed->options.host_name(), "pc-02660100000a");
    }
  }
}

// The start delay is uniform in the configured range (RFC 2131 §4.4.1: 1-10 s).
TEST(DhcpClient, StartDelayIsUniformInRange) {
  double lo = 1e9, hi = 0;
  for (uint64_t seed = 1; seed <= 300; ++seed) {
    Rig r(seed);
    r.cfg.start_delay_min = core::seconds(1);
    r.cfg.start_delay_max = core::seconds(10);
    r.start();
    const double t = secs(r.c().next_deadline());
    lo = std::min(lo, t);
    hi = std::max(hi, t);
  }
  EXPECT_GE(lo, 1.0);
  EXPECT_LT(lo, 1.2);
  EXPECT_LE(hi, 10.0);
  EXPECT_GT(hi, 9.8);
}

/// The times of the first n messages the client sends with no server around.
std::vector<Time> silent_send_times(Rig& r, int n) {
  std::vector<Time> times;
  Actions a = r.start();
  for (size_t i = 0; i < sends(a).size(); ++i) times.push_back(r.now);
  while (int(times.size()) < n) {
    a = r.step();
    for (size_t i = 0; i < sends(a).size(); ++i) times.push_back(r.now);
  }
  return times;
}

// RFC 2131 §4.1: DISCOVER retransmissions at 4, 8, 16, 32, 64, 64, ... s, each ±1 s
// uniform: every interval within its window, both edges reached over many seeds; the xid
// stays, secs counts from the first DISCOVER.
TEST(DhcpClient, DiscoverRetransmissionRfc2131) {
  const double base[] = {4, 8, 16, 32, 64, 64, 64};
  std::vector<double> lo(7, 1e9), hi(7, -1e9);
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    Rig r(seed);
    Actions a = r.start();
    ASSERT_EQ(sends(a).size(), 1u);
    const uint32_t xid = sends(a)[0].msg.xid;
    double prev = 0;
    for (int k = 0; k < 7; ++k) {
      a = r.step();
      auto s = sends(a);
      ASSERT_EQ(s.size(), 1u);
      EXPECT_EQ(type_of(s[0]), DhcpMessageType::Discover);
      EXPECT_EQ(s[0].msg.xid, xid);
      EXPECT_EQ(s[0].msg.secs, uint16_t(secs(r.now)));
      const double d = secs(r.now) - prev;
      prev = secs(r.now);
      EXPECT_GE(d, base[k] - 1.0);
      EXPECT_LE(d, base[k] + 1.0);
      lo[k] = std::min(lo[k], d - base[k]);
      hi[k] = std::max(hi[k], d - base[k]);
    }
    EXPECT_EQ(r.c().counters().retransmissions, 7u);
  }
  for (int k = 0; k < 7; ++k) {
    EXPECT_LT(lo[k], -0.9) << k;
    EXPECT_GT(hi[k], 0.9) << k;
  }
}

// RFC 2131 §4.1 / §3.1 step 5: REQUEST retransmitted at 4, 8, 16, 32 s (±1); after the
// fifth and its 64 s wait, back to INIT: a new DISCOVER at once, with a new xid.
TEST(DhcpClient, RequestRetransmissionRfc2131) {
  const double base[] = {4, 8, 16, 32, 64};
  for (uint64_t seed = 1; seed <= 100; ++seed) {
    Rig r(seed);
    r.start();
    const uint32_t xid = r.xid();
    Actions a = r.deliver(reply(DhcpMessageType::Offer, xid, kAddr, kServerA), T(1));
    ASSERT_EQ(sends(a).size(), 1u);
    double prev = 1;
    for (int k = 0; k < 5; ++k) {
      a = r.step();
      const double d = secs(r.now) - prev;
      prev = secs(r.now);
      EXPECT_GE(d, base[k] - 1.0);
      EXPECT_LE(d, base[k] + 1.0);
      auto s = sends(a);
      ASSERT_EQ(s.size(), 1u);
      if (k < 4) {
        EXPECT_EQ(type_of(s[0]), DhcpMessageType::Request);
        EXPECT_EQ(s[0].msg.xid, xid);
        EXPECT_EQ(s[0].msg.options.server_id(), kServerA);
      } else {
        EXPECT_EQ(type_of(s[0]), DhcpMessageType::Discover);
        EXPECT_NE(s[0].msg.xid, xid);
      }
    }
    EXPECT_EQ(r.c().counters().requests_sent, 5u);
  }
}

// SELECTING takes the first acceptable OFFER; a second OFFER, an OFFER without server
// identifier and an OFFER of 0.0.0.0 change nothing.
TEST(DhcpClient, FirstAcceptableOfferIsTaken) {
  Rig r;
  r.start();
  const uint32_t xid = r.xid();
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Offer, xid, kAddr2, Ipv4Address{}), T(0.1)).empty());
  EXPECT_TRUE(
      r.deliver(reply(DhcpMessageType::Offer, xid, Ipv4Address{}, kServerB), T(0.1)).empty());
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Offer, xid + 1, kAddr2, kServerB), T(0.1)).empty());
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Offer, xid, kAddr2, kServerB, 3600,
                              MacAddress::from_u64(0x020000000001)),
                        T(0.1))
                  .empty());
  Actions a = r.deliver(reply(DhcpMessageType::Offer, xid, kAddr2, kServerB), T(0.2));
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(sends(a)[0].msg.options.server_id(), kServerB);
  EXPECT_EQ(sends(a)[0].msg.options.requested_ip(), kAddr2);
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Offer, xid, kAddr, kServerA), T(0.3)).empty());
  EXPECT_EQ(r.c().state(), DhcpClientState::Requesting);
}

// With an offer window the client collects offers until the window (from the first
// DISCOVER) ends and prefers the offer of its previous address; without one, the first.
TEST(DhcpClient, OfferWindowPrefersPreviousAddress) {
  for (bool have_previous : {true, false}) {
    Rig r;
    r.cfg.offer_window = core::seconds(2);
    if (have_previous) {
      Lease old;
      old.address = kAddr;
      old.expiry = T(0);
      r.c().remember_lease(old);
    }
    Actions a = r.start(T(5));
    ASSERT_EQ(sends(a).size(), 1u);
    EXPECT_EQ(sends(a)[0].msg.options.requested_ip(),
              have_previous ? std::optional<Ipv4Address>(kAddr) : std::nullopt);
    const uint32_t xid = r.xid();
    EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Offer, xid, kAddr2, kServerB), T(5.1)).empty());
    EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Offer, xid, kAddr, kServerA), T(5.5)).empty());
    EXPECT_EQ(r.c().next_deadline(), T(7));
    a = r.step();
    ASSERT_EQ(sends(a).size(), 1u);
    EXPECT_EQ(r.now, T(7));
    EXPECT_EQ(sends(a)[0].msg.options.requested_ip(), have_previous ? kAddr : kAddr2);
    EXPECT_EQ(sends(a)[0].msg.options.server_id(), have_previous ? kServerA : kServerB);
  }
  // An offer after the window has ended is taken at once.
  Rig r;
  r.cfg.offer_window = core::seconds(2);
  r.start(T(0));
  Actions a = r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr2, kServerB), T(3.5));
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Request);
}

// In REQUESTING a NAK from another server (or without server identifier) is ignored; a
// NAK from the selected server sends the client to INIT and a new DISCOVER at once,
// without option 50.
TEST(DhcpClient, NakHandlingInRequesting) {
  Rig r;
  r.start();
  const uint32_t xid = r.xid();
  r.deliver(reply(DhcpMessageType::Offer, xid, kAddr, kServerA), T(0.1));
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Nak, xid, Ipv4Address{}, kServerB), T(0.2)).empty());
  EXPECT_TRUE(
      r.deliver(reply(DhcpMessageType::Nak, xid, Ipv4Address{}, Ipv4Address{}), T(0.2)).empty());
  // An ACK from another server, for another address or without lease time is ignored too.
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Ack, xid, kAddr, kServerB), T(0.2)).empty());
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Ack, xid, kAddr2, kServerA), T(0.2)).empty());
  EXPECT_TRUE(
      r.deliver(reply(DhcpMessageType::Ack, xid, kAddr, kServerA, std::nullopt), T(0.2)).empty());
  EXPECT_EQ(r.c().state(), DhcpClientState::Requesting);
  EXPECT_EQ(r.c().counters().naks_received, 0);

  Actions a = r.deliver(reply(DhcpMessageType::Nak, xid, Ipv4Address{}, kServerA), T(0.3));
  auto changes = all_of<StateChanged>(a);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].to, DhcpClientState::Init);
  EXPECT_EQ(changes[1].to, DhcpClientState::Selecting);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  EXPECT_NE(sends(a)[0].msg.xid, xid);
  EXPECT_FALSE(sends(a)[0].msg.options.requested_ip().has_value());
  EXPECT_EQ(r.c().counters().naks_received, 1);
}

// ACD on the ACKed address (RFC 2131 §3.1 step 5): ProbeAddress; a conflict sends a
// broadcast DECLINE with options 50 and 54 and ciaddr 0, and the next DISCOVER goes out
// 10 s later without the declined address; no conflict binds.
TEST(DhcpClient, ProbeConflictDeclinesAndRestartsAfter10s) {
  Rig r;
  r.cfg.probe_on_ack = true;
  r.start();
  const uint32_t xid = r.xid();
  r.deliver(reply(DhcpMessageType::Offer, xid, kAddr, kServerA), T(0.1));
  Actions a = r.deliver(reply(DhcpMessageType::Ack, xid, kAddr, kServerA), T(0.2));
  auto probe = first_of<ProbeAddress>(a);
  ASSERT_TRUE(probe.has_value());
  EXPECT_EQ(probe->address, kAddr);
  EXPECT_FALSE(first_of<LeaseAcquired>(a).has_value());
  EXPECT_EQ(r.c().state(), DhcpClientState::Probing);
  EXPECT_FALSE(r.c().wants(xid, reply(DhcpMessageType::Ack, xid, kAddr, kServerA).chaddr));
  EXPECT_EQ(r.c().next_deadline(), Time::max());

  Actions out;
  r.now = T(1.7);
  r.c().on_probe_result(r.now, true, r.rng, out);
  ASSERT_EQ(sends(out).size(), 1u);
  const Send d = sends(out)[0];
  EXPECT_EQ(type_of(d), DhcpMessageType::Decline);
  EXPECT_TRUE(d.broadcast);
  EXPECT_EQ(d.dst_ip, Ipv4Address::broadcast());
  EXPECT_TRUE(d.msg.ciaddr.is_zero());
  EXPECT_EQ(d.msg.options.requested_ip(), kAddr);
  EXPECT_EQ(d.msg.options.server_id(), kServerA);
  EXPECT_FALSE(d.msg.options.parameter_request_list().has_value());
  EXPECT_EQ(r.c().state(), DhcpClientState::Declined);
  EXPECT_EQ(r.c().next_deadline(), T(11.7));
  EXPECT_EQ(r.c().counters().declines_sent, 1);

  a = r.step();
  EXPECT_EQ(r.now, T(11.7));
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  EXPECT_FALSE(sends(a)[0].msg.options.requested_ip().has_value());

  // The second time the probe finds no conflict.
  const uint32_t xid2 = r.xid();
  r.deliver(reply(DhcpMessageType::Offer, xid2, kAddr2, kServerA), T(12));
  r.deliver(reply(DhcpMessageType::Ack, xid2, kAddr2, kServerA), T(12.1));
  out.clear();
  r.c().on_probe_result(T(13), false, r.rng, out);
  auto acq = first_of<LeaseAcquired>(out);
  ASSERT_TRUE(acq.has_value());
  EXPECT_EQ(acq->lease.address, kAddr2);
  EXPECT_EQ(acq->lease.start, T(12));
}

// RENEWING at T1: unicast REQUEST to the server with ciaddr, no options 50/54, a new xid;
// retransmitted at max(60 s, half the time to T2), REBINDING exactly at T2.
TEST(DhcpClient, RenewingSchedule) {
  Rig r;
  const Lease l = r.bind(3600);  // start 0.01 s
  const Time s = l.start;
  Actions a = r.step();
  EXPECT_EQ(r.now, s + core::seconds(1800));
  ASSERT_EQ(sends(a).size(), 1u);
  const Send q = sends(a)[0];
  EXPECT_EQ(type_of(q), DhcpMessageType::Request);
  EXPECT_EQ(q.src_ip, kAddr);
  EXPECT_EQ(q.dst_ip, kServerA);
  EXPECT_FALSE(q.broadcast);
  EXPECT_EQ(q.msg.ciaddr, kAddr);
  EXPECT_FALSE(q.msg.options.requested_ip().has_value());
  EXPECT_FALSE(q.msg.options.server_id().has_value());
  EXPECT_FALSE(q.msg.broadcast_flag());
  EXPECT_EQ(q.msg.secs, 0);
  EXPECT_EQ(r.c().state(), DhcpClientState::Renewing);
  const uint32_t renew_xid = q.msg.xid;

  // 1800 -> 2475 -> 2812.5 -> 2981.25 -> 3065.625 -> 3125.625 (60 s floor) -> T2 3150.
  const double expect[] = {2475, 2812.5, 2981.25, 3065.625, 3125.625};
  for (double e : expect) {
    a = r.step();
    EXPECT_EQ(r.now, s + core::seconds_f(e));
    ASSERT_EQ(sends(a).size(), 1u);
    EXPECT_EQ(sends(a)[0].msg.xid, renew_xid);
    EXPECT_EQ(sends(a)[0].dst_ip, kServerA);
    EXPECT_EQ(sends(a)[0].msg.secs, uint16_t(e - 1800));
  }
  a = r.step();
  EXPECT_EQ(r.now, s + core::seconds(3150));
  EXPECT_EQ(r.c().state(), DhcpClientState::Rebinding);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_TRUE(sends(a)[0].broadcast);
}

// An ACK in RENEWING extends the lease from the time the last renew REQUEST was sent; an
// ACK from another server is ignored in RENEWING.
TEST(DhcpClient, RenewAckExtendsLease) {
  Rig r;
  const Lease l = r.bind(3600);
  r.step();  // T1
  r.step();  // retransmission at T1 + 675 s
  const Time sent = r.now;
  const uint32_t xid = r.xid();
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Ack, xid, kAddr, kServerB), sent + core::seconds(1))
                  .empty());
  Actions a =
      r.deliver(reply(DhcpMessageType::Ack, xid, kAddr, kServerA, 7200), sent + core::seconds(1));
  auto renewed = first_of<LeaseRenewed>(a);
  ASSERT_TRUE(renewed.has_value());
  EXPECT_EQ(renewed->lease.start, sent);
  EXPECT_EQ(renewed->lease.expiry, sent + core::seconds(7200));
  EXPECT_EQ(renewed->lease.t1, sent + core::seconds(3600));
  EXPECT_FALSE(first_of<LeaseAcquired>(a).has_value());
  EXPECT_EQ(r.c().state(), DhcpClientState::Bound);
  EXPECT_EQ(r.c().next_deadline(), sent + core::seconds(3600));
  EXPECT_GT(renewed->lease.expiry, l.expiry);
}

// A NAK in RENEWING from the leasing server: LeaseLost{Nak} at once and DISCOVER without
// option 50; from another server: ignored.
TEST(DhcpClient, RenewNak) {
  Rig r;
  r.bind(3600);
  r.step();  // T1
  const uint32_t xid = r.xid();
  EXPECT_TRUE(r.deliver(reply(DhcpMessageType::Nak, xid, Ipv4Address{}, kServerB)).empty());
  Actions a = r.deliver(reply(DhcpMessageType::Nak, xid, Ipv4Address{}, kServerA));
  auto lost = first_of<LeaseLost>(a);
  ASSERT_TRUE(lost.has_value());
  EXPECT_EQ(lost->address, kAddr);
  EXPECT_EQ(lost->reason, LeaseLostReason::Nak);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  EXPECT_FALSE(sends(a)[0].msg.options.requested_ip().has_value());
  EXPECT_EQ(r.c().current_lease(), nullptr);
}

// REBINDING at T2: broadcast REQUEST with ciaddr, no 50/54; retransmitted at max(60 s,
// half the time to expiry); at expiry LeaseLost{Expired} and a DISCOVER suggesting the old
// address (option 50).
TEST(DhcpClient, RebindingScheduleAndExpiry) {
  Rig r;
  const Lease l = r.bind(3600);
  const Time s = l.start;
  Actions a = r.timer_at(l.t2);  // late timer: BOUND -> REBINDING directly
  EXPECT_EQ(r.c().state(), DhcpClientState::Rebinding);
  ASSERT_EQ(sends(a).size(), 1u);
  const Send b = sends(a)[0];
  EXPECT_EQ(b.src_ip, kAddr);
  EXPECT_EQ(b.dst_ip, Ipv4Address::broadcast());
  EXPECT_TRUE(b.broadcast);
  EXPECT_EQ(b.msg.ciaddr, kAddr);
  EXPECT_FALSE(b.msg.options.requested_ip().has_value());
  EXPECT_FALSE(b.msg.options.server_id().has_value());
  // 3150 -> 3375 -> 3487.5 -> 3547.5 (60 s floor) -> expiry 3600.
  for (double e : {3375.0, 3487.5, 3547.5}) {
    a = r.step();
    EXPECT_EQ(r.now, s + core::seconds_f(e));
    ASSERT_EQ(sends(a).size(), 1u);
    EXPECT_TRUE(sends(a)[0].broadcast);
  }
  a = r.step();
  EXPECT_EQ(r.now, l.expiry);
  auto lost = first_of<LeaseLost>(a);
  ASSERT_TRUE(lost.has_value());
  EXPECT_EQ(lost->reason, LeaseLostReason::Expired);
  EXPECT_EQ(lost->address, kAddr);
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  EXPECT_EQ(sends(a)[0].msg.options.requested_ip(), kAddr);
  EXPECT_EQ(r.c().state(), DhcpClientState::Selecting);
  // LeaseLost comes before the DISCOVER.
  size_t lost_at = 0, send_at = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::holds_alternative<LeaseLost>(a[i])) lost_at = i;
    if (std::holds_alternative<Send>(a[i])) send_at = i;
  }
  EXPECT_LT(lost_at, send_at);
}

// In REBINDING any server may extend the lease; the lease then belongs to that server.
TEST(DhcpClient, RebindAckFromAnotherServer) {
  Rig r;
  const Lease l = r.bind(3600);
  r.timer_at(l.t2);
  Actions a = r.deliver(reply(DhcpMessageType::Ack, r.xid(), kAddr, kServerB, 3600),
                        l.t2 + core::seconds(1));
  auto renewed = first_of<LeaseRenewed>(a);
  ASSERT_TRUE(renewed.has_value());
  EXPECT_EQ(renewed->lease.server_id, kServerB);
  EXPECT_EQ(renewed->lease.start, l.t2);
  r.step();  // next T1: renew goes to server B
  EXPECT_EQ(r.c().state(), DhcpClientState::Renewing);
}

// A timer far too late walks through every due state in one call; an early one does nothing.
TEST(DhcpClient, LateAndEarlyTimers) {
  Rig r;
  const Lease l = r.bind(3600);
  EXPECT_TRUE(r.timer_at(l.t1 - core::seconds(1)).empty());
  Actions a = r.timer_at(l.expiry + core::seconds(100));
  auto lost = first_of<LeaseLost>(a);
  ASSERT_TRUE(lost.has_value());
  EXPECT_EQ(lost->reason, LeaseLostReason::Expired);
  EXPECT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(r.c().state(), DhcpClientState::Selecting);
}

// T1/T2 from options 58/59; bad values (T1 >= T2, T2 >= lease) fall back to 0.5 / 0.875;
// an infinite lease never renews.
TEST(DhcpClient, T1T2FromOptionsAndDefaults) {
  struct Case {
    std::optional<uint32_t> t1, t2;
    double want_t1, want_t2;
  };
  const Case cases[] = {
      {1000, 2000, 1000, 2000},         {std::nullopt, std::nullopt, 1800, 3150},
      {3000, 2000, 1800, 2000},         {1000, 4000, 1000, 3150},
      {3500, 3600, 1800, 3150},         {0, 0, 1800, 3150},
      {std::nullopt, 1500, 1800, 3150}, {1000, std::nullopt, 1000, 3150},
  };
  for (const Case& c : cases) {
    Rig r;
    r.start();
    r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA), T(1));
    DhcpMessage ack = reply(DhcpMessageType::Ack, r.xid(), kAddr, kServerA, 3600);
    if (c.t1) ack.options.set_u32(opt::kRenewalTime, *c.t1);
    if (c.t2) ack.options.set_u32(opt::kRebindingTime, *c.t2);
    auto acq = first_of<LeaseAcquired>(r.deliver(ack, T(1.5)));
    ASSERT_TRUE(acq.has_value());
    EXPECT_EQ(acq->lease.t1, T(1) + core::seconds_f(c.want_t1));
    EXPECT_EQ(acq->lease.t2, T(1) + core::seconds_f(c.want_t2));
  }
  Rig r;
  r.start();
  r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA, 0xffffffffu), T(1));
  auto acq = first_of<LeaseAcquired>(
      r.deliver(reply(DhcpMessageType::Ack, r.xid(), kAddr, kServerA, 0xffffffffu), T(1)));
  ASSERT_TRUE(acq.has_value());
  EXPECT_EQ(acq->lease.lease_time, Duration::max());
  EXPECT_EQ(acq->lease.expiry, Time::max());
  EXPECT_EQ(r.c().next_deadline(), Time::max());
}

// T1/T2 fuzz: uniform ±(fraction * T + abs) around the default, both edges reached, T2
// never before T1.
TEST(DhcpClient, T1T2Fuzz) {
  double lo1 = 1e9, hi1 = 0, lo2 = 1e9, hi2 = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    Rig r(seed);
    r.cfg.t_fuzz_fraction = 0.1;
    r.cfg.t_fuzz = core::seconds(1);
    const Lease l = r.bind(3600);
    const double t1 = (l.t1 - l.start).seconds_f(), t2 = (l.t2 - l.start).seconds_f();
    EXPECT_GE(t1, 1800 - 181);
    EXPECT_LE(t1, 1800 + 181);
    EXPECT_GE(t2, 3150 - 316);
    EXPECT_LE(t2, 3600);
    EXPECT_LE(l.t1, l.t2);
    lo1 = std::min(lo1, t1), hi1 = std::max(hi1, t1), lo2 = std::min(lo2, t2),
    hi2 = std::max(hi2, t2);
  }
  EXPECT_LT(lo1, 1800 - 170);
  EXPECT_GT(hi1, 1800 + 170);
  EXPECT_LT(lo2, 3150 - 300);
  EXPECT_GT(hi2, 3150 + 300);
}

// INIT-REBOOT (RFC 2131 §3.2, §4.4.2): after stop() the lease is remembered; reboot()
// broadcasts a REQUEST with option 50 and no 54, ciaddr 0; the ACK binds.
TEST(DhcpClient, RebootAck) {
  Rig r;
  const Lease l = r.bind(3600);
  Actions out;
  r.c().stop(T(100), out);
  auto lost = first_of<LeaseLost>(out);
  ASSERT_TRUE(lost.has_value());
  EXPECT_EQ(lost->reason, LeaseLostReason::Stopped);
  ASSERT_NE(r.c().remembered_lease(), nullptr);
  EXPECT_EQ(r.c().remembered_lease()->address, kAddr);

  out.clear();
  r.now = T(200);
  r.c().reboot(r.now, r.rng, out);
  ASSERT_EQ(sends(out).size(), 1u);
  const Send q = sends(out)[0];
  EXPECT_EQ(type_of(q), DhcpMessageType::Request);
  EXPECT_EQ(q.msg.options.requested_ip(), kAddr);
  EXPECT_FALSE(q.msg.options.server_id().has_value());
  EXPECT_TRUE(q.msg.ciaddr.is_zero());
  EXPECT_TRUE(q.broadcast);
  EXPECT_EQ(r.c().state(), DhcpClientState::Rebooting);
  Actions a = r.deliver(reply(DhcpMessageType::Ack, q.msg.xid, kAddr, kServerB), T(200.5));
  auto acq = first_of<LeaseAcquired>(a);
  ASSERT_TRUE(acq.has_value());
  EXPECT_TRUE(acq->lease.confirmed);
  EXPECT_EQ(acq->lease.start, T(200));
  EXPECT_EQ(acq->lease.server_id, kServerB);
  (void)l;
}

// A NAK in REBOOTING: INIT at once, DISCOVER without the refused address.
TEST(DhcpClient, RebootNak) {
  Rig r;
  r.bind(3600);
  Actions out;
  r.c().stop(T(100), out);
  out.clear();
  r.now = T(200);
  r.c().reboot(r.now, r.rng, out);
  Actions a = r.deliver(reply(DhcpMessageType::Nak, r.xid(), Ipv4Address{}, kServerA), T(200.5));
  EXPECT_FALSE(first_of<LeaseLost>(a).has_value());  // nothing was configured yet
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  EXPECT_FALSE(sends(a)[0].msg.options.requested_ip().has_value());
}

// Silence in REBOOTING: after the retransmissions (4, 8, 16, 32, 64 s) either keep the
// remembered address, unconfirmed, until its lease ends (RFC 2131 §3.2) or fall back to
// INIT with the address as a hint.
TEST(DhcpClient, RebootSilence) {
  for (bool keep : {true, false}) {
    Rig r;
    r.cfg.reboot_keep_address = keep;
    const Lease l = r.bind(36000);
    Actions out;
    r.c().stop(T(100), out);
    out.clear();
    r.now = T(200);
    r.c().reboot(r.now, r.rng, out);
    Actions a;
    for (int i = 0; i < 5; ++i) a = r.step();
    EXPECT_NEAR(secs(r.now), 200 + 4 + 8 + 16 + 32 + 64, 5.0);
    if (keep) {
      auto acq = first_of<LeaseAcquired>(a);
      ASSERT_TRUE(acq.has_value());
      EXPECT_FALSE(acq->lease.confirmed);
      EXPECT_EQ(acq->lease.expiry, l.expiry);
      EXPECT_EQ(r.c().state(), DhcpClientState::Bound);
      EXPECT_EQ(r.c().next_deadline(), l.t1);
      // The renewal at T1 confirms it.
      a = r.step();
      ASSERT_EQ(sends(a).size(), 1u);
      EXPECT_EQ(sends(a)[0].dst_ip, kServerA);
      auto renewed = first_of<LeaseRenewed>(
          r.deliver(reply(DhcpMessageType::Ack, r.xid(), kAddr, kServerA, 36000)));
      ASSERT_TRUE(renewed.has_value());
      EXPECT_TRUE(renewed->lease.confirmed);
    } else {
      EXPECT_FALSE(first_of<LeaseAcquired>(a).has_value());
      ASSERT_EQ(sends(a).size(), 1u);
      EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
      EXPECT_EQ(sends(a)[0].msg.options.requested_ip(), kAddr);
    }
  }
}

// reboot() with an expired remembered lease (or none) is a plain start.
TEST(DhcpClient, RebootWithExpiredLeaseStartsInInit) {
  Rig r;
  Lease old;
  old.address = kAddr;
  old.expiry = T(50);
  r.c().remember_lease(old);
  Actions out;
  r.now = T(60);
  r.c().reboot(r.now, r.rng, out);
  ASSERT_EQ(sends(out).size(), 1u);
  EXPECT_EQ(type_of(sends(out)[0]), DhcpMessageType::Discover);
  EXPECT_EQ(sends(out)[0].msg.options.requested_ip(), kAddr);
}

// Link-local fallback (RFC 3927): after the first failed DISCOVER round a 169.254.1.0 -
// 169.254.254.255 candidate; DISCOVERs continue; a conflict picks another; binding removes it.
TEST(DhcpClient, LinkLocalFallbackAndRemovalOnBind) {
  Rig r;
  r.cfg.retry = retry_profiles::udhcpc();
  r.cfg.link_local.enabled = true;
  r.cfg.link_local.after_rounds = 1;
  r.cfg.link_local.after = Duration::zero();
  r.start();
  r.step();              // 3 s
  r.step();              // 6 s
  Actions a = r.step();  // 9 s: the round ends
  EXPECT_EQ(r.now, T(9));
  auto ll = first_of<ConfigureLinkLocal>(a);
  ASSERT_TRUE(ll.has_value());
  EXPECT_GE(ll->address, ip("169.254.1.0"));
  EXPECT_LE(ll->address, ip("169.254.254.255"));
  EXPECT_EQ(r.c().link_local_address(), ll->address);
  Actions out;
  r.c().on_link_local_result(T(11), true, r.rng, out);
  auto ll2 = first_of<ConfigureLinkLocal>(out);
  ASSERT_TRUE(ll2.has_value());
  EXPECT_NE(ll2->address, ll->address);
  out.clear();
  r.c().on_link_local_result(T(13), false, r.rng, out);
  EXPECT_TRUE(out.empty());
  a = r.step();  // DHCP continues in the background: the next round at 29 s
  EXPECT_EQ(r.now, T(29));
  ASSERT_EQ(sends(a).size(), 1u);
  EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA), T(30));
  a = r.deliver(reply(DhcpMessageType::Ack, r.xid(), kAddr, kServerA), T(30));
  ASSERT_TRUE(first_of<LeaseAcquired>(a).has_value());
  auto removed = first_of<RemoveLinkLocal>(a);
  ASSERT_TRUE(removed.has_value());
  EXPECT_EQ(removed->address, ll2->address);
  EXPECT_FALSE(r.c().link_local_address().has_value());
}

// The time trigger: with the RFC profile (one endless round) the link-local candidate comes
// `after` seconds after the first DISCOVER; after 10 conflicts, one candidate per 60 s.
TEST(DhcpClient, LinkLocalByTimeAndRateLimit) {
  Rig r;
  r.cfg.link_local.enabled = true;
  r.cfg.link_local.after = core::seconds(30);
  r.start(T(2));
  Actions a;
  std::optional<ConfigureLinkLocal> ll;
  while (!ll) {
    a = r.step();
    ll = first_of<ConfigureLinkLocal>(a);
  }
  EXPECT_EQ(r.now, T(32));
  for (int i = 0; i < 9; ++i) {
    Actions out;
    r.c().on_link_local_result(T(33), true, r.rng, out);
    ASSERT_TRUE(first_of<ConfigureLinkLocal>(out).has_value()) << i;
  }
  Actions out;
  r.c().on_link_local_result(T(33), true, r.rng, out);
  EXPECT_FALSE(first_of<ConfigureLinkLocal>(out).has_value());
  EXPECT_FALSE(r.c().link_local_address().has_value());
  while (true) {
    a = r.step();
    if (first_of<ConfigureLinkLocal>(a)) break;
  }
  EXPECT_EQ(r.now, T(93));
}

// release(): DHCPRELEASE unicast to the server with ciaddr and option 54, LeaseLost
// {Released}, STOPPED with nothing remembered; without release_on_shutdown just a stop.
TEST(DhcpClient, Release) {
  {
    Rig r;
    r.cfg.release_on_shutdown = true;
    r.bind();
    Actions out;
    r.c().release(T(50), r.rng, out);
    ASSERT_EQ(sends(out).size(), 1u);
    const Send s = sends(out)[0];
    EXPECT_EQ(type_of(s), DhcpMessageType::Release);
    EXPECT_EQ(s.msg.ciaddr, kAddr);
    EXPECT_EQ(s.msg.options.server_id(), kServerA);
    EXPECT_FALSE(s.msg.options.requested_ip().has_value());
    EXPECT_EQ(s.src_ip, kAddr);
    EXPECT_EQ(s.dst_ip, kServerA);
    EXPECT_FALSE(s.broadcast);
    auto lost = first_of<LeaseLost>(out);
    ASSERT_TRUE(lost.has_value());
    EXPECT_EQ(lost->reason, LeaseLostReason::Released);
    EXPECT_EQ(r.c().state(), DhcpClientState::Stopped);
    EXPECT_EQ(r.c().remembered_lease(), nullptr);
    EXPECT_EQ(r.c().counters().releases_sent, 1);
  }
  {
    Rig r;
    r.bind();
    Actions out;
    r.c().release(T(50), r.rng, out);
    EXPECT_TRUE(sends(out).empty());
    EXPECT_EQ(first_of<LeaseLost>(out)->reason, LeaseLostReason::Stopped);
    EXPECT_NE(r.c().remembered_lease(), nullptr);
  }
}

// DHCPINFORM (RFC 2131 §3.4): ciaddr set, broadcast, no 50/51/54; the ACK (no lease time)
// yields OptionsReceived and the client is STOPPED again.
TEST(DhcpClient, Inform) {
  Rig r;
  Actions out;
  r.c().inform(T(5), ip("10.0.0.50"), r.rng, out);
  ASSERT_EQ(sends(out).size(), 1u);
  const Send s = sends(out)[0];
  EXPECT_EQ(type_of(s), DhcpMessageType::Inform);
  EXPECT_EQ(s.msg.ciaddr, ip("10.0.0.50"));
  EXPECT_EQ(s.src_ip, ip("10.0.0.50"));
  EXPECT_TRUE(s.broadcast);
  EXPECT_FALSE(s.msg.options.requested_ip().has_value());
  EXPECT_FALSE(s.msg.options.server_id().has_value());
  EXPECT_FALSE(s.msg.options.lease_time().has_value());
  EXPECT_EQ(r.c().state(), DhcpClientState::Informing);
  // A retransmission 4 ± 1 s later, then the answer.
  Actions a = r.step();
  EXPECT_NEAR(secs(r.now), 9, 1.0);
  EXPECT_EQ(sends(a).size(), 1u);
  a = r.deliver(reply(DhcpMessageType::Ack, s.msg.xid, Ipv4Address{}, kServerA, std::nullopt),
                r.now);
  auto o = first_of<OptionsReceived>(a);
  ASSERT_TRUE(o.has_value());
  EXPECT_EQ(o->server_id, kServerA);
  EXPECT_EQ(o->subnet_mask, ip("255.255.255.0"));
  EXPECT_EQ(o->router, ip("10.0.0.254"));
  EXPECT_EQ(o->dns.count, 2);
  EXPECT_EQ(r.c().state(), DhcpClientState::Stopped);
  EXPECT_EQ(r.c().next_deadline(), Time::max());
}

// The profile's give-up: after max_rounds failed rounds GaveUp and STOPPED.
TEST(DhcpClient, GiveUpAfterMaxRounds) {
  Rig r;
  r.cfg.retry = retry_profiles::udhcpc();
  r.cfg.retry.max_rounds = 2;
  r.start();
  Actions a;
  std::optional<GaveUp> gave_up;
  int discovers = 1;
  while (!gave_up) {
    a = r.step();
    for (const Send& s : sends(a)) discovers += type_of(s) == DhcpMessageType::Discover;
    gave_up = first_of<GaveUp>(a);
  }
  EXPECT_EQ(discovers, 6);
  EXPECT_EQ(r.now, T(29 + 9));
  EXPECT_EQ(gave_up->what, GaveUpOn::Discover);
  EXPECT_EQ(r.c().state(), DhcpClientState::Stopped);
  EXPECT_EQ(r.c().next_deadline(), Time::max());
}

// Client identifier modes, the broadcast flag and the host-name pattern.
TEST(DhcpClient, ClientIdBroadcastFlagHostName) {
  {
    Rig r;
    r.cfg.client_id_mode = ClientIdMode::None;
    r.cfg.broadcast_flag = true;
    r.cfg.host_name = "printer";
    Actions a = r.start();
    const Send d = sends(a)[0];
    EXPECT_FALSE(d.msg.options.client_id().has_value());
    EXPECT_TRUE(d.msg.broadcast_flag());
    EXPECT_EQ(d.msg.options.host_name(), "printer");
    a = r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA));
    EXPECT_TRUE(sends(a)[0].msg.broadcast_flag());
    r.deliver(reply(DhcpMessageType::Ack, r.xid(), kAddr, kServerA));
    a = r.step();  // renewing: the client can receive unicast
    EXPECT_FALSE(sends(a)[0].msg.broadcast_flag());
  }
  {
    Rig r;
    r.cfg.client_id_mode = ClientIdMode::Fixed;
    r.cfg.client_id = {std::byte{0}, std::byte{'a'}, std::byte{'b'}};
    Actions a = r.start();
    auto cid = sends(a)[0].msg.options.client_id();
    ASSERT_TRUE(cid.has_value());
    EXPECT_EQ(cid->size(), 3u);
    EXPECT_FALSE(sends(a)[0].msg.options.host_name().has_value());
  }
}

// The same seed gives the same actions at the same times.
TEST(DhcpClient, Deterministic) {
  auto trace = [](uint64_t seed) {
    Rig r(seed);
    r.cfg.start_delay_min = core::seconds(1);
    r.cfg.start_delay_max = core::seconds(10);
    r.cfg.t_fuzz_fraction = 0.05;
    std::vector<std::pair<int64_t, uint32_t>> t;
    r.start();
    for (int i = 0; i < 5; ++i)
      for (const Send& s : sends(r.step())) t.emplace_back(r.now.ns(), s.msg.xid);
    return t;
  };
  EXPECT_EQ(trace(7), trace(7));
  EXPECT_NE(trace(7), trace(8));
}

// A client stays compact: a million of them must fit in memory.
TEST(DhcpClient, IsCompact) {
  std::printf("sizeof(DhcpClient) = %zu, sizeof(Lease) = %zu\n", sizeof(DhcpClient), sizeof(Lease));
  EXPECT_LE(sizeof(DhcpClient), 200u);
}

// ---------------------------------------------------------------------------------------
// Named retry profiles

/// Intervals between consecutive DISCOVERs while no server answers.
std::vector<double> discover_intervals(const RetryProfile& p, uint64_t seed, int n) {
  Rig r(seed);
  r.cfg.retry = p;
  auto t = silent_send_times(r, n + 1);
  std::vector<double> d;
  for (int i = 0; i < n; ++i) d.push_back((t[i + 1] - t[i]).seconds_f());
  return d;
}

// The named profiles are found by name; unknown names are not.
TEST(DhcpClientProfiles, ByName) {
  for (std::string_view name : retry_profile_names()) {
    auto p = retry_profile_by_name(name);
    ASSERT_TRUE(p.has_value()) << name;
    EXPECT_EQ(p->name, name);
  }
  EXPECT_FALSE(retry_profile_by_name("windows").has_value());
  EXPECT_EQ(retry_profiles::rfc2131(), RetryProfile{});
}

// The backoff function on its own: exponential doubling with cap and jitter, fixed,
// dhclient's random growth with cutoff; restart delays double and clamp.
TEST(DhcpClientProfiles, BackoffFunctions) {
  core::Rng rng(3);
  const Backoff exp{BackoffKind::Exponential, core::seconds(4), core::seconds(64),
                    Duration::zero()};
  const double want[] = {4, 8, 16, 32, 64, 64, 64};
  for (uint32_t a = 0; a < 7; ++a)
    EXPECT_EQ(next_backoff(exp, a, Duration::zero(), rng).delay, core::seconds_f(want[a]));
  const Backoff dh{BackoffKind::Dhclient, core::seconds(3), core::seconds(15), Duration::zero()};
  for (int run = 0; run < 200; ++run) {
    Duration prev = next_backoff(dh, 0, Duration::zero(), rng).interval;
    EXPECT_EQ(prev, core::seconds(3));
    for (uint32_t a = 1; a < 8; ++a) {
      const Duration next = next_backoff(dh, a, prev, rng).interval;
      EXPECT_EQ(next % core::seconds(1), Duration::zero());
      // Grown by [0, 2*prev) and within the cutoff, or redrawn in [7, 21] s past it.
      const bool grown = next >= prev && next < prev * 3 && next <= core::seconds(15);
      const bool redrawn = next >= core::seconds(7) && next <= core::seconds(21);
      EXPECT_TRUE(grown || redrawn) << prev << " -> " << next;
      EXPECT_GE(next, core::seconds(3));
      EXPECT_LE(next, core::seconds(21));
      prev = next;
    }
  }
  const RestartDelay sd{core::seconds(1), core::seconds(1), core::minutes(30)};
  EXPECT_EQ(restart_delay(sd, 0), core::seconds(1));
  EXPECT_EQ(restart_delay(sd, 3), core::seconds(8));
  EXPECT_EQ(restart_delay(sd, 40), core::minutes(30));
  const RestartDelay dc{Duration::zero(), core::seconds(1), core::seconds(60)};
  EXPECT_EQ(restart_delay(dc, 0), Duration::zero());
  EXPECT_EQ(restart_delay(dc, 1), core::seconds(1));
  EXPECT_EQ(restart_delay(dc, 2), core::seconds(2));
  EXPECT_EQ(restart_delay(dc, 10), core::seconds(60));
}

// systemd: DISCOVER 4, 8, 16, 32, 64 ±1 s like the RFC; REBOOTING twice at 1 and 2 s
// (±0.25 s), then INIT at once; five REQUESTs then a restart 1 s later, then 2 s.
TEST(DhcpClientProfiles, Systemd) {
  const double base[] = {4, 8, 16, 32, 64, 64};
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    auto d = discover_intervals(retry_profiles::systemd(), seed, 6);
    for (int k = 0; k < 6; ++k) EXPECT_NEAR(d[k], base[k], 1.0);
  }
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Rig r(seed);
    r.cfg.retry = retry_profiles::systemd();
    r.cfg.reboot_keep_address = false;
    Lease old;
    old.address = kAddr;
    old.expiry = T(10000);
    r.c().remember_lease(old);
    Actions out;
    r.c().reboot(T(0), r.rng, out);
    ASSERT_EQ(sends(out).size(), 1u);
    Actions a = r.step();
    EXPECT_NEAR(secs(r.now), 1.0, 0.25);
    EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Request);
    const double second = secs(r.now);
    a = r.step();
    EXPECT_NEAR(secs(r.now) - second, 2.0, 0.25);
    ASSERT_EQ(sends(a).size(), 1u);
    EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  }
  Rig r;
  r.cfg.retry = retry_profiles::systemd();
  r.start();
  for (double want_restart : {1.0, 2.0}) {
    r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA), r.now);
    Actions a;
    int requests = 1;
    for (int i = 0; i < 5; ++i) {
      a = r.step();
      for (const Send& s : sends(a)) requests += type_of(s) == DhcpMessageType::Request;
    }
    EXPECT_EQ(requests, 5);
    EXPECT_EQ(r.c().state(), DhcpClientState::Init);
    const Time failed = r.now;
    a = r.step();
    EXPECT_EQ(r.now - failed, core::seconds_f(want_restart));
    EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  }
}

// dhcpcd: 4, 8, 16, ... ±1 s; REBOOTING ends exactly 5 s after its first REQUEST; NAKs
// restart after 0, 1, 2 s; RENEWING uses the 4 s backoff (not the RFC's 60 s floor).
TEST(DhcpClientProfiles, Dhcpcd) {
  const double base[] = {4, 8, 16, 32, 64, 64};
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    auto d = discover_intervals(retry_profiles::dhcpcd(), seed, 6);
    for (int k = 0; k < 6; ++k) EXPECT_NEAR(d[k], base[k], 1.0);
  }
  {
    Rig r;
    r.cfg.retry = retry_profiles::dhcpcd();
    r.cfg.reboot_keep_address = false;
    Lease old;
    old.address = kAddr;
    old.expiry = T(10000);
    r.c().remember_lease(old);
    Actions out;
    r.c().reboot(T(0), r.rng, out);
    r.step();
    EXPECT_NEAR(secs(r.now), 4, 1.0);
    Actions a = r.step();
    EXPECT_EQ(r.now, T(5));
    EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  }
  {
    Rig r;
    r.cfg.retry = retry_profiles::dhcpcd();
    r.start();
    for (double want : {0.0, 1.0, 2.0, 4.0}) {
      r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA), r.now);
      const Time nak_at = r.now;
      Actions a = r.deliver(reply(DhcpMessageType::Nak, r.xid(), Ipv4Address{}, kServerA), nak_at);
      if (want > 0) {
        EXPECT_TRUE(sends(a).empty());
        a = r.step();
      }
      EXPECT_EQ(r.now - nak_at, core::seconds_f(want));
      EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
    }
  }
  {
    Rig r;
    r.cfg.retry = retry_profiles::dhcpcd();
    const Lease l = r.bind(3600);
    r.step();
    EXPECT_EQ(r.now, l.t1);
    r.step();
    EXPECT_NEAR((r.now - l.t1).seconds_f(), 4, 1.0);
  }
}

// udhcpc: DISCOVERs at 0, 3, 6 s, a 20 s pause, the next round at 29 s with a new xid; three
// REQUESTs 3 s apart then the 20 s pause; NAK: DISCOVER 3 s later; no INIT-REBOOT.
TEST(DhcpClientProfiles, Udhcpc) {
  {
    Rig r;
    r.cfg.retry = retry_profiles::udhcpc();
    auto t = silent_send_times(r, 7);
    EXPECT_EQ(t, (std::vector<Time>{T(0), T(3), T(6), T(29), T(32), T(35), T(58)}));
  }
  {
    Rig r;
    r.cfg.retry = retry_profiles::udhcpc();
    r.start();
    const uint32_t first_xid = r.xid();
    r.deliver(reply(DhcpMessageType::Offer, first_xid, kAddr, kServerA), T(1));
    std::vector<Time> requests{T(1)};
    Actions a;
    while (r.c().state() == DhcpClientState::Requesting) {
      a = r.step();
      for (const Send& s : sends(a))
        if (type_of(s) == DhcpMessageType::Request) requests.push_back(r.now);
    }
    EXPECT_EQ(requests, (std::vector<Time>{T(1), T(4), T(7)}));
    EXPECT_EQ(r.now, T(10));
    a = r.step();
    EXPECT_EQ(r.now, T(30));
    EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
    EXPECT_NE(sends(a)[0].msg.xid, first_xid);
    r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA), T(31));
    a = r.deliver(reply(DhcpMessageType::Nak, r.xid(), Ipv4Address{}, kServerA), T(31));
    EXPECT_TRUE(sends(a).empty());
    a = r.step();
    EXPECT_EQ(r.now, T(34));
    EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  }
  {
    Rig r;
    r.cfg.retry = retry_profiles::udhcpc();
    Lease old;
    old.address = kAddr;
    old.expiry = T(10000);
    r.c().remember_lease(old);
    Actions out;
    r.c().reboot(T(0), r.rng, out);
    ASSERT_EQ(sends(out).size(), 1u);
    EXPECT_EQ(type_of(sends(out)[0]), DhcpMessageType::Discover);
    EXPECT_EQ(sends(out)[0].msg.options.requested_ip(), kAddr);
  }
}

// udhcpc renewal: T1 = lease/2 whatever option 58 says; one unicast renew and a 3 s wait;
// then half the remaining lease; when at most 30 s remain, three broadcasts 3 s apart and
// the lease is dropped before it expires.
TEST(DhcpClientProfiles, UdhcpcRenewal) {
  Rig r;
  r.cfg.retry = retry_profiles::udhcpc();
  r.start();
  r.deliver(reply(DhcpMessageType::Offer, r.xid(), kAddr, kServerA), T(0));
  DhcpMessage ack = reply(DhcpMessageType::Ack, r.xid(), kAddr, kServerA, 400);
  ack.options.set_u32(opt::kRenewalTime, 100);
  auto acq = first_of<LeaseAcquired>(r.deliver(ack, T(0)));
  ASSERT_TRUE(acq.has_value());
  EXPECT_EQ(acq->lease.t1, T(200));
  std::vector<std::pair<Time, bool>> renews;  // (time, broadcast)
  std::optional<LeaseLost> lost;
  while (!lost) {
    Actions a = r.step();
    for (const Send& s : sends(a))
      if (type_of(s) == DhcpMessageType::Request) renews.emplace_back(r.now, s.broadcast);
    lost = first_of<LeaseLost>(a);
  }
  // 200 (+3: 197 s left) -> 301.5 (+3: 95.5 left) -> 352.25 (+3: 44.75 left) -> 377.625
  // (+3: 19.375 left <= 30) -> rebind at 380.625, 383.625, 386.625 -> lost at 389.625.
  const std::vector<std::pair<Time, bool>> want = {
      {T(200), false},    {T(301.5), false},  {T(352.25), false}, {T(377.625), false},
      {T(380.625), true}, {T(383.625), true}, {T(386.625), true}};
  EXPECT_EQ(renews, want);
  EXPECT_EQ(lost->reason, LeaseLostReason::RebindFailed);
  EXPECT_EQ(r.now, T(389.625));
}

// dhclient: the first interval 3 s, later ones grow randomly and stay within 7..21 s past
// the 15 s cutoff (±0.5 s); a round ends 60 s after its first DISCOVER and the next starts
// 150..450 s later; REQUESTING gives up at the first retransmission due after 10 s.
TEST(DhcpClientProfiles, Dhclient) {
  for (uint64_t seed = 1; seed <= 50; ++seed) {
    Rig r(seed);
    r.cfg.retry = retry_profiles::dhclient();
    Actions a = r.start();
    uint32_t xid = r.xid();
    double last = 0;
    bool first_interval = true;
    while (true) {
      a = r.step();
      if (r.c().state() == DhcpClientState::Init) break;
      const double d = secs(r.now) - last;
      if (first_interval) {
        EXPECT_NEAR(d, 3, 0.5);
      }
      first_interval = false;
      EXPECT_LE(d, 21.5);
      EXPECT_LE(secs(r.now), 60);
      last = secs(r.now);
    }
    EXPECT_EQ(r.now, T(60));
    a = r.step();
    EXPECT_GE(secs(r.now), 60 + 150);
    EXPECT_LT(secs(r.now), 60 + 450);
    EXPECT_NE(r.xid(), xid);
    xid = r.xid();
    const double offer_at = secs(r.now) + 0.5;
    r.deliver(reply(DhcpMessageType::Offer, xid, kAddr, kServerA), T(offer_at));
    double last_request = offer_at;
    while (r.c().state() == DhcpClientState::Requesting) {
      a = r.step();
      for (const Send& s : sends(a))
        if (type_of(s) == DhcpMessageType::Request) last_request = secs(r.now);
    }
    EXPECT_LT(last_request - offer_at, 10.0);
    EXPECT_GE(secs(r.now) - offer_at, 10.0);
    ASSERT_EQ(sends(a).size(), 1u);
    EXPECT_EQ(type_of(sends(a)[0]), DhcpMessageType::Discover);
  }
}

}  // namespace
}  // namespace dhcpsim::proto
