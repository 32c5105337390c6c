// Properties of the DHCP client engine (rapidcheck): wants() agrees with on_message()'s
// filtering in every reachable state, and random scripts never break the engine's
// invariants (deadlines in the future after each input, leases well ordered).

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <string>

#include "dhcpsim/proto/dhcp_client.hpp"

namespace dhcpsim::proto {
namespace {

using core::Duration;
using core::Time;
using wire::DhcpMessage;
using wire::DhcpMessageType;
using wire::Ipv4Address;
using wire::MacAddress;
namespace opt = wire::dhcp_option;
using Actions = std::vector<DhcpClientAction>;

const MacAddress kMac = MacAddress::from_u64(0x02660100000aULL);
const Ipv4Address kServers[] = {Ipv4Address::from_octets(10, 0, 0, 1),
                                Ipv4Address::from_octets(10, 0, 0, 2)};
const Ipv4Address kAddrs[] = {Ipv4Address::from_octets(10, 0, 0, 100),
                              Ipv4Address::from_octets(10, 0, 0, 101)};

DhcpMessage reply(DhcpMessageType type, uint32_t xid, Ipv4Address yiaddr,
                  std::optional<Ipv4Address> server, std::optional<uint32_t> lease_s,
                  MacAddress mac = kMac) {
  DhcpMessage m;
  m.op = DhcpMessage::kBootReply;
  m.xid = xid;
  m.yiaddr = yiaddr;
  m.set_client_mac(mac);
  m.options.set_message_type(type);
  if (server) m.options.set_ip(opt::kServerId, *server);
  if (lease_s) m.options.set_u32(opt::kLeaseTime, *lease_s);
  return m;
}

/// What the script knows of the client's last request, to build answers it would accept.
struct Knowledge {
  Ipv4Address requested;              // option 50 or ciaddr of the last REQUEST
  std::optional<Ipv4Address> server;  // option 54 or unicast destination of the last REQUEST
};

void learn(const Actions& actions, Knowledge& k) {
  for (const auto& a : actions) {
    const auto* s = std::get_if<Send>(&a);
    if (s == nullptr || s->msg.message_type() != DhcpMessageType::Request) continue;
    k.requested = s->msg.options.requested_ip().value_or(s->msg.ciaddr);
    if (auto sid = s->msg.options.server_id())
      k.server = *sid;
    else if (!s->broadcast)
      k.server = s->dst_ip;
  }
}

/// An answer the client in its current state acts on (for the converse of the property).
DhcpMessage acceptable_answer(const DhcpClient& c, const Knowledge& k) {
  const uint32_t xid = *c.xid();
  switch (c.state()) {
    case DhcpClientState::Selecting:
      return reply(DhcpMessageType::Offer, xid, kAddrs[0], kServers[0], 3600);
    case DhcpClientState::Informing:
      return reply(DhcpMessageType::Ack, xid, Ipv4Address{}, kServers[0], std::nullopt);
    case DhcpClientState::Renewing:
      return reply(DhcpMessageType::Nak, xid, Ipv4Address{}, c.current_lease()->server_id,
                   std::nullopt);
    default:
      return reply(DhcpMessageType::Nak, xid, Ipv4Address{}, k.server.value_or(kServers[0]),
                   std::nullopt);
  }
}

struct Snapshot {
  DhcpClientState state;
  Time deadline;
  DhcpClientCounters counters;
  std::optional<uint32_t> xid;
  std::optional<Lease> lease;
  bool operator==(const Snapshot&) const = default;
};
Snapshot snapshot(const DhcpClient& c) {
  return {c.state(), c.next_deadline(), c.counters(), c.xid(),
          c.current_lease() ? std::optional<Lease>(*c.current_lease()) : std::nullopt};
}

DhcpClientConfig random_config() {
  DhcpClientConfig cfg;
  const auto names = retry_profile_names();
  cfg.retry = *retry_profile_by_name(names[*rc::gen::inRange<size_t>(0, names.size())]);
  cfg.start_delay_min = Duration::zero();
  cfg.start_delay_max = core::seconds(*rc::gen::inRange(0, 3));
  cfg.probe_on_ack = *rc::gen::arbitrary<bool>();
  cfg.offer_window = core::seconds(*rc::gen::inRange(0, 3));
  cfg.reboot_keep_address = *rc::gen::arbitrary<bool>();
  cfg.release_on_shutdown = *rc::gen::arbitrary<bool>();
  cfg.link_local.enabled = *rc::gen::arbitrary<bool>();
  cfg.t_fuzz_fraction = *rc::gen::element(0.0, 0.05);
  return cfg;
}

/// Drives the client with one random step; answers use what the client asked for.
void random_step(DhcpClient& c, Time& now, core::Rng& rng, Knowledge& k, Actions& out) {
  // Mostly timers and answers, so that every state is reached; rarely a host event.
  const int kind = *rc::gen::weightedElement<int>({{30, 0},
                                                   {15, 3},
                                                   {20, 4},
                                                   {4, 6},
                                                   {8, 7},
                                                   {4, 8},
                                                   {2, 9},
                                                   {3, 10},
                                                   {3, 11},
                                                   {1, 12},
                                                   {1, 13}});
  const uint32_t lease_s = *rc::gen::element(60u, 3600u, 0xffffffffu);
  // Time passes; the host fires every deadline on the way, at its time.
  const Time until = now + core::milliseconds(*rc::gen::inRange(0, 5000));
  while (c.next_deadline() <= until) {
    now = std::max(now, c.next_deadline());
    c.on_timer(now, rng, out);
  }
  now = until;
  auto xid = c.xid();
  switch (kind) {
    case 0:
    case 1:
    case 2:
      if (c.next_deadline() != Time::max()) now = std::max(now, c.next_deadline());
      c.on_timer(now, rng, out);
      break;
    case 3:
      if (xid)
        c.on_message(now,
                     reply(DhcpMessageType::Offer, *xid, kAddrs[*rc::gen::inRange(0, 2)],
                           kServers[*rc::gen::inRange(0, 2)], lease_s),
                     rng, out);
      break;
    case 4:
    case 5:
      if (xid)
        c.on_message(
            now,
            reply(DhcpMessageType::Ack, *xid, k.requested.is_zero() ? kAddrs[0] : k.requested,
                  k.server.value_or(kServers[0]), lease_s),
            rng, out);
      break;
    case 6:
      if (xid)
        c.on_message(now,
                     reply(DhcpMessageType::Nak, *xid, Ipv4Address{},
                           k.server.value_or(kServers[1]), std::nullopt),
                     rng, out);
      break;
    case 7:
      c.on_probe_result(now, *rc::gen::arbitrary<bool>(), rng, out);
      break;
    case 8:
      c.on_link_local_result(now, *rc::gen::arbitrary<bool>(), rng, out);
      break;
    case 9:
      c.stop(now, out);
      break;
    case 10:
      c.reboot(now, rng, out);
      break;
    case 11:
      c.start(now, rng, out);
      break;
    case 12:
      c.inform(now, Ipv4Address::from_octets(10, 0, 0, 50), rng, out);
      break;
    case 13:
      c.release(now, rng, out);
      break;
  }
  learn(out, k);
}

// wants(xid, chaddr) is false => on_message() with any reply carrying that xid and chaddr
// changes nothing and outputs nothing; wants() true => some such reply is acted upon.
RC_GTEST_PROP(DhcpClientProperty, WantsAgreesWithOnMessage, ()) {
  const DhcpClientConfig cfg = random_config();
  core::Rng rng(*rc::gen::arbitrary<uint64_t>());
  DhcpClient c(cfg, kMac);
  Time now = Time::zero();
  Knowledge k;
  Actions started;
  c.start(now, rng, started);
  const int steps = *rc::gen::inRange(0, 60);
  for (int i = 0; i < steps; ++i) {
    Actions out;
    random_step(c, now, rng, k, out);
  }

  // An arbitrary reply: our xid or another, our chaddr or another, any type, any server.
  const uint32_t xid =
      c.xid() && *rc::gen::arbitrary<bool>() ? *c.xid() : *rc::gen::arbitrary<uint32_t>();
  const MacAddress mac =
      *rc::gen::arbitrary<bool>() ? kMac : MacAddress::from_u64(*rc::gen::arbitrary<uint64_t>());
  const auto type = DhcpMessageType(*rc::gen::inRange<uint8_t>(1, 10));
  std::optional<Ipv4Address> server;
  if (*rc::gen::arbitrary<bool>()) server = kServers[*rc::gen::inRange(0, 2)];
  std::optional<uint32_t> lease;
  if (*rc::gen::arbitrary<bool>()) lease = 3600;
  DhcpMessage m = reply(type, xid, kAddrs[*rc::gen::inRange(0, 2)], server, lease, mac);
  if (*rc::gen::arbitrary<bool>()) m.op = DhcpMessage::kBootRequest;

  const bool wanted = c.wants(m.xid, m.chaddr);
  RC_TAG(std::string(to_string(c.state())), wanted);
  DhcpClient copy = c;
  Actions out;
  copy.on_message(now, m, rng, out);
  if (!wanted) {
    RC_ASSERT(out.empty());
    RC_ASSERT(snapshot(copy) == snapshot(c));
  } else {
    // (An OFFER inside the offer window is only stored: the state changes, nothing is output.)
    DhcpClient other = c;
    Actions out2;
    other.on_message(now, acceptable_answer(c, k), rng, out2);
    RC_ASSERT(!out2.empty() || !(snapshot(other) == snapshot(c)));
  }
}

// Random scripts: after every input nothing is due any more (the engine caught up), the
// lease times are ordered, and a configured lease's address is what the client reports.
RC_GTEST_PROP(DhcpClientProperty, InvariantsHoldUnderRandomScripts, ()) {
  const DhcpClientConfig cfg = random_config();
  core::Rng rng(*rc::gen::arbitrary<uint64_t>());
  DhcpClient c(cfg, kMac);
  Time now = Time::zero();
  Knowledge k;
  const int steps = *rc::gen::inRange(1, 60);
  for (int i = 0; i < steps; ++i) {
    Actions out;
    random_step(c, now, rng, k, out);
    RC_ASSERT(c.next_deadline() > now);
    if (const Lease* l = c.current_lease()) {
      RC_ASSERT(l->start <= l->t1);
      RC_ASSERT(l->t1 <= l->t2);
      RC_ASSERT(l->t2 <= l->expiry);
      RC_ASSERT(now < l->expiry);
    }
    for (const auto& a : out) {
      if (const auto* s = std::get_if<Send>(&a)) {
        RC_ASSERT(s->msg.encoded_size() >= DhcpMessage::kBootpMinimumSize);
        RC_ASSERT(s->msg.op == DhcpMessage::kBootRequest);
      }
      if (const auto* ll = std::get_if<ConfigureLinkLocal>(&a)) {
        RC_ASSERT(ll->address >= Ipv4Address::from_octets(169, 254, 1, 0));
        RC_ASSERT(ll->address <= Ipv4Address::from_octets(169, 254, 254, 255));
      }
      if (const auto* sc = std::get_if<StateChanged>(&a)) RC_ASSERT(sc->from != sc->to);
    }
  }
}

}  // namespace
}  // namespace dhcpsim::proto
