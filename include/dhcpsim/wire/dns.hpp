#pragma once
// A minimal DNS message codec (RFC 1035 §4): header, questions and resource records of
// all four sections. RDATA is kept as raw bytes (with a helper for A records); names
// inside RDATA (CNAME, NS, ...) are therefore not decompressed.
//
// Name compression (RFC 1035 §4.1.4): parse follows pointers, refusing pointer loops,
// pointers to the name itself or forward, and pointers beyond the message, and records
// where the name's pointer was. Encode writes a name uncompressed unless it carries such
// a record, in which case it writes the same layout again: so parse(encode(m)) == m for
// every message, and encode(parse(bytes)) == bytes for every message parse accepts.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {

// RFC 1035 §3.2.2 / §3.2.4 (and RFC 3596 for AAAA).
inline constexpr uint16_t kDnsTypeA = 1;
inline constexpr uint16_t kDnsTypeNs = 2;
inline constexpr uint16_t kDnsTypeCname = 5;
inline constexpr uint16_t kDnsTypePtr = 12;
inline constexpr uint16_t kDnsTypeAaaa = 28;
inline constexpr uint16_t kDnsClassIn = 1;

// RFC 1035 §4.1.1 header flag bits (the 16 bits after ID).
inline constexpr uint16_t kDnsFlagQr = 0x8000;  // response
inline constexpr uint16_t kDnsFlagAa = 0x0400;  // authoritative answer
inline constexpr uint16_t kDnsFlagTc = 0x0200;  // truncated
inline constexpr uint16_t kDnsFlagRd = 0x0100;  // recursion desired
inline constexpr uint16_t kDnsFlagRa = 0x0080;  // recursion available
inline constexpr uint8_t kDnsRcodeNoError = 0;
inline constexpr uint8_t kDnsRcodeNxDomain = 3;

inline constexpr std::size_t kDnsHeaderSize = 12;
inline constexpr std::size_t kDnsMaxLabelLength = 63;  // RFC 1035 §2.3.4
inline constexpr std::size_t kDnsMaxNameLength = 255;  // octets on the wire, incl. the root

struct DnsName {
  /// The labels, pointers resolved ("www", "example", "test"); empty for the root.
  std::vector<std::string> labels;

  /// Where the name ended in a compression pointer when parsed: the first
  /// `inline_labels` labels were written in place, then a pointer to `offset` (from the
  /// start of the DNS message). Encode reproduces it; it is only meaningful while the
  /// bytes before `offset` stay as they were.
  struct Compression {
    std::size_t inline_labels = 0;
    uint16_t offset = 0;
    bool operator==(const Compression&) const = default;
  };
  std::optional<Compression> compression;

  /// "example.test" or "example.test." ("" and "." are the root). Fails on an empty
  /// label, a label over 63 octets or a name over 255 octets. No escapes.
  static tl::expected<DnsName, std::string> from_string(std::string_view dotted);
  /// Dotted form without the trailing dot ("." for the root); '.', '\' and bytes
  /// outside printable ASCII inside labels are escaped as in RFC 1035 §5.1 (\. \\ \DDD).
  std::string to_string() const;
  /// The same domain name regardless of layout and ASCII case (RFC 1035 §2.3.3)?
  bool same_name_as(const DnsName& other) const;

  std::size_t encoded_size() const;
  bool operator==(const DnsName&) const = default;
};

struct DnsQuestion {
  DnsName name;
  uint16_t qtype = kDnsTypeA;
  uint16_t qclass = kDnsClassIn;
  bool operator==(const DnsQuestion&) const = default;
};

struct DnsResourceRecord {
  DnsName name;
  uint16_t type = kDnsTypeA;
  uint16_t rclass = kDnsClassIn;  // "class" is a keyword
  uint32_t ttl = 0;
  std::vector<std::byte> rdata;

  /// The address of an IN A record with 4 bytes of RDATA.
  std::optional<Ipv4Address> a_address() const;
  static DnsResourceRecord a_record(DnsName name, Ipv4Address address, uint32_t ttl);

  bool operator==(const DnsResourceRecord&) const = default;
};

/// A DNS message. The header's four counts are not stored: they are the section sizes.
struct DnsMessage {
  uint16_t id = 0;
  uint16_t flags = 0;
  std::vector<DnsQuestion> questions;
  std::vector<DnsResourceRecord> answers;
  std::vector<DnsResourceRecord> authorities;
  std::vector<DnsResourceRecord> additionals;

  /// Parses `data` (a UDP payload) as exactly one message: bytes after the last record
  /// are an error, because encode could not reproduce them.
  static Parsed<DnsMessage> parse(ConstBytes data, std::size_t base_offset = 0);
  std::size_t encoded_size() const;
  /// Writes the message into out[0, encoded_size()); returns encoded_size(). Aborts on
  /// a label over 63 octets, a section over 65535 entries or RDATA over 65535 bytes.
  std::size_t encode(MutBytes out) const;

  bool is_response() const { return (flags & kDnsFlagQr) != 0; }
  uint8_t opcode() const { return uint8_t((flags >> 11) & 0x0f); }
  uint8_t rcode() const { return uint8_t(flags & 0x0f); }

  /// A standard query (opcode 0, RD set) for one name.
  static DnsMessage query(uint16_t id, DnsName name, uint16_t qtype = kDnsTypeA);

  bool operator==(const DnsMessage&) const = default;
};

}  // namespace dhcpsim::wire
