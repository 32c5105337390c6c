// DHCP messages from the real capture corpus (tests/fixtures/captures, see its MANIFEST.md):
// every DHCP payload parses, re-encodes byte for byte, and its option layout matches the
// MANIFEST's per-frame option lists (dhclient, udhcpc, Kea, dnsmasq, ISC dhcpd, dhcrelay,
// perfdhcp, dhcping).
//
// This reads the classic pcap files and skips the Ethernet/IPv4/UDP headers by hand, so it
// does not depend on the frame decoder.

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dhcpsim/wire/dhcp.hpp"

namespace dhcpsim::wire {
namespace {

const std::string kCaptureDir = std::string(DHCPSIM_FIXTURES_DIR) + "/captures";

struct DhcpFrame {
  int number = 0;          // 1-based frame number in the file
  std::size_t offset = 0;  // of the DHCP payload within the frame
  std::size_t udp_length = 0;
  std::vector<std::byte> payload;
};

std::vector<std::byte> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::byte> out(raw.size());
  std::memcpy(out.data(), raw.data(), raw.size());
  return out;
}

uint32_t le32(const std::byte* p) {
  return uint32_t(p[0]) | (uint32_t(p[1]) << 8) | (uint32_t(p[2]) << 16) | (uint32_t(p[3]) << 24);
}

// The UDP port 67/68 payloads of a classic little-endian pcap with Ethernet link type.
std::vector<DhcpFrame> dhcp_frames(const std::string& path) {
  auto file = read_file(path);
  std::vector<DhcpFrame> frames;
  if (file.size() < 24 || le32(file.data()) != 0xa1b2c3d4) {
    ADD_FAILURE() << path << ": not a little-endian classic pcap";
    return frames;
  }
  std::size_t pos = 24;
  int number = 0;
  while (pos + 16 <= file.size()) {
    const uint32_t incl = le32(&file[pos + 8]);
    pos += 16;
    ++number;
    if (pos + incl > file.size()) {
      ADD_FAILURE() << path << ": truncated record";
      break;
    }
    const std::byte* f = &file[pos];
    pos += incl;
    if (incl < 14 + 20 + 8 || load_be16(f + 12) != 0x0800 || uint8_t(f[14 + 9]) != 17) continue;
    const std::size_t ihl = (uint8_t(f[14]) & 0x0f) * 4u;
    const std::byte* udp = f + 14 + ihl;
    const uint16_t sport = load_be16(udp), dport = load_be16(udp + 2);
    if (!((sport == 67 || sport == 68) && (dport == 67 || dport == 68))) continue;
    const std::size_t udp_len = load_be16(udp + 4);
    DhcpFrame d;
    d.number = number;
    d.offset = 14 + ihl + 8;
    d.udp_length = udp_len;
    d.payload.assign(udp + 8, udp + udp_len);
    frames.push_back(std::move(d));
  }
  return frames;
}

// "53(1) 12(2) 55(13) 255 [+37 pad; opt82 sub-options: 1=646f776e30]" in the MANIFEST's
// notation, from the parsed options field.
std::string describe_layout(const DhcpMessage& m) {
  std::ostringstream s;
  bool first = true;
  for (const auto& inst : m.options.layout()) {
    if (inst.area != DhcpOptionArea::Options || inst.code == 0) continue;
    if (!first) s << ' ';
    first = false;
    s << int(inst.code);
    if (inst.code != 255) s << '(' << int(inst.length) << ')';
  }
  return s.str();
}

struct ManifestFrame {
  std::string type;
  std::size_t udp_length = 0;
  std::string options;  // "53(1) ... 255"
  std::size_t pad = 0;  // "+N pad"
  std::string opt82;    // "1=646f776e30" or empty
};

// file name -> frame number -> expectation, from the "DHCP options per frame" lists.
std::map<std::string, std::map<int, ManifestFrame>> read_manifest() {
  std::map<std::string, std::map<int, ManifestFrame>> out;
  std::ifstream in(kCaptureDir + "/MANIFEST.md");
  std::string line, file;
  while (std::getline(in, line)) {
    if (line.rfind("### ", 0) == 0) {
      file = line.substr(4);
      continue;
    }
    // "- 1 DISCOVER (UDP 308): 53(1) 12(2) 55(13) 255  [+37 pad]"
    int number = 0;
    char type[32] = {};
    unsigned udp = 0;
    int consumed = 0;
    if (line.rfind("- ", 0) != 0 ||
        std::sscanf(line.c_str(), "- %d %31s (UDP %u):%n", &number, type, &udp, &consumed) < 3)
      continue;
    ManifestFrame f;
    f.type = type;
    f.udp_length = udp;
    std::string rest = line.substr(std::size_t(consumed));
    std::string notes;
    if (auto b = rest.find('['); b != std::string::npos) {
      notes = rest.substr(b + 1, rest.find(']') - b - 1);
      rest = rest.substr(0, b);
    }
    while (!rest.empty() && rest.front() == ' ') rest.erase(rest.begin());
    while (!rest.empty() && rest.back() == ' ') rest.pop_back();
    f.options = rest;
    if (auto p = notes.find('+'); p != std::string::npos) f.pad = std::stoul(notes.substr(p + 1));
    if (auto p = notes.find("sub-options: "); p != std::string::npos) {
      f.opt82 = notes.substr(p + 13);
      f.opt82 = f.opt82.substr(0, f.opt82.find(';'));
    }
    out[file][number] = f;
  }
  return out;
}

std::string hex(ConstBytes b) {
  std::string s;
  char buf[3];
  for (auto x : b) {
    std::snprintf(buf, sizeof buf, "%02x", unsigned(x));
    s += buf;
  }
  return s;
}

// Every DHCP frame of every capture parses and re-encodes to exactly the same bytes.
TEST(DhcpCaptures, EveryDhcpPayloadRoundTripsByteExactly) {
  ASSERT_TRUE(std::filesystem::exists(kCaptureDir + "/MANIFEST.md")) << kCaptureDir;
  int files = 0, messages = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kCaptureDir)) {
    if (entry.path().extension() != ".pcap") continue;
    ++files;
    for (const auto& f : dhcp_frames(entry.path().string())) {
      SCOPED_TRACE(entry.path().filename().string() + " frame " + std::to_string(f.number));
      auto m = DhcpMessage::parse(f.payload, f.offset);
      ASSERT_TRUE(m) << m.error().to_string();
      EXPECT_EQ(m->encoded_size(), f.payload.size());
      EXPECT_EQ(m->encode_to_vector(), f.payload);
      auto again = DhcpMessage::parse(m->encode_to_vector());
      ASSERT_TRUE(again);
      EXPECT_EQ(*again, *m);
      ++messages;
    }
  }
  EXPECT_EQ(files, 16);
  EXPECT_EQ(messages, 127);  // tshark -Y dhcp counts 127 DHCP frames in the corpus
}

// The parsed option layout, padding, message type and option 82 of every DHCP frame match
// the MANIFEST's per-frame lists (which cover every implementation in the corpus).
TEST(DhcpCaptures, OptionListsMatchManifest) {
  const auto manifest = read_manifest();
  ASSERT_GE(manifest.size(), 12u);
  const std::map<std::string, DhcpMessageType> types = {
      {"DISCOVER", DhcpMessageType::Discover}, {"OFFER", DhcpMessageType::Offer},
      {"REQUEST", DhcpMessageType::Request},   {"DECLINE", DhcpMessageType::Decline},
      {"ACK", DhcpMessageType::Ack},           {"NAK", DhcpMessageType::Nak},
      {"RELEASE", DhcpMessageType::Release},   {"INFORM", DhcpMessageType::Inform}};
  int checked = 0;
  for (const auto& [file, frames] : manifest) {
    auto dhcp = dhcp_frames(kCaptureDir + "/" + file);
    EXPECT_EQ(dhcp.size(), frames.size()) << file;
    for (const auto& f : dhcp) {
      SCOPED_TRACE(file + " frame " + std::to_string(f.number));
      auto it = frames.find(f.number);
      ASSERT_NE(it, frames.end());
      const ManifestFrame& want = it->second;
      auto m = DhcpMessage::parse(f.payload, f.offset);
      ASSERT_TRUE(m) << m.error().to_string();
      EXPECT_EQ(f.udp_length, want.udp_length);
      EXPECT_EQ(describe_layout(*m), want.options);
      EXPECT_EQ(m->options.trailing_bytes().size(), want.pad);
      for (auto b : m->options.trailing_bytes()) EXPECT_EQ(b, std::byte{0});
      ASSERT_TRUE(m->message_type());
      EXPECT_EQ(*m->message_type(), types.at(want.type));
      EXPECT_EQ(m->op, want.type == "OFFER" || want.type == "ACK" || want.type == "NAK" ? 2 : 1);
      auto rai = m->options.relay_agent_info();
      if (want.opt82.empty()) {
        EXPECT_FALSE(rai.has_value());
      } else {
        ASSERT_TRUE(rai.has_value());
        ASSERT_TRUE(*rai);
        ASSERT_EQ((*rai)->suboptions.size(), 1u);
        EXPECT_EQ(
            std::to_string((*rai)->suboptions[0].first) + "=" + hex((*rai)->suboptions[0].second),
            want.opt82);
        ASSERT_TRUE((*rai)->circuit_id());
        EXPECT_EQ(hex(*(*rai)->circuit_id()), "646f776e30");  // "down0"
        EXPECT_FALSE((*rai)->remote_id());
      }
      ++checked;
    }
  }
  EXPECT_EQ(checked, 127);
}

// Typed getters on a real Kea OFFER (dhclient-kea frame 2) read the values the MANIFEST
// describes: lease 30 s, T1 10 s, T2 20 s, server 10.66.1.1, yiaddr 10.66.1.100.
TEST(DhcpCaptures, KeaOfferTypedGetters) {
  auto frames = dhcp_frames(kCaptureDir + "/dhclient-kea-dora-renew-release.pcap");
  ASSERT_GE(frames.size(), 2u);
  auto m = DhcpMessage::parse(frames[1].payload);
  ASSERT_TRUE(m);
  const auto& o = m->options;
  EXPECT_EQ(o.message_type(), DhcpMessageType::Offer);
  EXPECT_EQ(o.lease_time(), 30u);
  EXPECT_EQ(o.renewal_time(), 10u);
  EXPECT_EQ(o.rebinding_time(), 20u);
  EXPECT_EQ(o.server_id(), Ipv4Address::from_octets(10, 66, 1, 1));
  EXPECT_EQ(o.subnet_mask(), Ipv4Address::from_octets(255, 255, 255, 0));
  ASSERT_TRUE(o.routers());
  EXPECT_EQ(o.routers()->front(), Ipv4Address::from_octets(10, 66, 1, 1));
  EXPECT_EQ(o.host_name(), "vm");
  EXPECT_EQ(m->yiaddr, Ipv4Address::from_octets(10, 66, 1, 100));
  EXPECT_EQ(m->client_mac(), *MacAddress::parse("02:66:01:00:00:02"));
  EXPECT_EQ(m->encoded_size(), 304u);  // Kea ends exactly at End
}

// udhcpc's DISCOVER carries options 57 (576), 61 (type 1 + MAC) and 12 as the MANIFEST says.
TEST(DhcpCaptures, UdhcpcDiscoverTypedGetters) {
  auto frames = dhcp_frames(kCaptureDir + "/udhcpc-dnsmasq-dora-renew-release.pcap");
  ASSERT_GE(frames.size(), 1u);
  auto m = DhcpMessage::parse(frames[0].payload);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->options.max_message_size(), 576);
  ASSERT_TRUE(m->options.client_id());
  EXPECT_EQ(hex(*m->options.client_id()), "01026602000002");
  EXPECT_EQ(m->options.host_name(), "capx-bb");
  ASSERT_TRUE(m->options.parameter_request_list());
  EXPECT_EQ(m->options.parameter_request_list()->size(), 7u);
}

}  // namespace
}  // namespace dhcpsim::wire
