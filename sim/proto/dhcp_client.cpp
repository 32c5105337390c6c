// The DHCP client engine (RFC 2131). See dhcp_client.hpp.

#include "dhcpsim/proto/dhcp_client.hpp"

#include <algorithm>
#include <limits>
#include <utility>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::proto {

using core::Duration;
using core::Rng;
using core::Time;
using wire::DhcpMessage;
using wire::DhcpMessageType;
using wire::Ipv4Address;
namespace opt = wire::dhcp_option;

namespace {

/// RFC 2131 §4.4.5: renewal retransmissions wait at least 60 seconds.
constexpr Duration kRenewMinimum = core::seconds(60);
/// BusyBox udhcpc renews while more than 30 s of lease remain, then rebinds.
constexpr Duration kUdhcpcRebindMargin = core::seconds(30);
/// RFC 3927 §2.1: link-local addresses are drawn from 169.254.1.0 - 169.254.254.255.
constexpr uint32_t kLinkLocalFirst = 0xa9fe0100u;
constexpr uint32_t kLinkLocalCount = 0xa9fefeffu - kLinkLocalFirst + 1;
/// RFC 3927 §9: MAX_CONFLICTS and RATE_LIMIT_INTERVAL.
constexpr uint8_t kMaxConflicts = 10;
constexpr Duration kRateLimitInterval = core::seconds(60);
/// RFC 2131 §3.3: 0xffffffff is an infinite lease.
constexpr uint32_t kInfiniteLease = 0xffffffffu;

template <class T>
void sat_inc(T& v) {
  if (v < std::numeric_limits<T>::max()) ++v;
}

/// Seconds elapsed since `from`, for the `secs` field (RFC 2131 §2), capped at 65535.
uint16_t secs_between(Time from, Time now) {
  if (from == Time::max() || now <= from) return 0;
  return uint16_t(std::min<int64_t>((now - from) / core::seconds(1), 65535));
}

/// The mask of the address's class, used when an ACK carries no option 1.
Ipv4Address classful_mask(Ipv4Address a) {
  const uint8_t first = a.octet(0);
  if (first < 128) return Ipv4Address(0xff000000u);
  if (first < 192) return Ipv4Address(0xffff0000u);
  return Ipv4Address(0xffffff00u);
}

/// An address a server may sensibly offer.
bool usable_address(Ipv4Address a) {
  return !a.is_zero() && !a.is_broadcast() && !a.is_multicast() && !a.is_loopback();
}

bool chaddr_is(const std::array<uint8_t, 16>& chaddr, wire::MacAddress mac) {
  const auto& b = mac.bytes();
  return std::equal(b.begin(), b.end(), chaddr.begin());
}

Duration start_delay(const DhcpClientConfig& cfg, Rng& rng) {
  if (cfg.start_delay_max <= cfg.start_delay_min)
    return std::max(cfg.start_delay_min, Duration::zero());
  return rng.uniform_duration(cfg.start_delay_min, cfg.start_delay_max);
}

}  // namespace

const char* to_string(DhcpClientState s) {
  switch (s) {
    case DhcpClientState::Stopped:
      return "STOPPED";
    case DhcpClientState::Init:
      return "INIT";
    case DhcpClientState::Selecting:
      return "SELECTING";
    case DhcpClientState::Requesting:
      return "REQUESTING";
    case DhcpClientState::Probing:
      return "PROBING";
    case DhcpClientState::Bound:
      return "BOUND";
    case DhcpClientState::Renewing:
      return "RENEWING";
    case DhcpClientState::Rebinding:
      return "REBINDING";
    case DhcpClientState::InitReboot:
      return "INIT-REBOOT";
    case DhcpClientState::Rebooting:
      return "REBOOTING";
    case DhcpClientState::Declined:
      return "DECLINED";
    case DhcpClientState::Informing:
      return "INFORMING";
  }
  return "?";
}

const char* to_string(LeaseLostReason r) {
  switch (r) {
    case LeaseLostReason::Expired:
      return "expired";
    case LeaseLostReason::Nak:
      return "nak";
    case LeaseLostReason::Released:
      return "released";
    case LeaseLostReason::Stopped:
      return "stopped";
    case LeaseLostReason::RebindFailed:
      return "rebind-failed";
  }
  return "?";
}

DhcpClient::DhcpClient(const DhcpClientConfig& config, wire::MacAddress mac)
    : cfg_(&config), st_(Stopped{}), mac_(mac) {}

// --- Bookkeeping ---------------------------------------------------------------------

DhcpClientState DhcpClient::state() const {
  static_assert(std::variant_size_v<State> == size_t(DhcpClientState::Informing) + 1,
                "State alternatives and DhcpClientState must match one to one");
  return DhcpClientState(st_.index());
}

template <class S>
void DhcpClient::go(S next, Out& out) {
  const DhcpClientState from = state();
  st_ = std::move(next);
  const DhcpClientState to = state();
  if (from != to) out.push_back(StateChanged{from, to});
}

const DhcpClient::Exchange* DhcpClient::exchange() const {
  if (auto* s = std::get_if<Selecting>(&st_)) return &s->ex;
  if (auto* s = std::get_if<Requesting>(&st_)) return &s->ex;
  if (auto* s = std::get_if<Renewing>(&st_)) return &s->ex;
  if (auto* s = std::get_if<Rebinding>(&st_)) return &s->ex;
  if (auto* s = std::get_if<Rebooting>(&st_)) return &s->ex;
  if (auto* s = std::get_if<Informing>(&st_)) return &s->ex;
  return nullptr;
}

std::optional<uint32_t> DhcpClient::xid() const {
  if (const Exchange* ex = exchange()) return ex->xid;
  return std::nullopt;
}

const Lease* DhcpClient::current_lease() const {
  if (auto* s = std::get_if<Bound>(&st_)) return &s->lease;
  if (auto* s = std::get_if<Renewing>(&st_)) return &s->lease;
  if (auto* s = std::get_if<Rebinding>(&st_)) return &s->lease;
  return nullptr;
}

const Lease* DhcpClient::remembered_lease() const {
  if (auto* s = std::get_if<Stopped>(&st_)) return s->remembered ? &*s->remembered : nullptr;
  if (auto* s = std::get_if<InitReboot>(&st_)) return &s->remembered;
  if (auto* s = std::get_if<Rebooting>(&st_)) return &s->remembered;
  return nullptr;
}

std::optional<Ipv4Address> DhcpClient::link_local_address() const {
  if (ll_state_ == LinkLocalState::Probing || ll_state_ == LinkLocalState::Configured)
    return ll_address_;
  return std::nullopt;
}

void DhcpClient::remember_lease(const Lease& lease) {
  if (auto* s = std::get_if<Stopped>(&st_)) {
    s->remembered = lease;
    prev_address_ = lease.address;
  }
}

bool DhcpClient::wants(uint32_t xid, const std::array<uint8_t, 16>& chaddr) const {
  const Exchange* ex = exchange();
  return ex != nullptr && ex->xid == xid && chaddr_is(chaddr, mac_);
}

Time DhcpClient::state_deadline() const {
  switch (state()) {
    case DhcpClientState::Stopped:
    case DhcpClientState::Probing:
      return Time::max();
    case DhcpClientState::Init:
      return std::get<Init>(st_).deadline;
    case DhcpClientState::InitReboot:
      return std::get<InitReboot>(st_).deadline;
    case DhcpClientState::Declined:
      return std::get<Declined>(st_).deadline;
    case DhcpClientState::Selecting: {
      const auto& s = std::get<Selecting>(st_);
      return s.has_offer ? s.window_end : s.ex.next;
    }
    case DhcpClientState::Bound: {
      const Lease& l = std::get<Bound>(st_).lease;
      return std::min({l.t1, l.t2, l.expiry});
    }
    default:
      return exchange()->next;
  }
}

bool DhcpClient::acquiring() const {
  const auto s = state();
  return s == DhcpClientState::Init || s == DhcpClientState::Selecting ||
         s == DhcpClientState::Requesting || s == DhcpClientState::Declined;
}

Time DhcpClient::link_local_deadline() const {
  if (ll_state_ == LinkLocalState::RateLimited) return ll_retry_at_;
  const LinkLocalFallback& ll = cfg_->link_local;
  if (ll.enabled && ll_state_ == LinkLocalState::None && acquiring() && try_start_ != Time::max() &&
      ll.after > Duration::zero())
    return core::saturating_add(try_start_, ll.after);
  return Time::max();
}

Time DhcpClient::next_deadline() const {
  return std::min(state_deadline(), link_local_deadline());
}

void DhcpClient::run_due(Time now, Rng& rng, Out& out) {
  // Every handler moves its deadline past `now` or changes state; a late call may walk
  // through several states (BOUND -> RENEWING -> REBINDING -> INIT -> SELECTING).
  for (int guard = 0; guard < 64; ++guard) {
    if (state_deadline() <= now) {
      on_state_timer(now, rng, out);
    } else if (link_local_deadline() <= now) {
      on_link_local_timer(now, rng, out);
    } else {
      return;
    }
  }
  DHCPSIM_ASSERT(false, "DhcpClient: a timer handler did not advance its deadline");
}

void DhcpClient::on_timer(Time now, Rng& rng, Out& out) {
  run_due(now, rng, out);
}

// --- Messages --------------------------------------------------------------------------

DhcpMessage DhcpClient::make_message(DhcpMessageType type, uint32_t xid, uint16_t secs) const {
  DhcpMessage m;
  m.op = DhcpMessage::kBootRequest;
  m.xid = xid;
  m.secs = secs;
  m.set_client_mac(mac_);
  m.options.set_message_type(type);
  add_client_id(m);
  return m;
}

void DhcpClient::add_client_id(DhcpMessage& m) const {
  switch (cfg_->client_id_mode) {
    case ClientIdMode::HardwareAddress: {
      // RFC 2132 §9.14: type 1 (Ethernet, the ARP hardware type) followed by the MAC.
      std::array<std::byte, 7> id{};
      id[0] = std::byte{1};
      for (int i = 0; i < 6; ++i) id[1 + i] = std::byte{mac_.bytes()[i]};
      m.options.set(opt::kClientId, id);
      break;
    }
    case ClientIdMode::Fixed:
      if (cfg_->client_id.size() >= 2) m.options.set(opt::kClientId, cfg_->client_id);
      break;
    case ClientIdMode::None:
      break;
  }
}

void DhcpClient::add_request_parameters(DhcpMessage& m) const {
  const std::string& name = cfg_->host_name;
  if (!name.empty()) {
    if (name.back() == '*') {
      static constexpr char kHex[] = "0123456789abcdef";
      std::string expanded = name.substr(0, name.size() - 1);
      for (uint8_t b : mac_.bytes()) {
        expanded.push_back(kHex[b >> 4]);
        expanded.push_back(kHex[b & 15]);
      }
      m.options.set_string(opt::kHostName, expanded);
    } else {
      m.options.set_string(opt::kHostName, name);
    }
  }
  const auto& prl = cfg_->parameter_request_list;
  if (!prl.empty())
    m.options.set(opt::kParameterRequestList, wire::as_bytes(prl.data(), prl.size()));
}

void DhcpClient::emit_send(DhcpMessage&& m, Ipv4Address src, Ipv4Address dst, bool broadcast,
                           bool retransmission, Out& out) {
  m.pad_to_bootp_minimum();
  switch (m.message_type().value_or(DhcpMessageType::Discover)) {
    case DhcpMessageType::Discover:
      sat_inc(counters_.discovers_sent);
      break;
    case DhcpMessageType::Request:
      sat_inc(counters_.requests_sent);
      break;
    case DhcpMessageType::Decline:
      sat_inc(counters_.declines_sent);
      break;
    case DhcpMessageType::Release:
      sat_inc(counters_.releases_sent);
      break;
    case DhcpMessageType::Inform:
      sat_inc(counters_.informs_sent);
      break;
    default:
      break;
  }
  if (retransmission) sat_inc(counters_.retransmissions);
  out.push_back(Send{std::move(m), src, dst, broadcast});
}

void DhcpClient::schedule_retransmit(Exchange& ex, const Backoff& b, Duration limit, bool clip,
                                     Time now, Rng& rng) const {
  sat_inc(ex.tries);
  const BackoffStep step =
      next_backoff(b, uint32_t(ex.tries - 1), core::milliseconds(ex.interval_ms), rng);
  ex.interval_ms = uint32_t(std::clamp<int64_t>(step.interval / core::milliseconds(1), 0,
                                                std::numeric_limits<uint32_t>::max()));
  ex.next = now + step.delay;
  if (clip && limit > Duration::zero()) ex.next = std::min(ex.next, ex.first_sent + limit);
}

bool DhcpClient::exchange_exhausted(const Exchange& ex, uint16_t tries_limit, Duration limit,
                                    Time now) const {
  if (tries_limit > 0 && ex.tries >= tries_limit) return true;
  return limit > Duration::zero() && now - ex.first_sent >= limit;
}

Lease DhcpClient::make_lease(const DhcpMessage& ack, Time start, Rng& rng) const {
  Lease l;
  l.address = ack.yiaddr;
  l.subnet_mask = ack.options.subnet_mask().value_or(classful_mask(ack.yiaddr));
  if (auto routers = ack.options.routers(); routers && !routers->empty())
    l.router = routers->front();
  if (auto dns = ack.options.dns_servers())
    for (Ipv4Address a : *dns) l.dns.push(a);
  l.server_id = ack.options.server_id().value_or(Ipv4Address{});
  l.start = start;
  const uint32_t lease_s = ack.options.lease_time().value_or(kInfiniteLease);
  if (lease_s == kInfiniteLease) {
    l.lease_time = Duration::max();
    l.t1 = l.t2 = l.expiry = Time::max();
    return l;
  }
  const Duration lease = core::seconds(lease_s);
  l.lease_time = lease;
  l.expiry = core::saturating_add(start, lease);
  Duration t1, t2;
  if (cfg_->retry.renew == RenewKind::Udhcpc) {
    t1 = lease / 2;
    t2 = std::max(lease - kUdhcpcRebindMargin, t1);
  } else {
    // RFC 2131 §4.4.5: T1 defaults to 0.5 and T2 to 0.875 of the lease. Guard against bad
    // servers (T1 >= T2, T2 >= lease) as sd-dhcp-client does: fall back to the defaults.
    const Duration t1_default = lease / 2;
    const Duration t2_default = lease / 8 * 7;
    auto t2_opt = ack.options.rebinding_time();
    t2 = t2_opt ? core::seconds(*t2_opt) : t2_default;
    if (t2 <= Duration::zero() || t2 >= lease) t2 = t2_default;
    auto t1_opt = ack.options.renewal_time();
    t1 = t1_opt ? core::seconds(*t1_opt) : t1_default;
    if (t1 <= Duration::zero() || t1 >= t2) t1 = t1_default;
    if (t1 >= t2) t2 = t2_default;
  }
  // RFC 2131 §4.4.5: "T1 and T2 SHOULD be chosen with some random fuzz".
  auto fuzz = [&](Duration base) {
    const Duration span =
        Duration::from_ns(int64_t(double(base.ns()) * cfg_->t_fuzz_fraction)) + cfg_->t_fuzz;
    return span > Duration::zero() ? rng.uniform_duration(-span, span) : Duration::zero();
  };
  t1 = std::clamp(t1 + fuzz(t1), Duration::zero(), lease);
  t2 = std::clamp(t2 + fuzz(t2), t1, lease);
  l.t1 = start + t1;
  l.t2 = start + t2;
  return l;
}

// --- Inputs -----------------------------------------------------------------------------

void DhcpClient::start(Time now, Rng& rng, Out& out) {
  if (!std::holds_alternative<Stopped>(st_)) return;
  // RFC 2131 §4.4.1: "wait a random time between one and ten seconds".
  begin_acquisition(now + start_delay(*cfg_, rng), out);
  run_due(now, rng, out);
}

void DhcpClient::reboot(Time now, Rng& rng, Out& out) {
  if (!std::holds_alternative<Stopped>(st_)) stop(now, out);
  const auto& remembered = std::get<Stopped>(st_).remembered;
  if (remembered && remembered->expiry > now) {
    const Lease lease = *remembered;
    prev_address_ = lease.address;
    if (cfg_->retry.init_reboot)
      go(InitReboot{lease, now + start_delay(*cfg_, rng)}, out);
    else
      begin_acquisition(now + start_delay(*cfg_, rng), out);
  } else {
    begin_acquisition(now + start_delay(*cfg_, rng), out);
  }
  run_due(now, rng, out);
}

void DhcpClient::stop(Time /*now*/, Out& out) {
  std::optional<Lease> remembered;
  if (const Lease* l = current_lease()) {
    remembered = *l;
    out.push_back(LeaseLost{l->address, LeaseLostReason::Stopped});
  } else if (const Lease* r = remembered_lease()) {
    remembered = *r;
  }
  drop_link_local(out);
  try_start_ = Time::max();
  failed_rounds_ = 0;
  go(Stopped{std::move(remembered)}, out);
}

void DhcpClient::release(Time now, Rng& rng, Out& out) {
  if (!cfg_->release_on_shutdown) {
    stop(now, out);
    return;
  }
  release_now(now, rng, out);
}

void DhcpClient::release_now(Time now, Rng& rng, Out& out) {
  const Lease* current = current_lease();
  if (current == nullptr) {
    stop(now, out);
    return;
  }
  const Lease lease = *current;
  // RFC 2131 §4.4.6 / Table 5: DHCPRELEASE unicast to the server, ciaddr = the address,
  // option 54, a fresh xid, secs 0; no option 50.
  DhcpMessage m = make_message(DhcpMessageType::Release, uint32_t(rng.next_u64()), 0);
  m.ciaddr = lease.address;
  m.options.set_ip(opt::kServerId, lease.server_id);
  emit_send(std::move(m), lease.address, lease.server_id, false, false, out);
  out.push_back(LeaseLost{lease.address, LeaseLostReason::Released});
  drop_link_local(out);
  try_start_ = Time::max();
  failed_rounds_ = 0;
  go(Stopped{}, out);
}

void DhcpClient::inform(Time now, Ipv4Address ciaddr, Rng& rng, Out& out) {
  if (!std::holds_alternative<Stopped>(st_)) stop(now, out);
  Informing s;
  s.ex.xid = uint32_t(rng.next_u64());
  s.ex.first_sent = now;
  s.ciaddr = ciaddr;
  go(std::move(s), out);
  transmit_inform(std::get<Informing>(st_), now, rng, out);
  run_due(now, rng, out);
}

void DhcpClient::on_probe_result(Time now, bool conflict, Rng& rng, Out& out) {
  auto* p = std::get_if<Probing>(&st_);
  if (p == nullptr) return;
  const Probing probing = *p;
  if (!conflict) {
    bind(probing.lease, false, out);
  } else {
    // RFC 2131 §3.1 step 5, §4.4.1, Table 5: DHCPDECLINE broadcast, ciaddr 0, options 50
    // and 54; then restart, waiting at least 10 s. The declined address is no hint.
    DhcpMessage m = make_message(DhcpMessageType::Decline, probing.xid, 0);
    m.options.set_ip(opt::kRequestedIp, probing.lease.address);
    m.options.set_ip(opt::kServerId, probing.lease.server_id);
    emit_send(std::move(m), Ipv4Address::any(), Ipv4Address::broadcast(), true, false, out);
    prev_address_ = Ipv4Address{};
    try_start_ = Time::max();
    failed_rounds_ = 0;
    go(Declined{now + cfg_->decline_delay}, out);
  }
  run_due(now, rng, out);
}

void DhcpClient::on_message(Time now, const DhcpMessage& msg, Rng& rng, Out& out) {
  if (msg.op != DhcpMessage::kBootReply) return;
  if (!wants(msg.xid, msg.chaddr)) return;
  const auto type = msg.message_type();
  if (!type) return;
  const bool ack = *type == DhcpMessageType::Ack;
  const bool nak = *type == DhcpMessageType::Nak;
  // RFC 2131 Table 3: ACK and NAK MUST carry the server identifier; an ACK to a REQUEST
  // MUST carry the lease time.
  const auto server = msg.options.server_id();

  switch (state()) {
    case DhcpClientState::Selecting:
      if (*type == DhcpMessageType::Offer) on_offer(now, msg, rng, out);
      break;

    case DhcpClientState::Requesting: {
      const Requesting r = std::get<Requesting>(st_);
      // Only the selected server's answer counts (another server's NAK is ignored).
      if (!server || *server != r.server) break;
      if (ack && msg.yiaddr == r.address && msg.options.lease_time()) {
        sat_inc(counters_.acks_received);
        accept_ack(now, make_lease(msg, r.ex.last_sent, rng), r.ex.xid, out);
      } else if (nak) {
        sat_inc(counters_.naks_received);
        restart_after_nak(now, out);
      }
      break;
    }

    case DhcpClientState::Renewing:
    case DhcpClientState::Rebinding: {
      const bool renewing = state() == DhcpClientState::Renewing;
      const Lease lease = *current_lease();
      const Exchange ex = *exchange();
      if (!server) break;
      // RENEWING talks to the leasing server only; in REBINDING any server may answer.
      if (renewing && *server != lease.server_id) break;
      if (ack && msg.yiaddr == lease.address && msg.options.lease_time()) {
        sat_inc(counters_.acks_received);
        bind(make_lease(msg, ex.last_sent, rng), true, out);
      } else if (nak) {
        // RFC 2131 §4.4.5 / §3.1: stop using the address at once and restart.
        sat_inc(counters_.naks_received);
        out.push_back(LeaseLost{lease.address, LeaseLostReason::Nak});
        restart_after_nak(now, out);
      }
      break;
    }

    case DhcpClientState::Rebooting: {
      const Rebooting r = std::get<Rebooting>(st_);
      if (!server) break;
      if (ack && msg.yiaddr == r.remembered.address && msg.options.lease_time()) {
        sat_inc(counters_.acks_received);
        accept_ack(now, make_lease(msg, r.ex.last_sent, rng), r.ex.xid, out);
      } else if (nak) {
        // RFC 2131 §3.2 step 3: restart in INIT at once, without the refused address.
        sat_inc(counters_.naks_received);
        prev_address_ = Ipv4Address{};
        begin_acquisition(now, out);
      }
      break;
    }

    case DhcpClientState::Informing:
      if (ack) {
        sat_inc(counters_.acks_received);
        OptionsReceived o;
        o.server_id = server.value_or(Ipv4Address{});
        o.subnet_mask = msg.options.subnet_mask();
        if (auto routers = msg.options.routers(); routers && !routers->empty())
          o.router = routers->front();
        if (auto dns = msg.options.dns_servers())
          for (Ipv4Address a : *dns) o.dns.push(a);
        go(Stopped{}, out);
        out.push_back(o);
      }
      break;

    default:
      break;
  }
  run_due(now, rng, out);
}

void DhcpClient::on_link_local_result(Time now, bool conflict, Rng& rng, Out& out) {
  switch (ll_state_) {
    case LinkLocalState::Probing:
      if (!conflict) {
        ll_state_ = LinkLocalState::Configured;
        break;
      }
      [[fallthrough]];
    case LinkLocalState::Configured:
      if (!conflict) break;
      if (ll_state_ == LinkLocalState::Configured) out.push_back(RemoveLinkLocal{ll_address_});
      // RFC 3927 §2.2.1: pick another address; after MAX_CONFLICTS, at most one new
      // address per RATE_LIMIT_INTERVAL.
      sat_inc(ll_conflicts_);
      if (ll_conflicts_ >= kMaxConflicts) {
        ll_state_ = LinkLocalState::RateLimited;
        ll_retry_at_ = now + kRateLimitInterval;
      } else {
        pick_link_local(rng, out);
      }
      break;
    default:
      break;
  }
  run_due(now, rng, out);
}

// --- Timers ----------------------------------------------------------------------------

void DhcpClient::on_state_timer(Time now, Rng& rng, Out& out) {
  const RetryProfile& p = cfg_->retry;
  switch (state()) {
    case DhcpClientState::Init:
    case DhcpClientState::Declined:
      start_round(now, rng, out);
      break;

    case DhcpClientState::Selecting: {
      auto& s = std::get<Selecting>(st_);
      if (s.has_offer) {
        enter_requesting(now, s.ex.xid, s.ex.secs, s.offer_address, s.offer_server, rng, out);
      } else if (exchange_exhausted(s.ex, p.discover_tries, p.discover_round_limit, now)) {
        Duration pause = p.round_pause;
        if (p.round_pause_random > Duration::zero())
          pause +=
              rng.uniform_duration(Duration::zero(), p.round_pause_random - core::nanoseconds(1));
        fail_round(now, pause, rng, out);
      } else {
        transmit_discover(s, now, rng, out);
      }
      break;
    }

    case DhcpClientState::Requesting: {
      auto& r = std::get<Requesting>(st_);
      if (exchange_exhausted(r.ex, p.request_tries, p.request_limit, now)) {
        // RFC 2131 §3.1 step 5: no ACK or NAK after the retransmissions: back to INIT.
        const Duration pause = restart_delay(p.after_request_failure, restarts_);
        sat_inc(restarts_);
        fail_round(now, pause, rng, out);
      } else {
        transmit_request(r, now, rng, out);
      }
      break;
    }

    case DhcpClientState::Bound: {
      const Lease lease = std::get<Bound>(st_).lease;
      if (now >= lease.expiry)
        lose_lease(now, lease, LeaseLostReason::Expired, out);
      else if (now >= lease.t2)
        enter_rebinding(now, lease, nullptr, rng, out);
      else
        enter_renewing(now, lease, rng, out);
      break;
    }

    case DhcpClientState::Renewing: {
      auto& r = std::get<Renewing>(st_);
      const Lease lease = r.lease;
      if (now >= lease.expiry) {
        lose_lease(now, lease, LeaseLostReason::Expired, out);
      } else if (p.renew == RenewKind::Udhcpc) {
        if (!r.ex.awaiting) {
          transmit_renew(r, now, rng, out);
        } else if (lease.expiry - now > kUdhcpcRebindMargin) {
          // No answer: try again after half the remaining lease.
          r.ex.awaiting = false;
          r.ex.next = now + (lease.expiry - now) / 2;
        } else {
          enter_rebinding(now, lease, nullptr, rng, out);
        }
      } else if (now >= lease.t2) {
        const Exchange carry = r.ex;
        const bool keep = p.renew == RenewKind::Backoff && !p.renew_backoff_reset_at_t2;
        enter_rebinding(now, lease, keep ? &carry : nullptr, rng, out);
      } else {
        transmit_renew(r, now, rng, out);
      }
      break;
    }

    case DhcpClientState::Rebinding: {
      auto& b = std::get<Rebinding>(st_);
      const Lease lease = b.lease;
      if (now >= lease.expiry)
        lose_lease(now, lease, LeaseLostReason::Expired, out);
      else if (p.renew == RenewKind::Udhcpc && p.rebind_tries > 0 && b.ex.tries >= p.rebind_tries)
        lose_lease(now, lease, LeaseLostReason::RebindFailed, out);
      else
        transmit_rebind(b, now, rng, out);
      break;
    }

    case DhcpClientState::InitReboot: {
      const Lease remembered = std::get<InitReboot>(st_).remembered;
      if (now >= remembered.expiry)
        begin_acquisition(now, out);
      else
        enter_rebooting(now, remembered, rng, out);
      break;
    }

    case DhcpClientState::Rebooting: {
      auto& r = std::get<Rebooting>(st_);
      Lease remembered = r.remembered;
      if (now >= remembered.expiry) {
        begin_acquisition(now, out);
      } else if (exchange_exhausted(r.ex, p.reboot_tries, p.reboot_limit, now)) {
        if (cfg_->reboot_keep_address) {
          // RFC 2131 §3.2 step 3: "the client MAY choose to use the previously allocated
          // network address and configuration parameters for the remainder of the
          // unexpired lease".
          remembered.confirmed = false;
          bind(remembered, false, out);
        } else {
          begin_acquisition(now, out);
        }
      } else {
        transmit_reboot(r, now, rng, out);
      }
      break;
    }

    case DhcpClientState::Informing: {
      auto& s = std::get<Informing>(st_);
      if (exchange_exhausted(s.ex, p.request_tries, p.request_limit, now)) {
        go(Stopped{}, out);
        out.push_back(GaveUp{GaveUpOn::Inform});
      } else {
        transmit_inform(s, now, rng, out);
      }
      break;
    }

    case DhcpClientState::Stopped:
    case DhcpClientState::Probing:
      break;
  }
}

void DhcpClient::on_link_local_timer(Time now, Rng& rng, Out& out) {
  if (ll_state_ == LinkLocalState::RateLimited) {
    ll_retry_at_ = Time::max();
    pick_link_local(rng, out);
  } else {
    maybe_start_link_local(now, rng, out);
  }
}

// --- Acquisition -------------------------------------------------------------------------

void DhcpClient::begin_acquisition(Time deadline, Out& out) {
  try_start_ = Time::max();
  failed_rounds_ = 0;
  go(Init{deadline}, out);
}

void DhcpClient::start_round(Time now, Rng& rng, Out& out) {
  Selecting s;
  // RFC 2131 §4.4.1: a fresh random xid; kept for the retransmissions of this round.
  s.ex.xid = uint32_t(rng.next_u64());
  s.ex.first_sent = now;
  s.window_end = now + cfg_->offer_window;
  if (try_start_ == Time::max()) try_start_ = now;
  go(std::move(s), out);
  transmit_discover(std::get<Selecting>(st_), now, rng, out);
}

void DhcpClient::transmit_discover(Selecting& s, Time now, Rng& rng, Out& out) {
  const bool retransmission = s.ex.tries > 0;
  // RFC 2131 Table 5: secs = seconds since the client began address acquisition.
  const uint16_t secs = secs_between(try_start_, now);
  DhcpMessage m = make_message(DhcpMessageType::Discover, s.ex.xid, secs);
  m.set_broadcast_flag(cfg_->broadcast_flag);
  // RFC 2131 §4.4.1: the client MAY suggest its previous address (option 50).
  if (!prev_address_.is_zero()) m.options.set_ip(opt::kRequestedIp, prev_address_);
  add_request_parameters(m);
  s.ex.secs = secs;
  s.ex.last_sent = now;
  const RetryProfile& p = cfg_->retry;
  schedule_retransmit(s.ex, p.discover, p.discover_round_limit, true, now, rng);
  emit_send(std::move(m), Ipv4Address::any(), Ipv4Address::broadcast(), true, retransmission, out);
}

void DhcpClient::fail_round(Time now, Duration pause, Rng& rng, Out& out) {
  sat_inc(failed_rounds_);
  const RetryProfile& p = cfg_->retry;
  if (p.max_rounds > 0 && failed_rounds_ >= p.max_rounds) {
    go(Stopped{}, out);
    out.push_back(GaveUp{GaveUpOn::Discover});
    if (cfg_->link_local.enabled && ll_state_ == LinkLocalState::None) pick_link_local(rng, out);
    return;
  }
  go(Init{now + pause}, out);
  maybe_start_link_local(now, rng, out);
}

void DhcpClient::on_offer(Time now, const DhcpMessage& msg, Rng& rng, Out& out) {
  auto& s = std::get<Selecting>(st_);
  const auto server = msg.options.server_id();
  // Acceptable: a usable yiaddr and a server identifier (RFC 2131 Table 3: MUST).
  if (!usable_address(msg.yiaddr) || !server) return;
  sat_inc(counters_.offers_received);
  const bool preferred = !prev_address_.is_zero() && msg.yiaddr == prev_address_;
  if (cfg_->offer_window <= Duration::zero()) {
    enter_requesting(now, s.ex.xid, s.ex.secs, msg.yiaddr, *server, rng, out);
    return;
  }
  if (!s.has_offer || (preferred && !s.offer_preferred)) {
    s.offer_address = msg.yiaddr;
    s.offer_server = *server;
    s.has_offer = true;
    s.offer_preferred = preferred;
  }
  if (now >= s.window_end)
    enter_requesting(now, s.ex.xid, s.ex.secs, s.offer_address, s.offer_server, rng, out);
}

void DhcpClient::enter_requesting(Time now, uint32_t xid, uint16_t secs, Ipv4Address address,
                                  Ipv4Address server, Rng& rng, Out& out) {
  Requesting r;
  r.ex.xid = xid;  // RFC 2131 §4.4.1: the REQUEST carries the OFFER's xid
  r.ex.secs = secs;
  r.ex.first_sent = now;
  r.address = address;
  r.server = server;
  go(std::move(r), out);
  transmit_request(std::get<Requesting>(st_), now, rng, out);
}

void DhcpClient::transmit_request(Requesting& r, Time now, Rng& rng, Out& out) {
  const bool retransmission = r.ex.tries > 0;
  // RFC 2131 §4.4.1: same secs as the DISCOVER, broadcast, ciaddr 0, options 50 and 54.
  DhcpMessage m = make_message(DhcpMessageType::Request, r.ex.xid, r.ex.secs);
  m.set_broadcast_flag(cfg_->broadcast_flag);
  m.options.set_ip(opt::kRequestedIp, r.address);
  m.options.set_ip(opt::kServerId, r.server);
  add_request_parameters(m);
  r.ex.last_sent = now;
  const RetryProfile& p = cfg_->retry;
  schedule_retransmit(r.ex, p.request, p.request_limit, !p.limit_at_retransmission, now, rng);
  emit_send(std::move(m), Ipv4Address::any(), Ipv4Address::broadcast(), true, retransmission, out);
}

void DhcpClient::accept_ack(Time /*now*/, Lease lease, uint32_t xid, Out& out) {
  if (cfg_->probe_on_ack) {
    // RFC 2131 §3.1 step 5: "The client SHOULD perform a final check on the parameters
    // (e.g., ARP for allocated network address)".
    const Ipv4Address address = lease.address;
    go(Probing{std::move(lease), xid}, out);
    out.push_back(ProbeAddress{address});
  } else {
    bind(std::move(lease), false, out);
  }
}

void DhcpClient::bind(Lease lease, bool renewed, Out& out) {
  prev_address_ = lease.address;
  try_start_ = Time::max();
  failed_rounds_ = 0;
  restarts_ = 0;
  go(Bound{lease}, out);
  if (renewed)
    out.push_back(LeaseRenewed{std::move(lease)});
  else
    out.push_back(LeaseAcquired{std::move(lease)});
  // RFC 3927 §1.9: once a routable address is configured, stop using the link-local one.
  drop_link_local(out);
}

void DhcpClient::restart_after_nak(Time now, Out& out) {
  // RFC 2131 §3.1 step 5: a NAK restarts the configuration process; the refused address
  // is not suggested again.
  prev_address_ = Ipv4Address{};
  const Duration delay = restart_delay(cfg_->retry.after_nak, restarts_);
  sat_inc(restarts_);
  begin_acquisition(now + delay, out);
}

// --- Renewal -------------------------------------------------------------------------------

void DhcpClient::enter_renewing(Time now, const Lease& lease, Rng& rng, Out& out) {
  Renewing r;
  r.lease = lease;
  r.ex.xid = uint32_t(rng.next_u64());
  r.ex.first_sent = now;
  go(std::move(r), out);
  transmit_renew(std::get<Renewing>(st_), now, rng, out);
}

void DhcpClient::transmit_renew(Renewing& r, Time now, Rng& rng, Out& out) {
  const bool retransmission = r.ex.tries > 0;
  // RFC 2131 §4.4.5, Table 5: unicast to the leasing server, ciaddr = the address, no
  // options 50 and 54, no broadcast flag.
  DhcpMessage m =
      make_message(DhcpMessageType::Request, r.ex.xid, secs_between(r.ex.first_sent, now));
  m.ciaddr = r.lease.address;
  add_request_parameters(m);
  r.ex.last_sent = now;
  const RetryProfile& p = cfg_->retry;
  switch (p.renew) {
    case RenewKind::Rfc2131:
      // RFC 2131 §4.4.5: wait half the remaining time until T2, down to 60 s.
      sat_inc(r.ex.tries);
      r.ex.next = std::min(now + std::max(kRenewMinimum, (r.lease.t2 - now) / 2), r.lease.t2);
      break;
    case RenewKind::Backoff:
      schedule_retransmit(r.ex, p.renew_backoff, Duration::zero(), false, now, rng);
      r.ex.next = std::min(r.ex.next, r.lease.t2);
      break;
    case RenewKind::Udhcpc:
      sat_inc(r.ex.tries);
      r.ex.awaiting = true;
      r.ex.next = std::min(now + p.renew_backoff.initial, r.lease.expiry);
      break;
  }
  emit_send(std::move(m), r.lease.address, r.lease.server_id, false, retransmission, out);
}

void DhcpClient::enter_rebinding(Time now, const Lease& lease, const Exchange* carry, Rng& rng,
                                 Out& out) {
  Rebinding b;
  b.lease = lease;
  if (carry != nullptr) {
    b.ex = *carry;
  } else {
    b.ex.xid = uint32_t(rng.next_u64());
    b.ex.first_sent = now;
  }
  go(std::move(b), out);
  transmit_rebind(std::get<Rebinding>(st_), now, rng, out);
}

void DhcpClient::transmit_rebind(Rebinding& b, Time now, Rng& rng, Out& out) {
  const bool retransmission = b.ex.tries > 0;
  // RFC 2131 §4.4.5, Table 5: broadcast, ciaddr = the address, no options 50 and 54.
  DhcpMessage m =
      make_message(DhcpMessageType::Request, b.ex.xid, secs_between(b.ex.first_sent, now));
  m.ciaddr = b.lease.address;
  add_request_parameters(m);
  b.ex.last_sent = now;
  const RetryProfile& p = cfg_->retry;
  switch (p.renew) {
    case RenewKind::Rfc2131:
      // RFC 2131 §4.4.5: half the remaining lease time, down to 60 s.
      sat_inc(b.ex.tries);
      b.ex.next =
          std::min(now + std::max(kRenewMinimum, (b.lease.expiry - now) / 2), b.lease.expiry);
      break;
    case RenewKind::Backoff:
      schedule_retransmit(b.ex, p.renew_backoff, Duration::zero(), false, now, rng);
      b.ex.next = std::min(b.ex.next, b.lease.expiry);
      break;
    case RenewKind::Udhcpc:
      sat_inc(b.ex.tries);
      b.ex.next = std::min(now + p.renew_backoff.initial, b.lease.expiry);
      break;
  }
  emit_send(std::move(m), b.lease.address, Ipv4Address::broadcast(), true, retransmission, out);
}

void DhcpClient::lose_lease(Time now, const Lease& lease, LeaseLostReason reason, Out& out) {
  // RFC 2131 §4.4.5: at expiry the client stops using the address at once and returns to
  // INIT; the next DISCOVER suggests the old address (option 50).
  out.push_back(LeaseLost{lease.address, reason});
  prev_address_ = lease.address;
  begin_acquisition(now, out);
}

// --- Reboot and inform ----------------------------------------------------------------------

void DhcpClient::enter_rebooting(Time now, const Lease& remembered, Rng& rng, Out& out) {
  Rebooting r;
  r.remembered = remembered;
  r.ex.xid = uint32_t(rng.next_u64());
  r.ex.first_sent = now;
  go(std::move(r), out);
  transmit_reboot(std::get<Rebooting>(st_), now, rng, out);
}

void DhcpClient::transmit_reboot(Rebooting& r, Time now, Rng& rng, Out& out) {
  const bool retransmission = r.ex.tries > 0;
  // RFC 2131 §4.4.2, Table 5: broadcast, ciaddr 0, option 50 = the remembered address,
  // no option 54.
  DhcpMessage m =
      make_message(DhcpMessageType::Request, r.ex.xid, secs_between(r.ex.first_sent, now));
  m.set_broadcast_flag(cfg_->broadcast_flag);
  m.options.set_ip(opt::kRequestedIp, r.remembered.address);
  add_request_parameters(m);
  r.ex.last_sent = now;
  const RetryProfile& p = cfg_->retry;
  schedule_retransmit(r.ex, p.reboot, p.reboot_limit, !p.limit_at_retransmission, now, rng);
  r.ex.next = std::min(r.ex.next, r.remembered.expiry);
  emit_send(std::move(m), Ipv4Address::any(), Ipv4Address::broadcast(), true, retransmission, out);
}

void DhcpClient::transmit_inform(Informing& s, Time now, Rng& rng, Out& out) {
  const bool retransmission = s.ex.tries > 0;
  // RFC 2131 §4.4.3, Table 5: ciaddr = the host's address; no options 50, 51, 54.
  DhcpMessage m =
      make_message(DhcpMessageType::Inform, s.ex.xid, secs_between(s.ex.first_sent, now));
  m.ciaddr = s.ciaddr;
  add_request_parameters(m);
  s.ex.last_sent = now;
  const RetryProfile& p = cfg_->retry;
  schedule_retransmit(s.ex, p.request, p.request_limit, !p.limit_at_retransmission, now, rng);
  emit_send(std::move(m), s.ciaddr, Ipv4Address::broadcast(), true, retransmission, out);
}

// --- Link-local fallback (RFC 3927) ----------------------------------------------------------

void DhcpClient::maybe_start_link_local(Time now, Rng& rng, Out& out) {
  const LinkLocalFallback& ll = cfg_->link_local;
  if (!ll.enabled || ll_state_ != LinkLocalState::None || !acquiring()) return;
  const bool by_rounds = ll.after_rounds > 0 && failed_rounds_ >= ll.after_rounds;
  const bool by_time = ll.after > Duration::zero() && try_start_ != Time::max() &&
                       now >= core::saturating_add(try_start_, ll.after);
  if (by_rounds || by_time) pick_link_local(rng, out);
}

void DhcpClient::pick_link_local(Rng& rng, Out& out) {
  ll_address_ = Ipv4Address(kLinkLocalFirst + uint32_t(rng.below(kLinkLocalCount)));
  ll_state_ = LinkLocalState::Probing;
  out.push_back(ConfigureLinkLocal{ll_address_});
}

void DhcpClient::drop_link_local(Out& out) {
  if (ll_state_ == LinkLocalState::Probing || ll_state_ == LinkLocalState::Configured)
    out.push_back(RemoveLinkLocal{ll_address_});
  ll_state_ = LinkLocalState::None;
  ll_retry_at_ = Time::max();
  ll_conflicts_ = 0;
}

}  // namespace dhcpsim::proto
