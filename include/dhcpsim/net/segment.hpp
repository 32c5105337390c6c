#pragma once
// A segment is one broadcast domain (an Ethernet switch or a shared medium). It delivers
// frames to the interfaces attached to it after a latency (plus an optional per-byte
// serialization delay at the sender), with loss and duplication drawn per receiver from
// counter-based draws keyed by (seed, frame id, receiver id).
//
// Broadcast without quadratic cost (ARCHITECTURE.md): a broadcast frame reaches every
// NIC, and most discard it. The segment keeps indexes of who could care about a frame
// (by MAC, by configured address, by ARP cache entry, by address watched by ACD, by UDP
// port) and hands the frame only to those; the others are counted as discarded. The
// naive reference mode delivers to every receiver in its own event with a full parse.

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>
#include <boost/container/small_vector.hpp>

#include "dhcpsim/core/time.hpp"
#include "dhcpsim/net/block_index.hpp"
#include "dhcpsim/net/ids.hpp"
#include "dhcpsim/wire/address.hpp"

namespace dhcpsim::net {

struct SegmentConfig {
  std::string name;
  /// The subnet the segment is meant to carry (documentation, routers, studies); hosts may
  /// be misconfigured with addresses outside it.
  std::optional<wire::Ipv4Prefix> subnet;
  core::Duration latency = core::microseconds(100);
  /// Serialization rate of each sender's NIC in bits/s; 0 means no serialization delay.
  uint64_t bandwidth_bps = 0;
  double loss = 0.0;         // probability that one receiver misses one frame
  double duplication = 0.0;  // probability that one receiver gets one frame twice
};

struct SegmentStats {
  uint64_t frames_sent = 0;
  uint64_t bytes_sent = 0;
  uint64_t broadcasts_sent = 0;
  uint64_t deliveries = 0;   // frames taken in by a receiver that could use them
  uint64_t discarded = 0;    // receivers that got a frame they had no use for
  uint64_t lost = 0;         // receivers that missed a frame (loss model)
  uint64_t duplicated = 0;   // extra copies delivered (duplication model)
  uint64_t malformed = 0;    // frames whose headers did not parse
  uint64_t link_down_drops = 0;
  bool operator==(const SegmentStats&) const = default;
};

using IfaceList = boost::container::small_vector<IfaceId, 2>;

/// MAC -> interfaces of one segment (a BlockIndex: MACs handed out in sequence share
/// cache lines). Duplicate MACs (a misconfiguration worth studying) spill into a list.
class MacIndex {
 public:
  /// The interfaces with this MAC (empty if none).
  IfaceList find(uint64_t mac) const {
    const uint32_t v = index_.find(mac);
    if (v == BlockIndex<uint64_t>::kNone) return {};
    if (v & kDup) return dups_[v & ~kDup];
    return {IfaceId(v)};
  }
  /// Where a lookup of `mac` starts (a prefetch hint).
  const void* home(uint64_t mac) const { return index_.home(mac); }
  /// The one interface with this MAC; invalid if none or several (a prefetch hint).
  IfaceId only(uint64_t mac) const {
    const uint32_t v = index_.find(mac);
    return v == BlockIndex<uint64_t>::kNone || (v & kDup) ? IfaceId() : IfaceId(v);
  }
  void insert(uint64_t mac, IfaceId iface);
  void erase(uint64_t mac, IfaceId iface);
  /// Distinct MACs indexed.
  std::size_t size() const { return index_.size(); }

 private:
  static constexpr uint32_t kDup = 0x80000000u;  // value: kDup | index into dups_
  BlockIndex<uint64_t> index_;
  RecordPool<IfaceList> dups_;
};

/// Per-IP ARP cache holders: who caches `ip`, and with which MAC (0 = unresolved).
/// 48 bytes for the usual single holder (a router caching a client); the bookkeeping for
/// many holders (every host of a segment caches its gateway) is allocated only then.
class ArpHolders {
 public:
  struct Holder {
    IfaceId iface;
    uint64_t mac;
  };
  ArpHolders() = default;
  ArpHolders(ArpHolders&&) noexcept = default;
  ArpHolders& operator=(ArpHolders&&) noexcept = default;
  ArpHolders(const ArpHolders& o)
      : list_(o.list_), many_(o.many_ ? std::make_unique<Many>(*o.many_) : nullptr) {}
  ArpHolders& operator=(const ArpHolders& o) {
    if (this != &o) *this = ArpHolders(o);
    return *this;
  }

  /// Every holder, in no particular order.
  std::span<const Holder> list() const { return {list_.data(), list_.size()}; }
  bool empty() const { return list_.empty(); }
  /// True when every holder caches exactly `mac` (then an ARP from `mac` changes none).
  bool all_hold(uint64_t mac) const;
  /// The holder entry of `iface` (nullptr if it holds none).
  const Holder* find(IfaceId iface) const;
  void add(IfaceId iface, uint64_t mac);
  void remove(const Holder* holder);
  void set_mac(const Holder* holder, uint64_t mac);

 private:
  struct Many {
    /// Distinct cached MACs and how many holders cache each (usually one entry).
    boost::container::small_vector<std::pair<uint64_t, uint32_t>, 2> mac_counts;
    /// iface -> index in list_, once the list is long enough for a walk to cost.
    absl::flat_hash_map<uint32_t, uint32_t> positions;
    bool mapped = false;
  };
  static constexpr std::size_t kMapFrom = 16;
  void count(uint64_t mac, int delta);
  Holder* at(const Holder* h) { return list_.data() + (h - list_.data()); }

  boost::container::small_vector<Holder, 1> list_;
  std::unique_ptr<Many> many_;  // with two or more holders
};

/// Ground truth about one address configured on two or more interfaces of a segment.
struct AddressOwners {
  uint32_t ip = 0;
  IfaceList ifaces;           // empty: a released record
  core::Time conflict_since;
  core::Time last_change;     // for the host-seconds integral
};

struct ConflictTotals {
  uint64_t addresses_conflicted = 0;  // distinct (segment, ip) ever held twice at once
  uint64_t conflict_episodes = 0;
  int64_t host_ns_in_conflict = 0;    // integral over time of (holders) while holders >= 2
};

class Segment {
 public:
  explicit Segment(SegmentConfig c) : config(std::move(c)) {}

  SegmentConfig config;
  SegmentStats stats;
  std::vector<IfaceId> attached;  // attach order: the delivery order in both modes
  uint32_t up_count = 0;          // attached interfaces whose link is up

  // Indexes: kept exact by the network whenever the state they summarise changes. They
  // are looked up, never iterated into any output (their order is unspecified).
  MacIndex by_mac;
  /// Configured address -> its interface, or kSharedOwners | index into shared_owners when
  /// two or more interfaces hold it (the conflict oracle's ground truth).
  BlockIndex<uint32_t> owners;
  RecordPool<AddressOwners> shared_owners;
  static constexpr uint32_t kSharedOwners = 0x80000000u;
  /// ARP-cached address -> index into holders.
  BlockIndex<uint32_t> arp_holders;
  RecordPool<ArpHolders> holders;
  absl::flat_hash_map<uint32_t, IfaceList> acd_watchers;
  IfaceList bootp_server_listeners;  // receive broadcasts to UDP 67 (servers, relays)

  absl::flat_hash_map<uint32_t, bool> ever_conflicted;

  /// The interfaces configured with `ip` on this segment (live links only).
  IfaceList owners_of(wire::Ipv4Address ip) const {
    const uint32_t v = owners.find(ip.value());
    if (v == BlockIndex<uint32_t>::kNone) return {};
    if (v & kSharedOwners) return shared_owners[v & ~kSharedOwners].ifaces;
    return {IfaceId(v)};
  }
  ConflictTotals conflicts;
};

}  // namespace dhcpsim::net
