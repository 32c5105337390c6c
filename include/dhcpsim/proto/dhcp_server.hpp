#pragma once
// The DHCP server engine (RFC 2131 §4.3), sans-I/O.
//
// The host (the network layer) hands it each DHCP message that arrived on UDP port 67
// together with where it arrived (`RxContext`), the current virtual time and an output
// vector; the engine appends what to do: `Send` a reply (already addressed per RFC 2131
// §4.1), run a `PingCheck`, and `LeaseEvent`s for traces. It reports its next deadline
// (offer-hold, lease expiry, probation end, ping wait); the host calls on_timer then.
//
// Addresses live in a LeaseTable (lease_table.hpp); candidates for fresh addresses come
// from an Allocator (allocator.hpp), checked by the table (ISC Kea's allocation split).
//
// Decisions where the RFC leaves room (see also the config comments):
// - Client identity: option 61 if present, else chaddr (RFC 2131 §4.2). Reservations match
//   by option 61 or by chaddr.
// - DISCOVER address choice (RFC 2131 §4.3.1): a reservation of the client (if its address
//   is usable), the client's current binding or outstanding offer, its previous address if
//   still free, the requested address (option 50) if free and in a pool, the allocator.
// - Every OFFER/ACK gets the full lease time (not the remainder of a current binding).
// - Options 1, 3, 6 are sent as configured whether or not the client asked for them
//   (option 55 is not consulted). Option 61 is echoed (RFC 6842), option 82 is echoed
//   last (RFC 3046 §2.2). Replies are padded to 300 octets unless config.pad_replies is off.
// - NAKs: to a SELECTING request naming this server, always; otherwise (INIT-REBOOT,
//   RENEWING, REBINDING) only when authoritative, else silence. An INIT-REBOOT from a
//   client the server has no record of is never answered (RFC 2131 §4.3.2).
// - A RENEW/REBIND of an expired or released lease whose address is still free and was
//   last the client's is granted again (Kea does the same).
// - Messages that are not BOOTREQUESTs, lack option 53, or lack the fields their type needs
//   are ignored and counted; nothing throws.

#include <array>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "dhcpsim/core/random.hpp"
#include "dhcpsim/core/time.hpp"
#include "dhcpsim/proto/dhcp_server_config.hpp"
#include "dhcpsim/proto/lease_table.hpp"
#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::proto {

/// Where a message arrived (filled by the host's IP/UDP stack).
struct RxContext {
  wire::Ipv4Address iface_addr;   // address of the receiving interface
  wire::Ipv4Prefix iface_subnet;  // its on-link prefix
  wire::Ipv4Address src_ip;       // IP source of the datagram
  bool broadcast = false;         // IP destination was a broadcast address
  uint32_t iface_index = 0;       // opaque to the engine; echoed in Send
};

enum class LeaseEventKind : uint8_t {
  Offered,         // an OFFER went out for the address (held until the offer deadline)
  Bound,           // an ACK bound the address to the client
  Renewed,         // an ACK extended the client's existing lease
  Released,        // DHCPRELEASE
  Expired,         // the lease reached its absolute expiry
  Declined,        // DHCPDECLINE: the address is in probation
  Abandoned,       // it answered a ping check: in probation
  OfferWithdrawn,  // the client's REQUEST named another server (RFC 2131 §4.3.2)
  OfferExpired,    // the offer-hold time ran out without a REQUEST
  ProbationEnded,  // a declined/abandoned address is usable again
};
const char* to_string(LeaseEventKind kind);

struct DhcpServerStats {
  /// By message type 1..8 (DHCPDISCOVER..DHCPINFORM); index 0: any other or none.
  std::array<uint64_t, 9> received{};
  std::array<uint64_t, 9> sent{};
  uint64_t offers = 0;
  uint64_t acks = 0;      // lease ACKs (INFORM answers are counted in `informs`)
  uint64_t renewals = 0;  // ACKs that extended an existing binding
  uint64_t naks = 0;
  uint64_t declines = 0;
  uint64_t releases = 0;
  uint64_t informs = 0;
  uint64_t exhausted = 0;  // DISCOVERs that could not be served: no usable address
  uint64_t no_subnet = 0;  // messages from a link or relay with no configured subnet
  uint64_t ignored = 0;    // not a BOOTREQUEST, no option 53, missing fields, not ours
  uint64_t requests_for_other_server = 0;  // SELECTING REQUESTs naming another server
  uint64_t unanswered_requests = 0;        // REQUESTs left silent (no record / not authoritative)
  uint64_t offers_withdrawn = 0;
  uint64_t offers_expired = 0;
  uint64_t leases_expired = 0;
  uint64_t probations_ended = 0;
  uint64_t ping_checks = 0;
  uint64_t ping_conflicts = 0;  // pings answered: address abandoned
  uint64_t ping_skipped = 0;    // offered without a ping: the park was full
  uint64_t ping_gave_up = 0;    // DISCOVERs dropped after max_attempts conflicts
  uint64_t dropped_while_stopped = 0;
  uint64_t leases_active = 0;  // bound now
  uint64_t leases_peak = 0;
  uint64_t allocator_probes = 0;  // candidates the allocators proposed
};

class DhcpServer {
 public:
  static constexpr uint16_t kServerPort = 67;
  static constexpr uint16_t kClientPort = 68;

  /// A reply to transmit, addressed per RFC 2131 §4.1.
  struct Send {
    wire::DhcpMessage message;
    wire::Ipv4Address dst_ip;
    uint16_t dst_port = kClientPort;
    /// Broadcast, or chaddr for a unicast to a client that has no address yet (no ARP).
    /// Zero when via_arp.
    wire::MacAddress dst_mac;
    /// The host's IP stack must route/resolve dst_ip (to a relay's giaddr, or to a client's
    /// ciaddr); false: send to dst_mac directly on the receiving interface.
    bool via_arp = false;
    uint32_t iface_index = 0;  // the RxContext's
  };
  /// Ask the host to ICMP-echo `address` (ISC dhcpd ping-check) and call on_ping_result
  /// with this token. If it does not call back, the OFFER goes out after the ping wait.
  struct PingCheck {
    wire::Ipv4Address address;
    uint64_t token = 0;
  };
  struct LeaseEvent {
    LeaseEventKind kind;
    wire::Ipv4Address address;
    wire::MacAddress mac;                   // chaddr of the client
    ClientKey client = kNoClient;           // its identity key
    core::Time expiry = core::Time::max();  // Offered: offer deadline; Bound/Renewed: lease
                                            // expiry; Declined/Abandoned: probation end
    uint32_t subnet = 0;
  };
  using Action = std::variant<Send, PingCheck, LeaseEvent>;

  /// `config` must pass validate() (checked: a bad one aborts). The server draws from its
  /// own copy of `rng` (the random allocator's permutations).
  DhcpServer(DhcpServerConfig config, core::Rng rng);
  ~DhcpServer();
  DhcpServer(const DhcpServer&) = delete;
  DhcpServer& operator=(const DhcpServer&) = delete;
  DhcpServer(DhcpServer&&) noexcept = default;
  DhcpServer& operator=(DhcpServer&&) noexcept = default;

  /// A DHCP message received on port 67.
  void on_message(core::Time now, const RxContext& rx, const wire::DhcpMessage& msg,
                  std::vector<Action>& out);
  /// The result of a PingCheck: `answered` means something replied, the address is in use.
  /// Unknown or stale tokens are ignored.
  void on_ping_result(core::Time now, uint64_t token, bool answered, std::vector<Action>& out);
  /// Handles every deadline <= now (nothing if none is due).
  void on_timer(core::Time now, std::vector<Action>& out);
  /// The earliest pending deadline; Time::max() if none or stopped.
  core::Time next_deadline() const;

  /// Stops answering. Offers and pending pings are lost; with keep_leases the bindings,
  /// remembered clients and probations survive (a restart that reloads its lease file),
  /// without them everything is forgotten (a server that lost its database).
  void stop(bool keep_leases);
  /// Starts (again). Deadlines that passed while stopped are due at once.
  void start(core::Time now);
  bool running() const { return running_; }

  const DhcpServerConfig& config() const { return config_; }
  DhcpServerStats stats() const;
  const LeaseTable& leases() const { return table_; }
  uint32_t subnet_count() const { return table_.subnet_count(); }
  const SubnetCounts& subnet_counts(uint32_t subnet) const { return table_.counts(subnet); }
  uint64_t subnet_exhausted(uint32_t subnet) const { return exhausted_by_subnet_[subnet]; }
  /// Bound leases in a subnet / in one of its pools (index into the sorted pools).
  uint32_t leases_in_use(uint32_t subnet) const { return table_.counts(subnet).bound(); }
  uint32_t leases_in_use(uint32_t subnet, uint32_t pool) const {
    return table_.pool_in_state(subnet, pool, LeaseState::Bound);
  }
  std::optional<LeaseInfo> lease(wire::Ipv4Address a) const { return table_.info(a); }
  /// Heap bytes held by the lease table, allocators and parked DISCOVERs.
  std::size_t memory_bytes() const;

 private:
  struct SubnetRuntime {
    uint32_t lease_s = 0;  // 0xffffffff: infinite
    uint32_t t1_s = 0;
    uint32_t t2_s = 0;
    wire::Ipv4Address mask;
    // OFFER and ACK prebuilt with the options every one of them carries (53, 54, 51, 58,
    // 59, 1, 3, 6): a reply is a copy plus a few patched fields, not ten option inserts.
    wire::DhcpMessage offer_template;
    wire::DhcpMessage ack_template;
  };
  struct Choice {
    uint32_t slot = LeaseTable::kNoSlot;
    bool fresh = false;  // no current binding/offer of the client: a ping check applies
  };
  struct Parked {
    wire::DhcpMessage msg;
    RxContext rx;
    ClientRef client;
    uint32_t subnet = 0;
    uint32_t slot = 0;
    uint32_t gen = 0;
    uint32_t attempts = 0;
    bool active = false;
  };
  struct PingTimer {
    int64_t t;
    uint32_t index;
    uint32_t gen;
  };

  uint32_t select_subnet(const RxContext& rx, const wire::DhcpMessage& msg) const;
  Choice choose_address(uint32_t subnet, const ClientRef& c, const wire::DhcpMessage& msg);
  void handle_discover(core::Time now, const RxContext& rx, const wire::DhcpMessage& msg,
                       std::vector<Action>& out);
  void handle_request(core::Time now, const RxContext& rx, const wire::DhcpMessage& msg,
                      std::vector<Action>& out);
  void handle_decline(core::Time now, const wire::DhcpMessage& msg, std::vector<Action>& out);
  void handle_release(const wire::DhcpMessage& msg, std::vector<Action>& out);
  void handle_inform(const RxContext& rx, const wire::DhcpMessage& msg, std::vector<Action>& out);

  void make_offer(core::Time now, const RxContext& rx, const wire::DhcpMessage& msg,
                  const ClientRef& c, uint32_t subnet, uint32_t slot, std::vector<Action>& out);
  void make_ack(core::Time now, const RxContext& rx, const wire::DhcpMessage& msg,
                const ClientRef& c, uint32_t subnet, uint32_t slot, std::vector<Action>& out);
  void make_nak(const RxContext& rx, const wire::DhcpMessage& msg, const char* why,
                std::vector<Action>& out);
  void nak_or_silence(const RxContext& rx, const wire::DhcpMessage& msg, const char* why,
                      std::vector<Action>& out);

  /// Starts a reply in `out` with the fields Table 3 copies from the request.
  Send& begin_reply(std::vector<Action>& out, const wire::DhcpMessage& req,
                    wire::DhcpMessageType type);
  /// Same, from a prebuilt template (type, server id and options already in place).
  Send& begin_reply_from(std::vector<Action>& out, const wire::DhcpMessage& tmpl,
                         const wire::DhcpMessage& req);
  static void copy_request_fields(wire::DhcpMessage& m, const wire::DhcpMessage& req);
  void build_templates(uint32_t subnet);
  void make_lease_reply(const RxContext& rx, const wire::DhcpMessage& msg, uint32_t subnet,
                        uint32_t slot, uint32_t lease_s, bool offer, std::vector<Action>& out);
  void add_lease_options(wire::DhcpOptions& o, uint32_t subnet, uint32_t lease_s);
  void add_config_options(wire::DhcpOptions& o, uint32_t subnet);
  void add_echo_options(wire::DhcpOptions& o, const wire::DhcpMessage& req, bool client_id);
  void finish_reply(Send& s, const RxContext& rx, const wire::DhcpMessage& req, bool nak);
  uint32_t granted_lease_s(uint32_t subnet, const wire::DhcpMessage& req) const;
  void t1_t2(uint32_t subnet, uint32_t lease_s, uint32_t& t1, uint32_t& t2) const;
  static core::Time expiry_after(core::Time now, uint32_t lease_s);
  void event(std::vector<Action>& out, LeaseEventKind kind, uint32_t slot, core::Time expiry);

  void park(core::Time now, const RxContext& rx, const wire::DhcpMessage& msg, const ClientRef& c,
            uint32_t subnet, uint32_t slot, std::vector<Action>& out);
  void ping_slot(core::Time now, uint32_t index, uint32_t slot, std::vector<Action>& out);
  void offer_parked(core::Time now, uint32_t index, std::vector<Action>& out);
  void unpark(uint32_t index);
  void settle();

  DhcpServerConfig config_;
  core::Rng rng_;
  LeaseTable table_;
  std::vector<SubnetRuntime> runtime_;
  bool running_ = true;
  DhcpServerStats stats_;
  std::vector<uint64_t> exhausted_by_subnet_;
  std::vector<Parked> parked_;
  std::vector<uint32_t> parked_free_;
  uint32_t parked_active_ = 0;
  uint32_t ping_gen_ = 0;
  RingQueue<PingTimer> ping_queue_;
  std::vector<SlotExpiry> expiries_;  // scratch for on_timer
};

using DhcpServerAction = DhcpServer::Action;

}  // namespace dhcpsim::proto
