#include <gtest/gtest.h>

#include <fstream>

#include "dhcpsim/scenario/parse.hpp"
#include "dhcpsim/scenario/units.hpp"

using namespace dhcpsim;
using namespace dhcpsim::scenario;
using nlohmann::json;

namespace {

json base() {
  return json::parse(R"({
    "name": "t",
    "duration": "1h",
    "segments": [{"name": "lan", "subnet": "10.0.0.0/24"}],
    "routers": [{"name": "gw", "interfaces": [{"name": "eth0", "segment": "lan", "address": "10.0.0.1/24"}]}],
    "dhcp_servers": [{"name": "s", "router": "gw", "subnets": [{"subnet": "10.0.0.0/24", "pools": ["10.0.0.100-10.0.0.199"], "lease": "1h"}]}],
    "hosts": [
      {"name": "pc-{i}", "count": 3, "segment": "lan", "dhcp": true},
      {"name": "printer", "segment": "lan", "static": {"address": "10.0.0.5", "mask": "255.255.255.0", "gateway": "10.0.0.1"}}
    ],
    "timeline": [{"at": "10m", "action": "server_stop", "server": "s"}]
  })");
}

/// Parses `doc` and expects exactly one error, at `pointer`, whose message contains `needle`.
void expect_error(const json& doc, const std::string& pointer, const std::string& needle) {
  auto r = parse_scenario(doc, "t.json");
  ASSERT_FALSE(r.has_value()) << "expected an error at " << pointer;
  bool found = false;
  std::string all;
  for (const auto& e : r.error()) {
    all += e.to_string() + "\n";
    if (e.pointer == pointer && e.message.find(needle) != std::string::npos) found = true;
    EXPECT_EQ(e.file, "t.json");
  }
  EXPECT_TRUE(found) << "wanted " << pointer << " ~ " << needle << "\ngot:\n" << all;
}

}  // namespace

// The base document is valid (so every test below changes exactly one thing).
TEST(Validation, BaseIsValid) {
  auto r = parse_scenario(base(), "t.json");
  ASSERT_TRUE(r.has_value()) << r.error().front().to_string();
  EXPECT_EQ(r->total_hosts(), 4u);
  EXPECT_EQ(r->hosts[0].group, "pc");
}

// Unknown keys anywhere are errors that list what is allowed.
TEST(Validation, UnknownKeys) {
  auto d = base();
  d["colour"] = "blue";
  expect_error(d, "/colour", "unknown key 'colour'");
  d = base();
  d["hosts"][1]["static"]["gatway"] = "10.0.0.1";
  expect_error(d, "/hosts/1/static/gatway", "expected one of: address, mask, gateway, dns");
}

// Wrong types say what was expected and what was found.
TEST(Validation, WrongTypes) {
  auto d = base();
  d["hosts"][0]["count"] = "3";
  expect_error(d, "/hosts/0/count", "expected an integer from 1 to");
  d = base();
  d["segments"] = json::object();
  expect_error(d, "/segments", "expected an array, got an object");
  d = base();
  d["segments"][0]["loss"] = 1.5;
  expect_error(d, "/segments/0/loss", "expected a number from 0 to 1");
}

// Durations need a unit; bare numbers are ambiguous.
TEST(Validation, Durations) {
  auto d = base();
  d["duration"] = 3600;
  expect_error(d, "/duration", "bare numbers are ambiguous");
  d = base();
  d["duration"] = "3600";
  expect_error(d, "/duration", "has no unit");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["lease"] = "1 hour";
  expect_error(d, "/dhcp_servers/0/subnets/0/lease", "unknown unit");
  d = base();
  d["duration"] = "400d";
  expect_error(d, "/duration", "longer than the limit");
}

// Addresses, prefixes and MACs in their usual text forms.
TEST(Validation, Addresses) {
  auto d = base();
  d["hosts"][1]["static"]["address"] = "10.0.0.256";
  expect_error(d, "/hosts/1/static/address", "is not an IPv4 address");
  d = base();
  d["segments"][0]["subnet"] = "10.0.0.1/24";
  expect_error(d, "/segments/0/subnet", "has host bits set");
  d = base();
  d["hosts"][1]["mac"] = "02:00:00:00:00";
  expect_error(d, "/hosts/1/mac", "is not a MAC address");
}

// A mistyped static host is the subject of study, never an error.
TEST(Validation, MisconfiguredStaticHostIsAllowed) {
  auto d = base();
  d["hosts"][1]["static"] = {{"address", "192.168.7.5"}, {"mask", "255.255.0.255"}, {"gateway", "10.9.9.9"}};
  EXPECT_TRUE(parse_scenario(d, "t.json").has_value());
}

// Pools must sit inside their subnet; ranges of one server must not overlap.
TEST(Validation, PoolsAndRanges) {
  auto d = base();
  d["dhcp_servers"][0]["subnets"][0]["pools"] = {"10.0.1.100-10.0.1.150"};
  expect_error(d, "/dhcp_servers/0/subnets/0/pools/0", "is outside its subnet 10.0.0.0/24");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["pools"] = {"10.0.0.100-10.0.0.150", "10.0.0.140-10.0.0.199"};
  expect_error(d, "/dhcp_servers/0/subnets", "overlaps pool 10.0.0.100-10.0.0.150");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["pools"] = {"10.0.0.150-10.0.0.100"};
  expect_error(d, "/dhcp_servers/0/subnets/0/pools/0", "ends before it starts");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["t1"] = "50m";
  d["dhcp_servers"][0]["subnets"][0]["t2"] = "40m";
  expect_error(d, "/dhcp_servers/0/subnets/0/t1", "must not exceed T2");
}

// Names are unique; references resolve.
TEST(Validation, NamesAndReferences) {
  auto d = base();
  d["hosts"][1]["name"] = "gw";
  expect_error(d, "/hosts/1/name", "duplicate name 'gw'");
  d = base();
  d["hosts"][1]["name"] = "pc-2";
  expect_error(d, "/hosts/1/name", "already used by the group 'pc-{i}' (/hosts/0)");
  d = base();
  d["hosts"] = {d["hosts"][1], d["hosts"][0]};
  d["hosts"][0]["name"] = "pc-3";
  expect_error(d, "/hosts/1/name", "would also name the host 'pc-3'");
  d = base();
  d["hosts"][0]["segment"] = "wlan";
  expect_error(d, "/hosts/0/segment", "unknown segment 'wlan'");
  d = base();
  d["timeline"][0]["server"] = "nope";
  expect_error(d, "/timeline/0/server", "unknown server 'nope'");
  d = base();
  d["hosts"][0]["count"] = 5;
  d["hosts"][0]["name"] = "pc";
  expect_error(d, "/hosts/0/name", "needs \"{i}\"");
  d = base();
  d["dhcp_servers"][0]["interfaces"] = {"eth9"};
  expect_error(d, "/dhcp_servers/0/interfaces/0", "has no interface 'eth9'");
}

// Sizes beyond the stated limits are refused.
TEST(Validation, Limits) {
  auto d = base();
  d["hosts"][0]["count"] = 5'000'000;
  expect_error(d, "/hosts/0/count", "expected an integer from 1 to 4000000");
  d = base();
  d["timeline"][0]["at"] = "2h";
  expect_error(d, "/timeline/0/at", "after the end of the run");
}

// Missing required keys are named.
TEST(Validation, Missing) {
  auto d = base();
  d.erase("duration");
  expect_error(d, "", "missing required key 'duration'");
  d = base();
  d["hosts"][1]["static"].erase("mask");
  expect_error(d, "/hosts/1/static", "missing required key 'mask'");
}

// The JSON itself: a syntax error names the byte offset.
TEST(Validation, SyntaxErrorNamesTheByteOffset) {
  std::string path = ::testing::TempDir() + "/bad.json";
  std::ofstream(path) << "{\n  \"name\": \"x\",\n  \"duration\": \"1h\" oops\n}\n";
  auto r = load_scenario(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().front().message.find("syntax error at byte 36 (parse error at line 3, column 20"), std::string::npos) << r.error().front().message;
  EXPECT_EQ(r.error().front().pointer, "");
  auto missing = load_scenario("/nonexistent/x.json");
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().front().message.find("cannot open"), std::string::npos);
}

// --set: JSON values, plain strings, adding keys, appending, and errors.
TEST(Validation, SetOverrides) {
  auto d = base();
  ASSERT_TRUE(apply_override(d, "/hosts/0/count=500", "t.json"));
  EXPECT_EQ(d["hosts"][0]["count"], 500);
  ASSERT_TRUE(apply_override(d, "/dhcp_servers/0/subnets/0/lease=2h", "t.json"));
  EXPECT_EQ(d["dhcp_servers"][0]["subnets"][0]["lease"], "2h");
  ASSERT_TRUE(apply_override(d, "/dhcp_servers/0/ping_check=true", "t.json"));  // adds a key
  EXPECT_EQ(d["dhcp_servers"][0]["ping_check"], true);
  ASSERT_TRUE(apply_override(d, "/description=a=b", "t.json"));  // splits at the first '='
  EXPECT_EQ(d["description"], "a=b");
  ASSERT_TRUE(apply_override(d, R"(/segments/-={"name":"wifi"})", "t.json"));
  EXPECT_EQ(d["segments"][1]["name"], "wifi");
  auto r = parse_scenario(d, "t.json");
  ASSERT_TRUE(r.has_value()) << r.error().front().to_string();
  EXPECT_EQ(r->hosts[0].count, 500u);
  EXPECT_EQ(r->servers[0].config.subnets[0].lease_time, core::hours(2));

  auto bad = apply_override(d, "/nope/deeper=1", "t.json");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("does not exist"), std::string::npos);
  EXPECT_FALSE(apply_override(d, "hosts/0/count=5", "t.json").has_value());
  EXPECT_FALSE(apply_override(d, "=5", "t.json").has_value());
  EXPECT_FALSE(apply_override(d, "/hosts/99=5", "t.json").has_value());
  // The result is validated like a file.
  ASSERT_TRUE(apply_override(d, "/hosts/0/count=0", "t.json"));
  expect_error(d, "/hosts/0/count", "expected an integer from 1");
}

// Units parse exactly.
TEST(Units, DurationsBandwidthRates) {
  EXPECT_EQ(*parse_duration("250us"), core::microseconds(250));
  EXPECT_EQ(*parse_duration("1.5s"), core::milliseconds(1500));
  EXPECT_EQ(*parse_duration("10m"), core::minutes(10));
  EXPECT_EQ(*parse_duration("2h"), core::hours(2));
  EXPECT_EQ(*parse_duration("1d"), core::days(1));
  EXPECT_EQ(*parse_duration("0s"), core::Duration::zero());
  EXPECT_FALSE(parse_duration("-1s").has_value());
  EXPECT_FALSE(parse_duration("1e3s").has_value());
  EXPECT_FALSE(parse_duration("0.5ns").has_value());
  EXPECT_EQ(*parse_bandwidth("100Mbps"), 100'000'000u);
  EXPECT_FALSE(parse_bandwidth("100").has_value());
  EXPECT_DOUBLE_EQ(*parse_rate("30/h"), 30.0 / 3600);
  EXPECT_DOUBLE_EQ(*parse_rate("2/min"), 2.0 / 60);
  EXPECT_FALSE(parse_rate("30").has_value());
}

// Values the DHCP server engine would refuse are validation errors (with a pointer),
// never an abort at run time.
TEST(Validation, ServerSettingsTheEngineRefuses) {
  auto d = base();
  d["dhcp_servers"][0]["offer_hold"] = "0s";
  expect_error(d, "/dhcp_servers/0/offer_hold", "must be positive");
  d = base();
  d["dhcp_servers"][0]["decline_probation"] = "0s";
  expect_error(d, "/dhcp_servers/0/decline_probation", "must be positive");
  d = base();
  d["dhcp_servers"][0]["server_id"] = "0.0.0.0";
  expect_error(d, "/dhcp_servers/0/server_id", "unicast address");
  d = base();
  d["dhcp_servers"][0]["ping_check"] = {{"wait", "0s"}};
  expect_error(d, "/dhcp_servers/0/ping_check/wait", "must be positive");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["t1"] = "0s";
  expect_error(d, "/dhcp_servers/0/subnets/0/t1", "T1 must be positive");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["exclusions"] = {"10.0.1.5-10.0.1.9"};
  expect_error(d, "/dhcp_servers/0/subnets/0/exclusions/0", "outside its subnet");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["reservations"] = {{{"mac", "02:00:00:00:00:01"}, {"address", "10.0.0.150"}},
                                                        {{"mac", "02:00:00:00:00:02"}, {"address", "10.0.0.150"}}};
  expect_error(d, "/dhcp_servers/0/subnets/0/reservations/1/address", "reserved twice");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["reservations"] = {{{"client_id", "01"}, {"address", "10.0.0.150"}}};
  expect_error(d, "/dhcp_servers/0/subnets/0/reservations/0/client_id", "at least two hex bytes");
  d = base();
  d["dhcp_servers"][0]["subnets"][0]["reservations"] = {{{"mac", "02:00:00:00:00:01"}, {"address", "10.0.0.255"}}};
  expect_error(d, "/dhcp_servers/0/subnets/0/reservations/0/address", "network or broadcast");
  d = base();
  d["dhcp_servers"].push_back(d["dhcp_servers"][0]);
  d["dhcp_servers"][1]["name"] = "s2";
  d["dhcp_servers"][1]["subnets"][0]["pools"] = {"10.0.0.200-10.0.0.220"};
  expect_error(d, "/dhcp_servers/1/router", "already runs server 's'");
}

// Wrong types and silently ignored settings are reported, not thrown or dropped.
TEST(Validation, NothingIsSilentlyIgnored) {
  auto d = base();
  d["hosts"][1]["inform"] = "yes";
  d["hosts"][1]["dhcp"] = true;
  expect_error(d, "/hosts/1/inform", "expected true or false");
  d = base();
  d["hosts"][0]["dhcp"] = {{"start_delay", {"1s", "2s", "3s"}}};
  expect_error(d, "/hosts/0/dhcp/start_delay", "[min, max]");
  d = base();
  d["hosts"][0]["acd"] = true;
  expect_error(d, "/hosts/0/acd", "probe_on_ack");
  d = base();
  d["routers"][0]["relay"] = {{"servers", {"10.0.9.5"}}, {"interfaces", json::array()}};
  expect_error(d, "/routers/0/relay/interfaces", "at least one");
  d = base();
  d["churn"] = {{{"name", "g-{i}"}, {"segment", "lan"}, {"arrivals", {{"rate", "1/min"}}}, {"stay", "10m"},
                 {"dhcp", false}}};
  expect_error(d, "/churn/0/dhcp", "always use DHCP");
  d = base();
  d["churn"] = {{{"name", "g-{i}"}, {"segment", "lan"}, {"arrivals", {{"rate", "1/min"}}}, {"stay", "10m"},
                 {"probes", {{"peers", {"nobody"}}}}}};
  expect_error(d, "/churn/0/probes/peers/0", "unknown host 'nobody'");
  d = base();
  d["duration"] = ".5h";
  expect_error(d, "/duration", "is not a duration");
  d = base();
  d["duration"] = "5.h";
  expect_error(d, "/duration", "is not a duration");
}
