// Scripts in virtual time against the DHCP server engine (RFC 2131 §4.1, §4.3).

#include <gtest/gtest.h>

#include "proto/dhcp_server_test_util.hpp"

using namespace dhcpsim;
using namespace dhcpsim::proto;
using namespace dhcpsim::proto::testing;
using namespace dhcpsim::core::literals;

namespace {

bool has_option(const DhcpMessage& m, uint8_t code) {
  return m.options.has(code);
}

}  // namespace

// A DISCOVER gets an OFFER with the Table 3 fields and options, unicast to yiaddr/chaddr.
TEST(DhcpServer, DiscoverOfferFieldsAndOptions) {
  Harness h;
  DhcpMessage d = discover(mac(1), 0xabcd);
  d.secs = 7;
  d.options.set(opt::kParameterRequestList, wire::bytes_of({1, 3, 6}));
  h.feed(at_s(1), d, on_link());
  const Send& s = h.reply();
  const DhcpMessage& m = s.message;
  EXPECT_EQ(m.op, DhcpMessage::kBootReply);
  EXPECT_EQ(m.message_type(), DhcpMessageType::Offer);
  EXPECT_EQ(m.xid, 0xabcdu);
  EXPECT_EQ(m.secs, 0);
  EXPECT_EQ(m.htype, 1);
  EXPECT_EQ(m.hlen, 6);
  EXPECT_EQ(m.hops, 0);
  EXPECT_EQ(m.ciaddr, Ipv4Address());
  EXPECT_EQ(m.yiaddr, ip("10.0.0.100"));  // iterative: the first pool address
  EXPECT_EQ(m.siaddr, Ipv4Address());
  EXPECT_EQ(m.giaddr, Ipv4Address());
  EXPECT_EQ(m.client_mac(), mac(1));
  EXPECT_EQ(m.options.server_id(), ip("10.0.0.1"));
  EXPECT_EQ(m.options.lease_time(), 3600u);
  EXPECT_EQ(m.options.renewal_time(), 1800u);    // T1 = 0.5 lease
  EXPECT_EQ(m.options.rebinding_time(), 3150u);  // T2 = 0.875 lease
  EXPECT_EQ(m.options.subnet_mask(), ip("255.255.255.0"));
  ASSERT_TRUE(m.options.routers());
  EXPECT_EQ(m.options.routers()->size(), 1u);
  ASSERT_TRUE(m.options.dns_servers());
  EXPECT_EQ((*m.options.dns_servers())[1], ip("10.0.0.54"));
  // Table 3: MUST NOT in an OFFER.
  EXPECT_FALSE(has_option(m, opt::kRequestedIp));
  EXPECT_FALSE(has_option(m, opt::kParameterRequestList));
  EXPECT_FALSE(has_option(m, opt::kMaxMessageSize));
  // RFC 2131 §4.1: no broadcast bit, no giaddr, no ciaddr -> unicast to yiaddr at chaddr.
  EXPECT_EQ(s.dst_ip, ip("10.0.0.100"));
  EXPECT_EQ(s.dst_port, 68);
  EXPECT_EQ(s.dst_mac, mac(1));
  EXPECT_FALSE(s.via_arp);
  EXPECT_EQ(s.iface_index, 3u);
  // RFC 1542 §2.1 minimum size; the reply survives the wire.
  EXPECT_GE(m.encoded_size(), 300u);
  auto back = DhcpMessage::parse(m.encode_to_vector());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, m);
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, LeaseEventKind::Offered);
  EXPECT_EQ(ev[0].expiry, at_s(61));  // offer hold 60 s
  EXPECT_EQ(h.state("10.0.0.100"), LeaseState::Offered);
  EXPECT_EQ(h.server.next_deadline(), at_s(61));
}

// With the broadcast flag the OFFER is broadcast at IP and Ethernet level.
TEST(DhcpServer, OfferBroadcastWhenFlagSet) {
  Harness h;
  DhcpMessage d = discover(mac(1));
  d.set_broadcast_flag(true);
  h.feed(at_s(0), d);
  const Send& s = h.reply();
  EXPECT_EQ(s.dst_ip, Ipv4Address::broadcast());
  EXPECT_EQ(s.dst_mac, MacAddress::broadcast());
  EXPECT_EQ(s.dst_port, 68);
  EXPECT_FALSE(s.via_arp);
  EXPECT_TRUE(s.message.broadcast_flag());
}

// A relayed DISCOVER (giaddr set) is served from giaddr's subnet and answered to the relay.
TEST(DhcpServer, RelayedDiscoverGoesToGiaddr) {
  Harness h;
  DhcpMessage d = discover(mac(1));
  d.giaddr = ip("10.1.0.1");
  d.hops = 1;
  RxContext rx = on_link(false);
  rx.src_ip = ip("10.1.0.1");
  h.feed(at_s(0), d, rx);
  const Send& s = h.reply();
  EXPECT_EQ(s.message.yiaddr, ip("10.1.0.10"));
  EXPECT_EQ(s.message.giaddr, ip("10.1.0.1"));
  EXPECT_EQ(s.message.options.lease_time(), 1800u);
  EXPECT_EQ(s.dst_ip, ip("10.1.0.1"));
  EXPECT_EQ(s.dst_port, 67);
  EXPECT_TRUE(s.via_arp);
}

// No subnet for the relay or link: the message is ignored and counted.
TEST(DhcpServer, NoSubnetIgnored) {
  Harness h;
  DhcpMessage d = discover(mac(1));
  d.giaddr = ip("172.16.0.1");
  h.feed(at_s(0), d);
  EXPECT_TRUE(h.silent());
  RxContext rx;
  rx.iface_addr = ip("192.168.9.1");
  rx.iface_subnet = prefix("192.168.9.0/24");
  h.feed(at_s(0), discover(mac(2)), rx);
  EXPECT_TRUE(h.silent());
  EXPECT_EQ(h.server.stats().no_subnet, 2u);
}

// REQUEST in SELECTING for our offer is ACKed; the lease expiry becomes the next deadline.
TEST(DhcpServer, SelectingRequestAck) {
  Harness h;
  h.feed(at_s(10), discover(mac(1)));
  const Ipv4Address offered = h.reply().message.yiaddr;
  h.feed(at_s(10.5), request_selecting(mac(1), ip("10.0.0.1"), offered));
  const Send& s = h.reply();
  EXPECT_EQ(s.message.message_type(), DhcpMessageType::Ack);
  EXPECT_EQ(s.message.yiaddr, offered);
  EXPECT_EQ(s.message.ciaddr, Ipv4Address());
  EXPECT_EQ(s.message.options.lease_time(), 3600u);
  EXPECT_EQ(s.dst_ip, offered);
  EXPECT_EQ(s.dst_mac, mac(1));
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, LeaseEventKind::Bound);
  EXPECT_EQ(ev[0].expiry, at_s(3610.5));
  EXPECT_EQ(h.state(offered), LeaseState::Bound);
  // No polling: the only deadline is the absolute expiry (the offer-hold one is gone).
  EXPECT_EQ(h.server.next_deadline(), at_s(3610.5));
  EXPECT_EQ(h.server.stats().leases_active, 1u);
}

// A SELECTING request for an address we did not offer, naming us, is NAKed (broadcast).
TEST(DhcpServer, SelectingRequestWrongAddressNak) {
  Harness h;
  ASSERT_TRUE(h.dora(at_s(0), mac(1)));  // .100 bound to client 1
  h.feed(at_s(1), request_selecting(mac(2), ip("10.0.0.1"), ip("10.0.0.100")));
  const Send& s = h.reply();
  EXPECT_EQ(s.message.message_type(), DhcpMessageType::Nak);
  EXPECT_EQ(s.dst_ip, Ipv4Address::broadcast());
  EXPECT_EQ(s.dst_mac, MacAddress::broadcast());
  // Table 3: a NAK carries 53, 54 and the message only.
  EXPECT_EQ(s.message.options.size(), 3u);
  EXPECT_TRUE(s.message.options.message());
  EXPECT_EQ(s.message.yiaddr, Ipv4Address());
  EXPECT_FALSE(has_option(s.message, opt::kLeaseTime));
}

// The client's REQUEST naming another server frees our offer at once.
TEST(DhcpServer, RequestNamingOtherServerFreesOffer) {
  Harness h;
  h.feed(at_s(0), discover(mac(1)));
  const Ipv4Address offered = h.reply().message.yiaddr;
  h.feed(at_s(0.2), request_selecting(mac(1), ip("10.0.0.2"), ip("10.0.0.150")));
  EXPECT_TRUE(h.silent());
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, LeaseEventKind::OfferWithdrawn);
  EXPECT_EQ(h.state(offered), LeaseState::Free);
  EXPECT_EQ(h.server.stats().offers_withdrawn, 1u);
  EXPECT_EQ(h.server.next_deadline(), Time::max());
  // The address can go to someone else right away (it asks for it).
  DhcpMessage d = discover(mac(2));
  d.options.set_ip(opt::kRequestedIp, offered);
  h.feed(at_s(0.3), d);
  EXPECT_EQ(h.reply().message.yiaddr, offered);
}

// An offer that nobody takes is freed when the offer-hold time ends.
TEST(DhcpServer, OfferHoldExpiryFreesAddress) {
  Harness h;
  h.feed(at_s(5), discover(mac(1)));
  const Ipv4Address offered = h.reply().message.yiaddr;
  EXPECT_EQ(h.server.next_deadline(), at_s(65));
  h.timer(at_s(64.9));  // early: nothing happens
  EXPECT_TRUE(h.out.empty());
  EXPECT_EQ(h.state(offered), LeaseState::Offered);
  h.timer(at_s(65));
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, LeaseEventKind::OfferExpired);
  EXPECT_EQ(ev[0].address, offered);
  EXPECT_EQ(h.state(offered), LeaseState::Free);
  EXPECT_EQ(h.server.next_deadline(), Time::max());
}

// INIT-REBOOT with the right address is ACKed; a wrong one or a foreign network is NAKed.
TEST(DhcpServer, InitRebootRightWrongUnknownAuthoritative) {
  Harness h;
  const auto a1 = h.dora(at_s(0), mac(1));
  const auto a2 = h.dora(at_s(0), mac(2));
  ASSERT_TRUE(a1 && a2);
  // Right.
  h.feed(at_s(100), request_init_reboot(mac(1), *a1));
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Ack);
  EXPECT_EQ(h.reply().message.yiaddr, *a1);
  EXPECT_EQ(h.events().at(0).kind, LeaseEventKind::Renewed);
  // Held by someone else.
  h.feed(at_s(101), request_init_reboot(mac(1), *a2));
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Nak);
  // Known client, other (free) address than its own.
  h.feed(at_s(102), request_init_reboot(mac(1), ip("10.0.0.150")));
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Nak);
  // Wrong network (the client moved here from elsewhere), even from an unknown client.
  h.feed(at_s(103), request_init_reboot(mac(9), ip("192.168.1.20")));
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Nak);
  EXPECT_EQ(h.reply().dst_ip, Ipv4Address::broadcast());
  // Unknown client, plausible free address: RFC 2131 §4.3.2 says stay silent.
  h.feed(at_s(104), request_init_reboot(mac(9), ip("10.0.0.150")));
  EXPECT_TRUE(h.silent());
  EXPECT_EQ(h.state("10.0.0.150"), LeaseState::Free);
}

// A non-authoritative server never NAKs an INIT-REBOOT: it stays silent instead.
TEST(DhcpServer, InitRebootNonAuthoritativeSilent) {
  auto cfg = basic_config();
  cfg.authoritative = false;
  Harness h(cfg);
  const auto a1 = h.dora(at_s(0), mac(1));
  const auto a2 = h.dora(at_s(0), mac(2));
  ASSERT_TRUE(a1 && a2);
  h.feed(at_s(1), request_init_reboot(mac(1), *a1));
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Ack);
  h.feed(at_s(2), request_init_reboot(mac(1), *a2));
  EXPECT_TRUE(h.silent());
  h.feed(at_s(3), request_init_reboot(mac(9), ip("192.168.1.20")));
  EXPECT_TRUE(h.silent());
  EXPECT_EQ(h.server.stats().naks, 0u);
}

// RENEWING (unicast) and REBINDING (broadcast) of our lease are ACKed to ciaddr.
TEST(DhcpServer, RenewAndRebindAck) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  ASSERT_TRUE(a);
  RxContext unicast = on_link(false);
  unicast.src_ip = *a;
  h.feed(at_s(1800), request_renew(mac(1), *a), unicast);
  const Send& s = h.reply();
  EXPECT_EQ(s.message.message_type(), DhcpMessageType::Ack);
  EXPECT_EQ(s.message.ciaddr, *a);
  EXPECT_EQ(s.message.yiaddr, *a);
  EXPECT_EQ(s.dst_ip, *a);
  EXPECT_EQ(s.dst_port, 68);
  EXPECT_TRUE(s.via_arp);
  EXPECT_EQ(h.events().at(0).kind, LeaseEventKind::Renewed);
  EXPECT_EQ(h.server.lease(*a)->expiry, at_s(5400));
  EXPECT_EQ(h.server.next_deadline(), at_s(5400));
  h.feed(at_s(3200), request_renew(mac(1), *a), on_link(true));  // REBINDING
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Ack);
  EXPECT_EQ(h.server.next_deadline(), at_s(6800));
  EXPECT_EQ(h.server.stats().renewals, 2u);
}

// RENEW/REBIND from a client we have no lease for: NAK if authoritative, else silence.
TEST(DhcpServer, RenewUnknownClient) {
  {
    Harness h;
    h.feed(at_s(1), request_renew(mac(5), ip("10.0.0.120")), on_link(false));
    EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Nak);
    EXPECT_EQ(h.reply().dst_ip, Ipv4Address::broadcast());
    const auto a = h.dora(at_s(2), mac(1));
    h.feed(at_s(3), request_renew(mac(5), *a), on_link(true));  // someone else's lease
    EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Nak);
    EXPECT_EQ(h.state(*a), LeaseState::Bound);
  }
  {
    auto cfg = basic_config();
    cfg.authoritative = false;
    Harness h(cfg);
    h.feed(at_s(1), request_renew(mac(5), ip("10.0.0.120")), on_link(false));
    EXPECT_TRUE(h.silent());
    h.feed(at_s(1), request_renew(mac(5), ip("10.0.0.120")), on_link(true));
    EXPECT_TRUE(h.silent());
    EXPECT_EQ(h.server.stats().unanswered_requests, 2u);
  }
}

// A relayed NAK goes to the relay with the broadcast bit set (RFC 2131 §4.3.2).
TEST(DhcpServer, RelayedNakSetsBroadcastBit) {
  Harness h;
  DhcpMessage r = request_init_reboot(mac(1), ip("10.0.0.150"));
  r.giaddr = ip("10.1.0.1");
  h.feed(at_s(0), r);
  const Send& s = h.reply();
  EXPECT_EQ(s.message.message_type(), DhcpMessageType::Nak);  // wrong network for 10.1.0.0/24
  EXPECT_TRUE(s.message.broadcast_flag());
  EXPECT_EQ(s.dst_ip, ip("10.1.0.1"));
  EXPECT_EQ(s.dst_port, 67);
}

// DECLINE puts the address in probation: not offered until probation ends, then usable.
TEST(DhcpServer, DeclineProbation) {
  auto cfg = basic_config();
  cfg.subnets[0].pools = {{ip("10.0.0.100"), ip("10.0.0.101")}};
  cfg.decline_probation_time = core::seconds(600);
  Harness h(cfg);
  const auto a = h.dora(at_s(0), mac(1));
  ASSERT_EQ(a, ip("10.0.0.100"));
  h.feed(at_s(1), decline(mac(1), ip("10.0.0.1"), *a));
  EXPECT_TRUE(h.silent());
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, LeaseEventKind::Declined);
  EXPECT_EQ(ev[0].expiry, at_s(601));
  EXPECT_EQ(h.state(*a), LeaseState::Declined);
  EXPECT_EQ(h.server.next_deadline(), at_s(601));
  // The declining client and another one: only .101 is left, then nothing.
  EXPECT_EQ(h.dora(at_s(2), mac(1)), ip("10.0.0.101"));
  h.feed(at_s(3), discover(mac(2)));
  EXPECT_TRUE(h.silent());
  EXPECT_EQ(h.server.stats().exhausted, 1u);
  h.timer(at_s(601));
  EXPECT_EQ(h.events().at(0).kind, LeaseEventKind::ProbationEnded);
  EXPECT_EQ(h.state(*a), LeaseState::Free);
  EXPECT_EQ(h.dora(at_s(602), mac(2)), ip("10.0.0.100"));
}

// A DECLINE for an address the client does not hold is ignored.
TEST(DhcpServer, DeclineOfOthersIgnored) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  h.feed(at_s(1), decline(mac(2), ip("10.0.0.1"), *a));
  EXPECT_TRUE(h.out.empty());
  EXPECT_EQ(h.state(*a), LeaseState::Bound);
}

// RELEASE frees the address; the same client gets the same address back later.
TEST(DhcpServer, ReleaseThenSameAddressAgain) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  ASSERT_TRUE(a);
  h.feed(at_s(10), release(mac(1), ip("10.0.0.1"), *a));
  EXPECT_TRUE(h.silent());
  EXPECT_EQ(h.events().at(0).kind, LeaseEventKind::Released);
  EXPECT_EQ(h.state(*a), LeaseState::Free);
  EXPECT_EQ(h.server.stats().leases_active, 0u);
  // Others come and go (the iterative allocator has moved past it).
  for (uint64_t k = 2; k < 6; ++k) ASSERT_TRUE(h.dora(at_s(11), mac(k)));
  EXPECT_EQ(h.dora(at_s(20), mac(1)), a);
}

// RELEASE by someone who does not hold the lease is ignored.
TEST(DhcpServer, ReleaseOfOthersIgnored) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  h.feed(at_s(1), release(mac(2), ip("10.0.0.1"), *a));
  EXPECT_EQ(h.state(*a), LeaseState::Bound);
  EXPECT_EQ(h.server.stats().ignored, 1u);
}

// A lease expires exactly at its absolute time (the next deadline), not by polling.
TEST(DhcpServer, ExpiryAtAbsoluteTime) {
  Harness h;
  const auto a = h.dora(at_s(7), mac(1));
  ASSERT_TRUE(a);
  const Time expiry = at_s(3607);
  EXPECT_EQ(h.server.next_deadline(), expiry);
  h.timer(expiry - 1_ns);
  EXPECT_TRUE(h.out.empty());
  EXPECT_EQ(h.state(*a), LeaseState::Bound);
  h.timer(expiry);
  auto ev = h.events();
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].kind, LeaseEventKind::Expired);
  EXPECT_EQ(ev[0].mac, mac(1));
  EXPECT_EQ(h.state(*a), LeaseState::Free);
  EXPECT_EQ(h.server.next_deadline(), Time::max());
  EXPECT_EQ(h.server.stats().leases_expired, 1u);
  // Previous address preferred: the client gets it back after others took addresses.
  ASSERT_TRUE(h.dora(at_s(4000), mac(2)));
  EXPECT_EQ(h.dora(at_s(4001), mac(1)), a);
}

// Renewals move the expiry; the deadline follows (lazy heap entries re-surface correctly).
TEST(DhcpServer, ManyRenewalsKeepExactDeadline) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  const auto b = h.dora(at_s(100), mac(2));
  for (int i = 1; i <= 5; ++i) {
    h.feed(at_s(1000.0 * i), request_renew(mac(1), *a), on_link(false));
    ASSERT_EQ(h.reply().message.message_type(), DhcpMessageType::Ack);
  }
  EXPECT_EQ(h.server.next_deadline(), at_s(3700));  // b's
  h.timer(at_s(3700));
  EXPECT_EQ(h.state(*b), LeaseState::Free);
  EXPECT_EQ(h.server.next_deadline(), at_s(8600));  // a's, renewed at 5000 s
}

// Reservations by MAC (inside the pool) and by client id (outside): only their clients get them.
TEST(DhcpServer, Reservations) {
  auto cfg = basic_config();
  cfg.subnets[0].pools = {{ip("10.0.0.100"), ip("10.0.0.102")}};
  Reservation by_mac;
  by_mac.mac = mac(7);
  by_mac.address = ip("10.0.0.101");
  Reservation by_cid;
  by_cid.client_id = wire::bytes_of({0xff, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  by_cid.address = ip("10.0.0.20");
  cfg.subnets[0].reservations = {by_mac, by_cid};
  Harness h(cfg);
  // Other clients: .100, .102, then nothing, and .101 is never theirs, even when asked for.
  EXPECT_EQ(h.dora(at_s(0), mac(1)), ip("10.0.0.100"));
  DhcpMessage d = discover(mac(2));
  d.options.set_ip(opt::kRequestedIp, ip("10.0.0.101"));
  h.feed(at_s(1), d);
  EXPECT_EQ(h.reply().message.yiaddr, ip("10.0.0.102"));
  h.feed(at_s(1), request_selecting(mac(2), ip("10.0.0.1"), ip("10.0.0.102")));
  h.feed(at_s(2), discover(mac(3)));
  EXPECT_TRUE(h.silent());
  h.feed(at_s(2), request_init_reboot(mac(3), ip("10.0.0.101")));
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Nak);
  h.feed(at_s(2), request_selecting(mac(3), ip("10.0.0.1"), ip("10.0.0.20")));
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Nak);
  // The reserved clients get theirs.
  EXPECT_EQ(h.dora(at_s(3), mac(7)), ip("10.0.0.101"));
  DhcpMessage c = discover(mac(8));
  c.options.set(opt::kClientId, by_cid.client_id);
  h.feed(at_s(4), c);
  EXPECT_EQ(h.reply().message.yiaddr, ip("10.0.0.20"));
  // RFC 6842: the client id is echoed.
  ASSERT_TRUE(h.reply().message.options.client_id());
  EXPECT_EQ(h.reply().message.options.client_id()->size(), by_cid.client_id.size());
  DhcpMessage r = request_selecting(mac(8), ip("10.0.0.1"), ip("10.0.0.20"));
  r.options.set(opt::kClientId, by_cid.client_id);
  h.feed(at_s(4), r);
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Ack);
  EXPECT_EQ(h.server.subnet_counts(0).reserved, 2u);
  EXPECT_EQ(h.server.subnet_counts(0).usable, 2u);
}

// Excluded addresses are skipped; exhaustion is counted per subnet.
TEST(DhcpServer, ExclusionsAndExhaustion) {
  auto cfg = basic_config();
  cfg.subnets[0].pools = {{ip("10.0.0.100"), ip("10.0.0.104")}};
  cfg.subnets[0].exclusions = {{ip("10.0.0.101"), ip("10.0.0.102")}};
  Harness h(cfg);
  EXPECT_EQ(h.dora(at_s(0), mac(1)), ip("10.0.0.100"));
  EXPECT_EQ(h.dora(at_s(0), mac(2)), ip("10.0.0.103"));
  DhcpMessage d = discover(mac(3));
  d.options.set_ip(opt::kRequestedIp, ip("10.0.0.102"));  // excluded: not honoured
  h.feed(at_s(0), d);
  EXPECT_EQ(h.reply().message.yiaddr, ip("10.0.0.104"));
  h.feed(at_s(0), discover(mac(4)));
  EXPECT_TRUE(h.silent());
  EXPECT_EQ(h.server.stats().exhausted, 1u);
  EXPECT_EQ(h.server.subnet_exhausted(0), 1u);
  EXPECT_EQ(h.server.subnet_counts(0).excluded, 2u);
  EXPECT_EQ(h.server.subnet_counts(0).available, 0u);
}

// A requested address (option 50) is honoured when free and in a pool.
TEST(DhcpServer, RequestedAddressHonoured) {
  Harness h;
  DhcpMessage d = discover(mac(1));
  d.options.set_ip(opt::kRequestedIp, ip("10.0.0.150"));
  h.feed(at_s(0), d);
  EXPECT_EQ(h.reply().message.yiaddr, ip("10.0.0.150"));
  // Outside the pool: the allocator's choice.
  DhcpMessage e = discover(mac(2));
  e.options.set_ip(opt::kRequestedIp, ip("10.0.0.20"));
  h.feed(at_s(0), e);
  EXPECT_EQ(h.reply().message.yiaddr, ip("10.0.0.100"));
}

// A client with a binding gets it again in an OFFER (current binding first).
TEST(DhcpServer, CurrentBindingOfferedAgain) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  DhcpMessage d = discover(mac(1));
  d.options.set_ip(opt::kRequestedIp, ip("10.0.0.180"));
  h.feed(at_s(5), d);
  EXPECT_EQ(h.reply().message.yiaddr, *a);
  EXPECT_EQ(h.state(*a), LeaseState::Bound);  // stays a binding
}

// Ping check: the OFFER waits for the ping; an answer abandons the address and tries another.
TEST(DhcpServer, PingCheckFlow) {
  auto cfg = basic_config();
  cfg.ping_check.enabled = true;
  cfg.ping_check.wait = core::milliseconds(500);
  Harness h(cfg);
  h.feed(at_s(1), discover(mac(1), 0x42));
  EXPECT_TRUE(h.silent());
  auto pings = h.pings();
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0].address, ip("10.0.0.100"));
  EXPECT_EQ(h.state("10.0.0.100"), LeaseState::Pinging);
  EXPECT_EQ(h.server.next_deadline(), at_s(1.5));
  // Somebody answers: .100 is abandoned for the probation time, .101 is pinged.
  h.ping_result(at_s(1.2), pings[0].token, true);
  EXPECT_EQ(h.events().at(0).kind, LeaseEventKind::Abandoned);
  EXPECT_EQ(h.state("10.0.0.100"), LeaseState::Abandoned);
  pings = h.pings();
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0].address, ip("10.0.0.101"));
  EXPECT_EQ(h.server.next_deadline(), at_s(1.7));
  // A retransmitted DISCOVER does not start another ping; the OFFER answers its xid.
  h.feed(at_s(1.3), discover(mac(1), 0x43));
  EXPECT_TRUE(h.out.empty());
  // The stale token is ignored.
  h.ping_result(at_s(1.4), pings[0].token ^ (uint64_t(1) << 40), true);
  EXPECT_TRUE(h.out.empty());
  // Nobody answers within the wait: OFFER.
  h.timer(at_s(1.7));
  const Send& s = h.reply();
  EXPECT_EQ(s.message.yiaddr, ip("10.0.0.101"));
  EXPECT_EQ(s.message.xid, 0x43u);
  EXPECT_EQ(h.state("10.0.0.101"), LeaseState::Offered);
  EXPECT_EQ(h.server.stats().ping_conflicts, 1u);
  // An explicit "no answer" offers at once.
  h.feed(at_s(2), discover(mac(2)));
  pings = h.pings();
  ASSERT_EQ(pings.size(), 1u);
  h.ping_result(at_s(2.1), pings[0].token, false);
  EXPECT_EQ(h.reply().message.yiaddr, pings[0].address);
  // The client's current binding is not pinged again.
  h.feed(at_s(3), request_selecting(mac(2), ip("10.0.0.1"), pings[0].address));
  h.feed(at_s(4), discover(mac(2)));
  EXPECT_TRUE(h.pings().empty());
  EXPECT_EQ(h.reply().message.yiaddr, pings[0].address);
}

// Ping check gives up after max_attempts answered pings; a full park offers unpinged.
TEST(DhcpServer, PingCheckLimits) {
  auto cfg = basic_config();
  cfg.ping_check.enabled = true;
  cfg.ping_check.max_attempts = 2;
  cfg.ping_check.max_parked = 1;
  Harness h(cfg);
  h.feed(at_s(0), discover(mac(1)));
  auto p1 = h.pings().at(0);
  h.feed(at_s(0), discover(mac(2)));  // park full: offered without a ping
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Offer);
  EXPECT_EQ(h.server.stats().ping_skipped, 1u);
  h.ping_result(at_s(0.1), p1.token, true);
  auto p2 = h.pings().at(0);
  h.ping_result(at_s(0.2), p2.token, true);
  EXPECT_TRUE(h.silent());
  EXPECT_TRUE(h.pings().empty());
  EXPECT_EQ(h.server.stats().ping_gave_up, 1u);
  EXPECT_EQ(h.state(p1.address), LeaseState::Abandoned);
  EXPECT_EQ(h.state(p2.address), LeaseState::Abandoned);
}

// Stop and start keeping the lease database: bindings survive, offers do not.
TEST(DhcpServer, StopStartKeepingLeases) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  h.feed(at_s(1), discover(mac(2)));
  const Ipv4Address offered = h.reply().message.yiaddr;
  h.server.stop(true);
  EXPECT_EQ(h.server.next_deadline(), Time::max());
  h.feed(at_s(2), discover(mac(3)));
  EXPECT_TRUE(h.out.empty());
  EXPECT_EQ(h.server.stats().dropped_while_stopped, 1u);
  h.server.start(at_s(4000));
  EXPECT_EQ(h.state(offered), LeaseState::Free);
  EXPECT_EQ(h.state(*a), LeaseState::Bound);
  // The lease ran out while stopped: it is due at once.
  EXPECT_EQ(h.server.next_deadline(), at_s(3600));
  h.timer(at_s(4000));
  EXPECT_EQ(h.state(*a), LeaseState::Free);
}

// Stop and start without the lease database: the server forgets every client.
TEST(DhcpServer, StopStartLosingLeases) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  h.server.stop(false);
  h.server.start(at_s(10));
  EXPECT_EQ(h.state(*a), LeaseState::Free);
  EXPECT_EQ(h.server.stats().leases_active, 0u);
  h.feed(at_s(20), request_renew(mac(1), *a), on_link(false));
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Nak);
  // Another client can now be given the same address: the study of a server that lost
  // its leases.
  EXPECT_EQ(h.dora(at_s(21), mac(2)), a);
}

// Subnet selection: giaddr first, then ciaddr (unicast renewal of a relayed client), then
// the receiving interface.
TEST(DhcpServer, SubnetSelection) {
  Harness h;
  DhcpMessage d = discover(mac(1));
  d.giaddr = ip("10.1.0.1");
  h.feed(at_s(0), d);
  const Ipv4Address offered = h.reply().message.yiaddr;
  EXPECT_TRUE(prefix("10.1.0.0/24").contains(offered));
  DhcpMessage r = request_selecting(mac(1), ip("10.0.0.1"), offered);
  r.giaddr = ip("10.1.0.1");
  h.feed(at_s(0), r);
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Ack);
  // RENEWING straight to the server: giaddr 0, arrives on the server's own interface.
  RxContext rx = on_link(false);
  rx.src_ip = offered;
  h.feed(at_s(900), request_renew(mac(1), offered), rx);
  EXPECT_EQ(h.reply().message.message_type(), DhcpMessageType::Ack);
  EXPECT_EQ(h.reply().message.options.lease_time(), 1800u);  // 10.1.0.0/24's lease
  EXPECT_EQ(h.reply().dst_ip, offered);
  EXPECT_TRUE(h.reply().via_arp);
  // Interface: a second interface of the server on 10.1.0.0/24.
  RxContext other;
  other.iface_addr = ip("10.1.0.1");
  other.iface_subnet = prefix("10.1.0.0/24");
  other.broadcast = true;
  h.feed(at_s(1000), discover(mac(2)), other);
  EXPECT_TRUE(prefix("10.1.0.0/24").contains(h.reply().message.yiaddr));
}

// INFORM: an ACK with configuration but no lease time, unicast to ciaddr.
TEST(DhcpServer, InformAck) {
  Harness h;
  DhcpMessage i = client_msg(DhcpMessageType::Inform, mac(4));
  i.ciaddr = ip("10.0.0.7");  // configured by hand
  RxContext rx = on_link(false);
  rx.src_ip = i.ciaddr;
  h.feed(at_s(0), i, rx);
  const Send& s = h.reply();
  EXPECT_EQ(s.message.message_type(), DhcpMessageType::Ack);
  EXPECT_EQ(s.message.ciaddr, ip("10.0.0.7"));
  EXPECT_EQ(s.message.yiaddr, Ipv4Address());
  EXPECT_FALSE(has_option(s.message, opt::kLeaseTime));
  EXPECT_FALSE(has_option(s.message, opt::kRenewalTime));
  EXPECT_FALSE(has_option(s.message, opt::kRebindingTime));
  EXPECT_TRUE(s.message.options.server_id());
  EXPECT_TRUE(s.message.options.subnet_mask());
  EXPECT_EQ(s.dst_ip, ip("10.0.0.7"));
  EXPECT_TRUE(s.via_arp);
  EXPECT_TRUE(h.events().empty());
  EXPECT_EQ(h.server.stats().informs, 1u);
}

// Option 82 from a relay is echoed, as the last option.
TEST(DhcpServer, RelayAgentInfoEchoed) {
  Harness h;
  DhcpMessage d = discover(mac(1));
  d.giaddr = ip("10.1.0.1");
  wire::RelayAgentInfo rai;
  rai.suboptions.push_back({wire::RelayAgentInfo::kCircuitId, wire::bytes_of({0, 4, 0, 1})});
  d.options.set_relay_agent_info(rai);
  h.feed(at_s(0), d);
  const auto& o = h.reply().message.options;
  ASSERT_TRUE(o.relay_agent_info());
  EXPECT_EQ(**o.relay_agent_info(), rai);
  EXPECT_EQ(o[o.size() - 1].code, opt::kRelayAgentInfo);
}

// A requested lease time is honoured (capped) only when configured so.
TEST(DhcpServer, RequestedLeaseTime) {
  {
    Harness h;
    DhcpMessage d = discover(mac(1));
    d.options.set_u32(opt::kLeaseTime, 60);
    h.feed(at_s(0), d);
    EXPECT_EQ(h.reply().message.options.lease_time(), 3600u);
  }
  auto cfg = basic_config();
  cfg.honour_requested_lease_time = true;
  cfg.max_lease_time = core::seconds(7200);
  Harness h(cfg);
  DhcpMessage d = discover(mac(1));
  d.options.set_u32(opt::kLeaseTime, 600);
  h.feed(at_s(0), d);
  EXPECT_EQ(h.reply().message.options.lease_time(), 600u);
  EXPECT_EQ(h.reply().message.options.renewal_time(), 300u);
  EXPECT_EQ(h.reply().message.options.rebinding_time(), 525u);
  DhcpMessage r = request_selecting(mac(1), ip("10.0.0.1"), h.reply().message.yiaddr);
  r.options.set_u32(opt::kLeaseTime, 100000);
  h.feed(at_s(1), r);
  EXPECT_EQ(h.reply().message.options.lease_time(), 7200u);
  EXPECT_EQ(h.server.next_deadline(), at_s(7201));
}

// Configured T1/T2 and an infinite lease.
TEST(DhcpServer, ConfiguredTimersAndInfiniteLease) {
  auto cfg = basic_config();
  cfg.subnets[0].renewal_time = core::seconds(1000);
  cfg.subnets[0].rebinding_time = core::seconds(2000);
  cfg.subnets[1].lease_time = core::seconds(0xffffffffLL);
  Harness h(cfg);
  h.feed(at_s(0), discover(mac(1)));
  EXPECT_EQ(h.reply().message.options.renewal_time(), 1000u);
  EXPECT_EQ(h.reply().message.options.rebinding_time(), 2000u);
  DhcpMessage d = discover(mac(2));
  d.giaddr = ip("10.1.0.1");
  h.feed(at_s(0), d);
  EXPECT_EQ(h.reply().message.options.lease_time(), 0xffffffffu);
  DhcpMessage r = request_selecting(mac(2), ip("10.0.0.1"), h.reply().message.yiaddr);
  r.giaddr = ip("10.1.0.1");
  h.feed(at_s(0), r);
  EXPECT_EQ(h.server.lease(h.reply().message.yiaddr)->expiry, Time::max());
}

// Not BOOTREQUEST, no option 53, or a server's message type: ignored and counted.
TEST(DhcpServer, IgnoresNonRequests) {
  Harness h;
  DhcpMessage m = discover(mac(1));
  m.op = DhcpMessage::kBootReply;
  h.feed(at_s(0), m);
  DhcpMessage b;
  b.set_client_mac(mac(1));
  h.feed(at_s(0), b);
  h.feed(at_s(0), client_msg(DhcpMessageType::Offer, mac(1)));
  h.feed(at_s(0), client_msg(DhcpMessageType(42), mac(1)));
  EXPECT_TRUE(h.out.empty());
  const auto st = h.server.stats();
  EXPECT_EQ(st.ignored, 4u);
  EXPECT_EQ(st.received[0], 2u);  // no type, type 42
  EXPECT_EQ(st.received[1], 1u);
}

// A server can be moved (hosts keep engines in containers) and keeps its leases.
TEST(DhcpServer, Movable) {
  Harness h;
  const auto a = h.dora(at_s(0), mac(1));
  std::vector<DhcpServer> servers;
  servers.push_back(std::move(h.server));
  EXPECT_EQ(servers[0].lease(*a)->state, LeaseState::Bound);
  EXPECT_EQ(servers[0].next_deadline(), at_s(3600));
}

// Statistics by message type and the leases-in-use time series inputs.
TEST(DhcpServer, Stats) {
  Harness h;
  h.dora(at_s(0), mac(1));
  h.dora(at_s(0), mac(2));
  const auto st = h.server.stats();
  EXPECT_EQ(st.received[1], 2u);
  EXPECT_EQ(st.received[3], 2u);
  EXPECT_EQ(st.sent[2], 2u);
  EXPECT_EQ(st.sent[5], 2u);
  EXPECT_EQ(st.offers, 2u);
  EXPECT_EQ(st.acks, 2u);
  EXPECT_EQ(st.leases_active, 2u);
  EXPECT_EQ(st.leases_peak, 2u);
  EXPECT_EQ(h.server.leases_in_use(0), 2u);
  EXPECT_EQ(h.server.leases_in_use(0, 0), 2u);
  EXPECT_EQ(h.server.subnet_counts(0).pool_size, 100u);
  EXPECT_GT(h.server.memory_bytes(), 0u);
}

// Configuration errors are sentences that name the subnet.
TEST(DhcpServerConfig, Validate) {
  EXPECT_FALSE(validate(basic_config()));
  auto c = basic_config();
  c.subnets[0].pools.push_back({ip("10.0.0.150"), ip("10.0.1.10")});
  auto err = validate(c);
  ASSERT_TRUE(err);
  EXPECT_NE(err->find("subnet 0 (10.0.0.0/24)"), std::string::npos) << *err;
  c = basic_config();
  c.subnets[1].prefix = prefix("10.0.0.0/16");
  EXPECT_TRUE(validate(c));
  c = basic_config();
  c.subnets[0].pools = {{ip("10.0.0.0"), ip("10.0.0.10")}};
  EXPECT_TRUE(validate(c));
  c = basic_config();
  c.subnets[0].reservations.push_back({std::nullopt, {}, ip("10.0.0.5")});
  EXPECT_TRUE(validate(c));
  c = basic_config();
  c.server_id = Ipv4Address();
  EXPECT_TRUE(validate(c));
}
