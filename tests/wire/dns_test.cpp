// DNS message codec (RFC 1035): names from/to text, compression pointers followed and
// their layout reproduced, every malformed-name case refused with the offset of the bad
// byte, all four sections, and the exact-message rule.

#include <gtest/gtest.h>

#include <cctype>
#include <string_view>

#include "dhcpsim/wire/dns.hpp"

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

// A header with one question and no records, followed by `rest`.
std::vector<std::byte> one_question(std::string_view rest) {
  return hex("ab cd 01 00 00 01 00 00 00 00 00 00" + std::string(rest));
}

void expect_error(const std::vector<std::byte>& msg, std::string_view what, std::size_t offset,
                  std::size_t base = 0) {
  auto r = DnsMessage::parse(msg, base);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().what, what);
  EXPECT_EQ(r.error().offset, offset + base);
}

std::vector<std::byte> encode(const DnsMessage& m) {
  std::vector<std::byte> out(m.encoded_size());
  EXPECT_EQ(m.encode(out), out.size());
  return out;
}

}  // namespace

// Names convert from dotted text (with or without the final dot) and back, with escapes.
TEST(DnsName, FromAndToString) {
  auto n = DnsName::from_string("www.Example.test.");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->labels, (std::vector<std::string>{"www", "Example", "test"}));
  EXPECT_EQ(n->to_string(), "www.Example.test");
  EXPECT_TRUE(n->same_name_as(*DnsName::from_string("WWW.example.TEST")));
  EXPECT_FALSE(n->same_name_as(*DnsName::from_string("www.example")));
  EXPECT_EQ(DnsName::from_string(".")->to_string(), ".");
  EXPECT_TRUE(DnsName::from_string("")->labels.empty());
  EXPECT_EQ(n->encoded_size(), 18u);

  EXPECT_FALSE(DnsName::from_string("a..b"));
  EXPECT_FALSE(DnsName::from_string(std::string(64, 'x') + ".test"));
  EXPECT_TRUE(DnsName::from_string(std::string(63, 'x') + ".test"));
  // 4 labels of 63 octets: 4 * 64 + 1 = 257 octets on the wire.
  const std::string l63(63, 'y');
  EXPECT_FALSE(DnsName::from_string(l63 + "." + l63 + "." + l63 + "." + l63));
  EXPECT_TRUE(DnsName::from_string(l63 + "." + l63 + "." + l63 + "." + std::string(61, 'z')));

  DnsName odd;
  odd.labels = {"a.b", "c\\d", std::string("\x01 ", 2)};
  EXPECT_EQ(odd.to_string(), "a\\.b.c\\\\d.\\001\\032");
}

// A pointer after inline labels ("mail" + pointer to "example.test") is followed, and the
// same layout is written back.
TEST(DnsMessage, CompressionAfterInlineLabels) {
  const auto msg =
      hex("00 07 81 80 00 01 00 01 00 00 00 00"
          "07 65 78 61 6d 70 6c 65 04 74 65 73 74 00 00 0f 00 01"             // example.test MX IN
          "04 6d 61 69 6c c0 0c 00 01 00 01 00 00 00 3c 00 04 0a 00 00 09");  // mail.<ptr 12>
  auto m = DnsMessage::parse(msg);
  ASSERT_TRUE(m) << m.error().to_string();
  ASSERT_EQ(m->answers.size(), 1u);
  const DnsName& name = m->answers[0].name;
  EXPECT_EQ(name.to_string(), "mail.example.test");
  ASSERT_TRUE(name.compression);
  EXPECT_EQ(name.compression->inline_labels, 1u);
  EXPECT_EQ(name.compression->offset, 12);
  EXPECT_EQ(name.encoded_size(), 7u);
  EXPECT_EQ(m->answers[0].a_address(), Ipv4Address::from_octets(10, 0, 0, 9));
  EXPECT_EQ(encode(*m), msg);
  // Dropping the layout writes the name uncompressed; it still parses to the same name.
  DnsMessage plain = *m;
  plain.answers[0].name.compression.reset();
  auto reparsed = DnsMessage::parse(encode(plain));
  ASSERT_TRUE(reparsed);
  EXPECT_EQ(*reparsed, plain);
  EXPECT_EQ(encode(plain).size(), msg.size() + 12);
}

// Records in the authority and additional sections parse as records too.
TEST(DnsMessage, AllFourSections) {
  DnsMessage m = DnsMessage::query(9, *DnsName::from_string("h.example.test"));
  m.flags |= kDnsFlagQr | kDnsFlagRa | kDnsRcodeNxDomain;
  DnsResourceRecord soa;
  soa.name = *DnsName::from_string("example.test");
  soa.type = 6;
  soa.ttl = 60;
  soa.rdata = hex("01 02 03");
  m.authorities.push_back(soa);
  m.additionals.push_back(DnsResourceRecord::a_record(*DnsName::from_string("ns.example.test"),
                                                      Ipv4Address::from_octets(10, 0, 0, 53), 5));
  const auto bytes = encode(m);
  EXPECT_EQ(bytes[7], std::byte{0});   // ANCOUNT
  EXPECT_EQ(bytes[9], std::byte{1});   // NSCOUNT
  EXPECT_EQ(bytes[11], std::byte{1});  // ARCOUNT
  auto back = DnsMessage::parse(bytes);
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(*back, m);
  EXPECT_EQ(back->rcode(), kDnsRcodeNxDomain);
  EXPECT_FALSE(back->authorities[0].a_address());
}

// Pointer loops, forward and out-of-range pointers, reserved label types, truncation and
// over-long names are refused at the offset of the offending byte (plus the base offset).
TEST(DnsMessage, MalformedNames) {
  // Self-loop and two-step loop.
  expect_error(one_question("c0 0c 00 01 00 01"),
               "DNS compression pointer loop: pointer to offset 12 re-enters the name being read",
               12, 42);
  expect_error(one_question("01 61 c0 0c 00 01 00 01"),
               "DNS compression pointer loop: pointer to offset 12 re-enters the name being read",
               14);
  // A pointer into a later name (the question's "a" + pointer to 17) is forward too.
  expect_error(hex("ab cd 81 00 00 01 00 01 00 00 00 00"
                   "01 61 c0 11 00 01 00 01"
                   "01 62 c0 0c 00 01 00 01 00 00 00 00 00 00"),
               "DNS compression pointer to offset 17 points forward", 14);
  expect_error(one_question("c0 20 00 01 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"),
               "DNS compression pointer to offset 32 points forward", 12);
  expect_error(one_question("c1 00 00 01 00 01"),
               "DNS compression pointer to offset 256 is beyond the 18-byte message", 12);
  expect_error(one_question("41 61 00 00 01 00 01"),
               "DNS label type 0x0040 is not supported (only plain labels and pointers)", 12);
  expect_error(one_question("80 00 01 00 01"),
               "DNS label type 0x0080 is not supported (only plain labels and pointers)", 12);
  expect_error(one_question("05 61 62"), "DNS label truncated: need 6 bytes, 3 left", 12);
  expect_error(one_question("01 61"), "DNS name truncated: need 1 byte, 0 left", 14);
  expect_error(one_question("c0"), "DNS compression pointer truncated: need 2 bytes, 1 left", 12);
  expect_error(one_question("00 00 01"), "DNS question truncated: need 4 bytes, 2 left", 13);
  // 5 labels of 63 octets: the fourth already passes 255.
  std::vector<std::byte> msg = one_question("");
  for (int i = 0; i < 5; ++i) {
    msg.push_back(std::byte{63});
    msg.insert(msg.end(), 63, std::byte{'a'});
  }
  msg.push_back(std::byte{0});
  auto r = DnsMessage::parse(msg);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().what, "DNS name longer than 255 octets");
  EXPECT_EQ(r.error().offset, 12u + 3 * 64);
}

// Resource records and the message end are checked: truncated RDATA, bytes after the end.
TEST(DnsMessage, RecordTruncationAndTrailingBytes) {
  const auto base =
      hex("00 01 81 80 00 00 00 01 00 00 00 00  00 00 01 00 01 00 00 00 3c 00 04 0a 00");
  expect_error(base, "DNS RDATA truncated: need 4 bytes, 2 left", 23);
  auto ok = base;
  ok.push_back(std::byte{0});
  ok.push_back(std::byte{1});
  auto m = DnsMessage::parse(ok);
  ASSERT_TRUE(m) << m.error().to_string();
  EXPECT_EQ(m->answers[0].name.to_string(), ".");
  EXPECT_EQ(encode(*m), ok);
  ok.push_back(std::byte{0});
  expect_error(ok, "1 bytes after the last DNS record", 27);
  expect_error(hex("00 01 81 80 00 00 00 01"), "DNS header truncated: need 12 bytes, 8 left", 0);
  expect_error(hex("00 01 81 80 00 00 00 01 00 00 00 00 00 00 01"),
               "DNS resource record truncated: need 10 bytes, 2 left", 13);
}
