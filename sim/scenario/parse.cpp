// Scenario reading and validation (scenarios/FORMAT.md). A small pointer-tracking walker
// reads each value, checks its type, range and unit, and records every problem with the
// JSON pointer of the offending value. Cross-references (segments, hosts, servers) and
// consistency (pools inside subnets, ranges that overlap, T1 <= T2 <= lease) are checked
// after the walk. A misconfigured static host is never an error: it is what is studied.

#include "dhcpsim/scenario/parse.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "dhcpsim/scenario/units.hpp"

namespace dhcpsim::scenario {

using nlohmann::json;

std::string ScenarioError::to_string() const {
  std::string where = file;
  where += ":";
  where += pointer.empty() ? std::string("/") : pointer;
  return where + ": " + message;
}

uint64_t Scenario::total_hosts() const {
  uint64_t n = 0;
  for (const auto& h : hosts) n += h.count;
  return n;
}

namespace {

std::string escape_token(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "something else";
  }
}

struct Ctx {
  std::string file;
  Errors errors;
  void error(const std::string& pointer, std::string message) {
    errors.push_back(ScenarioError{file, pointer, std::move(message)});
  }
};

/// A JSON value and where it is.
class Node {
 public:
  Node(const json* j, std::string pointer, Ctx* ctx) : j_(j), ptr_(std::move(pointer)), ctx_(ctx) {}

  const json& value() const { return *j_; }
  const std::string& pointer() const { return ptr_; }
  bool has(const char* key) const { return j_->is_object() && j_->contains(key); }
  Node child(const char* key) const { return Node(&(*j_)[key], ptr_ + "/" + escape_token(key), ctx_); }
  Node element(std::size_t i) const { return Node(&(*j_)[i], ptr_ + "/" + std::to_string(i), ctx_); }
  void error(std::string message) const { ctx_->error(ptr_, std::move(message)); }
  void error_at(const char* key, std::string message) const {
    ctx_->error(ptr_ + "/" + escape_token(key), std::move(message));
  }

  bool expect_object(const char* what) const {
    if (j_->is_object()) return true;
    error(std::string("expected ") + what + " (an object), got " + type_name(*j_));
    return false;
  }

  void allowed(std::initializer_list<const char*> keys) const {
    if (!j_->is_object()) return;
    for (const auto& [k, v] : j_->items()) {
      bool ok = k == "comment" || k == "$comment";
      for (const char* a : keys) ok = ok || k == a;
      if (ok) continue;
      std::string list;
      for (const char* a : keys) list += (list.empty() ? "" : ", ") + std::string(a);
      ctx_->error(ptr_ + "/" + escape_token(k), "unknown key '" + k + "' (expected one of: " + list + ")");
    }
  }

  bool require(const char* key) const {
    if (has(key)) return true;
    error(std::string("missing required key '") + key + "'");
    return false;
  }

  std::optional<std::string> string(const char* key, bool required = false) const {
    if (!has(key)) {
      if (required) require(key);
      return std::nullopt;
    }
    const json& v = (*j_)[key];
    if (!v.is_string()) {
      error_at(key, "expected a string, got " + type_name(v));
      return std::nullopt;
    }
    return v.get<std::string>();
  }

  std::optional<bool> boolean(const char* key) const {
    if (!has(key)) return std::nullopt;
    const json& v = (*j_)[key];
    if (!v.is_boolean()) {
      error_at(key, "expected true or false, got " + type_name(v));
      return std::nullopt;
    }
    return v.get<bool>();
  }

  std::optional<double> number(const char* key, double lo, double hi, bool required = false) const {
    if (!has(key)) {
      if (required) require(key);
      return std::nullopt;
    }
    const json& v = (*j_)[key];
    if (!v.is_number()) {
      error_at(key, "expected a number from " + fmt_num(lo) + " to " + fmt_num(hi) + ", got " + type_name(v));
      return std::nullopt;
    }
    double d = v.get<double>();
    if (d < lo || d > hi) {
      error_at(key, "expected a number from " + fmt_num(lo) + " to " + fmt_num(hi) + ", got " + v.dump());
      return std::nullopt;
    }
    return d;
  }

  std::optional<uint64_t> integer(const char* key, uint64_t lo, uint64_t hi, bool required = false) const {
    if (!has(key)) {
      if (required) require(key);
      return std::nullopt;
    }
    const json& v = (*j_)[key];
    const std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
    if (!v.is_number_integer() || (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0)) {
      error_at(key, "expected " + range + ", got " + (v.is_number() ? v.dump() : type_name(v)));
      return std::nullopt;
    }
    uint64_t n = v.get<uint64_t>();
    if (n < lo || n > hi) {
      error_at(key, "expected " + range + ", got " + v.dump());
      return std::nullopt;
    }
    return n;
  }

  std::optional<Duration> duration(const char* key, bool required = false,
                                   Duration max = core::days(Limits::kMaxDurationDays)) const {
    if (!has(key)) {
      if (required) require(key);
      return std::nullopt;
    }
    return duration_value(child(key), max);
  }

  static std::optional<Duration> duration_value(const Node& n, Duration max = core::days(Limits::kMaxDurationDays)) {
    const json& v = n.value();
    if (v.is_number()) {
      n.error("bare numbers are ambiguous: write the duration with a unit, e.g. \"" + v.dump() + "s\" or \"" +
              v.dump() + "ms\"");
      return std::nullopt;
    }
    if (!v.is_string()) {
      n.error("expected a duration like \"30s\", got " + type_name(v));
      return std::nullopt;
    }
    auto d = parse_duration(v.get<std::string>());
    if (!d) {
      n.error(d.error());
      return std::nullopt;
    }
    if (*d > max) {
      n.error("'" + v.get<std::string>() + "' is longer than the limit of " + core::to_string(max));
      return std::nullopt;
    }
    return *d;
  }

  std::optional<Ipv4Address> ipv4(const char* key, bool required = false) const {
    if (!has(key)) {
      if (required) require(key);
      return std::nullopt;
    }
    return ipv4_value(child(key));
  }
  static std::optional<Ipv4Address> ipv4_value(const Node& n) {
    const json& v = n.value();
    if (!v.is_string()) {
      n.error("expected an IPv4 address like \"192.168.1.10\", got " + type_name(v));
      return std::nullopt;
    }
    auto a = Ipv4Address::parse(v.get<std::string>());
    if (!a) {
      n.error(a.error());
      return std::nullopt;
    }
    return *a;
  }

  std::optional<Ipv4Prefix> prefix(const char* key, bool required = false, bool strict = true) const {
    if (!has(key)) {
      if (required) require(key);
      return std::nullopt;
    }
    const json& v = (*j_)[key];
    if (!v.is_string()) {
      error_at(key, "expected a prefix like \"10.0.0.0/24\", got " + type_name(v));
      return std::nullopt;
    }
    auto p = Ipv4Prefix::parse(v.get<std::string>(), strict);
    if (!p) {
      error_at(key, p.error());
      return std::nullopt;
    }
    return *p;
  }

  std::optional<MacAddress> mac(const char* key) const {
    if (!has(key)) return std::nullopt;
    const json& v = (*j_)[key];
    if (!v.is_string()) {
      error_at(key, "expected a MAC address like \"02:00:5e:10:00:01\", got " + type_name(v));
      return std::nullopt;
    }
    auto m = MacAddress::parse(v.get<std::string>());
    if (!m) {
      error_at(key, m.error());
      return std::nullopt;
    }
    return *m;
  }

  /// Calls fn(element, index) for each element of the array at `key` (error if not one).
  template <class F>
  void each(const char* key, F&& fn, bool required = false, std::size_t max = SIZE_MAX) const {
    if (!has(key)) {
      if (required) require(key);
      return;
    }
    const json& v = (*j_)[key];
    if (!v.is_array()) {
      error_at(key, "expected an array, got " + type_name(v));
      return;
    }
    if (v.size() > max) {
      error_at(key, "at most " + std::to_string(max) + " entries are allowed, got " + std::to_string(v.size()));
      return;
    }
    Node arr = child(key);
    for (std::size_t i = 0; i < v.size(); ++i) fn(Node(&v[i], arr.ptr_ + "/" + std::to_string(i), ctx_), i);
  }

  std::optional<std::string> enumerated(const char* key, std::initializer_list<const char*> values,
                                        bool required = false) const {
    auto s = string(key, required);
    if (!s) return std::nullopt;
    for (const char* v : values)
      if (*s == v) return s;
    std::string list;
    for (const char* v : values) list += (list.empty() ? "" : ", ") + std::string("\"") + v + "\"";
    error_at(key, "'" + *s + "' is not one of " + list);
    return std::nullopt;
  }

 private:
  static std::string fmt_num(double d) {
    std::ostringstream os;
    os << d;
    return os.str();
  }
  const json* j_;
  std::string ptr_;
  Ctx* ctx_;
};

// ---- pieces --------------------------------------------------------------------------------

std::optional<Distribution> parse_distribution(const Node& n) {
  Distribution d;
  if (n.value().is_string() || n.value().is_number()) {
    auto v = Node::duration_value(n);
    if (!v) return std::nullopt;
    d.a = *v;
    return d;
  }
  if (!n.expect_object("a duration or a distribution")) return std::nullopt;
  auto kind = n.enumerated("distribution", {"fixed", "uniform", "exponential", "normal", "lognormal"}, true);
  if (!kind) return std::nullopt;
  if (*kind == "fixed") {
    n.allowed({"distribution", "value"});
    auto v = n.duration("value", true);
    if (!v) return std::nullopt;
    d.a = *v;
  } else if (*kind == "uniform") {
    n.allowed({"distribution", "min", "max"});
    d.kind = Distribution::Kind::kUniform;
    auto lo = n.duration("min", true);
    auto hi = n.duration("max", true);
    if (!lo || !hi) return std::nullopt;
    if (*hi < *lo) {
      n.error_at("max", "max (" + core::to_string(*hi) + ") is below min (" + core::to_string(*lo) + ")");
      return std::nullopt;
    }
    d.a = *lo;
    d.b = *hi;
  } else if (*kind == "exponential") {
    n.allowed({"distribution", "mean"});
    d.kind = Distribution::Kind::kExponential;
    auto m = n.duration("mean", true);
    if (!m) return std::nullopt;
    d.a = *m;
  } else if (*kind == "normal") {
    n.allowed({"distribution", "mean", "sd"});
    d.kind = Distribution::Kind::kNormal;
    auto m = n.duration("mean", true);
    auto s = n.duration("sd", true);
    if (!m || !s) return std::nullopt;
    d.a = *m;
    d.b = *s;
  } else {
    n.allowed({"distribution", "median", "sigma"});
    d.kind = Distribution::Kind::kLognormal;
    auto m = n.duration("median", true);
    auto s = n.number("sigma", 0.0, 10.0, true);
    if (!m || !s) return std::nullopt;
    d.a = *m;
    d.sigma = *s;
  }
  return d;
}

std::optional<proto::AddressRange> parse_range(const Node& n) {
  if (n.value().is_string()) {
    // "10.0.0.100-10.0.0.199"
    std::string s = n.value().get<std::string>();
    auto dash = s.find('-');
    if (dash == std::string::npos) {
      auto one = Ipv4Address::parse(s);
      if (!one) {
        n.error("expected a range like \"10.0.0.100-10.0.0.199\", got '" + s + "'");
        return std::nullopt;
      }
      return proto::AddressRange{*one, *one};
    }
    auto a = Ipv4Address::parse(s.substr(0, dash));
    auto b = Ipv4Address::parse(s.substr(dash + 1));
    if (!a || !b) {
      n.error("expected a range like \"10.0.0.100-10.0.0.199\", got '" + s + "'");
      return std::nullopt;
    }
    if (*b < *a) {
      n.error("range '" + s + "' ends before it starts");
      return std::nullopt;
    }
    return proto::AddressRange{*a, *b};
  }
  if (!n.expect_object("an address range (\"first-last\" or {\"first\", \"last\"})")) return std::nullopt;
  n.allowed({"first", "last"});
  auto a = n.ipv4("first", true);
  auto b = n.ipv4("last", true);
  if (!a || !b) return std::nullopt;
  if (*b < *a) {
    n.error_at("last", "the range ends (" + b->to_string() + ") before it starts (" + a->to_string() + ")");
    return std::nullopt;
  }
  return proto::AddressRange{*a, *b};
}

std::vector<Ipv4Address> parse_address_list(const Node& n, const char* key) {
  std::vector<Ipv4Address> out;
  if (!n.has(key)) return out;
  if (n.value()[key].is_string()) {
    if (auto a = n.ipv4(key)) out.push_back(*a);
    return out;
  }
  n.each(key, [&](const Node& e, std::size_t) {
    if (auto a = Node::ipv4_value(e)) out.push_back(*a);
  }, false, 16);
  return out;
}

ProbeSpec parse_probes(const Node& n) {
  ProbeSpec p;
  if (!n.expect_object("probe settings")) return p;
  n.allowed({"interval", "jitter", "timeout", "first", "gateway", "dns", "peers", "outside"});
  p.interval = n.duration("interval").value_or(core::seconds(30));
  p.jitter = n.duration("jitter").value_or(Duration::zero());
  p.timeout = n.duration("timeout").value_or(core::seconds(5));
  p.first = n.duration("first").value_or(core::seconds(5));
  if (p.interval < core::milliseconds(100)) n.error_at("interval", "probe interval must be at least 100ms");
  p.gateway = n.boolean("gateway").value_or(false);
  p.dns = n.boolean("dns").value_or(false);
  auto names = [&](const char* key, std::vector<std::string>& out) {
    n.each(key, [&](const Node& e, std::size_t) {
      if (e.value().is_string()) out.push_back(e.value().get<std::string>());
      else e.error("expected a host name, got " + type_name(e.value()));
    }, false, 64);
  };
  names("peers", p.peers);
  names("outside", p.outside);
  return p;
}

std::optional<DhcpClientSpec> parse_dhcp_client(const Node& n) {
  DhcpClientSpec spec;
  auto& c = spec.config;
  if (n.value().is_boolean()) {
    if (!n.value().get<bool>()) return std::nullopt;
    return spec;
  }
  if (!n.expect_object("DHCP client settings (or true)")) return std::nullopt;
  n.allowed({"profile", "start_delay", "probe_on_ack", "release_on_leave", "link_local_fallback", "offer_window",
             "broadcast_flag", "client_id", "hostname", "t_fuzz", "reboot_keep_address", "decline_delay"});
  if (auto name = n.string("profile")) {
    auto profile = proto::retry_profile_by_name(*name);
    if (!profile) {
      std::string list;
      for (auto v : proto::retry_profile_names()) list += (list.empty() ? "" : ", ") + std::string(v);
      n.error_at("profile", "unknown client profile '" + *name + "' (expected one of: " + list + ")");
    } else {
      spec.profile = *name;
      c.retry = *profile;
    }
  }
  // start_delay: a duration (fixed) or [min, max] (uniform), RFC 2131 §4.4.1 suggests 1-10 s.
  if (n.has("start_delay")) {
    const json& v = n.value()["start_delay"];
    Node sd = n.child("start_delay");
    if (v.is_array() && v.size() == 2) {
      std::optional<Duration> lo, hi;
      lo = Node::duration_value(sd.element(0));
      hi = Node::duration_value(sd.element(1));
      if (lo && hi) {
        if (*hi < *lo) sd.error("start_delay [min, max]: max is below min");
        c.start_delay_min = *lo;
        c.start_delay_max = *hi;
      }
    } else if (v.is_array()) {
      sd.error("expected a duration, or [min, max]: two durations");
    } else {
      if (auto d = Node::duration_value(sd)) c.start_delay_min = c.start_delay_max = *d;
    }
  }
  c.probe_on_ack = n.boolean("probe_on_ack").value_or(false);
  c.release_on_shutdown = n.boolean("release_on_leave").value_or(false);
  c.broadcast_flag = n.boolean("broadcast_flag").value_or(false);
  c.reboot_keep_address = n.boolean("reboot_keep_address").value_or(true);
  c.offer_window = n.duration("offer_window").value_or(Duration::zero());
  c.decline_delay = n.duration("decline_delay").value_or(core::seconds(10));
  c.t_fuzz = n.duration("t_fuzz").value_or(Duration::zero());
  if (auto h = n.string("hostname")) c.host_name = *h;
  if (auto id = n.enumerated("client_id", {"mac", "none"})) {
    c.client_id_mode = *id == "none" ? proto::ClientIdMode::None : proto::ClientIdMode::HardwareAddress;
  }
  if (n.has("link_local_fallback")) {
    const json& v = n.value()["link_local_fallback"];
    if (v.is_boolean()) {
      c.link_local.enabled = v.get<bool>();
    } else {
      Node ll = n.child("link_local_fallback");
      if (ll.expect_object("link-local settings (or true)")) {
        ll.allowed({"after", "after_rounds"});
        c.link_local.enabled = true;
        c.link_local.after = ll.duration("after").value_or(core::seconds(60));
        c.link_local.after_rounds = static_cast<uint16_t>(ll.integer("after_rounds", 0, 1000).value_or(1));
      }
    }
  }
  return spec;
}


// ---- sections ------------------------------------------------------------------------------

SegmentSpec parse_segment(const Node& n) {
  SegmentSpec seg;
  if (!n.expect_object("a segment")) return seg;
  n.allowed({"name", "subnet", "latency", "bandwidth", "loss", "duplication"});
  seg.name = n.string("name", true).value_or("");
  seg.subnet = n.prefix("subnet");
  seg.latency = n.duration("latency", false, core::seconds(10)).value_or(core::microseconds(100));
  if (auto bw = n.string("bandwidth")) {
    auto b = parse_bandwidth(*bw);
    if (!b) n.error_at("bandwidth", b.error());
    else seg.bandwidth_bps = *b;
  }
  seg.loss = n.number("loss", 0.0, 1.0).value_or(0.0);
  seg.duplication = n.number("duplication", 0.0, 1.0).value_or(0.0);
  return seg;
}

RouterSpec parse_router(const Node& n) {
  RouterSpec r;
  if (!n.expect_object("a router")) return r;
  n.allowed({"name", "interfaces", "default_route", "routes", "relay"});
  r.name = n.string("name", true).value_or("");
  n.each("interfaces", [&](const Node& e, std::size_t k) {
    RouterInterfaceSpec i;
    if (!e.expect_object("a router interface")) return;
    e.allowed({"name", "segment", "address", "mac"});
    i.name = e.string("name").value_or("eth" + std::to_string(k));
    i.segment = e.string("segment", true).value_or("");
    if (auto a = e.prefix("address", true, /*strict=*/false)) {
      auto text = e.value()["address"].get<std::string>();
      i.address = *Ipv4Address::parse(text.substr(0, text.find('/')));
      i.prefix_len = static_cast<uint8_t>(a->length());
      if (a->length() < 31 && (i.address == a->network() || i.address == a->broadcast()))
        e.error_at("address", "'" + text + "' is the network or broadcast address of its subnet");
    }
    i.mac = e.mac("mac");
    r.interfaces.push_back(i);
  }, true, Limits::kMaxInterfacesPerRouter);
  if (r.interfaces.empty() && n.has("interfaces")) n.error_at("interfaces", "a router needs at least one interface");
  r.default_route = n.ipv4("default_route");
  n.each("routes", [&](const Node& e, std::size_t) {
    if (!e.expect_object("a static route {\"prefix\", \"via\"}")) return;
    e.allowed({"prefix", "via"});
    auto p = e.prefix("prefix", true);
    auto via = e.ipv4("via", true);
    if (!p || !via) return;
    bool connected = std::any_of(r.interfaces.begin(), r.interfaces.end(), [&](const RouterInterfaceSpec& i) {
      return Ipv4Prefix(i.address, i.prefix_len).contains(*via);
    });
    if (!connected) e.error_at("via", "next hop " + via->to_string() + " is not on a subnet of this router's interfaces");
    r.routes.push_back({*p, *via});
  }, false, 10'000);
  if (r.default_route) {
    bool connected = std::any_of(r.interfaces.begin(), r.interfaces.end(), [&](const RouterInterfaceSpec& i) {
      return Ipv4Prefix(i.address, i.prefix_len).contains(*r.default_route);
    });
    if (!connected) n.error_at("default_route", "next hop " + r.default_route->to_string() + " is not on a subnet of this router's interfaces");
  }
  if (n.has("relay")) {
    Node rl = n.child("relay");
    if (rl.expect_object("relay settings")) {
      rl.allowed({"servers", "interfaces", "max_hops", "trust_option82"});
      RelaySpec relay;
      relay.servers = parse_address_list(rl, "servers");
      if (relay.servers.empty()) rl.error_at("servers", "a relay needs at least one server address");
      rl.each("interfaces", [&](const Node& e, std::size_t) {
        if (e.value().is_string()) relay.interfaces.push_back(e.value().get<std::string>());
        else e.error("expected an interface name, got " + type_name(e.value()));
      }, true);
      if (relay.interfaces.empty() && rl.has("interfaces"))
        rl.error_at("interfaces", "a relay needs at least one client-facing interface");
      relay.max_hops = static_cast<uint32_t>(rl.integer("max_hops", 1, 16).value_or(16));
      relay.trust_option82 = rl.boolean("trust_option82").value_or(false);
      r.relay = relay;
    }
  }
  return r;
}

ServerSpec parse_server(const Node& n) {
  ServerSpec s;
  if (!n.expect_object("a DHCP server")) return s;
  n.allowed({"name", "router", "interfaces", "host", "server_id", "authoritative", "allocator", "offer_hold",
             "decline_probation", "ping_check", "service_time", "queue", "running_at_start", "subnets"});
  s.name = n.string("name", true).value_or("");
  s.router = n.string("router").value_or("");
  s.host = n.string("host").value_or("");
  if (s.router.empty() == s.host.empty())
    n.error("a DHCP server runs either on a router (\"router\") or on a host (\"host\"): give exactly one");
  n.each("interfaces", [&](const Node& e, std::size_t) {
    if (e.value().is_string()) s.interfaces.push_back(e.value().get<std::string>());
    else e.error("expected an interface name, got " + type_name(e.value()));
  });
  if (!s.host.empty() && n.has("interfaces")) n.error_at("interfaces", "\"interfaces\" is for a server on a router");
  auto& c = s.config;
  if (auto id = n.ipv4("server_id")) {
    if (id->is_zero() || id->is_broadcast()) n.error_at("server_id", "the server identifier must be a unicast address");
    c.server_id = *id;
    s.server_id_given = true;
  }
  c.authoritative = n.boolean("authoritative").value_or(true);
  if (auto a = n.enumerated("allocator", {"iterative", "random", "free-list"})) {
    c.allocator = *a == "iterative" ? proto::AllocatorKind::Iterative
                  : *a == "random"  ? proto::AllocatorKind::Random
                                    : proto::AllocatorKind::FreeList;
  }
  c.offer_hold_time = n.duration("offer_hold").value_or(core::seconds(60));
  if (c.offer_hold_time <= Duration::zero()) n.error_at("offer_hold", "the offer hold time must be positive");
  c.decline_probation_time = n.duration("decline_probation").value_or(core::days(1));
  if (c.decline_probation_time <= Duration::zero())
    n.error_at("decline_probation", "the decline probation time must be positive");
  if (n.has("ping_check")) {
    const json& v = n.value()["ping_check"];
    if (v.is_boolean()) {
      c.ping_check.enabled = v.get<bool>();
    } else {
      Node pc = n.child("ping_check");
      if (pc.expect_object("ping check settings (or true)")) {
        pc.allowed({"wait", "attempts"});
        c.ping_check.enabled = true;
        c.ping_check.wait = pc.duration("wait", false, core::seconds(10)).value_or(core::milliseconds(500));
        if (c.ping_check.wait <= Duration::zero()) pc.error_at("wait", "the ping check wait must be positive");
        c.ping_check.max_attempts = static_cast<uint32_t>(pc.integer("attempts", 1, 100).value_or(3));
      }
    }
  }
  if (n.has("service_time")) {
    if (auto d = parse_distribution(n.child("service_time"))) {
      switch (d->kind) {
        case Distribution::Kind::kFixed: s.service_time = {net::ServiceTime::Kind::kFixed, d->a, d->b}; break;
        case Distribution::Kind::kUniform: s.service_time = {net::ServiceTime::Kind::kUniform, d->a, d->b}; break;
        case Distribution::Kind::kExponential: s.service_time = {net::ServiceTime::Kind::kExponential, d->a, d->b}; break;
        default: n.error_at("service_time", "a service time is fixed, uniform or exponential");
      }
    }
  }
  s.queue = static_cast<uint32_t>(n.integer("queue", 0, 1'000'000).value_or(0));
  s.running_at_start = n.boolean("running_at_start").value_or(true);
  n.each("subnets", [&](const Node& e, std::size_t) {
    proto::SubnetConfig sub;
    if (!e.expect_object("a served subnet")) return;
    e.allowed({"subnet", "pools", "exclusions", "reservations", "mask", "router", "routers", "dns", "lease", "t1", "t2"});
    auto prefix = e.prefix("subnet", true);
    if (prefix) sub.prefix = *prefix;
    e.each("pools", [&](const Node& p, std::size_t) {
      auto r = parse_range(p);
      if (!r) return;
      if (r->size() > Limits::kMaxPoolAddresses) {
        p.error("a pool range may hold at most " + std::to_string(Limits::kMaxPoolAddresses) + " addresses");
        return;
      }
      if (prefix && (!prefix->contains(r->first) || !prefix->contains(r->last))) {
        p.error("pool " + r->first.to_string() + "-" + r->last.to_string() + " is outside its subnet " +
                prefix->to_string());
        return;
      }
      if (prefix && prefix->length() < 31 && (r->contains(prefix->network()) || r->contains(prefix->broadcast())))
        p.error("pool " + r->first.to_string() + "-" + r->last.to_string() +
                " includes the network or broadcast address of " + prefix->to_string());
      sub.pools.push_back(*r);
    }, true);
    e.each("exclusions", [&](const Node& p, std::size_t) {
      auto r = parse_range(p);
      if (!r) return;
      if (prefix && (!prefix->contains(r->first) || !prefix->contains(r->last))) {
        p.error("exclusion " + r->first.to_string() + "-" + r->last.to_string() + " is outside its subnet " +
                prefix->to_string());
        return;
      }
      sub.exclusions.push_back(*r);
    });
    e.each("reservations", [&](const Node& p, std::size_t) {
      if (!p.expect_object("a reservation")) return;
      p.allowed({"mac", "client_id", "address"});
      proto::Reservation res;
      res.mac = p.mac("mac");
      if (auto id = p.string("client_id")) {
        // hex bytes "01:02:66:..."
        std::string hex;
        for (char ch : *id)
          if (ch != ':' && ch != '-') hex += ch;
        // RFC 2132 §9.14: a type byte and at least one byte of identifier.
        bool ok = hex.size() >= 4 && hex.size() % 2 == 0 &&
                  std::all_of(hex.begin(), hex.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)) != 0; });
        for (std::size_t k = 0; ok && k < hex.size(); k += 2)
          res.client_id.push_back(std::byte(std::stoi(hex.substr(k, 2), nullptr, 16)));
        if (!ok) p.error_at("client_id", "expected at least two hex bytes (type and identifier) like \"01:02:66:01:00:00:02\"");
      }
      if (!res.mac && res.client_id.empty()) p.error("a reservation names a \"mac\" or a \"client_id\"");
      if (auto a = p.ipv4("address", true)) {
        res.address = *a;
        if (prefix && !prefix->contains(*a)) {
          p.error_at("address", a->to_string() + " is outside the subnet " + prefix->to_string());
        } else if (prefix && prefix->length() < 31 && (*a == prefix->network() || *a == prefix->broadcast())) {
          p.error_at("address", a->to_string() + " is the network or broadcast address of " + prefix->to_string());
        }
        for (const auto& ex : sub.exclusions)
          if (ex.contains(*a)) p.error_at("address", a->to_string() + " is excluded from the subnet's pools");
        for (const auto& other : sub.reservations) {
          if (other.address == *a) p.error_at("address", a->to_string() + " is reserved twice");
          if (res.mac && other.mac && *res.mac == *other.mac) p.error_at("mac", "this MAC has two reservations");
          if (!res.client_id.empty() && other.client_id == res.client_id) p.error_at("client_id", "this client id has two reservations");
        }
      }
      sub.reservations.push_back(res);
    });
    if (auto m = e.ipv4("mask")) sub.subnet_mask = *m;
    auto routers = parse_address_list(e, "routers");
    auto router = parse_address_list(e, "router");
    sub.routers = routers.empty() ? router : routers;
    sub.dns_servers = parse_address_list(e, "dns");
    sub.lease_time = e.duration("lease").value_or(core::hours(2));
    sub.renewal_time = e.duration("t1");
    sub.rebinding_time = e.duration("t2");
    if (sub.renewal_time && *sub.renewal_time <= Duration::zero()) e.error_at("t1", "T1 must be positive");
    if (sub.rebinding_time && *sub.rebinding_time <= Duration::zero()) e.error_at("t2", "T2 must be positive");
    const Duration t1 = sub.renewal_time.value_or(sub.lease_time / 2);
    const Duration t2 = sub.rebinding_time.value_or(sub.lease_time * 7 / 8);
    if (t1 > t2) e.error_at(sub.renewal_time ? "t1" : "t2", "T1 (" + core::to_string(t1) + ") must not exceed T2 (" + core::to_string(t2) + ")");
    if (t2 > sub.lease_time) e.error_at(sub.rebinding_time ? "t2" : "lease", "T2 (" + core::to_string(t2) + ") must not exceed the lease (" + core::to_string(sub.lease_time) + ")");
    if (sub.lease_time < core::seconds(1)) e.error_at("lease", "a lease is at least 1s");
    c.subnets.push_back(std::move(sub));
  }, true, 100'000);
  // Ranges inside one server must not overlap (pools, across its subnets too).
  struct R { proto::AddressRange r; std::size_t subnet, pool; };
  std::vector<R> all;
  for (std::size_t i = 0; i < c.subnets.size(); ++i)
    for (std::size_t j = 0; j < c.subnets[i].pools.size(); ++j) all.push_back({c.subnets[i].pools[j], i, j});
  std::sort(all.begin(), all.end(), [](const R& a, const R& b) { return a.r.first < b.r.first; });
  for (std::size_t k = 1; k < all.size(); ++k) {
    if (all[k].r.first <= all[k - 1].r.last) {
      n.error_at("subnets", "pool " + all[k].r.first.to_string() + "-" + all[k].r.last.to_string() + " (subnets/" +
                                std::to_string(all[k].subnet) + "/pools/" + std::to_string(all[k].pool) +
                                ") overlaps pool " + all[k - 1].r.first.to_string() + "-" + all[k - 1].r.last.to_string() +
                                " (subnets/" + std::to_string(all[k - 1].subnet) + "/pools/" +
                                std::to_string(all[k - 1].pool) + ") of the same server");
    }
  }
  for (std::size_t i = 0; i < c.subnets.size(); ++i)
    for (std::size_t j = i + 1; j < c.subnets.size(); ++j)
      if (c.subnets[i].prefix.overlaps(c.subnets[j].prefix))
        n.error_at("subnets", "subnets " + c.subnets[i].prefix.to_string() + " and " + c.subnets[j].prefix.to_string() +
                                  " of one server overlap");
  // The engine's own consistency check, as a backstop: anything it would refuse is a
  // validation error here, never an abort at run time.
  if (!c.subnets.empty()) {
    proto::DhcpServerConfig probe = c;
    if (probe.server_id.is_zero()) probe.server_id = Ipv4Address::from_octets(192, 0, 2, 1);  // filled in at build
    if (auto why = proto::validate(probe)) n.error("this server's configuration is not usable: " + *why);
  }
  return s;
}

std::optional<ManualAssignment> parse_manual(const Node& n) {
  if (!n.expect_object("a manual assignment model")) return std::nullopt;
  n.allowed({"range", "order", "mask", "gateway", "dns", "typo_probability", "typo_fields", "reuse_probability"});
  ManualAssignment m;
  if (n.has("range")) {
    if (auto r = parse_range(n.child("range"))) {
      m.first = r->first;
      m.last = r->last;
    }
  } else {
    n.require("range");
  }
  m.random_order = n.enumerated("order", {"sequential", "random"}).value_or("sequential") == "random";
  m.mask = n.ipv4("mask", true).value_or(Ipv4Address());
  m.gateway = n.ipv4("gateway").value_or(Ipv4Address());
  m.dns = n.ipv4("dns").value_or(Ipv4Address());
  m.typo_probability = n.number("typo_probability", 0.0, 1.0).value_or(0.0);
  m.reuse_probability = n.number("reuse_probability", 0.0, 1.0).value_or(0.0);
  if (n.has("typo_fields")) {
    Node tf = n.child("typo_fields");
    if (tf.expect_object("weights per field")) {
      tf.allowed({"address", "mask", "gateway", "dns"});
      const char* names[4] = {"address", "mask", "gateway", "dns"};
      double sum = 0;
      for (int k = 0; k < 4; ++k) {
        m.typo_weights[k] = tf.number(names[k], 0.0, 1e9).value_or(0.0);
        sum += m.typo_weights[k];
      }
      if (sum <= 0) tf.error("at least one field needs a positive weight");
    }
  }
  return m;
}

HostGroupSpec parse_host(const Node& n) {
  HostGroupSpec h;
  if (!n.expect_object("a host or host group")) return h;
  n.allowed({"name", "count", "segment", "os", "static", "manual", "dhcp", "inform", "acd", "dns_responder", "boot",
             "probes", "mac", "routes"});
  h.name = n.string("name", true).value_or("");
  h.count = n.integer("count", 1, Limits::kMaxHosts).value_or(1);
  auto brace = h.name.find("{i}");
  if (h.count > 1 && brace == std::string::npos)
    n.error_at("name", "a group of " + std::to_string(h.count) + " hosts needs \"{i}\" in its name (e.g. \"pc-{i}\")");
  h.group = brace == std::string::npos ? h.name : h.name.substr(0, brace) + h.name.substr(brace + 3);
  while (!h.group.empty() && (h.group.back() == '-' || h.group.back() == '_' || h.group.back() == '.')) h.group.pop_back();
  if (h.group.empty()) h.group = h.name;
  h.segment = n.string("segment", true).value_or("");
  h.os = n.enumerated("os", {"linux", "windows"}).value_or("linux") == "windows" ? net::OsProfile::kWindows
                                                                                   : net::OsProfile::kLinux;
  const bool informs = n.has("inform") && n.value()["inform"].is_boolean() && n.value()["inform"].get<bool>();
  int methods = n.has("static") + n.has("manual") + (n.has("dhcp") && !informs);
  if (methods > 1) n.error("a host is configured by one of \"static\", \"manual\" or \"dhcp\", not several");
  if (n.has("static")) {
    Node st = n.child("static");
    if (st.expect_object("a static configuration")) {
      st.allowed({"address", "mask", "gateway", "dns"});
      net::StaticIpConfig c;
      c.address = st.ipv4("address", true).value_or(Ipv4Address());
      c.mask = st.ipv4("mask", true).value_or(Ipv4Address());
      c.gateway = st.ipv4("gateway").value_or(Ipv4Address());
      c.dns = st.ipv4("dns").value_or(Ipv4Address());
      h.static_ip = c;
      h.method = ConfigMethod::kStatic;
      if (h.count > 1)
        n.error_at("static", "a static address is for one host; use \"manual\" to give a group addresses");
    }
  }
  if (n.has("manual")) {
    h.manual = parse_manual(n.child("manual"));
    h.method = ConfigMethod::kManual;
  }
  if (n.has("dhcp")) {
    h.dhcp = parse_dhcp_client(n.child("dhcp"));
    if (h.method == ConfigMethod::kNone && h.dhcp) h.method = ConfigMethod::kDhcp;
  }
  h.inform = n.boolean("inform").value_or(false);
  if (h.inform) {
    if (h.method != ConfigMethod::kStatic && h.method != ConfigMethod::kManual)
      n.error_at("inform", "DHCPINFORM is for a statically configured host");
    if (!h.dhcp) h.dhcp = DhcpClientSpec{};
  }
  h.acd = n.boolean("acd").value_or(false);
  if (h.acd && h.method == ConfigMethod::kDhcp)
    n.error_at("acd", "\"acd\" is for static addresses; a DHCP client probes with \"dhcp\": {\"probe_on_ack\": true}");
  h.dns_responder = n.boolean("dns_responder").value_or(false);
  if (n.has("boot")) {
    if (auto d = parse_distribution(n.child("boot"))) h.boot = *d;
  }
  if (n.has("probes")) h.probes = parse_probes(n.child("probes"));
  h.mac = n.mac("mac");
  if (h.mac && h.count > 1) n.error_at("mac", "a fixed MAC is for one host");
  n.each("routes", [&](const Node& e, std::size_t) {
    if (!e.expect_object("a static route {\"prefix\", \"via\"}")) return;
    e.allowed({"prefix", "via"});
    auto p = e.prefix("prefix", true);
    auto via = e.ipv4("via", true);
    if (p && via) h.routes.push_back({*p, *via});
  }, false, 10'000);
  // Longest prefix first (stable: equal lengths keep their order).
  std::stable_sort(h.routes.begin(), h.routes.end(),
                   [](const auto& a, const auto& b) { return a.first.length() > b.first.length(); });
  return h;
}

ChurnSpec parse_churn(const Node& n) {
  ChurnSpec c;
  if (!n.expect_object("a churn process")) return c;
  n.allowed({"name", "segment", "os", "arrivals", "stay", "release_probability", "patience", "random_mac",
             "population", "max_arrivals", "dhcp", "probes"});
  c.name = n.string("name", true).value_or("");
  auto brace = c.name.find("{i}");
  if (brace == std::string::npos) n.error_at("name", "churned clients need \"{i}\" in their name (e.g. \"guest-{i}\")");
  c.group = brace == std::string::npos ? c.name : c.name.substr(0, brace) + c.name.substr(brace + 3);
  while (!c.group.empty() && (c.group.back() == '-' || c.group.back() == '_' || c.group.back() == '.')) c.group.pop_back();
  c.segment = n.string("segment", true).value_or("");
  c.os = n.enumerated("os", {"linux", "windows"}).value_or("linux") == "windows" ? net::OsProfile::kWindows
                                                                                   : net::OsProfile::kLinux;
  if (n.require("arrivals")) {
    Node a = n.child("arrivals");
    if (a.expect_object("an arrival process")) {
      a.allowed({"rate", "profile", "daily"});
      if (a.has("rate") == a.has("profile")) a.error("give either \"rate\" or \"profile\"");
      if (auto r = a.string("rate")) {
        auto v = parse_rate(*r);
        if (!v) a.error_at("rate", v.error());
        else c.rate_per_s.push_back({Duration::zero(), *v});
      }
      a.each("profile", [&](const Node& e, std::size_t) {
        if (!e.expect_object("a rate step {\"from\", \"rate\"}")) return;
        e.allowed({"from", "rate"});
        auto from = e.duration("from", true, core::days(1));
        auto r = e.string("rate", true);
        if (!from || !r) return;
        auto v = parse_rate(*r);
        if (!v) {
          e.error_at("rate", v.error());
          return;
        }
        if (!c.rate_per_s.empty() && *from <= c.rate_per_s.back().first)
          e.error_at("from", "rate steps must be in increasing time order");
        c.rate_per_s.push_back({*from, *v});
      }, false, 1000);
      if (!c.rate_per_s.empty() && c.rate_per_s.front().first != Duration::zero())
        a.error_at("profile", "the first rate step starts at \"0s\"");
      c.daily = a.boolean("daily").value_or(false);
    }
  }
  if (n.require("stay")) {
    if (auto d = parse_distribution(n.child("stay"))) c.stay = *d;
  }
  c.release_probability = n.number("release_probability", 0.0, 1.0).value_or(0.0);
  c.patience = n.duration("patience");
  c.random_mac = n.boolean("random_mac").value_or(false);
  c.max_clients = n.integer("max_arrivals", 1, Limits::kMaxHosts).value_or(100'000);
  c.population = n.integer("population", 0, Limits::kMaxHosts).value_or(0);
  if (n.has("dhcp")) {
    if (n.value()["dhcp"].is_boolean() && !n.value()["dhcp"].get<bool>())
      n.error_at("dhcp", "churned clients always use DHCP (give settings or true)");
    else if (auto d = parse_dhcp_client(n.child("dhcp")))
      c.dhcp = *d;
  }
  if (n.has("probes")) c.probes = parse_probes(n.child("probes"));
  if (n.has("acd")) n.error_at("acd", "churned clients use DHCP: probe with \"dhcp\": {\"probe_on_ack\": true}");
  return c;
}

TimelineAction parse_action(const Node& n) {
  TimelineAction a;
  a.json_pointer = n.pointer();
  if (!n.expect_object("a timeline action")) return a;
  a.at = n.duration("at", true).value_or(Duration::zero());
  auto kind = n.enumerated("action", {"server_stop", "server_start", "link_down", "link_up", "set_loss",
                                      "set_duplication", "reboot", "leave"}, true);
  if (!kind) return a;
  using K = TimelineAction::Kind;
  if (*kind == "server_stop" || *kind == "server_start") {
    n.allowed({"at", "action", "server", "keep_leases"});
    a.kind = *kind == "server_stop" ? K::kServerStop : K::kServerStart;
    a.server = n.string("server", true).value_or("");
    a.keep_leases = n.boolean("keep_leases").value_or(true);
  } else if (*kind == "link_down" || *kind == "link_up") {
    n.allowed({"at", "action", "host", "router", "interface", "fraction"});
    a.kind = *kind == "link_down" ? K::kLinkDown : K::kLinkUp;
    a.host = n.string("host").value_or("");
    a.router = n.string("router").value_or("");
    a.interface = n.string("interface").value_or("");
    if (a.host.empty() == a.router.empty()) n.error("give a \"host\" (or group) or a \"router\" with an \"interface\"");
    if (!a.router.empty() && a.interface.empty()) n.require("interface");
    a.fraction = n.number("fraction", 0.0, 1.0).value_or(1.0);
  } else if (*kind == "set_loss" || *kind == "set_duplication") {
    n.allowed({"at", "action", "segment", "value"});
    a.kind = *kind == "set_loss" ? K::kSetLoss : K::kSetDuplication;
    a.segment = n.string("segment", true).value_or("");
    a.value = n.number("value", 0.0, 1.0, true).value_or(0.0);
  } else if (*kind == "reboot") {
    n.allowed({"at", "action", "host", "downtime", "fraction"});
    a.kind = K::kReboot;
    a.host = n.string("host", true).value_or("");
    a.downtime = n.duration("downtime").value_or(core::seconds(30));
    a.fraction = n.number("fraction", 0.0, 1.0).value_or(1.0);
  } else {
    n.allowed({"at", "action", "host", "release", "fraction"});
    a.kind = K::kLeave;
    a.host = n.string("host", true).value_or("");
    a.release_given = n.has("release");
    a.release = n.boolean("release").value_or(false);
    a.fraction = n.number("fraction", 0.0, 1.0).value_or(1.0);
  }
  return a;
}

// ---- cross-references --------------------------------------------------------------------

/// Host names: single names, and group patterns "prefix{i}suffix" with i in 1..count.
struct NameIndex {
  std::map<std::string, std::size_t> singles;  // name -> host entry
  struct Pattern {
    std::string prefix, suffix;
    uint64_t count;
    std::size_t entry;
  };
  std::vector<Pattern> patterns;
  std::map<std::string, std::size_t> groups;  // group name -> entry (hosts and churn)

  /// The entry a host name belongs to, if any.
  std::optional<std::size_t> find(const std::string& name) const {
    if (auto it = singles.find(name); it != singles.end()) return it->second;
    for (const auto& p : patterns) {
      if (name.size() <= p.prefix.size() + p.suffix.size()) continue;
      if (name.compare(0, p.prefix.size(), p.prefix) != 0) continue;
      if (name.compare(name.size() - p.suffix.size(), p.suffix.size(), p.suffix) != 0) continue;
      std::string mid = name.substr(p.prefix.size(), name.size() - p.prefix.size() - p.suffix.size());
      if (mid.empty() || mid.size() > 9 || mid[0] == '0' || !std::all_of(mid.begin(), mid.end(), ::isdigit)) continue;
      uint64_t i = std::stoull(mid);
      if (i >= 1 && i <= p.count) return p.entry;
    }
    return std::nullopt;
  }
};

void cross_check(Scenario& s, Ctx& ctx) {
  auto err = [&](const std::string& ptr, std::string msg) { ctx.error(ptr, std::move(msg)); };
  std::map<std::string, std::size_t> segs;
  for (std::size_t k = 0; k < s.segments.size(); ++k) {
    const auto& name = s.segments[k].name;
    if (name.empty()) continue;
    if (!segs.emplace(name, k).second) err("/segments/" + std::to_string(k) + "/name", "duplicate segment name '" + name + "'");
  }
  auto seg_exists = [&](const std::string& name, const std::string& ptr) {
    if (!name.empty() && !segs.count(name)) err(ptr, "unknown segment '" + name + "'");
  };
  std::set<std::string> node_names;
  std::map<std::string, std::size_t> routers;
  for (std::size_t k = 0; k < s.routers.size(); ++k) {
    const auto& r = s.routers[k];
    const std::string base = "/routers/" + std::to_string(k);
    if (!r.name.empty() && !node_names.insert(r.name).second) err(base + "/name", "duplicate name '" + r.name + "'");
    routers[r.name] = k;
    std::set<std::string> ifnames;
    for (std::size_t i = 0; i < r.interfaces.size(); ++i) {
      seg_exists(r.interfaces[i].segment, base + "/interfaces/" + std::to_string(i) + "/segment");
      if (!ifnames.insert(r.interfaces[i].name).second)
        err(base + "/interfaces/" + std::to_string(i) + "/name", "duplicate interface name '" + r.interfaces[i].name + "'");
    }
    if (r.relay) {
      for (std::size_t i = 0; i < r.relay->interfaces.size(); ++i)
        if (!ifnames.count(r.relay->interfaces[i]))
          err(base + "/relay/interfaces/" + std::to_string(i), "router '" + r.name + "' has no interface '" + r.relay->interfaces[i] + "'");
    }
  }
  NameIndex names;
  for (std::size_t k = 0; k < s.hosts.size(); ++k) {
    auto& h = s.hosts[k];
    const std::string base = "/hosts/" + std::to_string(k);
    seg_exists(h.segment, base + "/segment");
    if (h.name.empty()) continue;
    auto brace = h.name.find("{i}");
    if (brace == std::string::npos) {
      if (!node_names.insert(h.name).second) {
        err(base + "/name", "duplicate name '" + h.name + "'");
      } else if (auto other = names.find(h.name)) {
        err(base + "/name", "the name '" + h.name + "' is already used by the group '" + s.hosts[*other].name +
                                "' (/hosts/" + std::to_string(*other) + ")");
      }
      names.singles[h.name] = k;
    } else {
      NameIndex::Pattern p{h.name.substr(0, brace), h.name.substr(brace + 3), h.count, k};
      for (const auto& q : names.patterns)
        if (q.prefix == p.prefix && q.suffix == p.suffix) err(base + "/name", "name pattern '" + h.name + "' is used twice");
      for (const auto& [single, e] : names.singles) {
        (void)e;
        NameIndex one;
        one.patterns.push_back(p);
        if (one.find(single)) err(base + "/name", "'" + h.name + "' would also name the host '" + single + "'");
      }
      names.patterns.push_back(p);
    }
    if (!names.groups.emplace(h.group, k).second && h.count > 1)
      err(base + "/name", "two groups are both called '" + h.group + "'");
  }
  for (std::size_t k = 0; k < s.churn.size(); ++k) {
    seg_exists(s.churn[k].segment, "/churn/" + std::to_string(k) + "/segment");
    if (names.groups.count(s.churn[k].group)) err("/churn/" + std::to_string(k) + "/name", "two groups are both called '" + s.churn[k].group + "'");
  }
  std::map<std::string, std::size_t> servers;
  for (std::size_t k = 0; k < s.servers.size(); ++k) {
    auto& sv = s.servers[k];
    const std::string base = "/dhcp_servers/" + std::to_string(k);
    if (!sv.name.empty() && !servers.emplace(sv.name, k).second) err(base + "/name", "duplicate server name '" + sv.name + "'");
    if (!sv.router.empty()) {
      auto it = routers.find(sv.router);
      if (it == routers.end()) {
        err(base + "/router", "unknown router '" + sv.router + "'");
      } else {
        const auto& r = s.routers[it->second];
        for (std::size_t i = 0; i < sv.interfaces.size(); ++i) {
          bool found = std::any_of(r.interfaces.begin(), r.interfaces.end(), [&](const auto& x) { return x.name == sv.interfaces[i]; });
          if (!found) err(base + "/interfaces/" + std::to_string(i), "router '" + sv.router + "' has no interface '" + sv.interfaces[i] + "'");
        }
      }
    }
    if (!sv.host.empty()) {
      auto it = names.singles.find(sv.host);
      if (it == names.singles.end()) {
        err(base + "/host", "unknown host '" + sv.host + "' (a server runs on a single named host)");
      } else {
        auto& h = s.hosts[it->second];
        if (h.method != ConfigMethod::kStatic)
          err(base + "/host", "host '" + sv.host + "' needs a \"static\" address to run a DHCP server");
        if (!h.server.empty()) err(base + "/host", "host '" + sv.host + "' already runs server '" + h.server + "'");
        h.server = sv.name;
        if (!sv.server_id_given && h.static_ip) {
          sv.config.server_id = h.static_ip->address;
        }
      }
    }
  }
  for (std::size_t k = 0; k < s.hosts.size(); ++k) {
    const auto& h = s.hosts[k];
    const std::string base = "/hosts/" + std::to_string(k) + "/probes";
    for (std::size_t i = 0; i < h.probes.peers.size(); ++i)
      if (!names.find(h.probes.peers[i])) err(base + "/peers/" + std::to_string(i), "unknown host '" + h.probes.peers[i] + "'");
    for (std::size_t i = 0; i < h.probes.outside.size(); ++i)
      if (!names.find(h.probes.outside[i])) err(base + "/outside/" + std::to_string(i), "unknown host '" + h.probes.outside[i] + "'");
  }
  for (std::size_t k = 0; k < s.churn.size(); ++k) {
    const auto& p = s.churn[k].probes;
    const std::string base = "/churn/" + std::to_string(k) + "/probes";
    for (std::size_t i = 0; i < p.peers.size(); ++i)
      if (!names.find(p.peers[i])) err(base + "/peers/" + std::to_string(i), "unknown host '" + p.peers[i] + "'");
    for (std::size_t i = 0; i < p.outside.size(); ++i)
      if (!names.find(p.outside[i])) err(base + "/outside/" + std::to_string(i), "unknown host '" + p.outside[i] + "'");
  }
  {
    std::map<std::string, std::string> on_router;
    for (std::size_t k = 0; k < s.servers.size(); ++k) {
      const auto& sv = s.servers[k];
      if (sv.router.empty()) continue;
      auto [it, fresh] = on_router.emplace(sv.router, sv.name);
      if (!fresh)
        err("/dhcp_servers/" + std::to_string(k) + "/router", "router '" + sv.router + "' already runs server '" +
                                                                  it->second + "' (one server per node)");
    }
  }
  for (const auto& a : s.timeline) {
    using K = TimelineAction::Kind;
    if (a.at > s.duration) err(a.json_pointer + "/at", "the action at " + core::to_string(a.at) + " is after the end of the run (" + core::to_string(s.duration) + ")");
    if ((a.kind == K::kServerStop || a.kind == K::kServerStart) && !a.server.empty() && !servers.count(a.server))
      err(a.json_pointer + "/server", "unknown server '" + a.server + "'");
    if (!a.host.empty() && !names.find(a.host) && !names.groups.count(a.host))
      err(a.json_pointer + "/host", "unknown host or group '" + a.host + "'");
    if (!a.router.empty()) {
      auto it = routers.find(a.router);
      if (it == routers.end()) err(a.json_pointer + "/router", "unknown router '" + a.router + "'");
      else if (!std::any_of(s.routers[it->second].interfaces.begin(), s.routers[it->second].interfaces.end(),
                            [&](const auto& x) { return x.name == a.interface; }))
        err(a.json_pointer + "/interface", "router '" + a.router + "' has no interface '" + a.interface + "'");
    }
    if (!a.segment.empty() && !segs.count(a.segment)) err(a.json_pointer + "/segment", "unknown segment '" + a.segment + "'");
  }
  // Limits on sizes.
  if (s.total_hosts() > Limits::kMaxHosts)
    err("/hosts", "the scenario has " + std::to_string(s.total_hosts()) + " hosts; the limit is " + std::to_string(Limits::kMaxHosts));
  uint64_t churn_max = 0;
  for (const auto& c : s.churn) churn_max += c.max_clients;
  if (s.total_hosts() + churn_max > Limits::kMaxHosts)
    err("/churn", "hosts plus churn arrivals (max_arrivals) exceed the limit of " + std::to_string(Limits::kMaxHosts));
}

}  // namespace

// ---- entry points ------------------------------------------------------------------------------

tl::expected<Scenario, Errors> parse_scenario(const json& doc, const std::string& file) {
  Ctx ctx;
  ctx.file = file;
  Scenario s;
  s.file = file;
  Node root(&doc, "", &ctx);
  if (!root.expect_object("a scenario")) return tl::unexpected(ctx.errors);
  root.allowed({"$schema", "name", "description", "seed", "duration", "stop_when", "time_bucket", "delivery",
                "segments", "routers", "dhcp_servers", "hosts", "churn", "timeline"});
  s.name = root.string("name").value_or("");
  s.description = root.string("description").value_or("");
  s.seed = root.integer("seed", 0, UINT64_MAX).value_or(1);
  s.duration = root.duration("duration", true).value_or(core::hours(1));
  if (s.duration <= Duration::zero()) root.error_at("duration", "the run needs a positive duration");
  if (auto stop = root.enumerated("stop_when", {"all_bound", "all_renewed"}))
    s.stop = *stop == "all_bound" ? StopCondition::kAllBound : StopCondition::kAllRenewed;
  s.bucket = root.duration("time_bucket");
  if (s.bucket && *s.bucket < core::milliseconds(1)) root.error_at("time_bucket", "the time bucket is at least 1ms");
  if (auto d = root.enumerated("delivery", {"indexed", "naive"}))
    s.delivery = *d == "naive" ? net::DeliveryMode::kNaive : net::DeliveryMode::kIndexed;
  root.each("segments", [&](const Node& e, std::size_t) { s.segments.push_back(parse_segment(e)); }, true,
            Limits::kMaxSegments);
  root.each("routers", [&](const Node& e, std::size_t) { s.routers.push_back(parse_router(e)); }, false,
            Limits::kMaxRouters);
  root.each("dhcp_servers", [&](const Node& e, std::size_t) { s.servers.push_back(parse_server(e)); }, false,
            Limits::kMaxServers);
  root.each("hosts", [&](const Node& e, std::size_t) { s.hosts.push_back(parse_host(e)); }, false, 100'000);
  root.each("churn", [&](const Node& e, std::size_t) { s.churn.push_back(parse_churn(e)); }, false, 1000);
  root.each("timeline", [&](const Node& e, std::size_t) { s.timeline.push_back(parse_action(e)); }, false,
            Limits::kMaxTimeline);
  if (ctx.errors.empty()) cross_check(s, ctx);
  if (!ctx.errors.empty()) return tl::unexpected(std::move(ctx.errors));
  if (s.name.empty()) {
    auto slash = file.find_last_of('/');
    std::string stem = slash == std::string::npos ? file : file.substr(slash + 1);
    auto dot = stem.rfind('.');
    s.name = dot == std::string::npos ? stem : stem.substr(0, dot);
  }
  return s;
}

tl::expected<json, Errors> read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return tl::unexpected(Errors{{path, "", "cannot open the file"}});
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) {
    // Parse again with exceptions to get the byte offset of the syntax error.
    try {
      json again = json::parse(text);
      (void)again;
    } catch (const json::parse_error& e) {
      // nlohmann counts bytes from 1; offsets here count from 0, like everywhere else.
      std::string what = e.what();
      auto at = what.find("] ");
      if (at != std::string::npos) what = what.substr(at + 2);
      return tl::unexpected(Errors{{path, "", "not valid JSON: syntax error at byte " +
                                                  std::to_string(e.byte > 0 ? e.byte - 1 : 0) + " (" + what + ")"}});
    }
    return tl::unexpected(Errors{{path, "", "not valid JSON"}});
  }
  return doc;
}

tl::expected<void, ScenarioError> apply_override(json& doc, const std::string& assignment, const std::string& file) {
  auto eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    return tl::unexpected(ScenarioError{file, "", "--set '" + assignment + "': expected POINTER=VALUE, e.g. /hosts/0/count=500"});
  const std::string ptr = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  json value = json::parse(text, nullptr, false);
  if (value.is_discarded()) value = text;  // not JSON: a string (e.g. 2h, 10.0.0.1)
  json::json_pointer p;
  try {
    p = json::json_pointer(ptr);
  } catch (const json::exception&) {
    return tl::unexpected(ScenarioError{file, ptr, "--set: '" + ptr + "' is not a JSON pointer (it starts with '/')"});
  }
  if (p.empty()) return tl::unexpected(ScenarioError{file, ptr, "--set cannot replace the whole document"});
  json::json_pointer parent = p.parent_pointer();
  if (!doc.contains(parent))
    return tl::unexpected(ScenarioError{file, parent.to_string(), "--set " + ptr + ": the parent " +
                                                                     (parent.empty() ? std::string("/") : parent.to_string()) +
                                                                     " does not exist"});
  json& target = doc[parent];
  const std::string last = p.back();
  if (target.is_object()) {
    target[last] = value;
  } else if (target.is_array()) {
    if (last == "-") {
      target.push_back(value);
    } else {
      std::size_t idx = 0;
      try {
        idx = std::stoul(last);
      } catch (...) {
        return tl::unexpected(ScenarioError{file, ptr, "--set: '" + last + "' is not an array index"});
      }
      if (idx >= target.size())
        return tl::unexpected(ScenarioError{file, ptr, "--set: index " + last + " is past the end of the array (" +
                                                           std::to_string(target.size()) + " entries)"});
      target[idx] = value;
    }
  } else {
    return tl::unexpected(ScenarioError{file, parent.to_string(), "--set " + ptr + ": the parent is not an object or array"});
  }
  return {};
}

tl::expected<Scenario, Errors> load_scenario(const std::string& path, const std::vector<std::string>& overrides) {
  auto doc = read_json_file(path);
  if (!doc) return tl::unexpected(doc.error());
  Errors errors;
  for (const auto& o : overrides) {
    auto r = apply_override(*doc, o, path);
    if (!r) errors.push_back(r.error());
  }
  if (!errors.empty()) return tl::unexpected(errors);
  return parse_scenario(*doc, path);
}

}  // namespace dhcpsim::scenario
