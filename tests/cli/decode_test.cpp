// `dhcpsim decode`: every capture of the corpus decodes and round-trips (exit 0); the JSON of
// every frame matches the capture's MANIFEST table (addresses, ports, message types, ARP,
// lengths, option lists); unreadable files exit 2, bad frames exit 4 with what/offset; the
// frame JSON (report/frame_json) types every option it knows.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dhcpsim/cli/app.hpp"
#include "dhcpsim/report/frame_json.hpp"
#include "dhcpsim/wire/dhcp.hpp"
#include "dhcpsim/wire/frame.hpp"
#include "dhcpsim/wire/pcap.hpp"

namespace dhcpsim {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
namespace opt = wire::dhcp_option;

const fs::path kCaptureDir = fs::path(DHCPSIM_FIXTURES_DIR) / "captures";

struct CliResult {
  int code = -1;
  std::string out, err;
  std::vector<json> lines;  // `out` parsed line by line
};

CliResult run_decode(const std::vector<std::string>& args) {
  std::vector<const char*> argv = {"dhcpsim", "decode"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::ostringstream out, err;
  CliResult r;
  r.code = cli::run_cli(int(argv.size()), argv.data(), out, err);
  r.out = out.str();
  r.err = err.str();
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);) r.lines.push_back(json::parse(line));
  return r;
}

// Runs the real binary through the shell; returns its exit code and stdout.
std::pair<int, std::string> run_binary(const std::string& args) {
  const std::string cmd = std::string(DHCPSIM_BINARY) + " " + args + " 2>/dev/null";
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return {-1, ""};
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int status = ::pclose(p);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::vector<fs::path> capture_files() {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kCaptureDir))
    if (e.path().extension() == ".pcap") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

fs::path temp_path(const std::string& name) {
  return fs::temp_directory_path() /
         ("dhcpsim-decode-test-" + std::to_string(::getpid()) + "-" + name);
}

// ---- MANIFEST.md ------------------------------------------------------------------------

// One row of a per-file frame table: "| # | time | eth.src | eth.dst | ip.src | ip.dst |
// sport | dport | type | ciaddr | yiaddr | giaddr | arp op | arp spa | arp tpa | len |".
struct ManifestRow {
  int number = 0;
  double time_s = 0;
  std::string eth_src, eth_dst, ip_src, ip_dst, sport, dport, type, ciaddr, yiaddr, giaddr, arp_op,
      arp_spa, arp_tpa;
  std::size_t length = 0;
};

// One "- 3 DISCOVER (UDP 308): 53(1) 12(2) 82(7) 255  [+28 pad; opt82 sub-options:
// 1=646f776e30; hops 1]" line.
struct ManifestOptions {
  std::string type;
  int udp_length = 0;
  std::vector<std::pair<int, int>> options;  // (code, length) without End
  bool end = false;
  int padding = 0;
  std::optional<int> hops;
  std::optional<int> flags;
  std::vector<std::pair<int, std::string>> opt82;  // (sub-option, hex)
};

struct ManifestFile {
  std::vector<ManifestRow> rows;
  std::map<int, ManifestOptions> options;  // by frame number
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  parts.push_back(cur);
  return parts;
}

// Parses "- N TYPE (UDP L): CODES  [NOTES]"; nullopt for any other line.
std::optional<std::pair<int, ManifestOptions>> parse_options_line(const std::string& line) {
  int number = 0, udp_length = 0;
  char type[16] = {};
  int consumed = 0;
  if (std::sscanf(line.c_str(), "- %d %15[A-Z] (UDP %d): %n", &number, type, &udp_length,
                  &consumed) != 3 ||
      consumed == 0)
    return std::nullopt;
  const std::string rest = line.substr(std::size_t(consumed));
  const auto bracket = rest.find('[');
  const std::string code_list = rest.substr(0, bracket);
  const std::string notes =
      bracket == std::string::npos ? "" : rest.substr(bracket + 1, rest.rfind(']') - bracket - 1);
  ManifestOptions o;
  o.type = type;
  o.udp_length = udp_length;
  std::istringstream codes(code_list);
  for (std::string tok; codes >> tok;) {
    const auto paren = tok.find('(');
    if (paren == std::string::npos) {
      EXPECT_EQ(tok, "255");
      o.end = true;
      continue;
    }
    o.options.emplace_back(std::stoi(tok.substr(0, paren)), std::stoi(tok.substr(paren + 1)));
  }
  for (const std::string& raw : split(notes, ';')) {
    const std::string note = trim(raw);
    if (note.empty()) continue;
    if (note[0] == '+') {
      o.padding = std::stoi(note.substr(1));  // "+37 pad"
    } else if (note.rfind("hops ", 0) == 0) {
      o.hops = std::stoi(note.substr(5));
    } else if (note.rfind("flags ", 0) == 0) {
      o.flags = std::stoi(note.substr(6), nullptr, 16);
    } else if (note.rfind("opt82 sub-options: ", 0) == 0) {
      for (const std::string& sub : split(note.substr(19), ',')) {
        const auto eq = sub.find('=');
        o.opt82.emplace_back(std::stoi(trim(sub.substr(0, eq))), trim(sub.substr(eq + 1)));
      }
    } else {
      ADD_FAILURE() << "unknown MANIFEST note: " << note;
    }
  }
  return std::make_pair(number, o);
}

std::map<std::string, ManifestFile> read_manifest() {
  std::ifstream in(kCaptureDir / "MANIFEST.md");
  EXPECT_TRUE(in) << "cannot open MANIFEST.md";
  std::map<std::string, ManifestFile> files;
  ManifestFile* cur = nullptr;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("### ", 0) == 0) {
      cur = &files[trim(line.substr(4))];
      continue;
    }
    if (cur == nullptr) continue;
    if (auto o = parse_options_line(line)) {
      cur->options[o->first] = o->second;
      continue;
    }
    if (line.rfind("| ", 0) != 0) continue;
    auto cells = split(line, '|');
    // "| 1 | ... | 342 |" splits into 18 parts: "" + 16 cells + "".
    if (cells.size() != 18) continue;
    for (auto& c : cells) c = trim(c);
    const bool numbered =
        !cells[1].empty() &&
        std::all_of(cells[1].begin(), cells[1].end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!numbered) continue;
    ManifestRow r;
    r.number = std::stoi(cells[1]);
    r.time_s = std::stod(cells[2]);
    r.eth_src = cells[3];
    r.eth_dst = cells[4];
    r.ip_src = cells[5];
    r.ip_dst = cells[6];
    r.sport = cells[7];
    r.dport = cells[8];
    r.type = cells[9];
    r.ciaddr = cells[10];
    r.yiaddr = cells[11];
    r.giaddr = cells[12];
    r.arp_op = cells[13];
    r.arp_spa = cells[14];
    r.arp_tpa = cells[15];
    r.length = std::stoul(cells[16]);
    cur->rows.push_back(r);
  }
  return files;
}

std::string without_colons(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ':'), s.end());
  return s;
}

const json* find_option(const json& dhcp, int code) {
  for (const auto& o : dhcp.at("options"))
    if (o.at("code") == code) return &o;
  return nullptr;
}

void check_row(const ManifestRow& row, const json& j, int64_t first_ns) {
  SCOPED_TRACE("frame " + std::to_string(row.number));
  ASSERT_FALSE(j.contains("error")) << j.dump();
  EXPECT_EQ(j.at("frame"), row.number);
  EXPECT_EQ(j.at("length"), row.length);
  // The table's times are frame.time_relative with three decimals.
  const double rel_ms = double(j.at("time_ns").get<int64_t>() - first_ns) / 1e6;
  EXPECT_LE(std::abs(rel_ms - row.time_s * 1000), 1.0) << rel_ms;
  EXPECT_EQ(j.at("eth").at("src"), row.eth_src);
  EXPECT_EQ(j.at("eth").at("dst"), row.eth_dst);

  EXPECT_EQ(j.contains("ipv4"), !row.ip_src.empty());
  if (!row.ip_src.empty()) {
    EXPECT_EQ(j.at("ipv4").at("src"), row.ip_src);
    EXPECT_EQ(j.at("ipv4").at("dst"), row.ip_dst);
    EXPECT_EQ(j.at("udp").at("src_port"), std::stoi(row.sport));
    EXPECT_EQ(j.at("udp").at("dst_port"), std::stoi(row.dport));
  }

  EXPECT_EQ(j.contains("dhcp"), !row.type.empty());
  if (!row.type.empty()) {
    const json& d = j.at("dhcp");
    // "1 DISCOVER": the option 53 value and its name.
    const int type = std::stoi(row.type);
    const std::string name = row.type.substr(row.type.find(' ') + 1);
    EXPECT_EQ(d.at("message_type"), wire::dhcp_message_type_name(uint8_t(type)));
    EXPECT_EQ(d.at("message_type"), "DHCP" + name);
    const json* o53 = find_option(d, opt::kMessageType);
    ASSERT_NE(o53, nullptr);
    EXPECT_EQ(o53->at("value"), "DHCP" + name);
    EXPECT_EQ(d.at("ciaddr"), row.ciaddr);
    EXPECT_EQ(d.at("yiaddr"), row.yiaddr);
    EXPECT_EQ(d.at("giaddr"), row.giaddr);
  }

  EXPECT_EQ(j.contains("arp"), !row.arp_op.empty());
  if (!row.arp_op.empty()) {
    const json& a = j.at("arp");
    EXPECT_EQ(a.at("op"), std::stoi(row.arp_op));  // "1 request"
    EXPECT_EQ(row.arp_op.substr(row.arp_op.find(' ') + 1), a.at("op") == 1 ? "request" : "reply");
    EXPECT_EQ(a.at("spa"), row.arp_spa);
    EXPECT_EQ(a.at("tpa"), row.arp_tpa);
  }
}

void check_options(int number, const ManifestOptions& want, const json& j) {
  SCOPED_TRACE("options of frame " + std::to_string(number));
  ASSERT_TRUE(j.contains("dhcp")) << j.dump();
  const json& d = j.at("dhcp");
  EXPECT_EQ(d.at("message_type"), "DHCP" + want.type);
  EXPECT_EQ(j.at("udp").at("length"), want.udp_length);
  std::vector<std::pair<int, int>> got;
  for (const auto& o : d.at("options")) got.emplace_back(o.at("code"), o.at("length"));
  EXPECT_EQ(got, want.options);
  EXPECT_TRUE(want.end);
  EXPECT_FALSE(d.contains("end"));  // present (as false) only when End is missing
  EXPECT_EQ(d.at("padding"), want.padding);
  EXPECT_FALSE(d.contains("padding_hex"));  // the padding is zeros
  if (want.hops) {
    EXPECT_EQ(d.at("hops"), *want.hops);
  }
  if (want.flags) {
    EXPECT_EQ(d.at("flags"), *want.flags);
    EXPECT_EQ(d.at("broadcast"), (*want.flags & 0x8000) != 0);
  }
  const json* o82 = find_option(d, opt::kRelayAgentInfo);
  EXPECT_EQ(o82 != nullptr, !want.opt82.empty());
  if (o82 != nullptr) {
    std::vector<std::pair<int, std::string>> subs;
    for (const auto& s : o82->at("value").at("suboptions"))
      subs.emplace_back(s.at("code"), without_colons(s.at("value")));
    EXPECT_EQ(subs, want.opt82);
  }
}

// ---- the corpus -------------------------------------------------------------------------

// Every capture of the corpus: exit 0 with --roundtrip, one line per frame, all round-trip.
TEST(Decode, EveryCaptureDecodesAndRoundTrips) {
  const auto files = capture_files();
  ASSERT_EQ(files.size(), 16u);
  for (const auto& path : files) {
    SCOPED_TRACE(path.filename().string());
    const auto r = run_decode({path.string(), "--roundtrip"});
    EXPECT_EQ(r.code, cli::kExitOk) << r.err;
    ASSERT_FALSE(r.lines.empty());
    for (std::size_t i = 0; i < r.lines.size(); ++i) {
      EXPECT_EQ(r.lines[i].at("frame"), i + 1);
      EXPECT_EQ(r.lines[i].value("roundtrip", false), true) << r.lines[i].dump();
      EXPECT_FALSE(r.lines[i].contains("error"));
    }
    EXPECT_NE(
        r.err.find(std::to_string(r.lines.size()) + " frames, 0 errors, 0 round-trip mismatches"),
        std::string::npos)
        << r.err;
  }
}

// The decoded JSON of every frame against the MANIFEST's frame table and option lists.
TEST(Decode, MatchesManifestTablesAndOptionLists) {
  const auto manifest = read_manifest();
  const auto files = capture_files();
  ASSERT_EQ(manifest.size(), files.size());
  std::size_t rows = 0, option_lists = 0;
  for (const auto& path : files) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    ASSERT_TRUE(manifest.count(name)) << "no ### section for " << name;
    const ManifestFile& want = manifest.at(name);
    const auto r = run_decode({path.string()});
    ASSERT_EQ(r.code, cli::kExitOk) << r.err;
    ASSERT_EQ(r.lines.size(), want.rows.size());
    const int64_t first_ns = r.lines.front().at("time_ns");
    for (const ManifestRow& row : want.rows) {
      ASSERT_GE(row.number, 1);
      ASSERT_LE(std::size_t(row.number), r.lines.size());
      check_row(row, r.lines[row.number - 1], first_ns);
      ++rows;
      // Every DHCP frame has its option list in the MANIFEST.
      EXPECT_EQ(want.options.count(row.number), row.type.empty() ? 0u : 1u)
          << "frame " << row.number;
    }
    for (const auto& [number, options] : want.options) {
      ASSERT_LE(std::size_t(number), r.lines.size());
      check_options(number, options, r.lines[number - 1]);
      ++option_lists;
    }
  }
  // MANIFEST: 218 frames in 16 files, 127 of them DHCP, each with its option list.
  EXPECT_EQ(rows, 218u);
  EXPECT_EQ(option_lists, 127u);
}

// The same file decodes to the same bytes twice (no wall clock, no pointer order).
TEST(Decode, OutputIsDeterministic) {
  const auto path = (kCaptureDir / "udhcpc-dnsmasq-dora-renew-release.pcap").string();
  const auto a = run_decode({path, "--roundtrip"});
  const auto b = run_decode({path, "--roundtrip"});
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.err, b.err);
}

// One capture's full output is pinned in tests/fixtures/captures/expected/ (format changes
// must be deliberate: the JSONL event log embeds the same objects). Regenerate with
// DHCPSIM_UPDATE_EXPECTED=1.
TEST(Decode, MatchesExpectedJsonLines) {
  const std::string name = "relay-dhclient-dhcrelay-kea-server-side";
  const auto expected_path = kCaptureDir / "expected" / (name + ".jsonl");
  const auto r = run_decode({(kCaptureDir / (name + ".pcap")).string(), "--roundtrip"});
  ASSERT_EQ(r.code, cli::kExitOk);
  if (std::getenv("DHCPSIM_UPDATE_EXPECTED") != nullptr) {
    fs::create_directories(expected_path.parent_path());
    std::ofstream(expected_path, std::ios::binary) << r.out;
  }
  std::ifstream in(expected_path, std::ios::binary);
  ASSERT_TRUE(in) << expected_path;
  std::ostringstream want;
  want << in.rdbuf();
  EXPECT_EQ(r.out, want.str());
}

// The binary itself: same output as in-process, real exit codes.
TEST(Decode, BinaryExitCodes) {
  const auto path = (kCaptureDir / "arping-iputils-dad-probe.pcap").string();
  const auto [code, out] = run_binary("decode --roundtrip '" + path + "'");
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out, run_decode({path, "--roundtrip"}).out);
  EXPECT_EQ(run_binary("decode /nonexistent/dir/none.pcap").first, 2);
  EXPECT_EQ(run_binary("decode").first, 2);  // FILE is required
}

// ---- unreadable files: exit 2 -----------------------------------------------------------

// A missing file and a file that is not pcap exit 2 with a message, printing nothing.
TEST(Decode, UnreadableFilesExit2) {
  const auto missing = run_decode({"/nonexistent/dir/none.pcap"});
  EXPECT_EQ(missing.code, cli::kExitUsage);
  EXPECT_TRUE(missing.out.empty());
  EXPECT_NE(missing.err.find("cannot read /nonexistent/dir/none.pcap"), std::string::npos)
      << missing.err;

  const auto garbage = temp_path("garbage.pcap");
  std::ofstream(garbage, std::ios::binary) << "this is not a capture file, just some text\n";
  const auto r = run_decode({garbage.string()});
  EXPECT_EQ(r.code, cli::kExitUsage);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("as pcap"), std::string::npos) << r.err;
  fs::remove(garbage);
}

// A pcap file cut in the middle of a record: the frames before it are printed, exit 2.
TEST(Decode, DamagedPcapFileExit2) {
  const auto src = kCaptureDir / "arping-iputils-dad-probe.pcap";  // 4 frames of 42 bytes
  std::ifstream in(src, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto cut = temp_path("cut.pcap");
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() - 10);
  const auto r = run_decode({cut.string()});
  EXPECT_EQ(r.code, cli::kExitUsage);
  EXPECT_EQ(r.lines.size(), 3u);
  EXPECT_NE(r.err.find("damaged after frame 3"), std::string::npos) << r.err;
  fs::remove(cut);
}

// ---- bad frames: exit 4 -----------------------------------------------------------------

const wire::MacAddress kClientMac = wire::MacAddress::from_u64(0x026601000002);

wire::DhcpMessage discover() {
  wire::DhcpMessage m;
  m.xid = 0x3903f326;
  m.set_client_mac(kClientMac);
  m.options.set_message_type(wire::DhcpMessageType::Discover);
  m.options.set(opt::kParameterRequestList, wire::bytes_of({1, 3, 6}));
  m.pad_to_bootp_minimum();
  return m;
}

std::vector<std::byte> udp_frame(const std::vector<std::byte>& payload) {
  wire::UdpFrameSpec spec;
  spec.src_mac = kClientMac;
  spec.dst_mac = wire::MacAddress::broadcast();
  spec.src_ip = wire::Ipv4Address::any();
  spec.dst_ip = wire::Ipv4Address::broadcast();
  spec.src_port = wire::kPortBootpClient;
  spec.dst_port = wire::kPortBootpServer;
  std::vector<std::byte> frame(wire::udp_frame_size(payload.size()));
  frame.resize(wire::encode_udp_frame(spec, payload, frame));
  return frame;
}

// Frames that do not parse: each gets an error line with what and where; exit 4.
TEST(Decode, BadFramesExit4WithErrorAndOffset) {
  const auto good = udp_frame(discover().encode_to_vector());
  // Cut inside the DHCP message: IPv4 total length (328) exceeds the 100 bytes left.
  const std::vector<std::byte> truncated(good.begin(), good.begin() + 100);
  // A wrong magic cookie, with correct IPv4 and UDP checksums around it.
  auto payload = discover().encode_to_vector();
  payload[wire::DhcpMessage::kCookieOffset] = std::byte{0x64};
  const auto bad_cookie = udp_frame(payload);
  // A changed xid byte without fixing the UDP checksum.
  auto bad_checksum = good;
  bad_checksum[14 + 20 + 8 + 4] ^= std::byte{0xff};

  const auto path = temp_path("bad-frames.pcap");
  {
    auto w = wire::PcapWriter::open(path.string());
    ASSERT_TRUE(w) << w.error();
    w->write(1'000, good);
    w->write(2'000, truncated);
    w->write(3'000, bad_cookie);
    w->write(4'000, bad_checksum);
    w->write(5'000, std::vector<std::byte>(10));  // shorter than an Ethernet header
    ASSERT_TRUE(w->close());
  }
  const auto r = run_decode({path.string(), "--roundtrip"});
  fs::remove(path);
  EXPECT_EQ(r.code, cli::kExitDecodeFailed);
  ASSERT_EQ(r.lines.size(), 5u);
  EXPECT_NE(r.err.find("5 frames, 4 errors"), std::string::npos) << r.err;

  EXPECT_FALSE(r.lines[0].contains("error"));
  EXPECT_EQ(r.lines[0].at("roundtrip"), true);
  EXPECT_EQ(r.lines[0].at("time_ns"), 1000);
  EXPECT_EQ(r.lines[0].at("dhcp").at("message_type"), "DHCPDISCOVER");

  for (std::size_t i = 1; i < 5; ++i) {
    SCOPED_TRACE("frame " + std::to_string(i + 1));
    const json& e = r.lines[i];
    EXPECT_EQ(e.at("frame"), i + 1);
    EXPECT_EQ(e.at("time_ns"), 1000 * int(i + 1));
    ASSERT_TRUE(e.contains("error")) << e.dump();
    EXPECT_TRUE(e.at("error").is_string());
    EXPECT_FALSE(e.contains("roundtrip"));  // nothing to re-encode
    EXPECT_FALSE(e.contains("dhcp"));
  }
  EXPECT_EQ(r.lines[1].at("length"), 100);
  EXPECT_EQ(r.lines[1].at("offset"), 16);  // the IPv4 total length field
  EXPECT_NE(r.lines[1].at("error").get<std::string>().find("total length"), std::string::npos)
      << r.lines[1].dump();

  EXPECT_EQ(r.lines[2].at("offset"), 14 + 20 + 8 + wire::DhcpMessage::kCookieOffset);
  EXPECT_NE(r.lines[2].at("error").get<std::string>().find("cookie"), std::string::npos)
      << r.lines[2].dump();

  // A checksum error still shows the frame, decoded without checksum checks.
  EXPECT_EQ(r.lines[3].at("offset"), 14 + 20 + 6);  // the UDP checksum field
  EXPECT_NE(r.lines[3].at("error").get<std::string>().find("checksum"), std::string::npos);
  EXPECT_EQ(r.lines[3].at("unverified").at("dhcp").at("xid"), "0xc603f326");

  EXPECT_EQ(r.lines[4].at("length"), 10);
  EXPECT_EQ(r.lines[4].at("offset"), 0);
  EXPECT_FALSE(r.lines[4].contains("unverified"));
}

// ---- report::frame_to_json --------------------------------------------------------------

json option_json(uint8_t code, std::initializer_list<uint8_t> bytes) {
  const auto v = wire::bytes_of(bytes);
  return report::dhcp_option_to_json(code, v);
}

// Each option type the decoder knows gets its typed value; the rest are hex.
TEST(FrameJson, OptionValuesAreTyped) {
  EXPECT_EQ(option_json(1, {255, 255, 255, 0}),
            json::parse(R"({"code":1,"name":"subnet_mask","length":4,"value":"255.255.255.0"})"));
  EXPECT_EQ(option_json(3, {10, 0, 0, 1, 10, 0, 0, 2}).at("value"),
            json::parse(R"(["10.0.0.1","10.0.0.2"])"));
  EXPECT_EQ(option_json(2, {0xff, 0xff, 0xf1, 0xf0}).at("value"), -3600);
  EXPECT_EQ(option_json(51, {0, 0, 0x0e, 0x10}).at("value"), 3600);
  EXPECT_EQ(option_json(57, {0x05, 0xdc}).at("value"), 1500);
  EXPECT_EQ(option_json(53, {5}).at("value"), "DHCPACK");
  EXPECT_EQ(option_json(53, {13}).at("value"), "DHCP(13)");
  EXPECT_EQ(option_json(55, {1, 3, 6}).at("value"), json::parse("[1,3,6]"));
  EXPECT_EQ(option_json(12, {'v', 'm'}).at("value"), "vm");
  EXPECT_EQ(option_json(61, {1, 2, 0x66, 1, 0, 0, 2}).at("value"), "01:02:66:01:00:00:02");
  // RFC 3442: 0.0.0.0/0 via 10.0.0.1, 10.66.0.0/16 via 10.0.0.2.
  EXPECT_EQ(option_json(121, {0, 10, 0, 0, 1, 16, 10, 66, 10, 0, 0, 2}).at("value"),
            json::parse(R"([{"destination":"0.0.0.0/0","router":"10.0.0.1"},
                            {"destination":"10.66.0.0/16","router":"10.0.0.2"}])"));
  // RFC 3397: "a.test", then "b" + a pointer to "test" at offset 2.
  EXPECT_EQ(option_json(119, {1, 'a', 4, 't', 'e', 's', 't', 0, 1, 'b', 0xc0, 2}).at("value"),
            json::parse(R"(["a.test","b.test"])"));
  // RFC 4702: E flag, canonical wire format.
  EXPECT_EQ(option_json(81, {0x05, 0, 0, 2, 'p', 'c', 4, 't', 'e', 's', 't', 0}).at("value"),
            json::parse(R"({"flags":5,"rcode1":0,"rcode2":0,"name":"pc.test"})"));
  // RFC 3046: circuit id + remote id.
  EXPECT_EQ(option_json(82, {1, 2, 'e', '0', 2, 1, 0xab}).at("value"),
            json::parse(R"({"circuit_id":"65:30","remote_id":"ab",
                            "suboptions":[{"code":1,"value":"65:30"},{"code":2,"value":"ab"}]})"));

  // Not decodable as its type, or no type: hex.
  EXPECT_EQ(
      option_json(12, {'v', 0xe9}),
      json::parse(R"({"code":12,"name":"host_name","length":2,"value":"76e9","encoding":"hex"})"));
  EXPECT_EQ(option_json(224, {0xde, 0xad}),
            json::parse(R"({"code":224,"length":2,"value":"dead","encoding":"hex"})"));
  EXPECT_EQ(option_json(121, {33, 0, 0, 0, 0, 0}).at("encoding"), "hex");
  EXPECT_EQ(option_json(119, {0xc0, 0}).at("encoding"), "hex");  // pointer to itself
  const json bad82 = option_json(82, {1, 5, 'x'});
  EXPECT_EQ(bad82.at("value"), "010578");
  EXPECT_TRUE(bad82.contains("error"));
  // Control characters stay text (JSON escapes them); the dump is valid JSON.
  EXPECT_EQ(option_json(12, {'v', 'm', 0}).at("value"), std::string("vm\0", 3));
}

// Options in an overloaded file field and a split (RFC 3396) option are marked as such.
TEST(FrameJson, OverloadAndSplitOptions) {
  std::vector<std::byte> msg(wire::DhcpMessage::kOptionsOffset);
  msg[0] = std::byte{1};  // BOOTREQUEST
  msg[1] = std::byte{1};
  msg[2] = std::byte{6};
  wire::store_be32(&msg[wire::DhcpMessage::kCookieOffset], wire::DhcpMessage::kMagicCookie);
  const auto file = wire::bytes_of({12, 2, 'h', 'i', 255});
  std::copy(file.begin(), file.end(), msg.begin() + wire::DhcpMessage::kFileOffset);
  for (auto b :
       wire::bytes_of({53, 1, 1, 52, 1, 1, 60, 2, 'a', 'b', 0, 0, 60, 2, 'c', 'd', 255, 0, 0}))
    msg.push_back(b);
  auto parsed = wire::DhcpMessage::parse(msg);
  ASSERT_TRUE(parsed) << parsed.error().to_string();
  const json j = report::dhcp_to_json(*parsed);
  EXPECT_EQ(j.at("message_type"), "DHCPDISCOVER");
  EXPECT_EQ(j.at("file"), "");
  EXPECT_EQ(j.at("padding"), 2);
  EXPECT_EQ(j.at("pad_options"), 2);
  const json* o60 = find_option(j, 60);
  ASSERT_NE(o60, nullptr);
  EXPECT_EQ(o60->at("value"), "abcd");
  EXPECT_EQ(o60->at("instances"), 2);
  const json* o12 = find_option(j, 12);
  ASSERT_NE(o12, nullptr);
  EXPECT_EQ(o12->at("value"), "hi");
  EXPECT_EQ(o12->at("area"), "file");
  EXPECT_EQ(find_option(j, 52)->at("value"), 1);
}

// ICMP echo and DNS frames, and UDP to other ports, decode to their own objects.
TEST(FrameJson, IcmpDnsAndRawPayloads) {
  wire::IcmpEchoFrameSpec echo;
  echo.src_mac = kClientMac;
  echo.dst_mac = wire::MacAddress::from_u64(0x026601000001);
  echo.src_ip = wire::Ipv4Address::from_octets(10, 0, 0, 2);
  echo.dst_ip = wire::Ipv4Address::from_octets(10, 0, 0, 1);
  echo.identifier = 0x1234;
  echo.sequence = 7;
  const auto data = wire::bytes_of({'p', 'i', 'n', 'g'});
  std::vector<std::byte> frame(wire::icmp_echo_frame_size(data.size()));
  frame.resize(wire::encode_icmp_echo_frame(echo, data, frame));
  auto f = wire::parse_frame(frame);
  ASSERT_TRUE(f) << f.error().to_string();
  json j = report::frame_to_json(*f);
  EXPECT_EQ(j.at("icmp").at("type"), 8);
  EXPECT_EQ(j.at("icmp").at("identifier"), 0x1234);
  EXPECT_EQ(j.at("icmp").at("sequence"), 7);
  EXPECT_EQ(j.at("icmp").at("data"), "70696e67");
  EXPECT_EQ(j.at("ipv4").at("protocol"), 1);
  EXPECT_TRUE(j.contains("trailer"));  // padded to 60 bytes

  auto name = wire::DnsName::from_string("host1.example.test");
  ASSERT_TRUE(name);
  const auto dns = wire::DnsMessage::query(0xbeef, *name);
  std::vector<std::byte> dns_bytes(dns.encoded_size());
  dns.encode(dns_bytes);
  wire::UdpFrameSpec spec;
  spec.src_ip = echo.src_ip;
  spec.dst_ip = echo.dst_ip;
  spec.src_port = 53000;
  spec.dst_port = wire::kPortDns;
  frame.assign(wire::udp_frame_size(dns_bytes.size()), std::byte{0});
  frame.resize(wire::encode_udp_frame(spec, dns_bytes, frame));
  f = wire::parse_frame(frame);
  ASSERT_TRUE(f) << f.error().to_string();
  j = report::frame_to_json(*f);
  EXPECT_EQ(j.at("dns").at("id"), 0xbeef);
  EXPECT_EQ(j.at("dns").at("qr"), false);
  EXPECT_EQ(j.at("dns").at("questions"),
            json::parse(R"([{"name":"host1.example.test","type":1,"class":1}])"));

  spec.dst_port = 9999;
  const auto hello = wire::bytes_of({'h', 'i'});
  frame.assign(wire::udp_frame_size(hello.size()), std::byte{0});
  frame.resize(wire::encode_udp_frame(spec, hello, frame));
  f = wire::parse_frame(frame);
  ASSERT_TRUE(f);
  j = report::frame_to_json(*f);
  EXPECT_EQ(j.at("payload"), json::parse(R"({"length":2,"hex":"6869"})"));
  EXPECT_FALSE(j.contains("dhcp"));
  EXPECT_FALSE(j.contains("dns"));
}

}  // namespace
}  // namespace dhcpsim
