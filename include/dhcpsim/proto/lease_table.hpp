#pragma once
// The lease table of a DHCP server: the single source of truth about every address the
// server may hand out, with absolute expiry times.
//
// Every pool address of every subnet (and every reserved address outside the pools) has a
// *slot*: a 32-byte record with its state, its current (or last) client and its absolute
// deadline. Slots of one subnet are contiguous: first the pool ranges concatenated (the
// allocator's index space), then the reserved addresses outside the pools. An address maps
// to its slot by a binary search over the subnets and their pools (a handful), so no
// per-address hash table is needed.
//
// Clients are found through one open-addressing hash map ClientKey -> slot of the client's
// most recent lease (current, offered, or expired/released and still remembered). A slot
// remembers its last client until the address goes to someone else, so the map never holds
// more entries than there are slots.
//
// Deadlines (RFC 2131 leases never poll): offers and probations have one fixed duration
// each, so their deadlines arrive in order and sit in FIFO rings; lease expiries vary
// (renewals, requested lease times) and sit in a binary min-heap keyed (time, slot). The
// heap is lazy: a renewal or re-bind only moves the slot's deadline; its heap entry is
// re-pushed when it surfaces. Stale entries (an offer that was accepted, a released lease)
// are recognised by comparing with the slot and dropped. settle() keeps every queue's
// front valid, so next_deadline() is exact.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "dhcpsim/core/memory.hpp"
#include "dhcpsim/core/random.hpp"
#include "dhcpsim/core/time.hpp"
#include "dhcpsim/proto/allocator.hpp"
#include "dhcpsim/proto/dhcp_server_config.hpp"
#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {
struct DhcpMessage;
}

namespace dhcpsim::proto {

/// Storage for the big per-address arrays (slots, client map, heap, free list): huge
/// pages where the OS has them (see core::HugePageAllocator).
template <class T>
using LeaseVector = core::BigVector<T>;

/// A client's identity as one 64-bit key (0 = none). Identifiers of up to 7 bytes (a
/// chaddr MAC; option 61 of type 1 + MAC) are packed exactly: tag byte (source, length) +
/// the bytes. Longer ones (RFC 4361 DUID-based client ids) are hashed to 56 bits and
/// interned, so that two different identifiers never share a key.
using ClientKey = uint64_t;
inline constexpr ClientKey kNoClient = 0;

/// Who sent a message. RFC 2131 §4.2: a client is identified by option 61 if present,
/// else by chaddr. Reservations match either.
struct ClientRef {
  ClientKey key = kNoClient;      // the lease identity: cid_key if present, else mac_key
  ClientKey mac_key = kNoClient;  // from chaddr[0, hlen)
  ClientKey cid_key = kNoClient;  // from option 61; kNoClient if absent
  wire::MacAddress mac;           // chaddr[0, 6), for traces
};

enum class LeaseState : uint8_t {
  Free,       // available (may remember its last client, for RFC 2131 §4.3.1 reuse)
  Offered,    // held for a client until the offer-hold deadline
  Pinging,    // held while the ping check of an OFFER runs
  Bound,      // leased until the expiry
  Declined,   // DHCPDECLINEd: unusable until the probation deadline
  Abandoned,  // answered a ping check: unusable until the probation deadline
};
inline constexpr std::size_t kLeaseStateCount = 6;
const char* to_string(LeaseState state);

/// A snapshot of one address, for tests, reports and lease dumps.
struct LeaseInfo {
  wire::Ipv4Address address;
  LeaseState state = LeaseState::Free;
  ClientKey client = kNoClient;  // current holder, or last holder of a Free address
  wire::MacAddress mac;
  core::Time expiry = core::Time::max();  // for Offered/Bound/Declined/Abandoned
  uint32_t subnet = 0;
  bool in_pool = false;
  bool excluded = false;
  bool reserved = false;
};

/// Address counts of one subnet (pools plus reserved addresses outside them).
struct SubnetCounts {
  uint32_t pool_size = 0;  // addresses in the pool ranges
  uint32_t excluded = 0;   // pool addresses excluded
  uint32_t reserved = 0;   // reserved addresses (inside or outside the pools)
  uint32_t usable = 0;     // pool addresses the allocator may give: not excluded, not reserved
  uint32_t available = 0;  // usable addresses that are Free now
  uint32_t peak_bound = 0;
  std::array<uint32_t, kLeaseStateCount> by_state{};  // every slot of the subnet

  uint32_t bound() const { return by_state[std::size_t(LeaseState::Bound)]; }
  uint32_t in_state(LeaseState s) const { return by_state[std::size_t(s)]; }
};

/// Open-addressing (linear probing, backward-shift deletion) map from a non-zero 64-bit key
/// to a 32-bit value: 12 bytes per bucket, no allocation unless it grows.
class FlatMap64 {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  uint32_t find(uint64_t key) const {
    if (size_ == 0) return kAbsent;
    for (std::size_t i = bucket(key);; i = (i + 1) & mask_) {
      if (keys_[i] == key) return vals_[i];
      if (keys_[i] == 0) return kAbsent;
    }
  }
  /// Inserts or overwrites. `key` must be non-zero.
  void set(uint64_t key, uint32_t value);
  bool erase(uint64_t key);
  void clear();
  std::size_t size() const { return size_; }
  std::size_t memory_bytes() const {
    return keys_.capacity() * sizeof(uint64_t) + vals_.capacity() * sizeof(uint32_t);
  }

 private:
  std::size_t bucket(uint64_t key) const { return std::size_t(core::mix64(key)) & mask_; }
  void grow();

  LeaseVector<uint64_t> keys_;
  LeaseVector<uint32_t> vals_;
  std::size_t size_ = 0;
  std::size_t mask_ = 0;
};

/// A FIFO ring buffer (power-of-two capacity; grows, never shrinks): no allocation in
/// steady state, unlike std::deque.
template <class T>
class RingQueue {
 public:
  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }
  const T& front() const { return buf_[head_]; }
  void pop() {
    head_ = (head_ + 1) & (buf_.size() - 1);
    --size_;
  }
  void push(const T& v) {
    if (size_ == buf_.size()) grow();
    buf_[(head_ + size_) & (buf_.size() - 1)] = v;
    ++size_;
  }
  void clear() { head_ = size_ = 0; }
  std::size_t memory_bytes() const { return buf_.capacity() * sizeof(T); }

 private:
  void grow() {
    LeaseVector<T> bigger(buf_.empty() ? 64 : buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = buf_[(head_ + i) & (buf_.size() - 1)];
    buf_.swap(bigger);
    head_ = 0;
  }
  LeaseVector<T> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

/// What expire_due() did to one slot.
struct SlotExpiry {
  enum class Kind : uint8_t { OfferExpired, LeaseExpired, ProbationEnded };
  Kind kind;
  uint32_t slot;
  ClientKey client;  // the holder before expiry (kNoClient for a probation)
  wire::MacAddress mac;
};

class LeaseTable {
 public:
  static constexpr uint32_t kNoSlot = UINT32_MAX;
  static constexpr uint32_t kNoSubnet = UINT32_MAX;

  /// `config` must pass validate(). The random allocator draws its keys from `rng`.
  LeaseTable(const DhcpServerConfig& config, core::Rng& rng);
  ~LeaseTable();
  LeaseTable(const LeaseTable&) = delete;
  LeaseTable& operator=(const LeaseTable&) = delete;
  LeaseTable(LeaseTable&&) noexcept = default;
  LeaseTable& operator=(LeaseTable&&) noexcept = default;

  // --- Address space -------------------------------------------------------------------
  uint32_t subnet_count() const { return uint32_t(subnets_.size()); }
  const wire::Ipv4Prefix& subnet_prefix(uint32_t subnet) const { return subnets_[subnet].prefix; }
  /// The subnet whose prefix contains `a`, or kNoSubnet.
  uint32_t find_subnet(wire::Ipv4Address a) const;
  /// The slot of a pool address or reserved address of `subnet`, or kNoSlot.
  uint32_t slot_in_subnet(uint32_t subnet, wire::Ipv4Address a) const;
  uint32_t slot_of(wire::Ipv4Address a) const;
  wire::Ipv4Address address_of(uint32_t slot) const;
  uint32_t subnet_of_slot(uint32_t slot) const;
  uint32_t slot_count() const { return uint32_t(slots_.size()); }
  uint32_t pool_count(uint32_t subnet) const { return uint32_t(subnets_[subnet].pools.size()); }

  // --- Identity ------------------------------------------------------------------------
  /// The identity of the sender of `msg`. Long identifiers are interned here; call
  /// collect_garbage() after handling the message to drop those nothing refers to.
  ClientRef identify(const wire::DhcpMessage& msg);
  /// A key for an identifier given as bytes (option 61 value if `is_client_id`, else the
  /// chaddr bytes); interns long ones like identify().
  ClientKey key_of(wire::ConstBytes id, bool is_client_id);
  void collect_garbage();

  // --- Slot state ----------------------------------------------------------------------
  LeaseState state(uint32_t s) const { return slots_[s].state; }
  ClientKey client(uint32_t s) const { return slots_[s].client; }
  core::Time expiry(uint32_t s) const { return core::Time::from_ns(slots_[s].expiry_ns); }
  bool excluded(uint32_t s) const { return slots_[s].flags & kExcluded; }
  bool reserved(uint32_t s) const { return slots_[s].flags & kReserved; }
  /// Offered or Bound to `key`.
  bool held_by(uint32_t s, ClientKey key) const {
    const Slot& sl = slots_[s];
    return sl.client == key && (sl.state == LeaseState::Offered || sl.state == LeaseState::Bound);
  }
  /// Reserved for this client (by client id or by MAC).
  bool reserved_for(uint32_t s, const ClientRef& c) const;
  /// Free, not excluded, and not reserved for another client: the address may go to `c`.
  bool usable_by(uint32_t s, const ClientRef& c) const {
    const Slot& sl = slots_[s];
    if (sl.state != LeaseState::Free || (sl.flags & kExcluded)) return false;
    return !(sl.flags & kReserved) || reserved_for(s, c);
  }
  /// The slot reserved for `c` in `subnet` (client id match first, then MAC), or kNoSlot.
  uint32_t reservation_of(uint32_t subnet, const ClientRef& c) const;
  /// The slot of the client's most recent lease (any state, possibly in another subnet).
  uint32_t client_slot(ClientKey key) const { return clients_.find(key); }
  /// For a Pinging slot: the value stored by start_ping.
  uint32_t ping_tag(uint32_t s) const { return uint32_t(slots_[s].expiry_ns); }
  std::optional<LeaseInfo> info(wire::Ipv4Address a) const;
  LeaseInfo info_of_slot(uint32_t s) const;

  // --- Allocation (Kea's split: the allocator proposes, the table checks) ---------------
  /// A Free pool address of `subnet` that is neither excluded nor reserved, found by asking
  /// the subnet's allocator for candidates; kNoSlot if there is none. Does not take it.
  uint32_t allocate(uint32_t subnet, core::Rng& rng);
  const Allocator& allocator(uint32_t subnet) const { return *subnets_[subnet].allocator; }

  // --- Transitions (keep counters, allocator, client index and deadlines consistent) ----
  void offer(uint32_t s, const ClientRef& c, core::Time until);
  /// Holds `s` for `c` while a ping runs; `tag` is returned by ping_tag().
  void start_ping(uint32_t s, const ClientRef& c, uint32_t tag);
  void bind(uint32_t s, const ClientRef& c, core::Time until);
  /// Back to Free. `remember_client`: the slot keeps its client as the client's previous
  /// address (RFC 2131 §4.3.1); otherwise the client's record of it is dropped.
  void make_free(uint32_t s, bool remember_client);
  /// Declined or Abandoned until `until`; the client's binding is dropped.
  void quarantine(uint32_t s, LeaseState declined_or_abandoned, core::Time until);

  // --- Deadlines -------------------------------------------------------------------------
  /// The earliest pending deadline (exact after settle()); Time::max() if none.
  core::Time next_deadline() const;
  /// Applies every deadline <= now in time order (ties: offers, probations, leases; then by
  /// slot), appending what happened to `out`. Settles afterwards.
  void expire_due(core::Time now, std::vector<SlotExpiry>& out);
  /// Drops stale queue fronts so next_deadline() is exact. Call after mutations.
  void settle();

  // --- Restart ---------------------------------------------------------------------------
  /// Offers and pings are in-memory state a restarted server does not have: free them.
  void drop_offers_and_pings();
  /// Everything free, no clients remembered, allocators reset.
  void clear(core::Rng& rng);

  // --- Counters --------------------------------------------------------------------------
  const SubnetCounts& counts(uint32_t subnet) const { return subnets_[subnet].counts; }
  /// Slots of `pool` (an index into the subnet's pools) in state `st`.
  uint32_t pool_in_state(uint32_t subnet, uint32_t pool, LeaseState st) const {
    return subnets_[subnet].pool_counts[pool][std::size_t(st)];
  }
  uint64_t bound_total() const { return bound_total_; }
  uint64_t peak_bound_total() const { return peak_bound_total_; }
  /// Candidates examined by allocate() so far (a measure of allocator efficiency).
  uint64_t probes() const { return probes_; }
  std::size_t client_count() const { return clients_.size(); }
  /// Heap bytes held (slots, client map, queues, allocators).
  std::size_t memory_bytes() const;

 private:
  enum : uint8_t { kExcluded = 1, kReserved = 2 };
  static constexpr int64_t kNotQueued = INT64_MIN;
  struct Slot {
    int64_t expiry_ns = INT64_MAX;   // deadline while timed; ping tag while Pinging
    int64_t queued_ns = kNotQueued;  // time of this slot's entry in the lease heap
    ClientKey client = kNoClient;
    std::array<uint8_t, 6> mac{};
    LeaseState state = LeaseState::Free;
    uint8_t flags = 0;
  };
  static_assert(sizeof(Slot) == 32);

  struct PoolLayout {
    uint32_t first;  // address value
    uint32_t last;
    uint32_t base;  // index of `first` in the subnet's pool index space
  };
  struct ReservationRec {
    uint32_t slot;
    ClientKey mac_key;
    ClientKey cid_key;
  };
  struct SubnetLayout {
    wire::Ipv4Prefix prefix;
    uint32_t slot_begin = 0;
    uint32_t pool_size = 0;
    uint32_t slot_end = 0;
    std::vector<PoolLayout> pools;  // sorted by address
    std::vector<uint32_t> extra;    // reserved addresses outside the pools, sorted; slot order
    std::unique_ptr<Allocator> allocator;
    FlatMap64 reservation_by_key;  // mac or client-id key -> index in reservations_
    SubnetCounts counts;
    std::vector<std::array<uint32_t, kLeaseStateCount>> pool_counts;
  };
  struct Timed {
    int64_t t;
    uint32_t slot;
  };
  struct LongId {
    std::vector<std::byte> bytes;
    uint32_t refs = 0;
    bool tomb = false;
  };

  uint32_t pool_index(const SubnetLayout& sub, uint32_t idx) const;
  void transition(uint32_t s, LeaseState to);
  void set_client(uint32_t s, const ClientRef& c);
  void drop_client(uint32_t s);
  void ref(ClientKey k);
  void unref(ClientKey k);
  void remove_long(ClientKey k);
  void push_lease_deadline(uint32_t s);
  void heap_push(Timed e);
  void heap_pop();

  std::vector<SubnetLayout> subnets_;
  std::vector<uint32_t> subnet_begins_;  // slot_begin of each subnet, for subnet_of_slot
  std::vector<std::pair<uint32_t, uint32_t>> subnet_by_network_;  // (network, subnet), sorted
  LeaseVector<Slot> slots_;
  FlatMap64 clients_;  // ClientKey -> slot
  std::vector<ReservationRec> reservations_;
  FlatMap64 reservation_by_slot_;  // slot + 1 -> index in reservations_
  RingQueue<Timed> offer_queue_;
  RingQueue<Timed> probation_queue_;
  LeaseVector<Timed> lease_heap_;                   // min-heap on (t, slot)
  std::unordered_map<ClientKey, LongId> long_ids_;  // looked up by key only, never iterated
  std::vector<ClientKey> long_pending_;
  uint64_t bound_total_ = 0;
  uint64_t peak_bound_total_ = 0;
  uint64_t probes_ = 0;
};

}  // namespace dhcpsim::proto
