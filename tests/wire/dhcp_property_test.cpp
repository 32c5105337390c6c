// Properties of the DHCP wire format (rapidcheck): messages built through the API survive
// encode/parse unchanged; arbitrary well-formed wire layouts (pads, repeated options, file
// and sname overload, trailers, no End) re-encode to their exact bytes, also after API
// mutations; and parse never crashes on arbitrary or mutated bytes, and whatever it accepts
// re-encodes to the same bytes.

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>

#include "dhcpsim/wire/dhcp.hpp"
#include "wire/dhcp_golden_messages.hpp"

namespace dhcpsim::wire {
namespace {

namespace opt = dhcp_option;

std::vector<std::byte> gen_bytes(std::size_t min_len, std::size_t max_len) {
  const auto n = *rc::gen::inRange<std::size_t>(min_len, max_len + 1);
  auto v = *rc::gen::container<std::vector<uint8_t>>(n, rc::gen::arbitrary<uint8_t>());
  std::vector<std::byte> out(v.size());
  std::transform(v.begin(), v.end(), out.begin(), [](uint8_t b) { return std::byte{b}; });
  return out;
}

// A value for `code` that dhcp_option_length_ok accepts; sometimes longer than 255 bytes.
std::vector<std::byte> gen_value(uint8_t code) {
  switch (code) {
    case opt::kSubnetMask:
    case opt::kRequestedIp:
    case opt::kLeaseTime:
    case opt::kServerId:
    case opt::kRenewalTime:
    case opt::kRebindingTime:
      return gen_bytes(4, 4);
    case opt::kMessageType:
      return gen_bytes(1, 1);
    case opt::kMaxMessageSize:
      return gen_bytes(2, 2);
    case opt::kRouter:
    case opt::kDnsServers: {
      auto v = gen_bytes(4, 4 * 80);
      v.resize(v.size() / 4 * 4);
      return v;
    }
    case opt::kParameterRequestList:
      return gen_bytes(1, 40);
    case opt::kClientId:
      return gen_bytes(2, 300);
    default:
      return *rc::gen::inRange(0, 5) == 0 ? gen_bytes(256, 700) : gen_bytes(0, 40);
  }
}

uint8_t gen_code() {
  // Mostly the codes the simulator uses, plus any other non-Pad/End/overload code.
  static const std::vector<uint8_t> common = {1,  3,  6,  12, 15, 50, 51, 53,
                                              54, 55, 56, 57, 58, 59, 61, 82};
  if (*rc::gen::inRange(0, 3) != 0) return *rc::gen::elementOf(common);
  uint8_t c = *rc::gen::inRange<uint8_t>(1, 255);
  return c == opt::kOverload ? uint8_t(224) : c;
}

void gen_header(DhcpMessage& m) {
  m.op = *rc::gen::arbitrary<uint8_t>();
  m.htype = *rc::gen::arbitrary<uint8_t>();
  m.hlen = *rc::gen::inRange<uint8_t>(0, 17);
  m.hops = *rc::gen::arbitrary<uint8_t>();
  m.xid = *rc::gen::arbitrary<uint32_t>();
  m.secs = *rc::gen::arbitrary<uint16_t>();
  m.flags = *rc::gen::arbitrary<uint16_t>();
  m.ciaddr = Ipv4Address(*rc::gen::arbitrary<uint32_t>());
  m.yiaddr = Ipv4Address(*rc::gen::arbitrary<uint32_t>());
  m.siaddr = Ipv4Address(*rc::gen::arbitrary<uint32_t>());
  m.giaddr = Ipv4Address(*rc::gen::arbitrary<uint32_t>());
  for (auto& b : m.chaddr) b = *rc::gen::arbitrary<uint8_t>();
  if (*rc::gen::arbitrary<bool>())
    for (auto& b : m.sname) b = *rc::gen::arbitrary<uint8_t>();
  if (*rc::gen::arbitrary<bool>())
    for (auto& b : m.file) b = *rc::gen::arbitrary<uint8_t>();
}

// One random API operation on `o`.
void mutate(DhcpOptions& o) {
  switch (*rc::gen::inRange(0, 10)) {
    case 0:
    case 1:
    case 2: {  // set a (maybe new, maybe existing) code
      const uint8_t code = gen_code();
      o.set(code, gen_value(code));
      break;
    }
    case 3: {  // replace an existing code's value
      if (o.empty()) break;
      const uint8_t code = o[*rc::gen::inRange<std::size_t>(0, o.size())].code;
      if (code == opt::kOverload) break;
      o.set(code, gen_value(code));
      break;
    }
    case 4: {  // remove an existing code (maybe 52)
      if (o.empty()) break;
      o.remove(o[*rc::gen::inRange<std::size_t>(0, o.size())].code);
      break;
    }
    case 5: {  // overload file/sname, or set a value that overloads nothing
      o.set_u8(opt::kOverload, *rc::gen::element<uint8_t>(1, 2, 3, 0, 9));
      break;
    }
    case 6: {
      const auto area =
          *rc::gen::element(DhcpOptionArea::Options, DhcpOptionArea::File, DhcpOptionArea::Sname);
      o.insert_pad(area, *rc::gen::inRange<std::size_t>(1, 300));
      break;
    }
    case 7:
      o.set_trailing_bytes(gen_bytes(0, 80));
      break;
    case 8:
      o.set_string(opt::kHostName, std::string(*rc::gen::inRange(0, 300), 'h'));
      break;
    default:
      o.remove(opt::kOverload);
      break;
  }
}

void check_round_trip(const DhcpMessage& m) {
  const auto bytes = m.encode_to_vector();
  RC_ASSERT(bytes.size() == m.encoded_size());
  auto p = DhcpMessage::parse(bytes);
  if (!p) RC_FAIL(p.error().to_string());
  RC_ASSERT(*p == m);
  RC_ASSERT(p->encode_to_vector() == bytes);
}

// Messages built by any sequence of API calls satisfy parse(encode(m)) == m.
RC_GTEST_PROP(DhcpProperties, ApiBuiltMessagesRoundTrip, ()) {
  DhcpMessage m;
  gen_header(m);
  const int steps = *rc::gen::inRange(0, 25);
  for (int i = 0; i < steps; ++i) mutate(m.options);
  if (*rc::gen::arbitrary<bool>()) m.pad_to_bootp_minimum();
  check_round_trip(m);
}

// --- Raw wire layouts ----------------------------------------------------------------------

// Appends random instances to `out` using at most `room` bytes (unbounded if room == 0 and
// !bounded). Codes come from a pool of unconstrained codes so repeated instances stay valid.
void gen_instances(std::vector<std::byte>& out, std::size_t room, bool bounded) {
  static const std::vector<uint8_t> pool = {2, 4, 12, 15, 43, 60, 77, 82, 121, 200, 250};
  const int n = *rc::gen::inRange(0, 12);
  for (int i = 0; i < n; ++i) {
    const std::size_t left = bounded ? room - std::min(room, out.size()) : 1000;
    if (left < 2) break;
    if (*rc::gen::inRange(0, 4) == 0) {
      const auto pads = *rc::gen::inRange<std::size_t>(1, std::min<std::size_t>(left, 300) + 1);
      out.insert(out.end(), pads, std::byte{0});
      continue;
    }
    const uint8_t code = *rc::gen::elementOf(pool);
    const auto len = *rc::gen::inRange<std::size_t>(0, std::min<std::size_t>(left - 2, 255) + 1);
    out.push_back(std::byte{code});
    out.push_back(std::byte(len));
    auto v = gen_bytes(len, len);
    out.insert(out.end(), v.begin(), v.end());
  }
}

// Ends an area: End + trailer, or (for a fixed field) pads to fill it, or nothing.
void gen_area_end(std::vector<std::byte>& area, std::size_t capacity) {
  const int mode = *rc::gen::inRange(0, 3);
  if (capacity == 0) {
    if (mode != 0) {
      area.push_back(std::byte{255});
      auto t = gen_bytes(0, 80);
      area.insert(area.end(), t.begin(), t.end());
    }
    return;
  }
  if (area.size() < capacity && mode != 0) {
    area.push_back(std::byte{255});
    while (area.size() < capacity) area.push_back(std::byte(*rc::gen::arbitrary<uint8_t>()));
  }
  area.resize(capacity, std::byte{0});  // pads up to the end of the field
}

std::vector<std::byte> gen_wire_message() {
  DhcpMessage header;
  gen_header(header);
  auto msg = header.encode_to_vector();     // header, sname, file, cookie, End
  msg.resize(DhcpMessage::kOptionsOffset);  // the options are generated below
  const uint8_t overload = *rc::gen::element<uint8_t>(0, 0, 1, 2, 3, 7);
  std::vector<std::byte> options;
  if (*rc::gen::arbitrary<bool>())
    options.insert(options.end(),
                   {std::byte{53}, std::byte{1}, std::byte(*rc::gen::inRange(1, 14))});
  if (overload != 0)
    options.insert(options.end(), {std::byte{52}, std::byte{1}, std::byte{overload}});
  gen_instances(options, 0, false);
  gen_area_end(options, 0);
  msg.insert(msg.end(), options.begin(), options.end());
  if (overload == 1 || overload == 3) {
    std::vector<std::byte> file;
    gen_instances(file, 128, true);
    gen_area_end(file, 128);
    std::copy(file.begin(), file.end(), msg.begin() + DhcpMessage::kFileOffset);
  }
  if (overload == 2 || overload == 3) {
    std::vector<std::byte> sname;
    gen_instances(sname, 64, true);
    gen_area_end(sname, 64);
    std::copy(sname.begin(), sname.end(), msg.begin() + DhcpMessage::kSnameOffset);
  }
  return msg;
}

// Any well-formed wire layout re-encodes to exactly its bytes; after API mutations the
// message still satisfies parse(encode(m)) == m.
RC_GTEST_PROP(DhcpProperties, WireLayoutsReencodeExactlyAndSurviveMutation, ()) {
  const auto bytes = gen_wire_message();
  auto m = DhcpMessage::parse(bytes);
  if (!m) RC_FAIL(m.error().to_string());
  RC_ASSERT(m->encode_to_vector() == bytes);
  const int steps = *rc::gen::inRange(0, 10);
  for (int i = 0; i < steps; ++i) mutate(m->options);
  check_round_trip(*m);
}

// --- Robustness ------------------------------------------------------------------------------

// parse never crashes (ASan/UBSan build) on arbitrary bytes, with or without a valid cookie;
// whatever it accepts re-encodes to the same bytes.
RC_GTEST_PROP(DhcpProperties, ParseArbitraryBytes, ()) {
  auto bytes = gen_bytes(0, 700);
  if (bytes.size() >= 240 && *rc::gen::arbitrary<bool>()) {
    store_be32(&bytes[DhcpMessage::kCookieOffset], DhcpMessage::kMagicCookie);
    bytes[2] = std::byte{6};
    if (bytes.size() > 240 && *rc::gen::arbitrary<bool>())
      bytes[240] = std::byte{52};  // overload often
  }
  const auto base = *rc::gen::inRange<std::size_t>(0, 100);
  auto m = DhcpMessage::parse(bytes, base);
  if (m) {
    RC_ASSERT(m->encode_to_vector() == bytes);
  } else {
    RC_ASSERT(m.error().offset >= base);
    RC_ASSERT(m.error().offset <= base + bytes.size());
    RC_ASSERT(!m.error().what.empty());
  }
}

// Mutations (byte flips, truncation, extension) of valid messages never crash parse, and
// whatever it accepts re-encodes to the same bytes.
RC_GTEST_PROP(DhcpProperties, ParseMutatedMessages, ()) {
  std::vector<std::byte> bytes;
  switch (*rc::gen::inRange(0, 3)) {
    case 0:
      bytes = golden::relayed_discover().encode_to_vector();
      break;
    case 1:
      bytes = golden::ack().encode_to_vector();
      break;
    default:
      bytes = gen_wire_message();
      break;
  }
  const int flips = *rc::gen::inRange(1, 8);
  for (int i = 0; i < flips; ++i) {
    const auto at = *rc::gen::inRange<std::size_t>(DhcpMessage::kSnameOffset, bytes.size());
    bytes[at] = std::byte(*rc::gen::arbitrary<uint8_t>());
  }
  switch (*rc::gen::inRange(0, 3)) {
    case 0:
      bytes.resize(*rc::gen::inRange<std::size_t>(0, bytes.size() + 1));
      break;
    case 1: {
      auto extra = gen_bytes(1, 40);
      bytes.insert(bytes.end(), extra.begin(), extra.end());
      break;
    }
    default:
      break;
  }
  auto m = DhcpMessage::parse(bytes);
  if (m) RC_ASSERT(m->encode_to_vector() == bytes);
  DhcpMessage reused = golden::offer();
  auto r = DhcpMessage::parse_into(reused, bytes);
  RC_ASSERT(bool(r) == bool(m));
  if (r) RC_ASSERT(reused == *m);
}

}  // namespace
}  // namespace dhcpsim::wire
