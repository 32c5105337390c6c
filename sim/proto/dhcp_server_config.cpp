#include <algorithm>
#include <set>

#include "dhcpsim/proto/dhcp_server_config.hpp"

namespace dhcpsim::proto {

namespace {

std::string range_text(const AddressRange& r) {
  return r.first.to_string() + "-" + r.last.to_string();
}

// RFC 950 / RFC 1122: the all-zeros and all-ones host numbers are not host addresses,
// except on /31 (RFC 3021) and /32 prefixes.
bool is_special(const wire::Ipv4Prefix& p, wire::Ipv4Address a) {
  return p.length() <= 30 && (a == p.network() || a == p.broadcast());
}

}  // namespace

std::optional<std::string> validate(const DhcpServerConfig& config) {
  if (config.server_id.is_zero()) return "the server identifier (option 54) must not be 0.0.0.0";
  if (config.offer_hold_time <= core::Duration::zero())
    return "the offer hold time must be positive";
  if (config.decline_probation_time <= core::Duration::zero())
    return "the decline probation time must be positive";
  if (config.max_lease_time < core::seconds(1)) return "the maximum lease time must be at least 1s";
  if (config.ping_check.enabled) {
    if (config.ping_check.wait <= core::Duration::zero())
      return "the ping check wait must be positive";
    if (config.ping_check.max_attempts == 0) return "ping check max_attempts must be at least 1";
    if (config.ping_check.max_parked == 0) return "ping check max_parked must be at least 1";
  }
  uint64_t total = 0;
  for (std::size_t si = 0; si < config.subnets.size(); ++si) {
    const SubnetConfig& s = config.subnets[si];
    const std::string where = "subnet " + std::to_string(si) + " (" + s.prefix.to_string() + "): ";
    for (std::size_t sj = 0; sj < si; ++sj)
      if (config.subnets[sj].prefix.overlaps(s.prefix))
        return where + "overlaps subnet " + std::to_string(sj) + " (" +
               config.subnets[sj].prefix.to_string() + ")";
    if (s.lease_time < core::seconds(1)) return where + "the lease time must be at least 1s";
    if (s.renewal_time &&
        (*s.renewal_time <= core::Duration::zero() || *s.renewal_time > s.lease_time))
      return where + "T1 (renewal time) must be positive and not longer than the lease time";
    if (s.rebinding_time &&
        (*s.rebinding_time <= core::Duration::zero() || *s.rebinding_time > s.lease_time))
      return where + "T2 (rebinding time) must be positive and not longer than the lease time";
    if (s.renewal_time && s.rebinding_time && *s.renewal_time > *s.rebinding_time)
      return where + "T1 (renewal time) must not be longer than T2 (rebinding time)";
    std::vector<AddressRange> pools = s.pools;
    std::sort(pools.begin(), pools.end(),
              [](const AddressRange& a, const AddressRange& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < pools.size(); ++i) {
      const AddressRange& p = pools[i];
      if (p.last < p.first) return where + "pool " + range_text(p) + " ends before it starts";
      if (!s.prefix.contains(p.first) || !s.prefix.contains(p.last))
        return where + "pool " + range_text(p) + " is not inside the prefix";
      if (p.contains(s.prefix.network()) && is_special(s.prefix, s.prefix.network()))
        return where + "pool " + range_text(p) + " holds the network address";
      if (p.contains(s.prefix.broadcast()) && is_special(s.prefix, s.prefix.broadcast()))
        return where + "pool " + range_text(p) + " holds the broadcast address";
      if (i > 0 && pools[i - 1].last >= p.first)
        return where + "pools " + range_text(pools[i - 1]) + " and " + range_text(p) + " overlap";
      total += p.size();
    }
    for (const auto& ex : s.exclusions) {
      if (ex.last < ex.first)
        return where + "exclusion " + range_text(ex) + " ends before it starts";
      if (!s.prefix.contains(ex.first) || !s.prefix.contains(ex.last))
        return where + "exclusion " + range_text(ex) + " is not inside the prefix";
    }
    std::set<uint32_t> addresses;
    std::set<uint64_t> macs;
    std::set<std::string> client_ids;  // (std::string: GCC 12 misreports set<vector<byte>>)
    for (const auto& r : s.reservations) {
      const std::string what = where + "reservation of " + r.address.to_string() + ": ";
      if (!s.prefix.contains(r.address)) return what + "the address is not inside the prefix";
      if (is_special(s.prefix, r.address))
        return what + "the network or broadcast address cannot be reserved";
      if (!r.mac && r.client_id.empty()) return what + "needs a MAC address or a client identifier";
      if (!r.client_id.empty() && r.client_id.size() < 2)
        return what + "a client identifier is a type octet and at least one more (RFC 2132 §9.14)";
      if (!addresses.insert(r.address.value()).second)
        return what + "the address is reserved twice";
      if (r.mac && !macs.insert(r.mac->to_u64()).second)
        return what + "MAC " + r.mac->to_string() + " has another reservation in this subnet";
      if (!r.client_id.empty() &&
          !client_ids
               .insert(std::string(reinterpret_cast<const char*>(r.client_id.data()),
                                   r.client_id.size()))
               .second)
        return what + "the client identifier has another reservation in this subnet";
      for (const auto& ex : s.exclusions)
        if (ex.contains(r.address)) return what + "the address is excluded";
      bool in_pool = false;
      for (const auto& p : pools) in_pool = in_pool || p.contains(r.address);
      if (!in_pool) ++total;
    }
  }
  if (total >= uint64_t(UINT32_MAX) - 1)
    return "more than 2^32 - 2 addresses in one server's pools";
  return std::nullopt;
}

}  // namespace dhcpsim::proto
