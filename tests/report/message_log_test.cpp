#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "dhcpsim/report/message_log.hpp"
#include "report_fixture.hpp"

using namespace dhcpsim;
using namespace dhcpsim::report;
using namespace dhcpsim::report_testing;
using namespace dhcpsim::core::literals;

namespace {

constexpr Time kT0 = Time::zero();

/// An office with a recorder subscribed, run for `length`.
struct Recorded {
  explicit Recorded(std::size_t cap = MessageRecorder::kDefaultCap, int dhcp = 6, uint64_t seed = 1)
      : office(dhcp, 2, seed), recorder(office.net, cap) {
    office.net.tracer().subscribe(&recorder);
  }
  void run(Duration length) {
    auto& m = office.start(1_s, kT0 + length);
    office.sim.run_until(kT0 + length);
    m.finish(office.sim.now());
  }
  Office office;
  MessageRecorder recorder;
};

}  // namespace

// Every message of a DORA is kept once per sender and receiver and attributed to its
// client by chaddr; a client overhearing another's broadcast reply is not recorded.
TEST(MessageLog, AttributesMessagesToTheirClient) {
  Recorded r;
  r.run(30_s);
  const auto& ev = r.recorder.events();
  ASSERT_FALSE(r.recorder.overflowed());
  ASSERT_FALSE(ev.empty());
  std::set<uint32_t> clients;
  for (NodeId c : r.office.clients) clients.insert(c.value);
  for (const auto& e : ev) {
    EXPECT_TRUE(clients.count(e.client)) << e.client;
    if (e.role == static_cast<uint8_t>(DhcpRole::kClient))
      EXPECT_EQ(e.node, e.client);
    else
      EXPECT_EQ(e.node, r.office.gw.value);
  }
  // Each client: DISCOVER, OFFER, REQUEST, ACK, each sent once and received once.
  for (NodeId c : r.office.clients) {
    std::map<std::pair<uint8_t, bool>, int> n;
    for (const auto& e : ev)
      if (e.client == c.value) ++n[{e.type, e.sent}];
    for (uint8_t t : {1, 2, 3, 5}) {
      EXPECT_EQ((n[{t, true}]), 1) << "type " << int(t) << " client " << c.value;
      EXPECT_EQ((n[{t, false}]), 1) << "type " << int(t) << " client " << c.value;
    }
    EXPECT_TRUE(r.recorder.dhcp_client(c));
  }
  for (NodeId s : r.office.statics_) EXPECT_FALSE(r.recorder.dhcp_client(s));
  // In time order.
  EXPECT_TRUE(std::is_sorted(ev.begin(), ev.end(),
                             [](const auto& a, const auto& b) { return a.time_ns < b.time_ns; }));
}

// The chosen clients: the followed ones first, then the slowest to an address (ties by
// node id), each once; static hosts only when followed.
TEST(MessageLog, ChoosesTheSlowestAndTheFollowed) {
  Recorded r;
  r.run(30_s);
  const MetricsCollector& m = *r.office.metrics;
  const NodeId followed = r.office.statics_[0];
  auto chosen = choose_clients(r.recorder, m, {followed, r.office.clients[0]});
  ASSERT_GE(chosen.size(), 3u);
  EXPECT_EQ(chosen[0].node, followed);
  EXPECT_EQ(chosen[0].reasons & kReasonFollowed, kReasonFollowed);
  EXPECT_EQ(chosen[1].node, r.office.clients[0]);
  std::vector<std::pair<int64_t, uint32_t>> tta;
  for (NodeId c : r.office.clients) tta.emplace_back(-m.time_to_address(c)->ns(), c.value);
  std::sort(tta.begin(), tta.end());
  std::set<uint32_t> slowest;
  for (std::size_t k = 0; k < 3; ++k) slowest.insert(tta[k].second);
  std::set<uint32_t> got;
  for (const auto& c : chosen)
    if (c.reasons & kReasonSlowest) got.insert(c.node.value);
  EXPECT_EQ(got, slowest);
  std::set<uint32_t> unique;
  for (const auto& c : chosen) EXPECT_TRUE(unique.insert(c.node.value).second);
  EXPECT_EQ(clients_with_problems(r.recorder), 0u);
  EXPECT_EQ(reason_texts(kReasonFollowed | kReasonNak),
            (std::vector<std::string>{"followed (--follow)", "received a DHCPNAK"}));
}

// Over the cap the recorder keeps nothing and says so; a second run of the same network
// and seed restricted to some clients records exactly their messages of the first run.
TEST(MessageLog, OverflowAndReplayGiveTheSameMessages) {
  Recorded full;
  full.run(30_s);
  Recorded capped(10);
  capped.run(30_s);
  EXPECT_TRUE(capped.recorder.overflowed());
  EXPECT_TRUE(capped.recorder.events().empty());
  EXPECT_EQ(capped.recorder.cap(), 10u);
  // The flags are kept whatever the cap.
  for (NodeId c : capped.office.clients) EXPECT_TRUE(capped.recorder.dhcp_client(c));

  const std::vector<NodeId> some = {full.office.clients[1], full.office.clients[4]};
  Recorded replay(10);
  replay.recorder.restrict_to(some);
  replay.run(30_s);
  EXPECT_FALSE(replay.recorder.overflowed());
  std::vector<MessageEvent> expected;
  for (const auto& e : full.recorder.events())
    if (e.client == some[0].value || e.client == some[1].value) expected.push_back(e);
  ASSERT_EQ(replay.recorder.events().size(), expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const auto& a = replay.recorder.events()[k];
    const auto& b = expected[k];
    EXPECT_EQ(std::tie(a.time_ns, a.client, a.node, a.xid, a.src_ip, a.dst_ip, a.server_id, a.addr,
                       a.type, a.role, a.sent),
              std::tie(b.time_ns, b.client, b.node, b.xid, b.src_ip, b.dst_ip, b.server_id, b.addr,
                       b.type, b.role, b.sent))
        << k;
  }
}

// The JSON lines name nodes, roles and types, keep the first `max` per client and count
// the rest.
TEST(MessageLog, JsonLinesPerClientWithALimit) {
  Recorded r;
  r.run(30_s);
  std::vector<ChosenClient> chosen = {{r.office.clients[2], kReasonFollowed},
                                      {r.office.clients[0], 0}};
  std::vector<std::pair<std::size_t, std::size_t>> kept;
  const std::string text = messages_jsonl(r.recorder.events(), r.office.net, chosen, 3, &kept);
  ASSERT_EQ(kept.size(), 2u);
  EXPECT_EQ(kept[0].first, 3u);
  EXPECT_EQ(kept[0].second, 5u);  // 8 records per DORA
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 6);
  const auto first = nlohmann::json::parse(text.substr(0, text.find('\n')));
  EXPECT_EQ(first["role"], "client");
  EXPECT_EQ(first["type"], "DHCPDISCOVER");
  EXPECT_EQ(first["dst"], "255.255.255.255");
  EXPECT_EQ(first["src"], "0.0.0.0");
  EXPECT_EQ(first["sent"], true);
  EXPECT_EQ(first["xid"].get<std::string>().size(), 10u);
  EXPECT_TRUE(first["client"] == "pc0" || first["client"] == "pc2");
  EXPECT_NE(text.find("\"node\":\"gw\",\"role\":\"server\""), std::string::npos);
}
