#pragma once
// Helpers for network tests: build small networks in a few lines, record the trace.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dhcpsim/core/simulation.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/report/records_json.hpp"

namespace dhcpsim::testing {

using namespace dhcpsim::net;
using core::Duration;
using core::Time;
using wire::Ipv4Address;
using wire::Ipv4Prefix;
using wire::MacAddress;

inline Ipv4Address ip(const char* s) { return *Ipv4Address::parse(s); }
inline Ipv4Prefix prefix(const char* s) { return *Ipv4Prefix::parse(s); }
inline MacAddress mac(uint64_t n) { return MacAddress::from_u64(0x020000000000ULL | n); }

/// Keeps every record (as a JSON line) of the kinds asked for.
class RecordingSink : public TraceSink {
 public:
  RecordingSink(const Network& n, uint64_t kinds) : net_(n), kinds_(kinds) {}
  uint64_t subscriptions() const override { return kinds_; }
  void on_record(const Record& r) override {
    records.push_back(r);
    lines.push_back(report::record_to_json(r, net_).dump());
  }
  template <class T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (const auto& r : records)
      if (auto* x = std::get_if<T>(&r)) out.push_back(*x);
    return out;
  }
  std::vector<Record> records;  // note: FrameSent::bytes are only valid during emit
  std::vector<std::string> lines;

 private:
  const Network& net_;
  uint64_t kinds_;
};

/// Copies the bytes of every frame sent, with its segment and time.
class FrameCapture : public TraceSink {
 public:
  struct Frame {
    Time time;
    SegmentId segment;
    IfaceId iface;
    std::vector<std::byte> bytes;
  };
  uint64_t subscriptions() const override { return kind_bit(RecordKind::kFrameSent); }
  void on_record(const Record& r) override {
    const auto& f = std::get<FrameSent>(r);
    frames.push_back({f.time, f.segment, f.iface, {f.bytes.begin(), f.bytes.end()}});
  }
  std::vector<Frame> frames;
};

struct TestNet {
  explicit TestNet(uint64_t seed = 1, NetworkOptions options = {}) : sim(seed), net(sim, options) {}

  std::shared_ptr<HostProfile> profile(OsProfile os = OsProfile::kLinux) {
    auto p = std::make_shared<HostProfile>();
    p->os = os;
    return p;
  }

  SegmentId segment(const std::string& name, const char* subnet, Duration latency = core::microseconds(100)) {
    SegmentConfig c;
    c.name = name;
    c.subnet = prefix(subnet);
    c.latency = latency;
    return net.add_segment(c);
  }

  NodeId host(const std::string& name, SegmentId seg, uint64_t mac_n, const char* address, const char* mask,
              const char* gateway, const char* dns = "0.0.0.0", std::shared_ptr<const HostProfile> p = nullptr,
              Time boot = Time::zero()) {
    HostConfig c;
    c.name = name;
    c.segment = seg;
    c.mac = mac(mac_n);
    c.profile = p ? p : default_profile;
    c.static_ip = StaticIpConfig{ip(address), ip(mask), ip(gateway), ip(dns)};
    c.boot_time = boot;
    return net.add_host(c);
  }

  NodeId router(const std::string& name, std::vector<RouterInterfaceConfig> ifs, const char* default_route = "0.0.0.0") {
    RouterConfig c;
    c.name = name;
    c.interfaces = std::move(ifs);
    c.default_route = ip(default_route);
    return net.add_router(c);
  }

  static RouterInterfaceConfig rif(const std::string& name, SegmentId seg, uint64_t mac_n, const char* address,
                                   uint8_t len) {
    return RouterInterfaceConfig{name, seg, mac(mac_n), ip(address), len};
  }

  const Host& host_of(NodeId id) const { return net.host(id); }
  const ProbeCounters& probes(NodeId id, ProbeKind k) const {
    return net.host(id).probes->counters[static_cast<int>(k)];
  }

  core::Simulation sim;
  Network net;
  std::shared_ptr<HostProfile> default_profile = std::make_shared<HostProfile>();
};

}  // namespace dhcpsim::testing

namespace dhcpsim::testing {

inline std::shared_ptr<HostProfile> dhcp_profile(std::function<void(proto::DhcpClientConfig&)> tweak = {},
                                                 std::function<void(HostProfile&)> tweak_host = {}) {
  auto cfg = std::make_shared<proto::DhcpClientConfig>();
  cfg->start_delay_min = Duration::zero();
  cfg->start_delay_max = core::milliseconds(100);
  if (tweak) tweak(*cfg);
  auto p = std::make_shared<HostProfile>();
  p->dhcp = cfg;
  if (tweak_host) tweak_host(*p);
  return p;
}

/// A server for `subnet` (x.y.z.0/24) with a pool .first-.last, gateway .1, lease `lease`.
inline std::shared_ptr<DhcpServiceConfig> dhcp_server(const char* server_id, const char* subnet, int first, int last,
                                                       Duration lease = core::hours(1),
                                                       std::function<void(DhcpServiceConfig&)> tweak = {}) {
  auto c = std::make_shared<DhcpServiceConfig>();
  c->server.server_id = ip(server_id);
  proto::SubnetConfig s;
  s.prefix = prefix(subnet);
  Ipv4Address base = s.prefix.network();
  s.pools.push_back(proto::AddressRange{base + first, base + last});
  s.routers.push_back(base + 1);
  s.dns_servers.push_back(base + 1);
  s.lease_time = lease;
  c->server.subnets.push_back(s);
  if (tweak) tweak(*c);
  return c;
}

/// A client lan (lan-c, 10.0.1.0/24) behind the relaying router r1, and a DHCP server host
/// on the data-centre lan (dc, 10.0.9.0/24) that leases the client lan's .100-.199.
struct RelayedNet : TestNet {
  explicit RelayedNet(const std::string& server_name, const std::string& router_name = "r1") {
    lan = segment("lan-c", "10.0.1.0/24");
    dc = segment("dc", "10.0.9.0/24");
    RouterConfig rc;
    rc.name = router_name;
    rc.interfaces = {rif("eth0", lan, 0x11, "10.0.1.1", 24), rif("eth1", dc, 0x91, "10.0.9.1", 24)};
    rc.relay = RelayConfig{{ip("10.0.9.5")}, {0}, 16, false};
    r = net.add_router(rc);
    HostConfig sc;
    sc.name = server_name;
    sc.segment = dc;
    sc.mac = mac(0x95);
    sc.profile = default_profile;
    sc.static_ip = StaticIpConfig{ip("10.0.9.5"), ip("255.255.255.0"), ip("10.0.9.1"), Ipv4Address()};
    sc.dhcp_server = dhcp_server("10.0.9.5", "10.0.1.0/24", 100, 199);
    server = net.add_host(sc);
  }
  SegmentId lan, dc;
  NodeId r, server;
};

}  // namespace dhcpsim::testing
