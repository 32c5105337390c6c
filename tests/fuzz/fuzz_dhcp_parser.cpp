// libFuzzer target for the DHCP message parser (run by ctest with -runs=200000 over
// tests/fixtures/fuzz-corpus-dhcp_parser, the DHCP payloads of the capture corpus plus a few
// hand-made overload / long-option / option 82 messages; tools/seed_dhcp_fuzz_corpus.py).
// For any input: DhcpMessage::parse never crashes (ASan/UBSan watch) and a refusal names an
// offset inside the input; a message it accepts re-encodes to the identical bytes,
// re-parses to an equal value, parses the same into a reused message, survives every typed
// getter, and its option 82 sub-options re-encode to the option's bytes; and after one
// mutation through the DhcpOptions API (chosen by the input) parse(encode(m)) == m still
// holds. Any violation aborts with a message.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "dhcpsim/wire/dhcp.hpp"

using namespace dhcpsim::wire;

namespace {

// Errors are reported relative to where the payload would sit in a frame (Ethernet + IPv4
// + UDP), as parse_frame passes it.
constexpr std::size_t kBase = 42;

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_dhcp_parser: %s\n", what);
  std::abort();
}

void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

void exercise_getters(const DhcpMessage& m) {
  const DhcpOptions& o = m.options;
  (void)o.message_type();
  (void)o.server_id();
  (void)o.requested_ip();
  (void)o.lease_time();
  (void)o.renewal_time();
  (void)o.rebinding_time();
  (void)o.subnet_mask();
  (void)o.routers();
  (void)o.dns_servers();
  (void)o.client_id();
  (void)o.parameter_request_list();
  (void)o.host_name();
  (void)o.domain_name();
  (void)o.message();
  (void)o.max_message_size();
  (void)o.overload();
  (void)m.client_mac();
  std::size_t logical = 0;
  for (const DhcpOption opt : o) {
    check(opt.code != dhcp_option::kPad && opt.code != dhcp_option::kEnd, "Pad/End as an option");
    check(o.get(opt.code).has_value(), "iterated option not found by get()");
    ++logical;
  }
  check(logical == o.size(), "iteration count != size()");
  if (auto rai = o.relay_agent_info(); rai && rai->has_value()) {
    const auto encoded = (*rai)->encode();
    const auto value = *o.get(dhcp_option::kRelayAgentInfo);
    check(
        encoded.size() == value.size() && std::equal(encoded.begin(), encoded.end(), value.begin()),
        "option 82 sub-options do not re-encode to the option value");
  }
}

// One mutation through the API, picked by the input's bytes, must keep
// parse(encode(m)) == m (dhcp_options.hpp: "the mutators keep the layout consistent").
void check_mutation(DhcpMessage m, ConstBytes input) {
  const uint8_t code = uint8_t(input[4]);  // the first xid byte
  const uint8_t action = uint8_t(input[5]) % 4;
  if (code == dhcp_option::kPad || code == dhcp_option::kEnd) return;
  switch (action) {
    case 0:
      m.options.remove(code);
      break;
    case 1:
    case 2: {
      // A value from the chaddr/sname bytes, up to 300 bytes (exercises RFC 3396 splits).
      const std::size_t len = (std::size_t(uint8_t(input[6])) * (action == 2 ? 2 : 1)) %
                              (input.size() - DhcpMessage::kSnameOffset + 1);
      const auto value = input.subspan(DhcpMessage::kSnameOffset, len);
      if (!dhcp_option_length_ok(code, value.size())) return;
      m.options.set(code, value);
      break;
    }
    default:
      m.pad_to_bootp_minimum();
      break;
  }
  auto again = DhcpMessage::parse(m.encode_to_vector());
  check(again.has_value(), "parse(encode(m)) failed after a mutation");
  check(*again == m, "parse(encode(m)) != m after a mutation");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ConstBytes bytes(reinterpret_cast<const std::byte*>(data), size);

  auto m = DhcpMessage::parse(bytes, kBase);
  if (!m) {
    check(!m.error().what.empty(), "empty error text");
    check(m.error().offset >= kBase && m.error().offset <= kBase + size,
          "error offset outside the input");
    return 0;
  }

  check(m->encoded_size() == size, "encoded_size() != input size");
  const auto encoded = m->encode_to_vector();
  check(encoded.size() == size && std::equal(encoded.begin(), encoded.end(), bytes.begin()),
        "encode(parse(b)) != b");
  auto again = DhcpMessage::parse(encoded);
  check(again.has_value(), "parse(encode(m)) failed");
  check(*again == *m, "parse(encode(m)) != m");

  // The allocation-reusing path agrees with the plain one, whatever the message held before.
  static DhcpMessage reused;
  check(DhcpMessage::parse_into(reused, bytes).has_value(),
        "parse_into refused what parse accepted");
  check(reused == *m, "parse_into != parse");

  exercise_getters(*m);
  check_mutation(*m, bytes);
  return 0;
}
