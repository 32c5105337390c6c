#include "dhcpsim/proto/lease_table.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

#include "dhcpsim/core/assert.hpp"
#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::proto {

using wire::Ipv4Address;

const char* to_string(LeaseState state) {
  switch (state) {
    case LeaseState::Free:
      return "free";
    case LeaseState::Offered:
      return "offered";
    case LeaseState::Pinging:
      return "pinging";
    case LeaseState::Bound:
      return "bound";
    case LeaseState::Declined:
      return "declined";
    case LeaseState::Abandoned:
      return "abandoned";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------
// FlatMap64

void FlatMap64::set(uint64_t key, uint32_t value) {
  DHCPSIM_ASSERT(key != 0, "FlatMap64 key 0 is reserved for empty buckets");
  // Linear probing stays short below 3/4 load with a mixing hash.
  if ((size_ + 1) * 4 > keys_.size() * 3) grow();
  for (std::size_t i = bucket(key);; i = (i + 1) & mask_) {
    if (keys_[i] == key) {
      vals_[i] = value;
      return;
    }
    if (keys_[i] == 0) {
      keys_[i] = key;
      vals_[i] = value;
      ++size_;
      return;
    }
  }
}

bool FlatMap64::erase(uint64_t key) {
  if (size_ == 0) return false;
  std::size_t i = bucket(key);
  while (keys_[i] != key) {
    if (keys_[i] == 0) return false;
    i = (i + 1) & mask_;
  }
  // Backward-shift deletion: move later members of the probe run into the hole when their
  // home bucket does not lie cyclically in (hole, j].
  std::size_t j = i;
  for (;;) {
    j = (j + 1) & mask_;
    if (keys_[j] == 0) break;
    const std::size_t home = bucket(keys_[j]);
    const bool home_in_range = i <= j ? (i < home && home <= j) : (i < home || home <= j);
    if (!home_in_range) {
      keys_[i] = keys_[j];
      vals_[i] = vals_[j];
      i = j;
    }
  }
  keys_[i] = 0;
  --size_;
  return true;
}

void FlatMap64::clear() {
  std::fill(keys_.begin(), keys_.end(), 0);
  size_ = 0;
}

void FlatMap64::grow() {
  LeaseVector<uint64_t> old_keys;
  LeaseVector<uint32_t> old_vals;
  old_keys.swap(keys_);
  old_vals.swap(vals_);
  const std::size_t cap = old_keys.empty() ? 16 : old_keys.size() * 2;
  keys_.assign(cap, 0);
  vals_.assign(cap, 0);
  mask_ = cap - 1;
  size_ = 0;
  for (std::size_t i = 0; i < old_keys.size(); ++i)
    if (old_keys[i] != 0) set(old_keys[i], old_vals[i]);
}

// ---------------------------------------------------------------------------------------
// Construction and address space

namespace {

constexpr uint64_t kMask56 = (uint64_t(1) << 56) - 1;
constexpr uint8_t kLongTag = 0x80;
constexpr uint8_t kShortTag = 0x10;
constexpr uint8_t kClientIdBit = 0x08;

bool is_long(ClientKey k) {
  return (k >> 63) != 0;
}
ClientKey next_long(ClientKey k) {
  return (k & ~kMask56) | ((k + 1) & kMask56);
}
ClientKey prev_long(ClientKey k) {
  return (k & ~kMask56) | ((k - 1) & kMask56);
}

}  // namespace

LeaseTable::LeaseTable(const DhcpServerConfig& config, core::Rng& rng) {
  if (auto err = validate(config)) DHCPSIM_ASSERT(false, err->c_str());
  subnets_.resize(config.subnets.size());
  uint64_t next_slot = 0;
  for (std::size_t si = 0; si < config.subnets.size(); ++si) {
    const SubnetConfig& sc = config.subnets[si];
    SubnetLayout& sub = subnets_[si];
    sub.prefix = sc.prefix;
    sub.slot_begin = uint32_t(next_slot);
    std::vector<AddressRange> pools = sc.pools;
    std::sort(pools.begin(), pools.end(),
              [](const AddressRange& a, const AddressRange& b) { return a.first < b.first; });
    uint32_t base = 0;
    for (const auto& p : pools) {
      sub.pools.push_back({p.first.value(), p.last.value(), base});
      base += uint32_t(p.size());
    }
    sub.pool_size = base;
    sub.pool_counts.assign(sub.pools.size(), {});
    for (const auto& r : sc.reservations) {
      bool in_pool = false;
      for (const auto& p : pools) in_pool = in_pool || p.contains(r.address);
      if (!in_pool) sub.extra.push_back(r.address.value());
    }
    std::sort(sub.extra.begin(), sub.extra.end());
    sub.slot_end = sub.slot_begin + sub.pool_size + uint32_t(sub.extra.size());
    next_slot = sub.slot_end;
    DHCPSIM_ASSERT(next_slot < kNoSlot, "more than 2^32 - 2 addresses in one server");
    subnet_begins_.push_back(sub.slot_begin);
    subnet_by_network_.push_back({sc.prefix.network().value(), uint32_t(si)});
  }
  std::sort(subnet_by_network_.begin(), subnet_by_network_.end());
  slots_.resize(next_slot);

  for (std::size_t si = 0; si < config.subnets.size(); ++si) {
    const SubnetConfig& sc = config.subnets[si];
    SubnetLayout& sub = subnets_[si];
    sub.allocator = make_allocator(config.allocator, sub.pool_size, rng);
    sub.counts.pool_size = sub.pool_size;
    for (const auto& ex : sc.exclusions) {
      for (uint64_t a = ex.first.value(); a <= ex.last.value(); ++a) {
        const uint32_t s = slot_in_subnet(uint32_t(si), Ipv4Address(uint32_t(a)));
        if (s == kNoSlot || (slots_[s].flags & kExcluded)) continue;  // outside the pools
        slots_[s].flags |= kExcluded;
        ++sub.counts.excluded;
      }
    }
    for (const auto& r : sc.reservations) {
      const uint32_t s = slot_in_subnet(uint32_t(si), r.address);
      DHCPSIM_ASSERT(s != kNoSlot, "reserved address without a slot");
      slots_[s].flags |= kReserved;
      ++sub.counts.reserved;
      ReservationRec rec{s, kNoClient, kNoClient};
      if (r.mac) rec.mac_key = key_of(wire::as_bytes(r.mac->bytes().data(), 6), false);
      if (!r.client_id.empty()) rec.cid_key = key_of(r.client_id, true);
      // Reservations hold their long identifiers for the life of the table.
      if (rec.mac_key) ref(rec.mac_key);
      if (rec.cid_key) ref(rec.cid_key);
      const auto index = uint32_t(reservations_.size());
      reservations_.push_back(rec);
      if (rec.mac_key) sub.reservation_by_key.set(rec.mac_key, index);
      if (rec.cid_key) sub.reservation_by_key.set(rec.cid_key, index);
      reservation_by_slot_.set(uint64_t(s) + 1, index);
    }
    collect_garbage();
    sub.counts.by_state[std::size_t(LeaseState::Free)] = sub.slot_end - sub.slot_begin;
    for (std::size_t p = 0; p < sub.pools.size(); ++p)
      sub.pool_counts[p][std::size_t(LeaseState::Free)] =
          sub.pools[p].last - sub.pools[p].first + 1;
    // The allocator never needs to propose an address that can never be given out.
    uint32_t unusable = 0;
    for (uint32_t i = 0; i < sub.pool_size; ++i) {
      if (slots_[sub.slot_begin + i].flags & (kExcluded | kReserved)) {
        sub.allocator->on_used(i);
        ++unusable;
      }
    }
    sub.counts.usable = sub.pool_size - unusable;
    sub.counts.available = sub.counts.usable;
  }
}

LeaseTable::~LeaseTable() = default;

uint32_t LeaseTable::find_subnet(Ipv4Address a) const {
  // Prefixes do not overlap: the one holding `a` is the last one starting at or before it.
  auto it = std::upper_bound(subnet_by_network_.begin(), subnet_by_network_.end(),
                             std::pair<uint32_t, uint32_t>{a.value(), UINT32_MAX});
  if (it == subnet_by_network_.begin()) return kNoSubnet;
  --it;
  return subnets_[it->second].prefix.contains(a) ? it->second : kNoSubnet;
}

uint32_t LeaseTable::slot_in_subnet(uint32_t subnet, Ipv4Address a) const {
  const SubnetLayout& sub = subnets_[subnet];
  if (!sub.prefix.contains(a)) return kNoSlot;
  const uint32_t v = a.value();
  const auto& pools = sub.pools;
  if (!pools.empty()) {
    std::size_t p = 0;
    if (pools.size() > 1) {
      auto it = std::upper_bound(pools.begin(), pools.end(), v,
                                 [](uint32_t x, const PoolLayout& pl) { return x < pl.first; });
      p = it == pools.begin() ? 0 : std::size_t(it - pools.begin()) - 1;
    }
    if (v >= pools[p].first && v <= pools[p].last)
      return sub.slot_begin + pools[p].base + (v - pools[p].first);
  }
  if (!sub.extra.empty()) {
    auto it = std::lower_bound(sub.extra.begin(), sub.extra.end(), v);
    if (it != sub.extra.end() && *it == v)
      return sub.slot_begin + sub.pool_size + uint32_t(it - sub.extra.begin());
  }
  return kNoSlot;
}

uint32_t LeaseTable::slot_of(Ipv4Address a) const {
  const uint32_t subnet = find_subnet(a);
  return subnet == kNoSubnet ? kNoSlot : slot_in_subnet(subnet, a);
}

uint32_t LeaseTable::subnet_of_slot(uint32_t slot) const {
  if (subnet_begins_.size() == 1) return 0;
  auto it = std::upper_bound(subnet_begins_.begin(), subnet_begins_.end(), slot);
  return uint32_t(it - subnet_begins_.begin()) - 1;
}

uint32_t LeaseTable::pool_index(const SubnetLayout& sub, uint32_t idx) const {
  if (sub.pools.size() == 1) return 0;
  auto it = std::upper_bound(sub.pools.begin(), sub.pools.end(), idx,
                             [](uint32_t x, const PoolLayout& pl) { return x < pl.base; });
  return uint32_t(it - sub.pools.begin()) - 1;
}

Ipv4Address LeaseTable::address_of(uint32_t slot) const {
  const SubnetLayout& sub = subnets_[subnet_of_slot(slot)];
  const uint32_t idx = slot - sub.slot_begin;
  if (idx >= sub.pool_size) return Ipv4Address(sub.extra[idx - sub.pool_size]);
  const PoolLayout& p = sub.pools[pool_index(sub, idx)];
  return Ipv4Address(p.first + (idx - p.base));
}

// ---------------------------------------------------------------------------------------
// Identity

ClientKey LeaseTable::key_of(wire::ConstBytes id, bool is_client_id) {
  const uint8_t source = is_client_id ? kClientIdBit : 0;
  if (id.size() <= 7) {
    // Exact: tag (short, source, length) in the top byte, the bytes below it.
    uint64_t v = 0;
    for (std::byte b : id) v = (v << 8) | uint64_t(b);
    return (uint64_t(kShortTag | source | id.size()) << 56) | v;
  }
  uint64_t h = 0x6a09e667f3bcc909ULL ^ id.size();
  for (std::byte b : id) h = core::mix64(h ^ uint64_t(b)) + 0x9e3779b97f4a7c15ULL;
  ClientKey k = (uint64_t(kLongTag | source) << 56) | (core::mix64(h) & kMask56);
  // Probe for the identifier; a different one under the same key (a 56-bit collision)
  // pushes this one to the next key, so distinct identifiers never share a key.
  ClientKey first_tomb = kNoClient;
  for (;;) {
    auto it = long_ids_.find(k);
    if (it == long_ids_.end()) break;
    if (it->second.tomb) {
      if (first_tomb == kNoClient) first_tomb = k;
    } else if (it->second.bytes.size() == id.size() &&
               std::memcmp(it->second.bytes.data(), id.data(), id.size()) == 0) {
      return k;
    }
    k = next_long(k);
  }
  if (first_tomb != kNoClient) k = first_tomb;
  LongId& rec = long_ids_[k];
  rec.bytes.assign(id.begin(), id.end());
  rec.refs = 0;
  rec.tomb = false;
  long_pending_.push_back(k);
  return k;
}

ClientRef LeaseTable::identify(const wire::DhcpMessage& msg) {
  ClientRef c;
  const std::size_t hlen = std::min<std::size_t>(msg.hlen, msg.chaddr.size());
  c.mac_key = key_of(wire::as_bytes(msg.chaddr.data(), hlen), false);
  if (auto cid = msg.options.client_id()) c.cid_key = key_of(*cid, true);
  c.key = c.cid_key != kNoClient ? c.cid_key : c.mac_key;
  c.mac = msg.client_mac();
  return c;
}

void LeaseTable::ref(ClientKey k) {
  if (!is_long(k)) return;
  auto it = long_ids_.find(k);
  DHCPSIM_ASSERT(it != long_ids_.end() && !it->second.tomb, "reference to an unknown client id");
  ++it->second.refs;
}

void LeaseTable::unref(ClientKey k) {
  if (!is_long(k)) return;
  auto it = long_ids_.find(k);
  DHCPSIM_ASSERT(it != long_ids_.end() && it->second.refs > 0, "client id reference count");
  if (--it->second.refs == 0) long_pending_.push_back(k);
}

void LeaseTable::remove_long(ClientKey k) {
  // Keep a tombstone while a later key of the probe run exists, so lookups walk past it.
  if (long_ids_.count(next_long(k))) {
    LongId& rec = long_ids_[k];
    rec.tomb = true;
    rec.bytes.clear();
    rec.bytes.shrink_to_fit();
    return;
  }
  long_ids_.erase(k);
  for (ClientKey p = prev_long(k);; p = prev_long(p)) {
    auto it = long_ids_.find(p);
    if (it == long_ids_.end() || !it->second.tomb) break;
    long_ids_.erase(it);
  }
}

void LeaseTable::collect_garbage() {
  for (ClientKey k : long_pending_) {
    auto it = long_ids_.find(k);
    if (it != long_ids_.end() && !it->second.tomb && it->second.refs == 0) remove_long(k);
  }
  long_pending_.clear();
}

// ---------------------------------------------------------------------------------------
// Slot state

bool LeaseTable::reserved_for(uint32_t s, const ClientRef& c) const {
  const uint32_t r = reservation_by_slot_.find(uint64_t(s) + 1);
  if (r == FlatMap64::kAbsent) return false;
  const ReservationRec& rec = reservations_[r];
  return (rec.cid_key != kNoClient && rec.cid_key == c.cid_key) ||
         (rec.mac_key != kNoClient && rec.mac_key == c.mac_key);
}

uint32_t LeaseTable::reservation_of(uint32_t subnet, const ClientRef& c) const {
  const FlatMap64& by_key = subnets_[subnet].reservation_by_key;
  if (by_key.size() == 0) return kNoSlot;
  uint32_t r = FlatMap64::kAbsent;
  if (c.cid_key != kNoClient) r = by_key.find(c.cid_key);
  if (r == FlatMap64::kAbsent) r = by_key.find(c.mac_key);
  if (r == FlatMap64::kAbsent) return kNoSlot;
  return reservations_[r].slot;
}

LeaseInfo LeaseTable::info_of_slot(uint32_t s) const {
  const Slot& sl = slots_[s];
  LeaseInfo info;
  info.address = address_of(s);
  info.state = sl.state;
  info.client = sl.client;
  info.mac = wire::MacAddress(sl.mac);
  const bool timed = sl.state != LeaseState::Free && sl.state != LeaseState::Pinging;
  info.expiry = timed ? core::Time::from_ns(sl.expiry_ns) : core::Time::max();
  info.subnet = subnet_of_slot(s);
  info.in_pool = s - subnets_[info.subnet].slot_begin < subnets_[info.subnet].pool_size;
  info.excluded = sl.flags & kExcluded;
  info.reserved = sl.flags & kReserved;
  return info;
}

std::optional<LeaseInfo> LeaseTable::info(Ipv4Address a) const {
  const uint32_t s = slot_of(a);
  if (s == kNoSlot) return std::nullopt;
  return info_of_slot(s);
}

// ---------------------------------------------------------------------------------------
// Allocation

uint32_t LeaseTable::allocate(uint32_t subnet, core::Rng& rng) {
  SubnetLayout& sub = subnets_[subnet];
  // The counters know when nothing is left: no need to walk a full pool to find out.
  if (sub.counts.available == 0) return kNoSlot;
  // Twice the pool: the random allocator may be part-way through a permutation whose rest
  // holds no free index; the next full permutation then holds them all.
  const uint64_t max_tries = 2 * uint64_t(sub.pool_size);
  for (uint64_t tries = 0; tries < max_tries; ++tries) {
    const uint32_t i = sub.allocator->propose(rng);
    if (i == Allocator::kNone) break;
    ++probes_;
    DHCPSIM_ASSERT(i < sub.pool_size, "allocator proposed an index outside its pool");
    const uint32_t s = sub.slot_begin + i;
    const Slot& sl = slots_[s];
    // The candidate check: free (not leased, offered, pinged, declined or abandoned), and
    // not excluded or reserved (a reserved address only goes to its client, by the
    // reservation path).
    if (sl.state == LeaseState::Free && !(sl.flags & (kExcluded | kReserved))) return s;
  }
  DHCPSIM_ASSERT(false, "allocator found no free address although the pool has one");
  return kNoSlot;
}

// ---------------------------------------------------------------------------------------
// Transitions

void LeaseTable::transition(uint32_t s, LeaseState to) {
  Slot& sl = slots_[s];
  const LeaseState from = sl.state;
  if (from == to) return;
  SubnetLayout& sub = subnets_[subnet_of_slot(s)];
  --sub.counts.by_state[std::size_t(from)];
  ++sub.counts.by_state[std::size_t(to)];
  const uint32_t idx = s - sub.slot_begin;
  if (idx < sub.pool_size) {
    auto& pc = sub.pool_counts[pool_index(sub, idx)];
    --pc[std::size_t(from)];
    ++pc[std::size_t(to)];
    if (!(sl.flags & (kExcluded | kReserved))) {
      if (from == LeaseState::Free) {
        --sub.counts.available;
        sub.allocator->on_used(idx);
#if defined(__GNUC__)
        // The slot of the next likely candidate: its state is read by the next allocate().
        if (const uint32_t next = sub.allocator->hint(); next != Allocator::kNone)
          __builtin_prefetch(&slots_[sub.slot_begin + next]);
#endif
      } else if (to == LeaseState::Free) {
        ++sub.counts.available;
        sub.allocator->on_freed(idx);
      }
    }
  }
  if (from == LeaseState::Bound) --bound_total_;
  if (to == LeaseState::Bound) {
    ++bound_total_;
    peak_bound_total_ = std::max(peak_bound_total_, bound_total_);
    sub.counts.peak_bound = std::max(sub.counts.peak_bound, sub.counts.bound());
  }
  sl.state = to;
}

void LeaseTable::set_client(uint32_t s, const ClientRef& c) {
  Slot& sl = slots_[s];
  if (sl.client != c.key) {
    if (sl.client != kNoClient) {
      if (clients_.find(sl.client) == s) clients_.erase(sl.client);
      unref(sl.client);
    }
    sl.client = c.key;
    ref(c.key);
  }
  if (c.key != kNoClient) clients_.set(c.key, s);
  sl.mac = c.mac.bytes();
}

void LeaseTable::drop_client(uint32_t s) {
  Slot& sl = slots_[s];
  if (sl.client == kNoClient) return;
  if (clients_.find(sl.client) == s) clients_.erase(sl.client);
  unref(sl.client);
  sl.client = kNoClient;
}

void LeaseTable::offer(uint32_t s, const ClientRef& c, core::Time until) {
  set_client(s, c);
  transition(s, LeaseState::Offered);
  slots_[s].expiry_ns = until.ns();
  // Offers all last offer_hold_time, so their deadlines come in order: a FIFO suffices.
  if (until != core::Time::max()) offer_queue_.push({until.ns(), s});
}

void LeaseTable::start_ping(uint32_t s, const ClientRef& c, uint32_t tag) {
  set_client(s, c);
  transition(s, LeaseState::Pinging);
  slots_[s].expiry_ns = tag;
}

void LeaseTable::bind(uint32_t s, const ClientRef& c, core::Time until) {
  set_client(s, c);
  transition(s, LeaseState::Bound);
  slots_[s].expiry_ns = until.ns();
  push_lease_deadline(s);
}

void LeaseTable::make_free(uint32_t s, bool remember_client) {
  transition(s, LeaseState::Free);
  if (!remember_client) drop_client(s);
  slots_[s].expiry_ns = INT64_MAX;
}

void LeaseTable::quarantine(uint32_t s, LeaseState st, core::Time until) {
  DHCPSIM_ASSERT(st == LeaseState::Declined || st == LeaseState::Abandoned,
                 "quarantine is for declined or abandoned addresses");
  drop_client(s);
  transition(s, st);
  slots_[s].expiry_ns = until.ns();
  if (until != core::Time::max()) probation_queue_.push({until.ns(), s});
}

// ---------------------------------------------------------------------------------------
// Deadlines

namespace {
// Min-heap order on (t, slot): a strict total order, so the sequence of pops is the same
// with every standard library.
struct Later {
  template <class T>
  bool operator()(const T& a, const T& b) const {
    return a.t != b.t ? a.t > b.t : a.slot > b.slot;
  }
};
}  // namespace

void LeaseTable::heap_push(Timed e) {
  // Stale entries (released or shortened leases) are dropped lazily; rebuild when they
  // outnumber the live ones, so the heap stays O(bound leases).
  if (lease_heap_.size() > 2 * bound_total_ + 1024) {
    // Keep only the entries that are live, in O(heap) (not O(slots): the table may be
    // huge and nearly empty).
    std::size_t kept = 0;
    for (const Timed& x : lease_heap_) {
      Slot& sl = slots_[x.slot];
      if (sl.queued_ns != x.t) continue;  // superseded
      if (sl.state != LeaseState::Bound) {
        sl.queued_ns = kNotQueued;
        continue;
      }
      lease_heap_[kept++] = x;
    }
    lease_heap_.resize(kept);
    std::make_heap(lease_heap_.begin(), lease_heap_.end(), Later{});
  }
  lease_heap_.push_back(e);
  std::push_heap(lease_heap_.begin(), lease_heap_.end(), Later{});
}

void LeaseTable::heap_pop() {
  std::pop_heap(lease_heap_.begin(), lease_heap_.end(), Later{});
  lease_heap_.pop_back();
}

void LeaseTable::push_lease_deadline(uint32_t s) {
  Slot& sl = slots_[s];
  if (sl.expiry_ns == INT64_MAX) return;  // infinite lease: no deadline
  // Lazy: an entry that is earlier than the deadline is re-pushed when it surfaces.
  if (sl.queued_ns != kNotQueued && sl.queued_ns <= sl.expiry_ns) return;
  sl.queued_ns = sl.expiry_ns;
  heap_push({sl.expiry_ns, s});
}

void LeaseTable::settle() {
  while (!offer_queue_.empty()) {
    const Timed& f = offer_queue_.front();
    const Slot& sl = slots_[f.slot];
    if (sl.state == LeaseState::Offered && sl.expiry_ns == f.t) break;
    offer_queue_.pop();
  }
  while (!probation_queue_.empty()) {
    const Timed& f = probation_queue_.front();
    const Slot& sl = slots_[f.slot];
    if ((sl.state == LeaseState::Declined || sl.state == LeaseState::Abandoned) &&
        sl.expiry_ns == f.t)
      break;
    probation_queue_.pop();
  }
  while (!lease_heap_.empty()) {
    const Timed top = lease_heap_.front();
    Slot& sl = slots_[top.slot];
    if (sl.queued_ns != top.t) {  // superseded by an earlier entry
      heap_pop();
      continue;
    }
    if (sl.state != LeaseState::Bound) {  // released or expired meanwhile
      heap_pop();
      sl.queued_ns = kNotQueued;
      continue;
    }
    if (sl.expiry_ns != top.t) {  // renewed: move the entry to the new deadline
      heap_pop();
      sl.queued_ns = kNotQueued;
      push_lease_deadline(top.slot);
      continue;
    }
    break;
  }
}

core::Time LeaseTable::next_deadline() const {
  int64_t t = INT64_MAX;
  if (!offer_queue_.empty()) t = std::min(t, offer_queue_.front().t);
  if (!probation_queue_.empty()) t = std::min(t, probation_queue_.front().t);
  if (!lease_heap_.empty()) t = std::min(t, lease_heap_.front().t);
  return core::Time::from_ns(t);
}

void LeaseTable::expire_due(core::Time now, std::vector<SlotExpiry>& out) {
  for (;;) {
    settle();
    // The earliest front; ties go offers, probations, leases, so the order is fixed.
    int which = -1;
    Timed best{INT64_MAX, 0};
    auto consider = [&](const Timed& e, int q) {
      if (which < 0 || e.t < best.t) {
        best = e;
        which = q;
      }
    };
    if (!offer_queue_.empty()) consider(offer_queue_.front(), 0);
    if (!probation_queue_.empty()) consider(probation_queue_.front(), 1);
    if (!lease_heap_.empty()) consider(lease_heap_.front(), 2);
    if (which < 0 || best.t > now.ns()) break;
    Slot& sl = slots_[best.slot];
    SlotExpiry ev{SlotExpiry::Kind::OfferExpired, best.slot, sl.client, wire::MacAddress(sl.mac)};
    if (which == 0) {
      offer_queue_.pop();
      make_free(best.slot, true);
    } else if (which == 1) {
      probation_queue_.pop();
      ev.kind = SlotExpiry::Kind::ProbationEnded;
      ev.client = kNoClient;
      make_free(best.slot, false);
    } else {
      heap_pop();
      sl.queued_ns = kNotQueued;
      ev.kind = SlotExpiry::Kind::LeaseExpired;
      // RFC 2131 §4.3.1: the expired binding is remembered, so the client can get the same
      // address back while nobody else has taken it.
      make_free(best.slot, true);
    }
    out.push_back(ev);
  }
}

// ---------------------------------------------------------------------------------------
// Restart

void LeaseTable::drop_offers_and_pings() {
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    const LeaseState st = slots_[s].state;
    if (st == LeaseState::Offered || st == LeaseState::Pinging) make_free(s, true);
  }
  offer_queue_.clear();
  settle();
}

void LeaseTable::clear(core::Rng& rng) {
  for (uint32_t s = 0; s < slots_.size(); ++s) {
    if (slots_[s].state != LeaseState::Free) make_free(s, false);
    drop_client(s);
    slots_[s].queued_ns = kNotQueued;
    slots_[s].mac = {};
  }
  collect_garbage();
  clients_.clear();
  offer_queue_.clear();
  probation_queue_.clear();
  lease_heap_.clear();
  for (auto& sub : subnets_) {
    sub.allocator->reset(rng);
    for (uint32_t i = 0; i < sub.pool_size; ++i)
      if (slots_[sub.slot_begin + i].flags & (kExcluded | kReserved)) sub.allocator->on_used(i);
  }
}

std::size_t LeaseTable::memory_bytes() const {
  std::size_t n =
      slots_.capacity() * sizeof(Slot) + clients_.memory_bytes() + offer_queue_.memory_bytes() +
      probation_queue_.memory_bytes() + lease_heap_.capacity() * sizeof(Timed) +
      reservations_.capacity() * sizeof(ReservationRec) + reservation_by_slot_.memory_bytes();
  for (const auto& sub : subnets_)
    n += sub.allocator->memory_bytes() + sub.reservation_by_key.memory_bytes() +
         sub.extra.capacity() * sizeof(uint32_t) + sub.pools.capacity() * sizeof(PoolLayout);
  for (const auto& [k, v] : long_ids_) n += sizeof(k) + sizeof(v) + v.bytes.capacity() + 16;
  return n;
}

}  // namespace dhcpsim::proto
