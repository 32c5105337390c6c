// libFuzzer target for the frame stack (run by ctest with -runs=200000 over
// tests/fixtures/fuzz-corpus, seeded with every frame of the capture corpus). For any input:
// peek_frame and parse_frame never crash (ASan/UBSan watch); a frame parse_frame accepts
// re-encodes to the identical bytes, re-parses to an equal value, and agrees with
// peek_frame; a frame accepted with checksum verification off re-encodes to a frame that
// verifies. Any violation aborts with a message.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/peek.hpp"

using namespace dhcpsim::wire;

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "fuzz_frame_parser: %s\n", what);
  std::abort();
}

void check(bool ok, const char* what) {
  if (!ok) fail(what);
}

void check_peek(ConstBytes bytes, const DecodedFrame& f) {
  const auto pk = peek_frame(bytes);
  check(pk.has_value(), "peek_frame refused a frame parse_frame accepted");
  check(pk->dst == f.eth.dst && pk->src == f.eth.src && pk->ethertype == f.eth.ethertype,
        "peek_frame Ethernet fields differ");
  check(pk->arp.has_value() == (f.arp() != nullptr), "peek_frame ARP presence differs");
  if (const ArpPacket* a = f.arp())
    check(pk->arp->oper == a->oper && pk->arp->sha == a->sha && pk->arp->spa == a->spa &&
              pk->arp->tha == a->tha && pk->arp->tpa == a->tpa,
          "peek_frame ARP fields differ");
  check(pk->ipv4.has_value() == (f.ipv4() != nullptr), "peek_frame IPv4 presence differs");
  if (const Ipv4Packet* p = f.ipv4())
    check(pk->ipv4->protocol == p->ip.protocol && pk->ipv4->src == p->ip.src &&
              pk->ipv4->dst == p->ip.dst && pk->ipv4->ttl == p->ip.ttl &&
              pk->ipv4->header_length == p->ip.header_length(),
          "peek_frame IPv4 fields differ");
  check(pk->udp.has_value() == (f.udp() != nullptr), "peek_frame UDP presence differs");
  if (const UdpPacket* u = f.udp())
    check(pk->udp->src_port == u->udp.src_port && pk->udp->dst_port == u->udp.dst_port,
          "peek_frame UDP ports differ");
  check(pk->bootp.has_value() == (f.dhcp() != nullptr), "peek_frame BOOTP presence differs");
  if (const DhcpMessage* d = f.dhcp())
    check(pk->bootp->op == d->op && pk->bootp->htype == d->htype && pk->bootp->hlen == d->hlen &&
              pk->bootp->xid == d->xid && pk->bootp->flags == d->flags &&
              pk->bootp->giaddr == d->giaddr && pk->bootp->chaddr == d->client_mac(),
          "peek_frame BOOTP fields differ");
}

// Copies what encode_frame derives (lengths, checksums) from `from` into `to`.
void copy_derived_fields(const DecodedFrame& from, DecodedFrame& to) {
  auto* tp = std::get_if<Ipv4Packet>(&to.payload);
  if (!tp || !from.ipv4()) return;
  tp->ip.total_length = from.ipv4()->ip.total_length;
  tp->ip.checksum = from.ipv4()->ip.checksum;
  if (auto* tu = std::get_if<UdpPacket>(&tp->payload); tu && from.udp()) {
    tu->udp.length = from.udp()->udp.length;
    tu->udp.checksum = from.udp()->udp.checksum;
  }
  if (auto* ti = std::get_if<IcmpMessage>(&tp->payload); ti && from.icmp())
    ti->checksum = from.icmp()->checksum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ConstBytes bytes(reinterpret_cast<const std::byte*>(data), size);

  const auto pk = peek_frame(bytes);
  check(pk.has_value() == (size >= kEthernetHeaderSize), "peek_frame presence vs size");

  if (auto f = parse_frame(bytes)) {
    const auto encoded = encode_frame(*f);
    check(encoded.size() == size && std::equal(encoded.begin(), encoded.end(), bytes.begin()),
          "encode_frame(parse_frame(b)) != b");
    auto again = parse_frame(encoded);
    check(again.has_value(), "parse_frame(encode_frame(f)) failed");
    check(*again == *f, "parse_frame(encode_frame(f)) != f");
    check_peek(bytes, *f);
  }

  // Checksums off: the fuzzer gets past them and into DHCP/DNS more often.
  if (auto loose = parse_frame(bytes, FrameParseOptions{.verify_checksums = false})) {
    auto strict = parse_frame(encode_frame(*loose));
    check(strict.has_value(), "re-encoding an unverified parse does not verify");
    copy_derived_fields(*strict, *loose);
    check(*strict == *loose, "re-encoding an unverified parse changed a field");
    check_peek(encode_frame(*strict), *strict);
  }
  return 0;
}
