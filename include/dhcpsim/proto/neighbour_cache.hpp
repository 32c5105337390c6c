#pragma once
// An ARP neighbour table that behaves like Linux's (net/core/neighbour.c, net/ipv4/arp.c),
// as a sans-I/O engine: the host feeds it outgoing packets to resolve, received ARP
// packets and timer calls; it answers with actions (send an ARP request, send or drop the
// packets it queued, an entry changed).
//
// Modelled (Linux defaults in NeighbourParams):
// - NUD states INCOMPLETE, REACHABLE, STALE, DELAY, PROBE, FAILED and their timers:
//   INCOMPLETE sends mcast_probes broadcast requests retrans_time apart, then FAILED
//   (queued packets dropped); STALE on use -> DELAY; DELAY without confirmation for
//   delay_first_probe_time -> PROBE, ucast_probes unicast requests retrans_time apart,
//   then FAILED; a unicast reply -> REACHABLE for a per-entry random reachable time in
//   [base/2, 3*base/2).
// - arp_process / neigh_update: a request for one of my addresses creates or updates the
//   sender's entry (STALE, always overriding the MAC: Linux's neigh_event_ns); any other
//   ARP from a sender with an entry updates it: a reply unicast to me -> REACHABLE, a
//   broadcast reply or a request -> STALE; an unchanged MAC with new state STALE keeps the
//   state; a different MAC replaces the cached one only if the entry was last updated more
//   than locktime ago, or if the packet is a gratuitous ARP (spa == tpa; for a reply also
//   tha == sha). arp_accept (off by default) lets gratuitous ARP and replies create entries.
// - Garbage collection: the periodic pass (every gc_interval while the table holds at
//   least gc_thresh1 entries) drops FAILED entries and STALE ones unused for
//   gc_stale_time; creating an entry at gc_thresh2 (at most every 5 s) or gc_thresh3 runs
//   the forced pass (drops FAILED and STALE entries not updated for 5 s); if that frees
//   nothing at gc_thresh3 the table is full ("neighbour table overflow"): the entry is not
//   created.
//
// Simplifications (documented choices):
// - REACHABLE -> STALE is lazy: an entry whose reachable time has passed is STALE as soon
//   as it is looked at (Entry::state_at); the transition is reported (EntryChanged, with
//   `updated` set to the lapse time) by the next call that uses or changes the entry.
//   An ARP packet that changes nothing leaves no trace at all, so handing a broadcast to
//   every NIC or only to those it can change (unicast to me, a request for my address, a
//   sender whose entry is not valid or has another MAC) gives identical actions.
//   next_deadline() never wakes the host for a lapse. Linux's "expires while recently
//   used -> DELAY instead of STALE" is folded into "STALE, and the next use -> DELAY".
// - The reachable time is drawn per entry each time it becomes REACHABLE (Linux draws one
//   per interface every 300 s), at millisecond resolution (Linux: jiffies).
// - An entry that is not valid (INCOMPLETE, FAILED) holds no MAC (Linux keeps the stale
//   bytes but never uses them), so FAILED -> resolved again is never a "flip".
// - The forced GC removes the oldest `updated` first (Linux walks its creation-ordered
//   gc_list).
// - ARP packets whose sender MAC is zero or multicast, or whose sender IP is multicast,
//   broadcast or loopback, are ignored (Linux would make odd NOARP entries of them).
// - Resolution queue: at most kMaxQueued (3) packets (Linux today queues by bytes).

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <variant>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "dhcpsim/core/random.hpp"
#include "dhcpsim/core/time.hpp"
#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/arp.hpp"

namespace dhcpsim::proto {

/// Linux's NUD_* states, plus None for "no entry" (creation and removal in EntryChanged).
enum class NudState : uint8_t { None = 0, Incomplete, Reachable, Stale, Delay, Probe, Failed };
/// "NONE", "INCOMPLETE", "REACHABLE", ... (as `ip neigh` prints them).
const char* to_string(NudState s);
/// REACHABLE, STALE, DELAY, PROBE: the entry has a usable MAC (Linux's NUD_VALID).
constexpr bool is_valid(NudState s) {
  return s == NudState::Reachable || s == NudState::Stale || s == NudState::Delay ||
         s == NudState::Probe;
}

/// Linux's defaults (net.ipv4.neigh.default.*, arp_tbl).
struct NeighbourParams {
  core::Duration base_reachable_time = core::seconds(30);
  core::Duration delay_first_probe_time = core::seconds(5);
  core::Duration retrans_time = core::seconds(1);
  core::Duration locktime = core::seconds(1);
  core::Duration gc_stale_time = core::seconds(60);
  /// Period of the periodic GC pass (Linux: base_reachable_time / 2).
  core::Duration gc_interval = core::seconds(15);
  uint32_t gc_thresh1 = 128;
  uint32_t gc_thresh2 = 512;
  uint32_t gc_thresh3 = 1024;
  uint8_t ucast_probes = 3;
  uint8_t mcast_probes = 3;
  /// Packets queued per unresolved entry (at most NeighbourCache::kMaxQueued).
  uint8_t unres_qlen = 3;
  /// net.ipv4.conf.*.arp_accept: gratuitous ARP and replies create entries.
  bool arp_accept = false;

  /// Linux's defaults; a static object, for caches constructed without parameters.
  static const NeighbourParams& linux_defaults();
};

/// The host's handle for a packet waiting for resolution (an index into its own buffer).
using PacketToken = uint32_t;
using TokenList = boost::container::small_vector<PacketToken, 3>;

class NeighbourCache {
 public:
  /// Inline capacity of an entry's queue of unresolved packets.
  static constexpr std::size_t kMaxQueued = 3;

  // ---- Actions (appended to the caller's vector) -----------------------------------
  /// Send an ARP request for `target`: broadcast while INCOMPLETE, unicast to the cached
  /// MAC while PROBE. The host fills in its own sender addresses (tha zero).
  struct SendArpRequest {
    wire::Ipv4Address target;
    wire::MacAddress dst_mac;
    bool operator==(const SendArpRequest&) const = default;
  };
  /// The entry got a MAC: send these queued packets (oldest first) to it.
  struct SendQueued {
    wire::Ipv4Address ip;
    wire::MacAddress mac;
    TokenList tokens;
    bool operator==(const SendQueued&) const = default;
  };
  enum class DropReason : uint8_t {
    QueueFull,         // more than unres_qlen packets waiting: the oldest goes
    ResolutionFailed,  // INCOMPLETE -> FAILED
    Cleared,           // clear()
  };
  /// These packets will never be sent.
  struct DropQueued {
    wire::Ipv4Address ip;
    TokenList tokens;
    DropReason reason;
    bool operator==(const DropQueued&) const = default;
  };
  /// Every change of an entry's state or MAC, in order: for each ip, old_state/old_mac
  /// equal the new_state/new_mac of the previous change (None / zero MAC before the first
  /// and after removal). MACs are zero in states without a usable MAC.
  struct EntryChanged {
    wire::Ipv4Address ip;
    NudState old_state;
    NudState new_state;
    wire::MacAddress old_mac;
    wire::MacAddress new_mac;
    /// The cached MAC changed from one non-zero MAC to another (an ARP cache "flip").
    bool flip() const { return !old_mac.is_zero() && !new_mac.is_zero() && old_mac != new_mac; }
    bool operator==(const EntryChanged&) const = default;
  };
  /// The table was full (gc_thresh3 reached and the forced GC freed nothing): no entry
  /// for `ip` was created. For a request to me, Linux then sends no ARP reply.
  struct TableFull {
    wire::Ipv4Address ip;
    bool operator==(const TableFull&) const = default;
  };
  using Action = std::variant<SendArpRequest, SendQueued, DropQueued, EntryChanged, TableFull>;

  enum class ResolveStatus : uint8_t {
    Resolved,  // send now to `mac`
    Queued,    // held until resolution (its token comes back in SendQueued or DropQueued)
    Dropped,   // not queued (no table room, or unres_qlen 0 / mcast_probes 0)
  };
  struct Resolution {
    ResolveStatus status;
    wire::MacAddress mac;  // when Resolved
  };

  /// 64 bytes. `state` is as stored: a REACHABLE entry past its reachable time is STALE
  /// (see state_at).
  struct Entry {
    wire::Ipv4Address ip;
    wire::MacAddress mac;  // zero unless is_valid(state)
    NudState state = NudState::None;
    uint8_t probes = 0;  // requests sent in the current INCOMPLETE / PROBE round
    uint8_t queued = 0;  // tokens in queue[0, queued), oldest first
    std::array<PacketToken, kMaxQueued> queue{};
    uint32_t reachable_ms = 0;                // drawn when the entry last became REACHABLE
    core::Time updated;                       // last change of state or MAC (locktime, forced GC)
    core::Time confirmed;                     // last proof of reachability
    core::Time used;                          // last resolve() (periodic GC)
    core::Time deadline = core::Time::max();  // INCOMPLETE / DELAY / PROBE timer

    core::Time reachable_until() const {
      return confirmed + core::milliseconds(int64_t(reachable_ms));
    }
    /// The state at `now`, with REACHABLE -> STALE applied lazily.
    NudState state_at(core::Time now) const {
      return state == NudState::Reachable && now >= reachable_until() ? NudState::Stale : state;
    }
    std::span<const PacketToken> queued_tokens() const { return {queue.data(), queued}; }
  };

  /// Keeps a pointer to `params`, which must outlive the cache (one parameter set is
  /// normally shared by all the hosts of a scenario).
  explicit NeighbourCache(const NeighbourParams& params = NeighbourParams::linux_defaults());

  /// Resolves `next_hop` for an outgoing packet identified by `token` (see Resolution).
  Resolution resolve(core::Time now, wire::Ipv4Address next_hop, PacketToken token, core::Rng& rng,
                     std::vector<Action>& out);

  /// A received ARP packet (arp_process). `unicast_to_me`: the Ethernet destination was
  /// my MAC (Linux's PACKET_HOST); `target_is_me`: tpa is one of my addresses. Replying
  /// to requests is the host's job, not the cache's.
  void on_arp(core::Time now, const wire::ArpPacket& packet, bool unicast_to_me, bool target_is_me,
              core::Rng& rng, std::vector<Action>& out);

  /// Upper-layer proof that `ip` is reachable (Linux's neigh_confirm / dst_confirm: TCP
  /// progress). A DELAY entry confirmed in time becomes REACHABLE at its timer.
  void confirm(core::Time now, wire::Ipv4Address ip, std::vector<Action>& out);

  /// Time::max() if no timer is armed. REACHABLE expiry never appears here (lazy).
  core::Time next_deadline() const;
  /// Runs the timers due at `now` (each at its own nominal time) and the periodic GC.
  void on_timer(core::Time now, core::Rng& rng, std::vector<Action>& out);

  /// Removes every entry (interface down), dropping queued packets.
  void clear(std::vector<Action>& out);

  /// The entry for `ip`, or nullptr. Its stored state may be a lapsed REACHABLE: use
  /// Entry::state_at(now).
  const Entry* lookup(wire::Ipv4Address ip) const;
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  /// All entries in ascending IP order.
  std::span<const Entry> entries() const { return {entries_.data(), entries_.size()}; }
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }
  const NeighbourParams& params() const { return *params_; }

 private:
  // One entry inline: a DHCP host usually caches only its gateway (its server is the
  // gateway or behind it), and a million interfaces carrying a second, empty, 64-byte slot
  // cost 64 MB. A second entry moves the table to the heap.
  using Storage = boost::container::small_vector<Entry, 1>;

  Entry* find(wire::Ipv4Address ip);
  /// Finds or creates (NudState::None, not reported yet) the entry; nullptr if full.
  Entry* find_or_create(core::Time now, wire::Ipv4Address ip, std::vector<Action>& out);
  void erase(Entry& e, std::vector<Action>& out);
  /// REACHABLE past its reachable time -> STALE, reported.
  void expire_if_lapsed(Entry& e, core::Time now, std::vector<Action>& out);
  void set_state(Entry& e, NudState s, std::vector<Action>& out, wire::MacAddress old_mac);
  void set_timer(Entry& e, core::Time t);
  void put_deadline(Entry& e, core::Time t) {
    e.deadline = t;
    if (side_) side_->deadlines[std::size_t(&e - entries_.data())] = t;
  }
  /// Entry i's deadline, read from the side array when there is one (8 bytes, not a line).
  core::Time deadline_of(std::size_t i) const {
    return side_ ? side_->deadlines[i] : entries_[i].deadline;
  }
  void clear_timer(Entry& e);
  void enqueue(Entry& e, PacketToken token, std::vector<Action>& out);
  void start_resolution(Entry& e, core::Time now, std::vector<Action>& out);
  void fail(Entry& e, core::Time at, std::vector<Action>& out);
  void send_probe(Entry& e, core::Time at, std::vector<Action>& out);
  void run_timer(Entry& e, core::Time now, core::Rng& rng, std::vector<Action>& out);
  void update(Entry& e, core::Time now, wire::MacAddress lladdr, NudState new_state,
              bool override_mac, core::Rng& rng, std::vector<Action>& out);
  void draw_reachable_time(Entry& e, core::Rng& rng);
  std::size_t forced_gc(core::Time now, std::vector<Action>& out);
  void periodic_gc(core::Time now, std::vector<Action>& out);
  void finish_call();

  const NeighbourParams* params_;
  Storage entries_;  // sorted by ip
  /// Min deadline over the entries, cached; kDirty during a call when it must be
  /// recomputed (a sentinel rather than a flag keeps the cache small).
  static constexpr core::Time kDirty = core::Time::from_ns(INT64_MIN);
  core::Time next_timer_ = core::Time::max();
  core::Time next_gc_ = core::Time::zero();
  core::Time last_flush_ = core::Time::zero();  // last forced GC
  /// A big cache's keys and deadlines side by side (a router's holds hundreds of
  /// entries): a lookup then searches 4 bytes an entry and a timer pass reads 8, not a
  /// whole 64-byte entry each. Null for small caches (a host's cache stays at 128 bytes);
  /// otherwise one element per entry in each array, in entry order.
  struct Side {
    std::vector<uint32_t> ips;
    std::vector<core::Time> deadlines;
  };
  std::unique_ptr<Side> side_;
  static constexpr std::size_t kSideFrom = 16;  // entries
  /// Index of the first entry whose ip is not below `ip`.
  std::size_t lower_index(wire::Ipv4Address ip) const;
};

using NeighbourAction = NeighbourCache::Action;

}  // namespace dhcpsim::proto
