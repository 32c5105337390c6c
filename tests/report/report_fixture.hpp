#pragma once
// Helpers for report tests: small networks built with the net API (a few helpers copied
// from tests/net/net_fixture.hpp, which this directory does not include), and scratch
// directories.

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "dhcpsim/core/simulation.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/report/metrics.hpp"

namespace dhcpsim::report_testing {

using namespace dhcpsim::net;
using core::Duration;
using core::Time;
using wire::Ipv4Address;
using wire::Ipv4Prefix;
using wire::MacAddress;

inline Ipv4Address ip(const char* s) {
  return *Ipv4Address::parse(s);
}
inline Ipv4Prefix prefix(const char* s) {
  return *Ipv4Prefix::parse(s);
}
inline MacAddress mac(uint64_t n) {
  return MacAddress::from_u64(0x020000000000ULL | n);
}

inline std::shared_ptr<HostProfile> dhcp_profile(
    std::function<void(proto::DhcpClientConfig&)> tweak = {},
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

/// A server for `subnet` (x.y.z.0/24) with a pool .first-.last, gateway .1.
inline std::shared_ptr<DhcpServiceConfig> dhcp_server(
    const char* server_id, const char* subnet, int first, int last, Duration lease = core::hours(1),
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

/// A network, its simulation, a grouping and a collector, built in a few lines.
struct TestNet {
  explicit TestNet(uint64_t seed = 1) : sim(seed), net(sim) {}

  SegmentId segment(const std::string& name, const char* subnet) {
    SegmentConfig c;
    c.name = name;
    c.subnet = prefix(subnet);
    c.latency = core::microseconds(100);
    return net.add_segment(c);
  }

  uint32_t group(const std::string& name, const std::string& method) {
    grouping.groups.push_back({name, method});
    return static_cast<uint32_t>(grouping.groups.size() - 1);
  }

  NodeId static_host(const std::string& name, SegmentId seg, uint64_t mac_n, const char* address,
                     uint32_t g, std::shared_ptr<const HostProfile> p = nullptr,
                     Time boot = Time::zero()) {
    HostConfig c;
    c.name = name;
    c.segment = seg;
    c.mac = mac(mac_n);
    c.profile = p ? p : std::make_shared<HostProfile>();
    c.static_ip = StaticIpConfig{ip(address), ip("255.255.255.0"), ip("10.0.0.1"), Ipv4Address()};
    c.boot_time = boot;
    NodeId id = net.add_host(c);
    grouping.set_group(id, g);
    return id;
  }

  NodeId dhcp_host(const std::string& name, SegmentId seg, uint64_t mac_n,
                   std::shared_ptr<const HostProfile> p, uint32_t g, Time boot = Time::zero()) {
    HostConfig c;
    c.name = name;
    c.segment = seg;
    c.mac = mac(mac_n);
    c.profile = std::move(p);
    c.boot_time = boot;
    NodeId id = net.add_host(c);
    grouping.set_group(id, g);
    return id;
  }

  static RouterInterfaceConfig rif(const std::string& name, SegmentId seg, uint64_t mac_n,
                                   const char* address, uint8_t len) {
    return RouterInterfaceConfig{name, seg, mac(mac_n), ip(address), len};
  }

  /// Creates the collector, subscribes it and attaches it; then starts the network.
  report::MetricsCollector& start(Duration bucket, Time end) {
    metrics = std::make_unique<report::MetricsCollector>(net, grouping);
    net.tracer().subscribe(metrics.get());
    metrics->attach(sim, bucket, end);
    net.start();
    return *metrics;
  }

  core::Simulation sim;
  Network net;
  report::Grouping grouping;
  std::unique_ptr<report::MetricsCollector> metrics;
};

/// An office lan: a router "gw" (gateway and DHCP server "dhcpd", pool .100-.199), `dhcp`
/// DHCP clients in group "pcs" and `statics` static hosts in group "fixed" that probe the
/// gateway every 10 s.
struct Office : TestNet {
  explicit Office(int dhcp = 5, int statics = 2, uint64_t seed = 1) : TestNet(seed) {
    lan = segment("lan", "10.0.0.0/24");
    RouterConfig rc;
    rc.name = "gw";
    rc.interfaces = {rif("eth0", lan, 0x01, "10.0.0.1", 24)};
    rc.dhcp_server = dhcp_server("10.0.0.1", "10.0.0.0/24", 100, 199);
    gw = net.add_router(rc);
    grouping.servers.emplace_back("dhcpd", gw);
    const uint32_t pcs = group("pcs", "dhcp");
    const uint32_t fixed = group("fixed", "static");
    auto p = dhcp_profile();
    for (int k = 0; k < dhcp; ++k)
      clients.push_back(dhcp_host("pc" + std::to_string(k), lan, 0x100 + k, p, pcs));
    auto sp = std::make_shared<HostProfile>();
    sp->probes.interval = core::seconds(10);
    sp->probes.first = core::seconds(5);
    sp->probes.gateway = true;
    for (int k = 0; k < statics; ++k) {
      const std::string addr = "10.0.0." + std::to_string(10 + k);
      statics_.push_back(
          static_host("srv" + std::to_string(k), lan, 0x200 + k, addr.c_str(), fixed, sp));
    }
  }
  const proto::DhcpServer& server() const { return *net.service_of(gw)->engine; }
  SegmentId lan;
  NodeId gw;
  std::vector<NodeId> clients;
  std::vector<NodeId> statics_;
};

/// A fresh empty directory under the system's temporary directory, removed on scope exit.
struct ScratchDir {
  explicit ScratchDir(const std::string& tag) {
    path = std::filesystem::temp_directory_path() /
           ("dhcpsim-report-" + tag + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string str() const { return path.string(); }
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(path))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  std::filesystem::path path;
};

}  // namespace dhcpsim::report_testing
