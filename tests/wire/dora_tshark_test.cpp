// A DORA exchange built with the wire API (DhcpMessage + encode_udp_frame) and written with
// PcapWriter is read by tshark as four DHCP messages of types 1, 2, 3, 5 with the intended
// addresses, options and checksums, and nothing in it is malformed.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "dhcpsim/wire/dhcp.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/pcap.hpp"

namespace dhcpsim::wire {
namespace {

namespace opt = dhcp_option;

const MacAddress kClientMac = MacAddress::from_u64(0x026601000002);
const MacAddress kServerMac = MacAddress::from_u64(0x026601000001);
const Ipv4Address kServerIp = Ipv4Address::from_octets(10, 66, 1, 1);
const Ipv4Address kOfferedIp = Ipv4Address::from_octets(10, 66, 1, 100);
const Ipv4Address kDnsIp = Ipv4Address::from_octets(10, 66, 1, 53);
constexpr uint32_t kXid = 0x3903f326;

std::string run(const std::string& cmd) {
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return "popen failed";
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  ::pclose(p);
  return out;
}

DhcpMessage client_message(DhcpMessageType type) {
  DhcpMessage m;
  m.op = DhcpMessage::kBootRequest;
  m.xid = kXid;
  m.secs = 3;
  m.set_client_mac(kClientMac);
  m.options.set_message_type(type);
  // RFC 2132 §9.14: type 1 (Ethernet) + MAC.
  m.options.set(opt::kClientId, bytes_of({1, 0x02, 0x66, 0x01, 0x00, 0x00, 0x02}));
  if (type == DhcpMessageType::Request) {
    // RFC 2131 §4.3.2 SELECTING: requested address and the chosen server.
    m.options.set_ip(opt::kRequestedIp, kOfferedIp);
    m.options.set_ip(opt::kServerId, kServerIp);
  }
  m.options.set(opt::kParameterRequestList, bytes_of({1, 3, 6, 51}));
  m.options.set_string(opt::kHostName, "client-1");
  m.pad_to_bootp_minimum();
  return m;
}

DhcpMessage server_message(DhcpMessageType type) {
  DhcpMessage m;
  m.op = DhcpMessage::kBootReply;
  m.xid = kXid;
  m.yiaddr = kOfferedIp;
  m.siaddr = kServerIp;
  m.set_client_mac(kClientMac);
  m.options.set_message_type(type);
  m.options.set_ip(opt::kServerId, kServerIp);
  m.options.set_u32(opt::kLeaseTime, 3600);
  m.options.set_u32(opt::kRenewalTime, 1800);
  m.options.set_u32(opt::kRebindingTime, 3150);
  m.options.set_ip(opt::kSubnetMask, Ipv4Address::from_octets(255, 255, 255, 0));
  m.options.set_ips(opt::kRouter, {kServerIp});
  m.options.set_ips(opt::kDnsServers, {kDnsIp});
  m.options.set_string(opt::kDomainName, "example.test");
  m.pad_to_bootp_minimum();
  return m;
}

std::vector<std::byte> frame_of(const DhcpMessage& m, bool from_client) {
  UdpFrameSpec spec;
  if (from_client) {
    // RFC 2131 §4.1: the client has no address yet and broadcasts.
    spec.src_mac = kClientMac;
    spec.dst_mac = MacAddress::broadcast();
    spec.src_ip = Ipv4Address::any();
    spec.dst_ip = Ipv4Address::broadcast();
    spec.src_port = kPortBootpClient;
    spec.dst_port = kPortBootpServer;
  } else {
    // RFC 2131 §4.1: broadcast bit clear, so the server unicasts to yiaddr / chaddr.
    spec.src_mac = kServerMac;
    spec.dst_mac = kClientMac;
    spec.src_ip = kServerIp;
    spec.dst_ip = kOfferedIp;
    spec.src_port = kPortBootpServer;
    spec.dst_port = kPortBootpClient;
  }
  spec.ip_id = 0x1234;
  const auto payload = m.encode_to_vector();
  std::vector<std::byte> frame(udp_frame_size(payload.size()));
  frame.resize(encode_udp_frame(spec, payload, frame));
  return frame;
}

// tshark decodes the four frames as DISCOVER, OFFER, REQUEST, ACK with the right fields.
TEST(DoraTshark, TsharkDecodesTheExchange) {
  if (std::system("command -v tshark >/dev/null 2>&1") != 0) GTEST_SKIP() << "tshark not installed";

  const auto path = std::filesystem::temp_directory_path() /
                    ("dhcpsim-dora-tshark-" + std::to_string(::getpid()) + ".pcap");
  {
    auto w = PcapWriter::open(path.string());
    ASSERT_TRUE(w) << w.error();
    w->write(0, frame_of(client_message(DhcpMessageType::Discover), true));
    w->write(1'000'000, frame_of(server_message(DhcpMessageType::Offer), false));
    w->write(2'000'000, frame_of(client_message(DhcpMessageType::Request), true));
    w->write(3'000'000, frame_of(server_message(DhcpMessageType::Ack), false));
    ASSERT_TRUE(w->close());
  }
  const std::string file = "'" + path.string() + "'";

  const std::string fields =
      run("tshark -r " + file +
          " -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE -T fields -E separator=/t -E "
          "occurrence=f"
          " -e dhcp.option.dhcp -e dhcp.ip.your -e dhcp.ip.client -e ip.src -e ip.dst"
          " -e udp.srcport -e udp.dstport -e dhcp.id -e dhcp.hw.mac_addr"
          " -e dhcp.option.requested_ip_address -e dhcp.option.dhcp_server_id"
          " -e dhcp.option.ip_address_lease_time -e dhcp.option.subnet_mask -e dhcp.option.router"
          " -e ip.checksum.status -e udp.checksum.status 2>/dev/null");
  // Columns: type, yiaddr, ciaddr, ip src, ip dst, sport, dport, xid, chaddr (first
  // occurrence: option 61 holds the MAC too), option 50, option 54, option 51, option 1,
  // option 3, IP and UDP checksum status (1 = good, 0 = bad, 2 = not checked).
  const std::string expected =
      "1\t0.0.0.0\t0.0.0.0\t0.0.0.0\t255.255.255.255\t68\t67\t0x3903f326\t02:66:01:00:00:02"
      "\t\t\t\t\t\t1\t1\n"
      "2\t10.66.1.100\t0.0.0.0\t10.66.1.1\t10.66.1.100\t67\t68\t0x3903f326\t02:66:01:00:00:02"
      "\t\t10.66.1.1\t3600\t255.255.255.0\t10.66.1.1\t1\t1\n"
      "3\t0.0.0.0\t0.0.0.0\t0.0.0.0\t255.255.255.255\t68\t67\t0x3903f326\t02:66:01:00:00:02"
      "\t10.66.1.100\t10.66.1.1\t\t\t\t1\t1\n"
      "5\t10.66.1.100\t0.0.0.0\t10.66.1.1\t10.66.1.100\t67\t68\t0x3903f326\t02:66:01:00:00:02"
      "\t\t10.66.1.1\t3600\t255.255.255.0\t10.66.1.1\t1\t1\n";
  EXPECT_EQ(fields, expected);

  // Nothing malformed, no expert warnings or errors (bad checksums, bad lengths ...).
  EXPECT_EQ(run("tshark -r " + file + " -Y _ws.malformed 2>/dev/null"), "");
  EXPECT_EQ(run("tshark -r " + file +
                " -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE"
                " -Y '_ws.expert.severity >= warning' 2>/dev/null"),
            "");
  // All four frames are there at all (so the empty outputs above mean something).
  EXPECT_EQ(run("tshark -r " + file + " -Y dhcp -T fields -e frame.number 2>/dev/null"),
            "1\n2\n3\n4\n");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace dhcpsim::wire
