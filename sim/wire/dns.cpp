#include "dhcpsim/wire/dns.hpp"

#include <cstdio>

#include "dhcpsim/wire/ethernet.hpp"

namespace dhcpsim::wire {

// ---- names ----

tl::expected<DnsName, std::string> DnsName::from_string(std::string_view dotted) {
  DnsName n;
  if (dotted.empty() || dotted == ".") return n;
  if (dotted.back() == '.') dotted.remove_suffix(1);
  std::size_t wire_len = 1;  // the root label's zero length octet
  while (true) {
    const std::size_t dot = dotted.find('.');
    const std::string_view label = dotted.substr(0, dot);
    if (label.empty()) return tl::unexpected("'" + std::string(dotted) + "' has an empty label");
    if (label.size() > kDnsMaxLabelLength)
      return tl::unexpected("label '" + std::string(label) + "' is longer than 63 octets");
    wire_len += 1 + label.size();
    n.labels.emplace_back(label);
    if (dot == std::string_view::npos) break;
    dotted.remove_prefix(dot + 1);
  }
  if (wire_len > kDnsMaxNameLength)
    return tl::unexpected("name is " + std::to_string(wire_len) +
                          " octets long on the wire, more than 255");
  return n;
}

std::string DnsName::to_string() const {
  if (labels.empty()) return ".";
  std::string out;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += '.';
    for (unsigned char c : labels[i]) {
      if (c == '.' || c == '\\') {
        out += '\\';
        out += char(c);
      } else if (c < 0x21 || c > 0x7e) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", unsigned(c));
        out += buf;
      } else {
        out += char(c);
      }
    }
  }
  return out;
}

bool DnsName::same_name_as(const DnsName& other) const {
  if (labels.size() != other.labels.size()) return false;
  auto lower = [](unsigned char c) { return (c >= 'A' && c <= 'Z') ? char(c + 32) : char(c); };
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& a = labels[i];
    const std::string& b = other.labels[i];
    if (a.size() != b.size()) return false;
    for (std::size_t j = 0; j < a.size(); ++j)
      if (lower(a[j]) != lower(b[j])) return false;
  }
  return true;
}

std::size_t DnsName::encoded_size() const {
  const std::size_t written = compression ? compression->inline_labels : labels.size();
  std::size_t n = compression ? 2 : 1;  // pointer, or the root's zero octet
  for (std::size_t i = 0; i < written && i < labels.size(); ++i) n += 1 + labels[i].size();
  return n;
}

namespace {

constexpr std::size_t kMaxPointersPerName = 127;  // a name has at most 127 labels

// Reads the name at data[pos]; on success pos is just past the name's bytes at its own
// location (a pointer ends it). `base` is the absolute offset of data[0].
Parsed<DnsName> parse_name(ConstBytes data, std::size_t& pos, std::size_t base) {
  DnsName name;
  std::size_t cur = pos;
  // The lowest offset this name has been read from. RFC 1035 §4.1.4 pointers refer to
  // a "prior occurrence", so every pointer must go below it: that forbids loops and
  // bounds the work (each pointer strictly lowers it).
  std::size_t segment_start = pos;
  std::size_t wire_len = 1;  // the final zero octet
  std::size_t pointers = 0;
  bool jumped = false;
  while (true) {
    if (cur >= data.size())
      return parse_error("DNS name truncated: need 1 byte, 0 left", base + cur);
    const uint8_t len = uint8_t(data[cur]);
    if ((len & 0xc0) == 0xc0) {
      if (cur + 2 > data.size())
        return parse_error("DNS compression pointer truncated: need 2 bytes, 1 left", base + cur);
      const std::size_t target = load_be16(&data[cur]) & 0x3fff;
      if (!jumped) {
        name.compression = DnsName::Compression{name.labels.size(), uint16_t(target)};
        pos = cur + 2;
      }
      if (target >= data.size())
        return parse_error("DNS compression pointer to offset " + std::to_string(target) +
                               " is beyond the " + std::to_string(data.size()) + "-byte message",
                           base + cur);
      if (target > cur)
        return parse_error(
            "DNS compression pointer to offset " + std::to_string(target) + " points forward",
            base + cur);
      if (target >= segment_start)
        return parse_error("DNS compression pointer loop: pointer to offset " +
                               std::to_string(target) + " re-enters the name being read",
                           base + cur);
      if (++pointers > kMaxPointersPerName)
        return parse_error("DNS name has more than 127 compression pointers", base + cur);
      cur = segment_start = target;
      jumped = true;
      continue;
    }
    if (len & 0xc0)
      return parse_error("DNS label type " + detail::hex16(len & 0xc0) +
                             " is not supported (only plain labels and pointers)",
                         base + cur);
    if (len == 0) {
      if (!jumped) pos = cur + 1;
      return name;
    }
    if (cur + 1 + len > data.size())
      return parse_error("DNS label truncated: need " + std::to_string(1 + len) + " bytes, " +
                             std::to_string(data.size() - cur) + " left",
                         base + cur);
    wire_len += 1 + len;
    if (wire_len > kDnsMaxNameLength)
      return parse_error("DNS name longer than 255 octets", base + cur);
    name.labels.emplace_back(reinterpret_cast<const char*>(&data[cur + 1]), len);
    cur += 1 + len;
  }
}

Parsed<DnsResourceRecord> parse_rr(ConstBytes data, std::size_t& pos, std::size_t base) {
  DnsResourceRecord rr;
  auto name = parse_name(data, pos, base);
  if (!name) return tl::unexpected(name.error());
  rr.name = std::move(*name);
  ByteReader r(data.subspan(pos), base + pos);
  if (auto ok = r.need(10, "DNS resource record"); !ok) return tl::unexpected(ok.error());
  rr.type = r.be16();
  rr.rclass = r.be16();
  rr.ttl = r.be32();
  const uint16_t rdlength = r.be16();
  if (auto ok = r.need(rdlength, "DNS RDATA"); !ok) return tl::unexpected(ok.error());
  const ConstBytes rdata = r.take(rdlength);
  rr.rdata.assign(rdata.begin(), rdata.end());
  pos += r.pos();
  return rr;
}

void encode_name(const DnsName& n, ByteWriter& w) {
  std::size_t total = 1;
  for (const std::string& l : n.labels) {
    if (l.empty() || l.size() > kDnsMaxLabelLength)
      detail::encode_bug("DNS label must be 1 to 63 octets");
    total += 1 + l.size();
  }
  if (total > kDnsMaxNameLength) detail::encode_bug("DNS name longer than 255 octets");
  std::size_t written = n.labels.size();
  if (n.compression) {
    if (n.compression->inline_labels > n.labels.size() || n.compression->offset > 0x3fff)
      detail::encode_bug("DNS name compression record does not fit the name");
    written = n.compression->inline_labels;
  }
  for (std::size_t i = 0; i < written; ++i) {
    w.u8(uint8_t(n.labels[i].size()));
    w.bytes(as_bytes(n.labels[i].data(), n.labels[i].size()));
  }
  if (n.compression)
    w.be16(uint16_t(0xc000 | n.compression->offset));
  else
    w.u8(0);
}

void encode_rr(const DnsResourceRecord& rr, ByteWriter& w) {
  if (rr.rdata.size() > 0xffff) detail::encode_bug("DNS RDATA longer than 65535 bytes");
  encode_name(rr.name, w);
  w.be16(rr.type);
  w.be16(rr.rclass);
  w.be32(rr.ttl);
  w.be16(uint16_t(rr.rdata.size()));
  w.bytes(rr.rdata);
}

}  // namespace

// ---- records and messages ----

std::optional<Ipv4Address> DnsResourceRecord::a_address() const {
  if (type != kDnsTypeA || rclass != kDnsClassIn || rdata.size() != 4) return std::nullopt;
  return Ipv4Address(load_be32(rdata.data()));
}

DnsResourceRecord DnsResourceRecord::a_record(DnsName name, Ipv4Address address, uint32_t ttl) {
  DnsResourceRecord rr;
  rr.name = std::move(name);
  rr.type = kDnsTypeA;
  rr.rclass = kDnsClassIn;
  rr.ttl = ttl;
  rr.rdata.resize(4);
  store_be32(rr.rdata.data(), address.value());
  return rr;
}

DnsMessage DnsMessage::query(uint16_t id, DnsName name, uint16_t qtype) {
  DnsMessage m;
  m.id = id;
  m.flags = kDnsFlagRd;
  m.questions.push_back(DnsQuestion{std::move(name), qtype, kDnsClassIn});
  return m;
}

Parsed<DnsMessage> DnsMessage::parse(ConstBytes data, std::size_t base_offset) {
  ByteReader r(data, base_offset);
  if (auto ok = r.need(kDnsHeaderSize, "DNS header"); !ok) return tl::unexpected(ok.error());
  DnsMessage m;
  m.id = r.be16();
  m.flags = r.be16();
  const uint16_t qdcount = r.be16();
  const uint16_t ancount = r.be16();
  const uint16_t nscount = r.be16();
  const uint16_t arcount = r.be16();
  std::size_t pos = kDnsHeaderSize;
  // No reserve() from the counts: they are untrusted, the data bounds the real number.
  for (uint16_t i = 0; i < qdcount; ++i) {
    auto name = parse_name(data, pos, base_offset);
    if (!name) return tl::unexpected(name.error());
    ByteReader q(data.subspan(pos), base_offset + pos);
    if (auto ok = q.need(4, "DNS question"); !ok) return tl::unexpected(ok.error());
    DnsQuestion question{std::move(*name), 0, 0};
    question.qtype = q.be16();
    question.qclass = q.be16();
    pos += 4;
    m.questions.push_back(std::move(question));
  }
  struct Section {
    uint16_t count;
    std::vector<DnsResourceRecord>* records;
  };
  for (Section s : {Section{ancount, &m.answers}, Section{nscount, &m.authorities},
                    Section{arcount, &m.additionals}}) {
    for (uint16_t i = 0; i < s.count; ++i) {
      auto rr = parse_rr(data, pos, base_offset);
      if (!rr) return tl::unexpected(rr.error());
      s.records->push_back(std::move(*rr));
    }
  }
  if (pos != data.size())
    return parse_error(std::to_string(data.size() - pos) + " bytes after the last DNS record",
                       base_offset + pos);
  return m;
}

std::size_t DnsMessage::encoded_size() const {
  std::size_t n = kDnsHeaderSize;
  for (const DnsQuestion& q : questions) n += q.name.encoded_size() + 4;
  for (const auto* section : {&answers, &authorities, &additionals})
    for (const DnsResourceRecord& rr : *section) n += rr.name.encoded_size() + 10 + rr.rdata.size();
  return n;
}

std::size_t DnsMessage::encode(MutBytes out) const {
  const std::size_t n = encoded_size();
  if (out.size() < n) detail::encode_bug("DNS message buffer too small");
  for (std::size_t count :
       {questions.size(), answers.size(), authorities.size(), additionals.size()})
    if (count > 0xffff) detail::encode_bug("DNS section with more than 65535 entries");
  ByteWriter w(out);
  w.be16(id);
  w.be16(flags);
  w.be16(uint16_t(questions.size()));
  w.be16(uint16_t(answers.size()));
  w.be16(uint16_t(authorities.size()));
  w.be16(uint16_t(additionals.size()));
  for (const DnsQuestion& q : questions) {
    encode_name(q.name, w);
    w.be16(q.qtype);
    w.be16(q.qclass);
  }
  for (const auto* section : {&answers, &authorities, &additionals})
    for (const DnsResourceRecord& rr : *section) encode_rr(rr, w);
  return w.pos();
}

}  // namespace dhcpsim::wire
