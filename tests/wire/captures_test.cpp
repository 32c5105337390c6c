// The real capture corpus (tests/fixtures/captures, see its MANIFEST.md) through the whole
// frame stack: PcapReader reads every file, every frame parses with parse_frame and
// re-encodes to exactly the same bytes, peek_frame agrees with the parse, and the frame
// counts and kinds match the MANIFEST.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/pcap.hpp"
#include "dhcpsim/wire/peek.hpp"

using namespace dhcpsim::wire;

namespace {

const std::filesystem::path kCaptureDir = std::filesystem::path(DHCPSIM_FIXTURES_DIR) / "captures";

// "| `file.pcap` | 11 | 3378 | ..." rows of the MANIFEST's file table.
std::map<std::string, int> manifest_frame_counts() {
  std::ifstream in(kCaptureDir / "MANIFEST.md");
  std::map<std::string, int> counts;
  std::string line;
  while (std::getline(in, line)) {
    const auto name_end = line.find(".pcap` | ");
    if (line.rfind("| `", 0) != 0 || name_end == std::string::npos) continue;
    const std::string name = line.substr(3, name_end + 5 - 3);
    counts[name] = std::atoi(line.c_str() + name_end + 9);
  }
  return counts;
}

std::vector<std::filesystem::path> capture_files() {
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(kCaptureDir))
    if (e.path().extension() == ".pcap") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

// Every frame of every capture parses and re-encodes byte for byte; counts match MANIFEST.
TEST(Captures, EveryFrameParsesAndReencodesExactly) {
  const auto expected_counts = manifest_frame_counts();
  const auto files = capture_files();
  ASSERT_EQ(files.size(), 16u);
  ASSERT_EQ(expected_counts.size(), files.size());
  int total = 0, dhcp = 0, arp = 0, padded = 0;
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    auto reader = PcapReader::open(path.string());
    ASSERT_TRUE(reader) << reader.error();
    EXPECT_EQ(reader->link_type(), kLinkTypeEthernet);
    int n = 0;
    while (auto rec = reader->next()) {
      ++n;
      SCOPED_TRACE("frame " + std::to_string(n));
      EXPECT_EQ(rec->original_length, rec->data.size());  // MANIFEST: no truncated frames
      auto frame = parse_frame(rec->data);
      ASSERT_TRUE(frame) << frame.error().to_string();
      EXPECT_EQ(encode_frame(*frame), rec->data);
      EXPECT_EQ(encoded_frame_size(*frame), rec->data.size());
      // Re-parsing the re-encoding gives the same structure.
      auto again = parse_frame(encode_frame(*frame));
      ASSERT_TRUE(again);
      EXPECT_EQ(*again, *frame);
      // The corpus holds only DHCP (UDP 67/68) and ARP (MANIFEST: tcpdump filter).
      EXPECT_TRUE(frame->dhcp() != nullptr || frame->arp() != nullptr);
      dhcp += frame->dhcp() != nullptr;
      arp += frame->arp() != nullptr;
      padded += !frame->trailer.empty();
      // The cheap classifier sees the same thing.
      auto pk = peek_frame(rec->data);
      ASSERT_TRUE(pk);
      EXPECT_EQ(pk->src, frame->eth.src);
      EXPECT_EQ(pk->dst, frame->eth.dst);
      EXPECT_EQ(pk->arp.has_value(), frame->arp() != nullptr);
      EXPECT_EQ(pk->bootp.has_value(), frame->dhcp() != nullptr);
      if (const DhcpMessage* m = frame->dhcp()) {
        EXPECT_EQ(pk->bootp->xid, m->xid);
        EXPECT_EQ(pk->bootp->chaddr, m->client_mac());
        EXPECT_EQ(pk->bootp->giaddr, m->giaddr);
      }
    }
    EXPECT_TRUE(reader->error().empty()) << reader->error();
    EXPECT_EQ(n, expected_counts.at(path.filename().string()));
    total += n;
  }
  EXPECT_EQ(total, dhcp + arp);
  EXPECT_GT(dhcp, 100);
  EXPECT_GT(arp, 50);
  // MANIFEST: only udhcpc's own ARP probes are padded to 60 bytes.
  EXPECT_GT(padded, 0);
}

// The MANIFEST's description of the iputils DAD file: probes from 0.0.0.0, one reply.
TEST(Captures, IputilsDadProbesAreRfc5227Probes) {
  auto reader = PcapReader::open((kCaptureDir / "arping-iputils-dad-probe.pcap").string());
  ASSERT_TRUE(reader) << reader.error();
  int probes = 0, replies = 0;
  while (auto rec = reader->next()) {
    auto frame = parse_frame(rec->data);
    ASSERT_TRUE(frame);
    ASSERT_NE(frame->arp(), nullptr);
    probes += frame->arp()->is_probe();
    replies += frame->arp()->oper == kArpReply;
  }
  EXPECT_EQ(probes, 3);
  EXPECT_EQ(replies, 1);
}

// udhcpc's ARP check (udhcpc-kea-arpcheck-decline.pcap) pads its probes to 60 bytes: the
// 18 zero bytes land in the trailer, and re-encoding keeps them.
TEST(Captures, UdhcpcPaddedArpKeepsItsTrailer) {
  auto reader = PcapReader::open((kCaptureDir / "udhcpc-kea-arpcheck-decline.pcap").string());
  ASSERT_TRUE(reader) << reader.error();
  int padded_arp = 0;
  while (auto rec = reader->next()) {
    auto frame = parse_frame(rec->data);
    ASSERT_TRUE(frame);
    if (frame->arp() && rec->data.size() == 60) {
      ++padded_arp;
      EXPECT_EQ(frame->trailer.size(), 18u);
    }
  }
  EXPECT_GT(padded_arp, 0);
}
