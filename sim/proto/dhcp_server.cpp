#include "dhcpsim/proto/dhcp_server.hpp"

#include <algorithm>

#include "dhcpsim/core/assert.hpp"

namespace dhcpsim::proto {

using wire::DhcpMessage;
using wire::DhcpMessageType;
using wire::Ipv4Address;
namespace opt = wire::dhcp_option;

namespace {

constexpr uint32_t kInfinite = 0xffffffffu;  // RFC 2131 §3.3: lease time "infinity"

uint32_t to_seconds(core::Duration d) {
  const int64_t s = d.ns() / 1'000'000'000;
  return s >= int64_t(kInfinite) ? kInfinite : uint32_t(std::max<int64_t>(s, 1));
}

std::size_t type_index(DhcpMessageType t) {
  const auto v = uint8_t(t);
  return v >= 1 && v <= 8 ? v : 0;
}

}  // namespace

const char* to_string(LeaseEventKind kind) {
  switch (kind) {
    case LeaseEventKind::Offered:
      return "offered";
    case LeaseEventKind::Bound:
      return "bound";
    case LeaseEventKind::Renewed:
      return "renewed";
    case LeaseEventKind::Released:
      return "released";
    case LeaseEventKind::Expired:
      return "expired";
    case LeaseEventKind::Declined:
      return "declined";
    case LeaseEventKind::Abandoned:
      return "abandoned";
    case LeaseEventKind::OfferWithdrawn:
      return "offer-withdrawn";
    case LeaseEventKind::OfferExpired:
      return "offer-expired";
    case LeaseEventKind::ProbationEnded:
      return "probation-ended";
  }
  return "?";
}

DhcpServer::DhcpServer(DhcpServerConfig config, core::Rng rng)
    : config_(std::move(config)), rng_(rng), table_(config_, rng_) {
  runtime_.resize(config_.subnets.size());
  exhausted_by_subnet_.assign(config_.subnets.size(), 0);
  for (std::size_t i = 0; i < config_.subnets.size(); ++i) {
    const SubnetConfig& sc = config_.subnets[i];
    SubnetRuntime& rt = runtime_[i];
    rt.lease_s = to_seconds(sc.lease_time);
    t1_t2(uint32_t(i), rt.lease_s, rt.t1_s, rt.t2_s);
    if (rt.lease_s != kInfinite) {
      if (sc.renewal_time) rt.t1_s = std::min(to_seconds(*sc.renewal_time), rt.lease_s);
      if (sc.rebinding_time) rt.t2_s = std::min(to_seconds(*sc.rebinding_time), rt.lease_s);
    }
    rt.mask = sc.subnet_mask ? *sc.subnet_mask : sc.prefix.mask();
    build_templates(uint32_t(i));
  }
}

void DhcpServer::build_templates(uint32_t subnet) {
  SubnetRuntime& rt = runtime_[subnet];
  for (DhcpMessageType type : {DhcpMessageType::Offer, DhcpMessageType::Ack}) {
    DhcpMessage& m = type == DhcpMessageType::Offer ? rt.offer_template : rt.ack_template;
    m = DhcpMessage{};
    m.op = DhcpMessage::kBootReply;
    // RFC 2131 Table 3 order of the options every lease reply carries.
    m.options.set_message_type(type);
    m.options.set_ip(opt::kServerId, config_.server_id);
    add_lease_options(m.options, subnet, rt.lease_s);
    add_config_options(m.options, subnet);
  }
}

DhcpServer::~DhcpServer() = default;

// ---------------------------------------------------------------------------------------
// Lease times

void DhcpServer::t1_t2(uint32_t, uint32_t lease_s, uint32_t& t1, uint32_t& t2) const {
  if (lease_s == kInfinite) {
    t1 = t2 = kInfinite;
    return;
  }
  // RFC 2131 §4.4.5: T1 defaults to 0.5 x lease, T2 to 0.875 x lease.
  t1 = uint32_t(uint64_t(lease_s) / 2);
  t2 = uint32_t(uint64_t(lease_s) * 7 / 8);
}

uint32_t DhcpServer::granted_lease_s(uint32_t subnet, const DhcpMessage& req) const {
  const uint32_t configured = runtime_[subnet].lease_s;
  if (!config_.honour_requested_lease_time) return configured;
  // RFC 2131 §4.3.1: the server may grant a requested lease time, within its policy.
  const auto asked = req.options.lease_time();
  if (!asked) return configured;
  return std::clamp(*asked, 1u, to_seconds(config_.max_lease_time));
}

core::Time DhcpServer::expiry_after(core::Time now, uint32_t lease_s) {
  return lease_s == kInfinite ? core::Time::max() : saturating_add(now, core::seconds(lease_s));
}

// ---------------------------------------------------------------------------------------
// Entry points

void DhcpServer::on_message(core::Time now, const RxContext& rx, const DhcpMessage& msg,
                            std::vector<Action>& out) {
  if (!running_) {
    ++stats_.dropped_while_stopped;
    return;
  }
  const auto type = msg.message_type();
  stats_.received[type ? type_index(*type) : 0]++;
  // RFC 2131 §4.1: a server only handles BOOTREQUESTs; without option 53 it is plain BOOTP,
  // which this server does not serve.
  if (msg.op != DhcpMessage::kBootRequest || !type) {
    ++stats_.ignored;
    return;
  }
  switch (*type) {
    case DhcpMessageType::Discover:
      handle_discover(now, rx, msg, out);
      break;
    case DhcpMessageType::Request:
      handle_request(now, rx, msg, out);
      break;
    case DhcpMessageType::Decline:
      handle_decline(now, msg, out);
      break;
    case DhcpMessageType::Release:
      handle_release(msg, out);
      break;
    case DhcpMessageType::Inform:
      handle_inform(rx, msg, out);
      break;
    default:
      ++stats_.ignored;
      break;  // server-to-client types, unknown types
  }
  settle();
}

void DhcpServer::on_ping_result(core::Time now, uint64_t token, bool answered,
                                std::vector<Action>& out) {
  if (!running_) return;
  const auto index = uint32_t(token);
  const auto gen = uint32_t(token >> 32);
  if (index >= parked_.size() || !parked_[index].active || parked_[index].gen != gen) return;
  if (!answered) {
    offer_parked(now, index, out);
    settle();
    return;
  }
  // The address answered: someone uses it without a lease (ISC dhcpd marks it abandoned).
  Parked& p = parked_[index];
  ++stats_.ping_conflicts;
  const core::Time until = saturating_add(now, config_.decline_probation_time);
  event(out, LeaseEventKind::Abandoned, p.slot, until);
  table_.quarantine(p.slot, LeaseState::Abandoned, until);
  if (p.attempts >= config_.ping_check.max_attempts) {
    ++stats_.ping_gave_up;
    unpark(index);
    settle();
    return;
  }
  const Choice choice = choose_address(p.subnet, p.client, p.msg);
  if (choice.slot == LeaseTable::kNoSlot) {
    ++stats_.exhausted;
    ++exhausted_by_subnet_[p.subnet];
    unpark(index);
  } else if (!choice.fresh) {
    make_offer(now, p.rx, p.msg, p.client, p.subnet, choice.slot, out);
    unpark(index);
  } else {
    ++p.attempts;
    ping_slot(now, index, choice.slot, out);
  }
  settle();
}

void DhcpServer::on_timer(core::Time now, std::vector<Action>& out) {
  if (!running_) return;
  expiries_.clear();
  table_.expire_due(now, expiries_);
  for (const SlotExpiry& e : expiries_) {
    LeaseEvent ev;
    ev.address = table_.address_of(e.slot);
    ev.mac = e.mac;
    ev.client = e.client;
    ev.subnet = table_.subnet_of_slot(e.slot);
    switch (e.kind) {
      case SlotExpiry::Kind::OfferExpired:
        ev.kind = LeaseEventKind::OfferExpired;
        ++stats_.offers_expired;
        break;
      case SlotExpiry::Kind::LeaseExpired:
        ev.kind = LeaseEventKind::Expired;
        ++stats_.leases_expired;
        break;
      case SlotExpiry::Kind::ProbationEnded:
        ev.kind = LeaseEventKind::ProbationEnded;
        ++stats_.probations_ended;
        break;
    }
    out.emplace_back(ev);
  }
  while (!ping_queue_.empty() && ping_queue_.front().t <= now.ns()) {
    const PingTimer e = ping_queue_.front();
    ping_queue_.pop();
    // Nobody answered within the wait: the address is free to offer.
    if (parked_[e.index].active && parked_[e.index].gen == e.gen) offer_parked(now, e.index, out);
  }
  settle();
}

core::Time DhcpServer::next_deadline() const {
  if (!running_) return core::Time::max();
  core::Time t = table_.next_deadline();
  if (!ping_queue_.empty()) t = std::min(t, core::Time::from_ns(ping_queue_.front().t));
  return t;
}

void DhcpServer::settle() {
  table_.collect_garbage();
  table_.settle();
  while (!ping_queue_.empty()) {
    const PingTimer& e = ping_queue_.front();
    if (parked_[e.index].active && parked_[e.index].gen == e.gen) break;
    ping_queue_.pop();
  }
}

void DhcpServer::stop(bool keep_leases) {
  running_ = false;
  for (uint32_t i = 0; i < parked_.size(); ++i)
    if (parked_[i].active) unpark(i);
  ping_queue_.clear();
  if (keep_leases)
    table_.drop_offers_and_pings();
  else
    table_.clear(rng_);
  table_.collect_garbage();
}

void DhcpServer::start(core::Time) {
  running_ = true;
}

DhcpServerStats DhcpServer::stats() const {
  DhcpServerStats s = stats_;
  s.leases_active = table_.bound_total();
  s.leases_peak = table_.peak_bound_total();
  s.allocator_probes = table_.probes();
  return s;
}

std::size_t DhcpServer::memory_bytes() const {
  return table_.memory_bytes() + parked_.capacity() * sizeof(Parked) +
         parked_free_.capacity() * sizeof(uint32_t) + ping_queue_.memory_bytes();
}

// ---------------------------------------------------------------------------------------
// Subnet and address choice

uint32_t DhcpServer::select_subnet(const RxContext& rx, const DhcpMessage& msg) const {
  // RFC 2131 §4.3.1: a relayed message belongs to giaddr's subnet. A client renewing by
  // unicast (RFC 2131 §4.3.2 RENEWING; giaddr 0 even if relayed at first) to its ciaddr's.
  // Otherwise the subnet of the interface it arrived on.
  if (!msg.giaddr.is_zero()) return table_.find_subnet(msg.giaddr);
  if (!msg.ciaddr.is_zero()) return table_.find_subnet(msg.ciaddr);
  if (!rx.iface_addr.is_zero()) return table_.find_subnet(rx.iface_addr);
  return table_.find_subnet(rx.iface_subnet.network());
}

DhcpServer::Choice DhcpServer::choose_address(uint32_t subnet, const ClientRef& c,
                                              const DhcpMessage& msg) {
  auto mine = [&](uint32_t s) {
    return table_.held_by(s, c.key) ||
           (table_.state(s) == LeaseState::Pinging && table_.client(s) == c.key);
  };
  // A reservation comes first (when its address is not declined or abandoned).
  const uint32_t reserved = table_.reservation_of(subnet, c);
  if (reserved != LeaseTable::kNoSlot) {
    if (mine(reserved)) return {reserved, false};
    if (table_.usable_by(reserved, c)) return {reserved, true};
  }
  // RFC 2131 §4.3.1, in order: the client's current binding, its previous (expired or
  // released) address if still available, the requested address, a new one.
  const uint32_t known = table_.client_slot(c.key);
  if (known != LeaseTable::kNoSlot && table_.subnet_of_slot(known) == subnet) {
    if (mine(known)) return {known, false};
    if (table_.usable_by(known, c)) return {known, true};
  }
  if (auto requested = msg.options.requested_ip()) {
    const uint32_t s = table_.slot_in_subnet(subnet, *requested);
    if (s != LeaseTable::kNoSlot) {
      if (table_.held_by(s, c.key)) return {s, false};
      if (table_.usable_by(s, c)) return {s, true};
    }
  }
  return {table_.allocate(subnet, rng_), true};
}

// ---------------------------------------------------------------------------------------
// Message handlers

void DhcpServer::handle_discover(core::Time now, const RxContext& rx, const DhcpMessage& msg,
                                 std::vector<Action>& out) {
  const uint32_t subnet = select_subnet(rx, msg);
  if (subnet == LeaseTable::kNoSubnet) {
    ++stats_.no_subnet;
    return;
  }
  const ClientRef c = table_.identify(msg);
  const Choice choice = choose_address(subnet, c, msg);
  if (choice.slot == LeaseTable::kNoSlot) {
    ++stats_.exhausted;
    ++exhausted_by_subnet_[subnet];
    return;
  }
  if (table_.state(choice.slot) == LeaseState::Pinging) {
    // A retransmitted DISCOVER while its ping runs: answer the latest one when it ends.
    Parked& p = parked_[table_.ping_tag(choice.slot)];
    p.msg = msg;
    p.rx = rx;
    return;
  }
  if (config_.ping_check.enabled && choice.fresh) {
    if (parked_active_ < config_.ping_check.max_parked) {
      park(now, rx, msg, c, subnet, choice.slot, out);
      return;
    }
    ++stats_.ping_skipped;
  }
  make_offer(now, rx, msg, c, subnet, choice.slot, out);
}

void DhcpServer::handle_request(core::Time now, const RxContext& rx, const DhcpMessage& msg,
                                std::vector<Action>& out) {
  const auto server_id = msg.options.server_id();
  const auto requested = msg.options.requested_ip();

  if (server_id) {
    const ClientRef c = table_.identify(msg);
    if (*server_id != config_.server_id) {
      // RFC 2131 §4.3.2: the client took another server's offer; ours is free again now
      // rather than at the end of the offer-hold time.
      ++stats_.requests_for_other_server;
      const uint32_t s = table_.client_slot(c.key);
      if (s != LeaseTable::kNoSlot && table_.client(s) == c.key) {
        if (table_.state(s) == LeaseState::Offered) {
          event(out, LeaseEventKind::OfferWithdrawn, s, core::Time::max());
          table_.make_free(s, true);
          ++stats_.offers_withdrawn;
        } else if (table_.state(s) == LeaseState::Pinging) {
          unpark(table_.ping_tag(s));
          table_.make_free(s, true);
          ++stats_.offers_withdrawn;
        }
      }
      return;
    }
    // SELECTING: option 54 names us, option 50 holds the offered address (ciaddr 0; some
    // clients put it in ciaddr instead: accept that).
    const uint32_t subnet = select_subnet(rx, msg);
    if (subnet == LeaseTable::kNoSubnet) {
      ++stats_.no_subnet;
      return;
    }
    const Ipv4Address addr = requested ? *requested : msg.ciaddr;
    const uint32_t s = addr.is_zero() ? LeaseTable::kNoSlot : table_.slot_in_subnet(subnet, addr);
    if (s != LeaseTable::kNoSlot && (table_.held_by(s, c.key) || table_.usable_by(s, c))) {
      make_ack(now, rx, msg, c, subnet, s, out);
      return;
    }
    // The client named this server: it must hear that the offer is gone.
    make_nak(rx, msg, "requested address not available", out);
    return;
  }

  if (msg.ciaddr.is_zero()) {
    // INIT-REBOOT (RFC 2131 §4.3.2): no option 54, option 50 = the address the client
    // remembers, ciaddr 0.
    if (!requested) {
      ++stats_.ignored;
      return;
    }
    const uint32_t subnet = select_subnet(rx, msg);
    if (subnet == LeaseTable::kNoSubnet) {
      ++stats_.no_subnet;
      return;
    }
    if (!table_.subnet_prefix(subnet).contains(*requested)) {
      nak_or_silence(rx, msg, "wrong network", out);
      return;
    }
    const ClientRef c = table_.identify(msg);
    const uint32_t s = table_.slot_in_subnet(subnet, *requested);
    if (s != LeaseTable::kNoSlot && table_.held_by(s, c.key)) {
      make_ack(now, rx, msg, c, subnet, s, out);
      return;
    }
    if (s != LeaseTable::kNoSlot && !table_.usable_by(s, c)) {
      // Another client's lease or offer, a reservation of someone else, a declined or
      // abandoned or excluded address.
      nak_or_silence(rx, msg, "address in use", out);
      return;
    }
    const uint32_t reserved = table_.reservation_of(subnet, c);
    uint32_t known = table_.client_slot(c.key);
    if (known != LeaseTable::kNoSlot && table_.subnet_of_slot(known) != subnet)
      known = LeaseTable::kNoSlot;
    if (reserved == LeaseTable::kNoSlot && known == LeaseTable::kNoSlot) {
      // "If the DHCP server has no record of this client, then it MUST remain silent"
      // (RFC 2131 §4.3.2), so that servers that do not share lease data can coexist.
      ++stats_.unanswered_requests;
      return;
    }
    if (s != LeaseTable::kNoSlot && (s == reserved || s == known)) {
      make_ack(now, rx, msg, c, subnet, s, out);
      return;
    }
    nak_or_silence(rx, msg, "not your address", out);
    return;
  }

  // RENEWING (unicast to us) or REBINDING (broadcast): ciaddr is the leased address. A
  // server extends only a lease it holds (RFC 2131 §4.3.2).
  const ClientRef c = table_.identify(msg);
  const uint32_t subnet = select_subnet(rx, msg);
  if (subnet == LeaseTable::kNoSubnet) {
    ++stats_.no_subnet;
    return;
  }
  const uint32_t s = table_.slot_in_subnet(subnet, msg.ciaddr);
  if (s != LeaseTable::kNoSlot &&
      (table_.held_by(s, c.key) || (table_.client(s) == c.key && table_.usable_by(s, c)))) {
    make_ack(now, rx, msg, c, subnet, s, out);
    return;
  }
  nak_or_silence(rx, msg, "lease unknown", out);
}

void DhcpServer::handle_decline(core::Time now, const DhcpMessage& msg, std::vector<Action>& out) {
  // RFC 2131 §4.3.3: the client found the address in use (ARP); it names it in option 50.
  const auto server_id = msg.options.server_id();
  const auto requested = msg.options.requested_ip();
  if ((server_id && *server_id != config_.server_id) || !requested) {
    ++stats_.ignored;
    return;
  }
  const ClientRef c = table_.identify(msg);
  const uint32_t s = table_.slot_of(*requested);
  if (s == LeaseTable::kNoSlot || !table_.held_by(s, c.key)) {
    ++stats_.ignored;
    return;
  }
  // "The server MUST mark the network address as not available": for the probation time,
  // after which it returns to the pool (Kea's decline-probation-period).
  table_.quarantine(s, LeaseState::Declined, saturating_add(now, config_.decline_probation_time));
  ++stats_.declines;
  LeaseEvent ev{LeaseEventKind::Declined, *requested, c.mac, c.key, table_.expiry(s),
                table_.subnet_of_slot(s)};
  out.emplace_back(ev);
}

void DhcpServer::handle_release(const DhcpMessage& msg, std::vector<Action>& out) {
  // RFC 2131 §4.3.4: ciaddr is the released address.
  const auto server_id = msg.options.server_id();
  if (server_id && *server_id != config_.server_id) {
    ++stats_.ignored;
    return;
  }
  const ClientRef c = table_.identify(msg);
  const uint32_t s = msg.ciaddr.is_zero() ? LeaseTable::kNoSlot : table_.slot_of(msg.ciaddr);
  if (s == LeaseTable::kNoSlot || table_.state(s) != LeaseState::Bound ||
      table_.client(s) != c.key) {
    ++stats_.ignored;
    return;
  }
  // "the server marks the network address as not allocated" and keeps the binding, so the
  // client gets the same address next time if nobody took it (RFC 2131 §4.3.4, §4.3.1).
  event(out, LeaseEventKind::Released, s, core::Time::max());
  table_.make_free(s, true);
  ++stats_.releases;
}

void DhcpServer::handle_inform(const RxContext& rx, const DhcpMessage& msg,
                               std::vector<Action>& out) {
  // RFC 2131 §4.3.5: configuration only, no lease; the client has its address (ciaddr).
  const uint32_t subnet = select_subnet(rx, msg);
  if (subnet == LeaseTable::kNoSubnet) {
    ++stats_.no_subnet;
    return;
  }
  Send& s = begin_reply(out, msg, DhcpMessageType::Ack);
  s.message.ciaddr = msg.ciaddr;
  add_config_options(s.message.options, subnet);
  add_echo_options(s.message.options, msg, true);
  finish_reply(s, rx, msg, false);
  ++stats_.informs;
}

// ---------------------------------------------------------------------------------------
// Replies

void DhcpServer::copy_request_fields(DhcpMessage& m, const DhcpMessage& req) {
  // RFC 2131 Table 3: fields copied from the client's message (hops and secs stay 0).
  m.htype = req.htype;
  m.hlen = req.hlen;
  m.xid = req.xid;
  m.flags = req.flags;
  m.giaddr = req.giaddr;
  m.chaddr = req.chaddr;
}

DhcpServer::Send& DhcpServer::begin_reply(std::vector<Action>& out, const DhcpMessage& req,
                                          DhcpMessageType type) {
  Send& s = std::get<Send>(out.emplace_back(std::in_place_type<Send>));
  DhcpMessage& m = s.message;
  m.op = DhcpMessage::kBootReply;
  copy_request_fields(m, req);
  m.options.set_message_type(type);
  m.options.set_ip(opt::kServerId, config_.server_id);
  stats_.sent[type_index(type)]++;
  return s;
}

DhcpServer::Send& DhcpServer::begin_reply_from(std::vector<Action>& out, const DhcpMessage& tmpl,
                                               const DhcpMessage& req) {
  Send& s = std::get<Send>(out.emplace_back(std::in_place_type<Send>, tmpl));
  copy_request_fields(s.message, req);
  stats_.sent[type_index(*tmpl.message_type())]++;
  return s;
}

void DhcpServer::add_lease_options(wire::DhcpOptions& o, uint32_t subnet, uint32_t lease_s) {
  uint32_t t1 = runtime_[subnet].t1_s;
  uint32_t t2 = runtime_[subnet].t2_s;
  if (lease_s != runtime_[subnet].lease_s) t1_t2(subnet, lease_s, t1, t2);
  o.set_u32(opt::kLeaseTime, lease_s);
  o.set_u32(opt::kRenewalTime, t1);
  o.set_u32(opt::kRebindingTime, t2);
}

void DhcpServer::add_config_options(wire::DhcpOptions& o, uint32_t subnet) {
  const SubnetConfig& sc = config_.subnets[subnet];
  o.set_ip(opt::kSubnetMask, runtime_[subnet].mask);
  if (!sc.routers.empty()) o.set_ips(opt::kRouter, sc.routers);
  if (!sc.dns_servers.empty()) o.set_ips(opt::kDnsServers, sc.dns_servers);
}

void DhcpServer::add_echo_options(wire::DhcpOptions& o, const DhcpMessage& req, bool client_id) {
  if (client_id && config_.echo_client_id) {
    if (auto cid = req.options.client_id()) o.set(opt::kClientId, *cid);
  }
  // RFC 3046 §2.2: the server copies option 82 into its reply, as the last option.
  if (auto rai = req.options.get(opt::kRelayAgentInfo)) o.set(opt::kRelayAgentInfo, *rai);
}

void DhcpServer::finish_reply(Send& s, const RxContext& rx, const DhcpMessage& req, bool nak) {
  // RFC 1542 §2.1: at least 300 octets (zeros after End), as ISC dhcpd sends.
  if (config_.pad_replies) s.message.pad_to_bootp_minimum();
  s.iface_index = rx.iface_index;
  // RFC 2131 §4.1, in this order.
  if (!req.giaddr.is_zero()) {
    s.dst_ip = req.giaddr;  // to the relay agent's server port
    s.dst_port = kServerPort;
    s.via_arp = true;
    return;
  }
  s.dst_port = kClientPort;
  const bool can_unicast_l2 = req.htype == 1 && req.hlen == 6;
  if (nak || (req.ciaddr.is_zero() &&
              (req.broadcast_flag() || !can_unicast_l2 || s.message.yiaddr.is_zero()))) {
    // A NAK without giaddr, a client that asked for broadcast (or that cannot be reached
    // by hardware address).
    s.dst_ip = Ipv4Address::broadcast();
    s.dst_mac = wire::MacAddress::broadcast();
    return;
  }
  if (!req.ciaddr.is_zero()) {
    s.dst_ip = req.ciaddr;
    s.via_arp = true;
    return;
  }
  // Unicast to the address being assigned, to chaddr at layer 2: the client cannot
  // answer ARP for it yet.
  s.dst_ip = s.message.yiaddr;
  s.dst_mac = req.client_mac();
}

void DhcpServer::make_lease_reply(const RxContext& rx, const DhcpMessage& msg, uint32_t subnet,
                                  uint32_t slot, uint32_t lease_s, bool offer,
                                  std::vector<Action>& out) {
  const SubnetRuntime& rt = runtime_[subnet];
  Send& s = begin_reply_from(out, offer ? rt.offer_template : rt.ack_template, msg);
  // Table 3: an ACK carries the REQUEST's ciaddr (non-zero when renewing); an OFFER 0.
  if (!offer) s.message.ciaddr = msg.ciaddr;
  s.message.yiaddr = table_.address_of(slot);
  if (lease_s != rt.lease_s) add_lease_options(s.message.options, subnet, lease_s);
  add_echo_options(s.message.options, msg, true);
  finish_reply(s, rx, msg, false);
}

void DhcpServer::make_offer(core::Time now, const RxContext& rx, const DhcpMessage& msg,
                            const ClientRef& c, uint32_t subnet, uint32_t slot,
                            std::vector<Action>& out) {
  const uint32_t lease_s = granted_lease_s(subnet, msg);
  // RFC 2131 §4.3.1: reserve the offered address until the client answers. A client's
  // current binding stays a binding.
  core::Time hold_until = table_.expiry(slot);
  if (table_.state(slot) != LeaseState::Bound) {
    hold_until = saturating_add(now, config_.offer_hold_time);
    table_.offer(slot, c, hold_until);
  }
  make_lease_reply(rx, msg, subnet, slot, lease_s, true, out);
  ++stats_.offers;
  out.emplace_back(LeaseEvent{LeaseEventKind::Offered, table_.address_of(slot), c.mac, c.key,
                              hold_until, subnet});
}

void DhcpServer::make_ack(core::Time now, const RxContext& rx, const DhcpMessage& msg,
                          const ClientRef& c, uint32_t subnet, uint32_t slot,
                          std::vector<Action>& out) {
  const bool renewal = table_.state(slot) == LeaseState::Bound && table_.client(slot) == c.key;
  const uint32_t lease_s = granted_lease_s(subnet, msg);
  const core::Time until = expiry_after(now, lease_s);
  table_.bind(slot, c, until);
  make_lease_reply(rx, msg, subnet, slot, lease_s, false, out);
  ++stats_.acks;
  if (renewal) ++stats_.renewals;
  out.emplace_back(LeaseEvent{renewal ? LeaseEventKind::Renewed : LeaseEventKind::Bound,
                              table_.address_of(slot), c.mac, c.key, until, subnet});
}

void DhcpServer::make_nak(const RxContext& rx, const DhcpMessage& msg, const char* why,
                          std::vector<Action>& out) {
  Send& s = begin_reply(out, msg, DhcpMessageType::Nak);
  // RFC 2131 §4.3.2: through a relay the NAK carries the broadcast bit, so the relay
  // broadcasts it to a client that may have no usable address.
  if (!msg.giaddr.is_zero()) s.message.set_broadcast_flag(true);
  // Table 3: a NAK carries 53, 54, optionally 56 (and 61 per RFC 6842); nothing else.
  s.message.options.set_string(opt::kMessage, why);
  add_echo_options(s.message.options, msg, true);
  finish_reply(s, rx, msg, true);
  ++stats_.naks;
}

void DhcpServer::nak_or_silence(const RxContext& rx, const DhcpMessage& msg, const char* why,
                                std::vector<Action>& out) {
  if (config_.authoritative)
    make_nak(rx, msg, why, out);
  else
    ++stats_.unanswered_requests;
}

void DhcpServer::event(std::vector<Action>& out, LeaseEventKind kind, uint32_t slot,
                       core::Time expiry) {
  const LeaseInfo info = table_.info_of_slot(slot);
  out.emplace_back(LeaseEvent{kind, info.address, info.mac, info.client, expiry, info.subnet});
}

// ---------------------------------------------------------------------------------------
// Ping check

void DhcpServer::park(core::Time now, const RxContext& rx, const DhcpMessage& msg,
                      const ClientRef& c, uint32_t subnet, uint32_t slot,
                      std::vector<Action>& out) {
  uint32_t index;
  if (!parked_free_.empty()) {
    index = parked_free_.back();
    parked_free_.pop_back();
  } else {
    index = uint32_t(parked_.size());
    parked_.emplace_back();
  }
  Parked& p = parked_[index];
  p.msg = msg;
  p.rx = rx;
  p.client = c;
  p.subnet = subnet;
  p.attempts = 1;
  p.active = true;
  ++parked_active_;
  ping_slot(now, index, slot, out);
}

void DhcpServer::ping_slot(core::Time now, uint32_t index, uint32_t slot,
                           std::vector<Action>& out) {
  Parked& p = parked_[index];
  p.slot = slot;
  p.gen = ++ping_gen_;
  table_.start_ping(slot, p.client, index);
  // The wait is fixed, so deadlines come in order: a FIFO.
  ping_queue_.push({saturating_add(now, config_.ping_check.wait).ns(), index, p.gen});
  out.emplace_back(PingCheck{table_.address_of(slot), (uint64_t(p.gen) << 32) | index});
  ++stats_.ping_checks;
}

void DhcpServer::offer_parked(core::Time now, uint32_t index, std::vector<Action>& out) {
  Parked& p = parked_[index];
  make_offer(now, p.rx, p.msg, p.client, p.subnet, p.slot, out);
  unpark(index);
}

void DhcpServer::unpark(uint32_t index) {
  Parked& p = parked_[index];
  if (!p.active) return;
  p.active = false;
  ++p.gen;  // invalidates its ping token and timer
  --parked_active_;
  parked_free_.push_back(index);
}

}  // namespace dhcpsim::proto
