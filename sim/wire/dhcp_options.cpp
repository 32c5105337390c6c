#include "dhcpsim/wire/dhcp_options.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace dhcpsim::wire {

namespace {

namespace opt = dhcp_option;

// The wire layer does not depend on core; this mirrors DHCPSIM_ASSERT (as bytes.cpp does).
[[noreturn]] void broken(const char* what) {
  std::fprintf(stderr, "dhcpsim: internal invariant broken: %s\n", what);
  std::abort();
}

// Where each area starts in the message (RFC 2131 §2, Figure 1) and how big it is
// (the options field has no fixed size: it runs to the end of the UDP payload).
constexpr std::size_t kAreaStart[3] = {240, 108, 44};
constexpr std::size_t kAreaCapacity[3] = {0, DhcpOptions::kFileFieldSize,
                                          DhcpOptions::kSnameFieldSize};

constexpr std::size_t idx(DhcpOptionArea a) {
  return std::size_t(a);
}

const char* area_name(DhcpOptionArea a) {
  switch (a) {
    case DhcpOptionArea::Options:
      return "options field";
    case DhcpOptionArea::File:
      return "file field (overloaded by option 52)";
    case DhcpOptionArea::Sname:
      return "sname field (overloaded by option 52)";
  }
  return "?";
}

// "DHCP option 53 (message type)" / "DHCP option 200".
std::string describe(uint8_t code) {
  std::string s = "DHCP option " + std::to_string(code);
  if (const char* n = dhcp_option_name(code)) {
    std::string human(n);
    std::replace(human.begin(), human.end(), '_', ' ');
    s += " (" + human + ")";
  }
  return s;
}

bool is_option(uint8_t code) {
  return code != opt::kPad && code != opt::kEnd;
}

// RFC 2132 §9.3: 1 = file, 2 = sname, 3 = both; bit 1 file, bit 2 sname.
uint8_t fields_of_overload_value(uint8_t v) {
  return (v >= 1 && v <= 3) ? v : 0;
}

uint8_t area_bit(DhcpOptionArea a) {
  return a == DhcpOptionArea::File ? 1 : a == DhcpOptionArea::Sname ? 2 : 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Names

const char* to_string(DhcpMessageType type) {
  switch (type) {
    case DhcpMessageType::Discover:
      return "DHCPDISCOVER";
    case DhcpMessageType::Offer:
      return "DHCPOFFER";
    case DhcpMessageType::Request:
      return "DHCPREQUEST";
    case DhcpMessageType::Decline:
      return "DHCPDECLINE";
    case DhcpMessageType::Ack:
      return "DHCPACK";
    case DhcpMessageType::Nak:
      return "DHCPNAK";
    case DhcpMessageType::Release:
      return "DHCPRELEASE";
    case DhcpMessageType::Inform:
      return "DHCPINFORM";
  }
  return "DHCPUNKNOWN";
}

std::string dhcp_message_type_name(uint8_t raw) {
  if (raw >= 1 && raw <= 8) return to_string(DhcpMessageType(raw));
  return "DHCP(" + std::to_string(raw) + ")";
}

const char* dhcp_option_name(uint8_t code) {
  switch (code) {
    case 0:
      return "pad";
    case 1:
      return "subnet_mask";
    case 2:
      return "time_offset";
    case 3:
      return "router";
    case 6:
      return "dns_servers";
    case 12:
      return "host_name";
    case 15:
      return "domain_name";
    case 26:
      return "interface_mtu";
    case 28:
      return "broadcast_address";
    case 42:
      return "ntp_servers";
    case 50:
      return "requested_ip";
    case 51:
      return "lease_time";
    case 52:
      return "overload";
    case 53:
      return "message_type";
    case 54:
      return "server_id";
    case 55:
      return "parameter_request_list";
    case 56:
      return "message";
    case 57:
      return "max_message_size";
    case 58:
      return "renewal_time";
    case 59:
      return "rebinding_time";
    case 60:
      return "vendor_class_id";
    case 61:
      return "client_id";
    case 81:
      return "client_fqdn";
    case 82:
      return "relay_agent_info";
    case 119:
      return "domain_search";
    case 121:
      return "classless_static_route";
    case 255:
      return "end";
    default:
      return nullptr;
  }
}

bool dhcp_option_length_ok(uint8_t code, std::size_t length) {
  switch (code) {
    // RFC 2132 §3.3, §9.1, §9.2, §9.7, §9.11, §9.12: one 32-bit value.
    case opt::kSubnetMask:
    case opt::kRequestedIp:
    case opt::kLeaseTime:
    case opt::kServerId:
    case opt::kRenewalTime:
    case opt::kRebindingTime:
      return length == 4;
    // RFC 2132 §9.3, §9.6: one octet.
    case opt::kOverload:
    case opt::kMessageType:
      return length == 1;
    // RFC 2132 §9.10: a 16-bit size.
    case opt::kMaxMessageSize:
      return length == 2;
    // RFC 2132 §3.5, §3.8: "minimum length for the router option is 4 octets, and the
    // length MUST always be a multiple of 4".
    case opt::kRouter:
    case opt::kDnsServers:
      return length >= 4 && length % 4 == 0;
    // RFC 2132 §9.8: minimum length 1.
    case opt::kParameterRequestList:
      return length >= 1;
    // RFC 2132 §9.14: type octet + identifier, minimum length 2.
    case opt::kClientId:
      return length >= 2;
    default:
      return true;
  }
}

std::string dhcp_option_length_expectation(uint8_t code) {
  switch (code) {
    case opt::kSubnetMask:
    case opt::kRequestedIp:
    case opt::kLeaseTime:
    case opt::kServerId:
    case opt::kRenewalTime:
    case opt::kRebindingTime:
      return "4";
    case opt::kOverload:
    case opt::kMessageType:
      return "1";
    case opt::kMaxMessageSize:
      return "2";
    case opt::kRouter:
    case opt::kDnsServers:
      return "a non-zero multiple of 4";
    case opt::kParameterRequestList:
      return "at least 1";
    case opt::kClientId:
      return "at least 2";
    default:
      return {};
  }
}

// ---------------------------------------------------------------------------------------
// RelayAgentInfo (RFC 3046)

std::optional<ConstBytes> RelayAgentInfo::find(uint8_t code) const {
  for (const auto& [c, data] : suboptions)
    if (c == code) return ConstBytes(data.data(), data.size());
  return std::nullopt;
}

Parsed<RelayAgentInfo> RelayAgentInfo::parse(ConstBytes value, std::size_t base) {
  // RFC 3046 §2.0: the value is a sequence of SubOpt/Length/Value tuples, no Pad, no End.
  RelayAgentInfo info;
  std::size_t pos = 0;
  while (pos < value.size()) {
    const auto code = uint8_t(value[pos]);
    if (pos + 1 >= value.size())
      return parse_error("relay agent sub-option " + std::to_string(code) +
                             " truncated: its length byte is missing",
                         base + pos + 1);
    const auto len = std::size_t(uint8_t(value[pos + 1]));
    if (pos + 2 + len > value.size())
      return parse_error("relay agent sub-option " + std::to_string(code) + " has length " +
                             std::to_string(len) + ", which runs past the end of option 82 (" +
                             std::to_string(value.size() - pos - 2) + " bytes left)",
                         base + pos + 1);
    info.suboptions.emplace_back(
        code, std::vector<std::byte>(value.begin() + std::ptrdiff_t(pos + 2),
                                     value.begin() + std::ptrdiff_t(pos + 2 + len)));
    pos += 2 + len;
  }
  return info;
}

std::size_t RelayAgentInfo::encode_suboption(uint8_t code, ConstBytes data, MutBytes out) {
  if (data.size() > 255) broken("relay agent sub-option longer than 255 bytes");
  if (out.size() < data.size() + 2) broken("relay agent sub-option buffer too small");
  out[0] = std::byte(code);
  out[1] = std::byte(data.size());
  std::copy(data.begin(), data.end(), out.begin() + 2);
  return data.size() + 2;
}

std::vector<std::byte> RelayAgentInfo::encode() const {
  std::vector<std::byte> out;
  for (const auto& [code, data] : suboptions) {
    const std::size_t at = out.size();
    out.resize(at + 2 + data.size());
    encode_suboption(code, data, MutBytes(out).subspan(at));
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// DhcpOptions: logical access

DhcpOptions::DhcpOptions() {
  layout_.push_back({opt::kEnd, DhcpOptionArea::Options, 0});
}

void DhcpOptions::clear() {
  data_.clear();
  entries_.clear();
  layout_.clear();
  layout_.push_back({opt::kEnd, DhcpOptionArea::Options, 0});
  trailer_.clear();
  file_trailer_.clear();
  sname_trailer_.clear();
}

std::optional<ConstBytes> DhcpOptions::get(uint8_t code) const {
  int i = find(code);
  if (i < 0) return std::nullopt;
  return value_of(entries_[std::size_t(i)]);
}

DhcpOption DhcpOptions::operator[](std::size_t i) const {
  return {entries_[i].code, value_of(entries_[i])};
}

std::optional<uint32_t> DhcpOptions::get_u32(uint8_t code) const {
  auto v = get(code);
  if (!v || v->size() != 4) return std::nullopt;
  return load_be32(v->data());
}

std::optional<Ipv4AddressList> DhcpOptions::get_ips(uint8_t code) const {
  auto v = get(code);
  if (!v || v->empty() || v->size() % 4 != 0) return std::nullopt;
  Ipv4AddressList list;
  for (std::size_t i = 0; i < v->size(); i += 4) list.push_back(Ipv4Address(load_be32(&(*v)[i])));
  return list;
}

std::optional<std::string> DhcpOptions::get_string(uint8_t code) const {
  auto v = get(code);
  if (!v) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(v->data()), v->size());
}

std::optional<DhcpMessageType> DhcpOptions::message_type() const {
  auto v = get(opt::kMessageType);
  if (!v || v->size() != 1) return std::nullopt;
  return DhcpMessageType((*v)[0]);
}
std::optional<Ipv4Address> DhcpOptions::server_id() const {
  auto v = get_u32(opt::kServerId);
  return v ? std::optional(Ipv4Address(*v)) : std::nullopt;
}
std::optional<Ipv4Address> DhcpOptions::requested_ip() const {
  auto v = get_u32(opt::kRequestedIp);
  return v ? std::optional(Ipv4Address(*v)) : std::nullopt;
}
std::optional<uint32_t> DhcpOptions::lease_time() const {
  return get_u32(opt::kLeaseTime);
}
std::optional<uint32_t> DhcpOptions::renewal_time() const {
  return get_u32(opt::kRenewalTime);
}
std::optional<uint32_t> DhcpOptions::rebinding_time() const {
  return get_u32(opt::kRebindingTime);
}
std::optional<Ipv4Address> DhcpOptions::subnet_mask() const {
  auto v = get_u32(opt::kSubnetMask);
  return v ? std::optional(Ipv4Address(*v)) : std::nullopt;
}
std::optional<Ipv4AddressList> DhcpOptions::routers() const {
  return get_ips(opt::kRouter);
}
std::optional<Ipv4AddressList> DhcpOptions::dns_servers() const {
  return get_ips(opt::kDnsServers);
}
std::optional<ConstBytes> DhcpOptions::client_id() const {
  return get(opt::kClientId);
}
std::optional<std::span<const uint8_t>> DhcpOptions::parameter_request_list() const {
  auto v = get(opt::kParameterRequestList);
  if (!v) return std::nullopt;
  return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(v->data()), v->size());
}
std::optional<std::string> DhcpOptions::host_name() const {
  return get_string(opt::kHostName);
}
std::optional<std::string> DhcpOptions::domain_name() const {
  return get_string(opt::kDomainName);
}
std::optional<std::string> DhcpOptions::message() const {
  return get_string(opt::kMessage);
}
std::optional<uint16_t> DhcpOptions::max_message_size() const {
  auto v = get(opt::kMaxMessageSize);
  if (!v || v->size() != 2) return std::nullopt;
  return load_be16(v->data());
}
std::optional<uint8_t> DhcpOptions::overload() const {
  auto v = get(opt::kOverload);
  if (!v || v->size() != 1) return std::nullopt;
  return uint8_t((*v)[0]);
}
std::optional<Parsed<RelayAgentInfo>> DhcpOptions::relay_agent_info() const {
  auto v = get(opt::kRelayAgentInfo);
  if (!v) return std::nullopt;
  return RelayAgentInfo::parse(*v, 0);
}

uint8_t DhcpOptions::overloaded_fields() const {
  auto v = overload();
  return v ? fields_of_overload_value(*v) : 0;
}

bool DhcpOptions::overloads(DhcpOptionArea area) const {
  return (overloaded_fields() & area_bit(area)) != 0;
}

bool DhcpOptions::operator==(const DhcpOptions& other) const {
  if (entries_.size() != other.entries_.size()) return false;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].code != other.entries_[i].code) return false;
    auto a = value_of(entries_[i]);
    auto b = other.value_of(other.entries_[i]);
    if (a.size() != b.size() || (!a.empty() && std::memcmp(a.data(), b.data(), a.size()) != 0))
      return false;
  }
  return std::equal(layout_.begin(), layout_.end(), other.layout_.begin(), other.layout_.end()) &&
         std::equal(trailer_.begin(), trailer_.end(), other.trailer_.begin(),
                    other.trailer_.end()) &&
         file_trailer_ == other.file_trailer_ && sname_trailer_ == other.sname_trailer_;
}

// ---------------------------------------------------------------------------------------
// DhcpOptions: layout helpers

std::size_t DhcpOptions::area_begin(DhcpOptionArea area) const {
  std::size_t i = 0;
  while (i < layout_.size() && layout_[i].area < area) ++i;
  return i;
}

std::size_t DhcpOptions::area_end(DhcpOptionArea area) const {
  std::size_t i = area_begin(area);
  while (i < layout_.size() && layout_[i].area == area) ++i;
  return i;
}

std::size_t DhcpOptions::end_index(DhcpOptionArea area) const {
  for (std::size_t i = area_begin(area); i < layout_.size() && layout_[i].area == area; ++i)
    if (layout_[i].code == opt::kEnd) return i;
  return kNoIndex;
}

std::size_t DhcpOptions::insertion_point(DhcpOptionArea area) const {
  // Common case first: the options field is [..., End] and nothing is overloaded.
  if (area == DhcpOptionArea::Options && !layout_.empty() && layout_.back().code == opt::kEnd &&
      layout_.back().area == DhcpOptionArea::Options)
    return layout_.size() - 1;
  std::size_t e = end_index(area);
  return e != kNoIndex ? e : area_end(area);
}

std::size_t DhcpOptions::area_used(DhcpOptionArea area) const {
  std::size_t used = 0;
  for (const auto& inst : layout_)
    if (inst.area == area) used += inst.wire_size();
  return used;
}

bool DhcpOptions::has_end(DhcpOptionArea area) const {
  return end_index(area) != kNoIndex;
}

ConstBytes DhcpOptions::trailer(DhcpOptionArea area) const {
  switch (area) {
    case DhcpOptionArea::Options:
      return {trailer_.data(), trailer_.size()};
    case DhcpOptionArea::File:
      return {file_trailer_.data(), file_trailer_.size()};
    case DhcpOptionArea::Sname:
      return {sname_trailer_.data(), sname_trailer_.size()};
  }
  return {};
}

std::size_t DhcpOptions::options_field_size() const {
  std::size_t n = trailer_.size();
  for (const auto& inst : layout_) {
    if (inst.area != DhcpOptionArea::Options) break;  // grouped: options come first
    n += inst.wire_size();
  }
  return n;
}

void DhcpOptions::insert_instances(std::size_t pos, uint8_t code, DhcpOptionArea area,
                                   std::size_t length) {
  // RFC 3396 §4: a value longer than 255 octets is split into consecutive instances of at
  // most 255 octets. A zero-length value still gets one instance.
  std::size_t n = length == 0 ? 1 : (length + 254) / 255;
  DhcpOptionInstance fill{code, area, 0};
  layout_.insert(layout_.begin() + std::ptrdiff_t(pos), n, fill);
  for (std::size_t k = 0; k < n; ++k) {
    std::size_t chunk = std::min<std::size_t>(255, length);
    layout_[pos + k].length = uint8_t(chunk);
    length -= chunk;
  }
}

void DhcpOptions::erase_instances(uint8_t code) {
  layout_.erase(std::remove_if(layout_.begin(), layout_.end(),
                               [code](const DhcpOptionInstance& i) { return i.code == code; }),
                layout_.end());
}

void DhcpOptions::merge_pad_runs() {
  // Parse reads consecutive Pad bytes as runs of 255, ..., rest; keep that canonical form
  // so that a mutated layout still equals its own re-parse.
  std::size_t i = 0;
  while (i < layout_.size()) {
    if (layout_[i].code != opt::kPad) {
      ++i;
      continue;
    }
    const DhcpOptionArea area = layout_[i].area;
    std::size_t j = i;
    std::size_t total = 0;
    while (j < layout_.size() && layout_[j].code == opt::kPad && layout_[j].area == area)
      total += layout_[j++].length;
    const std::size_t runs = total / 255 + (total % 255 != 0 ? 1 : 0);
    bool canonical = (j - i == runs);
    for (std::size_t k = 0; canonical && k < runs; ++k)
      canonical = layout_[i + k].length == (k + 1 < runs ? 255 : total - 255 * k);
    if (!canonical) {
      layout_.erase(layout_.begin() + std::ptrdiff_t(i), layout_.begin() + std::ptrdiff_t(j));
      for (std::size_t k = 0; k < runs; ++k) {
        const auto chunk = uint8_t(k + 1 < runs ? 255 : total - 255 * k);
        layout_.insert(layout_.begin() + std::ptrdiff_t(i + k), {opt::kPad, area, chunk});
      }
    }
    i += runs;
  }
}

void DhcpOptions::fit_overloaded_areas() {
  // An overloaded file/sname field is exactly 128/64 bytes on the wire: instances, then
  // the trailer after End (or, with no End, Pad bytes to fill the field).
  const uint8_t fields = overloaded_fields();
  for (DhcpOptionArea area : {DhcpOptionArea::File, DhcpOptionArea::Sname}) {
    if ((fields & area_bit(area)) == 0) continue;
    const std::size_t cap = kAreaCapacity[idx(area)];
    const std::size_t used = area_used(area);
    if (used > cap) broken("overloaded DHCP field over capacity");
    if (has_end(area)) {
      area_trailer(area).resize(cap - used, std::byte{0});
    } else if (used < cap) {
      area_trailer(area).clear();
      std::size_t pos = area_end(area);
      std::size_t missing = cap - used;
      while (missing > 0) {
        std::size_t chunk = std::min<std::size_t>(255, missing);
        layout_.insert(layout_.begin() + std::ptrdiff_t(pos++), {opt::kPad, area, uint8_t(chunk)});
        missing -= chunk;
      }
      merge_pad_runs();
    }
  }
}

void DhcpOptions::apply_overload_change(uint8_t old_fields, uint8_t new_fields) {
  if (old_fields == new_fields) return;
  for (DhcpOptionArea area : {DhcpOptionArea::File, DhcpOptionArea::Sname}) {
    const uint8_t bit = area_bit(area);
    if ((old_fields & bit) && !(new_fields & bit)) {
      // The field goes back to plain BOOTP bytes: its options move to the options field.
      boost::container::small_vector<DhcpOptionInstance, 8> moved;
      for (const auto& inst : layout_)
        if (inst.area == area && is_option(inst.code))
          moved.push_back({inst.code, DhcpOptionArea::Options, inst.length});
      layout_.erase(std::remove_if(layout_.begin(), layout_.end(),
                                   [area](const DhcpOptionInstance& i) { return i.area == area; }),
                    layout_.end());
      area_trailer(area).clear();
      std::size_t pos = insertion_point(DhcpOptionArea::Options);
      layout_.insert(layout_.begin() + std::ptrdiff_t(pos), moved.begin(), moved.end());
    } else if (!(old_fields & bit) && (new_fields & bit)) {
      // A newly overloaded field starts empty: End, then zeros.
      layout_.insert(layout_.begin() + std::ptrdiff_t(area_end(area)), {opt::kEnd, area, 0});
      area_trailer(area).assign(kAreaCapacity[idx(area)] - 1, std::byte{0});
    }
  }
  merge_pad_runs();
  reorder_entries();
}

void DhcpOptions::reorder_entries() {
  // Logical order is the order of first appearance in the layout (options, file, sname).
  boost::container::small_vector<Entry, 24> ordered;
  std::array<uint64_t, 4> seen{};
  for (const auto& inst : layout_) {
    if (!is_option(inst.code)) continue;
    uint64_t bit = uint64_t(1) << (inst.code & 63);
    if (seen[inst.code >> 6] & bit) continue;
    seen[inst.code >> 6] |= bit;
    ordered.push_back(entries_[std::size_t(find(inst.code))]);
  }
  if (ordered.size() != entries_.size()) broken("DHCP option without layout instance");
  entries_ = ordered;
}

void DhcpOptions::erase_value(std::size_t i) {
  const uint32_t off = entries_[i].offset;
  const uint32_t len = entries_[i].length;
  data_.erase(data_.begin() + off, data_.begin() + off + len);
  for (auto& e : entries_)
    if (e.offset > off) e.offset -= len;
  entries_.erase(entries_.begin() + std::ptrdiff_t(i));
}

// ---------------------------------------------------------------------------------------
// DhcpOptions: mutators

void DhcpOptions::set(uint8_t code, ConstBytes value) {
  if (!is_option(code)) broken("DhcpOptions::set of Pad or End");
  if (!dhcp_option_length_ok(code, value.size()))
    broken("DhcpOptions::set: wrong length for a fixed-size DHCP option");
  if (value.size() > 0xffffffu) broken("DhcpOptions::set: value too long");
  // The value may point into data_ (set(a, get(b))): copy it out before data_ moves.
  boost::container::small_vector<std::byte, 64> copy;
  if (!value.empty() && value.data() >= data_.data() &&
      value.data() < data_.data() + data_.size()) {
    copy.assign(value.begin(), value.end());
    value = ConstBytes(copy.data(), copy.size());
  }
  const bool is_overload = code == opt::kOverload;
  const uint8_t old_fields = is_overload ? overloaded_fields() : 0;
  bool touches_overloaded_field = false;  // then file/sname must be refitted
  const int found = find(code);
  if (found < 0) {
    entries_.push_back({code, uint32_t(data_.size()), uint32_t(value.size())});
    data_.insert(data_.end(), value.begin(), value.end());
    insert_instances(insertion_point(DhcpOptionArea::Options), code, DhcpOptionArea::Options,
                     value.size());
    // New options go to the end of the options field; only options already placed in an
    // overloaded field can come before them in logical order.
    if (layout_.back().area != DhcpOptionArea::Options) reorder_entries();
  } else {
    const auto i = std::size_t(found);
    Entry& e = entries_[i];
    if (e.length == value.size()) {
      if (!value.empty()) std::memcpy(data_.data() + e.offset, value.data(), value.size());
    } else {
      erase_value(i);
      entries_.insert(entries_.begin() + std::ptrdiff_t(i),
                      {code, uint32_t(data_.size()), uint32_t(value.size())});
      data_.insert(data_.end(), value.begin(), value.end());
    }
    // Rewrite the instances where the first one was.
    std::size_t first = 0;
    while (layout_[first].code != code) ++first;
    DhcpOptionArea area = layout_[first].area;
    std::size_t count = 0;
    for (const auto& inst : layout_) {
      if (inst.code != code) continue;
      ++count;
      touches_overloaded_field |= inst.area != DhcpOptionArea::Options;
    }
    if (count == 1 && value.size() <= 255 &&
        (area == DhcpOptionArea::Options ||
         area_used(area) - layout_[first].wire_size() + 2 + value.size() <=
             kAreaCapacity[idx(area)])) {
      // Common case: one instance stays one instance at the same place.
      layout_[first].length = uint8_t(value.size());
    } else {
      erase_instances(code);
      const std::size_t chunks = value.empty() ? 1 : (value.size() + 254) / 255;
      const std::size_t new_size = 2 * chunks + value.size();
      std::size_t pos = first;
      if (area != DhcpOptionArea::Options &&
          area_used(area) + new_size > kAreaCapacity[idx(area)]) {
        area = DhcpOptionArea::Options;
        pos = insertion_point(DhcpOptionArea::Options);
      }
      insert_instances(pos, code, area, value.size());
      merge_pad_runs();
      reorder_entries();
    }
  }
  if (is_overload) apply_overload_change(old_fields, overloaded_fields());
  if ((is_overload || touches_overloaded_field) && overloaded_fields() != 0) fit_overloaded_areas();
}

void DhcpOptions::set_u8(uint8_t code, uint8_t v) {
  std::byte b[1] = {std::byte(v)};
  set(code, b);
}
void DhcpOptions::set_u16(uint8_t code, uint16_t v) {
  std::byte b[2];
  store_be16(b, v);
  set(code, b);
}
void DhcpOptions::set_u32(uint8_t code, uint32_t v) {
  std::byte b[4];
  store_be32(b, v);
  set(code, b);
}
void DhcpOptions::set_ip(uint8_t code, Ipv4Address a) {
  set_u32(code, a.value());
}
void DhcpOptions::set_ips(uint8_t code, std::span<const Ipv4Address> list) {
  boost::container::small_vector<std::byte, 32> b(list.size() * 4);
  for (std::size_t i = 0; i < list.size(); ++i) store_be32(&b[i * 4], list[i].value());
  set(code, ConstBytes(b.data(), b.size()));
}
void DhcpOptions::set_string(uint8_t code, std::string_view s) {
  set(code, as_bytes(s.data(), s.size()));
}
void DhcpOptions::set_relay_agent_info(const RelayAgentInfo& info) {
  auto v = info.encode();
  set(opt::kRelayAgentInfo, v);
}

bool DhcpOptions::remove(uint8_t code) {
  const int found = find(code);
  if (found < 0) return false;
  const bool is_overload = code == opt::kOverload;
  const uint8_t old_fields = is_overload ? overloaded_fields() : 0;
  bool touches_overloaded_field = false;
  for (const auto& inst : layout_)
    touches_overloaded_field |= inst.code == code && inst.area != DhcpOptionArea::Options;
  erase_value(std::size_t(found));
  erase_instances(code);
  merge_pad_runs();
  if (is_overload) apply_overload_change(old_fields, overloaded_fields());
  if ((is_overload || touches_overloaded_field) && overloaded_fields() != 0) fit_overloaded_areas();
  return true;
}

void DhcpOptions::ensure_end() {
  if (has_end(DhcpOptionArea::Options)) return;
  layout_.insert(layout_.begin() + std::ptrdiff_t(area_end(DhcpOptionArea::Options)),
                 {opt::kEnd, DhcpOptionArea::Options, 0});
}

void DhcpOptions::set_trailing_bytes(ConstBytes bytes) {
  ensure_end();
  trailer_.assign(bytes.begin(), bytes.end());
}

bool DhcpOptions::insert_pad(DhcpOptionArea area, std::size_t count) {
  if (count == 0) return true;
  if (area != DhcpOptionArea::Options) {
    if (!overloads(area) || !has_end(area) || area_trailer(area).size() < count) return false;
  }
  std::size_t pos = insertion_point(area);
  while (count > 0) {
    std::size_t chunk = std::min<std::size_t>(255, count);
    layout_.insert(layout_.begin() + std::ptrdiff_t(pos++), {opt::kPad, area, uint8_t(chunk)});
    count -= chunk;
  }
  merge_pad_runs();
  if (area != DhcpOptionArea::Options) fit_overloaded_areas();
  return true;
}

// ---------------------------------------------------------------------------------------
// DhcpOptions: parse and encode

tl::expected<void, ParseError> DhcpOptions::scan_area(ConstBytes msg, std::size_t begin,
                                                      std::size_t end, DhcpOptionArea area,
                                                      std::size_t base,
                                                      std::array<uint64_t, 4>& seen,
                                                      bool& repeated) {
  // Every read below is at an index checked against `end` (<= msg.size()) first.
  const std::byte* p = msg.data();
  std::size_t pos = begin;
  while (pos < end) {
    const auto code = uint8_t(p[pos]);
    if (code == opt::kPad) {
      // RFC 2132 §3.1: Pad is a single octet with no length; keep runs of them.
      std::size_t run_end = pos + 1;
      while (run_end < end && p[run_end] == std::byte{0}) ++run_end;
      std::size_t run = run_end - pos;
      while (run > 0) {
        std::size_t chunk = std::min<std::size_t>(255, run);
        layout_.push_back({opt::kPad, area, uint8_t(chunk)});
        run -= chunk;
      }
      pos = run_end;
      continue;
    }
    if (code == opt::kEnd) {
      // RFC 2132 §3.2: End marks the end of valid information in the field; what follows
      // is kept verbatim so the message re-encodes exactly.
      layout_.push_back({opt::kEnd, area, 0});
      const std::byte* t = p + pos + 1;
      const std::size_t n = end - pos - 1;
      if (area == DhcpOptionArea::Options)
        trailer_.assign(t, t + n);
      else
        area_trailer(area).assign(t, t + n);
      return {};
    }
    if (pos + 1 >= end)
      return parse_error(
          describe(code) + " truncated: its length byte is past the end of the " + area_name(area),
          base + pos + 1);
    const auto len = std::size_t(uint8_t(p[pos + 1]));
    if (pos + 2 + len > end)
      return parse_error(describe(code) + " has length " + std::to_string(len) +
                             ", which runs past the end of the " + area_name(area) + " (" +
                             std::to_string(end - pos - 2) + " bytes left)",
                         base + pos + 1);
    layout_.push_back({code, area, uint8_t(len)});
    const uint64_t bit = uint64_t(1) << (code & 63);
    if (seen[code >> 6] & bit) {
      // RFC 3396 §5: repeated instances are concatenated; rebuild_values() does that.
      repeated = true;
    } else {
      seen[code >> 6] |= bit;
      if (!repeated) {
        entries_.push_back({code, uint32_t(data_.size()), uint32_t(len)});
        data_.insert(data_.end(), p + pos + 2, p + pos + 2 + len);
      }
    }
    pos += 2 + len;
  }
  return {};
}

void DhcpOptions::rebuild_values(ConstBytes msg) {
  // RFC 3396: the value of an option is the concatenation of all its instances, in the
  // order options field, file field, sname field (the layout order). O(instances + 256).
  entries_.clear();
  std::array<uint16_t, 256> entry_of;
  entry_of.fill(0xffff);
  for (const auto& inst : layout_) {
    if (!is_option(inst.code)) continue;
    if (entry_of[inst.code] == 0xffff) {
      entry_of[inst.code] = uint16_t(entries_.size());
      entries_.push_back({inst.code, 0, 0});
    }
    entries_[entry_of[inst.code]].length += inst.length;
  }
  uint32_t total = 0;
  for (auto& e : entries_) {
    e.offset = total;
    total += e.length;
  }
  data_.resize(total);
  boost::container::small_vector<uint32_t, 24> filled(entries_.size(), 0);
  std::size_t cursor[3] = {kAreaStart[0], kAreaStart[1], kAreaStart[2]};
  for (const auto& inst : layout_) {
    std::size_t& c = cursor[idx(inst.area)];
    if (is_option(inst.code)) {
      const uint16_t k = entry_of[inst.code];
      if (inst.length > 0)
        std::memcpy(data_.data() + entries_[k].offset + filled[k], msg.data() + c + 2, inst.length);
      filled[k] += inst.length;
    }
    c += inst.wire_size();
  }
}

std::size_t DhcpOptions::first_length_byte_offset(uint8_t code) const {
  std::size_t cursor[3] = {kAreaStart[0], kAreaStart[1], kAreaStart[2]};
  for (const auto& inst : layout_) {
    std::size_t& c = cursor[idx(inst.area)];
    if (inst.code == code) return c + 1;
    c += inst.wire_size();
  }
  return 0;
}

tl::expected<void, ParseError> DhcpOptions::check_length(std::size_t i, std::size_t base) const {
  const Entry& e = entries_[i];
  if (dhcp_option_length_ok(e.code, e.length)) return {};
  return parse_error(describe(e.code) + " has length " + std::to_string(e.length) + ", expected " +
                         dhcp_option_length_expectation(e.code),
                     base + first_length_byte_offset(e.code));
}

tl::expected<void, ParseError> DhcpOptions::parse_message_options(ConstBytes msg,
                                                                  std::size_t base) {
  data_.clear();
  entries_.clear();
  layout_.clear();
  trailer_.clear();
  file_trailer_.clear();
  sname_trailer_.clear();
  std::array<uint64_t, 4> seen{};
  bool repeated = false;
  if (auto r =
          scan_area(msg, kAreaStart[0], msg.size(), DhcpOptionArea::Options, base, seen, repeated);
      !r)
    return r;
  if (repeated) rebuild_values(msg);
  // RFC 2131 §4.1: option 52 MUST appear in the options field; only that decides whether
  // file/sname carry options (RFC 2132 §9.3). Check its length before relying on it.
  uint8_t fields = 0;
  if (int k = find(opt::kOverload); k >= 0) {
    if (auto r = check_length(std::size_t(k), base); !r) return r;
    fields = fields_of_overload_value(uint8_t(data_[entries_[std::size_t(k)].offset]));
  }
  // RFC 3396 (aggregate option buffer): options field, then file, then sname.
  if (fields & 1) {
    if (auto r = scan_area(msg, kAreaStart[1], kAreaStart[1] + kFileFieldSize, DhcpOptionArea::File,
                           base, seen, repeated);
        !r)
      return r;
  }
  if (fields & 2) {
    if (auto r = scan_area(msg, kAreaStart[2], kAreaStart[2] + kSnameFieldSize,
                           DhcpOptionArea::Sname, base, seen, repeated);
        !r)
      return r;
  }
  if (repeated && fields != 0) rebuild_values(msg);
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (auto r = check_length(i, base); !r) return r;
  return {};
}

void DhcpOptions::encode_message_options(MutBytes msg) const {
  std::byte* cur[3] = {msg.data() + kAreaStart[0], msg.data() + kAreaStart[1],
                       msg.data() + kAreaStart[2]};
  boost::container::small_vector<uint32_t, 24> consumed(entries_.size(), 0);
  std::size_t hint = 0;  // entries are usually met in layout order, one instance each
  for (const auto& inst : layout_) {
    std::byte*& p = cur[idx(inst.area)];
    if (inst.code == opt::kPad) {
      std::memset(p, 0, inst.length);
      p += inst.length;
    } else if (inst.code == opt::kEnd) {
      *p++ = std::byte{opt::kEnd};
    } else {
      std::size_t k = hint;
      if (k >= entries_.size() || entries_[k].code != inst.code) {
        const int f = find(inst.code);
        if (f < 0) broken("DHCP option instance without a value");
        k = std::size_t(f);
      } else {
        ++hint;
      }
      const Entry& e = entries_[k];
      if (consumed[k] + inst.length > e.length) broken("DHCP option layout longer than its value");
      p[0] = std::byte{inst.code};
      p[1] = std::byte{inst.length};
      if (inst.length > 0) std::memcpy(p + 2, data_.data() + e.offset + consumed[k], inst.length);
      consumed[k] += inst.length;
      p += 2 + inst.length;
    }
  }
  if (!trailer_.empty()) std::memcpy(cur[0], trailer_.data(), trailer_.size());
  if (!file_trailer_.empty()) std::memcpy(cur[1], file_trailer_.data(), file_trailer_.size());
  if (!sname_trailer_.empty()) std::memcpy(cur[2], sname_trailer_.data(), sname_trailer_.size());
}

}  // namespace dhcpsim::wire
