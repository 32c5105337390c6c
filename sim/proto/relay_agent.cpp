#include "dhcpsim/proto/relay_agent.hpp"

#include <algorithm>
#include <array>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::proto {

using wire::DhcpMessage;
using wire::Ipv4Address;
using wire::MacAddress;

const char* to_string(RelayDiscardReason r) {
  switch (r) {
    case RelayDiscardReason::NotBootRequest:
      return "not_boot_request";
    case RelayDiscardReason::HopsExceeded:
      return "hops_exceeded";
    case RelayDiscardReason::UntrustedOption82:
      return "untrusted_option82";
    case RelayDiscardReason::NoInterfaceAddress:
      return "no_interface_address";
    case RelayDiscardReason::SpoofedGiaddr:
      return "spoofed_giaddr";
    case RelayDiscardReason::NoServers:
      return "no_servers";
    case RelayDiscardReason::NotBootReply:
      return "not_boot_reply";
    case RelayDiscardReason::UnknownGiaddr:
      return "unknown_giaddr";
  }
  return "?";
}

uint64_t RelayCounters::total_discards() const {
  uint64_t n = 0;
  for (uint64_t d : discarded) n += d;
  return n;
}

namespace {

/// Like ISC dhcrelay after it rewrites the options: zero padding after End is resized so
/// the message is exactly the BOOTP minimum (or unpadded if it is longer). Non-zero bytes
/// after End are someone's data and are left alone.
void refit_padding(DhcpMessage& m) {
  if (!m.options.has_end()) return;
  wire::ConstBytes tr = m.options.trailing_bytes();
  if (!std::all_of(tr.begin(), tr.end(), [](std::byte b) { return b == std::byte{0}; })) return;
  const std::size_t base = m.encoded_size() - tr.size();
  const std::size_t want =
      base < DhcpMessage::kBootpMinimumSize ? DhcpMessage::kBootpMinimumSize - base : 0;
  if (want != tr.size()) m.options.set_trailing_bytes(std::vector<std::byte>(want));
}

auto range_of(const std::vector<std::pair<Ipv4Address, uint32_t>>& v, Ipv4Address a) {
  return std::equal_range(v.begin(), v.end(), std::pair<Ipv4Address, uint32_t>{a, 0},
                          [](const auto& x, const auto& y) { return x.first < y.first; });
}

}  // namespace

RelayAgent::RelayAgent(RelayAgentConfig config) : config_(std::move(config)) {
  DHCPSIM_ASSERT(config_.remote_id.size() <= 255, "an option 82 remote ID longer than 255 bytes");
}

std::array<std::byte, 4> RelayAgent::circuit_id_for(uint32_t iface) {
  std::array<std::byte, 4> b;
  wire::store_be32(b.data(), iface);
  return b;
}

void RelayAgent::add_interface(uint32_t iface, Ipv4Address addr) {
  std::pair<Ipv4Address, uint32_t> entry{addr, iface};
  auto it = std::lower_bound(interfaces_.begin(), interfaces_.end(), entry);
  if (it != interfaces_.end() && *it == entry) return;
  interfaces_.insert(it, entry);
}

bool RelayAgent::is_own_address(Ipv4Address a) const {
  auto [lo, hi] = range_of(interfaces_, a);
  return lo != hi;
}

void RelayAgent::discard(RelayDiscardReason reason, uint32_t xid, std::vector<Action>& out) {
  ++counters_.discarded[std::size_t(reason)];
  out.push_back(Discarded{reason, xid});
}

void RelayAgent::on_client_message(core::Time /*now*/, const DhcpMessage& msg, uint32_t iface,
                                   Ipv4Address iface_addr, std::vector<Action>& out) {
  if (msg.op != DhcpMessage::kBootRequest)
    return discard(RelayDiscardReason::NotBootRequest, msg.xid, out);
  // RFC 1542 §4.1.1: hops is incremented, and a message must not travel past max_hops.
  if (msg.hops >= config_.max_hops) return discard(RelayDiscardReason::HopsExceeded, msg.xid, out);

  const bool first_hop = msg.giaddr.is_zero();
  const bool has_82 = msg.options.has(wire::dhcp_option::kRelayAgentInfo);
  if (first_hop) {
    // RFC 3046 §2.1: option 82 with giaddr 0 comes from the client side of the first relay,
    // which only a trusted circuit (a bridge adding it) may do.
    if (has_82 && !config_.trust_circuits_with_option82)
      return discard(RelayDiscardReason::UntrustedOption82, msg.xid, out);
    if (iface_addr.is_zero()) return discard(RelayDiscardReason::NoInterfaceAddress, msg.xid, out);
  } else if (config_.add_relay_agent_info && is_own_address(msg.giaddr)) {
    // RFC 3046 §2.1.1: a relayed message claiming to come from us is a spoof.
    return discard(RelayDiscardReason::SpoofedGiaddr, msg.xid, out);
  }
  if (config_.servers.empty()) return discard(RelayDiscardReason::NoServers, msg.xid, out);

  // The first server's action is built in place, the others copy it: one copy of the
  // message per server.
  out.reserve(out.size() + config_.servers.size());
  DhcpMessage& fwd = std::get<ForwardToServer>(out.emplace_back(std::in_place_type<ForwardToServer>,
                                                                msg, config_.servers[0]))
                         .message;
  auto relay_fields = [&](DhcpMessage& m) {
    // RFC 1542 §4.1.1: fill giaddr only if zero; never change a non-zero one.
    if (first_hop) m.giaddr = iface_addr;
    m.hops = uint8_t(msg.hops + 1);
  };
  relay_fields(fwd);
  // RFC 3046 §2.1 / §2.1.1: only the first relay adds option 82, and never a second one.
  if (first_hop && !has_82 && config_.add_relay_agent_info) {
    // Sub-option 1, the circuit ID (the interface), then 2, the remote ID (RFC 3046 §3).
    std::array<std::byte, (2 + 4) + (2 + 255)> info;
    const wire::MutBytes buf(info);
    std::size_t n = wire::RelayAgentInfo::encode_suboption(wire::RelayAgentInfo::kCircuitId,
                                                           circuit_id_for(iface), buf);
    if (!config_.remote_id.empty())
      n += wire::RelayAgentInfo::encode_suboption(wire::RelayAgentInfo::kRemoteId,
                                                  config_.remote_id, buf.subspan(n));
    fwd.options.set(wire::dhcp_option::kRelayAgentInfo, buf.first(n));
    refit_padding(fwd);
    if (fwd.encoded_size() <= config_.max_message_size) {
      ++counters_.option82_added;
    } else {
      // Rare: forward the message as it came instead (copied again rather than copying
      // every message up front to keep an undo).
      fwd = msg;
      relay_fields(fwd);
      ++counters_.option82_too_big;
    }
  }
  ++counters_.requests_forwarded;
  // No reallocation (reserved above): `fwd` stays valid while the copies are appended.
  for (std::size_t i = 1; i < config_.servers.size(); ++i)
    out.emplace_back(std::in_place_type<ForwardToServer>, fwd, config_.servers[i]);
}

void RelayAgent::on_server_message(core::Time /*now*/, const DhcpMessage& msg,
                                   std::vector<Action>& out) {
  if (msg.op != DhcpMessage::kBootReply)
    return discard(RelayDiscardReason::NotBootReply, msg.xid, out);
  auto [lo, hi] = range_of(interfaces_, msg.giaddr);
  if (msg.giaddr.is_zero() || lo == hi)
    return discard(RelayDiscardReason::UnknownGiaddr, msg.xid, out);

  uint32_t iface = lo->second;
  if (auto info = msg.options.relay_agent_info()) {
    // The echoed circuit ID picks among interfaces sharing the giaddr (unnumbered ones).
    if (info->has_value()) {
      if (auto cid = (*info)->circuit_id(); cid && cid->size() == 4) {
        uint32_t named = wire::load_be32(cid->data());
        for (auto it = lo; it != hi; ++it)
          if (it->second == named) iface = named;
      }
    }
  }

  // RFC 2131 §4.1 / RFC 1542 §4.1.2: how the client can receive it.
  const bool is_nak = msg.message_type() == wire::DhcpMessageType::Nak;
  const bool ethernet_chaddr = msg.htype == 1 && msg.hlen == 6;
  Ipv4Address dst_ip;
  if (!msg.broadcast_flag() && !is_nak && ethernet_chaddr) {
    if (!msg.yiaddr.is_zero())
      dst_ip = msg.yiaddr;
    else if (!msg.ciaddr.is_zero())
      dst_ip = msg.ciaddr;
  }
  const bool broadcast = dst_ip.is_zero();
  // Built in place: the one copy of the server's message.
  DhcpMessage& reply =
      std::get<DeliverToClient>(
          out.emplace_back(std::in_place_type<DeliverToClient>, msg, iface, msg.giaddr,
                           broadcast ? Ipv4Address::broadcast() : dst_ip,
                           broadcast ? MacAddress::broadcast() : msg.client_mac(), broadcast))
          .message;
  // RFC 3046 §2.1: the echoed option 82 must not reach the client.
  if (reply.options.remove(wire::dhcp_option::kRelayAgentInfo)) refit_padding(reply);
  ++counters_.replies_delivered;
}

}  // namespace dhcpsim::proto
