#pragma once
// A DHCP relay agent (RFC 1542 §4.1, RFC 2131 §4.1, RFC 3046) as a sans-I/O engine. The
// router hands it BOOTREQUESTs received from clients (UDP port 67, on a client-facing
// interface) and BOOTREPLYs received from servers (addressed to one of the relay's
// interface addresses, port 67); it answers with the messages to forward or deliver, or a
// discard with its reason (also counted).
//
// Client -> server (RFC 1542 §4.1.1, RFC 3046 §2.1):
//   - not a BOOTREQUEST: discarded;
//   - hops >= max_hops (forwarding would take it past max_hops): discarded;
//   - giaddr 0 (we are the first relay): giaddr := the receiving interface's address;
//     option 82 already present: discarded on an untrusted circuit, forwarded without a
//     second option 82 on a trusted one; else option 82 is added (sub-option 1 circuit ID
//     = the interface id as 4 bytes big-endian, sub-option 2 remote ID = the configured
//     id if any) as the last option, unless the result would exceed max_message_size
//     (then forwarded without it, and counted);
//   - giaddr non-zero (relayed by another agent): giaddr is kept, no option 82 is added;
//     discarded if giaddr is one of our own interface addresses (RFC 3046 §2.1.1 spoof);
//   - hops + 1, everything else intact; one copy to each configured server.
// Server -> client (RFC 1542 §4.1.2, RFC 2131 §4.1, RFC 3046 §2.1):
//   - not a BOOTREPLY, or giaddr not one of our interface addresses: discarded;
//   - option 82 is removed;
//   - delivered on the interface whose address is giaddr (if the echoed circuit ID names
//     another of our interfaces with that same address, that one): broadcast (255.255.
//     255.255, ff:ff:ff:ff:ff:ff) if the BROADCAST flag is set, for a DHCPNAK, or when
//     there is no address to unicast to; else unicast to yiaddr (or ciaddr when yiaddr is
//     0, a DHCPACK to DHCPINFORM) with chaddr as the link-layer destination, no ARP.
// Like ISC dhcrelay, padding after End is refitted so a message stays at the 300-byte
// BOOTP minimum and no longer: option 82 goes into the padding when there is room.

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

#include "dhcpsim/core/time.hpp"
#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::proto {

struct RelayAgentConfig {
  std::vector<wire::Ipv4Address> servers;
  /// Option 82 sub-option 2 (the router's id), at most 255 bytes; empty: sub-option 2 is
  /// not added.
  std::vector<std::byte> remote_id;
  /// RFC 1542 §4.1.1 hop limit (the RFC's maximum; it suggests 4 as a configured default).
  uint8_t max_hops = 16;
  /// RFC 3046 §2.1: whether client circuits are trusted to carry option 82 with giaddr 0.
  bool trust_circuits_with_option82 = false;
  /// RFC 3046 §2.1: add option 82 to the requests we are the first relay for.
  bool add_relay_agent_info = true;
  /// RFC 3046 §2.1: largest DHCP message (UDP payload) after adding option 82; default the
  /// interface MTU 1500 less the IPv4 and UDP headers.
  std::size_t max_message_size = 1472;
};

enum class RelayDiscardReason : uint8_t {
  NotBootRequest,      // a BOOTREPLY (or other op) arrived on the client side
  HopsExceeded,        // hops >= max_hops
  UntrustedOption82,   // giaddr 0 with option 82 on an untrusted circuit (RFC 3046 §2.1)
  NoInterfaceAddress,  // giaddr 0 and the receiving interface has no address
  SpoofedGiaddr,       // giaddr is one of our own addresses (RFC 3046 §2.1.1)
  NoServers,           // nowhere to forward to
  NotBootReply,        // a BOOTREQUEST (or other op) arrived on the server side
  UnknownGiaddr,       // reply whose giaddr is not one of our interface addresses
};
inline constexpr std::size_t kRelayDiscardReasonCount = 8;
const char* to_string(RelayDiscardReason r);

struct RelayCounters {
  uint64_t requests_forwarded = 0;  // client messages forwarded (not copies)
  uint64_t replies_delivered = 0;
  uint64_t option82_added = 0;
  /// Forwarded without option 82 because it would not fit (RFC 3046 §2.1 error counter).
  uint64_t option82_too_big = 0;
  std::array<uint64_t, kRelayDiscardReasonCount> discarded{};

  uint64_t discards(RelayDiscardReason r) const { return discarded[std::size_t(r)]; }
  uint64_t total_discards() const;
};

class RelayAgent {
 public:
  struct ForwardToServer {
    wire::DhcpMessage message;
    wire::Ipv4Address server;  // UDP to server:67
  };
  struct DeliverToClient {
    wire::DhcpMessage message;
    uint32_t iface;
    wire::Ipv4Address src_ip;  // the interface address (giaddr); UDP 67 -> 68
    wire::Ipv4Address dst_ip;
    wire::MacAddress dst_mac;
    bool broadcast;
  };
  struct Discarded {
    RelayDiscardReason reason;
    uint32_t xid;
    bool operator==(const Discarded&) const = default;
  };
  using Action = std::variant<ForwardToServer, DeliverToClient, Discarded>;

  explicit RelayAgent(RelayAgentConfig config);

  /// Registers a client-facing interface and its address (replies are matched on giaddr).
  /// Registering the same (iface, addr) pair again does nothing.
  void add_interface(uint32_t iface, wire::Ipv4Address addr);

  /// A BOOTREQUEST received from a client on `iface`, whose address is `iface_addr`.
  void on_client_message(core::Time now, const wire::DhcpMessage& msg, uint32_t iface,
                         wire::Ipv4Address iface_addr, std::vector<Action>& out);
  /// A BOOTREPLY received from a server.
  void on_server_message(core::Time now, const wire::DhcpMessage& msg, std::vector<Action>& out);

  /// The circuit ID we put in option 82 for `iface`: its id, 4 bytes big-endian.
  static std::array<std::byte, 4> circuit_id_for(uint32_t iface);

  const RelayAgentConfig& config() const { return config_; }
  const RelayCounters& counters() const { return counters_; }
  /// (address, interface) pairs, sorted.
  const std::vector<std::pair<wire::Ipv4Address, uint32_t>>& interfaces() const {
    return interfaces_;
  }

 private:
  void discard(RelayDiscardReason reason, uint32_t xid, std::vector<Action>& out);
  bool is_own_address(wire::Ipv4Address a) const;

  RelayAgentConfig config_;
  std::vector<std::pair<wire::Ipv4Address, uint32_t>> interfaces_;  // sorted by address
  RelayCounters counters_;
};

using RelayAction = RelayAgent::Action;

}  // namespace dhcpsim::proto
