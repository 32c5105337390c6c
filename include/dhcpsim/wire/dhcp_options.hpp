#pragma once
// DHCP options (RFC 2132) with the RFC 3396 long-option and RFC 2131 §4.1 / RFC 2132 §9.3
// option-overload rules, kept in two layers so that a parsed message re-encodes to exactly
// the bytes it came from:
//
//  - the *logical* options: code -> value, in order of first appearance, where a code that
//    appears in several instances (RFC 3396 long options, possibly spread over the options,
//    file and sname fields) has one value, the concatenation of its instances' data;
//  - the *wire layout*: the instances as they appear (code, area, length), including runs
//    of Pad bytes and the End option where it appeared, plus the bytes after End in each
//    area (the "trailer": zero padding to the 300-byte BOOTP minimum, or anything else).
//
// Encoding walks the layout and takes each instance's bytes from its code's logical value
// in order. The mutators keep the layout consistent, so `parse(encode(m)) == m` holds for
// every message built through this API.

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// GCC 12 at -O3 reports false -Wstringop-overflow / -Wstringop-overread inside
// small_vector's inlined reallocation paths (the same family as GCC bug 105329); the
// diagnostics are located in the Boost header, so silencing them around the include is
// enough and leaves the project's own code checked.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#endif
#include <boost/container/small_vector.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

#include "dhcpsim/wire/address.hpp"
#include "dhcpsim/wire/bytes.hpp"

namespace dhcpsim::wire {

/// DHCP message type, option 53 (RFC 2132 §9.6). Unknown values (e.g. 13, an RFC 4388
/// leasequery reply) are carried as they are: the enum is only a set of named constants
/// over the raw byte, so `static_cast<DhcpMessageType>(13)` is a valid value.
enum class DhcpMessageType : uint8_t {
  Discover = 1,
  Offer,
  Request,
  Decline,
  Ack,
  Nak,
  Release,
  Inform,
};

/// "DHCPDISCOVER" ... "DHCPINFORM"; "DHCPUNKNOWN" for any other value.
const char* to_string(DhcpMessageType type);
/// "DHCPACK" for the known types, "DHCP(13)" for the others.
std::string dhcp_message_type_name(uint8_t raw);

namespace dhcp_option {
// RFC 2132 option codes (and RFC 3046 for 82) the simulator uses by name.
inline constexpr uint8_t kPad = 0;
inline constexpr uint8_t kSubnetMask = 1;
inline constexpr uint8_t kRouter = 3;
inline constexpr uint8_t kDnsServers = 6;
inline constexpr uint8_t kHostName = 12;
inline constexpr uint8_t kDomainName = 15;
inline constexpr uint8_t kBroadcastAddress = 28;
inline constexpr uint8_t kRequestedIp = 50;
inline constexpr uint8_t kLeaseTime = 51;
inline constexpr uint8_t kOverload = 52;
inline constexpr uint8_t kMessageType = 53;
inline constexpr uint8_t kServerId = 54;
inline constexpr uint8_t kParameterRequestList = 55;
inline constexpr uint8_t kMessage = 56;
inline constexpr uint8_t kMaxMessageSize = 57;
inline constexpr uint8_t kRenewalTime = 58;
inline constexpr uint8_t kRebindingTime = 59;
inline constexpr uint8_t kVendorClassId = 60;
inline constexpr uint8_t kClientId = 61;
inline constexpr uint8_t kRelayAgentInfo = 82;
inline constexpr uint8_t kEnd = 255;
}  // namespace dhcp_option

/// snake_case name of a known option code ("subnet_mask", "router", "message_type", ...),
/// nullptr for codes the simulator has no name for. The JSON decoder uses these as keys.
const char* dhcp_option_name(uint8_t code);

/// Whether `length` is a valid (total, after RFC 3396 concatenation) value length for
/// `code`: 1, 50, 51, 54, 58, 59 need 4; 52, 53 need 1; 57 needs 2; 3 and 6 a non-zero
/// multiple of 4; 55 at least 1; 61 at least 2 (RFC 2132 §9.14). Other codes: any length.
bool dhcp_option_length_ok(uint8_t code, std::size_t length);
/// What a valid length for `code` is, for error messages ("1", "a non-zero multiple of 4",
/// "at least 2"); empty for codes with no constraint.
std::string dhcp_option_length_expectation(uint8_t code);

/// Where an option instance sits: the options field proper, or the BOOTP `file` / `sname`
/// field when option 52 overloads it (RFC 2132 §9.3).
enum class DhcpOptionArea : uint8_t { Options = 0, File = 1, Sname = 2 };

/// One option instance in the wire layout.
struct DhcpOptionInstance {
  /// 0: a run of `length` Pad bytes (runs longer than 255 are split into 255-byte runs);
  /// 255: the End option (`length` 0); anything else: an option carrying `length` bytes.
  uint8_t code = 0;
  DhcpOptionArea area = DhcpOptionArea::Options;
  uint8_t length = 0;

  constexpr std::size_t wire_size() const {
    return code == dhcp_option::kPad ? length : code == dhcp_option::kEnd ? 1 : 2u + length;
  }
  bool operator==(const DhcpOptionInstance&) const = default;
};

/// One logical option: its code and its (concatenated) value.
struct DhcpOption {
  uint8_t code = 0;
  ConstBytes data;
};

/// Option 82, relay agent information (RFC 3046 §2.0): a list of sub-options.
struct RelayAgentInfo {
  static constexpr uint8_t kCircuitId = 1;  // RFC 3046 §3.1
  static constexpr uint8_t kRemoteId = 2;   // RFC 3046 §3.2

  /// In wire order; codes may repeat (kept as they are).
  std::vector<std::pair<uint8_t, std::vector<std::byte>>> suboptions;

  /// The first sub-option with that code, if any.
  std::optional<ConstBytes> find(uint8_t code) const;
  std::optional<ConstBytes> circuit_id() const { return find(kCircuitId); }
  std::optional<ConstBytes> remote_id() const { return find(kRemoteId); }

  /// Parses the value of option 82; `base` is added to error offsets. Fails if a
  /// sub-option's header or data runs past the end of the value.
  static Parsed<RelayAgentInfo> parse(ConstBytes value, std::size_t base = 0);
  /// The option 82 value (sub-options in order). Aborts if a sub-option exceeds 255 bytes.
  std::vector<std::byte> encode() const;
  /// Writes one sub-option (code, length, data) at the start of `out`, which must hold
  /// data.size() + 2 bytes; returns the bytes written. Aborts if `data` exceeds 255 bytes.
  /// For callers that build option 82 without a heap (a relay, once per message).
  static std::size_t encode_suboption(uint8_t code, ConstBytes data, MutBytes out);
  bool operator==(const RelayAgentInfo&) const = default;
};

struct DhcpMessage;

/// A small list of IPv4 addresses (routers, DNS servers): no heap for up to 4.
using Ipv4AddressList = boost::container::small_vector<Ipv4Address, 4>;

/// The options of one DHCP message: logical values + wire layout (see the file comment).
///
/// Views returned by get() and the byte/span getters point into this object and stay
/// valid until it is mutated or destroyed.
class DhcpOptions {
 public:
  /// Capacity of the overloadable BOOTP fields (RFC 2131 §2).
  static constexpr std::size_t kFileFieldSize = 128;
  static constexpr std::size_t kSnameFieldSize = 64;

  /// No options; layout [End] in the options field, no trailing bytes.
  DhcpOptions();

  // --- Logical options -------------------------------------------------------------
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  bool has(uint8_t code) const { return find(code) >= 0; }
  /// The logical (concatenated) value of `code`, if present.
  std::optional<ConstBytes> get(uint8_t code) const;
  /// The i-th logical option in order of first appearance.
  DhcpOption operator[](std::size_t i) const;

  class Iterator {
   public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = DhcpOption;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = DhcpOption;
    Iterator() = default;
    DhcpOption operator*() const { return (*owner_)[i_]; }
    Iterator& operator++() {
      ++i_;
      return *this;
    }
    Iterator operator++(int) {
      auto t = *this;
      ++i_;
      return t;
    }
    bool operator==(const Iterator& o) const { return i_ == o.i_; }

   private:
    friend class DhcpOptions;
    Iterator(const DhcpOptions* owner, std::size_t i) : owner_(owner), i_(i) {}
    const DhcpOptions* owner_ = nullptr;
    std::size_t i_ = 0;
  };
  Iterator begin() const { return {this, 0}; }
  Iterator end() const { return {this, entries_.size()}; }

  // --- Typed getters: nullopt when absent (or, defensively, of the wrong length) -----
  std::optional<DhcpMessageType> message_type() const;  // 53
  std::optional<Ipv4Address> server_id() const;         // 54
  std::optional<Ipv4Address> requested_ip() const;      // 50
  std::optional<uint32_t> lease_time() const;           // 51, seconds
  std::optional<uint32_t> renewal_time() const;         // 58 (T1), seconds
  std::optional<uint32_t> rebinding_time() const;       // 59 (T2), seconds
  std::optional<Ipv4Address> subnet_mask() const;       // 1
  std::optional<Ipv4AddressList> routers() const;       // 3
  std::optional<Ipv4AddressList> dns_servers() const;   // 6
  std::optional<ConstBytes> client_id() const;          // 61 (type byte + identifier)
  std::optional<std::span<const uint8_t>> parameter_request_list() const;  // 55
  std::optional<std::string> host_name() const;                            // 12
  std::optional<std::string> domain_name() const;                          // 15
  std::optional<std::string> message() const;                              // 56
  std::optional<uint16_t> max_message_size() const;                        // 57
  std::optional<uint8_t> overload() const;                                 // 52
  /// Option 82, parsed on demand: nullopt if absent; an error (offsets relative to the
  /// start of the option's value) if its sub-options are malformed. A malformed option 82
  /// does not fail the message parse: a server that does not use it should still answer.
  std::optional<Parsed<RelayAgentInfo>> relay_agent_info() const;

  // --- Mutators (keep the layout consistent) -----------------------------------------
  /// Sets the value of `code` (1-254). A new code gets its instance(s) (split at 255
  /// bytes, RFC 3396 §4) just before End in the options field; an existing code gets
  /// its value replaced and its instances rewritten where its first instance was (if that
  /// was in an overloaded file/sname field without room, before End in the options field).
  /// A value of the wrong length for a fixed-size option (see dhcp_option_length_ok) is a
  /// bug: aborts. Setting option 52 overloads or releases the file/sname fields: a field
  /// newly overloaded gets the layout [End] followed by zeros; options in a released field
  /// move to the end of the options field.
  void set(uint8_t code, ConstBytes value);
  void set_u8(uint8_t code, uint8_t v);
  void set_u16(uint8_t code, uint16_t v);
  void set_u32(uint8_t code, uint32_t v);
  void set_ip(uint8_t code, Ipv4Address a);
  void set_ips(uint8_t code, std::span<const Ipv4Address> list);
  void set_ips(uint8_t code, const Ipv4AddressList& list) {
    set_ips(code, std::span<const Ipv4Address>(list.data(), list.size()));
  }
  void set_ips(uint8_t code, std::initializer_list<Ipv4Address> list) {
    set_ips(code, std::span<const Ipv4Address>(list.begin(), list.size()));
  }
  void set_string(uint8_t code, std::string_view s);
  void set_message_type(DhcpMessageType t) { set_u8(dhcp_option::kMessageType, uint8_t(t)); }
  void set_relay_agent_info(const RelayAgentInfo& info);
  /// Removes `code` and all its instances; false if it was not present.
  bool remove(uint8_t code);
  /// Back to a default-constructed state.
  void clear();

  // --- Wire layout -------------------------------------------------------------------
  std::span<const DhcpOptionInstance> layout() const { return {layout_.data(), layout_.size()}; }
  /// Bytes after End in that area (options field: up to the end of the message).
  ConstBytes trailer(DhcpOptionArea area) const;
  ConstBytes trailing_bytes() const { return trailer(DhcpOptionArea::Options); }
  /// Replaces the bytes after End in the options field (adding End if missing).
  void set_trailing_bytes(ConstBytes bytes);
  /// Adds an End option to the options field if it has none (before any file/sname ones).
  void ensure_end();
  bool has_end(DhcpOptionArea area = DhcpOptionArea::Options) const;
  /// Inserts `count` Pad bytes just before End in `area` (or at the end of the area if it
  /// has no End). For file/sname the area must be overloaded and have that much room
  /// after End; returns false (and changes nothing) otherwise.
  bool insert_pad(DhcpOptionArea area, std::size_t count);
  /// Bit 1: the file field carries options; bit 2: the sname field does (from the value of
  /// option 52: 1 = file, 2 = sname, 3 = both, RFC 2132 §9.3; any other value: neither).
  uint8_t overloaded_fields() const;
  bool overloads(DhcpOptionArea area) const;
  /// Size of the options field on the wire (instances in it + its trailer).
  std::size_t options_field_size() const;

  /// Same logical options in the same order, same layout, same trailers.
  bool operator==(const DhcpOptions& other) const;

 private:
  friend struct DhcpMessage;
  /// Parses the options of a whole DHCP message `msg` (BOOTP header + cookie present,
  /// msg.size() >= 240) into *this; `base` is the absolute offset of msg[0].
  tl::expected<void, ParseError> parse_message_options(ConstBytes msg, std::size_t base);
  /// Writes the options into `msg` (already sized to 240 + options_field_size()): the
  /// options field at 240 and, when overloaded, the file field at 108 and sname at 44.
  void encode_message_options(MutBytes msg) const;

  struct Entry {
    uint8_t code;
    uint32_t offset;  // into data_
    uint32_t length;
  };
  static constexpr std::size_t kNoIndex = std::size_t(-1);

  int find(uint8_t code) const {
    for (std::size_t i = 0; i < entries_.size(); ++i)
      if (entries_[i].code == code) return int(i);
    return -1;
  }
  ConstBytes value_of(const Entry& e) const { return {data_.data() + e.offset, e.length}; }
  std::optional<uint32_t> get_u32(uint8_t code) const;
  std::optional<Ipv4AddressList> get_ips(uint8_t code) const;
  std::optional<std::string> get_string(uint8_t code) const;

  // Layout helpers (layout_ is grouped by area: options, then file, then sname).
  std::size_t area_begin(DhcpOptionArea area) const;
  std::size_t area_end(DhcpOptionArea area) const;
  std::size_t end_index(DhcpOptionArea area) const;  // kNoIndex if no End
  std::size_t insertion_point(DhcpOptionArea area) const;
  std::size_t area_used(DhcpOptionArea area) const;
  void insert_instances(std::size_t pos, uint8_t code, DhcpOptionArea area, std::size_t length);
  void erase_instances(uint8_t code);
  void merge_pad_runs();
  void fit_overloaded_areas();
  void apply_overload_change(uint8_t old_fields, uint8_t new_fields);
  void reorder_entries();
  void erase_value(std::size_t entry_index);
  std::vector<std::byte>& area_trailer(DhcpOptionArea area) {
    return area == DhcpOptionArea::File ? file_trailer_ : sname_trailer_;
  }
  tl::expected<void, ParseError> scan_area(ConstBytes msg, std::size_t begin, std::size_t end,
                                           DhcpOptionArea area, std::size_t base,
                                           std::array<uint64_t, 4>& seen, bool& repeated);
  void rebuild_values(ConstBytes msg);
  tl::expected<void, ParseError> check_length(std::size_t entry_index, std::size_t base) const;
  std::size_t first_length_byte_offset(uint8_t code) const;

  boost::container::small_vector<std::byte, 320> data_;
  boost::container::small_vector<Entry, 24> entries_;
  boost::container::small_vector<DhcpOptionInstance, 32> layout_;
  boost::container::small_vector<std::byte, 64> trailer_;  // after End in the options field
  // After End in the file / sname fields when overloaded (rare: plain vectors, no heap when
  // empty).
  std::vector<std::byte> file_trailer_;
  std::vector<std::byte> sname_trailer_;
};

}  // namespace dhcpsim::wire
