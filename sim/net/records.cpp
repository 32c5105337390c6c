#include "dhcpsim/net/records.hpp"

#include <algorithm>

namespace dhcpsim::net {

const char* to_string(RecordKind k) {
  switch (k) {
    case RecordKind::kFrameSent: return "frame_sent";
    case RecordKind::kFrameDelivered: return "frame_delivered";
    case RecordKind::kFrameDropped: return "frame_dropped";
    case RecordKind::kArpCacheChange: return "arp_cache_change";
    case RecordKind::kAddressChange: return "address_change";
    case RecordKind::kProbeResult: return "probe_result";
    case RecordKind::kConflictStart: return "conflict_start";
    case RecordKind::kConflictEnd: return "conflict_end";
    case RecordKind::kConflictDetected: return "conflict_detected";
    case RecordKind::kAcdEvent: return "acd";
    case RecordKind::kDhcpMessage: return "dhcp_message";
    case RecordKind::kDhcpClientState: return "dhcp_client_state";
    case RecordKind::kLeaseChange: return "lease_change";
    case RecordKind::kServerLease: return "server_lease";
    case RecordKind::kRelayEvent: return "relay";
    case RecordKind::kServerDrop: return "server_drop";
    case RecordKind::kNodeEvent: return "node_event";
    case RecordKind::kCount: break;
  }
  return "?";
}

const char* to_string(DropReason r) {
  switch (r) {
    case DropReason::kLoss: return "loss";
    case DropReason::kLinkDown: return "link_down";
    case DropReason::kMalformed: return "malformed";
    case DropReason::kNoRoute: return "no_route";
    case DropReason::kArpFailed: return "arp_failed";
    case DropReason::kArpQueueFull: return "arp_queue_full";
    case DropReason::kTtlExpired: return "ttl_expired";
    case DropReason::kNotForUs: return "not_for_us";
    case DropReason::kServerQueueFull: return "server_queue_full";
    case DropReason::kNoListener: return "no_listener";
    case DropReason::kRelayDiscarded: return "relay_discarded";
  }
  return "?";
}

const char* to_string(AddressSource s) {
  switch (s) {
    case AddressSource::kStatic: return "static";
    case AddressSource::kDhcp: return "dhcp";
    case AddressSource::kLinkLocal: return "link_local";
  }
  return "?";
}

const char* to_string(ProbeKind k) {
  switch (k) {
    case ProbeKind::kGateway: return "gateway";
    case ProbeKind::kPeer: return "peer";
    case ProbeKind::kOutside: return "outside";
    case ProbeKind::kDns: return "dns";
  }
  return "?";
}

const char* to_string(ProbeOutcome o) {
  switch (o) {
    case ProbeOutcome::kOk: return "ok";
    case ProbeOutcome::kTimeout: return "timeout";
    case ProbeOutcome::kNoRoute: return "no_route";
    case ProbeOutcome::kArpFailed: return "arp_failed";
    case ProbeOutcome::kNoAddress: return "no_address";
    case ProbeOutcome::kNoTarget: return "no_target";
  }
  return "?";
}

const char* to_string(Detector d) {
  switch (d) {
    case Detector::kAcd: return "acd";
    case Detector::kPingCheck: return "ping_check";
    case Detector::kDecline: return "decline";
    case Detector::kLinkLocalAcd: return "link_local_acd";
  }
  return "?";
}

const char* to_string(AcdPhase p) {
  switch (p) {
    case AcdPhase::kProbeSent: return "probe_sent";
    case AcdPhase::kAnnounced: return "announced";
    case AcdPhase::kClaimed: return "claimed";
    case AcdPhase::kConflict: return "conflict";
    case AcdPhase::kDefended: return "defended";
    case AcdPhase::kGaveUp: return "gave_up";
  }
  return "?";
}

const char* to_string(DhcpRole r) {
  switch (r) {
    case DhcpRole::kClient: return "client";
    case DhcpRole::kServer: return "server";
    case DhcpRole::kRelay: return "relay";
  }
  return "?";
}

const char* to_string(LeaseChangeKind k) {
  switch (k) {
    case LeaseChangeKind::kAcquired: return "acquired";
    case LeaseChangeKind::kRenewed: return "renewed";
    case LeaseChangeKind::kLost: return "lost";
    case LeaseChangeKind::kReleased: return "released";
  }
  return "?";
}

const char* to_string(ServerLeaseKind k) {
  switch (k) {
    case ServerLeaseKind::kOffered: return "offered";
    case ServerLeaseKind::kBound: return "bound";
    case ServerLeaseKind::kRenewed: return "renewed";
    case ServerLeaseKind::kReleased: return "released";
    case ServerLeaseKind::kExpired: return "expired";
    case ServerLeaseKind::kDeclined: return "declined";
    case ServerLeaseKind::kAbandoned: return "abandoned";
    case ServerLeaseKind::kOfferExpired: return "offer_expired";
  }
  return "?";
}

const char* to_string(NodeEventKind k) {
  switch (k) {
    case NodeEventKind::kBoot: return "boot";
    case NodeEventKind::kReboot: return "reboot";
    case NodeEventKind::kShutdown: return "shutdown";
    case NodeEventKind::kLeave: return "leave";
    case NodeEventKind::kLinkDown: return "link_down";
    case NodeEventKind::kLinkUp: return "link_up";
    case NodeEventKind::kServerStop: return "server_stop";
    case NodeEventKind::kServerStart: return "server_start";
    case NodeEventKind::kGaveUp: return "gave_up";
    case NodeEventKind::kBlocked: return "blocked";
  }
  return "?";
}

void Tracer::subscribe(TraceSink* sink) {
  sinks_.push_back(sink);
  mask_ |= sink->subscriptions();
}

void Tracer::unsubscribe(TraceSink* sink) {
  std::erase(sinks_, sink);
  mask_ = 0;
  for (auto* s : sinks_) mask_ |= s->subscriptions();
}

void Tracer::emit(const Record& r) {
  const uint64_t bit = kind_bit(kind_of(r));
  for (auto* s : sinks_)
    if (s->subscriptions() & bit) s->on_record(r);
}

}  // namespace dhcpsim::net
