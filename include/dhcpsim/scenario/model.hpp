#pragma once
// The scenario as plain, validated, immutable structs (scenarios/FORMAT.md is the user's
// reference, scenarios/schema.json the machine-readable one). Parsing fills these once;
// nothing below the scenario layer ever sees JSON.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dhcpsim/core/time.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/proto/dhcp_client.hpp"
#include "dhcpsim/proto/dhcp_server_config.hpp"
#include "dhcpsim/wire/address.hpp"

namespace dhcpsim::scenario {

using core::Duration;
using core::Time;
using wire::Ipv4Address;
using wire::Ipv4Prefix;
using wire::MacAddress;

/// Limits on everything a scenario can ask for (validation refuses more).
struct Limits {
  static constexpr uint64_t kMaxHosts = 4'000'000;      // static + group + churn (peak)
  static constexpr uint64_t kMaxSegments = 100'000;
  static constexpr uint64_t kMaxRouters = 10'000;
  static constexpr uint64_t kMaxInterfacesPerRouter = 10'000;
  static constexpr uint64_t kMaxServers = 1'000;
  static constexpr uint64_t kMaxTimeline = 100'000;
  static constexpr uint64_t kMaxReplications = 10'000;
  static constexpr uint64_t kMaxSweepPoints = 10'000;
  static constexpr int64_t kMaxDurationDays = 366;
  static constexpr uint64_t kMaxPoolAddresses = 1ull << 24;  // per range
};

/// A value drawn per host or per event: fixed, uniform, exponential, normal, lognormal.
struct Distribution {
  enum class Kind : uint8_t { kFixed, kUniform, kExponential, kNormal, kLognormal };
  Kind kind = Kind::kFixed;
  Duration a = Duration::zero();  // fixed value / uniform low / exponential mean / normal mean / lognormal median
  Duration b = Duration::zero();  // uniform high / normal stddev
  double sigma = 0.0;             // lognormal shape
  Duration sample(core::Rng& rng) const;
  Duration mean() const;
};

struct SegmentSpec {
  std::string name;
  std::optional<Ipv4Prefix> subnet;
  Duration latency = core::microseconds(100);
  uint64_t bandwidth_bps = 0;
  double loss = 0.0;
  double duplication = 0.0;
};

struct RouterInterfaceSpec {
  std::string name;
  std::string segment;
  Ipv4Address address;
  uint8_t prefix_len = 24;
  std::optional<MacAddress> mac;
};

struct RelaySpec {
  std::vector<Ipv4Address> servers;
  std::vector<std::string> interfaces;  // client-facing interface names
  uint32_t max_hops = 16;
  bool trust_option82 = false;
};

struct RouterSpec {
  std::string name;
  std::vector<RouterInterfaceSpec> interfaces;
  std::optional<Ipv4Address> default_route;
  std::vector<std::pair<Ipv4Prefix, Ipv4Address>> routes;  // static routes: prefix via next hop
  std::optional<RelaySpec> relay;
};

struct ServerSpec {
  std::string name;
  /// Where it runs: a router (on some of its interfaces) or a host.
  std::string router;
  std::vector<std::string> interfaces;  // router interfaces it listens on; empty: all
  std::string host;
  proto::DhcpServerConfig config;       // server_id filled in at build time if absent
  bool server_id_given = false;
  net::ServiceTime service_time;
  uint32_t queue = 0;
  bool running_at_start = true;
};

struct ProbeSpec {
  Duration interval = Duration::zero();
  Duration jitter = Duration::zero();
  Duration timeout = core::seconds(5);
  Duration first = core::seconds(5);
  bool gateway = false;
  bool dns = false;
  std::vector<std::string> peers;    // host names
  std::vector<std::string> outside;  // host names
};

struct DhcpClientSpec {
  std::string profile = "rfc2131";
  proto::DhcpClientConfig config;  // retry filled from the profile
};

/// A person choosing static addresses: from a range, in order or at random, with typos
/// in any field and sometimes an address already given to someone else.
struct ManualAssignment {
  Ipv4Address first;
  Ipv4Address last;
  bool random_order = false;
  Ipv4Address mask;
  Ipv4Address gateway;
  Ipv4Address dns;
  double typo_probability = 0.0;  // per host
  /// Which field a typo hits (weights, normalised): address, mask, gateway, dns.
  double typo_weights[4] = {0.55, 0.15, 0.2, 0.1};
  double reuse_probability = 0.0;  // per host: an address already handed out
};

enum class ConfigMethod : uint8_t { kStatic, kDhcp, kManual, kNone };

struct HostGroupSpec {
  std::string name;          // a pattern with {i}, or a plain name when count == 1
  std::string group;         // the group's name (the pattern without {i} for reports)
  uint64_t count = 1;
  std::string segment;
  net::OsProfile os = net::OsProfile::kLinux;
  ConfigMethod method = ConfigMethod::kNone;
  std::optional<net::StaticIpConfig> static_ip;  // kStatic (one host)
  std::optional<ManualAssignment> manual;        // kManual
  std::optional<DhcpClientSpec> dhcp;            // kDhcp (or INFORM for static)
  bool inform = false;
  bool acd = false;
  bool dns_responder = false;
  Distribution boot;
  ProbeSpec probes;
  std::optional<MacAddress> mac;    // one host
  uint64_t mac_base = 0;            // 0: derived from the scenario
  std::string server;               // a DHCP server running on this host (by server name)
  std::vector<std::pair<Ipv4Prefix, Ipv4Address>> routes;  // static routes (prefix via next hop)
};

struct ChurnSpec {
  std::string name;  // pattern with {i}
  std::string group;
  std::string segment;
  net::OsProfile os = net::OsProfile::kLinux;
  /// Arrival rate per second, piecewise constant over the day (from time-of-day, rate).
  std::vector<std::pair<Duration, double>> rate_per_s;
  bool daily = false;  // the rate profile repeats every 24 h
  Distribution stay;
  double release_probability = 0.0;  // leaving clients that send RELEASE
  std::optional<Duration> patience;  // leave (blocked) when still without an address
  bool random_mac = false;
  uint64_t max_clients = 100'000;
  /// Devices that come and go (0: every arrival is a new device). A returning device
  /// has the same MAC, so the server can give it its previous address back.
  uint64_t population = 0;
  DhcpClientSpec dhcp;
  ProbeSpec probes;
  bool acd = false;
};

struct TimelineAction {
  Duration at;
  enum class Kind : uint8_t {
    kServerStop, kServerStart, kLinkDown, kLinkUp, kSetLoss, kSetDuplication, kReboot, kLeave
  };
  Kind kind;
  std::string server;
  bool keep_leases = true;
  std::string host;    // a host or a group name
  std::string router;
  std::string interface;
  std::string segment;
  double value = 0.0;
  Duration downtime = core::seconds(30);
  bool release = false;
  bool release_given = false;  // else: the host's dhcp.release_on_leave
  double fraction = 1.0;  // for a group: the share of its hosts
  std::string json_pointer;  // where it came from, for messages
};

enum class StopCondition : uint8_t { kNone, kAllBound, kAllRenewed };

struct Scenario {
  std::string name;
  std::string description;
  std::string file;
  uint64_t seed = 1;
  Duration duration = core::hours(1);
  StopCondition stop = StopCondition::kNone;
  std::optional<Duration> bucket;
  net::DeliveryMode delivery = net::DeliveryMode::kIndexed;
  std::vector<SegmentSpec> segments;
  std::vector<RouterSpec> routers;
  std::vector<ServerSpec> servers;
  std::vector<HostGroupSpec> hosts;  // single hosts are groups of one
  std::vector<ChurnSpec> churn;
  std::vector<TimelineAction> timeline;
  uint64_t total_hosts() const;
};

/// A user-facing error: which file, which JSON value, what was expected.
struct ScenarioError {
  std::string file;
  std::string pointer;  // JSON pointer ("" = the document)
  std::string message;
  std::string to_string() const;
};

}  // namespace dhcpsim::scenario
