#include "dhcpsim/proto/neighbour_cache.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::proto {

using core::Duration;
using core::Time;
using wire::Ipv4Address;
using wire::MacAddress;

namespace {
// Linux's neigh_forced_gc spares entries updated in the last 5 s, and runs at most every
// 5 s below gc_thresh3.
constexpr Duration kForcedGcAge = core::seconds(5);
}  // namespace

const char* to_string(NudState s) {
  switch (s) {
    case NudState::None:
      return "NONE";
    case NudState::Incomplete:
      return "INCOMPLETE";
    case NudState::Reachable:
      return "REACHABLE";
    case NudState::Stale:
      return "STALE";
    case NudState::Delay:
      return "DELAY";
    case NudState::Probe:
      return "PROBE";
    case NudState::Failed:
      return "FAILED";
  }
  return "?";
}

const NeighbourParams& NeighbourParams::linux_defaults() {
  static const NeighbourParams params;
  return params;
}

NeighbourCache::NeighbourCache(const NeighbourParams& params) : params_(&params) {
  DHCPSIM_ASSERT(params.unres_qlen <= kMaxQueued, "unres_qlen exceeds the inline queue");
  DHCPSIM_ASSERT(params.base_reachable_time.ns() / 1'000'000 * 3 / 2 <
                     int64_t(std::numeric_limits<uint32_t>::max()),
                 "base_reachable_time too large for a millisecond reachable time");
}

// ---- Storage -------------------------------------------------------------------------

namespace {
struct ByIp {
  bool operator()(const NeighbourCache::Entry& e, Ipv4Address ip) const { return e.ip < ip; }
};
}  // namespace

std::size_t NeighbourCache::lower_index(Ipv4Address ip) const {
  if (side_) {
    const auto& ips = side_->ips;
    return std::size_t(std::lower_bound(ips.begin(), ips.end(), ip.value()) - ips.begin());
  }
  return std::size_t(std::lower_bound(entries_.begin(), entries_.end(), ip, ByIp{}) - entries_.begin());
}

const NeighbourCache::Entry* NeighbourCache::lookup(Ipv4Address ip) const {
  const std::size_t k = lower_index(ip);
  return k < entries_.size() && entries_[k].ip == ip ? &entries_[k] : nullptr;
}

NeighbourCache::Entry* NeighbourCache::find(Ipv4Address ip) {
  return const_cast<Entry*>(std::as_const(*this).lookup(ip));
}

NeighbourCache::Entry* NeighbourCache::find_or_create(Time now, Ipv4Address ip,
                                                      std::vector<Action>& out) {
  if (Entry* e = find(ip)) return e;
  // neigh_alloc: at gc_thresh3, or at gc_thresh2 when the last forced GC is more than 5 s
  // old, run the forced GC; if it freed nothing at gc_thresh3 the table is full.
  const NeighbourParams& p = *params_;
  std::size_t n = entries_.size();
  if (n >= p.gc_thresh3 || (n >= p.gc_thresh2 && now > last_flush_ + kForcedGcAge)) {
    std::size_t shrunk = forced_gc(now, out);
    if (shrunk == 0 && n >= p.gc_thresh3) {
      out.push_back(TableFull{ip});
      return nullptr;
    }
  }
  Entry e;
  e.ip = ip;
  e.updated = now;
  e.used = now;
  // As Linux: a new entry counts as confirmed long ago.
  e.confirmed = now - p.base_reachable_time * 2;
  const std::size_t k = lower_index(ip);
  auto it = entries_.insert(entries_.begin() + std::ptrdiff_t(k), e);
  if (side_) {
    side_->ips.insert(side_->ips.begin() + std::ptrdiff_t(k), ip.value());
    side_->deadlines.insert(side_->deadlines.begin() + std::ptrdiff_t(k), e.deadline);
  } else if (entries_.size() >= kSideFrom) {
    side_ = std::make_unique<Side>();
    side_->ips.reserve(entries_.capacity());
    side_->deadlines.reserve(entries_.capacity());
    for (const Entry& x : entries_) {
      side_->ips.push_back(x.ip.value());
      side_->deadlines.push_back(x.deadline);
    }
  }
  if (entries_.size() == p.gc_thresh1 && next_gc_ <= now) next_gc_ = now + p.gc_interval;
  return &*it;
}

void NeighbourCache::erase(Entry& e, std::vector<Action>& out) {
  if (e.queued > 0) {
    out.push_back(DropQueued{e.ip, TokenList(e.queue.begin(), e.queue.begin() + e.queued),
                             DropReason::Cleared});
  }
  if (e.state != NudState::None) {
    out.push_back(EntryChanged{e.ip, e.state, NudState::None, e.mac, MacAddress()});
  }
  clear_timer(e);
  const std::ptrdiff_t k = &e - entries_.data();
  if (side_) {
    side_->ips.erase(side_->ips.begin() + k);
    side_->deadlines.erase(side_->deadlines.begin() + k);
  }
  entries_.erase(entries_.begin() + k);
}

// ---- Small helpers -------------------------------------------------------------------

namespace {
void report(const NeighbourCache::Entry& e, NudState old_state, MacAddress old_mac,
            std::vector<NeighbourCache::Action>& out) {
  if (old_state != e.state || old_mac != e.mac)
    out.push_back(NeighbourCache::EntryChanged{e.ip, old_state, e.state, old_mac, e.mac});
}
}  // namespace

void NeighbourCache::set_timer(Entry& e, Time t) {
  if (next_timer_ == kDirty) {
    put_deadline(e, t);
    return;
  }
  if (e.deadline == next_timer_ && t > e.deadline) {
    next_timer_ = kDirty;
  } else if (t < next_timer_) {
    next_timer_ = t;
  }
  put_deadline(e, t);
}

void NeighbourCache::clear_timer(Entry& e) {
  if (e.deadline == Time::max()) return;
  if (e.deadline == next_timer_) next_timer_ = kDirty;
  put_deadline(e, Time::max());
}

void NeighbourCache::finish_call() {
  if (next_timer_ != kDirty) return;
  Time t = Time::max();
  for (std::size_t i = 0; i < entries_.size(); ++i) t = std::min(t, deadline_of(i));
  next_timer_ = t;
}

void NeighbourCache::expire_if_lapsed(Entry& e, Time now, std::vector<Action>& out) {
  if (e.state != NudState::Reachable || now < e.reachable_until()) return;
  // neigh_timer_handler: REACHABLE past confirmed + reachable_time -> STALE, at that time.
  e.state = NudState::Stale;
  e.updated = e.reachable_until();
  out.push_back(EntryChanged{e.ip, NudState::Reachable, NudState::Stale, e.mac, e.mac});
}

void NeighbourCache::draw_reachable_time(Entry& e, core::Rng& rng) {
  // neigh_rand_reach_time: uniform in [base/2, 3*base/2).
  int64_t base_ms = params_->base_reachable_time.ns() / 1'000'000;
  e.reachable_ms =
      base_ms <= 0 ? 0 : uint32_t(rng.uniform_int(base_ms / 2, base_ms / 2 + base_ms - 1));
}

void NeighbourCache::enqueue(Entry& e, PacketToken token, std::vector<Action>& out) {
  // __neigh_event_send: beyond the queue limit the oldest packet is dropped.
  if (e.queued >= params_->unres_qlen) {
    out.push_back(DropQueued{e.ip, TokenList{e.queue[0]}, DropReason::QueueFull});
    std::copy(e.queue.begin() + 1, e.queue.begin() + e.queued, e.queue.begin());
    --e.queued;
  }
  e.queue[e.queued++] = token;
}

void NeighbourCache::send_probe(Entry& e, Time at, std::vector<Action>& out) {
  // neigh_probe / arp_solicit: broadcast while INCOMPLETE, unicast to the cached MAC in
  // PROBE; the next check is retrans_time later.
  MacAddress dst = e.state == NudState::Probe ? e.mac : MacAddress::broadcast();
  out.push_back(SendArpRequest{e.ip, dst});
  ++e.probes;
  set_timer(e, at + params_->retrans_time);
}

void NeighbourCache::start_resolution(Entry& e, Time now, std::vector<Action>& out) {
  NudState old = e.state;
  MacAddress old_mac = e.mac;
  e.mac = MacAddress();
  e.updated = now;
  e.probes = 0;
  clear_timer(e);
  if (params_->mcast_probes == 0) {
    // No way to resolve: Linux goes straight to FAILED and drops the packet.
    e.state = NudState::Failed;
    report(e, old, old_mac, out);
    return;
  }
  e.state = NudState::Incomplete;
  report(e, old, old_mac, out);
  send_probe(e, now, out);
}

void NeighbourCache::fail(Entry& e, Time at, std::vector<Action>& out) {
  // neigh_invalidate: FAILED, the queued packets are dropped (the host counts them).
  NudState old = e.state;
  MacAddress old_mac = e.mac;
  e.state = NudState::Failed;
  e.mac = MacAddress();
  e.updated = at;
  e.probes = 0;
  clear_timer(e);
  report(e, old, old_mac, out);
  if (e.queued > 0) {
    out.push_back(DropQueued{e.ip, TokenList(e.queue.begin(), e.queue.begin() + e.queued),
                             DropReason::ResolutionFailed});
    e.queued = 0;
  }
}

// ---- Resolution ----------------------------------------------------------------------

NeighbourCache::Resolution NeighbourCache::resolve(Time now, Ipv4Address next_hop,
                                                   PacketToken token, core::Rng& /*rng*/,
                                                   std::vector<Action>& out) {
  Resolution r{ResolveStatus::Dropped, MacAddress()};
  Entry* e = find(next_hop);
  if (e) {
    expire_if_lapsed(*e, now, out);
  } else {
    e = find_or_create(now, next_hop, out);
    if (!e) {
      finish_call();
      return r;
    }
  }
  e->used = now;
  switch (e->state) {
    case NudState::Reachable:
    case NudState::Delay:
    case NudState::Probe:
      r = {ResolveStatus::Resolved, e->mac};
      break;
    case NudState::Stale: {
      // __neigh_event_send: use the cached MAC, and check it within delay_first_probe_time.
      e->state = NudState::Delay;
      e->updated = now;
      set_timer(*e, now + params_->delay_first_probe_time);
      out.push_back(EntryChanged{e->ip, NudState::Stale, NudState::Delay, e->mac, e->mac});
      r = {ResolveStatus::Resolved, e->mac};
      break;
    }
    case NudState::None:
    case NudState::Failed:
      // Linux retries resolution of a FAILED entry when new traffic wants it.
      start_resolution(*e, now, out);
      if (e->state != NudState::Incomplete) break;  // Dropped
      [[fallthrough]];
    case NudState::Incomplete:
      if (params_->unres_qlen == 0) break;  // Dropped
      enqueue(*e, token, out);
      r.status = ResolveStatus::Queued;
      break;
  }
  finish_call();
  return r;
}

// ---- neigh_update ----------------------------------------------------------------------

void NeighbourCache::update(Entry& e, Time now, MacAddress lladdr, NudState new_state,
                            bool override_mac, core::Rng& rng, std::vector<Action>& out) {
  const NeighbourParams& p = *params_;
  // `e` may be a lapsed REACHABLE (STALE in effect). That lapse is materialised (and
  // reported) only if this update changes the entry or refreshes `confirmed`: an ARP that
  // changes nothing must leave no trace, so that delivering a broadcast to every NIC and
  // delivering it only where it can matter give the same records.
  const NudState old = e.state_at(now);
  const bool valid_old = is_valid(old);
  const bool ignored = valid_old && lladdr != e.mac && !override_mac;
  NudState ns = new_state;
  // Same MAC and the news is only "STALE": keep the current state.
  if (valid_old && lladdr == e.mac && ns == NudState::Stale) ns = old;
  const bool mac_changed = lladdr != e.mac;
  const bool changes = !ignored && (ns != old || mac_changed);
  if (changes || new_state == NudState::Reachable) expire_if_lapsed(e, now, out);

  // Every packet asserting reachability refreshes `confirmed`, even one ignored for
  // carrying a different MAC within locktime (as Linux does).
  if (new_state == NudState::Reachable) e.confirmed = now;
  if (!changes) return;

  const MacAddress old_mac = e.mac;
  // Only real changes move `updated` (else no-op updates would extend the locktime).
  e.updated = now;
  if (ns != old) {
    clear_timer(e);
    e.probes = 0;
    e.state = ns;
    if (ns == NudState::Reachable) draw_reachable_time(e, rng);
  }
  if (mac_changed) {
    e.mac = lladdr;
    if (ns != NudState::Reachable) e.confirmed = now - p.base_reachable_time * 2;
  }
  report(e, old, old_mac, out);
  if (ns == old || valid_old || e.queued == 0) return;

  // The entry became valid: send what was waiting for it.
  out.push_back(SendQueued{e.ip, e.mac, TokenList(e.queue.begin(), e.queue.begin() + e.queued)});
  e.queued = 0;
  e.used = now;
  if (e.state == NudState::Stale) {
    // The flushed packets go through neigh_resolve_output, which moves STALE to DELAY.
    e.state = NudState::Delay;
    set_timer(e, now + p.delay_first_probe_time);
    out.push_back(EntryChanged{e.ip, NudState::Stale, NudState::Delay, e.mac, e.mac});
  }
}

void NeighbourCache::on_arp(Time now, const wire::ArpPacket& a, bool unicast_to_me,
                            bool target_is_me, core::Rng& rng, std::vector<Action>& out) {
  // arp_rcv / arp_process sanity checks.
  if (a.htype != wire::kArpHtypeEthernet || a.ptype != 0x0800 || a.hlen != 6 || a.plen != 4) return;
  if (a.oper != wire::kArpRequest && a.oper != wire::kArpReply) return;
  if (a.tpa.is_multicast() || a.tpa.is_loopback()) return;
  // RFC 5227 probe (sender IP 0): never touches the cache; answering it is the host's job.
  if (a.spa.is_zero()) return;
  // Not a unicast neighbour (Linux would make such entries NOARP; we just ignore them).
  if (a.spa.is_multicast() || a.spa.is_broadcast() || a.spa.is_loopback()) return;
  if (a.sha.is_zero() || a.sha.is_multicast()) return;

  const NeighbourParams& p = *params_;
  if (a.oper == wire::kArpRequest && target_is_me) {
    // neigh_event_ns: whoever asks for my address is probably about to talk to me, so
    // cache it, STALE, overriding any MAC (no locktime).
    Entry* e = find_or_create(now, a.spa, out);
    if (e) update(*e, now, a.sha, NudState::Stale, /*override_mac=*/true, rng, out);
    finish_call();
    return;
  }

  // arp_is_garp: spa == tpa; a gratuitous reply must also carry tha == sha.
  const bool is_garp = a.spa == a.tpa && (a.oper != wire::kArpReply || a.tha == a.sha);
  Entry* e = find(a.spa);
  if (!e && p.arp_accept && (is_garp || a.oper == wire::kArpReply)) {
    e = find_or_create(now, a.spa, out);
  }
  if (!e) {
    finish_call();
    return;
  }
  // Several different replies back to back: keep the first (locktime), unless the sender
  // announces itself gratuitously. A lapsed REACHABLE was last updated when it lapsed.
  const Time updated = e->state_at(now) != e->state ? e->reachable_until() : e->updated;
  const bool override_mac = now > updated + p.locktime || is_garp;
  // Broadcast replies and requests do not prove reachability.
  const NudState state =
      a.oper == wire::kArpReply && unicast_to_me ? NudState::Reachable : NudState::Stale;
  update(*e, now, a.sha, state, override_mac, rng, out);
  finish_call();
}

void NeighbourCache::confirm(Time now, Ipv4Address ip, std::vector<Action>& out) {
  Entry* e = find(ip);
  if (!e) return;
  expire_if_lapsed(*e, now, out);
  e->confirmed = now;
  finish_call();
}

// ---- Timers ------------------------------------------------------------------------------

Time NeighbourCache::next_deadline() const {
  DHCPSIM_ASSERT(next_timer_ != kDirty, "timer cache left dirty by a call");
  Time t = next_timer_;
  if (entries_.size() >= params_->gc_thresh1) t = std::min(t, next_gc_);
  return t;
}

void NeighbourCache::run_timer(Entry& e, Time now, core::Rng& rng, std::vector<Action>& out) {
  const NeighbourParams& p = *params_;
  // Each step runs at its nominal time, so a late call gives the same schedule.
  while (e.deadline <= now) {
    const Time t = e.deadline;
    switch (e.state) {
      case NudState::Delay: {
        clear_timer(e);
        e.updated = t;
        e.probes = 0;
        if (t <= e.confirmed + p.delay_first_probe_time) {
          // Confirmed (upper layer) during the delay: REACHABLE again.
          e.state = NudState::Reachable;
          draw_reachable_time(e, rng);
          out.push_back(EntryChanged{e.ip, NudState::Delay, NudState::Reachable, e.mac, e.mac});
        } else {
          e.state = NudState::Probe;
          out.push_back(EntryChanged{e.ip, NudState::Delay, NudState::Probe, e.mac, e.mac});
          if (p.ucast_probes == 0)
            fail(e, t, out);
          else
            send_probe(e, t, out);
        }
        break;
      }
      case NudState::Incomplete:
      case NudState::Probe: {
        const uint8_t limit = e.state == NudState::Incomplete ? p.mcast_probes : p.ucast_probes;
        if (e.probes >= limit)
          fail(e, t, out);
        else
          send_probe(e, t, out);
        break;
      }
      default:
        clear_timer(e);  // no timer in this state
        break;
    }
  }
}

void NeighbourCache::on_timer(Time now, core::Rng& rng, std::vector<Action>& out) {
  if (next_timer_ <= now) {
    // run_timer never adds or removes entries and changes only the entry it runs, so
    // indices stay valid and one pass also yields the next deadline (no second scan of
    // a router's hundreds of entries in finish_call).
    Time next = Time::max();
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (deadline_of(i) <= now) run_timer(entries_[i], now, rng, out);
      next = std::min(next, deadline_of(i));
    }
    next_timer_ = next;
  }
  if (entries_.size() >= params_->gc_thresh1 && next_gc_ <= now) {
    periodic_gc(now, out);
    next_gc_ = now + params_->gc_interval;
  }
  finish_call();
}

// ---- Garbage collection ----------------------------------------------------------------

void NeighbourCache::periodic_gc(Time now, std::vector<Action>& out) {
  // neigh_periodic_work: entries in a timer state are skipped; FAILED ones go, and STALE
  // ones unused (or unconfirmed) for gc_stale_time.
  const NeighbourParams& p = *params_;
  std::size_t i = 0;
  while (i < entries_.size()) {
    Entry& e = entries_[i];
    expire_if_lapsed(e, now, out);
    if (e.state == NudState::Stale || e.state == NudState::Failed) {
      if (e.used < e.confirmed && e.confirmed <= now) e.used = e.confirmed;
      if (e.state == NudState::Failed || now >= e.used + p.gc_stale_time) {
        erase(e, out);
        continue;
      }
    }
    ++i;
  }
}

std::size_t NeighbourCache::forced_gc(Time now, std::vector<Action>& out) {
  // neigh_forced_gc: drop entries not held by a timer that are FAILED or were not updated
  // in the last 5 s, oldest first (Linux walks its creation-ordered gc_list; we use the
  // update time), until the table is back at gc_thresh2.
  const NeighbourParams& p = *params_;
  const std::size_t limit =
      entries_.size() > p.gc_thresh2 ? entries_.size() - p.gc_thresh2 : std::size_t(1);
  std::vector<std::pair<Time, Ipv4Address>> victims;
  for (Entry& e : entries_) {
    expire_if_lapsed(e, now, out);
    if (e.state != NudState::Stale && e.state != NudState::Failed) continue;
    if (e.state == NudState::Failed || e.updated < now - kForcedGcAge)
      victims.emplace_back(e.updated, e.ip);
  }
  std::sort(victims.begin(), victims.end());
  if (victims.size() > limit) victims.resize(limit);
  for (const auto& v : victims) erase(*find(v.second), out);
  last_flush_ = now;
  return victims.size();
}

void NeighbourCache::clear(std::vector<Action>& out) {
  for (const Entry& e : entries_) {
    if (e.queued > 0) {
      out.push_back(DropQueued{e.ip, TokenList(e.queue.begin(), e.queue.begin() + e.queued),
                               DropReason::Cleared});
    }
    if (e.state != NudState::None)
      out.push_back(EntryChanged{e.ip, e.state, NudState::None, e.mac, MacAddress()});
  }
  entries_.clear();
  side_.reset();
  next_timer_ = Time::max();
}

}  // namespace dhcpsim::proto
