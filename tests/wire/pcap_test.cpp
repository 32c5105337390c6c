// PcapWriter / PcapReader: nanosecond round trip, error reporting, and that tshark decodes
// what the simulator writes.

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <unistd.h>

#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/pcap.hpp"

using namespace dhcpsim::wire;

namespace {

std::filesystem::path temp_path(const std::string& name) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  return std::filesystem::temp_directory_path() /
         ("dhcpsim-" + std::string(info->name()) + "-" + std::to_string(::getpid()) + "-" + name);
}

std::vector<std::byte> arp_frame(uint8_t last_octet, uint16_t oper) {
  const MacAddress mac = MacAddress::from_u64(0x026600000000ULL | last_octet);
  ArpPacket arp = oper == kArpRequest
                      ? ArpPacket::request(mac, Ipv4Address::from_octets(10, 66, 0, last_octet),
                                           Ipv4Address::from_octets(10, 66, 0, 1))
                      : ArpPacket::reply(mac, Ipv4Address::from_octets(10, 66, 0, last_octet),
                                         MacAddress::from_u64(0x026600000001ULL),
                                         Ipv4Address::from_octets(10, 66, 0, 1));
  std::vector<std::byte> f(arp_frame_size());
  f.resize(encode_arp_frame(ArpFrameSpec{mac, MacAddress::broadcast(), arp}, f));
  return f;
}

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return out;
  std::array<char, 4096> buf;
  while (std::size_t n = std::fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  ::pclose(p);
  return out;
}

}  // namespace

// Frames and nanosecond timestamps written by PcapWriter come back unchanged from PcapReader.
TEST(Pcap, WriterReaderRoundTripWithNanoseconds) {
  const auto path = temp_path("rt.pcap");
  const std::array<int64_t, 4> times = {0, 1, 1'000'000'001, 86'400'123'456'789};
  std::vector<std::vector<std::byte>> frames;
  {
    auto w = PcapWriter::open(path.string());
    ASSERT_TRUE(w) << w.error();
    for (std::size_t i = 0; i < times.size(); ++i) {
      frames.push_back(arp_frame(uint8_t(10 + i), i % 2 ? kArpReply : kArpRequest));
      w->write(times[i], frames.back());
    }
    auto closed = w->close();
    ASSERT_TRUE(closed) << closed.error();
    EXPECT_FALSE(w->is_open());
    w->write(5, frames[0]);  // after close: ignored
  }
  // The nanosecond magic, little-endian on this machine (a1b23c4d).
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 4> magic{};
  in.read(reinterpret_cast<char*>(magic.data()), 4);
  EXPECT_EQ(magic, (std::array<unsigned char, 4>{0x4d, 0x3c, 0xb2, 0xa1}));

  auto r = PcapReader::open(path.string());
  ASSERT_TRUE(r) << r.error();
  EXPECT_EQ(r->link_type(), kLinkTypeEthernet);
  for (std::size_t i = 0; i < times.size(); ++i) {
    auto rec = r->next();
    ASSERT_TRUE(rec);
    EXPECT_EQ(rec->timestamp_ns, times[i]);
    EXPECT_EQ(rec->data, frames[i]);
    EXPECT_EQ(rec->original_length, frames[i].size());
  }
  EXPECT_FALSE(r->next());
  EXPECT_TRUE(r->error().empty());
  std::filesystem::remove(path);
}

// A moved-from writer is inert and the moved-to one owns the file; destruction closes it.
TEST(Pcap, WriterIsMovableAndClosesOnDestruction) {
  const auto path = temp_path("mv.pcap");
  {
    auto w = PcapWriter::open(path.string());
    ASSERT_TRUE(w);
    PcapWriter moved = std::move(*w);
    EXPECT_FALSE(w->is_open());
    EXPECT_TRUE(moved.is_open());
    moved.write(42, arp_frame(7, kArpRequest));
  }
  auto r = PcapReader::open(path.string());
  ASSERT_TRUE(r);
  auto rec = r->next();
  ASSERT_TRUE(rec);
  EXPECT_EQ(rec->timestamp_ns, 42);
  EXPECT_FALSE(r->next());
  std::filesystem::remove(path);
}

// Opening a missing file or an unwritable path reports libpcap's error text.
TEST(Pcap, OpenErrorsCarryLibpcapText) {
  auto r = PcapReader::open("/nonexistent-dir/none.pcap");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().find("No such file"), std::string::npos) << r.error();
  auto w = PcapWriter::open("/nonexistent-dir/out.pcap");
  ASSERT_FALSE(w);
  EXPECT_NE(w.error().find("No such file"), std::string::npos) << w.error();
}

// A microsecond capture from the corpus reads with timestamps scaled to nanoseconds.
TEST(Pcap, ReadsMicrosecondCorpusFileAsNanoseconds) {
  auto r = PcapReader::open(std::string(DHCPSIM_FIXTURES_DIR) +
                            "/captures/dhclient-kea-dora-renew-release.pcap");
  ASSERT_TRUE(r) << r.error();
  auto first = r->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->timestamp_ns % 1000, 0);  // microsecond source
  EXPECT_EQ(first->data.size(), 342u);       // MANIFEST frame 1
  int64_t last = first->timestamp_ns;
  while (auto rec = r->next()) last = rec->timestamp_ns;
  // MANIFEST: frame 11 at 25.007 s after frame 1.
  EXPECT_NEAR(double(last - first->timestamp_ns) / 1e9, 25.007, 0.001);
}

// tshark decodes a file written by PcapWriter: ARP opcodes, the UDP frame and nanosecond
// times, and no frame is reported "Malformed".
TEST(Pcap, TsharkDecodesWrittenFile) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";
  const auto path = temp_path("tshark.pcap");
  {
    auto w = PcapWriter::open(path.string());
    ASSERT_TRUE(w);
    w->write(1'500'000'001, arp_frame(20, kArpRequest));
    w->write(2'000'000'000, arp_frame(21, kArpReply));
    std::vector<std::byte> udp(udp_frame_size(4));
    const char payload[] = "ping";
    udp.resize(encode_udp_frame(
        UdpFrameSpec{MacAddress::from_u64(0x026600000002), MacAddress::from_u64(0x026600000001),
                     Ipv4Address::from_octets(10, 66, 0, 2), Ipv4Address::from_octets(10, 66, 0, 1),
                     40000, 9999},
        as_bytes(payload, 4), udp));
    w->write(3'000'000'000, udp);
    ASSERT_TRUE(w->close());
  }
  const std::string fields =
      run("tshark -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE -r '" + path.string() +
          "' -T fields -e frame.time_epoch -e arp.opcode -e udp.dstport -e _ws.col.Info "
          "-e udp.checksum.status -e ip.checksum.status 2>&1");
  EXPECT_EQ(fields.find("Malformed"), std::string::npos) << fields;
  std::istringstream lines(fields);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("Running as", 0) != 0) rows.push_back(line);
  ASSERT_EQ(rows.size(), 3u) << fields;
  EXPECT_EQ(rows[0].rfind("1.500000001\t1\t", 0), 0u) << rows[0];
  EXPECT_EQ(rows[1].rfind("2.000000000\t2\t", 0), 0u) << rows[1];
  EXPECT_EQ(rows[2].rfind("3.000000000\t\t9999\t", 0), 0u) << rows[2];
  // Checksum status 1 = "Good" (tshark's PROTO_CHECKSUM_E_GOOD) for UDP and IPv4.
  EXPECT_EQ(rows[2].substr(rows[2].size() - 4), "\t1\t1") << rows[2];
  std::filesystem::remove(path);
}
