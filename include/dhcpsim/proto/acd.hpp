#pragma once
// RFC 5227 IPv4 Address Conflict Detection as a sans-I/O engine: probe an address before
// using it (§2.1), announce it (§2.3), then watch for and defend against conflicts (§2.4),
// with the §2.1.1 rate limit after repeated conflicts.
//
// Timeline of start(t0) with the §1.1 defaults:
//   first probe   t0 + U[0, PROBE_WAIT]
//   probes 2..N   previous + U[PROBE_MIN, PROBE_MAX]
//   Claimed       last probe + ANNOUNCE_WAIT, with the first announcement at the same time
//   announcements ANNOUNCE_INTERVAL apart, ANNOUNCE_NUM in all; then Defending.
// The host may use the address from Claimed on (§2.3).
//
// Conflicts:
//   probing (from start() until Claimed): any ARP with spa == addr from another MAC, or
//     an ARP probe (spa 0) for tpa == addr from another MAC (§2.1.1 simultaneous probe)
//     -> Conflict, back to Idle (the host picks another address / the DHCP client
//     declines).
//   announcing / defending: any ARP with spa == addr from another MAC -> Conflict, then
//     per the §2.4 policy: (a) GiveUp: AddressLost at once; (b) DefendOnce: one defending
//     announcement, and AddressLost if another conflict comes within DEFEND_INTERVAL of
//     it; (c) AlwaysDefend: a defending announcement at most once per DEFEND_INTERVAL.
//
// Decisions where the RFC leaves room:
// - Conflicts that end an attempt (probing conflicts, AddressLost) count towards
//   MAX_CONFLICTS; a successful claim resets the count. With MAX_CONFLICTS or more,
//   probing of a new attempt begins no earlier than RATE_LIMIT_INTERVAL after the previous
//   attempt began (then the usual U[0, PROBE_WAIT] wait).
// - "Within DEFEND_INTERVAL" is strict: a conflict exactly DEFEND_INTERVAL after the last
//   defence is defended again.
// - probe_only (a DHCP client checking an offered address, RFC 2131 §4.4.1): Claimed
//   after the probes and ANNOUNCE_WAIT, then Idle: no announcements, no defence.
// - announce = false: Claimed, then straight to Defending.

#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "dhcpsim/core/random.hpp"
#include "dhcpsim/core/time.hpp"
#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/arp.hpp"

namespace dhcpsim::proto {

enum class AcdPhase : uint8_t { Idle, Probing, Announcing, Defending };
const char* to_string(AcdPhase p);

/// RFC 5227 §2.4 (a), (b), (c).
enum class DefencePolicy : uint8_t { GiveUp, DefendOnce, AlwaysDefend };
const char* to_string(DefencePolicy p);

/// RFC 5227 §1.1 constants as defaults.
struct AcdParams {
  core::Duration probe_wait = core::seconds(1);
  core::Duration probe_min = core::seconds(1);
  core::Duration probe_max = core::seconds(2);
  core::Duration announce_wait = core::seconds(2);
  core::Duration announce_interval = core::seconds(2);
  core::Duration rate_limit_interval = core::seconds(60);
  core::Duration defend_interval = core::seconds(10);
  uint8_t probe_num = 3;
  uint8_t announce_num = 2;
  uint8_t max_conflicts = 10;
  bool announce = true;
  DefencePolicy defence = DefencePolicy::DefendOnce;
  bool probe_only = false;

  static const AcdParams& rfc_defaults();
};

class AcdEngine {
 public:
  // ---- Actions -----------------------------------------------------------------------
  /// Broadcast this ARP packet (a probe or an announcement).
  struct SendArp {
    wire::ArpPacket packet;
    bool operator==(const SendArp&) const = default;
  };
  /// Probing found no conflict: the address may be used.
  struct Claimed {
    wire::Ipv4Address addr;
    bool operator==(const Claimed&) const = default;
  };
  /// Another host (other_mac) claims or probes for the address.
  struct Conflict {
    wire::Ipv4Address addr;
    AcdPhase phase;
    wire::MacAddress other_mac;
    bool operator==(const Conflict&) const = default;
  };
  /// The host must stop using the address (§2.4 (a), or (b) after a second conflict).
  struct AddressLost {
    wire::Ipv4Address addr;
    bool operator==(const AddressLost&) const = default;
  };
  using Action = std::variant<SendArp, Claimed, Conflict, AddressLost>;

  // ---- State -------------------------------------------------------------------------
  struct Idle {};
  struct Probing {
    core::Time next;   // next probe, or the claim once `sent` == probe_num
    uint8_t sent = 0;  // probes sent
  };
  struct Announcing {
    core::Time next;   // next announcement
    uint8_t sent = 0;  // announcements sent
    std::optional<core::Time> last_defence;
  };
  struct Defending {
    std::optional<core::Time> last_defence;
  };
  using State = std::variant<Idle, Probing, Announcing, Defending>;

  /// Keeps a pointer to `params`, which must outlive the engine.
  explicit AcdEngine(const AcdParams& params = AcdParams::rfc_defaults());

  /// Starts (or restarts) probing `addr` for the interface with MAC `own_mac`.
  void start(core::Time now, wire::Ipv4Address addr, wire::MacAddress own_mac, core::Rng& rng,
             std::vector<Action>& out);
  /// Stops watching (the host gave the address up). Keeps the conflict count.
  void stop();
  /// Every ARP packet received on the interface (the host may pass only those with spa or
  /// tpa == watched_address(): no other can matter).
  void on_arp(core::Time now, const wire::ArpPacket& packet, std::vector<Action>& out);

  core::Time next_deadline() const;
  void on_timer(core::Time now, core::Rng& rng, std::vector<Action>& out);

  const State& state() const { return state_; }
  AcdPhase phase() const;
  /// The address probed, announced or defended; 0.0.0.0 when Idle.
  wire::Ipv4Address watched_address() const;
  wire::MacAddress own_mac() const { return own_mac_; }
  /// Conflicts counted towards MAX_CONFLICTS (see the file comment).
  uint32_t conflicts() const { return conflicts_; }
  const AcdParams& params() const { return *params_; }

 private:
  void conflict(core::Time now, AcdPhase phase, wire::MacAddress other, bool lost,
                std::vector<Action>& out);
  void defend(core::Time now, wire::MacAddress other, std::optional<core::Time>& last_defence,
              std::vector<Action>& out);

  const AcdParams* params_;
  State state_;
  wire::Ipv4Address addr_;
  wire::MacAddress own_mac_;
  uint32_t conflicts_ = 0;
  std::optional<core::Time> last_attempt_;  // when the previous attempt's probing began
};

using AcdAction = AcdEngine::Action;

}  // namespace dhcpsim::proto
