#pragma once
// Helpers for the DHCP server tests: a harness that feeds messages at virtual times and
// collects the actions, and builders for client messages (W2's wire API).

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "dhcpsim/core/random.hpp"
#include "dhcpsim/core/time.hpp"
#include "dhcpsim/proto/dhcp_server.hpp"
#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::proto::testing {

using core::Time;
using wire::DhcpMessage;
using wire::DhcpMessageType;
using wire::Ipv4Address;
using wire::Ipv4Prefix;
using wire::MacAddress;
using Send = DhcpServer::Send;
using PingCheck = DhcpServer::PingCheck;
using LeaseEvent = DhcpServer::LeaseEvent;
namespace opt = wire::dhcp_option;

inline Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}
inline Ipv4Prefix prefix(const char* s) {
  return *Ipv4Prefix::parse(s);
}
inline MacAddress mac(uint64_t n) {
  return MacAddress::from_u64(0x020000000000ULL | n);
}
inline Time at_s(double s) {
  return Time::zero() + core::seconds_f(s);
}

/// A client message of type `t` from `m`.
inline DhcpMessage client_msg(DhcpMessageType t, MacAddress m, uint32_t xid = 0x1234) {
  DhcpMessage msg;
  msg.op = DhcpMessage::kBootRequest;
  msg.set_client_mac(m);
  msg.xid = xid;
  msg.options.set_message_type(t);
  return msg;
}
inline DhcpMessage discover(MacAddress m, uint32_t xid = 0x1234) {
  return client_msg(DhcpMessageType::Discover, m, xid);
}
/// REQUEST in SELECTING: option 54 + option 50, ciaddr 0.
inline DhcpMessage request_selecting(MacAddress m, Ipv4Address server, Ipv4Address addr) {
  DhcpMessage msg = client_msg(DhcpMessageType::Request, m);
  msg.options.set_ip(opt::kServerId, server);
  msg.options.set_ip(opt::kRequestedIp, addr);
  return msg;
}
/// REQUEST in INIT-REBOOT: option 50, no 54, ciaddr 0.
inline DhcpMessage request_init_reboot(MacAddress m, Ipv4Address addr) {
  DhcpMessage msg = client_msg(DhcpMessageType::Request, m);
  msg.options.set_ip(opt::kRequestedIp, addr);
  return msg;
}
/// REQUEST in RENEWING/REBINDING: ciaddr set, no 50, no 54.
inline DhcpMessage request_renew(MacAddress m, Ipv4Address addr) {
  DhcpMessage msg = client_msg(DhcpMessageType::Request, m);
  msg.ciaddr = addr;
  return msg;
}
inline DhcpMessage release(MacAddress m, Ipv4Address server, Ipv4Address addr) {
  DhcpMessage msg = client_msg(DhcpMessageType::Release, m);
  msg.ciaddr = addr;
  msg.options.set_ip(opt::kServerId, server);
  return msg;
}
inline DhcpMessage decline(MacAddress m, Ipv4Address server, Ipv4Address addr) {
  DhcpMessage msg = client_msg(DhcpMessageType::Decline, m);
  msg.options.set_ip(opt::kServerId, server);
  msg.options.set_ip(opt::kRequestedIp, addr);
  return msg;
}

/// Server 10.0.0.1 on 10.0.0.0/24 (pool .100-.199), plus a relayed subnet 10.1.0.0/24
/// (pool .10-.20); lease 3600 s.
inline DhcpServerConfig basic_config() {
  DhcpServerConfig c;
  c.server_id = ip("10.0.0.1");
  SubnetConfig s;
  s.prefix = prefix("10.0.0.0/24");
  s.pools = {{ip("10.0.0.100"), ip("10.0.0.199")}};
  s.routers = {ip("10.0.0.1")};
  s.dns_servers = {ip("10.0.0.53"), ip("10.0.0.54")};
  s.lease_time = core::seconds(3600);
  c.subnets.push_back(s);
  SubnetConfig r;
  r.prefix = prefix("10.1.0.0/24");
  r.pools = {{ip("10.1.0.10"), ip("10.1.0.20")}};
  r.routers = {ip("10.1.0.1")};
  r.lease_time = core::seconds(1800);
  c.subnets.push_back(r);
  return c;
}

/// Arrival on the server's own link (10.0.0.1 in 10.0.0.0/24), broadcast.
inline RxContext on_link(bool broadcast = true) {
  RxContext rx;
  rx.iface_addr = ip("10.0.0.1");
  rx.iface_subnet = prefix("10.0.0.0/24");
  rx.broadcast = broadcast;
  rx.iface_index = 3;
  return rx;
}

struct Harness {
  explicit Harness(DhcpServerConfig c = basic_config(), uint64_t seed = 1)
      : server(std::move(c), core::Rng(seed)) {}

  /// Feeds `msg` at time `t` and returns the actions.
  std::vector<DhcpServer::Action>& feed(Time t, const DhcpMessage& msg, RxContext rx = on_link()) {
    now = t;
    out.clear();
    // Through the wire format, as a host would: what the engine sees is what a parse gives.
    auto bytes = msg.encode_to_vector();
    auto parsed = DhcpMessage::parse(bytes);
    EXPECT_TRUE(parsed.has_value());
    server.on_message(t, rx, *parsed, out);
    return out;
  }
  std::vector<DhcpServer::Action>& timer(Time t) {
    now = t;
    out.clear();
    server.on_timer(t, out);
    return out;
  }
  std::vector<DhcpServer::Action>& ping_result(Time t, uint64_t token, bool answered) {
    now = t;
    out.clear();
    server.on_ping_result(t, token, answered, out);
    return out;
  }

  std::vector<const Send*> sends() const {
    std::vector<const Send*> v;
    for (const auto& a : out)
      if (auto* s = std::get_if<Send>(&a)) v.push_back(s);
    return v;
  }
  /// The only Send of the last step (fails the test if there is not exactly one).
  const Send& reply() const {
    auto v = sends();
    EXPECT_EQ(v.size(), 1u);
    static const Send none{};
    return v.empty() ? none : *v.front();
  }
  bool silent() const { return sends().empty(); }
  std::vector<LeaseEvent> events() const {
    std::vector<LeaseEvent> v;
    for (const auto& a : out)
      if (auto* e = std::get_if<LeaseEvent>(&a)) v.push_back(*e);
    return v;
  }
  std::vector<PingCheck> pings() const {
    std::vector<PingCheck> v;
    for (const auto& a : out)
      if (auto* p = std::get_if<PingCheck>(&a)) v.push_back(*p);
    return v;
  }

  /// DISCOVER + REQUEST(SELECTING) at `t`: the bound address (or nullopt).
  std::optional<Ipv4Address> dora(Time t, MacAddress m, RxContext rx = on_link()) {
    feed(t, discover(m), rx);
    auto v = sends();
    if (v.size() != 1) return std::nullopt;
    const Ipv4Address offered = v[0]->message.yiaddr;
    feed(t, request_selecting(m, server.config().server_id, offered), rx);
    v = sends();
    if (v.size() != 1 || v[0]->message.message_type() != DhcpMessageType::Ack) return std::nullopt;
    return v[0]->message.yiaddr;
  }
  LeaseState state(const char* a) const { return server.lease(ip(a))->state; }
  LeaseState state(Ipv4Address a) const { return server.lease(a)->state; }

  DhcpServer server;
  std::vector<DhcpServer::Action> out;
  Time now;
};

}  // namespace dhcpsim::proto::testing
