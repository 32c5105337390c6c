#pragma once
// Typed trace records: everything observable that happens in the simulated network.
// Model code emits records and never writes files; sinks (pcap, JSONL, metrics) subscribe
// to the kinds they need. A record nobody subscribes to costs one branch:
//
//   if (tracer.wants(RecordKind::kFrameSent)) tracer.emit(FrameSent{...});

#include <cstdint>
#include <span>
#include <variant>
#include <vector>

#include "dhcpsim/core/time.hpp"
#include "dhcpsim/net/ids.hpp"
#include "dhcpsim/wire/address.hpp"

namespace dhcpsim::wire {
struct DhcpMessage;
}

namespace dhcpsim::net {

using core::Duration;
using core::Time;
using wire::Ipv4Address;
using wire::MacAddress;

enum class RecordKind : uint8_t {
  kFrameSent,
  kFrameDelivered,
  kFrameDropped,
  kArpCacheChange,
  kAddressChange,
  kProbeResult,
  kConflictStart,
  kConflictEnd,
  kConflictDetected,
  kAcdEvent,
  kDhcpMessage,
  kDhcpClientState,
  kLeaseChange,
  kServerLease,
  kRelayEvent,
  kServerDrop,
  kNodeEvent,
  kCount
};
constexpr uint64_t kind_bit(RecordKind k) { return uint64_t(1) << static_cast<unsigned>(k); }
constexpr uint64_t kAllKinds = (uint64_t(1) << static_cast<unsigned>(RecordKind::kCount)) - 1;
const char* to_string(RecordKind k);

/// A frame put on a segment by an interface (what a capture on the segment sees).
struct FrameSent {
  Time time;
  SegmentId segment;
  IfaceId iface;
  uint64_t frame_id;
  std::span<const std::byte> bytes;
};

/// A receiver took a frame in (its state may have changed).
struct FrameDelivered {
  Time time;
  SegmentId segment;
  IfaceId iface;
  uint64_t frame_id;
};

enum class DropReason : uint8_t {
  kLoss,            // the segment's loss model
  kLinkDown,        // sender's or receiver's link is down, or the interface is detached
  kMalformed,       // the bytes did not parse
  kNoRoute,         // the IP stack has no route (e.g. gateway refused, off-link without one)
  kArpFailed,       // neighbour resolution failed, queued packet dropped
  kArpQueueFull,    // too many packets waiting for one neighbour
  kTtlExpired,      // a router decremented TTL to 0
  kNotForUs,        // an IP packet reached a host that does not hold its destination
  kServerQueueFull, // a DHCP server's receive queue was full
  kNoListener,      // UDP port not open
  kRelayDiscarded,  // the relay agent discarded it (hops, option 82, unknown giaddr)
};
const char* to_string(DropReason r);

struct FrameDropped {
  Time time;
  SegmentId segment;
  IfaceId iface;  // the receiver (or the sender for send-side drops)
  uint64_t frame_id;
  DropReason reason;
};

/// An ARP neighbour entry changed (state or MAC). A "flip" is a MAC change between two
/// non-zero MACs: the signature of two hosts answering for one address.
struct ArpCacheChange {
  Time time;
  NodeId node;
  IfaceId iface;
  Ipv4Address ip;
  MacAddress old_mac;
  MacAddress new_mac;
  uint8_t old_state;  // proto::NeighState
  uint8_t new_state;
  bool flip;
};

enum class AddressSource : uint8_t { kStatic, kDhcp, kLinkLocal };
const char* to_string(AddressSource s);

/// An interface started or stopped using an address.
struct AddressChange {
  Time time;
  NodeId node;
  IfaceId iface;
  Ipv4Address ip;
  uint8_t prefix_len;
  AddressSource source;
  bool added;
};

enum class ProbeKind : uint8_t { kGateway, kPeer, kOutside, kDns };
const char* to_string(ProbeKind k);
enum class ProbeOutcome : uint8_t {
  kOk,          // reply received in time
  kTimeout,     // no reply in time
  kNoRoute,     // never left the host: no route
  kArpFailed,   // never left the host: next hop did not resolve
  kNoAddress,   // the host has no usable address
  kNoTarget,    // nothing to probe (no gateway / no DNS configured)
};
const char* to_string(ProbeOutcome o);

struct ProbeResult {
  Time time;
  NodeId node;
  ProbeKind kind;
  Ipv4Address target;
  uint32_t seq;
  ProbeOutcome outcome;
  Duration rtt;  // for kOk
};

/// Ground truth: an address became held by two or more interfaces of one segment.
struct ConflictStart {
  Time time;
  SegmentId segment;
  Ipv4Address ip;
  uint32_t holders;
};
struct ConflictEnd {
  Time time;
  SegmentId segment;
  Ipv4Address ip;
  Duration lasted;
};

enum class Detector : uint8_t { kAcd, kPingCheck, kDecline, kLinkLocalAcd };
const char* to_string(Detector d);
/// A host or server noticed a conflict (what the participants observe, beside the truth).
struct ConflictDetected {
  Time time;
  NodeId node;
  Ipv4Address ip;
  MacAddress other_mac;
  Detector by;
};

enum class AcdPhase : uint8_t { kProbeSent, kAnnounced, kClaimed, kConflict, kDefended, kGaveUp };
const char* to_string(AcdPhase p);
struct AcdEvent {
  Time time;
  NodeId node;
  Ipv4Address ip;
  AcdPhase what;
};

enum class DhcpRole : uint8_t { kClient, kServer, kRelay };
const char* to_string(DhcpRole r);
/// A DHCP message sent or received by a client, server or relay (for sequence charts).
struct DhcpMessageRecord {
  Time time;
  NodeId node;
  IfaceId iface;
  DhcpRole role;
  bool sent;
  Ipv4Address src_ip;
  Ipv4Address dst_ip;
  const wire::DhcpMessage* message;  // valid only during emit
};

struct DhcpClientState {
  Time time;
  NodeId node;
  uint8_t from;  // proto client state
  uint8_t to;
};

enum class LeaseChangeKind : uint8_t { kAcquired, kRenewed, kLost, kReleased };
const char* to_string(LeaseChangeKind k);
/// A client's view of its lease.
struct LeaseChange {
  Time time;
  NodeId node;
  LeaseChangeKind kind;
  Ipv4Address ip;
  Ipv4Address server;
  Duration lease_time;
};

enum class ServerLeaseKind : uint8_t { kOffered, kBound, kRenewed, kReleased, kExpired, kDeclined, kAbandoned, kOfferExpired };
const char* to_string(ServerLeaseKind k);
/// A server's view of one of its leases.
struct ServerLease {
  Time time;
  NodeId server;
  ServerLeaseKind kind;
  Ipv4Address ip;
  MacAddress client;
  uint32_t pool;
};

struct RelayEvent {
  Time time;
  NodeId router;
  bool to_server;  // true: client -> server, false: server -> client
  Ipv4Address giaddr;
  Ipv4Address peer;
  uint32_t xid;
};

struct ServerDrop {
  Time time;
  NodeId server;
  uint32_t queue_length;
};

/// kBlocked: a client that left because it had no address after its patience (churn).
enum class NodeEventKind : uint8_t { kBoot, kReboot, kShutdown, kLeave, kLinkDown, kLinkUp, kServerStop, kServerStart, kGaveUp, kBlocked };
const char* to_string(NodeEventKind k);
struct NodeEvent {
  Time time;
  NodeId node;
  NodeEventKind kind;
};

using Record = std::variant<FrameSent, FrameDelivered, FrameDropped, ArpCacheChange, AddressChange,
                            ProbeResult, ConflictStart, ConflictEnd, ConflictDetected, AcdEvent,
                            DhcpMessageRecord, DhcpClientState, LeaseChange, ServerLease, RelayEvent,
                            ServerDrop, NodeEvent>;
static_assert(std::variant_size_v<Record> == static_cast<std::size_t>(RecordKind::kCount));
constexpr RecordKind kind_of(const Record& r) { return static_cast<RecordKind>(r.index()); }

class TraceSink {
 public:
  virtual ~TraceSink() = default;
  /// Kinds this sink wants (kind_bit(...) | ...).
  virtual uint64_t subscriptions() const = 0;
  virtual void on_record(const Record& r) = 0;
};

class Tracer {
 public:
  void subscribe(TraceSink* sink);
  void unsubscribe(TraceSink* sink);
  bool wants(RecordKind k) const { return (mask_ & kind_bit(k)) != 0; }
  void emit(const Record& r);

 private:
  std::vector<TraceSink*> sinks_;
  uint64_t mask_ = 0;
};

}  // namespace dhcpsim::net
