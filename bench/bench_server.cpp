// DHCP server throughput: one item = one DORA exchange with wire work on both sides:
// parse a DISCOVER from bytes, the engine answers, encode the OFFER; parse the REQUEST,
// the engine answers, encode the ACK; then parse a RELEASE of a random earlier lease and
// let the engine handle it. The pool (1,048,576 addresses) is kept 99 % full.

#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "dhcpsim/core/random.hpp"
#include "dhcpsim/proto/dhcp_server.hpp"
#include "dhcpsim/wire/dhcp.hpp"

namespace {

using namespace dhcpsim;
using namespace dhcpsim::proto;
using wire::DhcpMessage;
using wire::DhcpMessageType;
using wire::Ipv4Address;
using wire::MacAddress;
namespace opt = wire::dhcp_option;

constexpr uint32_t kPool = 1u << 20;
constexpr uint32_t kOccupancyPermille = 990;
const Ipv4Address kServerId(0x0a000001);  // 10.0.0.1

// A client message template: encoded once; per exchange only chaddr, option 61, xid,
// ciaddr and option 50 are patched in place.
struct Template {
  std::vector<std::byte> bytes;
  std::size_t cid_offset = 0;  // the 6 MAC bytes inside option 61 (type 1 + MAC)
  std::size_t requested_offset = 0;

  void set_client(MacAddress mac, uint32_t xid) {
    std::memcpy(bytes.data() + 28, mac.bytes().data(), 6);
    std::memcpy(bytes.data() + cid_offset, mac.bytes().data(), 6);
    wire::store_be32(bytes.data() + 4, xid);
  }
  void set_ciaddr(Ipv4Address a) { wire::store_be32(bytes.data() + 12, a.value()); }
  void set_requested(Ipv4Address a) {
    wire::store_be32(bytes.data() + requested_offset, a.value());
  }
};

std::size_t find_option_value(const std::vector<std::byte>& b, uint8_t code) {
  std::size_t p = DhcpMessage::kOptionsOffset;
  while (p < b.size() && uint8_t(b[p]) != opt::kEnd) {
    if (uint8_t(b[p]) == opt::kPad) {
      ++p;
      continue;
    }
    if (uint8_t(b[p]) == code) return p + 2;
    p += 2 + std::size_t(uint8_t(b[p + 1]));
  }
  return 0;
}

Template make_template(DhcpMessageType type) {
  // What a typical client sends (RFC 2131 §4.4.1; ISC dhclient / Windows shapes).
  DhcpMessage m;
  m.op = DhcpMessage::kBootRequest;
  m.set_client_mac(MacAddress::from_u64(0x020000000001ULL));
  m.options.set_message_type(type);
  m.options.set(opt::kClientId, wire::bytes_of({1, 2, 0, 0, 0, 0, 1}));
  if (type == DhcpMessageType::Request) {
    m.options.set_ip(opt::kRequestedIp, Ipv4Address(0));
    m.options.set_ip(opt::kServerId, kServerId);
  }
  if (type == DhcpMessageType::Release) m.options.set_ip(opt::kServerId, kServerId);
  if (type != DhcpMessageType::Release) {
    m.options.set(opt::kParameterRequestList, wire::bytes_of({1, 3, 6, 15, 51, 58, 59}));
    m.options.set_u16(opt::kMaxMessageSize, 1500);
  }
  m.pad_to_bootp_minimum();
  Template t;
  t.bytes = m.encode_to_vector();
  t.cid_offset = find_option_value(t.bytes, opt::kClientId) + 1;
  if (type == DhcpMessageType::Request)
    t.requested_offset = find_option_value(t.bytes, opt::kRequestedIp);
  return t;
}

struct Fixture {
  explicit Fixture(AllocatorKind kind) : kind(kind) {
    DhcpServerConfig cfg;
    cfg.server_id = kServerId;
    cfg.allocator = kind;
    SubnetConfig s;
    s.prefix = wire::Ipv4Prefix(Ipv4Address(0x0a000000), 8);
    const Ipv4Address first(0x0a100000);  // 10.16.0.0
    s.pools = {{first, first + (int64_t(kPool) - 1)}};
    s.routers = {Ipv4Address(0x0a000001)};
    s.dns_servers = {Ipv4Address(0x0a000035), Ipv4Address(0x0a000036)};
    s.lease_time = core::days(1);
    cfg.subnets.push_back(s);
    server = std::make_unique<DhcpServer>(cfg, core::Rng(42));
    rx.iface_addr = kServerId;
    rx.iface_subnet = s.prefix;
    rx.broadcast = true;
    discover = make_template(DhcpMessageType::Discover);
    request = make_template(DhcpMessageType::Request);
    release = make_template(DhcpMessageType::Release);
    out.reserve(16);
    leased.reserve(kPool);
    const uint32_t target = uint32_t(uint64_t(kPool) * kOccupancyPermille / 1000);
    while (leased.size() < target) {
      std::size_t bytes = 0;
      if (!dora(bytes)) std::abort();
    }
  }

  // One DISCOVER/OFFER/REQUEST/ACK; the lease joins `leased`. Adds the wire bytes handled.
  bool dora(std::size_t& bytes) {
    now += core::microseconds(1);
    const MacAddress mac = MacAddress::from_u64(0x020000000000ULL | ++next_client);
    const auto xid = uint32_t(next_client);
    discover.set_client(mac, xid);
    if (!DhcpMessage::parse_into(msg, discover.bytes)) return false;
    out.clear();
    server->on_message(now, rx, msg, out);
    const auto* offer = out.empty() ? nullptr : std::get_if<DhcpServer::Send>(&out[0]);
    if (!offer) return false;
    const Ipv4Address yiaddr = offer->message.yiaddr;
    bytes += discover.bytes.size() + offer->message.encode(reply_buf);

    request.set_client(mac, xid);
    request.set_requested(yiaddr);
    if (!DhcpMessage::parse_into(msg, request.bytes)) return false;
    out.clear();
    server->on_message(now, rx, msg, out);
    const auto* ack = out.empty() ? nullptr : std::get_if<DhcpServer::Send>(&out[0]);
    if (!ack || ack->message.message_type() != DhcpMessageType::Ack) return false;
    bytes += request.bytes.size() + ack->message.encode(reply_buf);
    leased.push_back({mac, yiaddr});
    return true;
  }

  // A RELEASE of a random earlier lease, whose slot in `leased` takes the newest one.
  void release_random(std::size_t& bytes) {
    const auto j = std::size_t(pick.below(leased.size() - 1));
    const auto [mac, addr] = leased[j];
    leased[j] = leased.back();
    leased.pop_back();
    release.set_client(mac, 7);
    release.set_ciaddr(addr);
    if (!DhcpMessage::parse_into(msg, release.bytes)) std::abort();
    out.clear();
    server->on_message(now, rx, msg, out);
    bytes += release.bytes.size();
  }

  AllocatorKind kind;
  std::unique_ptr<DhcpServer> server;
  RxContext rx;
  Template discover, request, release;
  DhcpMessage msg;
  std::vector<DhcpServer::Action> out;
  std::array<std::byte, 1500> reply_buf{};
  LeaseVector<std::pair<MacAddress, Ipv4Address>> leased;  // huge pages, as the table's
  core::Time now = core::Time::zero();
  uint64_t next_client = 0;
  core::Rng pick{9};
};

// Built once per allocator kind and reused across the benchmark's repetitions (the setup
// runs a million DORAs); occupancy is the same at the end of every exchange.
Fixture& fixture(AllocatorKind kind) {
  static std::unique_ptr<Fixture> f;
  if (!f || f->kind != kind) {
    f.reset();
    f = std::make_unique<Fixture>(kind);
  }
  return *f;
}

void run(benchmark::State& state, AllocatorKind kind) {
  Fixture& f = fixture(kind);
  std::size_t bytes = 0;
  for (auto _ : state) {
    if (!f.dora(bytes)) {
      state.SkipWithError("DORA failed");
      break;
    }
    f.release_random(bytes);
  }
  state.SetItemsProcessed(int64_t(state.iterations()));
  state.SetBytesProcessed(int64_t(bytes));
  state.counters["bytes_per_lease"] =
      double(f.server->memory_bytes()) / double(f.server->stats().leases_active);
}

void BM_ServerDoraIterative(benchmark::State& state) {
  run(state, AllocatorKind::Iterative);
}
void BM_ServerDoraRandom(benchmark::State& state) {
  run(state, AllocatorKind::Random);
}
void BM_ServerDoraFreeList(benchmark::State& state) {
  run(state, AllocatorKind::FreeList);
}

}  // namespace

BENCHMARK(BM_ServerDoraIterative);
BENCHMARK(BM_ServerDoraRandom);
BENCHMARK(BM_ServerDoraFreeList);

BENCHMARK_MAIN();
