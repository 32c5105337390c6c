// Parse errors of the frame stack: each names what is wrong and the absolute byte offset
// within the frame; plus the non-error edge cases next to them (zero UDP checksum,
// checksum 0xffff, fragments, unknown protocols, IPv4 options, unverified checksums).

#include <gtest/gtest.h>

#include <cctype>
#include <string_view>

#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/peek.hpp"

using namespace dhcpsim::wire;

namespace {

std::vector<std::byte> hex(std::string_view text) {
  std::vector<std::byte> out;
  int hi = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    const int v =
        std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : std::tolower(c) - 'a' + 10;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(std::byte(hi * 16 + v));
      hi = -1;
    }
  }
  return out;
}

// The golden UDP frame (golden_test.cpp): 10.0.0.1:40000 -> 10.0.0.2:9999 "hello", 47 bytes.
// IPv4 header at 14 (checksum at 24, total length at 16), UDP at 34 (checksum at 40).
std::vector<std::byte> udp_frame() {
  return hex(
      "02 00 5e 10 00 02 02 00 5e 10 00 01 08 00 45 00"
      "00 21 00 01 00 00 40 11 66 c9 0a 00 00 01 0a 00"
      "00 02 9c 40 27 0f 00 0d e4 af 68 65 6c 6c 6f");
}

// The golden ARP request frame, 42 bytes (ARP hlen at 18).
std::vector<std::byte> arp_frame() {
  return hex(
      "ff ff ff ff ff ff 02 00 5e 10 00 01 08 06 00 01"
      "08 00 06 04 00 01 02 00 5e 10 00 01 0a 00 00 01"
      "00 00 00 00 00 00 0a 00 00 02");
}

// Recomputes the IPv4 header checksum of a frame after a test edited the header.
void fix_ip_checksum(std::vector<std::byte>& f) {
  const std::size_t hl = (uint8_t(f[14]) & 0x0f) * 4;
  store_be16(&f[24], 0);
  store_be16(&f[24], checksum_fold(checksum_add(0, ConstBytes(f).subspan(14, hl))));
}

void expect_error(const std::vector<std::byte>& frame, std::string_view what, std::size_t offset) {
  auto r = parse_frame(frame);
  ASSERT_FALSE(r) << "parsed unexpectedly";
  EXPECT_EQ(r.error().what, what);
  EXPECT_EQ(r.error().offset, offset);
  // Whatever parse_frame refuses, peek_frame must still survive.
  (void)peek_frame(frame);
}

UdpFrameSpec spec_53() {
  UdpFrameSpec s{MacAddress::from_u64(0x026600000002),
                 MacAddress::from_u64(0x026600000001),
                 Ipv4Address::from_octets(10, 66, 0, 2),
                 Ipv4Address::from_octets(10, 66, 0, 1),
                 40001,
                 53};
  s.pad_to_min = false;
  return s;
}

std::vector<std::byte> udp_frame_with(const UdpFrameSpec& spec,
                                      const std::vector<std::byte>& payload) {
  std::vector<std::byte> f(udp_frame_size(payload.size(), spec.pad_to_min));
  f.resize(encode_udp_frame(spec, payload, f));
  return f;
}

}  // namespace

// A frame shorter than the 14-byte Ethernet header fails at offset 0.
TEST(ParseErrors, TruncatedEthernet) {
  auto f = udp_frame();
  f.resize(10);
  expect_error(f, "Ethernet header truncated: need 14 bytes, 10 left", 0);
  EXPECT_FALSE(peek_frame(f));
}

// A wrong IPv4 header checksum is reported at the checksum field (14 + 10) with both values.
TEST(ParseErrors, BadIpv4Checksum) {
  auto f = udp_frame();
  f[25] = std::byte{0xca};
  expect_error(f, "IPv4 header checksum 0x66ca does not match computed 0x66c9", 24);
}

// An IPv4 total_length beyond the frame is reported at the total length field (14 + 2).
TEST(ParseErrors, Ipv4TotalLengthBeyondFrame) {
  auto f = udp_frame();
  store_be16(&f[16], 100);
  fix_ip_checksum(f);
  expect_error(f, "IPv4 total length 100 exceeds the 33 bytes available", 16);
  // Smaller than the header.
  store_be16(&f[16], 19);
  fix_ip_checksum(f);
  expect_error(f, "IPv4 total length 19 is less than the header length 20", 16);
}

// Version and IHL are checked before anything that depends on them.
TEST(ParseErrors, Ipv4VersionAndIhl) {
  auto f = udp_frame();
  f[14] = std::byte{0x65};
  expect_error(f, "IPv4 header has version 6, expected 4", 14);
  f[14] = std::byte{0x44};
  expect_error(f, "IPv4 header length (IHL) 4 is less than the minimum 5", 14);
  f[14] = std::byte{0x4f};  // 60-byte header in a 33-byte packet
  expect_error(f, "IPv4 header with options truncated: need 60 bytes, 33 left", 14);
  f.resize(30);
  expect_error(f, "IPv4 header truncated: need 20 bytes, 16 left", 14);
}

// A wrong UDP checksum is reported at the UDP checksum field (14 + 20 + 6).
TEST(ParseErrors, BadUdpChecksum) {
  auto f = udp_frame();
  f[41] = std::byte{0xb0};
  expect_error(f, "UDP checksum 0xe4b0 does not match computed 0xe4af", 40);
  // A payload byte changed instead: same report.
  f = udp_frame();
  f[46] = std::byte{'O'};
  auto r = parse_frame(f);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, 40u);
  // Without verification the frame parses and keeps the wire value.
  auto unverified = parse_frame(f, FrameParseOptions{.verify_checksums = false});
  ASSERT_TRUE(unverified);
  EXPECT_EQ(unverified->udp()->udp.checksum, 0xe4af);
}

// UDP length disagreeing with the IPv4 payload is refused at the UDP length field (34 + 4).
TEST(ParseErrors, UdpLengthMismatch) {
  auto f = udp_frame();
  store_be16(&f[38], 14);  // beyond the 13-byte IPv4 payload
  expect_error(f, "UDP length 14 exceeds the 13 bytes of the IPv4 payload", 38);
  store_be16(&f[38], 7);
  expect_error(f, "UDP length 7 is less than the 8-byte header", 38);
  // Shorter than the IPv4 payload: checksum made consistent so the length is what fails.
  store_be16(&f[38], 12);
  store_be16(&f[40],
             udp_checksum(ConstBytes(f).subspan(34, 12), Ipv4Address::from_octets(10, 0, 0, 1),
                          Ipv4Address::from_octets(10, 0, 0, 2)));
  expect_error(f, "UDP length 12 does not match the IPv4 payload length 13", 38);
}

// An ARP packet with 8-byte hardware addresses is refused at the hlen field (14 + 4).
TEST(ParseErrors, ArpHlen8) {
  auto f = arp_frame();
  f[18] = std::byte{8};
  expect_error(f, "ARP hardware address length 8 is not 6 (only Ethernet addresses are supported)",
               18);
  auto pk = peek_frame(f);
  ASSERT_TRUE(pk);
  EXPECT_FALSE(pk->arp);
  f[18] = std::byte{6};
  f[19] = std::byte{16};
  expect_error(f, "ARP protocol address length 16 is not 4 (only IPv4 addresses are supported)",
               19);
  f = arp_frame();
  f.resize(40);
  expect_error(f, "ARP packet truncated: need 28 bytes, 26 left", 14);
}

// A DNS name whose compression pointer points at itself is a loop, reported at the pointer
// (DNS message at 42, question name at 42 + 12).
TEST(ParseErrors, DnsPointerLoop) {
  const auto dns = hex("12 34 01 00 00 01 00 00 00 00 00 00  c0 0c  00 01 00 01");
  expect_error(udp_frame_with(spec_53(), dns),
               "DNS compression pointer loop: pointer to offset 12 re-enters the name being read",
               54);
  // Two hops: label "a" at 12, then a pointer at 14 back to 12.
  const auto dns2 = hex("12 34 01 00 00 01 00 00 00 00 00 00  01 61 c0 0c  00 01 00 01");
  expect_error(udp_frame_with(spec_53(), dns2),
               "DNS compression pointer loop: pointer to offset 12 re-enters the name being read",
               56);
}

// An ICMP message with a wrong checksum is refused at the ICMP checksum field (34 + 2).
TEST(ParseErrors, BadIcmpChecksum) {
  std::vector<std::byte> f(100);
  f.resize(encode_icmp_echo_frame(IcmpEchoFrameSpec{.src_mac = MacAddress::from_u64(1),
                                                    .dst_mac = MacAddress::from_u64(2),
                                                    .src_ip = Ipv4Address::from_octets(10, 0, 0, 1),
                                                    .dst_ip = Ipv4Address::from_octets(10, 0, 0, 2),
                                                    .identifier = 7,
                                                    .sequence = 9,
                                                    .pad_to_min = false},
                                  {}, f));
  ASSERT_TRUE(parse_frame(f));
  f[41] = std::byte(uint8_t(f[41]) ^ 1);  // the sequence number
  auto r = parse_frame(f);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().offset, 36u);
  EXPECT_NE(r.error().what.find("ICMP checksum"), std::string::npos);
  f.resize(40);
  fix_ip_checksum(f);  // total length still says 28: now beyond the frame
  expect_error(f, "IPv4 total length 28 exceeds the 26 bytes available", 16);
}

// Errors from the DHCP parser carry absolute frame offsets: a DHCP message cut short.
TEST(ParseErrors, NestedDhcpErrorIsAbsolute) {
  UdpFrameSpec spec = spec_53();
  spec.src_port = 68;
  spec.dst_port = 67;
  const std::vector<std::byte> short_bootp(100);
  auto r = parse_frame(udp_frame_with(spec, short_bootp));
  ASSERT_FALSE(r);
  EXPECT_GE(r.error().offset, 42u);  // inside the UDP payload, not relative to it
  EXPECT_LE(r.error().offset, 42u + 100u);
}

// RFC 768: a zero UDP checksum means "none"; it is not verified and re-encodes as zero.
TEST(EdgeCases, ZeroUdpChecksumRoundTrips) {
  auto f = udp_frame();
  store_be16(&f[40], 0);
  f[46] = std::byte{'O'};  // would fail a verification
  auto r = parse_frame(f);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_FALSE(r->udp()->udp.has_checksum);
  EXPECT_EQ(encode_frame(*r), f);
}

// RFC 768: a computed checksum of zero is sent as 0xffff, accepted and reproduced.
TEST(EdgeCases, UdpChecksumAllOnes) {
  UdpFrameSpec spec = spec_53();
  spec.dst_port = 9999;
  std::vector<std::byte> payload(2);
  auto f = udp_frame_with(spec, payload);
  const uint16_t c = load_be16(&f[40]);
  ASSERT_NE(c, 0xffff);
  // Make the payload word the checksum: the sum becomes all ones, the checksum zero.
  store_be16(payload.data(), c);
  f = udp_frame_with(spec, payload);
  EXPECT_EQ(load_be16(&f[40]), 0xffff);
  auto r = parse_frame(f);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->udp()->udp.checksum, 0xffff);
  EXPECT_EQ(encode_frame(*r), f);
}

// IPv4 fragments (first ones too), unknown IP protocols and unknown EtherTypes are kept raw.
TEST(EdgeCases, FragmentsAndUnknownProtocolsStayRaw) {
  auto f = udp_frame();
  store_be16(&f[20], kIpv4FlagMoreFragments);
  fix_ip_checksum(f);
  store_be16(&f[40], 0x1111);  // a fragment's UDP checksum cannot be checked
  auto r = parse_frame(f);
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_NE(r->ipv4(), nullptr);
  EXPECT_TRUE(r->ipv4()->ip.is_fragment());
  EXPECT_EQ(r->udp(), nullptr);
  EXPECT_EQ(std::get<RawBytes>(r->ipv4()->payload).size(), 13u);
  EXPECT_EQ(encode_frame(*r), f);
  EXPECT_FALSE(peek_frame(f)->udp);

  f = udp_frame();
  f[23] = std::byte{6};  // TCP
  fix_ip_checksum(f);
  r = parse_frame(f);
  ASSERT_TRUE(r);
  EXPECT_TRUE(std::holds_alternative<RawBytes>(r->ipv4()->payload));
  EXPECT_EQ(encode_frame(*r), f);

  f = udp_frame();
  store_be16(&f[12], 0x86dd);  // IPv6: out of scope, kept as bytes
  r = parse_frame(f);
  ASSERT_TRUE(r);
  EXPECT_EQ(std::get<RawBytes>(r->payload).size(), 33u);
  EXPECT_TRUE(r->trailer.empty());
  EXPECT_EQ(encode_frame(*r), f);
}

// IPv4 options are kept byte for byte and counted in IHL; the trailer after total_length too.
TEST(EdgeCases, Ipv4OptionsAndTrailer) {
  auto base = udp_frame();
  // Insert a 4-byte Router Alert option (RFC 2113: 94 04 00 00) after the fixed header.
  std::vector<std::byte> f(base.begin(), base.begin() + 34);
  for (auto b : hex("94 04 00 00")) f.push_back(b);
  f.insert(f.end(), base.begin() + 34, base.end());
  f[14] = std::byte{0x46};
  store_be16(&f[16], 37);
  fix_ip_checksum(f);
  for (int i = 0; i < 3; ++i) f.push_back(std::byte{0xee});  // trailer
  auto r = parse_frame(f);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->ipv4()->ip.ihl(), 6);
  EXPECT_EQ(r->ipv4()->ip.options, hex("94 04 00 00"));
  EXPECT_EQ(r->trailer, hex("ee ee ee"));
  EXPECT_EQ(encode_frame(*r), f);
  auto pk = peek_frame(f);
  ASSERT_TRUE(pk && pk->udp);
  EXPECT_EQ(pk->ipv4->header_length, 24);
  EXPECT_EQ(pk->udp->dst_port, 9999);
}

// encode_frame derives lengths and checksums from the content, whatever the fields say.
TEST(EdgeCases, EncodeFrameComputesLengthsAndChecksums) {
  auto r = parse_frame(udp_frame());
  ASSERT_TRUE(r);
  DecodedFrame f = *r;
  auto& ip = std::get<Ipv4Packet>(f.payload);
  auto& udp = std::get<UdpPacket>(ip.payload);
  ip.ip.total_length = 0;
  ip.ip.checksum = 0;
  udp.udp.length = 0;
  udp.udp.checksum = 0;
  EXPECT_EQ(encode_frame(f), udp_frame());
  std::get<RawBytes>(udp.payload).push_back(std::byte{'!'});
  auto again = parse_frame(encode_frame(f));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->ipv4()->ip.total_length, 34);
  EXPECT_EQ(again->udp()->udp.length, 14);
}
