#pragma once
// Configuration of a DHCP server engine: plain immutable data, validated once.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dhcpsim/core/time.hpp"
#include "dhcpsim/proto/allocator.hpp"
#include "dhcpsim/wire/address.hpp"

namespace dhcpsim::proto {

/// An inclusive address range [first, last].
struct AddressRange {
  wire::Ipv4Address first;
  wire::Ipv4Address last;

  constexpr bool contains(wire::Ipv4Address a) const { return first <= a && a <= last; }
  constexpr uint64_t size() const {
    return last < first ? 0 : uint64_t(last.value()) - first.value() + 1;
  }
  bool operator==(const AddressRange&) const = default;
};

/// A fixed address for one client, matched by its hardware address (chaddr), by its client
/// identifier (option 61, RFC 2132 §9.14), or by either. The address may be inside or
/// outside the subnet's pools; it is never given to another client.
struct Reservation {
  std::optional<wire::MacAddress> mac;
  /// The whole value of option 61: type octet + identifier (e.g. {1, <6-byte MAC>}).
  /// Empty: match by MAC only.
  std::vector<std::byte> client_id;
  wire::Ipv4Address address;
};

struct SubnetConfig {
  wire::Ipv4Prefix prefix;
  /// Dynamic ranges; must lie inside the prefix, must not overlap, and must not hold the
  /// network or the broadcast address of the prefix.
  std::vector<AddressRange> pools;
  /// Addresses inside the pools that are never handed out (e.g. statically configured hosts).
  std::vector<AddressRange> exclusions;
  std::vector<Reservation> reservations;

  // Options given to clients (RFC 2132).
  /// Option 1; default: the prefix's mask. (A wrong value is a legitimate study.)
  std::optional<wire::Ipv4Address> subnet_mask;
  std::vector<wire::Ipv4Address> routers;      // option 3, omitted when empty
  std::vector<wire::Ipv4Address> dns_servers;  // option 6, omitted when empty
  /// Option 51. Values >= 0xffffffff s mean an infinite lease (RFC 2131 §3.3).
  core::Duration lease_time = core::seconds(7200);
  /// Option 58 (T1); default 0.5 x the lease (RFC 2131 §4.4.5).
  std::optional<core::Duration> renewal_time;
  /// Option 59 (T2); default 0.875 x the lease (RFC 2131 §4.4.5).
  std::optional<core::Duration> rebinding_time;
};

/// ISC dhcpd's `ping-check` / dnsmasq's ping: before offering an address that no client
/// holds, ask the host to ICMP-echo it and offer only if nobody answers within `wait`.
struct PingCheckConfig {
  bool enabled = false;
  core::Duration wait = core::milliseconds(500);
  /// Addresses tried for one DISCOVER before it is dropped (each answered ping abandons
  /// one address for the probation time).
  uint32_t max_attempts = 3;
  /// DISCOVERs parked at once while their ping runs; beyond that the server offers
  /// without a ping check (like dnsmasq, which rate-limits its pings instead of stalling).
  uint32_t max_parked = 1024;
};

struct DhcpServerConfig {
  /// Option 54 and the address the server is known by (RFC 2131 §4.3.1).
  wire::Ipv4Address server_id;
  std::vector<SubnetConfig> subnets;
  AllocatorKind allocator = AllocatorKind::Iterative;
  /// How long an offered address stays reserved for the client (RFC 2131 §4.3.1, "the
  /// server SHOULD reserve the address offered"); Kea and dhcpd use tens of seconds.
  core::Duration offer_hold_time = core::seconds(60);
  /// How long a DECLINEd (or ping-abandoned) address stays unusable (Kea's
  /// decline-probation-period, 86400 s).
  core::Duration decline_probation_time = core::seconds(86400);
  /// An authoritative server NAKs requests for addresses that are wrong for the client's
  /// network or for unknown leases; a non-authoritative one stays silent (ISC dhcpd).
  bool authoritative = true;
  PingCheckConfig ping_check;
  /// Honour a lease time the client asks for (option 51 in DISCOVER/REQUEST), capped at
  /// max_lease_time. Off: every lease gets the subnet's lease_time (Kea's default).
  bool honour_requested_lease_time = false;
  core::Duration max_lease_time = core::seconds(86400);
  /// RFC 6842: echo option 61 in OFFER, ACK and NAK (Kea's echo-client-id, default on).
  bool echo_client_id = true;
  /// Pad replies to the 300-octet BOOTP minimum (RFC 1542 §2.1), as ISC dhcpd does.
  bool pad_replies = true;
};

/// Empty if `config` is usable; otherwise one sentence saying what is wrong and where
/// ("subnet 1 (10.1.0.0/24): pool 10.1.0.200-10.1.1.10 is not inside the prefix").
std::optional<std::string> validate(const DhcpServerConfig& config);

}  // namespace dhcpsim::proto
