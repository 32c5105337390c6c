#pragma once
// The messages behind the golden byte arrays of dhcp_test.cpp, built with the public API the
// way the simulator's engines will build them.

#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::wire::golden {

inline constexpr uint32_t kXid = 0x3903f326;
inline const MacAddress kClientMac = MacAddress::from_u64(0x026601000002);
inline constexpr Ipv4Address kServer = Ipv4Address::from_octets(10, 66, 1, 1);
inline constexpr Ipv4Address kLeased = Ipv4Address::from_octets(10, 66, 1, 100);

inline void set_client_id(DhcpOptions& o) {
  // RFC 2132 §9.14: type 1 (Ethernet) followed by the MAC.
  std::array<std::byte, 7> id{std::byte{1}};
  for (int i = 0; i < 6; ++i)
    id[std::size_t(i) + 1] = std::byte{kClientMac.bytes()[std::size_t(i)]};
  o.set(dhcp_option::kClientId, id);
}

inline void set_prl(DhcpOptions& o) {
  const std::array<std::byte, 7> prl{std::byte{1},  std::byte{3},  std::byte{6}, std::byte{15},
                                     std::byte{51}, std::byte{58}, std::byte{59}};
  o.set(dhcp_option::kParameterRequestList, prl);
}

inline DhcpMessage client_message(DhcpMessageType type) {
  DhcpMessage m;
  m.op = DhcpMessage::kBootRequest;
  m.xid = kXid;
  m.set_client_mac(kClientMac);
  m.options.set_message_type(type);
  return m;
}

inline DhcpMessage server_message(DhcpMessageType type, const DhcpMessage& request) {
  DhcpMessage m;
  m.op = DhcpMessage::kBootReply;
  m.xid = request.xid;
  m.flags = request.flags;
  m.giaddr = request.giaddr;
  m.chaddr = request.chaddr;
  m.options.set_message_type(type);
  m.options.set_ip(dhcp_option::kServerId, kServer);
  return m;
}

inline DhcpMessage discover() {
  auto m = client_message(DhcpMessageType::Discover);
  m.secs = 3;
  set_client_id(m.options);
  m.options.set_u16(dhcp_option::kMaxMessageSize, 1500);
  m.options.set_string(dhcp_option::kHostName, "client-1");
  set_prl(m.options);
  m.pad_to_bootp_minimum();
  return m;
}

inline void set_lease_options(DhcpOptions& o) {
  o.set_u32(dhcp_option::kLeaseTime, 3600);
  o.set_u32(dhcp_option::kRenewalTime, 1800);
  o.set_u32(dhcp_option::kRebindingTime, 3150);
  o.set_ip(dhcp_option::kSubnetMask, Ipv4Address::from_octets(255, 255, 255, 0));
  const Ipv4Address routers[] = {kServer};
  o.set_ips(dhcp_option::kRouter, routers);
  const Ipv4Address dns[] = {Ipv4Address::from_octets(10, 66, 1, 53),
                             Ipv4Address::from_octets(10, 66, 1, 54)};
  o.set_ips(dhcp_option::kDnsServers, dns);
}

inline DhcpMessage offer() {
  auto m = server_message(DhcpMessageType::Offer, discover());
  m.yiaddr = kLeased;
  set_lease_options(m.options);
  m.pad_to_bootp_minimum();
  return m;
}

inline DhcpMessage request() {
  auto m = client_message(DhcpMessageType::Request);
  m.secs = 3;
  set_client_id(m.options);
  m.options.set_ip(dhcp_option::kRequestedIp, kLeased);
  m.options.set_ip(dhcp_option::kServerId, kServer);
  m.options.set_string(dhcp_option::kHostName, "client-1");
  set_prl(m.options);
  m.pad_to_bootp_minimum();
  return m;
}

inline DhcpMessage decline() {
  auto m = client_message(DhcpMessageType::Decline);
  set_client_id(m.options);
  m.options.set_ip(dhcp_option::kRequestedIp, kLeased);
  m.options.set_ip(dhcp_option::kServerId, kServer);
  m.options.set_string(dhcp_option::kMessage, "address in use");
  m.pad_to_bootp_minimum();
  return m;
}

inline DhcpMessage ack() {
  auto req = request();
  req.set_broadcast_flag(true);  // the client asked for a broadcast reply
  auto m = server_message(DhcpMessageType::Ack, req);
  m.yiaddr = kLeased;
  set_lease_options(m.options);
  m.options.set_string(dhcp_option::kDomainName, "example.test");
  m.pad_to_bootp_minimum();
  return m;
}

inline DhcpMessage nak() {
  auto m = server_message(DhcpMessageType::Nak, request());
  // RFC 2131 §4.3.2: a NAK to a client on the local net is broadcast.
  m.set_broadcast_flag(true);
  m.options.set_string(dhcp_option::kMessage, "requested address not available");
  m.pad_to_bootp_minimum();
  return m;
}

inline DhcpMessage release() {
  auto m = client_message(DhcpMessageType::Release);
  m.ciaddr = kLeased;
  m.options.set_ip(dhcp_option::kServerId, kServer);
  set_client_id(m.options);
  m.pad_to_bootp_minimum();
  return m;
}

/// Not padded: like dhcping's INFORM, a message shorter than 300 bytes is legal to send
/// and encode never pads on its own.
inline DhcpMessage inform() {
  auto m = client_message(DhcpMessageType::Inform);
  m.ciaddr = Ipv4Address::from_octets(10, 66, 1, 77);
  set_client_id(m.options);
  const std::array<std::byte, 3> prl{std::byte{1}, std::byte{3}, std::byte{6}};
  m.options.set(dhcp_option::kParameterRequestList, prl);
  return m;
}

/// A DISCOVER as a relay agent forwards it: hops 1, giaddr set, option 82 (RFC 3046) with
/// circuit id "eth0" and a remote id, added just before End.
inline DhcpMessage relayed_discover() {
  auto m = discover();
  m.hops = 1;
  m.giaddr = Ipv4Address::from_octets(10, 66, 4, 1);
  RelayAgentInfo rai;
  rai.suboptions.push_back({RelayAgentInfo::kCircuitId, to_vector(as_bytes("eth0", 4))});
  rai.suboptions.push_back(
      {RelayAgentInfo::kRemoteId, bytes_of({0x02, 0x66, 0x04, 0x00, 0x00, 0x01})});
  m.options.set_relay_agent_info(rai);
  return m;
}

}  // namespace dhcpsim::wire::golden
