#pragma once
// The DHCP messages of a few clients, for the report's sequence charts (message ladders).
//
// Which clients get a ladder is known only when the run ends (the slowest to get an
// address), so a MessageRecorder keeps a compact record (40 bytes) of every DHCP message
// any client, relay or server sends or receives, attributed to the client it is about
// (by chaddr), up to a cap (MessageRecorder::kDefaultCap records, 40 MiB). A run that
// produces more stops keeping them and says so (overflowed()); the caller then runs the
// same scenario and seed again, which replays the same messages (the simulation is
// deterministic), with a recorder restricted to the chosen clients. Per-node problem flags
// (NAK, DECLINE, ACD conflict, ground-truth conflict) are kept in either case: one byte
// per node.
//
// Attribution: a client's own sends and receives are its; a server's or relay's record is
// the client's whose MAC is in chaddr (the client that last sent with that MAC). A DHCP
// client overhearing another client's broadcast reply is not recorded.

#include <cstddef>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "dhcpsim/net/network.hpp"
#include "dhcpsim/net/records.hpp"
#include "dhcpsim/report/metrics.hpp"

namespace dhcpsim::report {

/// One DHCP message sent or received by a client, relay or server, about one client.
struct MessageEvent {
  int64_t time_ns = 0;
  uint32_t client = 0;  // NodeId value of the client the message is about
  uint32_t node = 0;    // who sent or received it
  uint32_t xid = 0;
  uint32_t src_ip = 0;     // IP header source
  uint32_t dst_ip = 0;     // IP header destination
  uint32_t server_id = 0;  // option 54 (0: none)
  uint32_t addr = 0;       // yiaddr of a reply; requested address or ciaddr of a request
  uint8_t type = 0;        // DHCP message type 1..8 (0: none or other)
  uint8_t role = 0;        // net::DhcpRole
  bool sent = false;
};
static_assert(sizeof(MessageEvent) <= 40, "a kept message stays small");

/// Why a client's ladder is drawn (bits).
enum ChosenReason : uint8_t {
  kReasonFollowed = 1,      // --follow HOST
  kReasonSlowest = 2,       // among the slowest to get an address
  kReasonNoAddress = 4,     // a DHCP client that never got one
  kReasonNak = 8,           // received a DHCPNAK
  kReasonDecline = 16,      // sent a DHCPDECLINE
  kReasonAcdConflict = 32,  // its RFC 5227 ACD saw a conflict
  kReasonConflict = 64,     // held an address that another interface held too (truth)
};
inline constexpr uint8_t kProblemReasons =
    kReasonNak | kReasonDecline | kReasonAcdConflict | kReasonConflict;
/// Reason bits as words, e.g. "slowest to an address, received a DHCPNAK".
std::vector<std::string> reason_texts(uint8_t reasons);

class MessageRecorder : public net::TraceSink {
 public:
  static constexpr std::size_t kDefaultCap = std::size_t(1) << 20;

  /// `network` must outlive the recorder; subscribe it to the network's tracer.
  explicit MessageRecorder(const net::Network& network, std::size_t cap = kDefaultCap);

  /// Keeps only the messages about these clients, with no cap (the second run).
  void restrict_to(const std::vector<net::NodeId>& clients);

  uint64_t subscriptions() const override;
  void on_record(const net::Record& record) override;

  /// True when the cap was reached: events() is then empty and a second run is needed.
  bool overflowed() const { return overflowed_; }
  const net::Network& network() const { return network_; }
  std::size_t cap() const { return cap_; }
  const std::vector<MessageEvent>& events() const { return events_; }

  /// Reason bits (kReasonNak .. kReasonConflict) seen for `node`.
  uint8_t problems(net::NodeId node) const {
    return node.value < flags_.size() ? static_cast<uint8_t>(flags_[node.value] & kProblemReasons)
                                      : 0;
  }
  /// True when `node` sent a DHCP message as a client.
  bool dhcp_client(net::NodeId node) const {
    return node.value < flags_.size() && (flags_[node.value] & kClientFlag) != 0;
  }
  /// Nodes in the order of their first problem (deterministic).
  const std::vector<net::NodeId>& problem_order() const { return problem_order_; }

 private:
  static constexpr uint8_t kClientFlag = 128;
  void flag(uint32_t node, uint8_t bits);
  void keep(const MessageEvent& e);

  const net::Network& network_;
  std::size_t cap_;
  bool overflowed_ = false;
  bool restricted_ = false;
  std::vector<uint8_t> wanted_;  // by node, when restricted
  std::vector<MessageEvent> events_;
  std::vector<uint8_t> flags_;  // by node: reason bits | kClientFlag
  std::vector<net::NodeId> problem_order_;
  std::unordered_map<uint64_t, uint32_t> client_of_mac_;  // looked up, never iterated
};

struct ChosenClient {
  net::NodeId node;
  uint8_t reasons = 0;
};

struct ClientChoice {
  std::size_t slowest = 3;   // the slowest DHCP clients to get an address
  std::size_t never = 2;     // DHCP clients that never got one (the first booted)
  std::size_t problems = 8;  // clients with a NAK, DECLINE or conflict (the first ones)
};

/// The clients whose ladders the report draws: `followed` first (in the order given),
/// then the slowest, those without an address, and those with problems; each once, with
/// all its reasons. Only DHCP clients are chosen unless followed.
std::vector<ChosenClient> choose_clients(const MessageRecorder& recorder,
                                         const MetricsCollector& metrics,
                                         const std::vector<net::NodeId>& followed,
                                         const ClientChoice& choice = {});

/// How many DHCP clients had a problem (for "8 of 23 shown").
std::size_t clients_with_problems(const MessageRecorder& recorder);

/// The events about `chosen` clients as JSON lines (time order), at most
/// `max_per_client` per client (the first ones):
///   {"t_ns", "client", "node", "role", "sent", "type", "xid", "src", "dst",
///    "server_id", "addr"}   (names resolved; "server_id"/"addr" only when non-zero)
/// `kept` receives, per chosen client (in `chosen` order), the number of lines written and
/// the number left out.
std::string messages_jsonl(const std::vector<MessageEvent>& events, const net::Network& network,
                           const std::vector<ChosenClient>& chosen, std::size_t max_per_client,
                           std::vector<std::pair<std::size_t, std::size_t>>* kept = nullptr);

}  // namespace dhcpsim::report
