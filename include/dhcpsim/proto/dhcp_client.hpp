#pragma once
// The DHCP client engine (RFC 2131), sans-I/O: the host hands it the current time and
// every DHCP message arriving on port 68 of its interface; the engine appends what to send
// and what happened (lease acquired, renewed, lost; probe this address; ...) to an output
// vector, and reports its next deadline. It owns no timer, socket or clock.
//
// States are the RFC 2131 §4.4 (Figure 5) ones, each a struct holding its own data and
// absolute deadlines: INIT, SELECTING, REQUESTING, BOUND, RENEWING, REBINDING, INIT-REBOOT,
// REBOOTING, plus bookkeeping states: STOPPED (not running), PROBING (ACK received, waiting
// for the host's address conflict detection, RFC 2131 §3.1 step 5), DECLINED (the 10 s wait
// after a DHCPDECLINE, §3.1 step 5 / §4.4.1) and INFORMING (DHCPINFORM, §3.4 / §4.4.3).
//
// Timing follows a `RetryProfile`: `rfc2131` (the default) or one that reproduces a real
// client (sd-dhcp-client, dhcpcd, udhcpc, ISC dhclient); see `retry_profiles` below.
//
// A million clients may exist in one simulation: a `DhcpClient` is a small struct (see
// `sizeof(DhcpClient)` in the tests), allocates nothing, and points to a configuration
// shared by every client of its group. The per-client identity (the MAC) lives in the client.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dhcpsim/core/random.hpp"
#include "dhcpsim/core/time.hpp"
#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::proto {

// ===================================================================================
// Retransmission profiles
// ===================================================================================

enum class BackoffKind : uint8_t {
  /// initial, 2*initial, 4*initial, ... capped at `max`; each delay + uniform ±jitter
  /// (RFC 2131 §4.1).
  Exponential,
  /// Always `initial` (+ uniform ±jitter), as BusyBox udhcpc does.
  Fixed,
  /// ISC dhclient's send_discover()/send_request(): the interval starts at `initial`, then
  /// grows by a uniform whole number of seconds in [0, 2*interval); once past the cutoff
  /// (`max`) it is redrawn as cutoff/2 + uniform [0, cutoff) whole seconds. Each delay
  /// + uniform ±jitter.
  Dhclient,
};

/// One retransmission schedule (plain data).
struct Backoff {
  BackoffKind kind = BackoffKind::Exponential;
  core::Duration initial = core::seconds(4);
  core::Duration max = core::seconds(64);
  core::Duration jitter = core::seconds(1);
  bool operator==(const Backoff&) const = default;
};

/// The wait after the transmission number `attempt` (0 = after the first transmission).
/// `interval` is the un-jittered value (kept by the caller and passed back as
/// `previous_interval`, which only the Dhclient kind uses); `delay` = interval + jitter,
/// never less than 1 ms.
struct BackoffStep {
  core::Duration interval;
  core::Duration delay;
};
BackoffStep next_backoff(const Backoff& backoff, uint32_t attempt, core::Duration previous_interval,
                         core::Rng& rng);

/// How long the client waits before starting over after a DHCPNAK or a REQUEST exchange
/// that got no answer. The first restart waits `first`; each later one (until a lease is
/// bound) waits twice the previous, clamped to [min, max].
struct RestartDelay {
  core::Duration first = core::Duration::zero();
  core::Duration min = core::Duration::zero();
  core::Duration max = core::Duration::zero();
  bool operator==(const RestartDelay&) const = default;
};
/// The delay of the restart that follows `previous_restarts` restarts.
core::Duration restart_delay(const RestartDelay& r, uint32_t previous_restarts);

/// How RENEWING / REBINDING retransmit.
enum class RenewKind : uint8_t {
  /// RFC 2131 §4.4.5: wait half the time left to T2 (RENEWING) or to the lease expiry
  /// (REBINDING), but at least 60 s.
  Rfc2131,
  /// The `renew_backoff` schedule (restarted at T2 if `renew_backoff_reset_at_t2`).
  Backoff,
  /// BusyBox udhcpc: T1 = lease/2 and options 58/59 ignored; one unicast renew, then a wait
  /// of `renew_backoff.initial`; if no answer and more than 30 s of lease remain, the next
  /// renew is sent after half the remaining lease; otherwise REBINDING: `rebind_tries`
  /// broadcasts `renew_backoff.initial` apart, then the lease is dropped (even before its
  /// expiry).
  Udhcpc,
};

/// The timing behaviour of a DHCP client (plain data). The defaults are the `rfc2131`
/// profile. Tries count transmissions; 0 = no limit. Limits are measured from the first
/// transmission of the exchange; 0 = none.
struct RetryProfile {
  std::string_view name = "rfc2131";  ///< must view static storage (a literal)

  // --- INIT / SELECTING ------------------------------------------------------------
  Backoff discover;
  uint16_t discover_tries = 0;  ///< DISCOVERs per round
  core::Duration discover_round_limit = core::Duration::zero();
  /// Between rounds: round_pause + uniform [0, round_pause_random).
  core::Duration round_pause = core::Duration::zero();
  core::Duration round_pause_random = core::Duration::zero();
  uint16_t max_rounds = 0;  ///< GaveUp after this many failed rounds (0 = never)

  // --- REQUESTING (also DHCPINFORM) ---------------------------------------------------
  Backoff request;
  uint16_t request_tries = 5;
  core::Duration request_limit = core::Duration::zero();
  RestartDelay after_request_failure;

  // --- INIT-REBOOT / REBOOTING -------------------------------------------------------
  bool init_reboot = true;  ///< false: reboot() just starts in INIT with the old address as hint
  Backoff reboot;
  uint16_t reboot_tries = 5;
  core::Duration reboot_limit = core::Duration::zero();
  /// request_limit / reboot_limit: false ends the exchange exactly at the limit; true (ISC
  /// dhclient) notices it only when the next retransmission falls due.
  bool limit_at_retransmission = false;

  // --- DHCPNAK in REQUESTING / RENEWING / REBINDING (a NAK in REBOOTING restarts at once) --
  RestartDelay after_nak;

  // --- RENEWING / REBINDING --------------------------------------------------------------
  RenewKind renew = RenewKind::Rfc2131;
  Backoff renew_backoff;
  bool renew_backoff_reset_at_t2 = true;
  uint16_t rebind_tries = 0;  ///< Udhcpc only

  bool operator==(const RetryProfile&) const = default;
};

namespace retry_profiles {
RetryProfile rfc2131();
RetryProfile systemd();
RetryProfile dhcpcd();
RetryProfile udhcpc();
RetryProfile dhclient();
}  // namespace retry_profiles

/// "rfc2131", "systemd", "dhcpcd", "udhcpc", "dhclient"; nullopt for any other name.
std::optional<RetryProfile> retry_profile_by_name(std::string_view name);
/// The names retry_profile_by_name() knows, in that order.
std::span<const std::string_view> retry_profile_names();

// ===================================================================================
// Configuration (shared, immutable)
// ===================================================================================

enum class ClientIdMode : uint8_t {
  HardwareAddress,  ///< option 61 = type 1 (Ethernet) + MAC (RFC 2132 §9.14)
  None,             ///< no option 61: the server identifies the client by chaddr
  Fixed,            ///< option 61 = `client_id` (only sensible for a group of one client)
};

/// RFC 3927 link-local fallback, as Windows and macOS do it: when DHCP keeps failing the
/// host self-assigns 169.254.x.y while DISCOVERs continue in the background.
struct LinkLocalFallback {
  bool enabled = false;
  uint16_t after_rounds = 1;  ///< after this many failed DISCOVER rounds (0 = not by rounds)
  core::Duration after =
      core::seconds(60);  ///< or this long after the first DISCOVER (0 = not by time)
};

struct DhcpClientConfig {
  ClientIdMode client_id_mode = ClientIdMode::HardwareAddress;
  std::vector<std::byte> client_id;  ///< ClientIdMode::Fixed: the option 61 value (type + id)
  /// Option 12; empty: not sent. A trailing '*' is replaced by the MAC's 12 lower-case hex
  /// digits, so one configuration serves a group ("pc-*" -> "pc-02660100000a").
  std::string host_name;
  /// Option 55 (RFC 2132 §9.8).
  std::vector<uint8_t> parameter_request_list = {1, 3, 6, 15, 51, 54, 58, 59};
  /// RFC 2131 §4.4.1: wait a random time between 1 and 10 s before the first DISCOVER (and
  /// before INIT-REBOOT's REQUEST) to desynchronise clients that start together. Real clients
  /// mostly do not (see the profiles); 0..0 is allowed.
  core::Duration start_delay_min = core::seconds(1);
  core::Duration start_delay_max = core::seconds(10);
  RetryProfile retry;
  /// 0: take the first acceptable DHCPOFFER (what dhclient, systemd-networkd, dhcpcd and
  /// udhcpc do). > 0: collect offers for this long after the first DISCOVER of the round
  /// and prefer one for the previously held address, else the first.
  core::Duration offer_window = core::Duration::zero();
  /// RFC 2131 §3.1 step 5: check the ACKed address (ProbeAddress) before using it.
  bool probe_on_ack = false;
  /// RFC 2131 §3.1 step 5 / §4.4.1: after a DHCPDECLINE wait at least 10 s.
  core::Duration decline_delay = core::seconds(10);
  /// RFC 2131 §4.4.5: "T1 and T2 SHOULD be chosen with some random fuzz". Each of T1 and
  /// T2 (as offsets from the lease start) moves by uniform ±(fraction * itself + abs).
  double t_fuzz_fraction = 0.0;
  core::Duration t_fuzz = core::Duration::zero();
  /// RFC 2131 §3.2 step 3: when REBOOTING gets no answer, keep using the remembered address
  /// until its lease ends (reported as an unconfirmed LeaseAcquired); false: go to INIT.
  bool reboot_keep_address = true;
  LinkLocalFallback link_local;
  /// release(): send a DHCPRELEASE (RFC 2131 §4.4.6) before stopping.
  bool release_on_shutdown = false;
  /// RFC 2131 §4.1: set the BROADCAST flag in DISCOVERs and in REQUESTs sent without an
  /// address (for hosts that cannot receive unicast before they are configured).
  bool broadcast_flag = false;
};

// ===================================================================================
// Lease and actions
// ===================================================================================

/// Up to three DNS servers, inline (option 6 may carry more; the rest are dropped).
struct DnsServers {
  static constexpr std::size_t kCapacity = 3;
  std::array<wire::Ipv4Address, kCapacity> addresses{};
  uint8_t count = 0;
  std::span<const wire::Ipv4Address> span() const { return {addresses.data(), count}; }
  void push(wire::Ipv4Address a) {
    if (count < kCapacity) addresses[count++] = a;
  }
  bool operator==(const DnsServers&) const = default;
};

struct Lease {
  wire::Ipv4Address address;
  wire::Ipv4Address subnet_mask;            ///< option 1, else the classful mask of the address
  std::optional<wire::Ipv4Address> router;  ///< the first of option 3
  DnsServers dns;
  wire::Ipv4Address server_id;
  /// false: REBOOTING got no answer and the client keeps using its remembered address.
  bool confirmed = true;
  core::Duration lease_time;  ///< Duration::max(): infinite (0xffffffff, RFC 2131 §3.3)
  /// RFC 2131 §4.4.1: the lease starts when the REQUEST was sent (the last transmission
  /// of the exchange the ACK answers); T1, T2 and expiry are absolute (Time::max(): never).
  core::Time start, t1, t2, expiry;
  bool operator==(const Lease&) const = default;
};

enum class DhcpClientState : uint8_t {
  Stopped,
  Init,
  Selecting,
  Requesting,
  Probing,
  Bound,
  Renewing,
  Rebinding,
  InitReboot,
  Rebooting,
  Declined,
  Informing,
};
/// "STOPPED", "INIT", "SELECTING", ... "INIT-REBOOT", ...
const char* to_string(DhcpClientState s);

enum class LeaseLostReason : uint8_t {
  Expired,       ///< the lease ran out (RFC 2131 §4.4.5)
  Nak,           ///< DHCPNAK in RENEWING / REBINDING
  Released,      ///< release() sent a DHCPRELEASE
  Stopped,       ///< stop() / reboot() while the address was configured
  RebindFailed,  ///< RenewKind::Udhcpc dropped it after its rebind tries
};
const char* to_string(LeaseLostReason r);

/// Transmit this message. `broadcast` is the link-layer destination (ff:ff:ff:ff:ff:ff);
/// otherwise the host resolves `dst_ip` (on-link or via its gateway). UDP 68 -> 67.
struct Send {
  wire::DhcpMessage msg;
  wire::Ipv4Address src_ip;
  wire::Ipv4Address dst_ip;
  bool broadcast = false;
};
/// Configure this address (mask, router, DNS). `lease.confirmed` false: unconfirmed reuse.
struct LeaseAcquired {
  Lease lease;
};
/// The lease was extended (same address; the parameters may have changed).
struct LeaseRenewed {
  Lease lease;
};
/// Stop using this address at once.
struct LeaseLost {
  wire::Ipv4Address address;
  LeaseLostReason reason = LeaseLostReason::Expired;
};
/// Run address conflict detection on this address and call on_probe_result().
struct ProbeAddress {
  wire::Ipv4Address address;
};
/// Probe (RFC 3927 §2.2.1), then configure this link-local address; report through
/// on_link_local_result().
struct ConfigureLinkLocal {
  wire::Ipv4Address address;
};
/// Stop using (or probing) this link-local address.
struct RemoveLinkLocal {
  wire::Ipv4Address address;
};
/// The answer to a DHCPINFORM.
struct OptionsReceived {
  wire::Ipv4Address server_id;
  std::optional<wire::Ipv4Address> subnet_mask;
  std::optional<wire::Ipv4Address> router;
  DnsServers dns;
};
struct StateChanged {
  DhcpClientState from = DhcpClientState::Stopped;
  DhcpClientState to = DhcpClientState::Stopped;
};
enum class GaveUpOn : uint8_t { Discover, Inform };
/// The profile's give-up limit was reached; the client is STOPPED (link-local, if any, stays).
struct GaveUp {
  GaveUpOn what = GaveUpOn::Discover;
};

using DhcpClientAction =
    std::variant<Send, LeaseAcquired, LeaseRenewed, LeaseLost, ProbeAddress, ConfigureLinkLocal,
                 RemoveLinkLocal, OptionsReceived, StateChanged, GaveUp>;

struct DhcpClientCounters {
  uint32_t discovers_sent = 0;
  uint32_t requests_sent = 0;
  uint32_t retransmissions = 0;  ///< repeated DISCOVERs / REQUESTs / INFORMs of one exchange
  uint16_t declines_sent = 0;    // 16-bit counters saturate
  uint16_t releases_sent = 0;
  uint16_t informs_sent = 0;
  uint16_t offers_received = 0;  ///< acceptable offers
  uint16_t acks_received = 0;    ///< acted-on ACKs
  uint16_t naks_received = 0;    ///< acted-on NAKs
  bool operator==(const DhcpClientCounters&) const = default;
};

// ===================================================================================
// The engine
// ===================================================================================

class DhcpClient {
 public:
  /// `config` must outlive the client (it is shared by pointer).
  DhcpClient(const DhcpClientConfig& config, wire::MacAddress mac);

  /// STOPPED -> INIT: the first DISCOVER goes out after the start delay. No-op unless STOPPED.
  void start(core::Time now, core::Rng& rng, std::vector<DhcpClientAction>& out);
  /// Host restart: with a remembered, unexpired lease INIT-REBOOT (RFC 2131 §3.2, §4.4.2),
  /// else as start(). If running, the client first stops (LeaseLost{Stopped} if bound).
  void reboot(core::Time now, core::Rng& rng, std::vector<DhcpClientAction>& out);
  /// A DHCP message that arrived on UDP port 68 of this interface. Irrelevant messages
  /// (wrong op, xid, chaddr, type, server or state) are ignored quietly.
  void on_message(core::Time now, const wire::DhcpMessage& msg, core::Rng& rng,
                  std::vector<DhcpClientAction>& out);
  /// Fast path: false iff on_message() would certainly ignore a reply with this xid and
  /// chaddr in the current state.
  bool wants(uint32_t xid, const std::array<uint8_t, 16>& chaddr) const;
  /// Does whatever is due at `now` (nothing if nothing is).
  void on_timer(core::Time now, core::Rng& rng, std::vector<DhcpClientAction>& out);
  /// The result of a ProbeAddress (ignored unless PROBING).
  void on_probe_result(core::Time now, bool conflict, core::Rng& rng,
                       std::vector<DhcpClientAction>& out);
  /// The result of a ConfigureLinkLocal probe, or (conflict = true) a lost defence of the
  /// configured link-local address (RFC 3927 §2.5).
  void on_link_local_result(core::Time now, bool conflict, core::Rng& rng,
                            std::vector<DhcpClientAction>& out);
  /// Graceful shutdown: DHCPRELEASE if configured and bound, then STOPPED (the lease is
  /// forgotten if released, remembered otherwise).
  /// Graceful shutdown: a DHCPRELEASE if the config says so (release_on_shutdown), else
  /// a silent stop.
  void release(core::Time now, core::Rng& rng, std::vector<DhcpClientAction>& out);
  /// A DHCPRELEASE now if there is a lease, whatever the config (the caller decided, e.g.
  /// a churned client's draw or a timeline action).
  void release_now(core::Time now, core::Rng& rng, std::vector<DhcpClientAction>& out);
  /// Silent leave: STOPPED, remembering a bound lease for reboot().
  void stop(core::Time now, std::vector<DhcpClientAction>& out);
  /// A statically addressed host asking for options only (RFC 2131 §3.4): DHCPINFORM with
  /// ciaddr; the ACK yields OptionsReceived and the client returns to STOPPED.
  void inform(core::Time now, wire::Ipv4Address ciaddr, core::Rng& rng,
              std::vector<DhcpClientAction>& out);
  /// Preload the lease a host remembers from an earlier run (its lease file), for reboot().
  /// Only while STOPPED; ignored otherwise.
  void remember_lease(const Lease& lease);

  core::Time next_deadline() const;
  DhcpClientState state() const;
  /// The configured lease (BOUND, RENEWING, REBINDING), else nullptr.
  const Lease* current_lease() const;
  /// The remembered lease while STOPPED / INIT-REBOOT / REBOOTING, else nullptr.
  const Lease* remembered_lease() const;
  /// The transaction id of the exchange in progress, if any.
  std::optional<uint32_t> xid() const;
  /// The link-local address being probed or in use, if any.
  std::optional<wire::Ipv4Address> link_local_address() const;
  const DhcpClientCounters& counters() const { return counters_; }
  wire::MacAddress mac() const { return mac_; }
  const DhcpClientConfig& config() const { return *cfg_; }

 private:
  /// A transaction that (re)transmits.
  struct Exchange {
    core::Time next = core::Time::max();  ///< next (re)transmission, or the end of the exchange
    core::Time first_sent;
    core::Time last_sent;
    uint32_t xid = 0;
    uint16_t tries = 0;        ///< transmissions so far
    uint16_t secs = 0;         ///< secs of the last DISCOVER (SELECTING -> REQUESTING)
    uint32_t interval_ms = 0;  ///< previous backoff interval (BackoffKind::Dhclient)
    bool awaiting = false;     ///< RenewKind::Udhcpc: a renew is out, waiting for its answer
  };
  struct Stopped {
    std::optional<Lease> remembered;
  };
  struct Init {
    core::Time deadline;
  };
  struct Selecting {
    Exchange ex;
    core::Time window_end;
    wire::Ipv4Address offer_address;
    wire::Ipv4Address offer_server;
    bool has_offer = false;
    bool offer_preferred = false;
  };
  struct Requesting {
    Exchange ex;
    wire::Ipv4Address address;
    wire::Ipv4Address server;
  };
  struct Probing {
    Lease lease;
    uint32_t xid = 0;
  };
  struct Bound {
    Lease lease;
  };
  struct Renewing {
    Lease lease;
    Exchange ex;
  };
  struct Rebinding {
    Lease lease;
    Exchange ex;
  };
  struct InitReboot {
    Lease remembered;
    core::Time deadline;
  };
  struct Rebooting {
    Lease remembered;
    Exchange ex;
  };
  struct Declined {
    core::Time deadline;
  };
  struct Informing {
    Exchange ex;
    wire::Ipv4Address ciaddr;
  };
  using State = std::variant<Stopped, Init, Selecting, Requesting, Probing, Bound, Renewing,
                             Rebinding, InitReboot, Rebooting, Declined, Informing>;
  enum class LinkLocalState : uint8_t { None, Probing, Configured, RateLimited };
  using Out = std::vector<DhcpClientAction>;

  template <class S>
  void go(S next, Out& out);
  void run_due(core::Time now, core::Rng& rng, Out& out);
  core::Time state_deadline() const;
  core::Time link_local_deadline() const;
  void on_state_timer(core::Time now, core::Rng& rng, Out& out);
  void on_link_local_timer(core::Time now, core::Rng& rng, Out& out);

  // Acquisition.
  void begin_acquisition(core::Time deadline, Out& out);
  void start_round(core::Time now, core::Rng& rng, Out& out);
  void transmit_discover(Selecting& s, core::Time now, core::Rng& rng, Out& out);
  void fail_round(core::Time now, core::Duration pause, core::Rng& rng, Out& out);
  void enter_requesting(core::Time now, uint32_t xid, uint16_t secs, wire::Ipv4Address address,
                        wire::Ipv4Address server, core::Rng& rng, Out& out);
  void transmit_request(Requesting& r, core::Time now, core::Rng& rng, Out& out);
  void on_offer(core::Time now, const wire::DhcpMessage& msg, core::Rng& rng, Out& out);
  void accept_ack(core::Time now, Lease lease, uint32_t xid, Out& out);
  void bind(Lease lease, bool renewed, Out& out);
  void restart_after_nak(core::Time now, Out& out);

  // Renewal.
  void enter_renewing(core::Time now, const Lease& lease, core::Rng& rng, Out& out);
  void transmit_renew(Renewing& r, core::Time now, core::Rng& rng, Out& out);
  void enter_rebinding(core::Time now, const Lease& lease, const Exchange* carry, core::Rng& rng,
                       Out& out);
  void transmit_rebind(Rebinding& r, core::Time now, core::Rng& rng, Out& out);
  void lose_lease(core::Time now, const Lease& lease, LeaseLostReason reason, Out& out);

  // Reboot and inform.
  void enter_rebooting(core::Time now, const Lease& remembered, core::Rng& rng, Out& out);
  void transmit_reboot(Rebooting& r, core::Time now, core::Rng& rng, Out& out);
  void transmit_inform(Informing& s, core::Time now, core::Rng& rng, Out& out);

  // Link-local.
  bool acquiring() const;
  void maybe_start_link_local(core::Time now, core::Rng& rng, Out& out);
  void pick_link_local(core::Rng& rng, Out& out);
  void drop_link_local(Out& out);

  // Messages.
  wire::DhcpMessage make_message(wire::DhcpMessageType type, uint32_t xid, uint16_t secs) const;
  void add_client_id(wire::DhcpMessage& m) const;
  void add_request_parameters(wire::DhcpMessage& m) const;
  void emit_send(wire::DhcpMessage&& m, wire::Ipv4Address src, wire::Ipv4Address dst,
                 bool broadcast, bool retransmission, Out& out);
  Lease make_lease(const wire::DhcpMessage& ack, core::Time start, core::Rng& rng) const;
  void schedule_retransmit(Exchange& ex, const Backoff& b, core::Duration limit, bool clip,
                           core::Time now, core::Rng& rng) const;
  bool exchange_exhausted(const Exchange& ex, uint16_t tries_limit, core::Duration limit,
                          core::Time now) const;
  const Exchange* exchange() const;

  const DhcpClientConfig* cfg_;
  State st_;
  core::Time try_start_ = core::Time::max();  ///< first DISCOVER of this acquisition
  core::Time ll_retry_at_ = core::Time::max();
  DhcpClientCounters counters_;
  wire::MacAddress mac_;
  wire::Ipv4Address prev_address_;  ///< option 50 hint in DISCOVERs; offer preference
  wire::Ipv4Address ll_address_;
  uint16_t failed_rounds_ = 0;
  uint8_t restarts_ = 0;
  LinkLocalState ll_state_ = LinkLocalState::None;
  uint8_t ll_conflicts_ = 0;
};

}  // namespace dhcpsim::proto
