#pragma once
// The DHCP message (RFC 2131 §2): the fixed BOOTP header (RFC 951, RFC 1542), the magic
// cookie and the options (see dhcp_options.hpp). A parsed message re-encodes to exactly the
// bytes it came from, including padding after End and options carried in an overloaded
// file/sname field.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"
#include "dhcpsim/wire/dhcp_options.hpp"

namespace dhcpsim::wire {

struct DhcpMessage {
  // RFC 2131 §2, Figure 1 layout.
  static constexpr std::size_t kSnameOffset = 44;
  static constexpr std::size_t kFileOffset = 108;
  static constexpr std::size_t kHeaderSize = 236;  // op .. file
  static constexpr std::size_t kCookieOffset = 236;
  static constexpr std::size_t kOptionsOffset = 240;  // after the magic cookie
  /// RFC 2131 §3: the first four octets of the options field, 99.130.83.99.
  static constexpr uint32_t kMagicCookie = 0x63825363;
  /// RFC 1542 §2.1: a BOOTP message (the UDP payload) is at least 300 octets.
  static constexpr std::size_t kBootpMinimumSize = 300;

  static constexpr uint8_t kBootRequest = 1;
  static constexpr uint8_t kBootReply = 2;
  /// RFC 1542 §2.2: the leftmost bit of `flags` is the BROADCAST flag.
  static constexpr uint16_t kBroadcastFlag = 0x8000;

  uint8_t op = kBootRequest;  // 1 BOOTREQUEST, 2 BOOTREPLY
  uint8_t htype = 1;          // 1 = Ethernet (ARP hardware type)
  uint8_t hlen = 6;
  uint8_t hops = 0;
  uint32_t xid = 0;
  uint16_t secs = 0;
  uint16_t flags = 0;  // bit 15 = broadcast
  Ipv4Address ciaddr, yiaddr, siaddr, giaddr;
  std::array<uint8_t, 16> chaddr{};
  /// Plain bytes unless option 52 overloads the field; then its contents live in `options`
  /// (instances + trailer), parse leaves this zeroed, and encode and == ignore it.
  std::array<uint8_t, 64> sname{};
  /// Same as `sname`, for the file field.
  std::array<uint8_t, 128> file{};
  DhcpOptions options;

  bool broadcast_flag() const { return (flags & kBroadcastFlag) != 0; }
  void set_broadcast_flag(bool on) {
    flags = on ? uint16_t(flags | kBroadcastFlag) : uint16_t(flags & ~kBroadcastFlag);
  }
  /// The first 6 bytes of chaddr (meaningful for htype 1 / hlen 6).
  MacAddress client_mac() const;
  /// Writes the MAC into chaddr[0..6) and zeroes the rest of chaddr; sets htype 1, hlen 6.
  void set_client_mac(MacAddress mac);
  /// From option 53; nullopt if absent (a plain BOOTP message).
  std::optional<DhcpMessageType> message_type() const { return options.message_type(); }

  /// Appends zero bytes after the End option so the BOOTP message is at least 300 bytes
  /// (RFC 1542 §2.1 minimum); engines call this on messages they build. Adds End first if
  /// the options field has none.
  void pad_to_bootp_minimum();

  /// Parses a DHCP message from a UDP payload. Errors name what is wrong and the absolute
  /// offset (base_offset + position in the payload). Checks: at least 236 + 4 bytes; hlen
  /// <= 16; the magic cookie; every option inside its field; the lengths of fixed-size
  /// options (see dhcp_option_length_ok). Unknown option codes and message types are kept.
  static Parsed<DhcpMessage> parse(ConstBytes udp_payload, std::size_t base_offset = 0);
  /// Same as parse, into an existing message (reuses its storage; on error `out` is left
  /// in an unspecified but valid state).
  static tl::expected<void, ParseError> parse_into(DhcpMessage& out, ConstBytes udp_payload,
                                                   std::size_t base_offset = 0);
  std::size_t encoded_size() const { return kOptionsOffset + options.options_field_size(); }
  /// Writes the message into out[0, encoded_size()); returns encoded_size(). Aborts if
  /// `out` is smaller. Never pads by itself (see pad_to_bootp_minimum).
  std::size_t encode(MutBytes out) const;
  /// Convenience for tests and tools: the encoded bytes in a new vector.
  std::vector<std::byte> encode_to_vector() const;

  bool operator==(const DhcpMessage& other) const;
};

}  // namespace dhcpsim::wire
