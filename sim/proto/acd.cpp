#include "dhcpsim/proto/acd.hpp"

#include <algorithm>

namespace dhcpsim::proto {

using core::Duration;
using core::Time;
using wire::ArpPacket;
using wire::Ipv4Address;
using wire::MacAddress;

const char* to_string(AcdPhase p) {
  switch (p) {
    case AcdPhase::Idle:
      return "idle";
    case AcdPhase::Probing:
      return "probing";
    case AcdPhase::Announcing:
      return "announcing";
    case AcdPhase::Defending:
      return "defending";
  }
  return "?";
}

const char* to_string(DefencePolicy p) {
  switch (p) {
    case DefencePolicy::GiveUp:
      return "give_up";
    case DefencePolicy::DefendOnce:
      return "defend_once";
    case DefencePolicy::AlwaysDefend:
      return "always_defend";
  }
  return "?";
}

const AcdParams& AcdParams::rfc_defaults() {
  static const AcdParams params;
  return params;
}

AcdEngine::AcdEngine(const AcdParams& params) : params_(&params) {}

AcdPhase AcdEngine::phase() const {
  switch (state_.index()) {
    case 1:
      return AcdPhase::Probing;
    case 2:
      return AcdPhase::Announcing;
    case 3:
      return AcdPhase::Defending;
    default:
      return AcdPhase::Idle;
  }
}

Ipv4Address AcdEngine::watched_address() const {
  return std::holds_alternative<Idle>(state_) ? Ipv4Address() : addr_;
}

void AcdEngine::start(Time now, Ipv4Address addr, MacAddress own_mac, core::Rng& rng,
                      std::vector<Action>& out) {
  const AcdParams& p = *params_;
  addr_ = addr;
  own_mac_ = own_mac;
  // RFC 5227 §2.1.1: after MAX_CONFLICTS conflicts, at most one attempt per
  // RATE_LIMIT_INTERVAL.
  Time begin = now;
  if (conflicts_ >= p.max_conflicts && last_attempt_)
    begin = std::max(now, *last_attempt_ + p.rate_limit_interval);
  last_attempt_ = begin;
  // §2.1.1: wait a random time in [0, PROBE_WAIT] before the first probe, so that hosts
  // powered on together do not probe in lockstep.
  state_ = Probing{begin + rng.uniform_duration(Duration::zero(), p.probe_wait), 0};
  on_timer(now, rng, out);
}

void AcdEngine::stop() {
  state_ = Idle{};
}

Time AcdEngine::next_deadline() const {
  if (const auto* pr = std::get_if<Probing>(&state_)) return pr->next;
  if (const auto* an = std::get_if<Announcing>(&state_)) return an->next;
  return Time::max();
}

void AcdEngine::on_timer(Time now, core::Rng& rng, std::vector<Action>& out) {
  const AcdParams& p = *params_;
  for (;;) {
    if (auto* pr = std::get_if<Probing>(&state_)) {
      if (pr->next > now) return;
      const Time t = pr->next;
      if (pr->sent < p.probe_num) {
        // §2.1.1 probe: ARP request, sender IP 0 (so it pollutes no cache), target MAC 0.
        out.push_back(SendArp{ArpPacket::probe(own_mac_, addr_)});
        ++pr->sent;
        // Probes PROBE_MIN..PROBE_MAX apart; after the last, ANNOUNCE_WAIT for answers.
        pr->next = t + (pr->sent < p.probe_num ? rng.uniform_duration(p.probe_min, p.probe_max)
                                               : p.announce_wait);
        continue;
      }
      out.push_back(Claimed{addr_});
      conflicts_ = 0;
      if (p.probe_only) {
        state_ = Idle{};
        return;
      }
      if (p.announce && p.announce_num > 0) {
        // §2.3: the first announcement goes out at once (handled by the next iteration).
        state_ = Announcing{t, 0, std::nullopt};
        continue;
      }
      state_ = Defending{};
      return;
    }
    if (auto* an = std::get_if<Announcing>(&state_)) {
      if (an->next > now) return;
      const Time t = an->next;
      // §2.3 announcement: ARP request with sender IP = target IP = the address.
      out.push_back(SendArp{ArpPacket::announcement(own_mac_, addr_)});
      ++an->sent;
      if (an->sent >= p.announce_num) {
        const std::optional<Time> last = an->last_defence;
        state_ = Defending{last};
        return;
      }
      an->next = t + p.announce_interval;
      continue;
    }
    return;
  }
}

void AcdEngine::conflict(Time /*now*/, AcdPhase phase, MacAddress other, bool lost,
                         std::vector<Action>& out) {
  out.push_back(Conflict{addr_, phase, other});
  if (!lost) return;
  if (phase != AcdPhase::Probing) out.push_back(AddressLost{addr_});
  if (conflicts_ < UINT32_MAX) ++conflicts_;
  state_ = Idle{};
}

void AcdEngine::defend(Time now, MacAddress other, std::optional<Time>& last_defence,
                       std::vector<Action>& out) {
  const AcdParams& p = *params_;
  const AcdPhase ph = phase();
  switch (p.defence) {
    case DefencePolicy::GiveUp:
      // §2.4 (a): cease using the address at once.
      conflict(now, ph, other, /*lost=*/true, out);
      return;
    case DefencePolicy::DefendOnce:
      // §2.4 (b): defend once; a second conflict within DEFEND_INTERVAL of that defence
      // means the other host insists: give up.
      if (last_defence && now - *last_defence < p.defend_interval) {
        conflict(now, ph, other, /*lost=*/true, out);
        return;
      }
      last_defence = now;
      conflict(now, ph, other, /*lost=*/false, out);
      out.push_back(SendArp{ArpPacket::announcement(own_mac_, addr_)});
      return;
    case DefencePolicy::AlwaysDefend:
      // §2.4 (c): never give up, but defend at most once per DEFEND_INTERVAL.
      conflict(now, ph, other, /*lost=*/false, out);
      if (!last_defence || now - *last_defence >= p.defend_interval) {
        last_defence = now;
        out.push_back(SendArp{ArpPacket::announcement(own_mac_, addr_)});
      }
      return;
  }
}

void AcdEngine::on_arp(Time now, const ArpPacket& a, std::vector<Action>& out) {
  if (std::holds_alternative<Idle>(state_)) return;
  if (a.ptype != 0x0800 || a.hlen != 6 || a.plen != 4) return;
  if (a.oper != wire::kArpRequest && a.oper != wire::kArpReply) return;
  // Our own packets (looped back by the segment) are never a conflict.
  if (a.sha == own_mac_) return;

  if (std::holds_alternative<Probing>(state_)) {
    // §2.1.1: someone uses the address (any request or reply with spa == addr), or probes
    // for it at the same time as we do.
    if (a.spa == addr_ || (a.is_probe() && a.tpa == addr_))
      conflict(now, AcdPhase::Probing, a.sha, /*lost=*/true, out);
    return;
  }
  // §2.4: after the claim only packets claiming the address (spa == addr) are conflicts;
  // probes for it are answered by the host's ordinary ARP.
  if (a.spa != addr_) return;
  if (auto* an = std::get_if<Announcing>(&state_)) {
    defend(now, a.sha, an->last_defence, out);
  } else if (auto* d = std::get_if<Defending>(&state_)) {
    defend(now, a.sha, d->last_defence, out);
  }
}

}  // namespace dhcpsim::proto
