// Golden bytes for the non-DHCP wire formats. Each frame below was written once to a pcap
// file with PcapWriter and decoded with `tshark -o ip.check_checksum:TRUE -o
// udp.check_checksum:TRUE -r F -V` (TShark 4.0.17): tshark showed the fields named in each
// test's comment, "[correct]"/"Good" for every IPv4, UDP and ICMP checksum, "Is probe:
// True" for the probe, "Is gratuitous / Is announcement: True" for the announcement, and
// no "Malformed" or expert warning. The tests check both directions: the structs encode
// to these bytes, and the bytes parse (alone and as a whole frame) to these structs.

#include <gtest/gtest.h>

#include <cctype>
#include <string_view>

#include "dhcpsim/wire/arp.hpp"
#include "dhcpsim/wire/dns.hpp"
#include "dhcpsim/wire/ethernet.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/icmp.hpp"
#include "dhcpsim/wire/ipv4.hpp"
#include "dhcpsim/wire/udp.hpp"

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

const MacAddress kMacA = MacAddress::from_u64(0x02005e100001);
const MacAddress kMacB = MacAddress::from_u64(0x02005e100002);
const Ipv4Address kIpA = Ipv4Address::from_octets(10, 0, 0, 1);
const Ipv4Address kIpB = Ipv4Address::from_octets(10, 0, 0, 2);
const Ipv4Address kIpProbed = Ipv4Address::from_octets(10, 0, 0, 50);

std::vector<std::byte> encode_arp(const ArpPacket& a) {
  std::vector<std::byte> v(a.encoded_size());
  EXPECT_EQ(a.encode(v), 28u);
  return v;
}

// Encodes the ARP frame both with the builder and through encode_frame; checks that both
// give `golden`, and that the golden bytes parse back to the same packet.
void check_arp_frame(const char* golden_hex, MacAddress eth_dst, MacAddress eth_src,
                     const ArpPacket& arp) {
  const auto golden = hex(golden_hex);
  ASSERT_EQ(golden.size(), 42u);
  EXPECT_EQ(to_vector(ConstBytes(golden).subspan(14)), encode_arp(arp));

  std::vector<std::byte> built(64);
  const std::size_t n =
      encode_arp_frame(ArpFrameSpec{eth_src, eth_dst, arp, /*pad_to_min=*/false}, built);
  built.resize(n);
  EXPECT_EQ(built, golden);

  const DecodedFrame frame{EthernetHeader{eth_dst, eth_src, kEtherTypeArp}, arp, {}};
  EXPECT_EQ(encode_frame(frame), golden);
  auto parsed = parse_frame(golden);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(*parsed, frame);
  auto alone = ArpPacket::parse(ConstBytes(golden).subspan(14), 14);
  ASSERT_TRUE(alone);
  EXPECT_EQ(*alone, arp);
}

}  // namespace

// ARP request who-has 10.0.0.2 tell 10.0.0.1 (tshark: Opcode request (1), Ethernet/IPv4).
TEST(GoldenArp, Request) {
  const auto arp = ArpPacket::request(kMacA, kIpA, kIpB);
  EXPECT_FALSE(arp.is_probe());
  EXPECT_FALSE(arp.is_announcement());
  check_arp_frame(
      "ff ff ff ff ff ff 02 00 5e 10 00 01 08 06 00 01"
      "08 00 06 04 00 01 02 00 5e 10 00 01 0a 00 00 01"
      "00 00 00 00 00 00 0a 00 00 02",
      MacAddress::broadcast(), kMacA, arp);
}

// ARP reply 10.0.0.2 is-at 02:00:5e:10:00:02 (tshark: Opcode reply (2)).
TEST(GoldenArp, Reply) {
  const auto arp = ArpPacket::reply(kMacB, kIpB, kMacA, kIpA);
  EXPECT_FALSE(arp.is_probe());
  EXPECT_FALSE(arp.is_announcement());
  check_arp_frame(
      "02 00 5e 10 00 01 02 00 5e 10 00 02 08 06 00 01"
      "08 00 06 04 00 02 02 00 5e 10 00 02 0a 00 00 02"
      "02 00 5e 10 00 01 0a 00 00 01",
      kMacA, kMacB, arp);
}

// RFC 5227 probe for 10.0.0.50: sender IP 0.0.0.0, target MAC zero (tshark: "ARP Probe").
TEST(GoldenArp, Probe) {
  const auto arp = ArpPacket::probe(kMacB, kIpProbed);
  EXPECT_TRUE(arp.is_probe());
  EXPECT_FALSE(arp.is_announcement());
  check_arp_frame(
      "ff ff ff ff ff ff 02 00 5e 10 00 02 08 06 00 01"
      "08 00 06 04 00 01 02 00 5e 10 00 02 00 00 00 00"
      "00 00 00 00 00 00 0a 00 00 32",
      MacAddress::broadcast(), kMacB, arp);
}

// RFC 5227 announcement (gratuitous ARP request, spa == tpa == 10.0.0.50; tshark: "ARP
// Announcement", Is gratuitous: True).
TEST(GoldenArp, GratuitousAnnouncement) {
  const auto arp = ArpPacket::announcement(kMacB, kIpProbed);
  EXPECT_FALSE(arp.is_probe());
  EXPECT_TRUE(arp.is_announcement());
  EXPECT_TRUE(arp.is_gratuitous());
  check_arp_frame(
      "ff ff ff ff ff ff 02 00 5e 10 00 02 08 06 00 01"
      "08 00 06 04 00 01 02 00 5e 10 00 02 0a 00 00 32"
      "00 00 00 00 00 00 0a 00 00 32",
      MacAddress::broadcast(), kMacB, arp);
}

namespace {
std::vector<std::byte> ascii(std::string_view s) {
  return to_vector(as_bytes(s.data(), s.size()));
}

Ipv4Header ip_header(uint16_t id, uint16_t flags, uint8_t protocol, Ipv4Address src,
                     Ipv4Address dst, uint16_t total_length, uint16_t checksum) {
  Ipv4Header h;
  h.identification = id;
  h.flags_fragment = flags;
  h.ttl = 64;
  h.protocol = protocol;
  h.src = src;
  h.dst = dst;
  h.total_length = total_length;
  h.checksum = checksum;
  return h;
}
}  // namespace

// ICMP echo request 10.0.0.1 -> 10.0.0.2, id 0x1234 seq 1, data "abcdefgh", DF set
// (tshark: Echo (ping) request, IPv4 checksum 0x0a91 correct, ICMP checksum 0x5435 correct).
TEST(GoldenIcmp, EchoRequest) {
  const auto golden =
      hex("02 00 5e 10 00 02 02 00 5e 10 00 01 08 00 45 00"
          "00 24 1c 46 40 00 40 01 0a 91 0a 00 00 01 0a 00"
          "00 02 08 00 54 35 12 34 00 01 61 62 63 64 65 66"
          "67 68");
  IcmpMessage echo = IcmpMessage::echo_request(0x1234, 1, ascii("abcdefgh"));
  echo.checksum = 0x5435;
  const DecodedFrame expected{
      EthernetHeader{kMacB, kMacA, kEtherTypeIpv4},
      Ipv4Packet{ip_header(0x1c46, kIpv4FlagDontFragment, kIpProtoIcmp, kIpA, kIpB, 36, 0x0a91),
                 echo},
      {}};
  auto parsed = parse_frame(golden);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(*parsed, expected);
  ASSERT_NE(parsed->icmp(), nullptr);
  EXPECT_TRUE(parsed->icmp()->is_echo_request());
  EXPECT_EQ(parsed->icmp()->identifier(), 0x1234);
  EXPECT_EQ(parsed->icmp()->sequence(), 1);
  EXPECT_EQ(encode_frame(expected), golden);
  EXPECT_EQ(echo.compute_checksum(), 0x5435);

  std::vector<std::byte> built(100);
  const std::size_t n = encode_icmp_echo_frame(IcmpEchoFrameSpec{.src_mac = kMacA,
                                                                 .dst_mac = kMacB,
                                                                 .src_ip = kIpA,
                                                                 .dst_ip = kIpB,
                                                                 .reply = false,
                                                                 .identifier = 0x1234,
                                                                 .sequence = 1,
                                                                 .ip_id = 0x1c46,
                                                                 .dont_fragment = true,
                                                                 .pad_to_min = false},
                                               ascii("abcdefgh"), built);
  built.resize(n);
  EXPECT_EQ(built, golden);
}

// ICMP echo reply 10.0.0.2 -> 10.0.0.1 echoing the request (tshark: Echo (ping) reply,
// id 0x1234 seq 1, checksums 0xecc6 / 0x5c35 correct).
TEST(GoldenIcmp, EchoReply) {
  const auto golden =
      hex("02 00 5e 10 00 01 02 00 5e 10 00 02 08 00 45 00"
          "00 24 7a 10 00 00 40 01 ec c6 0a 00 00 02 0a 00"
          "00 01 00 00 5c 35 12 34 00 01 61 62 63 64 65 66"
          "67 68");
  IcmpMessage reply =
      IcmpMessage::echo_reply_to(IcmpMessage::echo_request(0x1234, 1, ascii("abcdefgh")));
  reply.checksum = 0x5c35;
  const DecodedFrame expected{
      EthernetHeader{kMacA, kMacB, kEtherTypeIpv4},
      Ipv4Packet{ip_header(0x7a10, 0, kIpProtoIcmp, kIpB, kIpA, 36, 0xecc6), reply},
      {}};
  auto parsed = parse_frame(golden);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(*parsed, expected);
  EXPECT_TRUE(parsed->icmp()->is_echo_reply());
  EXPECT_EQ(encode_frame(expected), golden);
  // The ICMP message alone, at its absolute offset.
  auto alone = IcmpMessage::parse(ConstBytes(golden).subspan(34), 34);
  ASSERT_TRUE(alone);
  EXPECT_EQ(*alone, reply);
}

// UDP 10.0.0.1:40000 -> 10.0.0.2:9999 carrying "hello" (tshark: Length 13, checksum 0xe4af
// correct, IPv4 checksum 0x66c9 correct, 47-byte frame without padding).
TEST(GoldenUdp, Datagram) {
  const auto golden =
      hex("02 00 5e 10 00 02 02 00 5e 10 00 01 08 00 45 00"
          "00 21 00 01 00 00 40 11 66 c9 0a 00 00 01 0a 00"
          "00 02 9c 40 27 0f 00 0d e4 af 68 65 6c 6c 6f");
  const DecodedFrame expected{
      EthernetHeader{kMacB, kMacA, kEtherTypeIpv4},
      Ipv4Packet{ip_header(1, 0, kIpProtoUdp, kIpA, kIpB, 33, 0x66c9),
                 UdpPacket{UdpHeader{40000, 9999, 13, 0xe4af, true}, ascii("hello")}},
      {}};
  auto parsed = parse_frame(golden);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(*parsed, expected);
  EXPECT_EQ(encode_frame(expected), golden);

  std::vector<std::byte> built(100);
  UdpFrameSpec spec{kMacA, kMacB, kIpA, kIpB, 40000, 9999};
  spec.ip_id = 1;
  spec.pad_to_min = false;
  EXPECT_EQ(encode_udp_frame(spec, ascii("hello"), built), 47u);
  built.resize(47);
  EXPECT_EQ(built, golden);

  // With padding (the default) the same datagram plus 13 zero bytes of trailer.
  std::vector<std::byte> padded(100);
  spec.pad_to_min = true;
  EXPECT_EQ(encode_udp_frame(spec, ascii("hello"), padded), 60u);
  padded.resize(60);
  auto parsed_padded = parse_frame(padded);
  ASSERT_TRUE(parsed_padded);
  EXPECT_EQ(parsed_padded->payload, expected.payload);
  EXPECT_EQ(parsed_padded->trailer, std::vector<std::byte>(13));
}

namespace {
const char* kDnsQueryHex =
    "02 00 5e 10 00 01 02 00 5e 10 00 02 08 00 45 00"
    "00 40 00 02 00 00 40 11 66 a9 0a 00 00 02 0a 00"
    "00 01 cf 08 00 35 00 2c 3b d2 be ef 01 00 00 01"
    "00 00 00 00 00 00 05 68 6f 73 74 31 07 65 78 61"
    "6d 70 6c 65 04 74 65 73 74 00 00 01 00 01";
const char* kDnsResponseHex =
    "02 00 5e 10 00 02 02 00 5e 10 00 01 08 00 45 00"
    "00 50 00 03 00 00 40 11 66 98 0a 00 00 01 0a 00"
    "00 02 00 35 cf 08 00 3c eb ef be ef 85 80 00 01"
    "00 01 00 00 00 00 05 68 6f 73 74 31 07 65 78 61"
    "6d 70 6c 65 04 74 65 73 74 00 00 01 00 01 c0 0c"
    "00 01 00 01 00 00 01 2c 00 04 0a 00 00 02";
}  // namespace

// DNS standard query, id 0xbeef, RD, host1.example.test A IN, 10.0.0.2:53000 -> 10.0.0.1:53
// (tshark: "Standard query", Questions 1, UDP checksum 0x3bd2 correct).
TEST(GoldenDns, Query) {
  const auto golden = hex(kDnsQueryHex);
  const DnsMessage query = DnsMessage::query(0xbeef, *DnsName::from_string("host1.example.test"));
  const DecodedFrame expected{EthernetHeader{kMacA, kMacB, kEtherTypeIpv4},
                              Ipv4Packet{ip_header(2, 0, kIpProtoUdp, kIpB, kIpA, 64, 0x66a9),
                                         UdpPacket{UdpHeader{53000, 53, 44, 0x3bd2, true}, query}},
                              {}};
  auto parsed = parse_frame(golden);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(*parsed, expected);
  EXPECT_EQ(encode_frame(expected), golden);
  ASSERT_NE(parsed->dns(), nullptr);
  EXPECT_FALSE(parsed->dns()->is_response());
  EXPECT_EQ(parsed->dns()->questions.at(0).name.to_string(), "host1.example.test");
}

// DNS response whose answer name is the compression pointer 0xc00c to the question name
// (tshark: "Standard query response, No error", answer host1.example.test A 10.0.0.2 TTL
// 300, UDP checksum 0xebef correct).
TEST(GoldenDns, ResponseWithCompressionPointer) {
  const auto golden = hex(kDnsResponseHex);
  DnsMessage response = DnsMessage::query(0xbeef, *DnsName::from_string("host1.example.test"));
  response.flags = kDnsFlagQr | kDnsFlagAa | kDnsFlagRd | kDnsFlagRa;
  DnsResourceRecord answer =
      DnsResourceRecord::a_record(*DnsName::from_string("host1.example.test"), kIpB, 300);
  answer.name.compression = DnsName::Compression{0, 12};
  response.answers.push_back(answer);
  const DecodedFrame expected{
      EthernetHeader{kMacB, kMacA, kEtherTypeIpv4},
      Ipv4Packet{ip_header(3, 0, kIpProtoUdp, kIpA, kIpB, 80, 0x6698),
                 UdpPacket{UdpHeader{53, 53000, 60, 0xebef, true}, response}},
      {}};
  auto parsed = parse_frame(golden);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  EXPECT_EQ(*parsed, expected);
  EXPECT_EQ(encode_frame(*parsed), golden);
  const DnsMessage& dns = *parsed->dns();
  EXPECT_TRUE(dns.is_response());
  EXPECT_EQ(dns.rcode(), kDnsRcodeNoError);
  ASSERT_EQ(dns.answers.size(), 1u);
  EXPECT_EQ(dns.answers[0].name.labels, (std::vector<std::string>{"host1", "example", "test"}));
  EXPECT_TRUE(dns.answers[0].name.same_name_as(dns.questions[0].name));
  EXPECT_EQ(dns.answers[0].a_address(), kIpB);
  EXPECT_EQ(dns.answers[0].ttl, 300u);
}
