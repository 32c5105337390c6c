#include <gtest/gtest.h>

#include <vector>

#include "dhcpsim/proto/relay_agent.hpp"

using namespace dhcpsim;
using core::Time;
using proto::RelayAgent;
using proto::RelayAgentConfig;
using proto::RelayDiscardReason;
using wire::DhcpMessage;
using wire::DhcpMessageType;
using wire::Ipv4Address;
using wire::MacAddress;
namespace opt = wire::dhcp_option;

namespace {

const Ipv4Address kServer1 = Ipv4Address::from_octets(10, 9, 0, 10);
const Ipv4Address kServer2 = Ipv4Address::from_octets(10, 9, 0, 11);
const Ipv4Address kIfA = Ipv4Address::from_octets(192, 168, 1, 1);  // iface 3
const Ipv4Address kIfB = Ipv4Address::from_octets(192, 168, 2, 1);  // iface 4
const Ipv4Address kDownstreamRelay = Ipv4Address::from_octets(172, 16, 0, 1);
const Ipv4Address kClientIp = Ipv4Address::from_octets(192, 168, 1, 77);
const MacAddress kClientMac = MacAddress::from_u64(0x02aabbccddee);

RelayAgentConfig config() {
  RelayAgentConfig c;
  c.servers = {kServer1, kServer2};
  c.remote_id = wire::bytes_of({'r', 't', 'r', '1'});
  return c;
}

RelayAgent make_relay(RelayAgentConfig c = config()) {
  RelayAgent r(std::move(c));
  r.add_interface(3, kIfA);
  r.add_interface(4, kIfB);
  return r;
}

DhcpMessage client_message(DhcpMessageType type, uint32_t xid = 0x1234) {
  DhcpMessage m;
  m.op = DhcpMessage::kBootRequest;
  m.xid = xid;
  m.set_client_mac(kClientMac);
  m.options.set_message_type(type);
  m.pad_to_bootp_minimum();
  return m;
}

DhcpMessage server_reply(DhcpMessageType type, Ipv4Address giaddr, bool broadcast_flag) {
  DhcpMessage m;
  m.op = DhcpMessage::kBootReply;
  m.xid = 0x1234;
  m.set_client_mac(kClientMac);
  m.giaddr = giaddr;
  m.set_broadcast_flag(broadcast_flag);
  if (type != DhcpMessageType::Nak) m.yiaddr = kClientIp;
  m.options.set_message_type(type);
  m.options.set_ip(opt::kServerId, kServer1);
  return m;
}

template <class T>
std::vector<T> all(const std::vector<RelayAgent::Action>& out) {
  std::vector<T> v;
  for (const auto& a : out)
    if (const T* x = std::get_if<T>(&a)) v.push_back(*x);
  return v;
}

}  // namespace

// First-hop relaying (RFC 1542 §4.1.1, RFC 3046 §2.1): giaddr := receiving interface, hops
// + 1, option 82 (circuit ID = interface id, remote ID) added as the last option, one copy
// per server; the 300-byte message keeps its size (option 82 goes into the padding).
TEST(RelayAgent, FirstHopForwardAddsOption82) {
  RelayAgent r = make_relay();
  DhcpMessage d = client_message(DhcpMessageType::Discover);
  ASSERT_EQ(d.encoded_size(), 300u);
  std::vector<RelayAgent::Action> out;
  r.on_client_message(Time::zero(), d, 3, kIfA, out);
  auto fwd = all<RelayAgent::ForwardToServer>(out);
  ASSERT_EQ(fwd.size(), 2u);
  EXPECT_EQ(fwd[0].server, kServer1);
  EXPECT_EQ(fwd[1].server, kServer2);
  for (const auto& f : fwd) {
    const DhcpMessage& m = f.message;
    EXPECT_EQ(m.giaddr, kIfA);
    EXPECT_EQ(m.hops, 1);
    EXPECT_EQ(m.xid, d.xid);
    EXPECT_EQ(m.client_mac(), kClientMac);
    EXPECT_EQ(m.encoded_size(), 300u);
    auto info = m.options.relay_agent_info();
    ASSERT_TRUE(info && info->has_value());
    EXPECT_EQ(wire::to_vector(*(*info)->circuit_id()), wire::bytes_of({0, 0, 0, 3}));
    EXPECT_EQ(wire::to_vector(*(*info)->remote_id()), wire::bytes_of({'r', 't', 'r', '1'}));
    // Golden bytes of the value (RFC 3046 §2.0, §3): sub-option 1 then 2, each code, length.
    EXPECT_EQ(wire::to_vector(*m.options.get(opt::kRelayAgentInfo)),
              wire::bytes_of({1, 4, 0, 0, 0, 3, 2, 4, 'r', 't', 'r', '1'}));
    // Last option (before End).
    auto opts = m.options;
    uint8_t last = 0;
    for (auto o : opts) last = o.code;
    EXPECT_EQ(last, opt::kRelayAgentInfo);
    // Round trip through the wire.
    auto parsed = DhcpMessage::parse(m.encode_to_vector());
    ASSERT_TRUE(parsed);
    EXPECT_EQ(*parsed, m);
  }
  EXPECT_EQ(r.counters().requests_forwarded, 1u);
  EXPECT_EQ(r.counters().option82_added, 1u);
}

// The longest remote ID a sub-option holds (255 bytes): option 82's value is then 263
// bytes, carried as two instances (RFC 3396), and reads back whole.
TEST(RelayAgent, LongestRemoteId) {
  RelayAgentConfig c = config();
  c.remote_id.assign(255, std::byte{'x'});
  c.max_message_size = 1500;
  RelayAgent r = make_relay(c);
  std::vector<RelayAgent::Action> out;
  r.on_client_message(Time::zero(), client_message(DhcpMessageType::Discover), 7, kIfA, out);
  auto fwd = all<RelayAgent::ForwardToServer>(out);
  ASSERT_EQ(fwd.size(), 2u);
  auto parsed = DhcpMessage::parse(fwd[0].message.encode_to_vector());
  ASSERT_TRUE(parsed);
  auto info = parsed->options.relay_agent_info();
  ASSERT_TRUE(info && info->has_value());
  EXPECT_EQ(wire::to_vector(*(*info)->circuit_id()), wire::bytes_of({0, 0, 0, 7}));
  EXPECT_EQ(wire::to_vector(*(*info)->remote_id()), std::vector<std::byte>(255, std::byte{'x'}));
  EXPECT_EQ(r.counters().option82_added, 1u);
}

// Without a remote id only the circuit ID sub-option is added.
TEST(RelayAgent, CircuitIdOnlyWithoutRemoteId) {
  RelayAgentConfig c = config();
  c.remote_id.clear();
  RelayAgent r = make_relay(c);
  std::vector<RelayAgent::Action> out;
  r.on_client_message(Time::zero(), client_message(DhcpMessageType::Request), 4, kIfB, out);
  auto fwd = all<RelayAgent::ForwardToServer>(out);
  ASSERT_EQ(fwd.size(), 2u);
  auto info = fwd[0].message.options.relay_agent_info();
  ASSERT_TRUE(info && info->has_value());
  ASSERT_EQ((*info)->suboptions.size(), 1u);
  EXPECT_EQ(wire::to_vector(*(*info)->circuit_id()), wire::bytes_of({0, 0, 0, 4}));
}

// RFC 1542 §4.1.1 hop limit: hops 15 is forwarded as 16; hops 16 is discarded and counted.
TEST(RelayAgent, HopLimit) {
  RelayAgent r = make_relay();
  DhcpMessage m = client_message(DhcpMessageType::Discover);
  m.hops = 15;
  std::vector<RelayAgent::Action> out;
  r.on_client_message(Time::zero(), m, 3, kIfA, out);
  auto fwd = all<RelayAgent::ForwardToServer>(out);
  ASSERT_EQ(fwd.size(), 2u);
  EXPECT_EQ(fwd[0].message.hops, 16);
  m.hops = 16;
  out.clear();
  r.on_client_message(Time::zero(), m, 3, kIfA, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<RelayAgent::Discarded>(out[0]),
            (RelayAgent::Discarded{RelayDiscardReason::HopsExceeded, m.xid}));
  EXPECT_EQ(r.counters().discards(RelayDiscardReason::HopsExceeded), 1u);
}

// A message relayed by a downstream agent (giaddr != 0): giaddr is never changed and no
// option 82 is added (RFC 3046 §2.1.1); one claiming our own address is a spoof.
TEST(RelayAgent, ReforwardedRequestKeepsGiaddr) {
  RelayAgent r = make_relay();
  DhcpMessage m = client_message(DhcpMessageType::Discover);
  m.giaddr = kDownstreamRelay;
  m.hops = 1;
  std::vector<RelayAgent::Action> out;
  r.on_client_message(Time::zero(), m, 3, kIfA, out);
  auto fwd = all<RelayAgent::ForwardToServer>(out);
  ASSERT_EQ(fwd.size(), 2u);
  EXPECT_EQ(fwd[0].message.giaddr, kDownstreamRelay);
  EXPECT_EQ(fwd[0].message.hops, 2);
  EXPECT_FALSE(fwd[0].message.options.has(opt::kRelayAgentInfo));
  EXPECT_EQ(fwd[0].message.encoded_size(), m.encoded_size());

  m.giaddr = kIfB;
  out.clear();
  r.on_client_message(Time::zero(), m, 3, kIfA, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<RelayAgent::Discarded>(out[0]).reason, RelayDiscardReason::SpoofedGiaddr);
}

// RFC 3046 §2.1: option 82 with giaddr 0 is discarded on an untrusted circuit; on a trusted
// one it is forwarded with giaddr set and without a second option 82.
TEST(RelayAgent, ExistingOption82AndTrust) {
  DhcpMessage m = client_message(DhcpMessageType::Discover);
  wire::RelayAgentInfo bridge;
  bridge.suboptions.emplace_back(1, wire::bytes_of({'p', 'o', 'r', 't', '7'}));
  m.options.set_relay_agent_info(bridge);

  RelayAgent untrusted = make_relay();
  std::vector<RelayAgent::Action> out;
  untrusted.on_client_message(Time::zero(), m, 3, kIfA, out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<RelayAgent::Discarded>(out[0]).reason, RelayDiscardReason::UntrustedOption82);
  EXPECT_EQ(untrusted.counters().discards(RelayDiscardReason::UntrustedOption82), 1u);

  RelayAgentConfig c = config();
  c.trust_circuits_with_option82 = true;
  RelayAgent trusted = make_relay(c);
  out.clear();
  trusted.on_client_message(Time::zero(), m, 3, kIfA, out);
  auto fwd = all<RelayAgent::ForwardToServer>(out);
  ASSERT_EQ(fwd.size(), 2u);
  EXPECT_EQ(fwd[0].message.giaddr, kIfA);
  auto info = fwd[0].message.options.relay_agent_info();
  ASSERT_TRUE(info && info->has_value());
  EXPECT_EQ(**info, bridge);
}

// Client-side input checks: a BOOTREPLY, no interface address, no servers.
TEST(RelayAgent, ClientSideDiscards) {
  RelayAgent r = make_relay();
  std::vector<RelayAgent::Action> out;
  DhcpMessage reply = server_reply(DhcpMessageType::Offer, Ipv4Address(), false);
  r.on_client_message(Time::zero(), reply, 3, kIfA, out);
  r.on_client_message(Time::zero(), client_message(DhcpMessageType::Discover), 5, Ipv4Address(),
                      out);
  RelayAgentConfig c = config();
  c.servers.clear();
  RelayAgent none = make_relay(c);
  none.on_client_message(Time::zero(), client_message(DhcpMessageType::Discover), 3, kIfA, out);
  auto d = all<RelayAgent::Discarded>(out);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].reason, RelayDiscardReason::NotBootRequest);
  EXPECT_EQ(d[1].reason, RelayDiscardReason::NoInterfaceAddress);
  EXPECT_EQ(d[2].reason, RelayDiscardReason::NoServers);
  EXPECT_EQ(r.counters().total_discards(), 2u);
  EXPECT_EQ(none.counters().total_discards(), 1u);
}

// RFC 3046 §2.1: if option 82 would push the message past the size limit, the message is
// forwarded without it and the error counter is incremented.
TEST(RelayAgent, Option82TooBig) {
  RelayAgentConfig c = config();
  c.max_message_size = 300;
  RelayAgent r = make_relay(c);
  DhcpMessage m = client_message(DhcpMessageType::Discover);
  m.options.set_trailing_bytes({});  // unpadded: 244 bytes
  m.options.set(opt::kHostName, wire::bytes_of(std::initializer_list<uint8_t>(
                                    {'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
                                     'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
                                     'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a',
                                     'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a', 'a'})));
  ASSERT_EQ(m.encoded_size(), 294u);
  std::vector<RelayAgent::Action> out;
  r.on_client_message(Time::zero(), m, 3, kIfA, out);
  auto fwd = all<RelayAgent::ForwardToServer>(out);
  ASSERT_EQ(fwd.size(), 2u);
  EXPECT_FALSE(fwd[0].message.options.has(opt::kRelayAgentInfo));
  EXPECT_EQ(fwd[0].message.giaddr, kIfA);
  // Exactly the client's message, with only giaddr and hops changed (no trace of the
  // option 82 that was tried and dropped: same options, layout and padding).
  DhcpMessage expect = m;
  expect.giaddr = kIfA;
  expect.hops = 1;
  EXPECT_EQ(fwd[0].message, expect);
  EXPECT_EQ(fwd[1].message, expect);
  EXPECT_EQ(r.counters().option82_too_big, 1u);
  EXPECT_EQ(r.counters().option82_added, 0u);
}

// Replies (RFC 2131 §4.1, RFC 1542 §4.1.2): option 82 stripped; BROADCAST flag -> broadcast
// on the giaddr interface; flag clear -> unicast to yiaddr at chaddr; a NAK is broadcast.
TEST(RelayAgent, ReplyDelivery) {
  RelayAgent r = make_relay();
  // Relay a request first to get the option 82 the server will echo.
  std::vector<RelayAgent::Action> out;
  r.on_client_message(Time::zero(), client_message(DhcpMessageType::Discover), 3, kIfA, out);
  auto echoed = *std::get<RelayAgent::ForwardToServer>(out[0]).message.options.relay_agent_info();

  DhcpMessage offer = server_reply(DhcpMessageType::Offer, kIfA, /*broadcast_flag=*/true);
  offer.options.set_relay_agent_info(*echoed);
  offer.pad_to_bootp_minimum();
  out.clear();
  r.on_server_message(Time::zero(), offer, out);
  auto del = all<RelayAgent::DeliverToClient>(out);
  ASSERT_EQ(del.size(), 1u);
  EXPECT_EQ(del[0].iface, 3u);
  EXPECT_EQ(del[0].src_ip, kIfA);
  EXPECT_TRUE(del[0].broadcast);
  EXPECT_EQ(del[0].dst_ip, Ipv4Address::broadcast());
  EXPECT_EQ(del[0].dst_mac, MacAddress::broadcast());
  EXPECT_FALSE(del[0].message.options.has(opt::kRelayAgentInfo));
  EXPECT_EQ(del[0].message.encoded_size(), 300u);
  EXPECT_EQ(del[0].message.yiaddr, kClientIp);

  DhcpMessage ack = server_reply(DhcpMessageType::Ack, kIfA, /*broadcast_flag=*/false);
  out.clear();
  r.on_server_message(Time::zero(), ack, out);
  del = all<RelayAgent::DeliverToClient>(out);
  ASSERT_EQ(del.size(), 1u);
  EXPECT_FALSE(del[0].broadcast);
  EXPECT_EQ(del[0].dst_ip, kClientIp);
  EXPECT_EQ(del[0].dst_mac, kClientMac);
  EXPECT_EQ(del[0].message, ack);  // nothing to strip: untouched

  DhcpMessage nak = server_reply(DhcpMessageType::Nak, kIfB, /*broadcast_flag=*/false);
  out.clear();
  r.on_server_message(Time::zero(), nak, out);
  del = all<RelayAgent::DeliverToClient>(out);
  ASSERT_EQ(del.size(), 1u);
  EXPECT_EQ(del[0].iface, 4u);
  EXPECT_TRUE(del[0].broadcast);
  EXPECT_EQ(del[0].dst_ip, Ipv4Address::broadcast());

  // A DHCPACK to DHCPINFORM (yiaddr 0): unicast to ciaddr.
  DhcpMessage inform_ack = server_reply(DhcpMessageType::Ack, kIfA, false);
  inform_ack.yiaddr = Ipv4Address();
  inform_ack.ciaddr = kClientIp;
  out.clear();
  r.on_server_message(Time::zero(), inform_ack, out);
  del = all<RelayAgent::DeliverToClient>(out);
  ASSERT_EQ(del.size(), 1u);
  EXPECT_EQ(del[0].dst_ip, kClientIp);
  EXPECT_EQ(del[0].dst_mac, kClientMac);
  EXPECT_EQ(r.counters().replies_delivered, 4u);
}

// Replies whose giaddr is not one of our interfaces, and requests on the server side, are
// discarded and counted.
TEST(RelayAgent, ServerSideDiscards) {
  RelayAgent r = make_relay();
  std::vector<RelayAgent::Action> out;
  r.on_server_message(Time::zero(), server_reply(DhcpMessageType::Offer, kDownstreamRelay, true),
                      out);
  r.on_server_message(Time::zero(), server_reply(DhcpMessageType::Offer, Ipv4Address(), true), out);
  r.on_server_message(Time::zero(), client_message(DhcpMessageType::Request), out);
  auto d = all<RelayAgent::Discarded>(out);
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[0].reason, RelayDiscardReason::UnknownGiaddr);
  EXPECT_EQ(d[1].reason, RelayDiscardReason::UnknownGiaddr);
  EXPECT_EQ(d[2].reason, RelayDiscardReason::NotBootReply);
  EXPECT_EQ(r.counters().discards(RelayDiscardReason::UnknownGiaddr), 2u);
  EXPECT_EQ(r.counters().discards(RelayDiscardReason::NotBootReply), 1u);
  EXPECT_EQ(r.counters().replies_delivered, 0u);
}

// Unnumbered interfaces sharing one address: the echoed circuit ID picks the interface.
TEST(RelayAgent, CircuitIdSelectsInterface) {
  RelayAgent r = make_relay();
  r.add_interface(7, kIfA);
  r.add_interface(7, kIfA);  // idempotent
  EXPECT_EQ(r.interfaces().size(), 3u);
  std::vector<RelayAgent::Action> out;
  r.on_client_message(Time::zero(), client_message(DhcpMessageType::Discover), 7, kIfA, out);
  auto echoed = *std::get<RelayAgent::ForwardToServer>(out[0]).message.options.relay_agent_info();
  DhcpMessage offer = server_reply(DhcpMessageType::Offer, kIfA, true);
  offer.options.set_relay_agent_info(*echoed);
  out.clear();
  r.on_server_message(Time::zero(), offer, out);
  ASSERT_EQ(all<RelayAgent::DeliverToClient>(out).size(), 1u);
  EXPECT_EQ(all<RelayAgent::DeliverToClient>(out)[0].iface, 7u);
  // Without option 82: the first interface with that address.
  out.clear();
  r.on_server_message(Time::zero(), server_reply(DhcpMessageType::Offer, kIfA, true), out);
  EXPECT_EQ(all<RelayAgent::DeliverToClient>(out)[0].iface, 3u);
}
