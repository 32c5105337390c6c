#pragma once
// The run summary (summary.json) and its human-readable table.
//
// Deterministic: the same run gives byte-identical JSON (keys in a fixed order, integers
// as integers, times as seconds from integer nanoseconds). Everything that depends on the
// wall clock or the machine sits in the top-level object "wall" (null when not given);
// nothing else may vary between two runs of one scenario and seed. Layout:
//
//   {"scenario": {"name", "file", "seed", "program_version"},
//    "run": {"simulated_time_s", "stop_reason", "events_executed", "timeseries_bucket_s"},
//    "hosts": {"total", "by_method": {method: n}, "booted", "with_address",
//              "with_address_at_end", "link_local", "dhcp_bound_at_end",
//              "dhcp_waiting_at_end", "peak_bound", "peak_waiting", "gave_up", "left",
//              "blocked", "time_to_address_s": TTA},
//    "groups": {name: {"method", "hosts", "booted", "with_address", "without_address",
//              "with_address_at_end", "link_local", "bound_at_end", "waiting_at_end",
//              "gave_up", "left", "blocked", "time_to_address_s": TTA,
//              "probes": {kind: PROBES}}},          (kinds some host of the group probes)
//    "probes": {kind: PROBES},                      (all hosts)
//    "dhcp_messages": {"DHCPDISCOVER" .. "DHCPINFORM", "other", "total", "relayed"},
//    "client_leases": {"acquired", "renewed", "lost", "released"},
//    "servers": {name: {"node", "running_at_end", "pool_size", "leases_at_end",
//              "peak_leases", "received", "offers", "acks", "renewals", "naks",
//              "declines", "releases", "informs", "exhausted", "ping_checks",
//              "ping_conflicts", "queue_drops", "queue_peak"}},
//    "conflicts": {"ground_truth": {"addresses_conflicted", "episodes", "host_seconds",
//                                   "open_at_end", "peak_concurrent"},
//                  "detected": {"acd", "ping_check", "decline", "link_local_acd"}},
//    "network": {"arp_flips", "stray_replies", "not_for_us", "arp_failures", "no_route",
//                "frames_sent", "bytes_sent", "broadcasts_sent", "deliveries", "discarded",
//                "lost", "duplicated", "malformed", "link_down_drops"},
//    "churn": {group: {"arrivals", "departures", "blocked", "released", "peak_present"}},
//    "wall": {"seconds", "events_per_second", "peak_rss_kib"} | null}
//   TTA = {"n", "mean", "p50", "p90", "p99", "max"} (nearest rank, seconds from the first
//     boot to the first static or DHCP address; null values when n = 0)
//   PROBES = {"sent", "ok", "timeout", "no_route", "arp_failed", "no_address", "no_target",
//     "replies_elsewhere", "wrong_responder", "ok_ratio" (ok/sent, null when none sent),
//     "rtt_mean_ms" (null when none ok)}
// Hosts in no group are reported as the group "(ungrouped)". Routers are not hosts.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dhcpsim/core/time.hpp"
#include "dhcpsim/net/network.hpp"
#include "dhcpsim/report/metrics.hpp"

namespace dhcpsim::report {

/// Machine- and wall-clock-dependent numbers (the only ones allowed to vary).
struct WallStats {
  double seconds = 0.0;
  double events_per_second = 0.0;
  std::optional<uint64_t> peak_rss_kib;
};

/// What the churn driver counted for one churn group.
struct ChurnStats {
  std::string group;
  uint64_t arrivals = 0;
  uint64_t departures = 0;
  uint64_t blocked = 0;   // left without an address (patience ran out)
  uint64_t released = 0;  // departures that sent a DHCPRELEASE
  uint64_t peak_present = 0;
};

/// Plain facts about the run that the network does not know.
struct SummaryInputs {
  std::string scenario_name;
  std::string scenario_file;
  uint64_t seed = 0;
  std::string program_version;
  core::Time simulated_time;  // the simulated time reached
  std::string stop_reason;    // "duration", "all_bound" or "all_renewed"
  uint64_t events_executed = 0;
  std::optional<WallStats> wall;  // none: "wall": null
  std::vector<ChurnStats> churn;
};

nlohmann::ordered_json build_summary(const SummaryInputs& inputs, const net::Network& network,
                                     const Grouping& grouping, const MetricsCollector& metrics);

/// A compact table for people (stdout): header, groups, servers, conflicts, messages.
/// Accepts any object shaped like build_summary's output (missing parts are skipped).
std::string format_summary_table(const nlohmann::ordered_json& summary);

/// This process's peak resident set size (VmHWM) in KiB, if the system tells it.
std::optional<uint64_t> read_peak_rss_kib();

}  // namespace dhcpsim::report
