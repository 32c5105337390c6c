#pragma once
// ICMP messages (RFC 792): a generic type/code/checksum/"rest of header" form, with
// helpers for Echo and Echo Reply (what a DHCP server's ping check and a host's answer
// use, RFC 2131 §4.4.1 / §2.2).

#include <cstddef>
#include <cstdint>
#include <vector>

#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {

inline constexpr uint8_t kIcmpEchoReply = 0;
inline constexpr uint8_t kIcmpDestinationUnreachable = 3;
inline constexpr uint8_t kIcmpEchoRequest = 8;
inline constexpr uint8_t kIcmpTimeExceeded = 11;

inline constexpr std::size_t kIcmpHeaderSize = 8;

struct IcmpMessage {
  uint8_t type = kIcmpEchoRequest;
  uint8_t code = 0;
  /// As found on the wire by parse; encode ignores it and writes the computed value.
  uint16_t checksum = 0;
  /// The 4 octets after the checksum (RFC 792 calls them differently per type): for
  /// Echo / Echo Reply the identifier (high 16 bits) and sequence number (low 16 bits).
  uint32_t rest = 0;
  /// Everything after the 8-byte header (echo data, or the original datagram's header
  /// for error messages).
  std::vector<std::byte> payload;

  /// Parses the whole of `message` (the IPv4 payload) and verifies the checksum, which
  /// RFC 792 computes over the entire ICMP message. Compared with the computed value
  /// exactly (see Ipv4Header::parse for why).
  static Parsed<IcmpMessage> parse(ConstBytes message, std::size_t base_offset = 0,
                                   bool verify_checksum = true);
  std::size_t encoded_size() const { return kIcmpHeaderSize + payload.size(); }
  /// Writes the message with the computed checksum into out[0, encoded_size()).
  std::size_t encode(MutBytes out) const;
  uint16_t compute_checksum() const;

  bool is_echo_request() const { return type == kIcmpEchoRequest && code == 0; }
  bool is_echo_reply() const { return type == kIcmpEchoReply && code == 0; }
  uint16_t identifier() const { return uint16_t(rest >> 16); }
  uint16_t sequence() const { return uint16_t(rest); }

  static IcmpMessage echo_request(uint16_t identifier, uint16_t sequence,
                                  std::vector<std::byte> data = {}) {
    return IcmpMessage{kIcmpEchoRequest, 0, 0, (uint32_t(identifier) << 16) | sequence,
                       std::move(data)};
  }
  /// RFC 792: the reply echoes the request's identifier, sequence number and data.
  static IcmpMessage echo_reply_to(const IcmpMessage& request) {
    return IcmpMessage{kIcmpEchoReply, 0, 0, request.rest, request.payload};
  }

  bool operator==(const IcmpMessage&) const = default;
};

/// RFC 792 checksum of a whole ICMP message, with bytes 2-3 (the checksum field) as zero.
uint16_t icmp_checksum(ConstBytes message);

}  // namespace dhcpsim::wire
