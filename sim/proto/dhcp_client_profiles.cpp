// Retransmission schedules and the named retry profiles of the DHCP client engine.
//
// Each profile reproduces the default timing of a real client as read in its source; the
// comments cite where. Facts only: no code was copied.

#include <algorithm>
#include <array>

#include "dhcpsim/proto/dhcp_client.hpp"

namespace dhcpsim::proto {

using core::Duration;

BackoffStep next_backoff(const Backoff& b, uint32_t attempt, Duration previous_interval,
                         core::Rng& rng) {
  Duration interval = b.initial;
  switch (b.kind) {
    case BackoffKind::Exponential:
      // RFC 2131 §4.1: "4 seconds ... doubled with subsequent retransmissions up to a
      // maximum of 64 seconds".
      for (uint32_t i = 0; i < attempt && interval < b.max; ++i) interval = interval * 2;
      interval = std::min(interval, b.max);
      break;
    case BackoffKind::Fixed:
      break;
    case BackoffKind::Dhclient: {
      // ISC dhclient: interval += random() % (2 * interval) (whole seconds); past the cutoff,
      // interval = cutoff / 2 + random() % cutoff.
      const int64_t prev_s = previous_interval / core::seconds(1);
      if (attempt > 0 && prev_s > 0)
        interval = core::seconds(prev_s) + core::seconds(rng.uniform_int(0, 2 * prev_s - 1));
      const int64_t cutoff_s = b.max / core::seconds(1);
      if (interval > b.max && cutoff_s > 0)
        interval = core::seconds(cutoff_s / 2) + core::seconds(rng.uniform_int(0, cutoff_s - 1));
      break;
    }
  }
  Duration delay = interval;
  if (b.jitter > Duration::zero()) delay += rng.uniform_duration(-b.jitter, b.jitter);
  delay = std::max(delay, core::milliseconds(1));
  return {interval, delay};
}

Duration restart_delay(const RestartDelay& r, uint32_t previous_restarts) {
  Duration d = r.first;
  for (uint32_t i = 0; i < previous_restarts; ++i) {
    d = std::clamp(d * 2, r.min, std::max(r.min, r.max));
    if (d >= r.max) break;
  }
  return d;
}

namespace retry_profiles {

// RFC 2131 as written. §4.1: retransmit 4, 8, 16, 32, 64, 64, ... s, each ±1 s uniform;
// DISCOVERs never stop. The RFC does not say how many REQUESTs (§3.1 step 5, §3.2 step 3:
// "after employing the retransmission algorithm"): 5, as sd-dhcp-client does, then INIT at
// once. §3.1: a NAK restarts at once. §4.4.5: renewal retransmissions at half the time left
// (to T2 / to expiry), at least 60 s.
RetryProfile rfc2131() {
  return RetryProfile{};
}

// systemd-networkd's sd-dhcp-client (src/libsystemd-network/sd-dhcp-client.c, v255):
// - client_compute_request_timeout(): 2^min(attempt+1, 6) s minus RFC2131_RANDOM_FUZZ
//   (uniform ±1 s), attempt from 1: 4, 8, 16, 32, 64, 64, ... (since v248; 2, 4, ... before).
// - DISCOVER: max_discover_attempts defaults to UINT64_MAX (networkd MaxAttempts=infinity).
// - REQUESTING: MAX_REQUEST_ATTEMPTS 5, then client_restart(); REBOOTING:
//   MAX_REQUEST_ATTEMPTS_ON_REBOOTING 2 at a quarter of the normal timeout (1 s, 2 s ±0.25),
//   then restart at once (also on NAK in REBOOTING).
// - client_restart() (NAK, or REQUEST without answer): start_delay doubled and clamped to
//   [RESTART_AFTER_NAK_MIN_USEC 1 s, RESTART_AFTER_NAK_MAX_USEC 30 min].
// - RENEWING / REBINDING: client_compute_reacquisition_timeout() = max(left / 2, 60 s).
// Not in the profile (set them in DhcpClientConfig): no start delay; T1 and T2 get ±1 s
// fuzz (t_fuzz = 1 s).
RetryProfile systemd() {
  RetryProfile p;
  p.name = "systemd";
  p.discover = {BackoffKind::Exponential, core::seconds(4), core::seconds(64), core::seconds(1)};
  p.request = p.discover;
  p.request_tries = 5;
  p.after_request_failure = {core::seconds(1), core::seconds(1), core::minutes(30)};
  p.reboot = {BackoffKind::Exponential, core::seconds(1), core::seconds(16),
              core::milliseconds(250)};
  p.reboot_tries = 2;
  p.after_nak = p.after_request_failure;
  p.renew = RenewKind::Rfc2131;
  return p;
}

// dhcpcd 9 (src/dhcp.c, src/dhcp.h):
// - send_message(): interval 4 s (DHCP_BASE), doubled to 64 s (DHCP_MAX), plus a uniform
//   ±1 s (DHCP_RAND_MIN/MAX) in ms; the same schedule for DISCOVER, REQUEST, INFORM, and for
//   RENEW and REBIND (the interval is reset to 0 when each starts); no try limit.
// - dhcp_reboot(): REQUEST with the old address; after `reboot` seconds (default 5) without
//   an answer, dhcp_expire() -> DISCOVER.
// - NAK: restart after nakoff = 0, then 1, 2, 4, ... capped at NAKOFF_MAX 60 s.
// Not in the profile: an initial delay of uniform [0, 1) s (DHCP_MIN_DELAY/DHCP_MAX_DELAY
// unless built RFC2131_STRICT); IPv4LL starts `reboot` (5 s) after the first DISCOVER.
RetryProfile dhcpcd() {
  RetryProfile p;
  p.name = "dhcpcd";
  p.discover = {BackoffKind::Exponential, core::seconds(4), core::seconds(64), core::seconds(1)};
  p.request = p.discover;
  p.request_tries = 0;
  p.reboot = p.discover;
  p.reboot_tries = 0;
  p.reboot_limit = core::seconds(5);
  p.after_nak = {Duration::zero(), core::seconds(1), core::seconds(60)};
  p.renew = RenewKind::Backoff;
  p.renew_backoff = p.discover;
  p.renew_backoff_reset_at_t2 = true;
  return p;
}

// BusyBox udhcpc (networking/udhcp/dhcpc.c, udhcpc_main()), default options:
// - discover_retries 3 (-t), discover_timeout 3 s (-T), tryagain_timeout 20 s (-A): three
//   DISCOVERs 3 s apart, then a 20 s pause, forever (unless -n). No random fuzz.
// - REQUESTING: 3 REQUESTs 3 s apart, then "leasefail": the 20 s pause and DISCOVER again.
// - No INIT-REBOOT: a requested address (-r) goes in option 50 of the DISCOVER.
// - NAK: sleep(3) then DISCOVER.
// - Renewal: T1 = lease/2 (options 58/59 are not read); one unicast renew, 3 s wait; while
//   more than 30 s of lease remain, BOUND again for half the remaining time; then 3
//   broadcast renews 3 s apart and "lease lost, entering init state".
// Not in the profile: no start delay; a DECLINE (-a) waits tryagain_timeout (20 s).
RetryProfile udhcpc() {
  RetryProfile p;
  p.name = "udhcpc";
  const Backoff every_3s{BackoffKind::Fixed, core::seconds(3), core::seconds(3), Duration::zero()};
  p.discover = every_3s;
  p.discover_tries = 3;
  p.round_pause = core::seconds(20);
  p.request = every_3s;
  p.request_tries = 3;
  p.after_request_failure = {core::seconds(20), core::seconds(20), core::seconds(20)};
  p.init_reboot = false;
  p.reboot = every_3s;
  p.reboot_tries = 3;
  p.after_nak = {core::seconds(3), core::seconds(3), core::seconds(3)};
  p.renew = RenewKind::Udhcpc;
  p.renew_backoff = every_3s;
  p.rebind_tries = 3;
  return p;
}

// ISC dhclient 4.x (client/dhclient.c, client/clparse.c defaults):
// - initial-interval 3 s, backoff-cutoff 15 s: send_discover()/send_request() grow the
//   interval by random() % (2 * interval) whole seconds; past the cutoff it becomes
//   cutoff/2 + random() % cutoff (7..21 s). 4.x places each timeout at a random
//   microsecond of its second; modelled here as ±0.5 s uniform jitter.
// - timeout 60 s: a DISCOVER round ends 60 s after its first DISCOVER (state_panic); with no
//   usable recorded lease it sleeps (retry_interval + 1) / 2 + random() % retry_interval
//   (retry 300 s: 150..449 s), then INIT again.
// - reboot 10 s: REQUESTING and REBOOTING give up (to INIT, at once) when a retransmission
//   falls due more than 10 s after the first REQUEST.
// - NAK: state_init() at once. RENEWING/REBINDING: the same backoff, not restarted at T2
//   (after T2 the same exchange is broadcast); select-timeout 0 (first offer).
// Not in the profile: initial-delay 0 (no start delay); T1 is drawn in [3/4 T1, T1]
// (set t_fuzz_fraction to approximate), T2 not fuzzed.
RetryProfile dhclient() {
  RetryProfile p;
  p.name = "dhclient";
  const Backoff backoff{BackoffKind::Dhclient, core::seconds(3), core::seconds(15),
                        core::milliseconds(500)};
  p.discover = backoff;
  p.discover_tries = 0;
  p.discover_round_limit = core::seconds(60);
  p.round_pause = core::seconds(150);
  p.round_pause_random = core::seconds(300);
  p.request = backoff;
  p.request_tries = 0;
  p.request_limit = core::seconds(10);
  p.limit_at_retransmission = true;
  p.reboot = backoff;
  p.reboot_tries = 0;
  p.reboot_limit = core::seconds(10);
  p.renew = RenewKind::Backoff;
  p.renew_backoff = backoff;
  p.renew_backoff_reset_at_t2 = false;
  return p;
}

}  // namespace retry_profiles

namespace {
constexpr std::array<std::string_view, 5> kProfileNames = {"rfc2131", "systemd", "dhcpcd", "udhcpc",
                                                           "dhclient"};
}  // namespace

std::optional<RetryProfile> retry_profile_by_name(std::string_view name) {
  if (name == "rfc2131") return retry_profiles::rfc2131();
  if (name == "systemd") return retry_profiles::systemd();
  if (name == "dhcpcd") return retry_profiles::dhcpcd();
  if (name == "udhcpc") return retry_profiles::udhcpc();
  if (name == "dhclient") return retry_profiles::dhclient();
  return std::nullopt;
}

std::span<const std::string_view> retry_profile_names() {
  return kProfileNames;
}

}  // namespace dhcpsim::proto
