// Wire-format throughput (Google Benchmark). Run from a Release build:
//   build/release/bench/bench_wire --benchmark_min_time=1
//
// DHCP section: parse and encode of typical ~300-byte messages, and one full DORA + RELEASE
// exchange at the wire level (what a server or client engine does per lease: DISCOVER parse,
// OFFER build + encode, REQUEST parse, ACK build + encode, RELEASE parse). The simulator's
// budget is >= 500,000 such exchanges per second including the engines, so the wire part
// should stay well under 2 us.
//
// Frame section (Ethernet/IPv4/UDP/ARP/...): below the DHCP section, owned by the frame
// decoder's author.

#include <benchmark/benchmark.h>

#include <array>
#include <vector>

#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::wire {
namespace {

// =========================================================================================
// DHCP
// =========================================================================================

namespace opt = dhcp_option;

constexpr Ipv4Address kServer = Ipv4Address::from_octets(10, 66, 1, 1);
constexpr Ipv4Address kLeased = Ipv4Address::from_octets(10, 66, 1, 100);
const MacAddress kMac = MacAddress::from_u64(0x026601000002);

void client_options(DhcpOptions& o) {
  std::array<std::byte, 7> id{std::byte{1}};
  for (std::size_t i = 0; i < 6; ++i) id[i + 1] = std::byte{kMac.bytes()[i]};
  o.set(opt::kClientId, id);
  o.set_u16(opt::kMaxMessageSize, 1500);
  o.set_string(opt::kHostName, "client-1");
  const std::array<std::byte, 7> prl{std::byte{1},  std::byte{3},  std::byte{6}, std::byte{15},
                                     std::byte{51}, std::byte{58}, std::byte{59}};
  o.set(opt::kParameterRequestList, prl);
}

DhcpMessage client_message(DhcpMessageType type) {
  DhcpMessage m;
  m.xid = 0x3903f326;
  m.set_client_mac(kMac);
  m.options.set_message_type(type);
  return m;
}

DhcpMessage discover() {
  auto m = client_message(DhcpMessageType::Discover);
  client_options(m.options);
  m.pad_to_bootp_minimum();
  return m;
}

DhcpMessage request() {
  auto m = client_message(DhcpMessageType::Request);
  client_options(m.options);
  m.options.set_ip(opt::kRequestedIp, kLeased);
  m.options.set_ip(opt::kServerId, kServer);
  m.pad_to_bootp_minimum();
  return m;
}

DhcpMessage release() {
  auto m = client_message(DhcpMessageType::Release);
  m.ciaddr = kLeased;
  m.options.set_ip(opt::kServerId, kServer);
  m.pad_to_bootp_minimum();
  return m;
}

// What a server engine does to answer: copy the request's identity, set the lease options.
void build_reply(DhcpMessage& reply, const DhcpMessage& req, DhcpMessageType type) {
  reply.op = DhcpMessage::kBootReply;
  reply.htype = req.htype;
  reply.hlen = req.hlen;
  reply.hops = 0;
  reply.xid = req.xid;
  reply.secs = 0;
  reply.flags = req.flags;
  reply.ciaddr = Ipv4Address{};
  reply.yiaddr = kLeased;
  reply.siaddr = Ipv4Address{};
  reply.giaddr = req.giaddr;
  reply.chaddr = req.chaddr;
  reply.sname.fill(0);
  reply.file.fill(0);
  auto& o = reply.options;
  o.clear();
  o.set_message_type(type);
  o.set_ip(opt::kServerId, kServer);
  o.set_u32(opt::kLeaseTime, 3600);
  o.set_u32(opt::kRenewalTime, 1800);
  o.set_u32(opt::kRebindingTime, 3150);
  o.set_ip(opt::kSubnetMask, Ipv4Address::from_octets(255, 255, 255, 0));
  const Ipv4Address routers[] = {kServer};
  o.set_ips(opt::kRouter, routers);
  const Ipv4Address dns[] = {Ipv4Address::from_octets(10, 66, 1, 53),
                             Ipv4Address::from_octets(10, 66, 1, 54)};
  o.set_ips(opt::kDnsServers, dns);
  reply.pad_to_bootp_minimum();
}

void set_counters(benchmark::State& state, std::size_t bytes_per_item) {
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(bytes_per_item));
}

void BM_DhcpParseDiscover(benchmark::State& state) {
  const auto bytes = discover().encode_to_vector();
  for (auto _ : state) {
    auto m = DhcpMessage::parse(bytes);
    benchmark::DoNotOptimize(m);
  }
  set_counters(state, bytes.size());
}
BENCHMARK(BM_DhcpParseDiscover);

void BM_DhcpParseIntoDiscover(benchmark::State& state) {
  const auto bytes = discover().encode_to_vector();
  DhcpMessage m;
  for (auto _ : state) {
    auto r = DhcpMessage::parse_into(m, bytes);
    benchmark::DoNotOptimize(r);
    benchmark::DoNotOptimize(m);
  }
  set_counters(state, bytes.size());
}
BENCHMARK(BM_DhcpParseIntoDiscover);

void BM_DhcpParseAck(benchmark::State& state) {
  DhcpMessage ack;
  build_reply(ack, request(), DhcpMessageType::Ack);
  const auto bytes = ack.encode_to_vector();
  for (auto _ : state) {
    auto m = DhcpMessage::parse(bytes);
    benchmark::DoNotOptimize(m);
  }
  set_counters(state, bytes.size());
}
BENCHMARK(BM_DhcpParseAck);

void BM_DhcpEncodeOffer(benchmark::State& state) {
  DhcpMessage offer;
  build_reply(offer, discover(), DhcpMessageType::Offer);
  std::vector<std::byte> out(offer.encoded_size());
  for (auto _ : state) {
    auto n = offer.encode(out);
    benchmark::DoNotOptimize(n);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, out.size());
}
BENCHMARK(BM_DhcpEncodeOffer);

void BM_DhcpBuildAndEncodeOffer(benchmark::State& state) {
  const DhcpMessage req = discover();
  DhcpMessage offer;
  std::vector<std::byte> out(1500);
  std::size_t n = 0;
  for (auto _ : state) {
    build_reply(offer, req, DhcpMessageType::Offer);
    n = offer.encode(std::span(out).first(offer.encoded_size()));
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, n);
}
BENCHMARK(BM_DhcpBuildAndEncodeOffer);

void BM_DhcpRoundTrip(benchmark::State& state) {
  const auto bytes = request().encode_to_vector();
  std::vector<std::byte> out(bytes.size());
  for (auto _ : state) {
    auto m = DhcpMessage::parse(bytes);
    m->encode(out);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, bytes.size());
}
BENCHMARK(BM_DhcpRoundTrip);

// One lease's worth of wire work: DISCOVER parse + OFFER build/encode + REQUEST parse +
// ACK build/encode + RELEASE parse. Items = exchanges.
void BM_DhcpDoraExchange(benchmark::State& state) {
  const auto discover_bytes = discover().encode_to_vector();
  const auto request_bytes = request().encode_to_vector();
  const auto release_bytes = release().encode_to_vector();
  DhcpMessage in, reply;
  std::vector<std::byte> out(1500);
  for (auto _ : state) {
    (void)DhcpMessage::parse_into(in, discover_bytes);
    build_reply(reply, in, DhcpMessageType::Offer);
    reply.encode(std::span(out).first(reply.encoded_size()));
    (void)DhcpMessage::parse_into(in, request_bytes);
    build_reply(reply, in, DhcpMessageType::Ack);
    reply.encode(std::span(out).first(reply.encoded_size()));
    (void)DhcpMessage::parse_into(in, release_bytes);
    benchmark::DoNotOptimize(in);
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, discover_bytes.size() + request_bytes.size() + release_bytes.size() +
                          2 * reply.encoded_size());
}
BENCHMARK(BM_DhcpDoraExchange);

// Same exchange with DhcpMessage::parse returning a fresh message each time.
void BM_DhcpDoraExchangeFreshMessages(benchmark::State& state) {
  const auto discover_bytes = discover().encode_to_vector();
  const auto request_bytes = request().encode_to_vector();
  const auto release_bytes = release().encode_to_vector();
  std::vector<std::byte> out(1500);
  for (auto _ : state) {
    auto d = DhcpMessage::parse(discover_bytes);
    DhcpMessage offer;
    build_reply(offer, *d, DhcpMessageType::Offer);
    offer.encode(std::span(out).first(offer.encoded_size()));
    auto r = DhcpMessage::parse(request_bytes);
    DhcpMessage ack;
    build_reply(ack, *r, DhcpMessageType::Ack);
    ack.encode(std::span(out).first(ack.encoded_size()));
    auto rel = DhcpMessage::parse(release_bytes);
    benchmark::DoNotOptimize(rel);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
}
BENCHMARK(BM_DhcpDoraExchangeFreshMessages);

// =========================================================================================
// Frames (Ethernet / ARP / IPv4 / UDP / full-frame decode): reserved for the frame decoder.
// =========================================================================================

}  // namespace
}  // namespace dhcpsim::wire

BENCHMARK_MAIN();
